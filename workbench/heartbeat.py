"""Signs of life for ``/healthz``: workers and the beat scheduler write them to the broker.

- Every worker (a bootstep on the worker's own timer, so it beats while its pool is busy)
  writes ``workbench:health:worker:<hostname>`` every ``WORKER_EVERY`` seconds: the queues
  it consumes, with a time to live of ``WORKER_TTL``. A worker that dies or loses the
  broker disappears within that time.
- The beat scheduler (``Scheduler``, set as ``beat_scheduler`` in ``workbench/celery.py``,
  so ``celery beat`` and the embedded ``worker -B`` both use it) writes
  ``workbench:health:beat:<instance>`` on every tick, and the last periodic task it sent,
  with a time to live of ``BEAT_TTL``. Beat ticks at least every 30 seconds
  (``beat_max_interval``), so a missing key means beat is down; two keys mean two
  schedulers, which would send every periodic task twice.

The keys live in the broker's Redis database; ``read()`` collects them in two round
trips. Nothing here touches the database.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from celery import bootsteps
from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)

PREFIX = "workbench:health:"
WORKER_KEY = PREFIX + "worker:"
BEAT_KEY = PREFIX + "beat:"
LAST_SENT_KEY = PREFIX + "last-sent"
WORKER_EVERY = 10.0
WORKER_TTL = 35
BEAT_TTL = 150
TIMEOUT = 1.0  # seconds, to connect and per command: a dead broker must not hold anyone


def client(url: str) -> redis.Redis:
    """A Redis client for a Celery broker URL (``redis://``, ``rediss://`` or the embedded
    broker's ``redis+socket:///path``), with short timeouts."""
    parts = urlsplit(url)
    options: dict[str, Any] = {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT}
    if parts.scheme == "redis+socket":
        return redis.Redis(unix_socket_path=unquote(parts.path), **options)
    return redis.Redis.from_url(url, **options)


# --- Workers ------------------------------------------------------------------------------


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A worker bootstep: the worker's queues written to the broker every WORKER_EVERY s."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None
        self.redis: redis.Redis | None = None

    def start(self, worker: Any) -> None:
        self.redis = client(worker.app.conf.broker_url)
        self.beat(worker)
        self.tref = worker.timer.call_repeatedly(WORKER_EVERY, self.beat, (worker,), priority=10)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        if self.redis is not None:
            with contextlib.suppress(redis.RedisError):
                self.redis.delete(WORKER_KEY + worker.hostname)
            self.redis.close()

    def beat(self, worker: Any) -> None:
        assert self.redis is not None
        record_worker(self.redis, worker.hostname, worker.app.amqp.queues.consume_from)


def record_worker(connection: redis.Redis, hostname: str, queues: Iterable[str]) -> None:
    value = json.dumps({"queues": sorted(queues), "at": time.time()})
    try:
        connection.set(WORKER_KEY + hostname, value, ex=WORKER_TTL)
    except redis.RedisError as exc:
        log.warning("worker heartbeat not written (the broker is unreachable): %s", exc)


# --- Beat ---------------------------------------------------------------------------------


class Scheduler(PersistentScheduler):
    """Celery's default scheduler, which also says on each tick that it is alive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.redis: redis.Redis | None = None
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = float(super().tick(*args, **kwargs))
        record_beat(self._redis(), self.instance)
        return interval

    def apply_async(self, entry: Any, *args: Any, **kwargs: Any) -> Any:
        result = super().apply_async(entry, *args, **kwargs)  # raises if not sent
        record_sent(self._redis(), entry.name)
        return result

    def close(self) -> None:
        if self.redis is not None:
            with contextlib.suppress(redis.RedisError):
                self.redis.delete(BEAT_KEY + self.instance)
            self.redis.close()
        super().close()

    def _redis(self) -> redis.Redis:
        if self.redis is None:
            self.redis = client(self.app.conf.broker_url)
        return self.redis


def record_beat(connection: redis.Redis, instance: str) -> None:
    try:
        connection.set(BEAT_KEY + instance, json.dumps({"at": time.time()}), ex=BEAT_TTL)
    except redis.RedisError as exc:
        log.warning("beat heartbeat not written (the broker is unreachable): %s", exc)


def record_sent(connection: redis.Redis, entry: str) -> None:
    try:
        connection.set(LAST_SENT_KEY, json.dumps({"entry": entry, "at": time.time()}))
    except redis.RedisError as exc:
        log.warning("beat's last run not written (the broker is unreachable): %s", exc)


# --- Reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signs:
    """What the broker holds: each live worker's queues, each live beat's last tick, and
    the last periodic task sent (``None`` if none yet)."""

    workers: list[list[str]]
    beats: list[float]
    last_sent: dict[str, Any] | None


def read(connection: redis.Redis) -> Signs:
    """The live signs, in two round trips for a few workers (raises ``redis.RedisError``
    if the broker is unreachable)."""
    keys = list(connection.scan_iter(match=PREFIX + "*", count=1000))
    values: list[bytes | None] = connection.mget(keys) if keys else []  # type: ignore[assignment]
    workers, beats, last_sent = [], [], None
    for key, raw in zip(keys, values, strict=True):
        if raw is None:  # expired between the scan and the read
            continue
        data = json.loads(raw)
        if key.startswith(WORKER_KEY.encode()):
            workers.append(list(data["queues"]))
        elif key.startswith(BEAT_KEY.encode()):
            beats.append(float(data["at"]))
        elif key == LAST_SENT_KEY.encode():
            last_sent = data
    return Signs(workers=workers, beats=beats, last_sent=last_sent)
