"""Where a text came from, read from its address: ``unwrap`` finds the original URL inside
archive, proxy and redirect forms, and says when an address hides it (a short link, an
archive.today copy) or is a syndication host that republishes others' stories.

Pure: strings in, plain data out, no Django. The host lists are data: the ``hosts``
section of ``claims/data/publishers.json``.

The forms read here:

- Wayback: ``web.archive.org/web/<timestamp>[id_]/<url>``;
- archive.today (archive.ph, .is, .today, …): ``/<timestamp>/<url>``, ``/newest/<url>``,
  ``/o/<id>/<url>``; the usual ``archive.ph/<id>`` hides the original;
- AMP caches: ``<host-with-dashes>.cdn.ampproject.org/c/s/<host>/<path>`` and Google's
  viewer ``www.google.com/amp/s/<host>/<path>``;
- the translate proxy: ``<host-with-dashes>.translate.goog/<path>``, where a dash stands
  for a dot and two dashes for a dash;
- redirectors that carry the target in a parameter (``www.google.com/url?q=<url>``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from claims.confirmation.rule import PUBLISHERS_FILE

SHORT_LINK = "short link"
ARCHIVE_COPY = "archive copy"

WAYBACK_PATH = re.compile(r"/web/(?:[0-9*]+[a-z]{0,2}_?/)?(.*)", re.DOTALL)
ARCHIVE_TODAY_PREFIX = re.compile(r"/(?:newest|oldest|\d{4}[\d.\-]*|o/[^/]+)/(.+)", re.DOTALL)
AMP_CACHE_PATH = re.compile(r"/(?:c|v|i|r|wp|a)/(s/)?(.+)", re.DOTALL)
EMBEDDED_SCHEME = re.compile(r"(https?):/+(.*)", re.IGNORECASE | re.DOTALL)
BARE_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?]|$)", re.IGNORECASE)
TRANSLATE_PARAM = "_x_tr_"


@dataclass(frozen=True)
class Redirector:
    hosts: tuple[str, ...]
    path: str  # "" for any path
    params: tuple[str, ...]


@dataclass(frozen=True)
class Hosts:
    """The hosts that are not publishers: archives, proxies, redirectors, short links and
    syndication. An entry matches itself and its subdomains."""

    wayback: tuple[str, ...] = ()
    archive_today: tuple[str, ...] = ()
    amp_caches: tuple[str, ...] = ()
    amp_viewers: tuple[str, ...] = ()
    translate_proxies: tuple[str, ...] = ()
    redirectors: tuple[Redirector, ...] = ()
    shorteners: tuple[str, ...] = ()
    syndication: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Hosts:
        lists = {name: tuple(data.get(name, ())) for name in _LISTS}
        redirectors = tuple(
            Redirector(tuple(r["hosts"]), r.get("path", ""), tuple(r["params"]))
            for r in data.get("redirectors", ())
        )
        return cls(redirectors=redirectors, **lists)

    def label(self, host: str) -> str:
        """The listed entry a host falls under (``www.msn.com`` -> ``msn.com``), or the
        host itself without ``www.``."""
        every = (*self.wayback, *self.archive_today, *self.amp_caches, *self.amp_viewers,
                 *self.translate_proxies, *self.shorteners, *self.syndication,
                 *(h for r in self.redirectors for h in r.hosts))  # fmt: skip
        return _under(host, every) or host.removeprefix("www.")


_LISTS = ("wayback", "archive_today", "amp_caches", "amp_viewers", "translate_proxies",
          "shorteners", "syndication")  # fmt: skip


@cache
def default_hosts() -> Hosts:
    """The host lists of ``claims/data/publishers.json``."""
    return Hosts.from_data(json.loads(PUBLISHERS_FILE.read_text(encoding="utf-8"))["hosts"])


@dataclass(frozen=True)
class Origin:
    """Where a text came from as far as its address tells."""

    url: str  # the innermost address that could be read
    via: tuple[str, ...] = ()  # the archives and proxies crossed to reach it, outermost first
    hidden: str = ""  # SHORT_LINK or ARCHIVE_COPY when ``url`` hides the original
    syndicated: bool = False  # ``url`` is on a syndication host

    @property
    def host(self) -> str:
        return host_of(self.url)


def unwrap(url: str, hosts: Hosts | None = None) -> Origin:
    """The original address inside ``url``. Never raises: an address that cannot be read
    is its own origin. Unwrapping an origin's ``url`` again changes nothing."""
    hosts = hosts or default_hosts()
    current = url
    via: list[str] = []
    while (step := _step(current, hosts)) is not None:
        inner, label = step
        if not inner:
            return Origin(current, tuple(via), hidden=ARCHIVE_COPY)
        if len(inner) >= len(current):  # every form is longer than what it wraps
            break
        current = inner
        via.append(label)
    host = host_of(current)
    if host and _under(host, hosts.shorteners):
        return Origin(current, tuple(via), hidden=SHORT_LINK)
    return Origin(current, tuple(via), syndicated=bool(host and _under(host, hosts.syndication)))


