"""``extract(text)``: blocks -> parse -> claims, with offsets into the original text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from claims.nlp import attribution as attribution_mod
from claims.nlp import blocks as blocks_mod
from claims.nlp import entities as entities_mod
from claims.nlp.attribution import ATTRIBUTION_KEY, Found, Lexicon
from claims.nlp.components import (
    CLAIMS_KEY,
    AttributionTagger,
    CheckworthinessScorer,
    HedgeTagger,
    component,
)
from claims.nlp.doctext import doc_text
from claims.nlp.factuality import ASSERTED
from claims.nlp.hedges import CUES_KEY, FACTUALITY_KEY, GOVERNING_KEY
from claims.nlp.model import get_nlp, resolve_model_name
from claims.nlp.records import (
    Attribution,
    Claim,
    Dropped,
    Entity,
    Extraction,
    InputRefused,
    Span,
)
from claims.nlp.speakers import SpeakerMemory
from claims.nlp.standalone import spoken, standalone
from claims.text import normalising

PIPELINE_VERSION = "1.1.0"
CONTEXT_CHARS = 32
# Blocks parsed per batch. The model's layers are much cheaper per word on a batch of a
# few dozen blocks than on 8 (the model alone on bench/pipeline.py's articles: batches of
# 8 blocks took 1.17x the CPU time of nlp.pipe on whole articles, 32 or more 0.90-0.96x),
# so most articles are one batch; progress is reported per block as each batch's docs
# come out, so on a long text it moves every PIPE_BATCH blocks.
PIPE_BATCH = 64
SPEAKER_LABEL = "speaker_label"  # a dropped "PENCE:" line; what follows is the statement
STATEMENT = "statement"  # the claim type of attributed speech (data/claim_types.json)
# A short line without final punctuation is a heading unless it has one of these:
# headlines use the present tense, and "A city upended" (tagged VBD) is not a clause.
FINITE_TAGS = frozenset({"VBZ", "VBP", "MD"})

Progress = Callable[[int, int], None]


@dataclass
class _Draft:
    """A claim being assembled; occurrences grow as repeats are found."""

    claim: Claim
    occurrences: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _State:
    text: str
    threshold: float
    hedging: frozenset[str]
    pronouns: frozenset[str]
    role_nouns: frozenset[str]
    lexicon: Lexicon
    speakers: SpeakerMemory = field(default_factory=SpeakerMemory)
    drafts: dict[str, _Draft] = field(default_factory=dict)
    # block index -> [(relative start, relative end, claim key)] for duplicate blocks
    block_sentences: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    # what a paragraph leaves open for the next one (see _carry_attributions)
    open_quote: _OpenQuote | None = None
    open_turn: _OpenTurn | None = None

    def interrupt(self) -> None:
        """A heading, a repeated or a non-text block: no voice goes on past it."""
        self.open_quote = self.open_turn = None


def extract(
    text: str,
    *,
    model: str | None = None,
    threshold: float | None = None,
    progress: Progress | None = None,
) -> Extraction:
    """Claims, hedges, attributions and entities of ``text`` as plain records."""
    _check_input(text)
    nlp = get_nlp(model)
    scorer = component(nlp, "wb_checkworthiness", CheckworthinessScorer)
    cut = scorer.model.threshold if threshold is None else threshold
    lex = component(nlp, "wb_attribution", AttributionTagger)
    state = _State(
        text=text,
        threshold=cut,
        hedging=component(nlp, "wb_hedges", HedgeTagger).rules.hedging_values,
        pronouns=lex.pronouns,
        role_nouns=lex.role_nouns,
        lexicon=lex.lex,
    )
    blocks = blocks_mod.split_blocks(text)
    _raise_max_length(nlp, blocks)
    if progress is not None:
        progress(0, len(blocks))  # the total is known before the first block is parsed
    with nlp.memory_zone():
        docs = _parse(nlp, text, blocks)
        for index, block in enumerate(blocks):
            _process_block(state, index, block, docs)
            if progress is not None:
                progress(index + 1, len(blocks))
    claims = [_finish(d) for d in state.drafts.values()]
    return Extraction(PIPELINE_VERSION, resolve_model_name(model), claims, state.dropped)


def _check_input(text: object) -> None:
    if not isinstance(text, str):
        raise InputRefused(f"Expected text (a Python str), got {type(text).__name__}.")
    if "\x00" in text:
        raise InputRefused("The text contains NUL characters; it looks like binary data.")


def _raise_max_length(nlp: Language, blocks: list[blocks_mod.Block]) -> None:
    longest = max((b.end - b.start for b in blocks), default=0)
    if longest >= nlp.max_length:
        nlp.max_length = longest + 1


def _parse(nlp: Language, text: str, blocks: list[blocks_mod.Block]) -> Iterator[Doc]:
    texts = (text[b.start : b.end] for b in blocks if b.kind == blocks_mod.TEXT)
    return nlp.pipe(texts, batch_size=PIPE_BATCH)


def _process_block(
    state: _State,
    index: int,
    block: blocks_mod.Block,
    docs: Iterator[Doc],
) -> None:
    piece = state.text[block.start : block.end]
    if block.kind == blocks_mod.TEXT:
        doc = next(docs)
        if block.maybe_heading and not _has_finite_verb(doc):
            state.interrupt()
            state.block_sentences[index] = []
            state.dropped.append(Dropped(piece, block.start, block.end, blocks_mod.HEADING))
            return
        state.block_sentences[index] = _read_doc(state, doc, block.start)
    elif block.kind == blocks_mod.DUPLICATE:
        assert block.original is not None  # split_blocks gives every duplicate its original
        sentences = state.block_sentences[block.original]
        for rel_start, rel_end, key in sentences:
            state.drafts[key].occurrences.append((block.start + rel_start, block.start + rel_end))
        state.dropped.append(Dropped(piece, block.start, block.end, "duplicate"))
        state.interrupt()
    else:
        state.dropped.append(Dropped(piece, block.start, block.end, block.kind))
        state.interrupt()


def _has_finite_verb(doc: Doc) -> bool:
    return any(t.tag_ in FINITE_TAGS for t in doc)


def _read_doc(state: _State, doc: Doc, offset: int) -> list[tuple[int, int, str]]:
    """Turn one parsed block into claims/occurrences; return its sentences' positions."""
    marks = _DocMarks.of(doc, offset)
    sentences = []
    read: list[tuple[SpacySpan, str | Attribution]] = []  # a new claim's key, or a label
    for sent in doc.spans[CLAIMS_KEY]:
        start, end = _trimmed(sent)
        label = attribution_mod.speaker_label(sent, state.lexicon)
        if label is not None:
            bounds = offset + start, offset + end
            state.dropped.append(Dropped(state.text[slice(*bounds)], *bounds, SPEAKER_LABEL))
            read.append((sent, _found(state, label, offset)))
            continue
        key = normalising.for_duplicates(state.text[offset + start : offset + end])
        entities = _entities(sent, offset)
        state.speakers.observe(sent, offset)
        if key not in state.drafts:
            claim = _new_claim(state, sent, (offset + start, offset + end), entities, marks)
            state.drafts[key] = _Draft(claim)
            read.append((sent, key))
        state.drafts[key].occurrences.append((offset + start, offset + end))
        sentences.append((start, end, key))
    _carry_attributions(state, doc, offset, read)
    return sentences


