"""Body extraction benchmark: our extractor next to trafilatura on the shared
article-extraction benchmark (181 real article pages with hand-made ground truth).

    python bench/body_benchmark.py [--data DIR] [--no-trafilatura] [--variants] [--rounds N] [--dump FILE]

The data is read in place from ``../shared/benchmarks/article-extraction`` (or ``--data``,
or ``$ARTICLE_BENCHMARK_DIR``) and never copied. When it is absent the script says so and
exits 0. Scoring follows the benchmark's README exactly (see ``bench/body_metric.py``).

Timing covers the whole extraction from the HTML string to the body text: for us parsing
(parsel/lxml, as the page object does once per page) + ``extract_body`` (a second row also
reads the page's JSON-LD ``articleBody`` and offers it to ``extract_body``); for trafilatura
``trafilatura.extract(html)``. Each extractor runs over all pages in one pass, in the same
process, one after the other.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.body_metric import aggregate, bootstrap_std, score_page  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "article-extraction"


def load(data: Path) -> list[tuple[str, str, str]]:
    """``[(page_id, html, truth)]`` sorted by id."""
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = []
    for pid in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes())
        pages.append((pid, raw.decode("utf-8", errors="replace"), truth[pid].get("articleBody") or ""))
    return pages


def ours(html: str) -> str:
    """The HTML alone: parse once (as the page object does) + extract_body."""
    import parsel

    from crawler.extract.mainbody import extract_body

    root = parsel.Selector(text=html or "<html></html>").root
    return "\n\n".join(extract_body(root))


def ours_exported(html: str) -> str:
    """What the crawl exports: the page object's body (site/generic selectors, the main-text
    extractor, structured data's articleBody when it is the full text)."""
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


def run_all(runners, pages, rounds):
    """Run every extractor over every page, interleaved page by page (so a busy machine slows
    them alike), timing each; then score."""
    for _, fn in runners:
        fn(pages[0][1])  # warm-up: imports and lazy compilation are not page time
    preds: list[list[str]] = [[] for _ in runners]
    elapsed = [0.0] * len(runners)
    clock = time.perf_counter
    for _, html, _ in pages:
        for i, (_, fn) in enumerate(runners):
            t0 = clock()
            out = fn(html)
            elapsed[i] += clock() - t0
            preds[i].append(out)
    results = []
    for (name, _), pred, secs in zip(runners, preds, elapsed):
        scores = [score_page(p, t) for p, (_, _, t) in zip(pred, pages)]
        row = aggregate(scores)
        row["std"] = bootstrap_std(scores, rounds=rounds)
        row["pages_per_s"] = len(pages) / secs if secs else float("inf")
        row["name"] = name
        results.append((row, pred, scores))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("ARTICLE_BENCHMARK_DIR", DEFAULT_DATA)))
    ap.add_argument("--no-trafilatura", action="store_true", help="score our extractor only")
    ap.add_argument("--variants", action="store_true", help="also trafilatura favor_precision / favor_recall")
    ap.add_argument("--rounds", type=int, default=1000, help="bootstrap resamples (default 1000)")
    ap.add_argument("--dump", type=Path, help="write per-page scores and predictions (JSON Lines) here")
    args = ap.parse_args(argv)

    if not (args.data / "ground-truth.json").is_file():
        print(f"article-extraction benchmark not found at {args.data}; skipping (nothing measured)")
        return 0
    pages = load(args.data)
    runners = [("review-crawler extract_body", ours), ("review-crawler exported body (page.body())", ours_exported)]
    if not args.no_trafilatura:
        try:
            import trafilatura
        except ImportError:
            print("trafilatura is not installed (pip install trafilatura); scoring our extractor only")
        else:
            runners.append((f"trafilatura {trafilatura.__version__}", trafilatura_default))
            if args.variants:
                runners.append((f"trafilatura {trafilatura.__version__} favor_precision", trafilatura_precision))
                runners.append((f"trafilatura {trafilatura.__version__} favor_recall", trafilatura_recall))

    results = run_all(runners, pages, args.rounds)
    rows = [row for row, _, _ in results]
    if args.dump:
        _, preds, scores = results[0]
        with args.dump.open("w", encoding="utf-8") as fh:
            for (pid, _, truth), pred, sc in zip(pages, preds, scores):
                fh.write(json.dumps({"id": pid, "p": sc.precision, "r": sc.recall, "exact": sc.exact, "pred": pred, "truth": truth}) + "\n")

    print(f"{len(pages)} pages from {args.data}; python {sys.version.split()[0]}, {os.cpu_count()} cores; ± = bootstrap std ({args.rounds} resamples)")
    print()
    print("| extractor | precision | recall | F1 | accuracy | pages/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        s = r["std"]
        print(
            f"| {r['name']} | {r['precision']:.3f} ± {s['precision']:.3f} | {r['recall']:.3f} ± {s['recall']:.3f} "
            f"| {r['f1']:.3f} ± {s['f1']:.3f} | {r['accuracy']:.3f} ± {s['accuracy']:.3f} | {r['pages_per_s']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
