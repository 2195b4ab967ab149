"""``GET /api/speakers/`` and ``GET /api/speakers/<id>/``: the speaker records, with
their names, aliases, kind and number of claims (issue 32). Paged and authenticated as
the rest of the API (``claims.api.views``); filter the claims of one with
``/api/claims/?speaker_id=<id>``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from claims.api.views import _base_url, _invalid, _json, api_auth, paginated
from claims.models import Speaker
from claims.web.access import require
from claims.web.speakers import SpeakerFilterForm


def speaker_data(speaker: Speaker, *, base_url: str) -> dict[str, Any]:
    return {
        "id": speaker.pk,
        "name": speaker.name,
        "aliases": speaker.alias_names,
        "kind": speaker.kind,
        "role": speaker.role,
        "wikidata_id": speaker.wikidata_id or None,
        "claims": speaker.claim_count,
        "claims_url": f"{base_url}/api/claims/?speaker_id={speaker.pk}",
        "url": base_url + speaker.get_absolute_url(),
    }


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def speaker_list(request: HttpRequest) -> HttpResponse:
    require(request, "view_speaker")
    form = SpeakerFilterForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    base_url = _base_url(request)
    speakers = form.filter(
        Speaker.objects.current().with_claim_count().prefetch_related("aliases")
    ).order_by("id")
    return paginated(request, form, speakers, lambda s: speaker_data(s, base_url=base_url))


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "view_speaker")
    speakers = Speaker.objects.with_claim_count().prefetch_related("aliases")
    return _json(speaker_data(get_object_or_404(speakers, pk=pk), base_url=_base_url(request)))


urlpatterns = [
    path("api/speakers/", speaker_list, name="api-speaker-list"),
    path("api/speakers/<int:pk>/", speaker_detail, name="api-speaker-detail"),
]
