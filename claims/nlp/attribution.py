"""Attribution of reported speech from the dependency parse.

Constructions (lexicons in ``data/attribution.json``):

- a speech-act verb with a subject and a content: "X said Y", "Y, X said", "said X",
  "X told reporters Y", "X said in a statement that Y", "X pledged Y", "X denied Y";
  the passive "it was announced by X that Y"; "it said" for a plain reporting verb;
  "X called for Y"; '"...," X continued' (a quote-only verb: never "prices continued
  to rise"); a belief verb with a that-clause in the main clause ("X believes that
  Y"); a judgement verb with its object ("X denounced Y as Z", "X accused Y of Z");
  a participle ("..., saying Y") takes the subject of its verb;
- "according to X, Y", "in X's view, Y", "in the words of X, Y", and a speech noun
  with its owner and clause ("X's claim that Y");
- also "As X reported, Y", a reporting clause ending in a colon, "did say", "by saying",
  "X, who said" (speaker: the named antecedent), "a statement saying", "4 in 10 say",
  "was first reported by X", "X warned of Y", '"Denver," he answered', "X announced Y"
  (``object_report_verbs``) and a digest's "Heading - Name: \u201c...\u201d"; a wire
  dateline is cut from the speaker ("LONDON (Reuters) - Donald Trump said");
- in a sentence without any of these, a capitalised name before a colon ("PENCE:
  Well, ...") followed by a statement, or a quote signed after a dash
  ('"..." ― Sonya Herridge').

The speaker span is the subject's noun phrase (or its named entity), the cue is the
verb with its auxiliaries, and the content is the verb's clausal complement or object,
or, when the reporting clause is attached to the content ("Y, X said"), the rest of the
sentence before it. A cue inside quotation marks is speech the quoted speaker reports,
not the article, and is not listed (:func:`quoted_tokens`). Of several attributions in
a sentence, the one that governs the main clause (no side clause on the path from the
cue to the root) and sits closest to the root is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.attrs import ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from claims.nlp.doctext import doc_text
from claims.nlp.hedges import governs

ATTRIBUTION_KEY = "wb_attribution"
PERSON_LABELS = frozenset({"PERSON"})
NAMED_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC"})


@dataclass(frozen=True)
class Lexicon:
    speech_verbs: frozenset[str]
    content_deps: tuple[str, ...]
    speaker_left_deps: frozenset[str]
    speaker_right_preps: frozenset[str]
    side_clause_deps: frozenset[str]
    object_content_verbs: frozenset[str]
    unasserted_tags: frozenset[str]
    excluded_speakers: frozenset[str]
    label_words: frozenset[str]
    quote_only_verbs: frozenset[str]
    speech_nouns: frozenset[str]
    view_nouns: frozenset[str]
    it_verbs: frozenset[str]
    judgement_verbs: dict[str, tuple[str, ...]]
    belief_verbs: frozenset[str]
    addressee_verbs: frozenset[str]
    passive_content_verbs: frozenset[str]
    about_preps: frozenset[str]
    object_report_verbs: frozenset[str]

    @classmethod
    def from_dict(cls, data: dict) -> Lexicon:
        sets = {
            name: frozenset(data[name])
            for name in cls.__dataclass_fields__
            if name not in ("content_deps", "judgement_verbs")
        }
        judgements = {verb: tuple(preps) for verb, preps in data["judgement_verbs"].items()}
        return cls(**sets, content_deps=tuple(data["content_deps"]), judgement_verbs=judgements)


@dataclass(frozen=True)
class Found:
    speaker: Span
    cue: Span
    content: Span | None
    depth: int
    # whom a relative pronoun speaker stands for ("Barkley, who said ..." -> Barkley)
    antecedent: Span | None = None


def _depth(token: Token) -> int:
    depth = 0
    while token.head != token and depth < 200:
        token, depth = token.head, depth + 1
    return depth


def _left_edge(token: Token, deps: frozenset[str]) -> int:
    start = token.i
    for child in token.lefts:
        if child.dep_ in deps:
            start = min(start, _left_edge(child, deps))
    return start


def speaker_span(token: Token, lex: Lexicon) -> Span:
    """The noun phrase headed by ``token``, or the named entity it belongs to."""
    doc = token.doc
    if token.ent_type_ in NAMED_LABELS:
        for ent in token.sent.ents:
            if ent.start <= token.i < ent.end:
                return ent
    start = _left_edge(token, lex.speaker_left_deps)
    end = token.i + 1
    for child in token.rights:
        if child.dep_ == "prep" and child.lower_ in lex.speaker_right_preps:
            end = max(end, child.right_edge.i + 1)
        elif child.dep_ in ("compound", "flat", "nummod"):
            end = max(end, child.i + 1)
    while start < token.i and doc[start].is_punct:
        start += 1
    return doc[start:end]


def cue_span(verb: Token) -> Span:
    start = verb.i
    for child in verb.lefts:
        if child.dep_ in ("aux", "auxpass", "neg") and child.i >= start - 2:
            start = min(start, child.i)
    return verb.doc[start : verb.i + 1]


def trim(doc: Doc, start: int, end: int) -> Span | None:
    """``doc[start:end]`` without punctuation or space at either end (None if empty)."""
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return doc[start:end] if end > start else None


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "nsubj" and child.lower_ != "there":
            return child
        if child.dep_ == "agent":  # passive: "it was announced by the ministry that ..."
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    for child in verb.lefts:
        if child.dep_ == "nummod" and child.pos_ == "NUM":
            return child  # "About 4 in 10 say they want ...": a poll's share
    if verb.dep_ in ("conj", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)
    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)  # "Kerry spoke ..., saying that ..."
    if _says_of_a_message(verb):
        return verb.head  # "911 calls saying shots had been fired", "a statement saying"
    prep = verb.head
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and prep.lower_ in _PARTICIPLE_PREPS:
        # "punctuated his list by saying ...", "after saying ..., the man asked"
        return _subject(prep.head) if prep.head.pos_ in ("VERB", "AUX") else None
    return None


def _says_of_a_message(verb: Token) -> bool:
    if verb.dep_ != "acl" or verb.tag_ != "VBG" or not _message_noun(verb.head):
        return False
    return any(c.dep_ == "ccomp" for c in verb.rights)


def _message_noun(noun: Token) -> bool:
    """A common noun that can say something ("a statement", "emails"), not a group of
    people a participle was attached to by mistake ("emailed supporters saying")."""
    return noun.pos_ == "NOUN" and noun.dep_ != "dobj" and not noun.ent_type_


_PARTICIPLE_PREPS = frozenset({"by", "after", "before", "while", "in", "upon", "when"})


def _quoted(span: Span) -> bool:
    return any(t.is_quote for t in span) or any(
        t.is_quote for t in span.doc[max(0, span.start - 1) : span.start]
    )


def _object_content(verb: Token, obj: Span, lex: Lexicon) -> bool:
    """A noun object is content for "say"-like verbs, when quoted, or with a predicate
    ("called the charges unsubstantiated", "called him 'a genius'"). The object of
    "tell" and the like is whom the speaker addressed ("told reporters"), not content."""
    if _quoted(obj):
        return True
    lemma = verb.lemma_.lower()
    if lemma in lex.addressee_verbs:
        return False
    if lemma in lex.object_content_verbs or lemma in lex.object_report_verbs:
        return True
    return any(c.dep_ in ("oprd", "ccomp", "attr") and c.i > obj.start for c in verb.children)


def content_span(verb: Token, lex: Lexicon) -> Span | None:
    """The content of a speech verb: a clause, or (for "say"-like verbs) a quoted object.

    A bare noun object ("pledged some 300 advisers", "reported a loss") is not
    reported speech, so it gives no content (and no attribution); nor is the purpose
    clause after such an object ("pledged advisers to help Iraqi forces").
    """
    doc = verb.doc
    rights = list(verb.rights)
    if any(c.dep_ in ("dobj", "obj") for c in rights):
        rights = [c for c in rights if c.dep_ != "xcomp"]
    for dep in lex.content_deps:
        for child in rights:
            if child.dep_ != dep:
                continue
            span = trim(doc, child.left_edge.i, child.right_edge.i + 1)
            if dep in ("dobj", "obj") and span is not None and not _object_content(verb, span, lex):
                continue
            return span
    sent = verb.sent
    participle = verb.tag_ == "VBG" and any(c.dep_ in ("dobj", "prep") for c in verb.children)
    if participle and verb.dep_ == "advcl" and verb.i > verb.head.i:
        # "X endorsed Y, calling him a very intelligent man": what the participle says
        return trim(doc, verb.i + 1, verb.right_edge.i + 1)
    if verb.dep_ in ("parataxis", "ccomp", "advcl") and verb.i > verb.head.i:
        # "Y, X said" / '"Y" X said': the reporting clause is set off from what it
        # reports; "That is not what the figures show" has no such mark and no content.
        edge = verb.left_edge.i
        if edge > sent.start and (doc[edge - 1].is_punct or doc[edge - 1].is_quote):
            return trim(doc, sent.start, edge)
        return None
    if verb.dep_ == "advcl" and verb.i < verb.head.i and _marked_as(verb):
        # "As Politico reported, Trump would win": the clause the "as" clause leads
        return trim(doc, verb.right_edge.i + 1, sent.end)
    if verb.dep_ == "ROOT":
        for child in verb.lefts:
            if child.dep_ in ("ccomp", "parataxis"):
                return trim(doc, child.left_edge.i, child.right_edge.i + 1)
    about = _about(verb, lex)
    if about is not None:
        return about
    quote = _quote_before_subject(verb)
    if quote is not None:
        return quote
    passive = verb.lemma_.lower() in lex.passive_content_verbs
    if passive and any(c.dep_ == "agent" for c in verb.rights):
        for child in verb.lefts:  # "O'Malley's move was first reported by MSNBC"
            if child.dep_ == "nsubjpass" and child.lower_ not in ("it", "this", "that"):
                return trim(doc, child.left_edge.i, child.right_edge.i + 1)
    return _after_colon(verb)


def _about(verb: Token, lex: Lexicon) -> Span | None:
    """ "warned of the dangers", "joked about moving", "commented on the ruling",
    "pointed to her record": what the speech was about."""
    lemma = verb.lemma_.lower()
    if lemma in ("add", "call"):
        return None  # "added to the uncertainty"; "called on" is handled as a demand
    preps = lex.about_preps | {"to"} if lemma == "point" else lex.about_preps
    for child in verb.rights:  # not "to" ("complained to officials": the addressee)
        if child.dep_ == "prep" and child.lower_ in preps:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return trim(verb.doc, objects[0].left_edge.i, objects[0].right_edge.i + 1)
    return None


def _quote_before_subject(verb: Token) -> Span | None:
    """'"Denver," he answered.' / '"Really," she added when ...': a quotation that opens
    the sentence and ends just before the speaker (the parser hangs it elsewhere)."""
    doc, sent = verb.doc, verb.sent
    subject = next((c for c in verb.lefts if c.dep_ == "nsubj"), None)
    if subject is None or not doc[sent.start].is_quote:
        return None
    edge = subject.left_edge.i
    before = [t for t in doc[sent.start : edge] if not t.is_space]
    if len(before) < 3 or not (before[-1].is_quote or before[-2].is_quote):
        return None
    return trim(doc, sent.start, edge)


def _marked_as(verb: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)


def _introduces(verb: Token) -> Token | None:
    """The colon that ends a reporting clause and its sentence ("In a 1963 speech, he
    declared:", "Cruz continued:"): what follows it is the content."""
    colon = next((c for c in verb.rights if c.dep_ == "punct" and c.text == ":"), None)
    if colon is None or colon.i < verb.right_edge.i:
        return None
    rest = [t for t in verb.doc[colon.i + 1 : verb.sent.end] if not t.is_space]
    return colon if not rest or rest[0].is_quote else None


def _after_colon(verb: Token) -> Span | None:
    """What a reporting clause ending in a colon introduces, to the end of the next
    sentence of the block (None when it is in the next paragraph)."""
    colon = _introduces(verb)
    doc = verb.doc
    if colon is None or colon.i + 1 >= len(doc):
        return None
    return trim(doc, colon.i + 1, doc[colon.i + 1].sent.end)


def _call_for(verb: Token) -> Span | None:
    """ "called for a ban", "is calling for his rivals to drop out": the demand."""
    for child in verb.rights:
        if child.lower_ == "for" and child.dep_ == "prep":
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return trim(verb.doc, objects[0].left_edge.i, objects[0].right_edge.i + 1)
        marks = [c for c in child.lefts if c.dep_ == "mark"]
        if child.dep_ == "advcl" and any(c.lower_ == "for" for c in marks):
            return trim(verb.doc, child.left_edge.i, child.right_edge.i + 1)
    return None


def _judgement(verb: Token, lex: Lexicon) -> Span | None:
    """ "denounced Trump's remarks as hurtful", "accused him of lying", "praised X for Y":
    the object with what is said of it."""
    preps = lex.judgement_verbs.get(verb.lemma_.lower(), ())
    objects = [c for c in verb.rights if c.dep_ in ("dobj", "obj")]
    if not preps or not objects:
        return None
    obj = objects[0]
    for child in [*verb.rights, *obj.rights]:  # "as ..." hangs on the verb or the object
        if child.dep_ != "prep" or child.lower_ not in preps or child.i < obj.i:
            continue
        if any(c.dep_ in ("pobj", "pcomp", "amod", "acomp") for c in child.children):
            return trim(verb.doc, obj.left_edge.i, child.right_edge.i + 1)
    return None


_LOST_SUBJECT_DEPS = frozenset({"npadvmod", "dep", "nmod", "appos", "dobj"})


def _bare_subject(verb: Token, lex: Lexicon) -> Token | None:
    """ "Jolly said he has worked ...", parsed without a subject: a name that is all the
    sentence holds before the verb."""
    if verb.dep_ not in ("ROOT", "dep") or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    sent = verb.sent
    words = [t for t in sent[: verb.i - sent.start] if not t.is_space]
    if any(c.dep_ == "nsubj" for c in verb.children):
        return None
    left = [c for c in verb.lefts if not c.is_punct and c.dep_ not in ("advmod", "aux", "neg")]
    if left and left[-1].dep_ in _LOST_SUBJECT_DEPS and left[-1].pos_ in ("PROPN", "NOUN"):
        # "Tuesday in New York, former president Bill Clinton said ...", parsed with the
        # speaker as a modifier of the verb: the last noun phrase right before it
        between = sent.doc[left[-1].right_edge.i + 1 : verb.i]
        if all(t.is_punct or t.pos_ == "ADV" for t in between) and left[-1].ent_type_ != "DATE":
            return left[-1]
    if _name_run(words, lex):
        return words[-1]
    # '"... have issues with Trump," Viguerie notes.': a name between a quote and the verb
    start = len(words)
    while start > 0 and len(words) - start < 4 and words[start - 1].pos_ == "PROPN":
        start -= 1
    before = words[start - 2 : start] if start >= 2 else []
    if start == len(words) or not before or not _name_run(words[start:], lex):
        return None
    quoted = before[-1].is_quote or (before[-1].text == "," and before[0].is_quote)
    return words[-1] if quoted else None


_GOING_ON = frozenset({"go", "continue", "proceed"})


def _asserted_base(verb: Token, lex: Lexicon) -> bool:
    """A base form that still reports speech: "he did say", "the email goes on to say",
    "is continuing to insist"."""
    auxes = [c for c in verb.children if c.dep_ == "aux"]
    if any(a.lemma_.lower() == "do" and a.tag_ in ("VBD", "VBZ", "VBP") for a in auxes):
        return True
    head = verb.head
    if verb.dep_ != "xcomp" or head.lemma_.lower() not in _GOING_ON:
        return False
    if head.tag_ in lex.unasserted_tags or any(c.dep_ == "neg" for c in head.children):
        return False
    if any(c.dep_ == "aux" and c.tag_ == "MD" for c in head.children):
        return False  # "will continue to say"
    return head.lemma_.lower() != "go" or any(c.lower_ == "on" for c in head.children)


def _quote_content(verb: Token, content: Span | None) -> bool:
    """For verbs such as "continue": speech only with a clause in quotation marks
    ('"...," Carson continued'), never with an infinitive ("prices continued to rise")."""
    if content is None or not _quoted(content):
        return False
    return content.root.dep_ in ("ccomp", "parataxis", "ROOT") or content.root.head == verb


def _verb_attribution(verb: Token, lex: Lexicon) -> Found | None:
    lemma = verb.lemma_.lower()
    speech = lemma in lex.speech_verbs or lemma in lex.quote_only_verbs
    belief = (
        lemma in lex.belief_verbs
        and any(c.dep_ == "ccomp" for c in verb.rights)
        and governs(verb, lex.side_clause_deps)
    )
    speech = speech or belief
    if not (speech or lemma in lex.judgement_verbs) or verb.pos_ not in ("VERB", "AUX"):
        return None
    if any(c.dep_ == "neg" for c in verb.children):
        return None  # "did not say": no speech took place
    if verb.tag_ in lex.unasserted_tags and not _asserted_base(verb, lex):
        return None  # "refused to say", "will tell": no speech took place (yet)
    subject = _subject(verb) or _bare_subject(verb, lex)
    if subject is None:
        return None
    if subject.lower_ == "it" and (subject.head != verb or lemma not in lex.it_verbs):
        return None  # "it" reports only as the subject of a plain reporting verb
    content = _call_for(verb) if lemma == "call" else None
    content = content or _judgement(verb, lex)
    if not speech and content is None:
        return None
    content = content or content_span(verb, lex)
    introduces = _introduces(verb) is not None
    if lemma in lex.quote_only_verbs and not (introduces or _quote_content(verb, content)):
        return None
    if lemma == "add" and (content is None or any(c.lower_ == "to" for c in verb.rights)):
        return None  # "added to the uncertainty", "adding to her run of victories"
    if content is None and lemma not in lex.object_content_verbs and not introduces:
        return None
    if verb.tag_ == "VBG" and verb.dep_ in ("advcl", "acl") and content is None:
        return None  # "wasted no time responding": no reported content
    antecedent = _antecedent(subject, verb, lex)
    if antecedent is None and (
        subject.tag_ in ("WP", "WDT") or subject.lower_ in lex.excluded_speakers
    ):
        return None  # "which said", "I say" (inside a quote): not a speaker we can name
    speaker = _after_dateline(speaker_span(subject, lex))
    return Found(speaker, cue_span(verb), content, _depth(verb), antecedent)


def _antecedent(subject: Token, verb: Token, lex: Lexicon) -> Span | None:
    """The named noun phrase a "who" speaker stands for: "Barkley, who said he votes
    Democratic" -> Barkley (never "people who say": a group is nobody we can name)."""
    head = verb.head
    if subject.lower_ != "who" or verb.dep_ != "relcl" or head.ent_type_ not in ("PERSON", "ORG"):
        return None
    return speaker_span(head, lex)


_DATELINE_DASHES = frozenset({"-", "\u2013", "\u2014", "--"})
_NAME_POS = frozenset({"PROPN", "NOUN", "ADJ", "DET", "NUM"})


def _after_dateline(speaker: Span) -> Span:
    """The speaker without the dateline the parser joined to it: in "LONDON (Reuters) -
    Donald Trump said", "Washington (AFP) \u2013 Democrat Hillary Clinton has ...", the
    noun phrase after the dash."""
    doc, sent = speaker.doc, speaker.sent
    if speaker.start > sent.start + 1:
        return speaker
    head = doc[sent.start : min(sent.start + 10, sent.end)]
    dash = next((t for t in head if t.text in _DATELINE_DASHES and t.i > sent.start), None)
    if dash is None or not any(t.text == ")" or t.is_upper for t in doc[sent.start : dash.i]):
        return speaker
    end = dash.i + 1
    while end < sent.end and (doc[end].pos_ in _NAME_POS or doc[end].text == "."):
        end += 1
    found = trim(doc, dash.i + 1, end)
    return found if found is not None else speaker


def _according_to(token: Token, lex: Lexicon) -> Found | None:
    doc = token.doc
    if token.lower_ != "according" or token.i + 1 >= len(doc) or doc[token.i + 1].lower_ != "to":
        return None
    objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
    objects += [c for c in token.children if c.dep_ == "pobj"]
    if not objects:
        return None
    speaker = speaker_span(objects[0], lex)
    phrase_start, phrase_end = token.i, max(speaker.end, objects[0].right_edge.i + 1)
    sent = token.sent
    before = trim(doc, sent.start, phrase_start)
    after = trim(doc, phrase_end, sent.end)
    content = max((s for s in (before, after) if s is not None), key=len, default=None)
    return Found(speaker, doc[token.i : token.i + 2], content, _depth(token))


def _owner(noun: Token) -> Token | None:
    """The named owner of a speech noun: "Clinton's claim", "the words of one diplomat"."""
    for child in noun.children:
        if child.dep_ == "poss" and child.tag_ != "PRP$":
            return child
    for child in noun.rights:
        if child.dep_ == "prep" and child.lower_ in ("of", "by"):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and objects[0].tag_ not in ("PRP", "PRP$"):
                return objects[0]
    return None


def _noun_attribution(noun: Token, lex: Lexicon) -> Found | None:
    """ "X's claim that S" and "in X's view, S" / "in the words of X, S"."""
    if noun.pos_ != "NOUN":
        return None
    lemma = noun.lemma_.lower()
    doc = noun.doc
    view = lemma in lex.view_nouns or noun.lower_ in lex.view_nouns
    if view and noun.dep_ == "pobj" and noun.head.lower_ in ("in", "to"):
        if noun.tag_ != "NN" and noun.lower_ != "words":
            return None  # "divided in their opinions of Sanders": views about someone
        owner = _owner(noun)
        prep = noun.head
        if owner is None or prep.head.pos_ not in ("VERB", "AUX"):
            return None
        sent = noun.sent
        before = trim(doc, sent.start, prep.left_edge.i)
        after = trim(doc, prep.right_edge.i + 1, sent.end)
        content = max((s for s in (before, after) if s is not None), key=len, default=None)
        if content is None or len(content) < 3:
            return None
        cue = doc[prep.i : noun.i + 1]
        return Found(speaker_span(owner, lex), cue, content, _depth(prep))
    if lemma not in lex.speech_nouns:
        return None
    clause = next(
        (
            c
            for c in noun.rights
            if c.dep_ in ("acl", "ccomp") and any(m.lower_ == "that" for m in c.lefts)
        ),
        None,
    )
    owner = _owner(noun)
    if clause is None or owner is None or owner.i > noun.i:
        return None
    content = trim(doc, clause.left_edge.i, clause.right_edge.i + 1)
    return Found(speaker_span(owner, lex), doc[noun.i : noun.i + 1], content, _depth(noun))


_DASHES = frozenset({"\u2015", "\u2014", "\u2013", "--"})


def _name_run(tokens: list[Token], lex: Lexicon) -> bool:
    """1-4 proper nouns (or capitalised words), not a label such as "Photo" or "Update"."""
    if not 1 <= len(tokens) <= 4 or tokens[0].lower_ in lex.label_words:
        return False
    return all(t.pos_ == "PROPN" or (t.is_alpha and (t.is_upper or t.is_title)) for t in tokens)


def _colon_speaker(sent: Span, lex: Lexicon) -> Found | None:
    """'PENCE: Well, look, ...' or 'Pat Caddell: Democrat voters worried ...'."""
    if ":" not in sent[:8].text:
        return None
    words = [t for t in sent if not t.is_space and not t.is_quote]
    colon = next((i for i, t in enumerate(words[:6]) if t.text == ":"), None)
    if colon is None or colon + 2 > len(words) or not _name_run(words[:colon], lex):
        return None
    if any(t.pos_ in ("DET", "ADP") or t.ent_type_ in ("GPE", "DATE") for t in words[:colon]):
        return None  # "The Latest:", "Big Win For Bernie:", "Iowa: <a list of names>"
    doc = sent.doc
    speaker = doc[words[0].i : words[colon - 1].i + 1]
    if not person_like(speaker) and any(t.pos_ not in ("PROPN", "NOUN") for t in words[:colon]):
        return None  # "Wow:", "Revealed:", "Remember:": a headline's word, no name
    content = trim(doc, words[colon].i + 1, sent.end)
    if content is None or len(content) < 3 or not any(t.pos_ in ("VERB", "AUX") for t in content):
        return None  # a statement has a verb; "Breitbart News Daily: A World at War" has none
    return Found(speaker, doc[words[colon].i : words[colon].i + 1], content, 0)


def _quoted_after_name(sent: Span, lex: Lexicon) -> Found | None:
    """'RED STATES OUTNUMBER BLUE STATES - Jeffrey M. Jones: "Gallup's analysis ..."': a
    digest's item, a heading, a dash, then a name and a colon before a quotation."""
    if ":" not in sent.text:
        return None
    doc = sent.doc
    for colon in sent:
        if colon.text != ":" or colon.i + 1 >= sent.end or not doc[colon.i + 1].is_quote:
            continue
        start = colon.i
        while start > sent.start and doc[start - 1].text not in _DATELINE_DASHES:
            start -= 1
        name = [t for t in doc[start : colon.i] if not t.is_space]
        if (
            start == sent.start
            or not _name_run(name, lex)
            or not all(t.pos_ == "PROPN" for t in name)
        ):
            continue
        content = trim(doc, colon.i + 1, sent.end)
        if content is not None:
            return Found(doc[name[0].i : name[-1].i + 1], doc[colon.i : colon.i + 1], content, 0)
    return None


def _dash_speaker(sent: Span, lex: Lexicon) -> Found | None:
    """'"... our greatest shame." ― Sonya Herridge': a quote signed after a dash."""
    text = sent.text
    if not any(dash in text for dash in _DASHES):
        return None
    words = [t for t in sent if not t.is_space]
    while words and words[-1].is_punct and words[-1].text not in _DASHES:
        words.pop()
    for i in range(len(words) - 2, 0, -1):
        if words[i].text in _DASHES:
            break
    else:
        return None
    if not words[i - 1].is_quote or not _name_run(words[i + 1 :], lex):
        return None
    doc = sent.doc
    speaker = doc[words[i + 1].i : words[-1].i + 1]
    content = trim(doc, sent.start, words[i].i)
    return Found(speaker, doc[words[i].i : words[i].i + 1], content, 0)


_OPEN_QUOTES = frozenset({"\u201c", "``"})
_CLOSE_QUOTES = frozenset({"\u201d"})
_TOGGLE_QUOTES = frozenset({'"', "''"})
# Every quotation-mark token holds one of these; a block without any has none.
_QUOTE_CHARS = ('"', "\u201c", "\u201d", "``", "''")
_OPEN, _CLOSE, _TOGGLE = 1, 2, 3
_MARK_KINDS = {
    get_string_id(mark): kind
    for marks, kind in ((_OPEN_QUOTES, _OPEN), (_CLOSE_QUOTES, _CLOSE), (_TOGGLE_QUOTES, _TOGGLE))
    for mark in marks
}


def _quote_marks(doc: Doc) -> list[tuple[int, int]]:
    """``(token index, _OPEN | _CLOSE | _TOGGLE)`` of the block's quotation marks, in
    order. Read from the tokens' ORTH ids, not token by token (spaCy makes a Token
    object for each token it yields), and not at all when the text has no mark."""
    text = doc_text(doc)
    if not any(q in text for q in _QUOTE_CHARS):
        return []
    orths = doc.to_array(ORTH).tolist()
    return [(i, _MARK_KINDS[orth]) for i, orth in enumerate(orths) if orth in _MARK_KINDS]


def quoted_tokens(doc: Doc) -> frozenset[int]:
    """Indices of the tokens inside double quotation marks, in one pass over the block.

    A quote left open runs to the end of the block (a paragraph of a quote that goes on
    in the next paragraph has no closing mark)."""
    inside, after = False, 0
    quoted: list[int] = []
    for i, kind in _quote_marks(doc):
        if inside:
            quoted.extend(range(after, i))
        if kind == _OPEN:
            inside = True
        elif kind == _CLOSE:
            inside = False
        else:
            inside = not inside
        after = i + 1
    if inside:
        quoted.extend(range(after, len(doc)))
    return frozenset(quoted)


def quote_regions(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges ``(start, end)`` inside double quotation marks, marks excluded, as
    :func:`quoted_tokens` pairs them; a quote left open runs to the end of the block."""
    regions, opened = [], None
    for i, kind in _quote_marks(doc):
        closing = kind == _CLOSE or (kind == _TOGGLE and opened is not None)
        if closing and opened is not None:
            if i > opened:
                regions.append((opened, i))
            opened = None
        elif kind != _CLOSE:
            opened = i + 1
    if opened is not None and opened < len(doc):
        regions.append((opened, len(doc)))
    return regions


def speaker_label(sent: Span, lex: Lexicon) -> Found | None:
    """A sentence that is only a speaker's name and a colon ("PENCE:", "Pat Caddell:"),
    as the parser leaves it when it splits a transcript line after the colon. The
    found attribution has no content: the statement is the sentences that follow."""
    words = [t for t in sent if not t.is_space]
    if len(words) < 2 or words[-1].text != ":" or not _name_run(words[:-1], lex):
        return None
    if any(t.pos_ in ("DET", "ADP") or t.ent_type_ in ("GPE", "DATE") for t in words[:-1]):
        return None
    doc = sent.doc
    name = doc[words[0].i : words[-2].i + 1]
    if not person_like(name):
        return None  # "Gallery:", "Limitation:": a section's label, not a speaker
    return Found(name, doc[words[-1].i : words[-1].i + 1], None, 0)


def person_like(name: Span) -> bool:
    """A transcript's speaker label: a proper name in capitals ("PENCE") or one the
    entity recogniser calls a person ("Pat Caddell"). A Title Case word alone is too
    often a section label ("Gallery", "Bio") to speak the lines after it, and so is a
    heading in capitals with a common noun in it ("CARD HIGHLIGHTS")."""
    words = [t for t in name if t.is_alpha]
    capitals = bool(words) and all(t.is_upper and t.pos_ == "PROPN" for t in words)
    return capitals or any(t.ent_type_ == "PERSON" for t in name)


def find_attributions(
    sent: Span, lex: Lexicon, quoted: frozenset[int] = frozenset()
) -> list[Found]:
    """Every attribution in ``sent``. A cue inside quotation marks (``quoted``) is
    speech reported by the quoted speaker, not by the article, and is left out."""
    # A "KAINE: ..." label speaks the whole line: what the line itself reports ("what
    # the figures show") sits in its content, and :func:`besides_main` leaves it out.
    label = _colon_speaker(sent, lex)
    digest = None if label is not None else _quoted_after_name(sent, lex)
    label = label or digest
    found = [label] if label is not None else []
    for token in sent:
        if token.i in quoted or (label is not None and token.i == label.cue.start):
            continue
        if digest is not None and token.i < digest.speaker.start:
            continue  # the digest item's heading ("Pollsters agree - ...") reports nothing
        item = (
            _verb_attribution(token, lex)
            or _according_to(token, lex)
            or _noun_attribution(token, lex)
        )
        if item is not None:
            found.append(item)
    if not found:
        item = _dash_speaker(sent, lex)
        if item is not None:
            found.append(item)
    return found


def main_attribution(sent: Span, lex: Lexicon, found: list[Found] | None = None) -> Found | None:
    """The attribution governing the sentence's main clause, if any."""
    found = find_attributions(sent, lex) if found is None else found
    candidates = [f for f in found if governs(f.cue.root, lex.side_clause_deps)]
    return min(candidates, key=lambda f: (f.depth, f.cue.start), default=None)


def _inside(span: Span, outer: Span | None) -> bool:
    return outer is not None and outer.start <= span.start and span.end <= outer.end


def besides_main(found: list[Found], main: Found | None) -> list[Found]:
    """The sentence's attributions to list: the main one, and others that stand beside it.

    Left out (precision before recall): an attribution nested in the main one's content
    (the main speaker's report of what someone said is not itself checked speech)."""
    kept = []
    for item in sorted(found, key=lambda f: f.cue.start):
        if item is not main and main is not None and _inside(item.cue, main.content):
            continue
        kept.append(item)
    return kept
