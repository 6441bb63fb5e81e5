"""Per-page micro-benchmark: ``crawler.api.extract_review`` against ``trafilatura.extract``.

Both read the same generated review pages (bytes in, result out). For each page the best of
``--repeat`` timed calls is kept (less noise from a shared machine), then the median over the
pages is reported with the ratio. Also compares what each returns for one page: trafilatura
gives body text and a few metadata (title, author, date); ``extract_review`` gives the whole
record (grade, credits, work title, kind, ...).

Then where ``extract_review``'s time goes on the same pages (``--fields``, on by default): the
median cost of each stage in the order the crawl runs them -- decoding and parsing (the page
object), the review classification, each declared field in export order (a field's cost
includes what it is the first to need: the ``<h1>``, the modules, the body's walk ...), the
record's normalization and its schema check.

Last, the shared real-page benchmarks (``../shared/benchmarks/article-extraction`` and
``wcxb-articles-dev``, skipped when absent; ``--real-pages N`` per set, 0 for none): news and
blog articles, mostly not reviews, of all sizes. ``extract_review`` stops at the classification
on a page that is no review (as the crawl does), so both are timed: ``extract_review`` and
every field of the record read anyway (``to_item`` + normalization), against
``trafilatura.extract`` with metadata. Figures are pages/s on one core (1000 / median ms), and
the two speed-ups over trafilatura: ``extract_review``'s (the crawl's path) and every field's.

    python bench/gen_site.py --pages 2000 --out /tmp/bench-site
    python bench/micro_extract.py --site /tmp/bench-site --pages 200

trafilatura is a benchmark-only dependency (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def best_ms(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=Path("/tmp/bench-site"))
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-fields", dest="fields", action="store_false", help="skip the per-field costs")
    ap.add_argument("--real-pages", type=int, default=150, help="pages per shared real-page set (0: none)")
    args = ap.parse_args(argv)
    if not (args.site / "manifest.json").exists():
        from bench.gen_site import generate

        generate(args.site, max(args.pages, 100))

    import trafilatura

    from crawler.api import extract_review
    from crawler.record.validate import record_errors

    slugs = [line.strip("/") for line in (args.site / "urls.txt").read_text("utf-8").split()]
    pages = []
    for slug in slugs:
        if "-review-" in slug:
            pages.append((f"https://www.avclub.com/{slug}", (args.site / slug / "page.html").read_bytes()))
        if len(pages) >= args.pages:
            break
    headers = {"Content-Type": "text/html"}
    ours, theirs, ours_valid = [], [], []
    for url, html in pages[:3]:  # warm up imports and caches
        extract_review(html, url, headers=headers)
        trafilatura.extract(html, url=url, with_metadata=True, output_format="json")
    for url, html in pages:
        ours.append(best_ms(lambda: extract_review(html, url, headers=headers), args.repeat))
        theirs.append(best_ms(lambda: trafilatura.extract(html, url=url, with_metadata=True, output_format="json"), args.repeat))
        rec = extract_review(html, url, headers=headers)
        ours_valid.append(best_ms(lambda: record_errors(rec), args.repeat))
    ours_med, theirs_med = statistics.median(ours), statistics.median(theirs)
    kb = statistics.mean(len(h) for _, h in pages) / 1024
    print(f"{len(pages)} review pages, mean {kb:.0f} KB; best of {args.repeat} per page, median over pages")
    print("| extractor | median ms/page | p90 ms/page |")
    print("| --- | ---: | ---: |")
    p90 = lambda xs: sorted(xs)[int(len(xs) * 0.9)]  # noqa: E731
    print(f"| `crawler.api.extract_review` (record, normalized) | {ours_med:.2f} | {p90(ours):.2f} |")
    print(f"| `trafilatura.extract` (json, with metadata) | {theirs_med:.2f} | {p90(theirs):.2f} |")
    print(f"| (schema validation of our record, run by the crawl) | {statistics.median(ours_valid):.2f} | {p90(ours_valid):.2f} |")
    print(f"\nspeed-up: extract_review is {theirs_med / ours_med:.1f}x faster than trafilatura (target >= 5x)")

    url, html = pages[0]
    rec = extract_review(html, url, headers=headers)
    traf = json.loads(trafilatura.extract(html, url=url, with_metadata=True, output_format="json") or "{}")
    ours_fields = {k for k, v in rec.items() if v not in (None, "", [], {})}
    traf_fields = {k for k, v in traf.items() if v not in (None, "", [], {})}
    body_same = (traf.get("text") or "").split() == (rec.get("body") or "").split()
    print(f"\nfields, one page ({url}):")
    print(f"  trafilatura non-empty: {sorted(traf_fields)}")
    print(f"  extract_review non-empty: {sorted(ours_fields)}")
    print(f"  only ours: grade {rec['grade']['raw'] if rec.get('grade') else None!r}, credits {sorted(k for k, v in rec['credits'].items() if v)}, "
          f"work_title {rec.get('work_title')!r}, kind {rec.get('kind')!r}, subtitle, word_count, id, content_hash")
    print(f"  body words: ours {len((rec.get('body') or '').split())}, trafilatura {len((traf.get('text') or '').split())}; same words: {body_same}")
    result = {"ours_ms": ours_med, "trafilatura_ms": theirs_med, "ratio": theirs_med / ours_med,
              "validate_ms": statistics.median(ours_valid), "pages": len(pages)}
    if args.fields:
        result["stages_ms"] = field_costs(pages, headers, args.repeat)
    if args.real_pages:
        result["real_pages"] = real_pages(args.real_pages, args.repeat)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


def stage_times(url: str, html: bytes, headers: dict) -> dict[str, float]:
    """Seconds per stage of reading one page, as :func:`crawler.sites.read.read_page` runs them."""
    from crawler.record.build import normalize_record
    from crawler.record.validate import record_errors
    from crawler.sites.registry import page_for

    out: dict[str, float] = {}
    t = time.perf_counter()
    page = page_for(url, html, headers=headers)
    out["decode + parse (page object)"] = time.perf_counter() - t
    t = time.perf_counter()
    page.is_review()
    out["review classification"] = time.perf_counter() - t
    for field in page.fields():
        t = time.perf_counter()
        page.answer(field.name)
        out[f"field {field.name}"] = time.perf_counter() - t
    t = time.perf_counter()
    item = page.to_item()
    _ = (page.sources, page.problems)
    out["item (sources, problems)"] = time.perf_counter() - t
    t = time.perf_counter()
    record = normalize_record(item)
    out["normalize_record"] = time.perf_counter() - t
    t = time.perf_counter()
    record_errors(record)
    out["schema check"] = time.perf_counter() - t
    return out


def field_costs(pages: list[tuple[str, bytes]], headers: dict, repeat: int) -> dict[str, float]:
    """Median ms per stage over *pages* (best of *repeat* reads of each page, stage by stage)."""
    per: dict[str, list[float]] = {}
    for url, html in pages:
        best: dict[str, float] = {}
        for _ in range(repeat):
            for k, v in stage_times(url, html, headers).items():
                best[k] = min(best.get(k, v), v)
        for k, v in best.items():
            per.setdefault(k, []).append(v * 1000)
    med = {k: statistics.median(v) for k, v in per.items()}
    total = sum(med.values())
    print(f"\nwhere extract_review's time goes ({len(pages)} pages, median ms per stage, best of {repeat}; sum {total:.2f} ms):")
    print("| stage | ms/page | share |")
    print("| --- | ---: | ---: |")
    for k, v in sorted(med.items(), key=lambda kv: -kv[1]):
        if v >= 0.005:
            print(f"| {k} | {v:.3f} | {100 * v / total:.0f}% |")
    return med


def real_pages(limit: int, repeat: int) -> dict:
    """pages/s on one core of extract_review, every field, and trafilatura on the shared sets."""
    import trafilatura

    from bench.body_benchmark import DEFAULT_SETS, load
    from crawler.api import extract_review
    from crawler.record.build import normalize_record
    from crawler.sites.registry import page_for

    out = {}
    print("\nshared real-page sets (pages/s on one core = 1000 / median ms per page, best of", repeat, "calls):")
    print("| set | pages | `extract_review` | every field (`to_item` + normalize) | `trafilatura.extract` (json, metadata) "
          "| speed-up (`extract_review`, the crawl's path) | speed-up (every field) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, folder in DEFAULT_SETS.items():
        if not (folder / "ground-truth.json").is_file():
            print(f"| {name} | absent: skipped | | | | | |")
            continue
        pages = load(folder)[:limit]
        ours, every, theirs = [], [], []
        for pid, html, _ in pages:
            url = f"https://bench.invalid/{pid}"
            ours.append(best_ms(lambda: extract_review(html, url), repeat))
            every.append(best_ms(lambda: normalize_record(page_for(url, html).to_item()), repeat))
            theirs.append(best_ms(lambda: trafilatura.extract(html, url=url, with_metadata=True, output_format="json"), repeat))
        o, e, t = (statistics.median(x) for x in (ours, every, theirs))
        out[name] = {"pages": len(pages), "extract_review_ms": o, "every_field_ms": e, "trafilatura_ms": t}
        print(f"| {name} | {len(pages)} | {1000 / o:.0f} | {1000 / e:.0f} | {1000 / t:.0f} | {t / o:.1f}x | {t / e:.1f}x |")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
