"""Safe web fetching: the one door through which the workbench reads the web.

``safe_fetch`` refuses anything that could reach inside the network (SSRF): only http(s),
no userinfo, every resolved address must be globally routable, every redirect is checked
again, and the connection is pinned to the vetted address so DNS rebinding cannot slip
through. Sizes and times are capped, and only HTML, plain text and PDF are accepted.
Every read from the socket goes through the fetch's clock (``_Fetch.before_read``): one
wall-clock deadline covers connect, headers and body together, and a server that sends
less than a minimum rate after the first seconds is cut off, so one that drips a byte
every few seconds cannot hold a worker.
Network trouble and refusals never raise: they come back as a ``FetchResult`` whose
``reason`` a person can read.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import ipaddress
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.message import Message
from functools import partial
from typing import Any, Literal, TypedDict
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import idna
import urllib3
import urllib3.connection
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    SSLError,
)
from urllib3.exceptions import (
    TimeoutError as Urllib3Timeout,
)

from claims import nlp
from claims.text.cleaning import clean_line, clean_text

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

USER_AGENT = "ClaimWorkbench/0.1 (+source capture)"
ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.9,*/*;q=0.1"
MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MEGABYTE
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_TOTAL_TIMEOUT = 30.0  # one deadline for connect, headers and body together
DEFAULT_POST_DEADLINE = 10.0  # webhook deliveries
DEFAULT_MIN_RATE = 1024.0  # bytes per second, averaged over the whole fetch ...
DEFAULT_RATE_GRACE = 5.0  # ... once this many seconds have passed
DEADLINE_SLACK = 0.05  # a socket timeout set to the time left ends this close to it
CHUNK_SIZE = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PDF_TYPES = frozenset({"application/pdf"})
# RSS, Atom, JSON Feed and sitemaps (``safe_fetch(..., feed=True)``: the body comes back
# unparsed).
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
        "text/plain",
    }
)
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/feed+json,"
    "application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.8"
)

# Query parameters that only track the reader; they never change what a page says.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
        "ref_url",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "s_cid",
        "cmpid",
        "ocid",
        "spm",
        "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

# Networks that embed an IPv4 address in IPv6 (NAT64 well-known and local-use prefixes).
NAT64_NETWORKS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)
PERCENT_ESCAPE = re.compile(r"%[0-9a-f]{2}", re.IGNORECASE)
SHARED_NETWORK = ipaddress.IPv4Network("100.64.0.0/10")
NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


class FetchRefused(Exception):
    """The request was refused by policy before or during the fetch."""


class FetchFailed(Exception):
    """The network or the server did not give us a usable answer."""

    def __init__(self, reason: str, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.http_status = http_status


@dataclass(frozen=True)
class FetchResult:
    status: Literal["ok", "refused", "failed", "not_modified"]
    reason: str
    url: str
    final_url: str
    http_status: int | None = None
    content_type: str = ""
    body: bytes = b""
    text: str = ""
    title: str = ""
    published: date | None = None
    redirects: list[str] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    note: str = ""  # e.g. "no text could be extracted from this PDF"
    etag: str = ""  # validators for the next conditional GET
    last_modified: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str = ""
    published: date | None = None
    note: str = ""


# --- settings --------------------------------------------------------------------------


def _setting(name: str, default: Any) -> Any:
    """Read a Django setting lazily; fall back to ``default`` without configured settings."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        return default
    try:
        return getattr(settings, name, default)
    except (ImproperlyConfigured, ImportError):
        return default


# --- URLs and publishers ---------------------------------------------------------------


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def encode_host(host: str) -> str:
    """``host`` lower-cased, without a trailing dot, IDNA-encoded (``ValueError`` when it
    cannot be)."""
    host = host.rstrip(".").lower()
    if ":" in host or host.isascii():
        return host
    return idna.encode(host, uts46=True).decode("ascii")


