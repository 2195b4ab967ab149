"""safe_fetch, canonical URLs and publishers.

Only 127.0.0.1 is ever connected to. Every other address is checked through a stubbed
resolver, and the connection seam (``fetching._open_pool``) raises if a refused URL gets
that far. Host names in these tests never reach real DNS: ``resolve_host`` is stubbed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
import urllib3
from hypothesis import given
from hypothesis import strategies as st

from claims.sources import fetching
from claims.sources.fetching import FetchResult, canonicalize_url, safe_fetch
from tests.httpserver import (  # noqa: F401
    ARTICLE_HTML,
    LocalServer,
    TLSServer,
    local_server_fixture,
    tls_server_fixture,
)
from tests.support import minimal_pdf

# A public-looking address for stubbed host names. It is never connected to: the
# ``pinned_to_local`` fixture maps it to 127.0.0.1 and any other address raises.
FAKE_PUBLIC = "93.184.215.14"
KNOWN_HOSTS = {"localhost": ["127.0.0.1", "::1"]}


class ConnectionAttempted(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_real_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Resolve only names the test declares; everything else is unknown, offline."""
    hosts = dict(KNOWN_HOSTS)

    def resolve(host: str, port: int) -> list[str]:
        if host not in hosts:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return hosts[host]

    monkeypatch.setattr(fetching, "resolve_host", resolve)
    return hosts


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every address a connection pool is opened for; only 127.0.0.1 is real."""
    opened: list[str] = []
    real_open_pool = fetching._open_pool

    def open_pool(target: Any, address: str, timeout: urllib3.Timeout) -> Any:
        opened.append(address)
        if address == FAKE_PUBLIC:
            return real_open_pool(target, "127.0.0.1", timeout)
        if address != "127.0.0.1":
            raise ConnectionAttempted(f"tried to connect to {address}")
        return real_open_pool(target, address, timeout)

    monkeypatch.setattr(fetching, "_open_pool", open_pool)
    return opened


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    def open_pool(target: Any, address: str, timeout: urllib3.Timeout) -> Any:
        raise ConnectionAttempted(f"tried to connect to {address} for {target.host}")

    monkeypatch.setattr(fetching, "_open_pool", open_pool)


@pytest.fixture
def pinned_to_local(
    no_real_dns: dict[str, list[str]], connections: list[str]
) -> dict[str, list[str]]:
    """``news.example`` resolves to a public address; the connection lands on 127.0.0.1."""
    no_real_dns["news.example"] = [FAKE_PUBLIC]
    return no_real_dns


def fetch_local(url: str, **options: Any) -> FetchResult:
    return safe_fetch(url, allow_loopback=True, **options)


# --- canonical URLs and publishers -------------------------------------------------------

CANONICAL = [
    ("HTTP://Example.COM/a", "http://example.com/a"),
    ("http://example.com", "http://example.com/"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("http://example.com:443/a", "http://example.com:443/a"),
    ("https://example.com/a#section-2", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?b=2&a=1&a=0", "https://example.com/a?a=0&a=1&b=2"),
    (
        "https://example.com/a?utm_source=tw&utm_medium=social&id=7&fbclid=XYZ",
        "https://example.com/a?id=7",
    ),
    (
        "https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&igshid=4&ref_src=5&_ga=6",
        "https://example.com/a",
    ),
    ("https://example.com/a?UTM_Campaign=x&page=2", "https://example.com/a?page=2"),
    ("https://example.com/a?empty=&x=1", "https://example.com/a?empty=&x=1"),
    ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
    ("https://www.example.com./a", "https://www.example.com/a"),
    ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("https://example.com/news/../news/rail.html", "https://example.com/news/rail.html"),
    ("https://example.com/news/./rail.html", "https://example.com/news/rail.html"),
    ("https://example.com//news///rail.html", "https://example.com/news/rail.html"),
    ("https://example.com/news/%2e%2E/sport/", "https://example.com/sport/"),
    ("https://example.com/news/rail/..", "https://example.com/news/"),
    ("https://example.com/../../rail.html", "https://example.com/rail.html"),
    ("https://example.com/a.b/..c/...", "https://example.com/a.b/..c/..."),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_url_spells_one_page_one_way(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    for _url, expected in CANONICAL:
        assert canonicalize_url(expected) == expected


@given(
    path=st.lists(
        st.sampled_from(["", ".", "..", "%2e", "a", "b.c", "..d", "%41", "ü", ";x", "a b"]),
        max_size=8,
    ),
    query=st.sampled_from(["", "?x=1", "?utm_source=a&y=.."]),
)
def test_canonical_url_is_idempotent_and_free_of_dot_segments(path: list[str], query: str) -> None:
    canonical = canonicalize_url("https://example.com/" + "/".join(path) + query)

    assert canonicalize_url(canonical) == canonical
    segments = urlsplit(canonical).path.split("/")
    assert segments[0] == "" and not {".", ".."} & set(segments)
    assert "//" not in urlsplit(canonical).path


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "http:///a", "/a"]
)
def test_canonical_url_rejects_non_web_or_hostless_urls(url: str) -> None:
    with pytest.raises(ValueError, match=r"http|host"):
        canonicalize_url(url)


# --- SSRF: nothing inside the network, ever ---------------------------------------------

REFUSED_ADDRESSES = [
    ("http://127.0.0.1/", "127.0.0.1 is loopback"),
    ("http://[::1]/", "::1 is loopback"),
    ("http://localhost/", "localhost resolves to 127.0.0.1, which is loopback"),
    ("http://10.1.2.3/", "10.1.2.3 is private"),
    ("http://172.16.0.1/", "172.16.0.1 is private"),
    ("http://192.168.1.1/admin", "192.168.1.1 is private"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local"),
    ("http://100.64.0.1/", "100.64.0.1 is shared"),
    ("http://0.0.0.0/", "0.0.0.0 is unspecified"),
    ("http://0/", "0.0.0.0 is unspecified"),
    ("http://224.0.0.1/", "224.0.0.1 is multicast"),
    ("http://240.0.0.1/", "240.0.0.1 is reserved"),
    ("http://[::ffff:10.0.0.5]/", "(embedding 10.0.0.5) is private"),
    ("http://[::ffff:127.0.0.1]/", "(embedding 127.0.0.1) is loopback"),
    ("http://[fe80::1]/", "fe80::1 is link-local"),
    ("http://[fc00::1]/", "fc00::1 is private"),
    ("http://[::]/", ":: is unspecified"),
    ("http://[2002:a00:1::1]/", "(embedding 10.0.0.1) is private"),
    ("http://[64:ff9b::a9fe:a9fe]/", "(embedding 169.254.169.254) is link-local"),
    ("http://2130706433/", "127.0.0.1 is loopback (written as 2130706433)"),
    ("http://0x7f.1/", "127.0.0.1 is loopback (written as 0x7f.1)"),
    ("http://017700000001/", "127.0.0.1 is loopback (written as 017700000001)"),
    ("http://127.1/", "127.0.0.1 is loopback (written as 127.1)"),
    ("http://0x7f000001:8080/", "127.0.0.1 is loopback"),
    ("http://0xa.0.0.1/", "10.0.0.1 is private"),
    ("http://3232235777/", "192.168.1.1 is private"),
]


@pytest.mark.usefixtures("no_connect")
@pytest.mark.parametrize(("url", "why"), REFUSED_ADDRESSES)
def test_it_refuses_internal_addresses_without_connecting(url: str, why: str) -> None:
    result = safe_fetch(url, allow_loopback=False)
    assert result.status == "refused"
    assert result.reason.startswith("refused: ")
    assert why in result.reason
    assert result.body == b"" and result.http_status is None


@pytest.mark.usefixtures("no_connect")
@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/",
        "http://169.254.169.254/",
        "http://[::ffff:10.0.0.5]/",
        "http://[fd00::1]/",
        "http://100.64.0.1/",
    ],
)
def test_private_addresses_stay_refused_when_loopback_is_allowed(url: str) -> None:
    assert safe_fetch(url, allow_loopback=True).status == "refused"


@pytest.mark.usefixtures("no_connect")
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/file.txt", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("data:text/html,<p>hi</p>", "only http and https"),
        ("//example.com/page", "only http and https"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://user@127.0.0.1/", "user name or password"),
        ("https://:secret@example.com/", "user name or password"),
        ("http:///nohost", "no host"),
        ("http://example.com:99999/", "not a valid URL"),
    ],
)
def test_it_refuses_urls_that_are_not_plain_web_addresses(url: str, why: str) -> None:
    result = safe_fetch(url, allow_loopback=True)
    assert result.status == "refused"
    assert why in result.reason


@pytest.mark.usefixtures("no_connect")
def test_a_name_that_resolves_to_a_private_address_is_refused(
    no_real_dns: dict[str, list[str]],
) -> None:
    no_real_dns["intranet.example"] = ["10.0.0.7"]
    result = safe_fetch("https://intranet.example/wiki")
    assert result.status == "refused"
    assert result.reason == "refused: intranet.example resolves to 10.0.0.7, which is private"


@pytest.mark.usefixtures("no_connect")
def test_a_name_with_one_public_and_one_private_address_is_refused(
    no_real_dns: dict[str, list[str]],
) -> None:
    no_real_dns["mixed.example"] = [FAKE_PUBLIC, "fd12:3456::1"]
    result = safe_fetch("http://mixed.example/")
    assert result.status == "refused"
    assert "fd12:3456::1, which is private" in result.reason


@pytest.mark.usefixtures("no_connect")
def test_an_explicit_resolver_is_used_instead_of_dns() -> None:
    seen: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        seen.append((host, port))
        return ["192.168.0.10"]

    result = safe_fetch("https://printer.example:8443/", resolver=resolver)
    assert seen == [("printer.example", 8443)]
    assert result.reason == "refused: printer.example resolves to 192.168.0.10, which is private"


def test_an_unknown_host_fails_with_a_readable_reason() -> None:
    result = safe_fetch("http://example.invalid/story")
    assert result.status == "failed"
    assert result.reason == "failed: could not resolve host example.invalid"


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(
    local_server: LocalServer, connections: list[str]
) -> None:
    url = local_server.url("/redirect?to=http://10.0.0.5/admin")
    result = fetch_local(url)
    assert result.status == "refused"
    assert result.reason == "refused: address 10.0.0.5 is private"
    assert result.redirects == ["http://10.0.0.5/admin"]
    assert connections == ["127.0.0.1"]


def test_a_redirect_to_cloud_metadata_by_name_is_refused(
    local_server: LocalServer, connections: list[str], no_real_dns: dict[str, list[str]]
) -> None:
    no_real_dns["metadata.example"] = ["169.254.169.254"]
    result = fetch_local(local_server.url("/redirect?to=http://metadata.example/latest"))
    assert result.status == "refused"
    assert "169.254.169.254, which is link-local" in result.reason
    assert connections == ["127.0.0.1"]


def test_a_redirect_to_another_scheme_is_refused(
    local_server: LocalServer, connections: list[str]
) -> None:
    result = fetch_local(local_server.url("/redirect?to=file:///etc/passwd"))
    assert result.status == "refused"
    assert result.reason == "refused: only http and https URLs can be fetched"


def test_a_public_host_redirecting_to_loopback_is_refused(
    local_server: LocalServer, pinned_to_local: dict[str, list[str]], connections: list[str]
) -> None:
    loopback = f"http://127.0.0.1:{local_server.port}/article"
    url = f"http://news.example:{local_server.port}/redirect?to={loopback}"
    result = safe_fetch(url, allow_loopback=False)
    assert result.status == "refused"
    assert result.reason == "refused: address 127.0.0.1 is loopback"
    assert result.redirects == [loopback]
    assert connections == [FAKE_PUBLIC]


def test_the_connection_is_pinned_to_the_checked_address_against_dns_rebinding(
    local_server: LocalServer, pinned_to_local: dict[str, list[str]], connections: list[str]
) -> None:
    answers = iter([[FAKE_PUBLIC], ["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    url = f"http://news.example:{local_server.port}/redirect?to=/article"
    result = safe_fetch(url, resolver=rebinding, allow_loopback=False)
    assert result.status == "refused"
    assert result.reason == "refused: news.example resolves to 127.0.0.1, which is loopback"
    assert connections == [FAKE_PUBLIC]


def test_a_pinned_request_still_names_the_original_host(
    local_server: LocalServer, pinned_to_local: dict[str, list[str]], connections: list[str]
) -> None:
    result = safe_fetch(f"http://news.example:{local_server.port}/article")
    assert result.status == "ok"
    assert connections == [FAKE_PUBLIC]
    _path, headers = local_server.requests[-1]
    assert headers["Host"] == f"news.example:{local_server.port}"


def test_https_connects_to_the_vetted_address_but_verifies_the_real_name() -> None:
    target = fetching._parse_target("https://news.example/story")
    pool = fetching._open_pool(target, FAKE_PUBLIC, urllib3.Timeout(1.0))
    assert isinstance(pool, urllib3.HTTPSConnectionPool)
    assert pool.host == FAKE_PUBLIC
    assert pool.conn_kw["server_hostname"] == "news.example"
    assert pool.assert_hostname == "news.example"
    assert pool.cert_reqs == "CERT_REQUIRED"
    assert pool.proxy is None
    assert pool.num_connections == 0


def test_a_numeric_host_is_connected_to_as_the_address_it_spells(
    local_server: LocalServer, connections: list[str]
) -> None:
    assert int(ipaddress.IPv4Address(FAKE_PUBLIC)) == 1572394766
    result = safe_fetch(f"http://1572394766:{local_server.port}/plain", allow_loopback=False)
    assert result.status == "ok"
    assert connections == [FAKE_PUBLIC]


@pytest.mark.parametrize(
    ("url", "host_header"),
    [
        ("http://news.example/a", "news.example"),
        ("https://news.example:443/a", "news.example"),
        ("https://news.example:8443/a", "news.example:8443"),
        ("http://[2001:db8::1]:8080/a", "[2001:db8::1]:8080"),
        ("http://Bücher.Example/a", "xn--bcher-kva.example"),
    ],
)
def test_the_host_header_names_the_host_as_written(url: str, host_header: str) -> None:
    assert fetching._parse_target(url).host_header == host_header


@pytest.mark.usefixtures("no_connect")
def test_an_invalid_international_host_name_is_refused() -> None:
    result = safe_fetch("http://ex\u00e4mple\u2024com/")
    assert result.status == "refused"
    assert "is not a valid host name" in result.reason


@pytest.fixture
def trusting_tls(
    monkeypatch: pytest.MonkeyPatch, tls_server: TLSServer, no_real_dns: dict[str, list[str]]
) -> list[str]:
    """news.example and other.example resolve to FAKE_PUBLIC, which lands on the TLS server;
    the client trusts that server's self-signed certificate and nothing else changes."""
    no_real_dns["news.example"] = [FAKE_PUBLIC]
    no_real_dns["other.example"] = [FAKE_PUBLIC]
    opened: list[str] = []
    real_open_pool = fetching._open_pool

    def open_pool(target: Any, address: str, timeout: urllib3.Timeout) -> Any:
        opened.append(address)
        if address != FAKE_PUBLIC:
            raise ConnectionAttempted(f"tried to connect to {address}")
        pool = real_open_pool(target, "127.0.0.1", timeout)
        pool.ca_certs = str(tls_server.ca_certs)
        return pool

    monkeypatch.setattr(fetching, "_open_pool", open_pool)
    return opened


