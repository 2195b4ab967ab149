"""The production smoke test: the deployment of docs/production.md, on 127.0.0.1.

The processes of ``docs/deploy/Procfile``: its release command (migrations), gunicorn
(``gunicorn.conf.py``, ``DEBUG=0``, static files collected and served by WhiteNoise, JSON
logs), a Celery worker for each queue and the one beat, on PostgreSQL (the test
database) and a private ``redis-server`` on a free port (so it can be stopped). The test
speaks HTTP only, as a browser and a CMS would, through a TLS-terminating proxy's
``X-Forwarded-Proto: https`` (``BEHIND_PROXY=1``): log in, send a story with an API
token, wait for its extraction, add evidence from a page served on 127.0.0.1, confirm,
export ClaimReview, read ``/healthz``. Then the broker is stopped: ``/healthz`` answers
503 naming it and a new story is still accepted, queued; with the broker back, the
sweeper's command sends it and it is extracted.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import urllib3
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from claims import roles
from claims.models import Article
from tests import live
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401 (a fixture)
from tests.live_fixtures import roles_fixture  # noqa: F401 (a fixture)
from tests.production.services import Service

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="the production smoke test runs on PostgreSQL: set DATABASE_URL=postgres://...",
    ),
]

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "seed_article.txt"
PASSWORD = "smoke-test-password-long-enough"
SECRET_KEY = "smoke-test-secret-key-" + "x" * 40


def read_procfile() -> dict[str, str]:
    """docs/deploy/Procfile, the process layout this test runs: ``{name: command}``."""
    lines = (settings.BASE_DIR / "docs" / "deploy" / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Deployment:
    base: str
    redis_port: int
    services: dict[str, Service] = field(default_factory=dict)

    def tails(self) -> str:
        return "\n".join(service.tail() for service in self.services.values())


@dataclass
class Browser:
    """An HTTP client with a cookie jar that, like a browser behind TLS, sends the
    ``Secure`` cookies, with the proxy's headers on every request."""

    base: str
    http: urllib3.PoolManager = field(default_factory=urllib3.PoolManager)
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": self.base.replace("http://", "https://"),
            "Referer": self.base.replace("http://", "https://") + path,
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(
            method, self.base + path, headers=headers, redirect=False, timeout=30, **kwargs
        )
        for raw in response.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return response

    def form(self, path: str, fields: dict[str, str]) -> urllib3.BaseHTTPResponse:
        body = urlencode({"csrfmiddlewaretoken": self.cookies["csrftoken"], **fields})
        content_type = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=body, headers=content_type)

    def json(self, path: str, token: str = "", **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.request("GET", path, headers=headers, **kwargs)
        assert response.status == 200, (path, response.status, response.data[:500])
        return json.loads(response.data)


@pytest.fixture
def deployment(
    transactional_db: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Deployment]:
    procfile = read_procfile()
    web_port, redis_port = free_port(), free_port()
    deployment = Deployment(base=f"http://127.0.0.1:{web_port}", redis_port=redis_port)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "WORKBENCH_BASE_URL": f"https://127.0.0.1:{web_port}",
        "WORKBENCH_NEWSROOM_NAME": "Smoke Test News",
        "DATABASE_URL": live.worker_database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_FORMAT": "json",
        "WORKBENCH_HEALTH_CACHE_SECONDS": "1",
        "WORKBENCH_FETCH_ALLOW_LOOPBACK": "1",  # the evidence's page is on 127.0.0.1
        "WEB_BIND": f"127.0.0.1:{web_port}",
        "WEB_CONCURRENCY": "2",
        "EXTRACTION_CONCURRENCY": "1",
        "DEFAULT_CONCURRENCY": "1",
        "WORKBENCH_VAR_DIR": str(tmp_path),
        # The Procfile names its programs (python, gunicorn, celery) as an installed
        # virtualenv's bin/ on the PATH provides them.
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    release = subprocess.run(
        ["sh", "-c", procfile["release"]],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert release.returncode == 0, release.stderr
    redis_server = ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
                    "--save", "", "--appendonly", "no"]  # fmt: skip
    specs = {"redis": redis_server} | {
        name: ["sh", "-c", f"exec {procfile[name]}"]
        for name in ("web", "extraction", "default", "beat")
    }
    request.node.deployment = deployment
    try:
        for name, args in specs.items():
            deployment.services[name] = Service(name, args, env, tmp_path / f"{name}.log").start()
        yield deployment
    finally:
        for service in reversed(deployment.services.values()):
            service.stop()


def healthz(browser: Browser) -> tuple[int, dict[str, Any]]:
    response = browser.request("GET", "/healthz", headers={"X-Forwarded-Proto": "http"})
    return response.status, json.loads(response.data)


def wait_healthy(deployment: Deployment, browser: Browser, want: int) -> dict[str, Any]:
    def answered() -> dict[str, Any] | None:
        for service in deployment.services.values():
            if service.name != "redis" or want == 200:
                service.alive()
        try:
            status, body = healthz(browser)
        except urllib3.exceptions.HTTPError:
            return None  # gunicorn not listening yet
        return body if status == want else None

    found = live.wait_for(
        answered, timeout=90, interval=0.5, what=f"/healthz to answer {want}",
        on_timeout=deployment.tails,
    )  # fmt: skip
    assert found is not None
    return found


def extracted(browser: Browser, token: str, api_url: str, deployment: Deployment) -> Any:
    path = api_url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    return live.wait_for(
        lambda: (a := browser.json("/" + path, token))["state"] == "done" and a,
        timeout=120, interval=0.5, what="the story to be extracted", on_timeout=deployment.tails,
    )  # fmt: skip


def send_story(browser: Browser, token: str, external_id: str) -> urllib3.BaseHTTPResponse:
    story = {"external_id": external_id, "title": "Kerry in Baghdad", "text": SAMPLE.read_text()}
    return browser.request(
        "POST",
        "/api/articles/",
        body=json.dumps(story),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


def editor_with_password() -> User:
    user = User.objects.create_user("smoke-editor", "smoke@example.org")
    # The test process hashes with MD5 (tests/conftest.py); the deployment knows PBKDF2.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "smokesalt", iterations=1000)
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=roles.EDITORS))
    return user


