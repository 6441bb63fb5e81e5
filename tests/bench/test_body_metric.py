"""The benchmark's body metric (bench/body_metric.py) on tiny texts, computed by hand."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.body_metric import aggregate, bootstrap_std, score_page, shingles, tokens


def test_tokens_are_word_runs_with_case_kept():
    assert tokens("Hello, world! It's 2025—ok?") == ["Hello", "world", "It", "s", "2025", "ok"]
    assert tokens("") == []
    assert tokens(None) == []
    assert tokens("Crème brûlée") == ["Crème", "brûlée"]


def test_shingles_are_4_token_windows_as_a_multiset():
    assert shingles(["a", "b", "c", "d", "e"]) == Counter({("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1})
    assert shingles(["a", "b", "a", "b", "a", "b", "a"]) == Counter({("a", "b", "a", "b"): 2, ("b", "a", "b", "a"): 2})
    # 1-3 tokens: one shingle of all of them; none: no shingle.
    assert shingles(["a", "b"]) == Counter({("a", "b"): 1})
    assert shingles([]) == Counter()


def test_score_page_counts_shared_extra_and_missed_shingles():
    # truth: a b c d e f -> abcd bcde cdef; prediction: b c d e f g -> bcde cdef defg
    s = score_page("b c d e f g", "a b c d e f")
    assert (s.tp, s.fp, s.fn) == (2, 1, 1)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert s.exact is False


def test_exact_match_ignores_punctuation_and_whitespace_but_not_case():
    assert score_page("One, two.\n\nThree four!", "One two Three four").exact is True
    assert score_page("one two three four", "One two three four").exact is False


def test_multiset_shingles_count_repeats():
    # prediction repeats the text twice: every shingle of the truth found once, the rest extra.
    s = score_page("a b c d a b c d", "a b c d")
    assert (s.tp, s.fp, s.fn) == (1, 4, 0)


def test_empty_prediction_lowers_recall_only_and_empty_truth_lowers_precision_only():
    empty_pred = score_page("", "a b c d e")
    assert empty_pred.precision is None and empty_pred.recall == 0.0
    empty_truth = score_page("a b c d e", "")
    assert empty_truth.precision == 0.0 and empty_truth.recall is None
    perfect = score_page("a b c d e", "a b c d e")
    agg = aggregate([empty_pred, perfect])
    # precision: mean over the one page with a prediction; recall: mean over both pages.
    assert agg["precision"] == 1.0
    assert agg["recall"] == 0.5
    assert agg["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert agg["accuracy"] == 0.5


def test_f1_is_of_the_means_not_a_mean_of_f1s():
    a = score_page("a b c d e", "a b c d e z y x w")  # p = 1, r = 2/6
    b = score_page("a b c d e q r s t", "a b c d e")  # p = 2/6, r = 1
    agg = aggregate([a, b])
    assert agg["precision"] == pytest.approx((1 + 1 / 3) / 2)
    assert agg["recall"] == pytest.approx((1 / 3 + 1) / 2)
    assert agg["f1"] == pytest.approx(2 / 3)


def test_bootstrap_std_is_zero_when_every_page_scores_the_same_and_seeded():
    pages = [score_page("a b c d e", "a b c d e")] * 5
    assert bootstrap_std(pages, rounds=50) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "accuracy": 0.0}
    mixed = [score_page("a b c d e", "a b c d e"), score_page("a b c d", "x y z w")]
    assert bootstrap_std(mixed, rounds=50, seed=1) == bootstrap_std(mixed, rounds=50, seed=1)
    assert bootstrap_std(mixed, rounds=50, seed=1)["f1"] > 0
