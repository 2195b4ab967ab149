"""A local HTTP test server on 127.0.0.1, for tests that fetch "the web" without leaving it.

Use it in a test module with (the fixture is registered under the name ``local_server``;
importing the function under its own name keeps ruff from flagging shadowed names)::

    from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401

    def test_something(local_server: LocalServer) -> None:
        local_server.add("/page", b"<html>...</html>", content_type="text/html")
        url = local_server.url("/page")

Built-in routes (besides anything a test adds with ``add``):

- ``/article`` an HTML news article, ``/plain`` UTF-8 text, ``/image.png`` a PNG
- ``/status/<code>`` answers with that HTTP status
- ``/redirect?to=<url>`` 302 to ``to`` (relative or absolute); ``/redirect-chain/<n>``
  redirects n times and then lands on ``/article``; ``/loop/a`` and ``/loop/b`` redirect to
  each other
- a route added with an ``ETag`` or ``Last-Modified`` header answers 304 to a request
  that sends it back (``If-None-Match`` / ``If-Modified-Since``)
- ``/slow?seconds=<s>`` sends headers, then stalls before the body
- ``/drip?type=<content type>`` sends headers (declaring 100,000 bytes), then one byte
  every second, for up to a minute; ``/drip-headers`` sends its status line, then the
  rest of its headers one byte a second
- ``/huge?bytes=<n>`` streams n bytes chunked, without Content-Length;
  ``/huge-declared?bytes=<n>`` declares Content-Length n but stalls after a first chunk

The ``tls_server`` fixture is the same server over HTTPS, with a fresh self-signed
certificate for ``news.example`` (made with the ``openssl`` command) to trust in the client.

Nothing is generated in memory ahead of sending: large bodies are written chunk by chunk.
"""

from __future__ import annotations

import atexit
import contextlib
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

