"""Page fields declared once (crawler/extract/fields.py): layer order, the layer that answered as
part of the answer, combine policies, and what a page reports derived from its declared fields
(never from the order they were read in)."""

from __future__ import annotations

import json

import pytest

from crawler.extract.fields import Answer, Field, FieldPage, agree, declared_fields, merge
from crawler.extract.page import ReviewPage
from crawler.record.item import Review
from crawler.sites.registry import page_for
from tests.support.crawl import FIXTURES, load_expected


class Card(FieldPage):
    """A toy page: each layer answers what its attribute says (None: no answer)."""

    def __init__(self, **answers):
        self.given = answers
        self.asked: list[str] = []

    def _get(self, key):
        self.asked.append(key)
        return self.given.get(key)

    name = Field("selector", "meta")
    score = Field("selector", "structured", "text", combine=agree(lambda v: v["n"], fallback=("text",)))
    people = Field("selector", "structured", "text", combine=merge(dict, unless={"text": "selector"}))
    tags = Field("meta", default=list)
    hidden = Field("selector", item=None)
    uncounted = Field("selector", item="other", counted=False)

    def _name_selector(self):
        return self._get("name_selector")

    def _name_meta(self):
        return self._get("name_meta")

    def _score_selector(self):
        return self._get("score_selector")

    def _score_structured(self):
        found = self._get("score_structured")
        return Answer(found, "microdata") if found else None

    def _score_text(self):
        return self._get("score_text")

    def _people_selector(self):
        return self._get("people_selector")

    def _people_structured(self):
        return self._get("people_structured")

    def _people_text(self):
        return self._get("people_text")

    def _tags_meta(self):
        return self._get("tags_meta")

    def _hidden_selector(self):
        return "h"

    def _uncounted_selector(self):
        return "u"


def test_first_layer_that_answers_wins_and_is_named():
    page = Card(name_selector=None, name_meta="Pier Nine")
    assert page.name() == "Pier Nine"
    assert page.answer("name") == Answer("Pier Nine", "meta")
    assert page.asked == ["name_selector", "name_meta"]
    page.name()
    assert page.asked == ["name_selector", "name_meta"]  # computed once


def test_later_layers_are_not_asked_once_one_answered():
    page = Card(name_selector="Pier Nine", name_meta="Other")
    assert page.answer("name") == Answer("Pier Nine", "selector")
    assert page.asked == ["name_selector"]


def test_a_layer_names_the_source_it_read():
    page = Card(score_structured={"n": 7})
    assert page.answer("score") == Answer({"n": 7}, "microdata")


def test_agreeing_layers_give_the_first_one():
    page = Card(score_selector={"n": 7, "raw": "7/10"}, score_structured={"n": 7})
    assert page.answer("score") == Answer({"n": 7, "raw": "7/10"}, "selector")
    assert "score_text" not in page.asked  # the fallback is read only when nothing else answered


def test_disagreeing_layers_give_no_value_and_a_conflict():
    page = Card(score_selector={"n": 7}, score_structured={"n": 3}, score_text={"n": 7})
    assert page.answer("score") == Answer(None, None, ("score_conflict",))
    assert page.field_problems() == ["score_conflict"]
    assert "score" not in page.sources


def test_fallback_answers_only_when_the_others_do_not():
    page = Card(score_text={"n": 5})
    assert page.answer("score") == Answer({"n": 5}, "text")


def test_merge_fills_keys_in_layer_order_and_names_the_first_layer():
    page = Card(people_structured={"director": ["A"], "writer": []}, people_text={"director": ["B"], "writer": ["C"]})
    assert page.answer("people") == Answer({"director": ["A"], "writer": ["C"]}, "structured")


def test_merge_skips_a_layer_when_the_one_it_depends_on_answered():
    page = Card(people_selector={"director": ["A"]}, people_structured={"starring": ["S"]}, people_text={"writer": ["W"]})
    assert page.answer("people") == Answer({"director": ["A"], "starring": ["S"]}, "selector")
    assert "people_text" not in page.asked


