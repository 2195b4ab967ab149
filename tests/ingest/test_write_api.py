"""The write API: a CMS sends stories with an Editor's token, once per (owner, external_id);
the same story again is a new revision when its text changed and nothing when it did not."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from claims.integrations import tokens
from claims.models import Article, ArticleRevision, ExternalStory

ARTICLES = reverse("api-article-list")
STORY = {
    "external_id": "cms-4711",
    "title": "Council approves budget",
    "outlet": "Daily Example",
    "url": "https://www.dailyexample.com/news/budget",
    "published_at": "2025-03-05T10:00:00Z",
    "text": "The city council approved a budget of 4.2 million dollars on Monday.",
}


def token_of(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user=user, name='cms')[1]}"}


def send(client: Client, auth: dict[str, str], **fields: Any) -> Any:
    body = json.dumps(STORY | fields)
    return client.post(ARTICLES, body, content_type="application/json", **auth)


def test_a_story_is_created_once_and_answered_with_202_its_api_url_and_state(
    client: Client, editor: User
) -> None:
    auth = token_of(editor)

    response = send(client, auth)

    assert response.status_code == 202
    data = response.json()
    article = Article.objects.get()
    assert data["outcome"] == "created"
    assert data["id"] == article.pk and data["state"] == "queued"
    assert data["api_url"].endswith(reverse("api-article-detail", args=[article.pk]))
    assert response["Location"] == data["api_url"]
    assert data["readiness"]["verdict"] == "needs_work"
    assert article.published_at.isoformat() == "2025-03-05T10:00:00+00:00"
    assert article.created_by == editor and article.outlet == "Daily Example"
    assert ExternalStory.objects.get().external_id == "cms-4711"


def test_the_same_story_again_changes_nothing(client: Client, editor: User) -> None:
    auth = token_of(editor)
    first = send(client, auth).json()

    again = send(client, auth)

    assert again.status_code == 202
    assert again.json()["outcome"] == "unchanged" and again.json()["id"] == first["id"]
    assert Article.objects.count() == 1
    assert ArticleRevision.objects.count() == 1


def test_a_changed_text_is_a_new_revision_of_the_same_article(client: Client, editor: User) -> None:
    auth = token_of(editor)
    first = send(client, auth).json()

    changed = send(client, auth, text=STORY["text"] + " The mayor voted against it.")

    assert changed.json()["outcome"] == "revised"
    article = Article.objects.get()
    assert article.pk == first["id"] and article.revision == 2
    assert article.body.endswith("The mayor voted against it.")
    assert list(article.revisions.values_list("number", flat=True)) == [1, 2]


def test_external_ids_belong_to_the_token_owner(
    client: Client, editor: User, django_user_model: Any
) -> None:
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("eddie")
    other.groups.add(Group.objects.get(name="Editors"))

    send(client, token_of(editor))
    send(client, token_of(other))

    assert Article.objects.count() == 2


def test_a_story_by_url_is_fetched_by_the_worker_and_not_again(
    client: Client, editor: User
) -> None:
    auth = token_of(editor)
    story = {"external_id": "cms-9", "url": "https://www.dailyexample.com/news/x", "text": None}

    first = send(client, auth, **story)
    again = send(client, auth, **story)

    assert first.json()["outcome"] == "created" and again.json()["outcome"] == "unchanged"
    article = Article.objects.get()
    assert article.origin == Article.Origin.URL and article.body == ""


def test_form_encoded_stories_are_accepted_too(client: Client, editor: User) -> None:
    response = client.post(
        ARTICLES, {"external_id": "f-1", "text": "A short story."}, **token_of(editor)
    )

    assert response.status_code == 202
    assert Article.objects.get().body == "A short story."


@pytest.mark.parametrize("persona", ["viewer", "fact_checker"])
def test_only_editors_tokens_may_write(
    client: Client, persona: str, request: pytest.FixtureRequest, db: Any
) -> None:
    response = send(client, token_of(request.getfixturevalue(persona)))

    assert response.status_code == 403
    assert "Editors" in response.json()["detail"]
    assert not Article.objects.exists()


def test_writing_needs_a_token_not_a_session(client: Client, editor: User) -> None:
    client.force_login(editor)

    response = client.post(ARTICLES, json.dumps(STORY), content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Article.objects.exists()


def test_a_revoked_token_cannot_write(client: Client, editor: User) -> None:
    row, token = tokens.issue(user=editor, name="cms")
    row.revoke()

    response = send(client, {"HTTP_AUTHORIZATION": f"Bearer {token}"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"external_id": ""}, "external_id"),
        ({"text": "", "url": ""}, "__all__"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"published_at": "yesterday"}, "published_at"),
        ({"text": "a\x00b"}, "text"),
    ],
)
def test_bad_stories_are_refused_with_the_reason(
    client: Client, editor: User, fields: dict[str, str], field: str
) -> None:
    response = send(client, token_of(editor), **fields)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Article.objects.exists()


@pytest.mark.parametrize("body", ["[1, 2]", "{not json", '{"external_id": 5, "text": "x"}'])
def test_a_body_that_is_not_an_object_of_strings_is_refused(
    client: Client, editor: User, body: str
) -> None:
    response = client.post(ARTICLES, body, content_type="application/json", **token_of(editor))

    assert response.status_code == 400
    assert not Article.objects.exists()


def test_the_article_list_and_detail_carry_the_readiness(
    client: Client, viewer: User, make_article: Any
) -> None:
    article = make_article()
    auth = token_of(viewer)

    listed = client.get(ARTICLES, **auth).json()["results"][0]
    detail = client.get(reverse("api-article-detail", args=[article.pk]), **auth).json()

    for data in (listed, detail):
        assert data["readiness"]["verdict"] == "needs_work"
        assert "2 check-worthy claims are not confirmed yet" in data["readiness"]["reasons"]


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_a_nesting_bomb_is_refused_with_the_depth_limit(
    client: Client, editor: User, opening: str
) -> None:
    body = opening * 100_000

    response = client.post(ARTICLES, body, content_type="application/json", **token_of(editor))

    assert response.status_code == 400
    assert response.json()["detail"] == "JSON nested deeper than 32 levels."
    assert not Article.objects.exists()


def test_brackets_inside_strings_do_not_count_as_nesting(client: Client, editor: User) -> None:
    response = send(client, token_of(editor), title="[" * 100 + '"{' * 100)

    assert response.status_code == 202
    assert Article.objects.get().title.startswith("[[[")


@pytest.mark.parametrize("field", sorted(STORY))
def test_a_lone_surrogate_is_refused_naming_the_field(
    client: Client, editor: User, field: str
) -> None:
    body = json.dumps(STORY | {field: STORY[field][:5] + "\ud800"})  # sent as "\ud800"

    response = client.post(ARTICLES, body, content_type="application/json", **token_of(editor))

    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert "U+D800" in response.json()["errors"][field][0]["message"]
    assert not Article.objects.exists()


def test_a_lone_surrogate_in_a_field_name_is_refused_too(client: Client, editor: User) -> None:
    body = json.dumps(STORY | {"x\udfff": "y"})

    response = client.post(ARTICLES, body, content_type="application/json", **token_of(editor))

    assert response.status_code == 400
    assert "U+DFFF" in response.content.decode()


# --- The CMS's handle, retries and instants -----------------------------------------------


def test_the_cms_finds_its_story_by_external_id_in_the_list_and_the_detail(
    client: Client, editor: User, make_article: Any
) -> None:
    auth = token_of(editor)
    make_article()  # another article, not from the CMS
    sent = send(client, auth).json()

    found = client.get(ARTICLES, {"external_id": "cms-4711"}, **auth).json()
    detail = client.get(sent["api_url"], **auth).json()

    assert [item["id"] for item in found["results"]] == [sent["id"]]
    assert found["results"][0]["external_id"] == detail["external_id"] == "cms-4711"
    assert client.get(ARTICLES, {"external_id": "cms-0"}, **auth).json()["results"] == []


def test_a_failed_url_story_is_retried_when_sent_again_or_with_retry(
    client: Client, editor: User
) -> None:
    auth = token_of(editor)
    story = {"external_id": "cms-9", "url": "https://www.dailyexample.com/news/x", "text": None}
    send(client, auth, **story)
    article = Article.objects.get()

    for extra in ({}, {"retry": True}, {"retry": "true"}):
        Article.objects.filter(pk=article.pk).update(state=Article.State.FAILED, error="timeout")
        again = send(client, auth, **story, **extra)

        assert again.status_code == 202, again.content
        assert again.json()["outcome"] == "retried" and again.json()["state"] == "queued"
        assert Article.objects.get().error == ""
    assert send(client, auth, **story).json()["outcome"] == "unchanged"  # queued: left alone


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-11-30T23:30:00-05:00", "2026-12-01T04:30:00+00:00"),
        ("2026-11-30", "2026-11-30T00:00:00+00:00"),
        ("2026-11-30T23:30:00.250+01:00", "2026-11-30T22:30:00.250000+00:00"),
    ],
)
def test_published_at_keeps_the_instant_in_utc(
    client: Client, editor: User, sent: str, stored: str
) -> None:
    response = send(client, token_of(editor), published_at=sent)

    assert response.status_code == 202, response.content
    assert response.json()["published_at"] == stored
    assert Article.objects.get().published_at.isoformat() == stored


def test_an_unknown_field_is_refused_naming_it(client: Client, editor: User) -> None:
    response = send(client, token_of(editor), headline="Council approves budget")

    assert response.status_code == 400
    assert response.json()["errors"]["headline"][0]["code"] == "unknown"
    assert not Article.objects.exists()
