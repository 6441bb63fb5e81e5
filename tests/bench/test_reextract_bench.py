"""bench/reextract_bench.py reads ``crawler reextract``'s summary line: a small archive of generated
pages, reextracted in this process with 1 and 2 workers, gives a line its pattern parses."""

from __future__ import annotations

import io

import pytest

from bench.gen_site import make_page
from bench.reextract_bench import RATE
from crawler.output.warc import WarcFileWriter
from crawler.run.reextract import reextract


@pytest.mark.parametrize("workers", [1, 2])
def test_summary_line_is_parsed(tmp_path, workers):
    w = WarcFileWriter(tmp_path / "warc", "bench-R")
    for i in range(6):
        slug, html, _, _ = make_page(i)
        w.write_exchange(url=f"http://127.0.0.1:9/{slug}", method="GET", request_headers=[], status=200, reason="OK",
                         response_headers=[("Content-Type", "text/html; charset=utf-8")], body=html.encode("utf-8"),
                         read_args={"site": "avclub", "expected": True, "source": "sitemap"})
    w.close()
    err = io.StringIO()
    assert reextract(w.files, tmp_path / f"rx-{workers}.jsonl", workers=workers, progress=0, stderr=err) == 0
    m = RATE.search(err.getvalue())
    assert m is not None, err.getvalue()
    assert (int(m.group(1)), int(m.group(4)), int(m.group(5))) == (6, workers, 6)