def _carry_attributions(
    state: _State, doc: Doc, offset: int, read: list[tuple[SpacySpan, str | Attribution]]
) -> None:
    """Give a claim with no attribution of its own the voice it is spoken in:

    - the rest of a speaker's turn: the sentences after a "PENCE:" label, or after a
      "PENCE: ..." sentence;
    - the other sentences of a quotation that runs over several sentences, when one of
      them names its speaker outside the quotation marks ('"A. B," X said.' and
      'X said: "A. B."');
    - a sentence that is wholly a quotation, right after a sentence whose attributed
      content is quoted ('"A," X said. "B."');
    - across paragraphs, a quotation the paragraph leaves open and the next one opens
      again (:class:`_OpenQuote`), and a turn that goes on in unlabelled paragraphs up
      to the next speaker's label (:class:`_OpenTurn`).
    """
    regions = attribution_mod.quote_regions(doc)
    continued = state.open_quote if _continues_quote(doc, regions, state.open_quote) else None
    waiting_turn, state.open_quote, state.open_turn = state.open_turn, None, None
    labelled = _opens_turn(state, doc, offset, read)
    if waiting_turn is not None and labelled:  # the transcript went on: the turn did too
        for key, lo, hi in waiting_turn.waiting:
            _give_voice(state, key, waiting_turn.voice, lo, hi, quoted=False)
    turn: Attribution | None = None
    previous: Attribution | None = None  # the last claim's attribution, if quoted speech
    unvoiced: list[tuple[SpacySpan, str, tuple[int, int] | None]] = []
    for sent, entry in read:
        if isinstance(entry, Attribution):
            turn, previous = entry, None
            continue
        draft = state.drafts[entry]
        own = draft.claim.attribution
        region = _region_of(sent, regions)
        if own is not None:
            if own.cue == ":" and _labels_turn(own, doc, offset):
                turn = own
            previous = own if _quoted_content(own, doc, offset, regions) else None
            continue
        source = (
            turn
            or _quote_speaker(state, doc, offset, region, read)
            or (previous if region is not None and _wholly_quoted(sent, region) else None)
            or (continued.voice if continued is not None and region == regions[0] else None)
        )
        if source is None:
            unvoiced.append((sent, entry, region))
            previous = None
            continue
        _give_voice(state, entry, source, *_content(doc, offset, sent, region), region is not None)
        previous = source if region is not None else None
    if continued is not None:
        _close_quote(state, doc, offset, read, regions[0], continued, unvoiced)
    if regions and regions[-1][1] == len(doc):  # left open: it may go on in the next one
        earlier = continued if continued is not None and regions[-1] == regions[0] else None
        _open_quote(state, doc, offset, read, regions[-1], unvoiced, earlier)
    if turn is not None:
        state.open_turn = _OpenTurn(turn, [])
    elif waiting_turn is not None and not labelled and _speaks_in_person(doc):
        waiting = [(key, *_content(doc, offset, sent, None)) for sent, key, _ in unvoiced]
        state.open_turn = _OpenTurn(waiting_turn.voice, waiting_turn.waiting + waiting)