def _canonical_path(path: str) -> str:
    """Percent-encode what must be, keep existing escapes (in upper case), fold repeated
    slashes and remove dot segments (RFC 3986, 5.2.4): ``/news/.././news//x`` is
    ``/news/x``."""
    quoted = quote(path or "/", safe="/%:@!$&'()*+,;=-._~")
    quoted = PERCENT_ESCAPE.sub(lambda match: match.group(0).upper(), quoted)
    pieces = re.sub("/{2,}", "/", quoted).lstrip("/").split("/")
    kept: list[str] = []
    for index, piece in enumerate(pieces):
        dots = piece.replace("%2E", ".")
        if dots in (".", ".."):
            if dots == ".." and kept:
                kept.pop()
            if index == len(pieces) - 1:
                kept.append("")  # "/a/b/.." is the directory "/a/"
            continue
        kept.append(piece)
    return "/" + "/".join(kept)


def canonicalize_url(url: str) -> str:
    """Return one stable spelling of ``url`` for de-duplication and comparison."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"only http and https URLs can be canonicalised, not {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL {url!r} has no host")
    host = encode_host(parts.hostname)
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None and parts.port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = sorted((k, v) for k, v in query if not _is_tracking(k))
    return urlunsplit((scheme, netloc, _canonical_path(parts.path), urlencode(kept), ""))


# --- address policy ---------------------------------------------------------------------


def literal_ip(host: str) -> IPAddress | None:
    """Parse IP literals, including the decimal/octal/hex spellings ``inet_aton`` accepts."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in NAT64_NETWORKS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _address_problem(ip: IPAddress) -> str | None:
    """Name what makes ``ip`` unfit to fetch from, or None when it is globally routable."""
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.version == 4 and ip in SHARED_NETWORK, "shared (carrier-grade NAT)"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "not publicly routable"),
    )
    return next((name for failed, name in checks if failed), None)


def address_problem(address: str, *, allow_loopback: bool = False) -> str | None:
    """Say why ``address`` may not be connected to ("10.0.0.5 is private"), or None."""
    ip = literal_ip(address)
    if ip is None:
        return f"{address} is not an IP address"
    inner = _embedded_ipv4(ip) if ip.version == 6 else None
    for candidate in (inner, ip) if inner else (ip,):
        problem = _address_problem(candidate)
        if problem == "loopback" and allow_loopback:
            continue
        if problem:
            shown = address if candidate is ip else f"{address} (embedding {candidate})"
            return f"{shown} is {problem}"
    return None


