"""record_view: a record's fields without itemadapter's deep copy (the pipelines read items through it)."""

from __future__ import annotations

import dataclasses

from itemadapter import ItemAdapter

from crawler.record.item import CHANGE_ATTR, PREPARED_ERRORS, REVIEW_FIELDS, Review, record_view


def _review() -> Review:
    item = Review(id="a" * 24, url="https://x.example/r", title="T", credits={"director": ["D"]}, authors=["A"],
                  grade={"raw": "B", "scale": "letter"}, word_count=3)
    setattr(item, PREPARED_ERRORS, [])
    setattr(item, CHANGE_ATTR, {"change": "new"})
    return item


def test_a_review_gives_its_fields_in_order_the_values_not_copied():
    item = _review()
    view = record_view(item)
    assert list(view) == list(REVIEW_FIELDS) == [f.name for f in dataclasses.fields(Review)]
    assert view == ItemAdapter(item).asdict()  # the same record as itemadapter's copy
    assert view["credits"] is item.credits and view["authors"] is item.authors  # not copied
    assert PREPARED_ERRORS not in view and CHANGE_ATTR not in view  # only the record's fields
    assert view["title"] == "T" and view["word_count"] == 3 and view["schema_version"] == 1


def test_a_dict_is_itself_anything_else_is_itemadapters_copy():
    rec = {"id": "x", "credits": {"director": ["D"]}}
    assert record_view(rec) is rec

    @dataclasses.dataclass
    class Other:
        id: str = "y"
        credits: dict = dataclasses.field(default_factory=lambda: {"writer": ["W"]})

    other = Other()
    view = record_view(other)
    assert view == {"id": "y", "credits": {"writer": ["W"]}}
    assert view["credits"] is not other.credits

    class Sub(Review):
        pass

    sub = Sub(id="z", authors=["A"])
    assert record_view(sub) == ItemAdapter(sub).asdict() and record_view(sub)["authors"] is not sub.authors


