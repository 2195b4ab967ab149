"""The desk dashboard (``/dashboard/``): how the verification desk is doing, as SVG
charts drawn on the server, each with a table of its numbers and their CSV
(``/dashboard/<chart>.csv``). The figures are ``claims/dashboard/figures.py``; the
drawing is ``claims/dashboard/svg.py``."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from claims.dashboard import figures, svg
from claims.models import Article
from claims.publication.exports import neutralise
from claims.web.access import require
from claims.web.forms import SearchField, reviewers

RANGES = [
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("custom", "Custom"),
]
LONGEST = 366


class DashboardForm(forms.Form):
    range = forms.ChoiceField(choices=RANGES, required=False, initial="30")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outlet = SearchField(label="Outlet")
    assignee = forms.ModelChoiceField(
        queryset=reviewers(), required=False, empty_label="Anyone", label="Assignee"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = reviewers().order_by("username")
        self.fields["outlet"].widget.attrs["list"] = "outlets"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        today = timezone.localdate()
        chosen = data.get("range") or "30"
        if chosen == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("A custom range needs a start and an end date.")
            if start > end:
                raise forms.ValidationError("The start date must not be after the end date.")
            if (end - start).days >= LONGEST:
                raise forms.ValidationError(f"A range is at most {LONGEST} days.")
            if end > today:
                raise forms.ValidationError("The range cannot end after today.")
        else:
            end = today
            start = today - timedelta(days=int(chosen) - 1)
        data["start"], data["end"], data["range"] = start, end, chosen
        return data

    def desk_filter(self) -> figures.DeskFilter:
        data = self.cleaned_data
        assignee = data.get("assignee")
        return figures.DeskFilter(
            start=data["start"],
            end=data["end"],
            outlet=data.get("outlet") or "",
            assignee_id=assignee.pk if assignee else None,
        )


def draw(figure: figures.Figure) -> str:
    """The figure as SVG."""
    names = list(figure.series)
    series = [
        svg.Series(name, tuple(figure.series[name]), figure.colours.get(name, "")) for name in names
    ]
    if figure.kind in ("area", "lines"):
        return svg.area_chart(
            figure.key, figure.title, figure.desc, figure.labels, series,
            stacked=figure.kind == "area",
        )  # fmt: skip
    if figure.kind in ("bars", "stacked-bars"):
        return svg.bar_chart(figure.key, figure.title, figure.desc, figure.labels, series)
    first = figure.series[names[0]] if names else []
    share = figure.series.get("Share contradicted")
    rows = []
    for index, label in enumerate(figure.labels):
        value = first[index] or 0.0
        text = f"{value:,.0f}"
        if share is not None:
            checked = value + (figure.series["Confirmed"][index] or 0.0)
            text = f"{value:,.0f} of {checked:,.0f} checked ({share[index] or 0.0:.0%})"
        rows.append((label, value, text))
    return svg.hbar_chart(figure.key, figure.title, figure.desc, rows)


def _form(request: HttpRequest) -> DashboardForm:
    return DashboardForm(request.GET or None) if request.GET else DashboardForm({"range": "30"})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request, "view_claim")
    form = _form(request)
    charts = []
    if form.is_valid():
        desk = form.desk_filter()
        query = request.GET.urlencode()
        claims_url = reverse("claim-list")
        for figure in figures.all_figures(desk):
            charts.append(
                {
                    "figure": figure,
                    "svg": mark_safe(draw(figure)),  # built from escape()d text only
                    "csv": f"{reverse('dashboard-csv', args=[figure.key])}?{query}",
                    "link": f"{claims_url}?{figure.link}" if figure.link else "",
                    "rows": [
                        (
                            row[0],
                            f"{claims_url}?{figure.links[row[0]]}"
                            if row[0] in figure.links
                            else "",
                            figure.pages.get(row[0], ""),
                            row[1:],
                        )
                        for row in figure.rows()
                    ],
                }
            )
    outlets = Article.objects.exclude(outlet="").order_by("outlet").values_list("outlet", flat=True)
    context = {
        "form": form,
        "charts": charts,
        "outlets": outlets.distinct()[:200],
        "desk": form.desk_filter() if form.is_valid() else None,
    }
    return render(request, "claims/dashboard.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, key: str) -> HttpResponse:
    """One chart's numbers as CSV: the same rows as its table."""
    require(request, "view_claim")
    if key not in figures.KEYS:
        raise Http404("No such chart.")
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    desk = form.desk_filter()
    figure = figures.one(desk, key)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"dashboard-{key}-{desk.start:%Y-%m-%d}-to-{desk.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(figure.columns)
    for row in figure.rows():
        writer.writerow([_cell(value) for value in row])
    return response


def _cell(value: Any) -> Any:
    if value is None:  # nothing to show there (a week without a decision)
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/<slug:key>.csv", dashboard_csv, name="dashboard-csv"),
]
