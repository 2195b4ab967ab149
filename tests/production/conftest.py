"""The production smoke test shows its processes' logs when it fails."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    deployment = getattr(item, "deployment", None)
    if report.when == "call" and report.failed and deployment is not None:
        report.sections.append(("deployment logs", deployment.tails()))
    return report
