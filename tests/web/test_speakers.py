"""The speaker pages: the list, a speaker's claims across stories with verdicts and
counts, and the editors' merge, split and alias edits with history; permissions; the
claims list's ``speaker_id`` filter and the claim panel's pick from the records."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimEvent, Evidence, Speaker, SpeakerAlias
from claims.review import edits
from claims.review import speakers as editing
from tests.support import login

pytestmark = pytest.mark.django_db


def speaker(name: str, *aliases: str, kind: str = Speaker.Kind.PERSON) -> Speaker:
    made = Speaker.objects.create(name=name, kind=kind)
    for alias in {name, *aliases}:
        SpeakerAlias.objects.create(speaker=made, name=alias)
    return made


@pytest.fixture
def okafor(make_article, support) -> Speaker:
    """Dr Okafor in two stories: one claim confirmed, one contradicted, one undecided."""
    first = make_article(
        ["Dr Okafor said 412 operations were cancelled in March.",
         "Okafor said the ward closed in 2024."],
        title="Waiting lists",
    )  # fmt: skip
    second = make_article(
        ["Amara Okafor said 1 in 8 posts were vacant in 2025."],
        title="Vacancies",
        url="https://www.dailyexample.com/news/posts",
    )
    record = speaker("Amara Okafor", "Dr Okafor", "Okafor")
    claims = [*first.claims.order_by("start"), *second.claims.all()]
    for claim in claims:
        Claim.objects.filter(pk=claim.pk).update(
            speaker=claim.text.split(" said")[0], speaker_record=record
        )
    Claim.objects.filter(pk=claims[0].pk).update(status=Claim.Status.CONFIRMED)
    support(claims[1], stance=Evidence.Stance.REFUTES)
    return record


def test_the_speaker_page_lists_claims_across_stories_with_verdicts_and_counts(
    client, viewer, okafor
):
    page = login(client, viewer).get(reverse("speaker-detail", args=[okafor.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<strong data-count="confirmed">1</strong>' in html
    assert '<strong data-count="contradicted">1</strong>' in html
    assert '<strong data-count="undecided">1</strong>' in html
    assert '<strong data-count="total">3</strong>' in html
    assert "Waiting lists" in html and "Vacancies" in html
    assert "Also named</dt><dd>Dr Okafor, Okafor" in html
    assert "Edit the record" not in html  # a viewer does not edit


def test_the_speaker_list_counts_claims_and_searches_aliases(client, viewer, okafor):
    speaker("Hannah Müller", "Ms Müller")
    login(client, viewer)
    page = client.get(reverse("speaker-list"), {"q": "dr okafor"})
    assert page.status_code == 200
    assert list(page.context["page"]) == [okafor]
    assert page.context["page"][0].claim_count == 3
    fragment = client.get(reverse("speaker-list"), {"q": "müller"}, headers={"HX-Request": "true"})
    assert b'id="speaker-table"' in fragment.content and b"Hannah M" in fragment.content
    assert b"<html" not in fragment.content


def test_outsiders_see_no_speakers_and_viewers_change_nothing(client, outsider, viewer, okafor):
    login(client, outsider)
    assert client.get(reverse("speaker-list")).status_code == 403
    assert client.get(reverse("speaker-detail", args=[okafor.pk])).status_code == 403
    login(client, viewer)
    other = speaker("Okafor Hospital Trust", kind=Speaker.Kind.ORGANISATION)
    posted = client.post(reverse("speaker-merge", args=[okafor.pk]), {"other": other.pk})
    assert posted.status_code == 403
    assert client.get(reverse("speaker-merge", args=[okafor.pk])).status_code == 405
    assert not Speaker.objects.filter(merged_into__isnull=False).exists()


def test_an_editor_merges_a_record_and_the_history_says_so(client, editor, okafor, make_article):
    article = make_article(["Dr A. Okafor said the plan was late."], title="Plan",
                           url="https://www.dailyexample.com/news/plan")  # fmt: skip
    duplicate = speaker("Dr A. Okafor")
    article.claims.update(speaker="Dr A. Okafor", speaker_record=duplicate)
    login(client, editor)
    response = client.post(reverse("speaker-merge", args=[okafor.pk]), {"other": duplicate.pk})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == okafor
    assert Claim.objects.filter(speaker_record=okafor).count() == 4
    assert "Dr A. Okafor" in okafor.alias_names
    page = client.get(reverse("speaker-detail", args=[okafor.pk])).content.decode()
    assert "merged Dr A. Okafor (#" in page and "1 claim moved" in page
    # The merged record's page leads to the one it was merged into.
    assert client.get(reverse("speaker-detail", args=[duplicate.pk]))["Location"].endswith(
        reverse("speaker-detail", args=[okafor.pk])
    )


def test_an_editor_splits_names_off_with_their_claims(client, editor, okafor):
    login(client, editor)
    response = client.post(
        reverse("speaker-split", args=[okafor.pk]), {"aliases": ["Okafor"], "name": "Chidi Okafor"}
    )
    new = Speaker.objects.get(name="Chidi Okafor")
    assert response["Location"] == reverse("speaker-detail", args=[new.pk])
    assert list(new.claims.values_list("speaker", flat=True)) == ["Okafor"]
    assert okafor.claims.count() == 2
    assert "Okafor" not in okafor.alias_names
    assert okafor.history.first().history_change_reason.startswith("split Okafor off into")
    # Splitting every name off is refused.
    client.post(reverse("speaker-split", args=[new.pk]), {"aliases": ["Okafor", "Chidi Okafor"]})
    assert new.claims.count() == 1


def test_an_editor_edits_aliases_and_the_wikidata_id_with_history(client, editor, okafor):
    login(client, editor)
    data = {"name": "Amara Okafor", "kind": "person", "role": "medical director",
            "wikidata_id": "Q42", "aliases": "Dr Okafor\nDr Amara Okafor\n"}  # fmt: skip
    assert client.post(reverse("speaker-edit", args=[okafor.pk]), data).status_code == 302
    okafor.refresh_from_db()
    assert okafor.wikidata_id == "Q42" and okafor.role == "medical director"
    assert okafor.alias_names == ["Dr Amara Okafor", "Dr Okafor"]
    reason = okafor.history.first().history_change_reason
    assert "alias Dr Amara Okafor added" in reason and "alias Okafor removed" in reason
    bad = client.post(reverse("speaker-edit", args=[okafor.pk]), {**data, "wikidata_id": "42"})
    assert bad.status_code == 200 and "A Wikidata id looks like Q42." in bad.content.decode()


def test_the_claims_list_filters_by_speaker_record(client, viewer, okafor, make_article):
    make_article(["Someone else said 5 beds were empty."], title="Beds",
                 url="https://www.dailyexample.com/news/beds")  # fmt: skip
    page = login(client, viewer).get(reverse("claim-list"), {"speaker_id": okafor.pk})
    assert page.status_code == 200
    assert {c.speaker_record_id for c in page.context["page"]} == {okafor.pk}
    assert len(page.context["page"]) == 3
    # The filter stays when other filters change.
    assert f'name="speaker_id" value="{okafor.pk}"' in page.content.decode()


def test_a_correction_picks_the_speaker_from_the_records(client, fact_checker, okafor):
    claim = okafor.claims.get(speaker="Okafor")
    other = speaker("Hannah Müller", "Ms Müller")
    Claim.objects.filter(article=claim.article).exclude(pk=claim.pk).update(speaker_record=other)
    login(client, fact_checker)
    form = client.get(reverse("claim-panel", args=[claim.pk]), headers={"HX-Request": "true"})
    assert 'name="record"' in form.content.decode()
    data = {"field": "speaker", "value": "", "record": other.pk, "reason": "She said it",
            "basis": edits.basis_of(claim, "speaker"), "record_basis": okafor.pk}  # fmt: skip
    client.post(reverse("claim-correct", args=[claim.pk]), data)
    claim.refresh_from_db()
    assert claim.speaker_record == other and claim.speaker == "Hannah Müller"
    assert "speaker_record" in claim.corrected_fields
    event = ClaimEvent.objects.filter(claim=claim, data__field="speaker_record").get()
    assert event.data["new"] == other.pk and event.data["old"] == okafor.pk


def test_the_admin_lists_speakers_and_merges_them_through_the_same_service(client, editor, okafor):
    editor.is_staff = True
    editor.save()
    duplicate = speaker("Dr A. Okafor")
    login(client, editor)
    page = client.get("/admin/claims/speaker/", {"q": "Dr Okafor"})
    assert page.status_code == 200 and b"Amara Okafor" in page.content
    assert client.get("/admin/claims/speakeralias/").status_code == 200
    data = {"action": "merge_into_first", "_selected_action": [okafor.pk, duplicate.pk]}
    assert client.post("/admin/claims/speaker/", data).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == okafor
    assert duplicate.history.first().history_change_reason.startswith("merged into Amara Okafor")


# --- A pick carries the speaker it was made on (lost-update basis) ------------------------


def _pick(client, claim: Claim, record: Speaker, *, basis: str, record_basis: str):
    data = {"field": "speaker", "value": claim.speaker, "record": record.pk, "reason": "video",
            "basis": basis, "record_basis": record_basis}  # fmt: skip
    return client.post(reverse("claim-correct", args=[claim.pk]), data, HTTP_HX_REQUEST="true")


def test_the_speaker_form_carries_the_record_it_showed(client, fact_checker, okafor):
    claim = okafor.claims.get(speaker="Okafor")
    login(client, fact_checker)
    panel = client.get(reverse("claim-panel", args=[claim.pk]), headers={"HX-Request": "true"})
    assert f'name="record_basis" value="{okafor.pk}"' in panel.content.decode()


def test_a_pick_over_a_record_picked_since_is_refused_and_says_so(
    client, editor, fact_checker, okafor
):
    claim = okafor.claims.get(speaker="Okafor")
    shown = (edits.basis_of(claim, "speaker"), str(okafor.pk))  # what both panels showed
    muller, college = speaker("Hannah Müller", "Ms Müller"), speaker("Royal College")
    others = Claim.objects.filter(article=claim.article).exclude(pk=claim.pk)
    others.update(speaker_record=college)  # so the panel offers it
    editing.pick_speaker(claim=claim, speaker=muller, by=editor, basis=shown[0],
                         record_basis=shown[1])  # fmt: skip
    login(client, fact_checker)

    response = _pick(client, claim, college, basis=shown[0], record_basis=shown[1])

    assert "Not saved: someone changed the speaker to Hannah Müller (record Hannah Müller" in (
        response.content.decode()
    )
    claim.refresh_from_db()
    assert claim.speaker_record == muller and claim.speaker == "Hannah Müller"
    assert ClaimEvent.objects.filter(claim=claim, data__field="speaker_record").count() == 1


def test_a_pick_over_a_stated_speaker_corrected_since_is_refused(
    client, editor, fact_checker, okafor
):
    claim = okafor.claims.get(speaker="Okafor")
    shown = edits.basis_of(claim, "speaker")
    edits.correct_claim(claim=claim, field="speaker", value="Dr Okafor", by=editor, basis=shown)
    login(client, fact_checker)

    muller = speaker("Hannah Müller")
    Claim.objects.filter(article=claim.article).exclude(pk=claim.pk).update(speaker_record=muller)
    response = _pick(client, claim, muller, basis=shown, record_basis=str(okafor.pk))

    assert "Not saved: someone changed the speaker to Dr Okafor" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).speaker == "Dr Okafor"


def test_a_pick_based_on_the_current_speaker_is_saved(client, fact_checker, okafor):
    claim = okafor.claims.get(speaker="Okafor")
    muller = speaker("Hannah Müller")
    Claim.objects.filter(article=claim.article).exclude(pk=claim.pk).update(speaker_record=muller)
    login(client, fact_checker)

    _pick(client, claim, muller, basis=edits.basis_of(claim, "speaker"),
          record_basis=str(okafor.pk))  # fmt: skip

    assert Claim.objects.get(pk=claim.pk).speaker_record == muller


def test_a_pick_without_its_record_basis_is_refused(client, fact_checker, okafor):
    claim = okafor.claims.get(speaker="Okafor")
    muller = speaker("Hannah Müller")
    Claim.objects.filter(article=claim.article).exclude(pk=claim.pk).update(speaker_record=muller)
    login(client, fact_checker)
    data = {"field": "speaker", "value": "Okafor", "record": muller.pk, "reason": "video",
            "basis": "Okafor"}  # fmt: skip

    response = client.post(reverse("claim-correct", args=[claim.pk]), data, HTTP_HX_REQUEST="true")

    assert "This form is out of date: reload the page." in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).speaker_record == okafor