def test_the_shared_encoders_write_what_json_dumps_writes():
    import json

    from crawler.output.jsonl import dumps_record
    from crawler.record.build import canonical_json, content_hash, field_hashes

    rec = {"schema_version": 1, "id": "i", "title": "Amélie \u2028 \"q\"", "grade": {"value": 4.0, "raw": "4/5"},
           "credits": {"starring": ["Zoë", "A"], "year": 2001}, "authors": [], "body": "x\ud800y", "word_count": 2}
    assert canonical_json(rec) == json.dumps(rec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert dumps_record(rec) == json.dumps(rec, ensure_ascii=False, separators=(", ", ": "))
    assert dumps_record(rec).startswith('{"schema_version": 1, "id": "i", "title": "Amélie \u2028 \\"q\\""')
    assert content_hash(rec) == content_hash(dict(reversed(list(rec.items()))))
    assert field_hashes(rec)["title"] == __import__("hashlib").sha256(
        json.dumps("Amélie \u2028 \"q\"", ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def test_json_text_and_lines_are_json_dumps_text_for_every_kind_of_string():
    import json

    from crawler.output.jsonl import dumps_record
    from crawler.record.build import field_hashes, json_text

    strings = ["", "plain", "a\nb\t\"c\"\\d", "del\x7fhere", "ctl\x00\x1f\x08\x0c", "é ’ “q” \u2028", "lone \ud800 x",
               "\\u0041 not an escape", "emoji 🎬", "x" * 20000]
    for s in strings:
        assert json_text(s) == json.dumps(s, ensure_ascii=False), repr(s)
    for s in strings:
        rec = {"schema_version": 2, "title": s, "body": s, "grade": {"value": 4.0, "raw": s}, "authors": [s, "A"],
               "credits": {"year": 2001, "starring": [s]}, "word_count": 3, "kind": None, "flag": True, "nan": float("nan")}
        assert dumps_record(rec) == json.dumps(rec, ensure_ascii=False, separators=(", ", ": ")), repr(s)
        canonical = json.dumps(s, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        import hashlib
        assert field_hashes(rec)["body"] == hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    assert dumps_record({}) == "{}"
    assert dumps_record({1: "a", "b": None}) == json.dumps({1: "a", "b": None}, ensure_ascii=False, separators=(", ", ": "))


def test_the_line_s_string_texts_give_the_ledger_the_same_field_hashes():
    from crawler.output.atomic import Ledger
    from crawler.output.jsonl import dumps_record
    from crawler.record.build import field_hashes, json_text
    from crawler.record.v2 import to_v2

    v1 = {"schema_version": 1, "id": "i", "url": "https://x.example/1", "kind": "film", "title": "Amélie", "body": "b\nody",
          "authors": ["A"], "published_at": "2025-01-01T10:00:00Z", "language": "en", "content_hash": "h"}
    v2 = to_v2(v1)
    texts: dict = {}
    line = dumps_record(v2, texts)
    assert texts["body"] == json_text("b\nody") == '"b\\nody"' and texts["title"] == '"Amélie"' and '"body": "b\\nody"' in line
    assert "authors" not in texts and "grade" not in texts  # only string fields
    assert field_hashes(v2, texts) == field_hashes(v2) == field_hashes(v1)
    assert field_hashes(v1, {"body": '"other"'}) == field_hashes(v1)  # a version 1 record's texts are not its v2 form's
    ledger = Ledger()
    ledger.add(v2, texts)
    ledger.add(v2)
    assert ledger.rows[0] == ledger.rows[1] and ledger.rows[0]["field_hashes"] == field_hashes(v2)
    assert ledger.item_count == 2 and ledger.schema_version == 2


def test_the_remembered_format_answers_are_the_checks_answers():
    from crawler.record.validate import _is_date, _is_datetime

    for _ in range(2):  # the second time from the cache
        assert _is_datetime("2025-01-31T23:59:59Z") is True and _is_datetime("2025-02-30T10:00:00Z") is False
        assert _is_datetime("2025-01-31T24:00:00Z") is False and _is_datetime("2025-01-31 10:00:00") is False
        assert _is_date("2024-02-29") is True and _is_date("2025-02-29") is False and _is_date("2025-13-01") is False
        assert _is_date("2025-01-01" + "x" * 100) is False and _is_date(None) is True and _is_date(["x"]) is True


def test_the_ledger_keeps_rows_small_and_gives_them_back_whole():
    """A ledger row is one small bytes object (a 95,000-record file keeps them all until it is
    closed); :attr:`Ledger.rows` and ``iter_rows`` give back the state's dicts, field hashes in
    field_hashes' own order."""
    import sys

    from crawler.output.atomic import Ledger
    from crawler.record.build import field_hashes

    from crawler.record.v2 import to_v2

    base = {"schema_version": 1, "id": "i", "url": "https://x.example/1", "kind": "film", "title": "Amélie", "body": "b\nody",
            "authors": ["A"], "published_at": "2025-01-01T10:00:00Z", "language": "en", "content_hash": "h"}
    records = [to_v2(dict(base, id=f"id{i}", url=f"https://www.avclub.com/r{i}", title=f"Title {i}")) for i in range(3)]
    ledger = Ledger()
    for record in records:
        ledger.add(record)
    expected = [{"id": r["id"], "url": r["url"], "content_hash": r["content_hash"], "field_hashes": field_hashes(r)} for r in records]
    assert ledger.rows == expected == list(ledger.iter_rows())
    assert [list(row["field_hashes"]) for row in ledger.rows] == [list(field_hashes(records[0]))] * 3
    packed = ledger._rows[0]
    # one bytes object: the texts, then the field hashes as 8 raw bytes each (~280 bytes; a
    # tuple of four strings was ~550, a dict of dicts 2.5 KB)
    assert isinstance(packed, bytes) and sys.getsizeof(packed) < 300
    # values that cannot be packed exactly are kept as they are: the same rows back
    odd = [dict(records[0], id="a\x00b"), dict(records[1], url="https://x.example/\udcff"), dict(records[2], content_hash=None, url=None),
           dict(records[0], id=12345)]
    ledger = Ledger()
    for record in odd:
        ledger.add(record)
    assert ledger.rows == [{"id": r["id"], "url": r["url"] or "", "content_hash": r["content_hash"] or "", "field_hashes": field_hashes(r)} for r in odd]


def test_normalize_record_of_a_review_is_that_of_its_deep_copy():
    """normalize_record reads a Review's fields without dataclasses.asdict's deep copy: the same
    record (keys in order), and what it keeps of the item's lists and dicts is still a copy."""
    from crawler.record.build import normalize_record
    from crawler.sites.registry import page_for
    from tests.support.sitegen import make_bench_page

    releases = [{"date": "2025-05-01", "platform": "Theaters"}, {"date": "2025-06-01", "platform": "Netflix"}]
    item = Review(url=" https://x.example/r ", site="x.example", kind="film", title="T\u00a0 one",
                  grade={"raw": "B", "scale": "letter", "letter": "B", "extra": 1},
                  credits={"director": ["D", "D"], "releases": releases, "runtime_minutes": 90, "year": 2025},
                  body="One two.\n\nThree", authors=["A", " A "], published_at="2025-05-01", language="EN",
                  fetched_at="2025-05-02T00:00:00Z")
    rec = normalize_record(item)
    assert rec == normalize_record(dataclasses.asdict(item))
    assert list(rec) == list(normalize_record(dataclasses.asdict(item)))
    assert rec["credits"]["releases"] == releases and rec["credits"]["releases"] is not releases
    assert rec["credits"]["releases"][0] is not releases[0]
    assert rec["credits"]["director"] == ["D"] and rec["title"] == "T one" and rec["word_count"] == 3
    for i in range(6):
        slug, html, _, _ = make_bench_page(i)
        page = page_for(f"https://www.avclub.com/{slug}", html)
        one = page.to_item()
        assert normalize_record(one, fetched_at="x") == normalize_record(dataclasses.asdict(one), fetched_at="x")
