"""``make bench`` must not break silently: its memory part (a real worker over the
embedded broker, on the benchmark's own SQLite under ``var/bench/``) runs in its quick
size and writes its report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
@pytest.mark.integration
def test_the_memory_benchmark_runs_in_its_quick_size() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "memory"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((ROOT / "var" / "bench" / "latest.json").read_text())
    memory = report["results"]["memory"]
    assert "error" not in memory, memory
    assert memory["articles"] == 100 and memory["pool_before_first_article_mb"] > 0
