"""Classifying stylesheet edits: every doubt must lead to more layout, never less."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booklet.render.stylediff import compare

BASE = """
:root { --accent: #b2201f; --muted: #777; --size: 10pt; --face: serif; }
html { color: #222; font-size: var(--size); }
.title { color: var(--accent); border-bottom: 1pt solid var(--accent); }
.band { background: var(--accent); margin: 2mm; }
.note { font-family: var(--face); }
p::first-line { color: #333; }
@page :left { @top-left { content: string(section); color: var(--muted); } }
@font-face { font-family: body; src: url(body.otf); }
"""


def kind(new: str, old: str = BASE) -> str:
    return compare(old, new).kind


@pytest.mark.parametrize("edit", [
    ("color: #222", "color: #0a0a0a"),                          # a colour longhand
    ("#b2201f", "#1f5fb2"),                                      # a colour variable used only where colours go
    ("solid var(--accent)", "solid var(--accent); border-bottom-color: red"),
    ("color: var(--muted); }", "color: red; }"),                # a margin box's colour
])
def test_colour_edits_are_paint_only(edit):
    assert kind(BASE.replace(*edit)) == "paint"


def test_a_root_colour_override_added_later_is_paint_only():
    assert kind(BASE + ":root { --accent: navy; }") == "paint"


def test_colour_token_swapped_inside_a_shorthand_is_paint_only():
    old = BASE.replace("1pt solid var(--accent)", "1pt solid #b2201f")
    assert compare(old, old.replace("1pt solid #b2201f", "1pt solid navy")).kind == "paint"
    assert compare(old, old.replace("1pt solid #b2201f", "2pt solid #b2201f")).kind == "scoped"


def test_layout_edits_are_scoped_to_their_selectors():
    change = compare(BASE, BASE.replace("margin: 2mm", "margin: 3mm"))
    assert change.kind == "scoped" and change.selectors == [".band"]
    change = compare(BASE, BASE + ".title { letter-spacing: 0.1em; }")
    assert change.kind == "scoped" and change.selectors == [".title"]


def test_a_variable_that_reaches_a_layout_property_is_not_paint():
    # a colour name can be a font family: --face is used by font-family
    old = BASE.replace("--face: serif", "--face: red")
    change = compare(old, old.replace("--face: red", "--face: blue"))
    assert change.kind == "scoped" and change.selectors == [":root"]
    assert kind(BASE.replace("--size: 10pt", "--size: 11pt")) == "scoped"


def test_first_line_styles_are_not_repainted():
    assert kind(BASE.replace("color: #333", "color: #444")) == "scoped"


@pytest.mark.parametrize("new", [
    BASE.replace("body.otf", "other.otf"),                               # @font-face
    BASE.replace("content: string(section)", "content: string(title)"),  # a margin box's layout
    BASE + ".title { counter-increment: figure; }",                     # counters run across parts
    BASE + ".title { string-set: section content(); }",
    BASE + "@media print { .title { color: red; } }",
])
def test_edits_that_cross_parts_are_global(new):
    assert kind(new) == "global"


def test_moving_a_rule_counts_as_changing_it():
    old = ".a { color: red; margin: 1mm; }\n.b { margin: 2mm; }\n"
    new = ".b { margin: 2mm; }\n.a { color: red; margin: 1mm; }\n"
    change = compare(old, new)
    # only elements the moved rule selects can see a different cascade order
    assert change.kind == "scoped" and ".b" in change.selectors


def test_whitespace_and_comments_change_nothing():
    assert kind(BASE.replace("margin: 2mm;", "margin:2mm;  /* wider? */")) == "none"
    assert kind(BASE) == "none"


def test_colours_edited_with_a_layout_rule_are_repainted_not_scoped():
    change = compare(BASE, BASE + ".title { color: navy; }\n.band { padding: 1mm; }")
    assert change.kind == "scoped" and change.selectors == [".band"] and change.repaint
    change = compare(BASE, BASE + ".band { padding: 1mm; }")
    assert change.kind == "scoped" and not change.repaint

CSS_BITS = st.sampled_from(["a", ".t", "#x", "p", "{", "}", ";", ":", "color", "red", "--accent", "var(--accent)",
                            "@page", "@media print", "/*", "*/", "\"", "1pt solid", "!important", ",", " ", "\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(CSS_BITS, max_size=40).map("".join), st.lists(CSS_BITS, max_size=40).map("".join))
def test_any_text_gets_a_classification_never_an_exception(old, new):
    change = compare(old, new)
    assert change.kind in ("none", "paint", "scoped", "global")
    assert compare(old, old).kind == "none"
