"""``GET /healthz``: is this deployment able to do its work? For load balancers and
monitoring; no login, nothing private (no host names, addresses or error texts: those
go to the log).

The answer is JSON with four parts, each ``{"status": "ok" | "failing" | "unknown", ...}``:

- ``database``: reachable, and every migration on disk applied (two small queries,
  whatever the number of claims);
- ``broker``: Redis reachable, and the length of each queue;
- ``workers``: how many live workers consume each queue, from the heartbeats workers write
  to the broker (``workbench/heartbeat.py``); failing when a queue has none;
- ``beat``: the last tick of the beat scheduler and the last periodic task it sent;
  failing when no scheduler ticked lately, or when more than one runs.

200 when all four are ok; 503 otherwise, with the failing parts in ``failing``. Without
the broker, workers and beat are ``unknown`` (their signs live there). Each process
keeps its answer for ``WORKBENCH_HEALTH_CACHE_SECONDS`` (5), so probes cost nothing more.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workbench import heartbeat
from workbench.celery import app

log = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's messages of priority p > 0 under "<queue>\x06\x16p".
PRIORITY_KEYS = ("", "\x06\x163", "\x06\x166", "\x06\x169")

Part = dict[str, Any]

_lock = threading.Lock()
_cached: tuple[float, dict[str, Any]] | None = None


def queues() -> list[str]:
    """The queues some worker must consume: the routed ones and the default."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


@functools.cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration of the code this process runs (read once: the code does not change
    under a running process)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def check_database(db: BaseDatabaseWrapper = connection) -> Part:
    try:
        applied = set(MigrationRecorder(db).applied_migrations())
    except DatabaseError as exc:
        log.warning("health: the database is unreachable: %s", exc)
        return {"status": "failing", "reason": "the database is unreachable"}
    pending = len(migrations_on_disk() - applied)
    if pending:
        reason = f"{pending} migration(s) not applied: run manage.py migrate"
        return {"status": "failing", "reason": reason, "pending_migrations": pending}
    return {"status": "ok", "pending_migrations": 0}


def check_broker(client: redis.Redis) -> tuple[Part, heartbeat.Signs | None]:
    """The broker's part, and the workers' and beat's signs read from it."""
    names = queues()
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            for suffix in PRIORITY_KEYS:
                pipe.llen(name + suffix)
        lengths = pipe.execute()
        signs = heartbeat.read(client)
    except redis.RedisError as exc:
        log.warning("health: the broker is unreachable: %s", exc)
        return {"status": "failing", "reason": "the broker is unreachable"}, None
    step = len(PRIORITY_KEYS)
    waiting = {name: sum(lengths[i * step : (i + 1) * step]) for i, name in enumerate(names)}
    return {"status": "ok", "queues": waiting}, signs


def check_workers(signs: heartbeat.Signs) -> Part:
    consumers = {name: sum(name in q for q in signs.workers) for name in queues()}
    part: Part = {"status": "ok", "count": len(signs.workers), "queues": consumers}
    idle = [name for name, count in consumers.items() if not count]
    if idle:
        part["status"] = "failing"
        part["reason"] = "no live worker consumes " + ", ".join(idle)
    return part


def check_beat(signs: heartbeat.Signs, now: float) -> Part:
    part: Part = {"status": "ok", "count": len(signs.beats)}
    if signs.beats:
        part["last_tick_seconds_ago"] = round(now - max(signs.beats), 1)
    if signs.last_sent:
        part["last_run"] = _iso(signs.last_sent["at"])
        part["last_task"] = signs.last_sent["entry"]
    if not signs.beats:
        part["status"] = "failing"
        part["reason"] = f"no beat scheduler ticked in the last {heartbeat.BEAT_TTL} s"
    elif len(signs.beats) > 1:
        part["status"] = "failing"
        part["reason"] = f"{len(signs.beats)} beat schedulers are running; run exactly one"
    return part


def report() -> dict[str, Any]:
    now = time.time()
    client = heartbeat.client(app.conf.broker_url)
    try:
        broker, signs = check_broker(client)
    finally:
        client.close()
    unknown = {"status": "unknown", "reason": "the broker is unreachable"}
    parts = {
        "database": check_database(),
        "broker": broker,
        "workers": check_workers(signs) if signs else unknown,
        "beat": check_beat(signs, now) if signs else unknown,
    }
    failing = [name for name, part in parts.items() if part["status"] == "failing"]
    status = "failing" if failing else "ok"
    return {"status": status, "failing": failing, **parts, "checked_at": _iso(now)}


def cached_report() -> dict[str, Any]:
    global _cached
    with _lock:
        if _cached and time.monotonic() - _cached[0] < settings.WORKBENCH_HEALTH_CACHE_SECONDS:
            return _cached[1]
        fresh = report()
        _cached = (time.monotonic(), fresh)
        return fresh


def forget() -> None:
    """Drop the kept answer (tests)."""
    global _cached
    with _lock:
        _cached = None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    data = cached_report()
    return JsonResponse(data, status=200 if data["status"] == "ok" else 503)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
