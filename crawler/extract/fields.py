"""Page fields declared once: the layers a field is read from, in order, and how their answers
combine (in the spirit of web-poet's ``@field``).

::

    class ReviewPage(FieldPage):
        grade = Field("selector", "structured", "text", combine=agree(GRADE_KEY, fallback=("text",)))

        def _grade_selector(self): ...    # the value, or None: this layer has no answer
        def _grade_structured(self): ...  # Answer(value, "microdata"): it names its own layer
        def _grade_text(self): ...

A layer of field ``f`` is the page method ``_f_<layer>``: a subclass changes one layer by
overriding that method, and the order or the policy by declaring the field again. A layer
returns the value, ``None`` (no answer), or an :class:`Answer` when it names the layer that
answered itself (a structured-data layer says ``jsonld``, ``microdata`` or ``rdfa``) or reports a
problem (``Answer(None, problems=("grade_conflict",))``).

``page.grade()`` is the value and ``page.answer("grade")`` the :class:`Answer` (value, the layer
that answered, problems), each computed once per page. What a page reports
(:attr:`FieldPage.sources`, :meth:`FieldPage.field_problems`) and the item it builds
(:meth:`FieldPage.field_values`) are derived from the declared fields, never from the order in
which they happened to be called.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

#: ``ask(layer) -> Answer``: what a combine policy asks the page for
Ask = Callable[[str], "Answer"]


@dataclass(frozen=True)
class Answer:
    """A field's (or one layer's) answer: the value, which layer gave it (``None``: no layer
    did), and the problems seen on the way."""

    value: Any = None
    layer: str | None = None
    problems: tuple[str, ...] = ()


def first(field: "Field", ask: Ask) -> Answer:
    """The first layer that answers wins (the default policy)."""
    return _first(field.layers, ask)


def _first(layers: Iterable[str], ask: Ask) -> Answer:
    problems: list[str] = []
    for layer in layers:
        found = ask(layer)
        problems.extend(found.problems)
        if found.value is not None:
            return replace(found, problems=tuple(problems))
    return Answer(problems=tuple(problems))


def agree(key: Callable[[Any], Any], *, fallback: tuple[str, ...] = ()) -> Callable[["Field", Ask], Answer]:
    """Every layer not in *fallback* is asked; their answers must agree (equal ``key(value)``),
    else the field has no value and the problem ``<field>_conflict``; the first of them wins. The
    *fallback* layers are asked, in order, only when none of the others answered."""

    def combine(field: Field, ask: Ask) -> Answer:
        main = [ask(layer) for layer in field.layers if layer not in fallback]
        problems = [p for a in main for p in a.problems]
        found = [a for a in main if a.value is not None]
        if not found:
            rest = _first([layer for layer in field.layers if layer in fallback], ask)
            return replace(rest, problems=tuple(problems) + rest.problems)
        if any(key(a.value) != key(found[0].value) for a in found[1:]):
            return Answer(problems=tuple(problems) + (f"{field.name}_conflict",))
        return replace(found[0], problems=tuple(problems))

    return combine


def merge(empty: Callable[[], dict], *, unless: dict[str, str] | None = None) -> Callable[["Field", Ask], Answer]:
    """Every layer is asked and the dicts they give merged key by key, in layer order: a key takes
    the first non-empty value. The value starts as ``empty()``; the layer that answered is the
    first that gave anything. ``unless={"text": "selector"}``: the text layer is not asked when
    the selector layer answered (both read the same markup)."""

    def combine(field: Field, ask: Ask) -> Answer:
        merged = empty()
        layer_of: str | None = None
        problems: list[str] = []
        answered: set[str] = set()
        for layer in field.layers:
            if unless and unless.get(layer) in answered:
                continue
            found = ask(layer)
            problems.extend(found.problems)
            if not found.value:
                continue
            answered.add(layer)
            layer_of = layer_of or found.layer
            for k, v in found.value.items():
                if v and not merged.get(k):
                    merged[k] = v
        return Answer(merged, layer_of, tuple(problems))

    return combine


class Field:
    """A field of a page object (see the module docstring).

    *layers*: the layer names, in order (each is the page method ``_<field>_<layer>``).
    *combine*: how the layers' answers make the field's (:func:`first`, :func:`agree`,
    :func:`merge`, or any ``(field, ask) -> Answer``). *default*: a factory for the value when no
    layer answers. *item*: the item key the value goes to (the field's name by default, ``None``:
    not part of the item). *counted*: whether the answering layer is reported in
    :attr:`FieldPage.sources`.
    """

    def __init__(self, *layers: str, combine: Callable[["Field", Ask], Answer] = first,
                 default: Callable[[], Any] | None = None, item: str | None = "", counted: bool = True):
        self.layers = layers
        self.combine = combine
        self.default = default
        self.item = item
        self.counted = counted
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        if self.item == "":
            self.item = name

    def __get__(self, page: Any, owner: type | None = None):
        if page is None:
            return self
        return types.MethodType(_value_of(self.name), page)

    def __repr__(self) -> str:
        return f"Field({self.name!r}, layers={self.layers!r})"


def _value_of(name: str) -> Callable[[Any], Any]:
    def value(page: "FieldPage") -> Any:
        return page.answer(name).value

    value.__name__ = name
    return value


def declared_fields(cls: type) -> tuple[Field, ...]:
    """The fields of a page class, in declaration order (a subclass's redeclaration replaces the
    base's in place; new fields come after the inherited ones)."""
    out: dict[str, Field] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Field):
                out[name] = value
    return tuple(out.values())