@dataclass
class _OpenQuote:
    """A quotation a paragraph leaves open for the next one to go on with (the news
    convention for a quotation over several paragraphs: no closing mark at the end of
    each paragraph but the last, an opening mark at the start of each next one): its
    speaker, if known yet, and its claims still waiting for one."""

    voice: Attribution | None
    waiting: list[tuple[str, int, int]]  # claim key, content start and end
    mark: str  # the quotation mark that opened it


@dataclass
class _OpenTurn:
    """A speaker's turn at the end of a paragraph, and the claims of the unlabelled
    paragraphs after it. They are given the turn only when a later paragraph opens with
    another speaker's label, so that a transcript's long turn goes on but the narration
    after a quoted exchange does not; and only while each such paragraph speaks in the
    first or second person, as a speaker does and a reporter rarely."""

    voice: Attribution
    waiting: list[tuple[str, int, int]]


def _continues_quote(
    doc: Doc, regions: list[tuple[int, int]], open_quote: _OpenQuote | None
) -> bool:
    """Whether the paragraph goes on with the quotation the last one left open: it
    opens with the same quotation mark (its first quotation starts at its first word).
    A different mark is a stray one: a page whose quotations are curly and whose
    paragraphs begin with a straight mark left over from copying continues nothing."""
    first = next((t for t in doc if not t.is_space), None)
    return (
        open_quote is not None
        and first is not None
        and bool(regions)
        and regions[0][0] == first.i + 1
        and first.text == open_quote.mark
    )


