"""Generated markup for property tests of the tree readers: nested elements of the given tags,
attributes and texts (hypothesis strategies)."""

from __future__ import annotations

from hypothesis import strategies as st


def html_trees(tags: list[str], attrs: list[str], texts: list[str], *, depth: int = 4):
    """A strategy for one element's markup: a tag of *tags* (``br`` stands alone, followed by a
    text) with an attribute string of *attrs*, a text, up to 4 children to *depth* levels,
    and a tail text."""
    tag_st, attr_st, text_st = st.sampled_from(tags), st.sampled_from(attrs), st.sampled_from(texts)

    @st.composite
    def tree(draw, level=0):
        tag = draw(tag_st)
        if tag == "br":
            return "<br>" + draw(text_st)
        children = "" if level >= depth else "".join(draw(st.lists(tree(level + 1), max_size=4)))
        return f"<{tag}{draw(attr_st)}>{draw(text_st)}{children}</{tag}>{draw(text_st)}"

    return tree()