def test_the_production_deployment_serves_the_workflow_and_survives_a_broker_outage(
    deployment: Deployment, local_server: LocalServer
) -> None:
    browser = Browser(deployment.base)
    user = editor_with_password()
    token_out = io.StringIO()
    call_command("create_api_token", user.username, "--name", "smoke CMS", stdout=token_out)
    token = token_out.getvalue().splitlines()[-1]

    ready = wait_healthy(deployment, browser, 200)
    assert ready["workers"] == {
        "status": "ok",
        "count": 2,
        "queues": {"default": 1, "extraction": 1},
    }

    # Static files: hashed names, compressed, cached for ever (WhiteNoise).
    page = browser.request("GET", "/accounts/login/")
    assert page.status == 200
    css = re.search(rb'href="(/static/workbench\.[0-9a-f]{12}\.css)"', page.data)
    assert css, page.data[:2000]
    style = browser.request("GET", css.group(1).decode(), headers={"Accept-Encoding": "gzip"})
    assert style.status == 200
    assert style.headers["Content-Encoding"] == "gzip"
    assert "immutable" in style.headers["Cache-Control"]

    # Log in.
    login = browser.form("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert login.status == 302, login.data[:1000]
    assert "sessionid" in browser.cookies

    # A story from the CMS, with the token; the worker extracts it.
    sent = send_story(browser, token, "smoke-1")
    assert sent.status == 202, sent.data
    article = extracted(browser, token, json.loads(sent.data)["api_url"], deployment)
    claims = browser.json(f"/api/claims/?article={article['id']}", token)["results"]
    claim = next(c for c in claims if "Kerry" in c["text"])

    # Evidence from a page on 127.0.0.1, captured by the worker and quote-checked.
    page_url = local_server.add(
        "/smoke-source",
        f"<html><head><title>Wire report</title></head><body><article><h1>Wire report"
        f"</h1><p>Earlier reporting.</p><p>{claim['text']}</p><p>More followed.</p>"
        f"</article></body></html>".encode(),
        content_type="text/html; charset=utf-8",
    )
    fields = {"url": page_url, "kind": "news", "stance": "supports", "excerpt": claim["text"]}
    added = browser.form(f"/claims/{claim['id']}/evidence/", fields)
    assert added.status in (200, 302), added.data[:1000]
    live.wait_for(
        lambda: any(
            e["quote_check"] == "found"
            for e in browser.json(f"/api/evidence/?claim={claim['id']}", token)["results"]
        ),
        timeout=60, interval=0.5, what="the source to be captured and the quote found",
        on_timeout=deployment.tails,
    )  # fmt: skip

    # Confirm, then export ClaimReview.
    confirmed = browser.form(f"/claims/{claim['id']}/status/", {"action": "confirm"})
    assert confirmed.status in (200, 302), confirmed.data[:1000]
    assert browser.json(f"/api/claims/{claim['id']}/", token)["status"] == "confirmed"
    review = browser.json(f"/claims/{claim['id']}/claimreview.json")
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim["text"]
    assert review["author"]["name"] == "Smoke Test News"
    assert review["url"].startswith(deployment.base.replace("http://", "https://"))

    healthy = wait_healthy(deployment, browser, 200)
    assert healthy["database"] == {"status": "ok", "pending_migrations": 0}
    assert healthy["beat"]["count"] == 1

    # The broker goes down: /healthz says so, and a story is still accepted, queued.
    deployment.services["redis"].stop()
    down = wait_healthy(deployment, browser, 503)
    assert down["failing"] == ["broker"]
    queued = send_story(browser, token, "smoke-2")
    assert queued.status == 202, queued.data
    assert json.loads(queued.data)["state"] == "queued"
    later = Article.objects.get(pk=json.loads(queued.data)["id"])
    assert later.state == Article.State.QUEUED

    # The broker is back: the sweeper sends the job, and the worker extracts it.
    deployment.services["redis"].start()
    live.wait_for(
        lambda: healthz(browser)[1]["workers"]["status"] == "ok",
        timeout=60, interval=0.5, what="the broker and the workers to be back",
        on_timeout=deployment.tails,
    )  # fmt: skip
    swept = subprocess.run(
        [sys.executable, "manage.py", "requeue_stuck", "--older-than", "0"],
        cwd=settings.BASE_DIR, env=deployment.services["web"].env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    extracted(browser, token, json.loads(queued.data)["api_url"], deployment)

    # Logs are JSON lines: gunicorn's access log and Celery's worker log.
    for name in ("web", "extraction"):
        lines = deployment.services[name].log_path.read_text().splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert records, deployment.services[name].tail()
        assert {"time", "level", "logger", "message"} <= records[-1].keys()