def _close_quote(
    state: _State,
    doc: Doc,
    offset: int,
    read: list[tuple[SpacySpan, str | Attribution]],
    region: tuple[int, int],
    continued: _OpenQuote,
    unvoiced: list[tuple[SpacySpan, str, tuple[int, int] | None]],
) -> None:
    """The quotation going on from earlier paragraphs: when its speaker is named only
    now (in this paragraph's part of it), the earlier parts are that speaker's too."""
    if continued.voice is not None:
        return
    voice = _quote_speaker(state, doc, offset, region, read)
    if voice is None:
        return
    for key, lo, hi in continued.waiting:
        _give_voice(state, key, voice, lo, hi, quoted=True)
    for sent, key, at in unvoiced:
        if at == region:
            _give_voice(state, key, voice, *_content(doc, offset, sent, at), quoted=True)


def _open_quote(
    state: _State,
    doc: Doc,
    offset: int,
    read: list[tuple[SpacySpan, str | Attribution]],
    region: tuple[int, int],
    unvoiced: list[tuple[SpacySpan, str, tuple[int, int] | None]],
    earlier: _OpenQuote | None,
) -> None:
    """Leave the paragraph's last quotation open for the next paragraph; ``earlier`` is
    the quotation it goes on with from before, if any (a quote over three or more
    paragraphs keeps its speaker, or its claims still waiting for one)."""
    voice = _quote_speaker(state, doc, offset, region, read)
    if voice is None and earlier is not None:
        voice = earlier.voice
    waiting = []
    if voice is None:
        waiting = (earlier.waiting if earlier else []) + [
            (key, *_content(doc, offset, sent, at)) for sent, key, at in unvoiced if at == region
        ]
    state.open_quote = _OpenQuote(voice, waiting, doc[region[0] - 1].text)


def _opens_turn(
    state: _State, doc: Doc, offset: int, read: list[tuple[SpacySpan, str | Attribution]]
) -> bool:
    """Whether the paragraph opens with a speaker's label ("PENCE:")."""
    if not read:
        return False
    entry = read[0][1]
    if isinstance(entry, Attribution):
        return True
    own = state.drafts[entry].claim.attribution
    return own is not None and own.cue == ":" and _labels_turn(own, doc, offset)


def _speaks_in_person(doc: Doc) -> bool:
    return any(
        t.pos_ == "PRON" and set(t.morph.get("Person")) & {"1", "2"}  # type: ignore[call-arg]  # spaCy's stub: default is optional
        for t in doc
    )


def _content(
    doc: Doc, offset: int, sent: SpacySpan, region: tuple[int, int] | None
) -> tuple[int, int]:
    """A carried voice's content in the article: the sentence, or its part of the
    quotation."""
    lo, hi = sent.start, sent.end
    if region is not None:
        lo, hi = max(lo, region[0]), min(hi, region[1])
    content = attribution_mod.trim(doc, lo, hi) or sent
    return offset + content.start_char, offset + content.end_char


def _give_voice(
    state: _State, key: str, source: Attribution, start: int, end: int, quoted: bool
) -> None:
    """Make ``source`` (another sentence's speaker and cue) the claim's attribution."""
    draft = state.drafts[key]
    carried = replace(source, content_start=start, content_end=end)
    draft.claim = replace(
        draft.claim,
        attribution=carried,
        attributions=[carried],
        claim_type=STATEMENT,
        standalone=spoken(carried, draft.claim.text, quoted=quoted),
    )


def _labels_turn(label: Attribution, doc: Doc, offset: int) -> bool:
    """A "Name: statement" line whose name may speak the lines after it too."""
    name = doc.char_span(label.speaker_start - offset, label.speaker_end - offset)
    return name is not None and attribution_mod.person_like(name)


