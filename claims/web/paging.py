"""The lists' pagination: a count that stops at a cap, and pages that compute the rows'
annotations only for the rows shown.

An exact ``COUNT(*)`` of a large result reads every matching row (at 1,000,000 claims,
128 ms for all claims and 400 ms or more for a filtered list), and no index removes it.
``CappedPaginator`` reads the keys of at most ``cap + 1`` matching rows (unsorted: the
filters' own indexes answer it): a result of up to ``cap`` rows is counted exactly; a
larger one is "more than ``cap``" (``capped``), and its pages are walked with
next/previous links, each page reading one row more than it shows to know whether a next
page exists.

A result of up to ``cap`` rows is then paged from its keys (``pk IN (...)``, sorted),
not by walking the sort order's index, whatever the planner guesses of how many rows
match: misled (statistics of a table whose ``search_text`` was still empty), PostgreSQL
walked the whole score index of 1,000,000 claims for a page of a search that matched
nothing, 7 to 18 s per query.

The lists annotate each row with correlated subqueries (counts, flags); a page at an
offset would compute them for every row skipped too. Past the first page, the page's
primary keys are read first (no annotations) and the annotated rows fetched for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedPage(Page):
    """A page of a capped list: whether a next page exists is known from the extra row
    read with it, not from the count."""

    def __init__(
        self, object_list: Sequence[Any], number: int, paginator: Paginator, *, more: bool
    ) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CappedPaginator(Paginator):
    """``Paginator`` with ``count`` exact up to ``cap`` and ``capped`` above it (then
    ``count == cap``, and pages go on past ``num_pages`` while rows remain)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int = COUNT_CAP) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False
        self.keys: list[Any] | None = None  # every matching key, when not capped

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        keys = list(self.object_list.order_by().values_list("pk", flat=True)[: self.cap + 1])
        self.capped = len(keys) > self.cap
        if not self.capped:
            self.keys = keys
        return min(len(keys), self.cap)

    def validate_number(self, number: Any) -> int:
        if self.count and self.capped:  # no last page known: any page from 1 on
            try:
                number = int(number)
            except (TypeError, ValueError) as error:
                raise PageNotAnInteger("That page number is not an integer") from error
            if number < 1:
                raise EmptyPage("That page number is less than 1")
            return number
        return super().validate_number(number)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.capped:
            top = min(bottom + self.per_page, self.count)
            return Page(self._rows(bottom, top), number, self)
        rows = self._rows(bottom, bottom + self.per_page + 1)
        if not rows:
            raise EmptyPage("That page contains no results")
        more = len(rows) > self.per_page
        return CappedPage(rows[: self.per_page], number, self, more=more)

    def _rows(self, bottom: int, top: int) -> Sequence[Any]:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or rows.query.is_sliced:
            return list(rows[bottom:top])
        if self.keys is not None:  # a few matches: sort them, not walk the sort's index
            if not self.keys:
                return []
            rows = rows.filter(pk__in=self.keys)
        if bottom == 0:
            return list(rows[bottom:top])
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        return list(rows.filter(pk__in=keys)) if keys else []


def paginate(object_list: Any, number: Any, per_page: int = 50, *, cap: int | None = None) -> Page:
    """The page ``number`` of ``object_list`` (the last page counted when it is out of
    range, the first when it is not a number), as ``Paginator.get_page`` does; the count
    capped at ``cap`` (``COUNT_CAP``)."""
    paginator = CappedPaginator(object_list, per_page, cap=COUNT_CAP if cap is None else cap)
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)
