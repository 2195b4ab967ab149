"""Two of the English model's components made cheaper, with the same output.

spaCy's ``attribute_ruler`` and rule ``lemmatizer`` are plain Python over every token
and, on real news, cost about a sixth of the model's time (``bench/pipeline.py``). Both
give a token an answer that depends only on a few of its attributes (and, for a handful
of the ruler's rules, its neighbour's), so the answer is worked out once per distinct
set of those attributes, by the component's own code, and kept:

- :class:`CachedAttributeRuler`: the ruler's one-token rules (171 of 179 in
  ``en_core_web_sm`` 3.8: the tag map and the word exceptions) match on a token's TAG,
  LOWER, DEP and IS_SPACE; the token's key is those values, each one the rules do not
  mention folded into one "other" value, so a Matcher over the one-token rules runs only
  on a Doc that has a key not seen before, and every other token takes the attributes
  its key got. The rules over two tokens run as before, in their own (small) Matcher,
  and all the attributes are applied in the ruler's order (later rules win);
- :class:`CachedLemmatizer`: spaCy caches the rule lemmatizer's answer per (word, POS,
  morphology) except the commonest, a base form, which it works out again at every
  token; here every answer is cached under that same key.

The model, its tables and its rules are untouched and the components keep their names;
``tests/nlp/test_unchanged.py`` checks that extraction's output is unchanged, and
``bench/pipeline.py --check-parse`` compares every token attribute with a plain spaCy
pass on the real texts.
"""

from __future__ import annotations

import re
from typing import Any, cast

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.strings import StringStore, get_string_id
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# Entries the lemmatizer keeps before it starts afresh (a few MB at most).
LEMMA_CACHE_SIZE = 200_000
# What a one-token rule may test, for its token to be keyed: the attribute's id in
# ``Doc.to_array`` and whether it is a flag (true/false) rather than a string.
_KEY_ATTRS = {"TAG": (TAG, False), "LOWER": (LOWER, False), "ORTH": (ORTH, False)}
_KEY_ATTRS |= {"DEP": (DEP, False), "IS_SPACE": (IS_SPACE, True)}
# What a rule may set for its answer to be kept: token attributes only (a lexical one
# would change the word everywhere, and so other tokens' keys).
_SETTABLE = frozenset({POS, MORPH, LEMMA, TAG, DEP})
_OTHER = -1  # a value no one-token rule mentions (string ids are never negative)


def speed_up(nlp: Language) -> None:
    """Swap the model's attribute ruler and English rule lemmatizer for the cached ones
    (same objects, tables and names), where they are spaCy's own classes."""
    for name, pipe in nlp.pipeline:
        if type(pipe) is AttributeRuler and name == "attribute_ruler":
            pipe.__class__ = CachedAttributeRuler
            cast(CachedAttributeRuler, pipe).key_rules = None
        elif type(pipe) is EnglishLemmatizer:
            pipe.__class__ = CachedLemmatizer
            cast(CachedLemmatizer, pipe).lemma_cache = {}


class _Plan:
    """How :class:`CachedAttributeRuler` keys tokens for one set of rules."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.size = len(ruler.attrs)
        self.single = Matcher(ruler.vocab, validate=False)
        self.multi = Matcher(ruler.vocab, validate=False)
        self.has_multi = False
        self.columns: list[int | str] = []
        self.mentioned: list[frozenset[int] | None] = []  # None: a flag, kept as it is
        # per column, the regexes tested on it and each value's folded form so far
        self.regexes: list[list[re.Pattern[str]]] = []
        self.folded: list[dict[int, int]] = []
        self.answers: dict[tuple[int, ...], tuple[tuple[int, ...], dict[Any, Any]]] = {}
        values: dict[str, set[int]] = {}
        regexes: dict[str, list[str]] = {}
        for attr_id, attrs in enumerate(ruler.attrs):
            key = ruler.vocab.strings[str(attr_id)]
            patterns = ruler.matcher.get(key)[1]
            if not set(attrs) <= _SETTABLE:
                raise _Unsupported
            if all(len(pattern) == 1 for pattern in patterns):
                for pattern in patterns:
                    _read_token_pattern(pattern[0], values, regexes)
                self.single.add(key, patterns)
            else:
                self.multi.add(key, patterns)
                self.has_multi = True
        for name in sorted(values):
            column, flag = _KEY_ATTRS[name]
            self.columns.append(column)
            self.mentioned.append(None if flag else frozenset(values[name]))
            self.regexes.append([re.compile(r) for r in regexes.get(name, [])])
            self.folded.append({})

    def fold(self, strings: StringStore, column: int, value: int) -> int:
        """A string value as a one-token rule can tell it apart: itself if a rule
        names it, else which of the column's regexes match it (a negative number)."""
        folded = self.folded[column]
        found = folded.get(value)
        if found is None:
            if len(folded) > LEMMA_CACHE_SIZE:
                folded.clear()
            mentioned = self.mentioned[column]
            if mentioned is not None and value in mentioned:
                found = value
            else:
                text = strings[value]
                mask = sum(1 << k for k, r in enumerate(self.regexes[column]) if r.search(text))
                found = _OTHER - mask
            folded[value] = found
        return found


