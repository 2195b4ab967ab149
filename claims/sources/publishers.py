"""Publishers: which publisher a host or a wire credit belongs to (``PublisherIndex``),
and the one lookup of an address's registered domain (``registered_domain``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from claims.confirmation import rule as confirmation
from claims.confirmation.rule import PublisherFacts, Wire
from claims.models import (
    Article,
    Evidence,
    Publisher,
    PublisherDomain,
    Source,
    SourceCapture,
)
from claims.sources.fetching import canonicalize_url, encode_host, literal_ip
from claims.sources.identity import (
    SHORT_LINK,
    Hosts,
    Origin,
    default_hosts,
    host_of,
    unwrap,
)
from claims.text.normalising import for_names

if TYPE_CHECKING:
    import tldextract


@dataclass(frozen=True)
class PublisherIndex:
    """Publisher families by domain and by name, and the wire credits, read once per use.

    A text's publisher comes from where it came from: the source's URL, its latest
    capture's final URL after redirects, and the original address inside archive, proxy
    and redirect forms (``identity.unwrap``). Every one of them is a key, so a source is
    independent of the article only when none of them is the article's publisher."""

    by_domain: dict[str, str]
    wires: tuple[Wire, ...]
    names: dict[str, str] = field(default_factory=dict)  # for_names of a name or alias -> name
    hosts: Hosts = field(default_factory=default_hosts)

    @classmethod
    def load(cls) -> PublisherIndex:
        by_domain = dict(PublisherDomain.objects.values_list("domain", "publisher__name"))
        credits = Publisher.objects.exclude(wire_credits=[]).values("name", "wire_credits")
        names = _names(Publisher.objects.values_list("name", flat=True))
        return cls(by_domain, confirmation.compile_wires(list(credits)), names)

    def family(self, host: str) -> str:
        """The publisher whose domains include ``host`` or one of its parents, or ""."""
        labels = host.lower().rstrip(".").split(".")
        for index in range(len(labels) - 1):
            name = self.by_domain.get(".".join(labels[index:]))
            if name:
                return name
        return ""

    def article(self, article: Article, text_edges: str = "") -> PublisherFacts:
        routes = self._keys(article.url) if article.url else {}
        origin = unwrap(article.url, self.hosts) if article.url else None
        host = origin.host if origin and not origin.hidden else ""
        family = (
            (self.family(host) if host else "")
            or (self.family(article.outlet_domain) if article.outlet_domain else "")
            or self.named(article.outlet)
        )
        name = family or article.outlet or article.outlet_domain
        keys = {article.outlet.casefold(), article.outlet_domain.casefold(), family.casefold()}
        keys.update(routes)  # the URL's own domains too, should they differ from the outlet's
        wire, credit = confirmation.wire_credit(text_edges, self.wires)
        if wire:
            keys.add(wire.casefold())
        return PublisherFacts(name, frozenset(keys - {""}), credit)

    def source(self, source: Source, capture: SourceCapture | None) -> PublisherFacts:
        final = capture.final_url if capture else ""
        routes = self._routes(source, final)
        origins = [unwrap(address, self.hosts) for address in (final, source.url) if address]
        text = next((origin for origin in origins if not origin.hidden), None)
        own = self._own(source, text)
        unknown = self._unknown(text or unwrap(source.url, self.hosts))
        wire = capture.wire if capture else ""
        if wire:  # wire copy is its wire; a credit names a syndicated copy's publisher
            routes[wire.casefold()] = ""
            own, unknown = wire, unknown if text is None else ""
        keys = frozenset(routes) - {""}
        via = tuple((key, route) for key, route in routes.items() if route and key in keys)
        credit = capture.wire_credit if capture and wire else ""
        return PublisherFacts(own, keys, credit, via=via, unknown=unknown)

    def named(self, name: str) -> str:
        """The publisher called ``name`` or known by it as an alias, or ""."""
        return self.names.get(for_names(name), "") if name.strip() else ""

    def _routes(self, source: Source, final: str) -> dict[str, str]:
        """Every key of a source, each with the hosts crossed to reach it ("" if none)."""
        # A publisher name typed by hand on the source is a key too: more keys can only
        # make a source less independent, never more.
        typed = (source.publisher.casefold(), self.named(source.publisher).casefold())
        routes = dict.fromkeys((source.domain.casefold(), *typed), "")
        _merge(routes, self._keys(source.url))
        home = host_of(source.url)
        for landed in dict.fromkeys((final, source.final_url)):
            if landed:  # where the fetch landed after redirects
                hop = "" if host_of(landed) == home else self.hosts.label(home)
                _merge(routes, self._keys(landed, hop))
        return routes

    def _own(self, source: Source, text: Origin | None) -> str:
        """The publisher to name for a source whose text came from ``text``."""
        if text is None:
            return source.publisher or source.domain or host_of(source.url)
        if text.url == source.url:
            return self.family(text.host) or source.domain or source.publisher
        return self.family(text.host) or registered_domain(text.host)

    def _keys(self, url: str, hop: str = "") -> dict[str, str]:
        """The keys of an address and of the original inside it (publisher, registered
        domain, canonical URL), each with the hosts crossed to reach it ("" if none)."""
        origin = unwrap(url, self.hosts)
        inner = ", ".join(host for host in (hop, *origin.via) if host)
        routes: dict[str, str] = {}
        for address, route in ((url, hop), (origin.url, inner)):
            host = host_of(address)
            if host:
                found = (self.family(host).casefold(), registered_domain(host), _canonical(address))
                _merge(routes, dict.fromkeys(found, route))
        return routes

    def _unknown(self, origin: Origin) -> str:
        """Why the publisher of a text from ``origin`` cannot be known, or ""."""
        where = self.hosts.label(origin.host)
        if origin.hidden == SHORT_LINK:
            return "short link with no captured destination: publisher unknown"
        if origin.hidden:
            return f"{origin.hidden} on {where} with the original address hidden: publisher unknown"
        if origin.syndicated:
            return f"syndicated copy on {where} with no credited publisher"
        return ""