def test_default_value_when_no_layer_answers():
    page = Card()
    assert page.tags() == [] and page.answer("tags").layer is None
    assert page.people() == {}


def test_layer_problems_are_kept_even_without_a_value():
    class Noisy(Card):
        def _name_selector(self):
            return Answer(problems=("name_garbled",))

    page = Noisy(name_meta="Pier Nine")
    assert page.answer("name") == Answer("Pier Nine", "meta", ("name_garbled",))


def test_a_subclass_overrides_one_layer_and_keeps_the_order():
    class Site(Card):
        def _name_selector(self):
            return "From the site"

    assert Site(name_meta="meta").answer("name") == Answer("From the site", "selector")


def test_a_subclass_redeclares_a_field_in_place():
    class MetaFirst(Card):
        name = Field("meta", "selector")

    page = MetaFirst(name_selector="sel", name_meta="meta")
    assert page.answer("name") == Answer("meta", "meta")
    assert [f.name for f in MetaFirst.fields()] == [f.name for f in Card.fields()]


def test_fields_are_computed_once_per_class_and_each_class_has_its_own():
    class MetaFirst(Card):
        name = Field("meta", "selector")
        extra = Field("x")

    class Plain(Card):
        pass

    for cls in (Card, MetaFirst, Plain, ReviewPage):
        assert cls.fields() == declared_fields(cls) and cls.fields() is cls.fields()
    assert [f.name for f in MetaFirst.fields()] == [f.name for f in Card.fields()] + ["extra"]
    assert MetaFirst.fields()[0] is MetaFirst.__dict__["name"] and Card.fields()[0] is Card.__dict__["name"]
    assert Plain.fields() == Card.fields() and "_declared_fields" in Plain.__dict__


def test_sources_and_values_come_from_the_declared_fields():
    page = Card(name_selector="N", tags_meta=["x"])
    assert page.sources == {"name": "selector", "tags": "meta", "hidden": "selector"}
    assert page.field_values() == {"name": "N", "score": None, "people": {}, "tags": ["x"], "other": "u"}


def test_a_field_that_depends_on_itself_is_an_error_not_a_recursion():
    class Loop(FieldPage):
        a = Field("x")

        def _a_x(self):
            return self.a()

    with pytest.raises(RuntimeError, match="depends on itself"):
        Loop().a()


def _fixture_pages():
    for html in sorted(FIXTURES.rglob("page.html")):
        case = html.parent
        site = case.relative_to(FIXTURES).parts[0]
        expected = load_expected(case) if (case / "expected.json").exists() else None
        url = expected["url"] if expected else f"https://fixture.invalid/{case.name}"
        headers = json.loads((case / "headers.json").read_text("utf-8")) if (case / "headers.json").exists() else None
        yield pytest.param(url, html.read_bytes(), headers, site, id=str(case.relative_to(FIXTURES)))


FIXTURE_PAGES = list(_fixture_pages())


@pytest.mark.parametrize("url,body,headers,site", FIXTURE_PAGES)
def test_sources_and_problems_do_not_depend_on_the_order_fields_are_read(url, body, headers, site):
    ahead = page_for(url, body, headers=headers, site=site)
    told = dict(ahead.sources), list(ahead.problems)  # before any field was read
    forward = page_for(url, body, headers=headers, site=site)
    forward.is_review()
    forward.to_item()
    backward = page_for(url, body, headers=headers, site=site)
    for field in reversed(backward.fields()):
        getattr(backward, field.name)()
    assert told == (forward.sources, forward.problems) == (backward.sources, backward.problems)
    assert forward.sources  # every fixture page has fields read from some layer
    assert forward.to_item() == backward.to_item()


def test_the_review_page_declares_every_item_field():
    items = {f.item for f in ReviewPage.fields() if f.item}
    assert items | {"site"} == {"url", "site", "kind", "title", "subtitle", "work_title", "grade", "credits", "body",
                                "authors", "published_at", "modified_at", "language"}
    assert set(Review.__dataclass_fields__) >= items
