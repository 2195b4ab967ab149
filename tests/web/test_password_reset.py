"""Password reset is on only when mail can be sent (``EMAIL_HOST`` or
``WORKBENCH_PASSWORD_RESET``): without it the public reset form is 404 and the login
page does not offer it. The link's own pages (set a new password) always work: an
editor hands links over from the team page (``tests/web/test_team.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

RESET_PAGES = ["/accounts/password_reset/", "/accounts/password_reset/done/"]


@pytest.mark.parametrize("url", RESET_PAGES)
def test_without_mail_the_reset_pages_are_not_found(
    client: Client, db: Any, settings: Any, url: str
) -> None:
    settings.WORKBENCH_PASSWORD_RESET = False

    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "vera@example.org"}).status_code == 404
    assert mail.outbox == []


def test_without_mail_the_login_page_does_not_offer_a_reset(
    client: Client, db: Any, settings: Any
) -> None:
    settings.WORKBENCH_PASSWORD_RESET = False

    page = client.get(reverse("login")).content.decode()

    assert "password_reset" not in page


def test_with_mail_a_reset_is_sent(client: Client, viewer: Any, settings: Any) -> None:
    settings.WORKBENCH_PASSWORD_RESET = True

    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": viewer.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert viewer.username in mail.outbox[0].body
