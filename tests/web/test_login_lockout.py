"""Login lockout (django-axes): repeated wrong passwords for one username from one address
lock that pair out for the cool-off, even against the right password; other users and
other addresses are unaffected; a success resets the count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def log_in(client: Client, username: str, password: str, address: str = ATTACKER) -> Any:
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_sixty_wrong_passwords_then_the_right_one_is_refused(client: Client, viewer: User) -> None:
    for _ in range(60):
        log_in(client, viewer.username, "wrong password")

    response = log_in(client, viewer.username, PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "After 5 wrong passwords for <strong>vera</strong>" in page
    assert "locked for 15 minutes" in page


def test_the_lock_starts_at_the_fifth_failure(client: Client, viewer: User) -> None:
    for _ in range(4):
        assert log_in(client, viewer.username, "wrong password").status_code == 200
    assert log_in(client, viewer.username, "wrong password").status_code == 429


def test_another_user_and_another_address_are_unaffected(
    client: Client, viewer: User, editor: User
) -> None:
    for _ in range(10):
        log_in(client, viewer.username, "wrong password")

    assert log_in(Client(), editor.username, PASSWORD).status_code == 302  # same address
    other_address = Client()
    assert log_in(other_address, viewer.username, PASSWORD, address=ELSEWHERE).status_code == 302
    assert logged_in(other_address)


def test_the_lock_lifts_after_the_cool_off(client: Client, viewer: User) -> None:
    for _ in range(5):
        log_in(client, viewer.username, "wrong password")
    assert log_in(client, viewer.username, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert log_in(client, viewer.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_successful_login_resets_the_count(client: Client, viewer: User) -> None:
    for _ in range(4):
        log_in(client, viewer.username, "wrong password")
    assert log_in(client, viewer.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert log_in(client, viewer.username, "wrong password").status_code == 200
    assert log_in(client, viewer.username, PASSWORD).status_code == 302


def test_the_limit_and_the_cool_off_come_from_settings(
    client: Client, viewer: User, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=90)
    log_in(client, viewer.username, "wrong password")

    response = log_in(client, viewer.username, "wrong password")

    assert response.status_code == 429
    assert "locked for 90 minutes" in response.content.decode()


def test_the_admin_login_is_locked_out_too(client: Client, viewer: User) -> None:
    viewer.is_staff = True
    viewer.save()
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": viewer.username, "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
        )
    response = client.post(
        reverse("admin:login"),
        {"username": viewer.username, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )
    assert response.status_code == 429
    assert not logged_in(client)


PROXY = "10.0.0.5"


def log_in_through(client: Client, password: str, forwarded: str, peer: str = PROXY) -> Any:
    return client.post(
        reverse("login"),
        {"username": "vera", "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_trusted_proxy_the_lock_keys_on_the_forwarded_client(
    client: Client, viewer: User, settings: Any
) -> None:
    settings.WORKBENCH_BEHIND_PROXY = True
    settings.WORKBENCH_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for _ in range(5):
        log_in_through(client, "wrong password", f"198.51.100.1, {ATTACKER}")

    assert log_in_through(client, PASSWORD, ATTACKER).status_code == 429
    # The victim, behind the same proxy, still logs in: the proxy's address is not locked.
    assert log_in_through(Client(), PASSWORD, ELSEWHERE).status_code == 302
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(
    client: Client, viewer: User, settings: Any
) -> None:
    settings.WORKBENCH_BEHIND_PROXY = True
    settings.WORKBENCH_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for index in range(5):  # a new forged client address each time
        log_in_through(client, "wrong password", f"192.0.2.{index}", peer=ATTACKER)

    assert log_in_through(client, PASSWORD, ELSEWHERE, peer=ATTACKER).status_code == 429
    assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_without_behind_proxy_the_forwarded_header_is_ignored(
    client: Client, viewer: User, settings: Any
) -> None:
    settings.WORKBENCH_TRUSTED_PROXIES = [PROXY]
    for index in range(5):
        log_in_through(client, "wrong password", f"192.0.2.{index}")

    assert AccessAttempt.objects.get().ip_address == PROXY