def _region_of(sent: SpacySpan, regions: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The quotation holding most of the sentence's words, if any holds half of them."""
    words = [t.i for t in sent if not t.is_punct and not t.is_space]
    best, count = None, 0
    for start, end in regions:
        n = sum(start <= i < end for i in words)
        if n > count:
            best, count = (start, end), n
    return best if words and count * 2 >= len(words) else None


def _wholly_quoted(sent: SpacySpan, region: tuple[int, int]) -> bool:
    return all(region[0] <= t.i < region[1] for t in sent if not t.is_punct and not t.is_space)


def _quote_speaker(
    state: _State,
    doc: Doc,
    offset: int,
    region: tuple[int, int] | None,
    read: list[tuple[SpacySpan, str | Attribution]],
) -> Attribution | None:
    """The attribution of another sentence of the same quotation whose cue stands
    outside the quotation marks and whose content lies inside them."""
    if region is None:
        return None
    lo, hi = doc[region[0]].idx + offset, doc[region[1] - 1].idx + offset + 1
    for sent, entry in read:
        if isinstance(entry, Attribution) or not (sent.start < region[1] and region[0] < sent.end):
            continue
        found = state.drafts[entry].claim.attribution
        if found is None or found.content_start is None or found.content_end is None:
            continue
        outside = not lo <= found.cue_start < hi
        if outside and found.content_start < hi and lo < found.content_end:
            return found
    return None


def _quoted_content(
    found: Attribution, doc: Doc, offset: int, regions: list[tuple[int, int]]
) -> bool:
    if found.content_start is None or found.content_end is None:
        return False
    for start, end in regions:
        lo, hi = doc[start].idx + offset, doc[end - 1].idx + offset + 1
        if found.content_start < hi and lo < found.content_end and not lo <= found.cue_start < hi:
            return True
    return False


@dataclass(frozen=True)
class _DocMarks:
    """A block's cue and attribution spans, read once, with token bounds for lookup."""

    cues: list[tuple[int, int, str, Span]]
    governing: list[tuple[int, int, str, Span]]
    values: dict[int, str]
    attributions: list[tuple[int, str, SpacySpan]]
    every: list[Found]
    offset: int

    @classmethod
    def of(cls, doc: Doc, offset: int) -> _DocMarks:
        def read(key: str) -> list[tuple[int, int, str, Span]]:
            return [
                (c.start, c.end, c.label_, Span(c.text, offset + c.start_char, offset + c.end_char))
                for c in doc.spans.get(key, [])
            ]

        attributions = [(s.start, s.label_, s) for s in doc.spans.get(ATTRIBUTION_KEY, [])]
        values = {s.start: s.label_ for s in doc.spans.get(FACTUALITY_KEY, [])}
        every = doc._.wb_attributions or []
        return cls(read(CUES_KEY), read(GOVERNING_KEY), values, attributions, every, offset)

    def cues_in(
        self, sent: SpacySpan, labels: frozenset[str] | set[str], governing: bool = False
    ) -> list[Span]:
        spans = self.governing if governing else self.cues
        return [
            span
            for start, end, label, span in spans
            if sent.start <= start and end <= sent.end and label in labels
        ]

    def factuality(self, sent: SpacySpan) -> str:
        return self.values.get(sent.start, ASSERTED)

    def every_in(self, sent: SpacySpan) -> list[Found]:
        return [f for f in self.every if sent.start <= f.cue.start < sent.end]

    def attribution_in(self, sent: SpacySpan) -> dict[str, SpacySpan]:
        return {
            label: span
            for start, label, span in self.attributions
            if sent.start <= start < sent.end
        }


def _trimmed(sent: SpacySpan) -> tuple[int, int]:
    words = [t for t in sent if not t.is_space]
    return words[0].idx, words[-1].idx + len(words[-1].text)


def _new_claim(
    state: _State,
    sent: SpacySpan,
    bounds: tuple[int, int],
    entities: list[Entity],
    marks: _DocMarks,
) -> Claim:
    start, end = bounds
    score = round(float(sent._.wb_checkworthiness or 0.0), 4)
    value = marks.factuality(sent)
    main = _attribution(state, marks.attribution_in(sent), marks.offset)
    others = [_found(state, f, marks.offset) for f in marks.every_in(sent)]
    attributions = [a for a in others if main is None or a.cue_start != main.cue_start]
    attributions = sorted([main, *attributions] if main else attributions, key=_cue_order)
    text = state.text[start:end]
    return Claim(
        text=text,
        start=start,
        end=end,
        prefix=state.text[max(0, start - CONTEXT_CHARS) : start],
        suffix=state.text[end : end + CONTEXT_CHARS],
        sentence_index=len(state.drafts),
        checkworthiness=score,
        check_worthy=score >= state.threshold,
        claim_type=sent.label_,
        hedged=value in state.hedging,
        hedge_cues=marks.cues_in(sent, state.hedging),
        attribution=main,
        entities=entities,
        factuality=value,
        factuality_cues=marks.cues_in(sent, {value}, governing=True),
        attributions=attributions,
        standalone=standalone(text, start, main),
    )


def _cue_order(attribution: Attribution) -> int:
    return attribution.cue_start


def _entities(sent: SpacySpan, offset: int) -> list[Entity]:
    found, text = [], doc_text(sent.doc)
    for e in sent.ents:  # a figure's currency sign and unit stay with it ("£31,200")
        start, end = entities_mod.widened(text, e.start_char, e.end_char, e.label_)
        found.append(Entity(text[start:end], e.label_, offset + start, offset + end))
    return found


def _attribution(
    state: _State, spans: dict[str, SpacySpan] | None, offset: int
) -> Attribution | None:
    if not spans or "CUE" not in spans:
        return None
    mention = spans.get("SPEAKER") or spans.get("SPEAKER_PRONOUN")
    if mention is None:
        return None
    return _record(state, mention, spans["CUE"], spans.get("CONTENT"), offset)


def _found(state: _State, found: Found, offset: int) -> Attribution:
    named = found.antecedent  # "Barkley, who said": the mention is "who", the speaker Barkley
    return _record(state, found.speaker, found.cue, found.content, offset, named)


def _record(
    state: _State,
    mention: SpacySpan,
    cue: SpacySpan,
    content: SpacySpan | None,
    offset: int,
    named: SpacySpan | None = None,
) -> Attribution:
    if named is not None:
        speaker = state.speakers.named(named, _is_person(named), offset)
    elif len(mention) == 1 and mention[0].lower_ in state.pronouns:
        speaker = state.speakers.resolve_pronoun(mention, offset)
    elif _is_role(mention, state.role_nouns):
        speaker = state.speakers.resolve_role(mention, offset)
    else:
        speaker = state.speakers.named(mention, _is_person(mention), offset)
    return Attribution(
        speaker=speaker,
        speaker_start=offset + mention.start_char,
        speaker_end=offset + mention.end_char,
        mention=mention.text,
        cue=cue.text,
        cue_start=offset + cue.start_char,
        cue_end=offset + cue.end_char,
        content_start=offset + content.start_char if content is not None else None,
        content_end=offset + content.end_char if content is not None else None,
    )


def _is_role(span: SpacySpan, roles: frozenset[str]) -> bool:
    """ "the minister", "the party's spokesman": a definite role noun, no name in it."""
    words = [t for t in span if not t.is_punct]
    if len(words) < 2 or words[0].lower_ != "the" or words[-1].lower_ not in roles:
        return False
    return not any(t.ent_type_ in ("PERSON",) or t.pos_ == "PROPN" for t in words[1:])


def _is_person(span: SpacySpan) -> bool:
    if any(t.ent_type_ == "PERSON" for t in span):
        return True
    return all(t.pos_ == "PROPN" for t in span) and not any(t.ent_type_ for t in span)


def _finish(draft: _Draft) -> Claim:
    return replace(draft.claim, occurrences=sorted(draft.occurrences))
