"""Body extraction benchmark: what the crawl exports (``page.body()``) next to our main-text
extractor alone, trafilatura, readability-lxml and resiliparse, on both shared body sets.

    python bench/body_benchmark.py [--set NAME=DIR ...] [--only NAME ...] [--halves]
                                   [--rounds N] [--dump FILE] [--variants]

Sets (read in place, never copied): ``article-extraction`` (181 news/blog pages,
``../shared/benchmarks/article-extraction``, or ``$ARTICLE_BENCHMARK_DIR``) and
``wcxb-articles-dev`` (709 articles, guides and listicles from ~650 domains,
``../shared/benchmarks/wcxb-articles-dev``, or ``$WCXB_BENCHMARK_DIR``). A set that is absent is
skipped with a message; when none is present the script says so and exits 0. Scoring follows
the sets' README exactly (``bench/body_metric.py``: 4-token shingles, mean P and mean R over
pages, F1 of the two means).

Extractors (each from the HTML string to the body text, in one process, interleaved page by
page so a busy machine slows them alike):

- ``review-crawler exported body (page.body())``: what a record gets (the page object parses
  the page, then site/generic body selector, main-text extractor and structured data's
  ``articleBody`` are weighed by :meth:`crawler.extract.page.ReviewPage.body`);
- ``review-crawler extract_body``: parse + :func:`crawler.extract.mainbody.extract_body` alone;
- ``trafilatura``: ``trafilatura.extract(html)``;
- ``readability-lxml``: ``Document(html).summary()`` read as text (block tags break lines);
- ``resiliparse``: ``extract_plain_text(HTMLTree.parse(html), main_content=True)``.

A third-party extractor that is not installed (``pip install -e '.[bench]'``) is skipped with a
message. ``--halves`` also prints every row on each half of every set (pages split by a hash of
their id, the same split on every run): tune on one half, check the other.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.body_metric import aggregate, bootstrap_std, score_page  # noqa: E402

SHARED = REPO.parent / "shared" / "benchmarks"
DEFAULT_SETS = {
    "article-extraction": Path(os.environ.get("ARTICLE_BENCHMARK_DIR", SHARED / "article-extraction")),
    "wcxb-articles-dev": Path(os.environ.get("WCXB_BENCHMARK_DIR", SHARED / "wcxb-articles-dev")),
}
EXPORTED = "review-crawler exported body (page.body())"


def load(data: Path) -> list[tuple[str, str, str]]:
    """``[(page_id, html, truth)]`` sorted by id."""
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = []
    for pid in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes())
        pages.append((pid, raw.decode("utf-8", errors="replace"), truth[pid].get("articleBody") or ""))
    return pages


def half(page_id: str) -> str:
    """``"A"`` or ``"B"``: a stable split of a set's pages by a hash of the page id."""
    return "A" if hashlib.sha1(page_id.encode()).digest()[0] % 2 == 0 else "B"


def ours(html: str) -> str:
    """The HTML alone: parse once (as the page object does) + extract_body."""
    import parsel

    from crawler.extract.mainbody import extract_body

    root = parsel.Selector(text=html or "<html></html>").root
    return "\n\n".join(extract_body(root))


def ours_exported(html: str) -> str:
    """What the crawl exports: the page object's body."""
    from crawler.api import page_for

    return page_for(html or "<html></html>", "https://bench.invalid/article").body() or ""


