"""Publishers: which publisher a host or a wire credit belongs to (``PublisherIndex``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from claims.confirmation import rule as confirmation
from claims.confirmation.rule import PublisherFacts, Wire
from claims.models import (
    Article,
    Evidence,
    Publisher,
    PublisherDomain,
    Source,
    SourceCapture,
)
from claims.sources.fetching import registered_domain


@dataclass(frozen=True)
class PublisherIndex:
    """Publisher families by domain, and the wire credits, read once per use."""

    by_domain: dict[str, str]
    wires: tuple[Wire, ...]

    @classmethod
    def load(cls) -> PublisherIndex:
        by_domain = dict(PublisherDomain.objects.values_list("domain", "publisher__name"))
        credits = Publisher.objects.exclude(wire_credits=[]).values("name", "wire_credits")
        return cls(by_domain, confirmation.compile_wires(list(credits)))

    def family(self, host: str) -> str:
        """The publisher whose domains include ``host`` or one of its parents, or ""."""
        labels = host.lower().rstrip(".").split(".")
        for index in range(len(labels) - 1):
            name = self.by_domain.get(".".join(labels[index:]))
            if name:
                return name
        return ""

    def article(self, article: Article, text_edges: str = "") -> PublisherFacts:
        host = urlsplit(article.url).hostname or "" if article.url else ""
        family = (
            (self.family(host) if host else "")
            or (self.family(article.outlet_domain) if article.outlet_domain else "")
            or self._family_named(article.outlet)
        )
        name = family or article.outlet or article.outlet_domain
        keys = {article.outlet.casefold(), article.outlet_domain.casefold(), family.casefold()}
        if host:  # the URL's own domain too, should it differ from the stored outlet domain
            keys.add(_registered(host))
        wire, credit = confirmation.wire_credit(text_edges, self.wires)
        if wire:
            keys.add(wire.casefold())
        return PublisherFacts(name, frozenset(keys - {""}), credit)

    def source(self, source: Source, capture: SourceCapture | None) -> PublisherFacts:
        host = urlsplit(source.url).hostname or source.domain
        family = self.family(host) if host else ""
        own = family or source.domain or source.publisher
        # A publisher name typed by hand on the source is a key too: more keys can only
        # make a source less independent, never more.
        keys = {own.casefold(), source.domain.casefold(), source.publisher.casefold()}
        wire = capture.wire if capture else ""
        if wire:
            keys.add(wire.casefold())
            return PublisherFacts(wire, frozenset(keys - {""}), capture.wire_credit)
        return PublisherFacts(own, frozenset(keys - {""}))

    def _family_named(self, outlet: str) -> str:
        wanted = outlet.strip().casefold()
        if not wanted:
            return ""
        return next((n for n in set(self.by_domain.values()) if n.casefold() == wanted), "")


def _registered(host: str) -> str:
    try:
        return registered_domain(host).casefold()
    except ValueError:
        return host.casefold()


def detect_wire(text: str, index: PublisherIndex | None = None) -> tuple[str, str]:
    """The wire a captured text credits (name, credit as written), with the admin's list."""
    return confirmation.wire_credit(text, (index or PublisherIndex.load()).wires)


def recompute_wires(*, index: PublisherIndex | None = None) -> int:
    """Mark the latest capture of every source used as evidence with the wire its text
    credits by the current credits (after a publisher's wire credits were edited).
    Returns how many captures changed."""
    index = index or PublisherIndex.load()
    used = Evidence.objects.values_list("source_id", flat=True).distinct()
    changed = 0
    for capture in latest_captures(used).values():
        text = SourceCapture.objects.only("text_compressed").get(pk=capture.pk).text
        wire, credit = confirmation.wire_credit(text, index.wires)
        if (wire, credit[:200]) != (capture.wire, capture.wire_credit):
            SourceCapture.objects.filter(pk=capture.pk).update(wire=wire, wire_credit=credit[:200])
            changed += 1
    return changed


def latest_captures(source_ids: Iterable[int]) -> dict[int, SourceCapture]:
    """The newest capture of each source (text left in the database)."""
    latest: dict[int, SourceCapture] = {}
    captures = (
        SourceCapture.objects.filter(source_id__in=set(source_ids))
        .defer("text_compressed")
        .order_by("source_id", "-fetched_at", "-pk")
    )
    for capture in captures:
        latest.setdefault(capture.source_id, capture)
    return latest
