"""Per-page micro-benchmark: ``crawler.api.extract_review`` against ``trafilatura.extract``.

Both read the same generated review pages (bytes in, result out). For each page the best of
``--repeat`` timed calls is kept (less noise from a shared machine), then the median over the
pages is reported with the ratio. Also compares what each returns for one page: trafilatura
gives body text and a few metadata (title, author, date); ``extract_review`` gives the whole
record (grade, credits, work title, kind, ...).

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
    if args.json:
        args.json.write_text(json.dumps({"ours_ms": ours_med, "trafilatura_ms": theirs_med, "ratio": theirs_med / ours_med,
                                         "validate_ms": statistics.median(ours_valid), "pages": len(pages)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
