"""``GET /api/speakers/``, ``speaker_id`` on each claim and the claims filter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, Speaker, SpeakerAlias
from tests.support import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(make_article) -> tuple[Speaker, Speaker]:
    article = make_article()
    okafor = Speaker.objects.create(name="Amara Okafor", kind=Speaker.Kind.PERSON)
    college = Speaker.objects.create(name="Royal College", kind=Speaker.Kind.ORGANISATION)
    for record, alias in [
        (okafor, "Dr Okafor"),
        (okafor, "Amara Okafor"),
        (college, "the college"),
    ]:
        SpeakerAlias.objects.create(speaker=record, name=alias)
    first, second = article.claims.order_by("start")
    Claim.objects.filter(pk=first.pk).update(speaker="Dr Okafor", speaker_record=okafor)
    Claim.objects.filter(pk=second.pk).update(speaker="the college", speaker_record=college)
    return okafor, college


def test_the_api_lists_speaker_records_with_aliases_kind_and_claim_counts(client, viewer, records):
    okafor, college = records
    data = login(client, viewer).get(reverse("api-speaker-list")).json()
    assert data["count"] == 2
    by_name = {row["name"]: row for row in data["results"]}
    assert by_name["Amara Okafor"]["aliases"] == ["Dr Okafor"]
    assert by_name["Amara Okafor"]["kind"] == "person"
    assert by_name["Amara Okafor"]["claims"] == 1
    assert by_name["Royal College"]["kind"] == "organisation"
    searched = client.get(reverse("api-speaker-list"), {"q": "college"}).json()
    assert [row["id"] for row in searched["results"]] == [college.pk]
    one = client.get(reverse("api-speaker-detail", args=[okafor.pk])).json()
    assert one["claims_url"].endswith(f"/api/claims/?speaker_id={okafor.pk}")


def test_each_claim_carries_its_speaker_id_and_the_claims_filter_by_it(client, viewer, records):
    okafor, _ = records
    login(client, viewer)
    data = client.get(reverse("api-claim-list"), {"speaker_id": okafor.pk}).json()
    assert [row["speaker_id"] for row in data["results"]] == [okafor.pk]
    assert data["results"][0]["speaker"] == "Dr Okafor"
    claim = Claim.objects.get(speaker_record=okafor)
    assert (
        client.get(reverse("api-claim-detail", args=[claim.pk])).json()["speaker_id"] == okafor.pk
    )
    bad = client.get(reverse("api-speaker-list"), {"kind": "robot"})
    assert bad.status_code == 400


def test_the_speakers_api_needs_credentials(client, outsider, records):
    assert client.get(reverse("api-speaker-list")).status_code == 401
    assert login(client, outsider).get(reverse("api-speaker-list")).status_code == 403
    assert client.post(reverse("api-speaker-list")).status_code in (403, 405)