def test_https_to_a_pinned_address_sends_sni_and_verifies_the_host_name(
    tls_server: TLSServer, trusting_tls: list[str]
) -> None:
    result = safe_fetch(f"https://news.example:{tls_server.server.port}/article", read_timeout=5)
    assert result.status == "ok", result.reason
    assert result.title == "Council approves budget for schools"
    assert trusting_tls == [FAKE_PUBLIC]
    assert tls_server.server_names == ["news.example"]
    _path, headers = tls_server.server.requests[-1]
    assert headers["Host"] == f"news.example:{tls_server.server.port}"


def test_https_fails_when_the_certificate_names_another_host(
    tls_server: TLSServer, trusting_tls: list[str]
) -> None:
    result = safe_fetch(f"https://other.example:{tls_server.server.port}/article", read_timeout=5)
    assert result.status == "failed"
    assert result.reason.startswith("failed: secure connection to other.example")
    assert tls_server.server.requests == []


def test_https_fails_on_an_untrusted_certificate(
    tls_server: TLSServer, connections: list[str], no_real_dns: dict[str, list[str]]
) -> None:
    no_real_dns["news.example"] = [FAKE_PUBLIC]
    result = safe_fetch(f"https://news.example:{tls_server.server.port}/article", read_timeout=5)
    assert result.status == "failed"
    assert result.reason.startswith("failed: secure connection to news.example")
    assert tls_server.server.requests == []