class FieldPage:
    """Base of page objects with declared :class:`Field` s: each field's answer computed once."""

    def answer(self, name: str) -> Answer:
        """The :class:`Answer` of field *name* (computed once per page)."""
        cache = self.__dict__.setdefault("_answers", {})
        if name in cache:
            if cache[name] is None:
                raise RuntimeError(f"field {name!r} of {type(self).__name__} depends on itself")
            return cache[name]
        field = getattr(type(self), name, None)
        if not isinstance(field, Field):
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        cache[name] = None  # being computed: a layer that asks for this field again is a cycle
        try:
            found = field.combine(field, lambda layer: self._ask(name, layer))
            if found.value is None and field.default is not None:
                found = replace(found, value=field.default())
        except BaseException:
            del cache[name]
            raise
        cache[name] = found
        return found

    def _ask(self, name: str, layer: str) -> Answer:
        found = getattr(self, f"_{name}_{layer}")()
        if isinstance(found, Answer):
            return found if found.layer or found.value is None else replace(found, layer=layer)
        return Answer(found, layer) if found is not None else Answer()

    @classmethod
    def fields(cls) -> tuple[Field, ...]:
        """:func:`declared_fields` of the class, computed once per class (kept in the class's
        own ``__dict__``: a subclass computes its own)."""
        found = cls.__dict__.get("_declared_fields")
        if found is None:
            found = declared_fields(cls)
            type.__setattr__(cls, "_declared_fields", found)
        return found

    @property
    def sources(self) -> dict[str, str]:
        """Field -> the layer that answered it (``selector``, ``jsonld``, ``microdata``, ``rdfa``,
        ``meta``, ``text``), for every counted field that has an answer."""
        out: dict[str, str] = {}
        for field in self.fields():
            if field.counted:
                layer = self.answer(field.name).layer
                if layer:
                    out[field.name] = layer
        return out

    def field_problems(self) -> list[str]:
        """The problems of every declared field (``grade_conflict``, ...), in declaration order."""
        return [p for field in self.fields() for p in self.answer(field.name).problems]

    def field_values(self) -> dict[str, Any]:
        """Item key -> value, for every declared field that goes into the item."""
        return {field.item: self.answer(field.name).value for field in self.fields() if field.item}

