"""``GET /api/speakers/`` and ``GET /api/speakers/<id>/``: the speaker records, with
their names, aliases, kind and number of claims (issue 32). Paged, authenticated and
answered as the rest of the API (``claims.api.views``); filter the claims of one with
``/api/claims/?speaker_id=<id>``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path

from claims.api import forms as api_forms
from claims.api.views import (
    _base_url,
    _invalid,
    _json,
    _no_parameters,
    api_auth,
    endpoint,
    paginated,
)
from claims.models import Speaker
from claims.publication import serialisers
from claims.web.access import require


@api_auth()
def speaker_list(request: HttpRequest) -> HttpResponseBase:
    require(request, "view_speaker")
    form = api_forms.bind(api_forms.SpeakerListForm, request.GET)
    if not form.is_valid():
        return _invalid(form)
    speakers = Speaker.objects.current().with_claim_count().prefetch_related("aliases")
    return paginated(request, form, form.filter(speakers), serialisers.SPEAKER)


@api_auth()
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "view_speaker")
    speakers = Speaker.objects.with_claim_count().prefetch_related("aliases")
    speaker = get_object_or_404(speakers, pk=pk)
    refused = _no_parameters(request)
    return refused or _json(serialisers.SPEAKER.data(speaker, base_url=_base_url(request)))


urlpatterns = [
    path("api/speakers/", endpoint(GET=speaker_list), name="api-speaker-list"),
    path("api/speakers/<str:pk>/", endpoint(GET=speaker_detail), name="api-speaker-detail"),
]