def resolve_host(host: str, port: int) -> list[str]:
    """All IPv4 and IPv6 addresses for ``host``, in resolver order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
    return list(dict.fromkeys(addresses))


def _vet_literal(host: str, literal: IPAddress, allow_loopback: bool) -> str:
    problem = address_problem(str(literal), allow_loopback=allow_loopback)
    if problem:
        written = "" if str(literal) == host else f" (written as {host})"
        raise FetchRefused(f"refused: address {problem}{written}")
    return str(literal)


def _vet_resolved(host: str, addresses: list[str], allow_loopback: bool) -> str:
    if not addresses:
        raise FetchFailed(f"failed: could not resolve host {host}")
    for address in addresses:
        problem = address_problem(address, allow_loopback=allow_loopback)
        if problem:
            shown, _, kind = problem.rpartition(" is ")
            raise FetchRefused(f"refused: {host} resolves to {shown}, which is {kind}")
    return addresses[0]


def _vetted_address(host: str, port: int, resolver: Resolver, allow_loopback: bool) -> str:
    """The address to connect to: every address of ``host`` must pass the policy."""
    literal = literal_ip(host)
    if literal is not None:
        return _vet_literal(host, literal, allow_loopback)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchFailed(f"failed: could not resolve host {host}") from exc
    return _vet_resolved(host, addresses, allow_loopback)


# --- one request -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def _parse_target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"refused: {url!r} is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchRefused("refused: only http and https URLs can be fetched")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("refused: URLs with a user name or password are not fetched")
    if not parts.hostname:
        raise FetchRefused("refused: the URL has no host")
    try:
        host = encode_host(parts.hostname)
    except UnicodeError as exc:
        raise FetchRefused(f"refused: {parts.hostname} is not a valid host name") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(scheme, host, port or DEFAULT_PORTS[scheme], path)


def _open_pool(
    target: _Target, address: str, timeout: urllib3.Timeout
) -> urllib3.HTTPConnectionPool:
    """A pool connected to the vetted ``address``; TLS still checks the real host name."""
    common: dict[str, Any] = {"port": target.port, "timeout": timeout, "retries": False}
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(address, **common)
    return urllib3.HTTPSConnectionPool(
        address,
        cert_reqs="CERT_REQUIRED",
        server_hostname=target.host,
        assert_hostname=target.host,
        **common,
    )


@dataclass
class _Fetch:
    """The state of one ``safe_fetch`` call: its limits and where it has been."""

    max_bytes: int
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    allow_loopback: bool
    max_redirects: int
    resolver: Resolver
    headers: dict[str, str] = field(default_factory=dict)  # extra request headers
    method: str = "GET"
    payload: bytes | None = None
    min_rate: float = DEFAULT_MIN_RATE
    rate_grace: float = DEFAULT_RATE_GRACE
    started: float = 0.0
    deadline: float = 0.0
    received: int = 0  # bytes read from the server's sockets, headers included
    host: str = ""
    limits: urllib3.Timeout | None = None
    redirects: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.total_timeout

    def before_read(self, sock: socket.socket) -> None:
        """Before every read from the server: past the deadline, or slower than the
        minimum rate after the grace period, the fetch fails; otherwise the read may
        wait at most the read timeout and never beyond the deadline."""
        now = time.monotonic()
        if now >= self.deadline - DEADLINE_SLACK:
            raise FetchFailed(self.stalled())
        elapsed = now - self.started
        if elapsed >= self.rate_grace and self.received < self.min_rate * elapsed:
            slower = f", slower than {_size(int(self.min_rate))}/s"
            raise FetchFailed(
                f"failed: the server sent {_size(self.received)} in {elapsed:.0f} s{slower}"
            )
        sock.settimeout(min(self.read_timeout, self.deadline - now))

    def stalled(self) -> str:
        return f"failed: the server sent {_size(self.received)} in {_seconds(self.total_timeout)}"

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchFailed(f"failed: timed out after {_seconds(self.total_timeout)}")
        return left

    def timeout(self) -> urllib3.Timeout:
        left = self.remaining()
        self.limits = urllib3.Timeout(
            connect=min(self.connect_timeout, left), read=min(self.read_timeout, left)
        )
        return self.limits

    def request(self, url: str) -> urllib3.BaseHTTPResponse:
        target = _parse_target(url)
        self.host = target.host
        address = _vetted_address(target.host, target.port, self.resolver, self.allow_loopback)
        pool = _open_pool(target, address, self.timeout())
        _read_through(pool, self)
        headers = {
            "Host": target.host_header,
            "User-Agent": USER_AGENT,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
            **self.headers,
        }
        try:
            return pool.urlopen(
                self.method,
                target.path,
                body=self.payload,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
                release_conn=False,
            )
        except HTTPError as exc:
            raise self.network_failure(exc) from exc

    def network_failure(self, exc: Exception) -> FetchFailed:
        host = self.host
        if isinstance(exc, NewConnectionError):
            return FetchFailed(_connection_reason(exc, host))
        connecting = isinstance(exc, ConnectTimeoutError)
        if not connecting and time.monotonic() >= self.deadline - DEADLINE_SLACK:
            return FetchFailed(self.stalled())  # a read, or the handshake, met the deadline
        if isinstance(exc, Urllib3Timeout):
            return FetchFailed(f"failed: timed out after {_seconds(self.timeout_hit(exc))}")
        if isinstance(exc, SSLError):
            return FetchFailed(f"failed: secure connection to {host} could not be set up ({exc})")
        if isinstance(exc, ProtocolError):
            return FetchFailed(f"failed: connection to {host} broke off")
        return FetchFailed(f"failed: {type(exc).__name__} talking to {host}")

    def timeout_hit(self, exc: Exception) -> float:
        """The limit that ran out: connect, read, or the total when it was the tighter one."""
        connecting = isinstance(exc, ConnectTimeoutError)
        configured = self.connect_timeout if connecting else self.read_timeout
        limits = self.limits
        applied = (
            (limits.connect_timeout if connecting else limits.read_timeout) if limits else None
        )
        tighter = isinstance(applied, float | int) and applied < configured
        return self.total_timeout if tighter else configured

    def follow(self, url: str) -> tuple[str, urllib3.BaseHTTPResponse]:
        current = url
        while True:
            response = self.request(current)
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES or not location:
                return current, response
            response.close()
            current = self.redirect_to(url, current, location)

    def redirect_to(self, origin: str, current: str, location: str) -> str:
        following = urljoin(current, location.strip())
        if following == origin or following in self.redirects:
            raise FetchRefused(f"refused: redirect loop at {following}")
        if len(self.redirects) >= self.max_redirects:
            raise FetchRefused(f"refused: more than {self.max_redirects} redirects")
        self.redirects.append(following)
        return following

    def read_body(self, response: urllib3.BaseHTTPResponse) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchRefused(f"refused: response larger than {_size(self.max_bytes)}")
        body = bytearray()
        try:
            for chunk in response.stream(CHUNK_SIZE, decode_content=True):
                body += chunk
                if len(body) > self.max_bytes:
                    raise FetchRefused(f"refused: response larger than {_size(self.max_bytes)}")
        except HTTPError as exc:
            raise self.network_failure(exc) from exc
        return bytes(body)


class _ClockedReader(io.RawIOBase):
    """The socket's reader, with the fetch's clock consulted before every read."""

    def __init__(self, raw: socket.SocketIO, clock: _Fetch) -> None:
        super().__init__()
        self.raw, self.clock = raw, clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self.clock.before_read(self.raw._sock)  # type: ignore[attr-defined]  # private: not in typeshed
        count = self.raw.readinto(buffer)
        self.clock.received += count or 0
        return count

    def fileno(self) -> int:
        return self.raw.fileno()

    def close(self) -> None:
        self.raw.close()  # releases the socket's reference, as http.client expects
        super().close()


class _ClockedResponse(http.client.HTTPResponse):
    """http.client's response, reading its status line, headers and body through the
    clock (``http.client`` looks the class up on the connection: ``response_class``)."""

    def __init__(self, sock: socket.socket, *args: Any, clock: _Fetch, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        # Nothing is read yet: detaching the buffer hands over the socket's reader as is.
        self.fp = io.BufferedReader(_ClockedReader(self.fp.detach(), clock))  # type: ignore[arg-type]


class _ClockedHTTPConnection(urllib3.connection.HTTPConnection):
    def __init__(self, *args: Any, clock: _Fetch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response_class = partial(_ClockedResponse, clock=clock)  # type: ignore[assignment]


class _ClockedHTTPSConnection(urllib3.connection.HTTPSConnection):
    """The TLS handshake needs no clock: the ssl module bounds the whole handshake by the
    socket's timeout (the connect timeout, cut to the time left)."""

    def __init__(self, *args: Any, clock: _Fetch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response_class = partial(_ClockedResponse, clock=clock)  # type: ignore[assignment]


def _read_through(pool: urllib3.HTTPConnectionPool, clock: _Fetch) -> None:
    """Make ``pool``'s connections read every byte of the answer through ``clock``."""
    https = isinstance(pool, urllib3.HTTPSConnectionPool)
    pool.ConnectionCls = _ClockedHTTPSConnection if https else _ClockedHTTPConnection
    pool.conn_kw["clock"] = clock


def _connection_reason(exc: NewConnectionError, host: str) -> str:
    cause = exc.__context__
    if isinstance(cause, ConnectionRefusedError):
        return "failed: connection refused"
    detail = cause.strerror if isinstance(cause, OSError) and cause.strerror else "no answer"
    return f"failed: could not connect to {host} ({detail.lower()})"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _size(value: int) -> str:
    if value >= MEGABYTE:
        return f"{value / MEGABYTE:g} MB"
    if value >= 1024:
        return f"{value / 1024:g} KB"
    return f"{value} bytes"


# --- content -----------------------------------------------------------------------------


def _media_type(header: str) -> tuple[str, str | None]:
    message = Message()
    message["Content-Type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def _check_content_type(media_type: str, header: str) -> None:
    if not header:
        raise FetchRefused("refused: the server did not say what type of content this is")
    if media_type not in HTML_TYPES | TEXT_TYPES | PDF_TYPES:
        raise FetchRefused(f"refused: content type {media_type} is not HTML, text or PDF")


def decode_text(body: bytes, charset: str | None) -> str:
    """Decode with the declared charset, else UTF-8, else the best detected guess."""
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        import charset_normalizer

        best = charset_normalizer.from_bytes(body).best()
        return str(best) if best is not None else body.decode("latin-1")


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def extract_html(body: bytes, charset: str | None, url: str) -> Extracted:
    """Main text the same way ``manage.py extract --html`` gets it; title and date here.

    The text comes from ``claims.nlp.html.extract_main_text``, as an article's does, but
    without the page's tables: a capture is compared with the previous one by its
    SHA-256, and the extractor that captured the earlier pages left tables out (see
    ``claims.nlp.html``).
    """
    import trafilatura  # here, not at the top: importing it costs every process start-up
    from trafilatura.utils import decode_file

    html = decode_text(body, charset) if charset else decode_file(body)
    text = nlp.extract_main_text(html, url=url, tables=False)
    if not text:
        return Extracted(text="", note="no main text could be extracted from this page")
    metadata = trafilatura.extract_metadata(html, default_url=url)
    return Extracted(
        text=text,
        title=(metadata.title if metadata else None) or "",
        published=_parse_date(metadata.date if metadata else None),
    )


def extract_pdf(body: bytes) -> Extracted:
    import pypdf  # here, not at the top: importing it costs every process start-up

    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except MemoryError:  # a budget reached (``reader.read_in_subprocess``), not damage
        raise
    except Exception:  # pypdf raises many types on damaged files; the PDF is still kept
        return Extracted(text="", note="the text of this PDF could not be extracted")
    text = "\n".join(page.strip() for page in pages if page.strip())
    note = "" if text else "this PDF has no extractable text"
    return Extracted(text=text, title=str(title), note=note)


def extract(body: bytes, content_type_header: str, url: str) -> Extracted:
    """Text and title of a fetched body, cleaned as all text entering the workbench is."""
    media_type, charset = _media_type(content_type_header)
    if media_type in HTML_TYPES:
        content = extract_html(body, charset, url)
    elif media_type in PDF_TYPES:
        content = extract_pdf(body)
    else:
        content = Extracted(text=decode_text(body, charset))
    title = clean_line(content.title).strip()
    return replace(content, text=clean_text(content.text), title=title)


# --- the public entry point --------------------------------------------------------------


def _chosen(value: float | None, setting: str, default: float) -> float:
    return float(_setting(setting, default) if value is None else value)


def safe_fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    total_timeout: float | None = None,
    allow_loopback: bool | None = None,
    max_redirects: int = 5,
    resolver: Resolver | None = None,
    headers: dict[str, str] | None = None,
    feed: bool = False,
) -> FetchResult:
    """Fetch ``url`` under the workbench's safety rules; never raises for network trouble.

    ``headers`` are sent as well (``If-None-Match``, ``If-Modified-Since``: a 304 answer
    comes back as ``status="not_modified"``); the response's ``ETag`` and
    ``Last-Modified`` are returned. ``feed=True`` accepts RSS, Atom and sitemap XML and
    returns the body as it came, without extracting text.

    Limits left as None come from the settings ``WORKBENCH_FETCH_MAX_BYTES``,
    ``WORKBENCH_FETCH_CONNECT_TIMEOUT``, ``WORKBENCH_FETCH_READ_TIMEOUT``,
    ``WORKBENCH_FETCH_DEADLINE_SECONDS`` (connect, headers and body together) and
    ``WORKBENCH_FETCH_ALLOW_LOOPBACK``; the minimum rate from
    ``WORKBENCH_FETCH_MIN_BYTES_PER_SECOND`` after ``WORKBENCH_FETCH_RATE_GRACE_SECONDS``.
    """
    fetch = _Fetch(
        max_bytes=int(_chosen(max_bytes, "WORKBENCH_FETCH_MAX_BYTES", DEFAULT_MAX_BYTES)),
        connect_timeout=_chosen(
            connect_timeout, "WORKBENCH_FETCH_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT
        ),
        read_timeout=_chosen(read_timeout, "WORKBENCH_FETCH_READ_TIMEOUT", DEFAULT_READ_TIMEOUT),
        total_timeout=_chosen(
            total_timeout, "WORKBENCH_FETCH_DEADLINE_SECONDS", DEFAULT_TOTAL_TIMEOUT
        ),
        allow_loopback=bool(_chosen(allow_loopback, "WORKBENCH_FETCH_ALLOW_LOOPBACK", False)),
        max_redirects=max_redirects,
        **_rate_limits(),
        resolver=resolver or resolve_host,
        headers={**({"Accept": FEED_ACCEPT} if feed else {}), **(headers or {})},
    )
    try:
        return _fetch(url, fetch, feed=feed)
    except (FetchRefused, FetchFailed) as exc:
        return _unsuccessful(url, fetch, exc)


def _unsuccessful(url: str, fetch: _Fetch, exc: FetchRefused | FetchFailed) -> FetchResult:
    refused = isinstance(exc, FetchRefused)
    return FetchResult(
        status="refused" if refused else "failed",
        reason=str(exc),
        url=url,
        final_url=fetch.redirects[-1] if fetch.redirects else url,
        http_status=exc.http_status if isinstance(exc, FetchFailed) else None,
        redirects=list(fetch.redirects),
    )


def _fetch(url: str, fetch: _Fetch, *, feed: bool = False) -> FetchResult:
    final_url, response = fetch.follow(url)
    validators = _Validators(
        etag=clean_line(response.headers.get("ETag", ""))[:500],
        last_modified=clean_line(response.headers.get("Last-Modified", ""))[:100],
    )
    try:
        if response.status == 304 and fetch.headers:
            return FetchResult("not_modified", "", url, final_url, 304, **validators)
        if not 200 <= response.status < 300:
            raise FetchFailed(f"failed: HTTP {response.status}", http_status=response.status)
        header = response.headers.get("Content-Type", "")
        media_type, _charset = _media_type(header)
        if feed and media_type in FEED_TYPES:
            body = fetch.read_body(response)
            return FetchResult(
                "ok", "", url, final_url, response.status, media_type, body, **validators
            )
        _check_content_type(media_type, header)
        body = fetch.read_body(response)
    finally:
        response.close()
    content = extract(body, header, final_url)
    return FetchResult(
        status="ok",
        reason="",
        url=url,
        final_url=final_url,
        http_status=response.status,
        content_type=media_type,
        body=body,
        text=content.text,
        title=content.title,
        published=content.published,
        redirects=list(fetch.redirects),
        note=content.note,
        **validators,
    )


class _Validators(TypedDict):
    """A response's cache validators, for the next conditional fetch."""

    etag: str
    last_modified: str


class _RateLimits(TypedDict):
    min_rate: float
    rate_grace: float


def _rate_limits() -> _RateLimits:
    return {
        "min_rate": _chosen(None, "WORKBENCH_FETCH_MIN_BYTES_PER_SECOND", DEFAULT_MIN_RATE),
        "rate_grace": _chosen(None, "WORKBENCH_FETCH_RATE_GRACE_SECONDS", DEFAULT_RATE_GRACE),
    }


def safe_post(
    url: str, body: bytes, *, headers: dict[str, str], timeout: float | None = None
) -> FetchResult:
    """POST ``body`` to ``url`` under the same address rules as ``safe_fetch`` (webhook
    deliveries). Redirects are not followed and the answer's body is not read: only its
    status counts, ``ok`` meaning a 2xx answer. One deadline covers connecting, sending
    and the answer's headers (``WORKBENCH_WEBHOOK_DEADLINE_SECONDS``, 10 s), with the
    fetcher's minimum rate."""
    timeout = _chosen(timeout, "WORKBENCH_WEBHOOK_DEADLINE_SECONDS", DEFAULT_POST_DEADLINE)
    fetch = _Fetch(
        max_bytes=64 * 1024,
        connect_timeout=min(timeout, DEFAULT_CONNECT_TIMEOUT),
        read_timeout=timeout,
        total_timeout=timeout,
        allow_loopback=bool(_setting("WORKBENCH_FETCH_ALLOW_LOOPBACK", False)),
        max_redirects=0,
        resolver=resolve_host,
        headers={"Content-Type": "application/json", "Accept": "*/*", **headers},
        method="POST",
        payload=body,
        **_rate_limits(),
    )
    try:
        response = fetch.request(url)
        response.close()
        if not 200 <= response.status < 300:
            raise FetchFailed(f"failed: HTTP {response.status}", http_status=response.status)
    except (FetchRefused, FetchFailed) as exc:
        return _unsuccessful(url, fetch, exc)
    return FetchResult("ok", "", url, url, response.status)