# --- one step inward ------------------------------------------------------------------------


def _step(url: str, hosts: Hosts) -> tuple[str, str] | None:
    """``(inner address, the wrapper's label)`` when ``url`` is an archive, proxy or
    redirect form (the inner address is "" when it hides the original), else None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    query = f"?{parts.query}" if parts.query else ""
    if label := _under(host, hosts.wayback):
        match = WAYBACK_PATH.fullmatch(parts.path)
        return (_embedded(match.group(1) + query) if match else ""), label
    if label := _under(host, hosts.archive_today):
        return _archive_today(parts.path, query), label
    if label := _under(host, hosts.amp_caches):
        return _amp_cache(host, label, parts.path, query), label
    if label := _under(host, hosts.translate_proxies):
        return _translated(host, label, parts.path, parts.query), label
    if (label := _under(host, hosts.amp_viewers)) and parts.path.startswith("/amp/"):
        rest = parts.path.removeprefix("/amp/")
        secure = rest.startswith("s/")
        return _embedded(rest.removeprefix("s/") + query, "https" if secure else "http"), label
    for redirector in hosts.redirectors:
        label = _under(host, redirector.hosts)
        if label and (not redirector.path or parts.path == redirector.path):
            target = _redirect_target(parts.query, redirector.params)
            if target:
                return target, label
    return None


def _archive_today(path: str, query: str) -> str:
    found = EMBEDDED_SCHEME.search(path)
    if found:
        return _embedded(path[found.start() :] + query)
    prefixed = ARCHIVE_TODAY_PREFIX.fullmatch(path)
    return _embedded(prefixed.group(1) + query) if prefixed else ""


def _amp_cache(host: str, label: str, path: str, query: str) -> str:
    match = AMP_CACHE_PATH.fullmatch(path)
    if match:
        return _embedded(match.group(2) + query, "https" if match.group(1) else "http")
    original = _undashed(host.removesuffix(f".{label}"))
    return _embedded(f"https://{original}{path}{query}") if "." in original else ""


def _translated(host: str, label: str, path: str, query: str) -> str:
    original = _undashed(host.removesuffix(f".{label}"))
    if "." not in original:
        return ""
    kept = "&".join(p for p in query.split("&") if p and not p.startswith(TRANSLATE_PARAM))
    return _embedded(f"https://{original}{path}{'?' + kept if kept else ''}")


def _redirect_target(query: str, params: tuple[str, ...]) -> str:
    values = dict(parse_qsl(query))
    for name in params:
        target = _embedded(values.get(name, ""), "")
        if target:
            return target
    return ""


def _undashed(label: str) -> str:
    """``www-my--site-com`` -> ``www.my-site.com`` (the AMP cache and translate proxy
    encoding of a host in one DNS label)."""
    return "-".join(part.replace("-", ".") for part in label.split("--"))


def _embedded(text: str, scheme: str = "http") -> str:
    """An http(s) URL written inside another address ("https:/x.org/a", "x.org/a"), or ""
    when there is none. A bare host gets ``scheme``; with ``scheme`` "", it must have one."""
    match = EMBEDDED_SCHEME.match(text)
    if match:
        candidate = f"{match.group(1).lower()}://{match.group(2)}"
    elif scheme and BARE_HOST.match(text):
        candidate = f"{scheme}://{text}"
    else:
        return ""
    return candidate if host_of(candidate) else ""


def host_of(url: str) -> str:
    """The host of ``url`` in lower case, or "" when it has none or cannot be read."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a malformed port)
        return (parts.hostname or "").rstrip(".")
    except ValueError:
        return ""


def _under(host: str, entries: tuple[str, ...] | list[str]) -> str:
    """The entry that ``host`` is or is a subdomain of, or ""."""
    return next((e for e in entries if host == e or host.endswith(f".{e}")), "")