import pytest

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Council approves budget for schools - Daily Example</title>
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Council approves budget for schools</h1>
<p>The city council on Tuesday approved a budget of 12 million euros for the coming year,
the mayor said at a press conference in the town hall.</p>
<p>“We have made difficult choices, but the children of this city come first,” the mayor
told reporters after the vote, adding that schools would receive more money than last
year.</p>
<p>Opposition members criticised the plan as too cautious and said it would not address
the housing shortage in the northern districts, where rents have risen sharply.</p>
</article>
<footer>Copyright Daily Example. All rights reserved.</footer>
</body></html>
"""

PLAIN_TEXT = "Plain statement: the bridge will reopen on 1 June.\nSecond line \u2013 with a dash.\n"

# The eight-byte PNG signature and an IHDR chunk are enough to look like an image.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"

SLOW_STEP = 0.05


@dataclass(frozen=True)
class Canned:
    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    gate: threading.Event | None = None  # answered once it is set (30 s at most)


class LocalServer:
    """A threaded HTTP/1.1 server bound to 127.0.0.1 on a free port."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.scheme = "https" if tls else "http"
        self.routes: dict[str, Canned] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        if tls:
            # The handshake then happens in the handler's thread, not in the accept loop.
            self.httpd.socket = tls.wrap_socket(
                self.httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.base}{path}"

    def add(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str,
        status: int = 200,
        gate: threading.Event | None = None,
        **headers: str,
    ) -> str:
        """Serve ``body`` at ``path`` until the test ends; returns the full URL. With a
        ``gate``, each request waits until the test sets it (a fetch the test lets finish
        when it wants)."""
        self.routes[path] = Canned(body, content_type, status, dict(headers), gate)
        return self.url(path)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up or reject our certificate are what some tests are about."""
        if isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: LocalServer

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.server_state.requests.append((self.path, dict(self.headers.items())))
        # The client may stop reading early, which is what the size cap is for.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.route(parts.path)(query)

    def route(self, path: str) -> Callable[[dict[str, str]], None]:
        if path in self.server_state.routes:
            return lambda _query: self.send_canned(self.server_state.routes[path])
        fixed = {
            "/article": lambda q: self.send_body(ARTICLE_HTML.encode(), "text/html; charset=utf-8"),
            "/plain": lambda q: self.send_body(PLAIN_TEXT.encode(), "text/plain; charset=utf-8"),
            "/image.png": lambda q: self.send_body(PNG_BYTES, "image/png"),
            "/redirect": lambda q: self.send_redirect(q.get("to", "/article")),
            "/loop/a": lambda q: self.send_redirect("/loop/b"),
            "/loop/b": lambda q: self.send_redirect("/loop/a"),
            "/slow": lambda q: self.send_slow(float(q.get("seconds", "5"))),
            "/drip": lambda q: self.send_drip(q.get("type", "text/html; charset=utf-8")),
            "/drip-headers": lambda q: self.send_drip_headers(),
            "/huge": lambda q: self.send_chunked(int(q.get("bytes", str(50 * 1024 * 1024)))),
            "/huge-declared": lambda q: self.send_declared(int(q.get("bytes", "0"))),
        }
        if path in fixed:
            return fixed[path]
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return lambda q: self.send_body(f"status {code}".encode(), "text/plain", code)
        if path.startswith("/redirect-chain/"):
            left = int(path.rsplit("/", 1)[1])
            target = f"/redirect-chain/{left - 1}" if left > 1 else "/article"
            return lambda q: self.send_redirect(target)
        return lambda q: self.send_body(b"not found", "text/plain", 404)

    def start(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Connection": "close"}.items():
            self.send_header(name, value)
        self.end_headers()

    def send_body(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_canned(Canned(body, content_type, status))

    def send_canned(self, canned: Canned) -> None:
        if canned.gate is not None:
            canned.gate.wait(timeout=30)
        if self.not_modified(canned.headers):
            self.start(304, {"Content-Length": "0", **canned.headers})
            return
        headers = {"Content-Type": canned.content_type, "Content-Length": str(len(canned.body))}
        self.start(canned.status, {**headers, **canned.headers})
        self.wfile.write(canned.body)

    def not_modified(self, headers: dict[str, str]) -> bool:
        """A conditional GET for a route served with ``ETag`` / ``Last-Modified``."""
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if etag and self.headers.get("If-None-Match") == etag:
            return True
        return bool(modified) and self.headers.get("If-Modified-Since") == modified

    def send_redirect(self, location: str) -> None:
        self.start(302, {"Location": location, "Content-Length": "0"})

    def send_slow(self, seconds: float) -> None:
        self.start(200, {"Content-Type": "text/plain", "Content-Length": "4"})
        self.wfile.flush()
        self.stall(seconds)
        self.wfile.write(b"late")

    def stall(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.server_state.stopping.is_set():
            time.sleep(SLOW_STEP)

    def send_drip(self, content_type: str) -> None:
        self.start(200, {"Content-Type": content_type, "Content-Length": "100000"})
        _drip(self.wfile, self.server_state.stopping)

    def send_drip_headers(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Drip: ")
        _drip(self.wfile, self.server_state.stopping)

    def send_chunked(self, total: int) -> None:
        self.start(200, {"Content-Type": "text/plain", "Transfer-Encoding": "chunked"})
        for chunk in _chunks(total):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def send_declared(self, total: int) -> None:
        self.start(200, {"Content-Type": "text/plain", "Content-Length": str(total)})
        self.wfile.write(b"x" * min(total, 1024))
        self.wfile.flush()
        self.stall(5)


DRIP_EVERY = 1.0  # seconds between the bytes of a dripping answer
DRIP_FOR = 60  # bytes: the dripping stops after a minute whatever the client does


def _drip(out: BinaryIO, stopping: threading.Event) -> None:
    """One byte a second, until the client hangs up (the write fails) or the server stops."""
    for _ in range(DRIP_FOR):
        out.write(b"x")
        out.flush()
        if stopping.wait(DRIP_EVERY):
            return


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        step = min(size, total - sent)
        sent += step
        yield b"a" * step


_shared: list[LocalServer] = []
_shared_lock = threading.Lock()


def shared_server() -> LocalServer:
    """One server per test process, started on first use and stopped at exit."""
    with _shared_lock:
        if not _shared:
            server = LocalServer()
            server.start()
            atexit.register(server.stop)
            _shared.append(server)
    return _shared[0]


def self_signed_certificate(directory: Path, hostname: str) -> tuple[Path, Path]:
    """A certificate and key for ``hostname``, made with the openssl command-line tool."""
    cert, key = directory / f"{hostname}.crt", directory / f"{hostname}.key"
    command = [
        *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
        *("-keyout", str(key), "-out", str(cert), "-subj", f"/CN={hostname}"),
        *("-addext", f"subjectAltName=DNS:{hostname}"),
    ]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass(frozen=True)
class TLSServer:
    server: LocalServer
    hostname: str
    ca_certs: Path  # the self-signed certificate, to trust in the client
    server_names: list[str]  # the SNI names clients sent, in order


@pytest.fixture(name="tls_server")
def tls_server_fixture(tmp_path: Path) -> Iterator[TLSServer]:
    """An HTTPS LocalServer on 127.0.0.1 whose certificate names ``news.example``."""
    cert, key = self_signed_certificate(tmp_path, "news.example")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server_names: list[str] = []
    context.sni_callback = lambda _sock, name, _context: server_names.append(name)
    server = LocalServer(tls=context)
    server.start()
    yield TLSServer(server, "news.example", cert, server_names)
    server.stop()


@pytest.fixture(name="local_server")
def local_server_fixture() -> Iterator[LocalServer]:
    """The shared local server, with added routes and the request log reset after each test."""
    server = shared_server()
    yield server
    server.routes.clear()
    server.requests.clear()


# --- A webhook receiver -----------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A server on 127.0.0.1 that logs every POST; the first ``fail_first`` answer 500.
    With ``drip`` set, it answers with a status line and then drips its headers, one byte
    a second."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.drip = False
        self.stopping = threading.Event()
        self.received: list[Received] = []
        self.answered: list[int] = []
        self.lock = threading.Lock()
        handler = type("ReceiverHandler", (_ReceiverHandler,), {"receiver": self})
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, request: Received) -> int:
        with self.lock:
            self.received.append(request)
            status = 500 if len(self.received) <= self.fail_first else 204
            self.answered.append(status)
            return status


class _ReceiverHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    receiver: WebhookReceiver

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status = self.receiver.answer(Received(self.path, dict(self.headers.items()), body))
        if self.receiver.drip:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                _drip(self.wfile, self.receiver.stopping)
            return
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()


@pytest.fixture(name="webhook_receiver")
def webhook_receiver_fixture() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