def trafilatura_default(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def trafilatura_precision(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, favor_precision=True) or ""


def trafilatura_recall(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, favor_recall=True) or ""


def readability_text(html: str) -> str:
    from readability import Document

    from crawler.normalize.text import html_to_text

    try:
        return html_to_text(Document(html).summary(html_partial=True))
    except Exception:  # readability raises on pages it cannot read: an empty prediction
        return ""


def resiliparse_text(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse(html), main_content=True) or ""


def runners(variants: bool) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = [(EXPORTED, ours_exported), ("review-crawler extract_body", ours)]
    try:
        import trafilatura
    except ImportError:
        print("trafilatura is not installed (pip install -e '.[bench]'); skipped")
    else:
        out.append((f"trafilatura {trafilatura.__version__}", trafilatura_default))
        if variants:
            out.append((f"trafilatura {trafilatura.__version__} favor_precision", trafilatura_precision))
            out.append((f"trafilatura {trafilatura.__version__} favor_recall", trafilatura_recall))
    try:
        from importlib.metadata import version

        import readability  # noqa: F401

        out.append((f"readability-lxml {version('readability-lxml')}", readability_text))
    except ImportError:
        print("readability-lxml is not installed (pip install -e '.[bench]'); skipped")
    try:
        from importlib.metadata import version

        import resiliparse.extract.html2text  # noqa: F401

        out.append((f"resiliparse {version('resiliparse')}", resiliparse_text))
    except ImportError:
        print("resiliparse is not installed (pip install -e '.[bench]'); skipped")
    return out


def run_all(extractors, pages):
    """Run every extractor over every page, interleaved page by page, timing each:
    ``[(name, predictions, seconds)]``."""
    for _, fn in extractors:
        fn(pages[0][1])  # warm-up: imports and lazy compilation are not page time
    preds: list[list[str]] = [[] for _ in extractors]
    elapsed = [0.0] * len(extractors)
    clock = time.perf_counter
    for _, html, _ in pages:
        for i, (_, fn) in enumerate(extractors):
            t0 = clock()
            out = fn(html)
            elapsed[i] += clock() - t0
            preds[i].append(out)
    return [(name, pred, secs) for (name, _), pred, secs in zip(extractors, preds, elapsed)]


def _table(title: str, rows: list[dict], with_std: bool) -> None:
    print(title)
    print()
    print("| extractor | F1 | precision | recall | accuracy | pages/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        s = r.get("std")

        def cell(key: str) -> str:
            return f"{r[key]:.3f} ± {s[key]:.3f}" if with_std and s else f"{r[key]:.3f}"

        speed = f"{r['pages_per_s']:.1f}" if "pages_per_s" in r else ""
        print(f"| {r['name']} | {cell('f1')} | {cell('precision')} | {cell('recall')} | {cell('accuracy')} | {speed} |")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", action="append", default=[], metavar="NAME=DIR", help="a set to score (default: both shared sets)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="score only extractors whose name contains NAME")
    ap.add_argument("--variants", action="store_true", help="also trafilatura favor_precision / favor_recall")
    ap.add_argument("--halves", action="store_true", help="also print each row on each half of each set")
    ap.add_argument("--rounds", type=int, default=1000, help="bootstrap resamples (default 1000)")
    ap.add_argument("--dump", type=Path, help="write the exported body's per-page scores and predictions (JSON Lines) here")
    args = ap.parse_args(argv)

    sets = dict(DEFAULT_SETS)
    if args.set:
        sets = {}
        for spec in args.set:
            name, _, path = spec.partition("=")
            sets[name] = Path(path) if path else DEFAULT_SETS.get(name, Path(name))
    present = {}
    for name, path in sets.items():
        if (path / "ground-truth.json").is_file():
            present[name] = path
        else:
            print(f"{name}: not found at {path}; skipped (nothing measured)")
    if not present:
        return 0
    extractors = runners(args.variants)
    if args.only:
        extractors = [(n, f) for n, f in extractors if any(o in n for o in args.only)]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; ± = bootstrap std ({args.rounds} resamples)")
    print()
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    try:
        for set_name, path in present.items():
            pages = load(path)
            results = run_all(extractors, pages)
            rows, half_rows = [], {"A": [], "B": []}
            for name, pred, secs in results:
                scores = [score_page(p, t) for p, (_, _, t) in zip(pred, pages)]
                row = aggregate(scores)
                row["std"] = bootstrap_std(scores, rounds=args.rounds)
                row["pages_per_s"] = len(pages) / secs if secs else float("inf")
                row["name"] = name
                rows.append(row)
                for h in "AB":
                    hr = aggregate([s for s, (pid, _, _) in zip(scores, pages) if half(pid) == h])
                    hr["name"] = name
                    half_rows[h].append(hr)
                if dump and name == EXPORTED:
                    for (pid, _, truth), p, sc in zip(pages, pred, scores):
                        dump.write(json.dumps({"set": set_name, "id": pid, "half": half(pid), "p": sc.precision,
                                               "r": sc.recall, "pred": p, "truth": truth}) + "\n")
            _table(f"### {set_name}: {len(pages)} pages from {path}", rows, with_std=True)
            if args.halves:
                for h in "AB":
                    n = sum(1 for pid, _, _ in pages if half(pid) == h)
                    _table(f"#### {set_name}, half {h} ({n} pages)", half_rows[h], with_std=False)
    finally:
        if dump:
            dump.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