class _Unsupported(Exception):
    """A rule this cache cannot key exactly: the ruler runs as spaCy's own."""


def _read_token_pattern(
    token: dict, values: dict[str, set[int]], regexes: dict[str, list[str]]
) -> None:
    """Record the values and regexes a one-token pattern tests; refuse other tests."""
    for name, test in token.items():
        if name not in _KEY_ATTRS:
            raise _Unsupported
        seen = values.setdefault(name, set())
        if _KEY_ATTRS[name][1]:
            if not isinstance(test, bool):
                raise _Unsupported
            continue
        if isinstance(test, str):
            seen.add(get_string_id(test))
        elif isinstance(test, dict) and set(test) == {"REGEX"}:
            regexes.setdefault(name, []).append(test["REGEX"])
        elif isinstance(test, dict) and set(test) <= {"IN", "NOT_IN"}:
            for listed in test.values():
                if not all(isinstance(v, str) for v in listed):
                    raise _Unsupported
                seen.update(get_string_id(v) for v in listed)
        else:
            raise _Unsupported


class CachedAttributeRuler(AttributeRuler):
    """The attribute ruler, answering each token key once (see the module)."""

    key_rules: _Plan | bool | None

    def __call__(self, doc: Doc) -> Doc:
        plan = self._plan()
        if plan is None:
            return super().__call__(doc)
        error_handler = self.get_error_handler()
        try:
            self._apply(plan, doc)
            return doc
        except Exception as e:
            return error_handler(self.name, self, [doc], e)

    def _plan(self) -> _Plan | None:
        plan = self.key_rules
        if isinstance(plan, _Plan) and plan.size == len(self.attrs):
            return plan
        if plan is False and len(self.attrs) == getattr(self, "_unsupported_size", -1):
            return None
        try:
            self.key_rules = _Plan(self)
        except _Unsupported:
            self.key_rules, self._unsupported_size = False, len(self.attrs)
            return None
        return self.key_rules

    def _apply(self, plan: _Plan, doc: Doc) -> None:
        if not len(doc):
            return
        rows = doc.to_array(plan.columns).tolist()
        strings, fold, flags = doc.vocab.strings, plan.fold, plan.mentioned
        keys = [
            tuple(v if flags[c] is None else fold(strings, c, v) for c, v in enumerate(row))
            for row in rows
        ]
        answers = plan.answers
        if any(key not in answers for key in keys):
            self._learn(plan, doc, keys)
        extra: dict[int, list[int]] = {}
        if plan.has_multi:
            for m_id, start, end in plan.multi(doc, allow_missing=True, as_spans=False):
                attr_id = int(self.vocab.strings[m_id])
                token = doc[start:end][self.indices[attr_id]]
                extra.setdefault(token.i, []).append(attr_id)
        for i, key in enumerate(keys):
            ids, attrs = answers[key]
            if i in extra:
                attrs = {}
                for attr_id in sorted([*ids, *extra[i]]):
                    attrs.update(self.attrs[attr_id])
            if attrs:
                set_token_attrs(doc[i], attrs)

    def _learn(self, plan: _Plan, doc: Doc, keys: list[tuple[int, ...]]) -> None:
        """The one-token rules' answers for the keys of ``doc`` not seen yet."""
        found: dict[int, list[int]] = {}
        for m_id, start, _end in plan.single(doc, allow_missing=True, as_spans=False):
            found.setdefault(start, []).append(int(self.vocab.strings[m_id]))
        for i, key in enumerate(keys):
            if key in plan.answers:
                continue
            ids = tuple(sorted(set(found.get(i, []))))
            attrs: dict[Any, Any] = {}
            for attr_id in ids:
                attrs.update(self.attrs[attr_id])
            plan.answers[key] = (ids, attrs)


class CachedLemmatizer(EnglishLemmatizer):
    """The model's rule lemmatizer, every answer cached per (word, POS, morphology).

    The lemma is still the model's own ``rule_lemmatize`` for the first token with that
    key. Lemmas the attribute ruler set are kept, as the model's lemmatizer keeps them
    (``overwrite`` is false in ``en_core_web_sm``)."""

    lemma_cache: dict[tuple[int, int, int], str]

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule" or self.overwrite:
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables()
        cache = self.lemma_cache
        if len(cache) > LEMMA_CACHE_SIZE:
            cache.clear()
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma:
                continue
            token = doc[i]
            key = (orth, pos, morph)
            found = cache.get(key)
            if found is None:
                found = cache[key] = self.rule_lemmatize(token)[0]
            token.lemma_ = found
        return doc
