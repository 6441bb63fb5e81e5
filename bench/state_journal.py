"""The cost of the state journal (crawler/state/journal.py): ``mark_emitted`` of a batch of rows
(field hashes and fetch validators, as a crawl writes them) on a SQLite state with and without
its journal, alternating, ``--rounds`` times each; and the check of the journal when the state
is opened (every line's CRC read).

    python bench/state_journal.py --rows 10000 --rounds 7

Prints the median and best time of each, the journal's bytes per row, and the open check.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.state.sqlite import SQLiteStateStore  # noqa: E402

FIELDS = ("title", "body", "grade", "author", "published", "credits", "work", "kind")


def rows(batch: int, n: int) -> list[dict]:
    return [{"id": f"{batch:03d}{i:07d}", "url": f"https://www.avclub.com/review-{batch}-{i}-a-film-title-slug",
             "content_hash": "%064x" % (i * 7919 + batch), "field_hashes": {f: "%016x" % (i + j) for j, f in enumerate(FIELDS)},
             "fetch_url": f"https://www.avclub.com/review-{batch}-{i}-a-film-title-slug", "etag": f'"{i:x}-{batch}"',
             "last_modified": "Mon, 01 Jan 2024 00:00:00 GMT"} for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=None, help="where the states are written (default: a temporary folder)")
    args = ap.parse_args(argv)
    times: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        stores = {j: SQLiteStateStore(Path(tmp) / f"journal-{j}.sqlite", journal=j) for j in (False, True)}
        for k in range(args.rounds):
            for journal in ((False, True) if k % 2 == 0 else (True, False)):
                batch = rows(k, args.rows)
                t0 = time.perf_counter()
                stores[journal].mark_emitted(batch, f"run-{k}", output=None)
                times[journal].append(time.perf_counter() - t0)
        for store in stores.values():
            store.close()
        journal_bytes = (Path(tmp) / "journal-True.sqlite.journal").stat().st_size
        t0 = time.perf_counter()
        SQLiteStateStore(Path(tmp) / "journal-True.sqlite").close()
        opened = time.perf_counter() - t0
        t0 = time.perf_counter()
        SQLiteStateStore(Path(tmp) / "journal-False.sqlite", journal=False).close()
        opened_plain = time.perf_counter() - t0
    total = args.rows * args.rounds
    for journal in (False, True):
        t = times[journal]
        print(f"mark_emitted {args.rows} rows, journal {'on ' if journal else 'off'}: median {statistics.median(t) * 1000:.0f} ms, "
              f"best {min(t) * 1000:.0f} ms ({args.rounds} rounds)")
    extra = statistics.median(times[True]) - statistics.median(times[False])
    print(f"journal: +{extra * 1000:.0f} ms per batch (median), {journal_bytes / total:.0f} bytes per row, "
          f"{journal_bytes / 1e6:.1f} MB for {total} rows; opening the state with its journal checked: {opened * 1000:.0f} ms "
          f"(without: {opened_plain * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