def _names(names: Iterable[str]) -> dict[str, str]:
    """Publishers by the key of their name and of their seed aliases (an alias that two
    publishers share names neither)."""
    known = {for_names(name): name for name in names}
    aliases: dict[str, set[str]] = {}
    for entry in confirmation.seed_publishers():
        if entry["name"] in known.values():
            for alias in entry.get("aliases", ()):
                aliases.setdefault(for_names(alias), set()).add(entry["name"])
    unique = {key: owners.pop() for key, owners in aliases.items() if len(owners) == 1}
    return {**unique, **known}


def _merge(routes: dict[str, str], found: dict[str, str]) -> None:
    """Add keys with their routes; a key found directly anywhere is direct."""
    for key, route in found.items():
        if key not in routes or not route:
            routes[key] = route


@cache
def _public_suffixes() -> tldextract.TLDExtract:
    """The Public Suffix List snapshot bundled with tldextract: never fetched, never cached
    to disk. Private suffixes (github.io, blogspot.com) count, so each blog is its own
    publisher. Built on first use (importing tldextract costs start-up)."""
    import tldextract

    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def registered_domain(url_or_host: str) -> str:
    """The domain an address's publisher registered, by the Public Suffix List: the
    publisher key of every host. ``edition.cnn.com`` -> ``cnn.com``, ``news.bbc.co.uk``
    -> ``bbc.co.uk``, ``someone.github.io`` stays (a private suffix: each blog is its own
    publisher). Never raises; where the list gives no answer:

    - an IP address is its own publisher (``93.184.215.14``, ``2001:db8::1``);
    - a host under no listed suffix (``www.daily.example``, ``wiki.intranet.corp``) takes
      the list's default rule ``*``, its last two labels (``daily.example``), so that
      its subdomains are one publisher, as under a listed suffix; ``localhost`` and any
      other single label stays as it is, as does a host that is itself a public suffix
      (``co.uk``);
    - a host IDNA cannot encode stays as it is, lower-cased (it still names a publisher);
    - an address without a host, or one that cannot be read, gives "".
    """
    try:
        host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    except ValueError:  # a malformed IPv6 literal
        return ""
    host = (host or "").strip().strip("[]").rstrip(".").lower()
    if not host:
        return ""
    try:
        host = encode_host(host)
    except ValueError:
        return host
    if literal_ip(host) is not None:
        return host
    parts = _public_suffixes()(host)
    if parts.suffix:
        return parts.top_domain_under_public_suffix or host
    return ".".join(host.split(".")[-2:])


def _canonical(url: str) -> str:
    try:
        return canonicalize_url(url)
    except ValueError:
        return ""


def detect_wire(text: str, index: PublisherIndex | None = None) -> tuple[str, str]:
    """The wire a captured text credits (name, credit as written), with the admin's list."""
    return confirmation.wire_credit(text, (index or PublisherIndex.load()).wires)


def recompute_wires(*, index: PublisherIndex | None = None) -> int:
    """Mark the latest capture of every source used as evidence with the wire its text
    credits by the current credits (after a publisher's wire credits were edited).
    Returns how many captures changed."""
    index = index or PublisherIndex.load()
    used = Evidence.objects.values_list("source_id", flat=True).distinct()
    changed = 0
    for capture in latest_captures(used).values():
        text = SourceCapture.objects.only("text_compressed").get(pk=capture.pk).text
        wire, credit = confirmation.wire_credit(text, index.wires)
        if (wire, credit[:200]) != (capture.wire, capture.wire_credit):
            SourceCapture.objects.filter(pk=capture.pk).update(wire=wire, wire_credit=credit[:200])
            changed += 1
    return changed


def latest_captures(source_ids: Iterable[int]) -> dict[int, SourceCapture]:
    """The newest capture of each source (text left in the database)."""
    latest: dict[int, SourceCapture] = {}
    captures = (
        SourceCapture.objects.filter(source_id__in=set(source_ids))
        .defer("text_compressed")
        .order_by("source_id", "-fetched_at", "-pk")
    )
    for capture in captures:
        latest.setdefault(capture.source_id, capture)
    return latest
