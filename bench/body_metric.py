"""The article-extraction benchmark's body metric (as its README defines it), importable.

1. tokens: maximal runs of Unicode word characters (``\\w+``), case kept;
2. shingles: every window of 4 consecutive tokens (1-3 tokens: one shingle of all of them;
   no tokens: no shingle), compared as multisets per page (TP shared, FP extra, FN missed);
3. precision: mean of TP/(TP+FP) over pages whose prediction is non-empty; recall: mean of
   TP/(TP+FN) over pages whose ground truth is non-empty; F1 of those two means;
4. accuracy: fraction of pages whose token sequence equals the ground truth's exactly;
5. ``±``: standard deviation over bootstrap resamples of pages.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+")
SHINGLE = 4


def tokens(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(toks: list[str], n: int = SHINGLE) -> Counter:
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


@dataclass(frozen=True)
class PageScore:
    """One page: TP/FP/FN shingle counts and whether the token sequences are equal."""

    tp: int
    fp: int
    fn: int
    exact: bool

    @property
    def precision(self) -> float | None:  # None when the prediction is empty
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:  # None when the ground truth is empty
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def score_page(predicted: str | None, truth: str | None) -> PageScore:
    p_toks, t_toks = tokens(predicted), tokens(truth)
    p, t = shingles(p_toks), shingles(t_toks)
    tp = sum((p & t).values())
    return PageScore(tp=tp, fp=sum(p.values()) - tp, fn=sum(t.values()) - tp, exact=p_toks == t_toks)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def aggregate(pages: list[PageScore]) -> dict[str, float]:
    """precision, recall, f1, accuracy over *pages* (see the module docstring)."""
    precision = _mean([s.precision for s in pages if s.precision is not None])
    recall = _mean([s.recall for s in pages if s.recall is not None])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = _mean([1.0 if s.exact else 0.0 for s in pages])
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": accuracy}


def bootstrap_std(pages: list[PageScore], rounds: int = 1000, seed: int = 0) -> dict[str, float]:
    """Standard deviation of each metric over *rounds* resamples (with replacement) of pages."""
    rng = random.Random(seed)
    n = len(pages)
    samples: dict[str, list[float]] = {"precision": [], "recall": [], "f1": [], "accuracy": []}
    if not n:
        return {k: 0.0 for k in samples}
    for _ in range(rounds):
        agg = aggregate([pages[rng.randrange(n)] for _ in range(n)])
        for k, v in agg.items():
            samples[k].append(v)
    out = {}
    for k, vals in samples.items():
        m = _mean(vals)
        out[k] = (sum((v - m) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5 if len(vals) > 1 else 0.0
    return out
