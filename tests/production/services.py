"""A process of a deployment under test (gunicorn, a worker, beat, redis-server)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tests import live


@dataclass
class Service:
    """A process of the deployment, in its own process group, logging to a file."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
                break
        self.process.wait(timeout=10)
        live.wait_for(
            lambda: not live.live_group_members(self.process.pid),  # type: ignore[union-attr]
            timeout=10,
            what=f"{self.name} to exit",
        )
        self.process = None

    def alive(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise live.LiveError(f"{self.name} exited\n{self.tail()}")
        return True

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"--- {self.name} ---\n" + "\n".join(text.splitlines()[-lines:])