# --- loopback is for the project's own tests only --------------------------------------


def test_loopback_is_refused_by_default(local_server: LocalServer) -> None:
    result = safe_fetch(local_server.url("/article"))
    assert result.status == "refused"
    assert local_server.requests == []


def test_loopback_follows_the_setting_when_no_argument_is_given(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = {"WORKBENCH_FETCH_ALLOW_LOOPBACK": True}
    monkeypatch.setattr(fetching, "_setting", lambda name, default: overrides.get(name, default))
    assert safe_fetch(local_server.url("/article")).status == "ok"
    assert safe_fetch(local_server.url("/article"), allow_loopback=False).status == "refused"


# --- redirects ---------------------------------------------------------------------------


def test_redirects_are_followed_and_recorded(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/redirect-chain/3"))
    assert result.status == "ok"
    assert result.url == local_server.url("/redirect-chain/3")
    assert result.final_url == local_server.url("/article")
    assert result.redirects == [
        local_server.url("/redirect-chain/2"),
        local_server.url("/redirect-chain/1"),
        local_server.url("/article"),
    ]


def test_a_relative_location_is_resolved_against_the_current_url(
    local_server: LocalServer,
) -> None:
    result = fetch_local(local_server.url("/redirect?to=../plain"))
    assert result.status == "ok"
    assert result.final_url == local_server.url("/plain")


def test_five_redirects_are_fine_but_six_are_refused(local_server: LocalServer) -> None:
    assert fetch_local(local_server.url("/redirect-chain/5")).status == "ok"
    result = fetch_local(local_server.url("/redirect-chain/6"))
    assert result.status == "refused"
    assert result.reason == "refused: more than 5 redirects"
    assert len(result.redirects) == 5


def test_the_redirect_limit_can_be_lowered(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/redirect-chain/3"), max_redirects=2)
    assert result.reason == "refused: more than 2 redirects"


def test_a_redirect_loop_is_refused(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/loop/a"))
    assert result.status == "refused"
    assert result.reason == f"refused: redirect loop at {local_server.url('/loop/a')}"


# --- limits: size, time, type, status ---------------------------------------------------


def test_a_declared_content_length_over_the_cap_is_refused_before_reading(
    local_server: LocalServer,
) -> None:
    result = fetch_local(local_server.url(f"/huge-declared?bytes={50 * 1024 * 1024}"))
    assert result.status == "refused"
    assert result.reason == "refused: response larger than 10 MB"
    assert result.body == b""


def test_a_chunked_body_is_cut_off_once_it_passes_the_cap(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/huge?bytes=3000000"), max_bytes=100 * 1024)
    assert result.status == "refused"
    assert result.reason == "refused: response larger than 100 KB"


def test_a_chunked_body_under_the_cap_is_read_whole(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/huge?bytes=200000"), max_bytes=300_000)
    assert result.status == "ok"
    assert result.body == b"a" * 200_000


def test_the_size_cap_follows_the_setting(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = {"WORKBENCH_FETCH_MAX_BYTES": 1024}
    monkeypatch.setattr(fetching, "_setting", lambda name, default: overrides.get(name, default))
    result = fetch_local(local_server.url("/huge?bytes=5000"))
    assert result.reason == "refused: response larger than 1 KB"


def test_a_server_that_stalls_past_the_read_timeout_fails(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/slow?seconds=5"), read_timeout=0.5)
    assert result.status == "failed"
    assert result.reason == "failed: timed out after 0.5 s"


def test_the_total_time_cap_applies_even_with_a_generous_read_timeout(
    local_server: LocalServer,
) -> None:
    url = local_server.url("/slow?seconds=5")
    result = fetch_local(url, read_timeout=30, total_timeout=0.5)
    assert result.status == "failed"
    # The headers came (the count includes them), the body did not: the deadline's reason.
    assert result.reason.startswith("failed: the server sent ")
    assert result.reason.endswith(" bytes in 0.5 s")


def test_a_closed_port_fails_with_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch_local(f"http://127.0.0.1:{port}/")
    assert result.status == "failed"
    assert result.reason == "failed: connection refused"


def test_https_to_a_server_without_tls_fails_cleanly(local_server: LocalServer) -> None:
    result = fetch_local(f"https://127.0.0.1:{local_server.port}/article", read_timeout=2)
    assert result.status == "failed"
    assert result.reason.startswith("failed: ")


def test_an_image_is_refused_by_content_type(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/image.png"))
    assert result.status == "refused"
    assert result.reason == "refused: content type image/png is not HTML, text or PDF"


def test_json_is_refused_by_content_type(local_server: LocalServer) -> None:
    url = local_server.add("/data.json", b"{}", content_type="application/json")
    assert fetch_local(url).reason == (
        "refused: content type application/json is not HTML, text or PDF"
    )


def test_a_response_without_a_content_type_is_refused(local_server: LocalServer) -> None:
    url = local_server.add("/mystery", b"??", content_type="")
    assert fetch_local(url).reason == (
        "refused: the server did not say what type of content this is"
    )


def test_xhtml_counts_as_html(local_server: LocalServer) -> None:
    html = ARTICLE_HTML.encode()
    url = local_server.add("/page.xhtml", html, content_type="application/xhtml+xml")
    result = fetch_local(url)
    assert result.status == "ok"
    assert result.content_type == "application/xhtml+xml"
    assert result.title == "Council approves budget for schools"


@pytest.mark.parametrize("code", [404, 500, 403])
def test_an_error_status_is_a_failure_that_keeps_the_status(
    local_server: LocalServer, code: int
) -> None:
    result = fetch_local(local_server.url(f"/redirect?to=/status/{code}"))
    assert result.status == "failed"
    assert result.reason == f"failed: HTTP {code}"
    assert result.http_status == code
    assert result.final_url == local_server.url(f"/status/{code}")


# --- what comes back --------------------------------------------------------------------


def test_an_html_article_yields_its_main_text_title_and_date(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/article"))
    assert result.status == "ok" and result.reason == ""
    assert result.http_status == 200
    assert result.content_type == "text/html"
    assert result.title == "Council approves budget for schools"
    assert "approved a budget of 12 million euros" in result.text
    assert "“We have made difficult choices" in result.text
    assert "Home" not in result.text and "Copyright" not in result.text
    assert result.published is not None and result.published.isoformat() == "2024-03-05"
    assert result.fetched_at.tzinfo is not None


def test_text_sha256_is_stable_and_hashes_the_text(local_server: LocalServer) -> None:
    first = fetch_local(local_server.url("/article"))
    second = fetch_local(local_server.url("/article"))
    assert first.text_sha256 == second.text_sha256
    assert first.text_sha256 == hashlib.sha256(first.text.encode()).hexdigest()


def test_the_request_identifies_itself_and_carries_no_cookies(local_server: LocalServer) -> None:
    fetch_local(local_server.url("/article"))
    _path, headers = local_server.requests[-1]
    assert headers["User-Agent"].startswith("ClaimWorkbench/")
    assert "text/html" in headers["Accept"]
    assert "Cookie" not in headers and "Authorization" not in headers


def test_proxy_settings_in_the_environment_are_ignored(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    assert fetch_local(local_server.url("/article")).status == "ok"


def test_plain_text_is_decoded_with_its_charset(local_server: LocalServer) -> None:
    url = local_server.add(
        "/latin1.txt",
        "Café au lait.".encode("latin-1"),
        content_type="text/plain; charset=ISO-8859-1",
    )
    result = fetch_local(url)
    assert result.status == "ok"
    assert result.content_type == "text/plain"
    assert result.text == "Café au lait."


def test_plain_text_without_charset_falls_back_to_utf8(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/plain"))
    assert result.text.startswith("Plain statement: the bridge will reopen on 1 June.")
    assert "\u2013" in result.text


def test_html_without_a_declared_charset_uses_the_meta_tag(local_server: LocalServer) -> None:
    html = (
        '<html><head><meta charset="windows-1252"><title>Déjà vu</title></head><body>'
        "<article><p>Le café était fermé lundi, a déclaré le maire devant le conseil "
        "municipal réuni en séance extraordinaire.</p></article></body></html>"
    ).encode("cp1252")
    result = fetch_local(local_server.add("/fr", html, content_type="text/html"))
    assert result.status == "ok"
    assert "Le café était fermé lundi" in result.text
    assert result.title == "Déjà vu"
    assert result.published is None


def test_a_pdf_yields_its_text(local_server: LocalServer) -> None:
    pdf = minimal_pdf("Unemployment fell to 4.1 percent in March.")
    result = fetch_local(local_server.add("/report.pdf", pdf, content_type="application/pdf"))
    assert result.status == "ok"
    assert result.content_type == "application/pdf"
    assert result.body == pdf
    assert "Unemployment fell to 4.1 percent in March." in result.text
    assert result.note == ""


def test_a_damaged_pdf_is_kept_but_noted_as_not_extractable(local_server: LocalServer) -> None:
    url = local_server.add("/broken.pdf", b"%PDF-1.4\nnot really", content_type="application/pdf")
    result = fetch_local(url)
    assert result.status == "ok"
    assert result.text == ""
    assert "could not be extracted" in result.note or "no extractable text" in result.note


def test_the_result_is_immutable(local_server: LocalServer) -> None:
    result = fetch_local(local_server.url("/plain"))
    with pytest.raises(AttributeError):
        result.text = "changed"  # type: ignore[misc]
