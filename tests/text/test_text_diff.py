"""The word-level diff that the needs-re-review panel shows (no database)."""

from __future__ import annotations

from claims.text.diff import word_diff


def test_a_changed_figure_is_deleted_on_the_old_side_and_inserted_on_the_new():
    diff = word_diff("The budget is £48 million this year.", "The budget is £46 million this year.")
    assert diff.changed
    assert diff.before == "The budget is <del>£48</del> million this year."
    assert diff.after == "The budget is <ins>£46</ins> million this year."


def test_added_and_removed_words_are_marked_only_on_their_own_side():
    diff = word_diff("Cases rose sharply in May", "Cases rose in May and June")
    assert diff.before == "Cases rose <del>sharply</del> in May"
    assert diff.after == "Cases rose in May <ins>and June</ins>"


def test_runs_of_changed_words_are_marked_once():
    diff = word_diff("He said that 467,000 people voted", "She wrote that nobody voted")
    assert diff.before == "<del>He said</del> that <del>467,000 people</del> voted"
    assert diff.after == "<ins>She wrote</ins> that <ins>nobody</ins> voted"


def test_the_words_are_escaped_so_the_markup_is_only_the_diff():
    diff = word_diff('Tom & Jerry said "<b>no</b>"', 'Tom & Jerry said "<script>yes"')
    assert "<b>" not in diff.before and "<script>" not in diff.after
    assert diff.before == "Tom &amp; Jerry said <del>&quot;&lt;b&gt;no&lt;/b&gt;&quot;</del>"
    assert diff.after == "Tom &amp; Jerry said <ins>&quot;&lt;script&gt;yes&quot;</ins>"


def test_the_same_words_with_other_spacing_are_unchanged():
    diff = word_diff("Prices  rose\nby 3%.", "Prices rose by 3%.")
    assert not diff.changed
    assert diff.before == diff.after == "Prices rose by 3%."
    assert "<del>" not in diff.before and "<ins>" not in diff.after


def test_an_empty_side_marks_every_word_of_the_other():
    diff = word_diff("", "A new claim.")
    assert diff.before == ""
    assert diff.after == "<ins>A new claim.</ins>"
