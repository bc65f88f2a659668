"""Where a long part may be cut into pieces, decided from its boxes (render/split.py)."""

import pytest
import weasyprint

from booklet.render import split

PAGE = "@page { size: 100mm 80mm; margin: 10mm; @top-center { content: string(head) } }"


def _html(section_style="", child_style="", extra_css="", children=6):
    articles = "".join(f'<article id="a{i}" style="{child_style}"><p>第{i}页的文字。</p></article>'
                       for i in range(children))
    return (f"<html><head><style>{PAGE} article {{ break-before: page }}"
            f" article:first-of-type {{ break-before: avoid }} .mark {{ string-set: head attr(data-t);"
            f" bookmark-level: 1; bookmark-label: attr(data-t); height: 0 }} {extra_css}</style></head>"
            f'<body><section id="part" style="{section_style}"><div class="mark" data-t="部分"></div>'
            f"{articles}</section></body></html>")


def _pages(html, prepare=None):
    parsed = weasyprint.HTML(string=html)
    if prepare:
        prepare(parsed.etree_element)
    return parsed.render().pages


def test_children_that_start_a_page_by_a_forced_break_are_places_to_cut():
    pages = _pages(_html())
    assert len(pages) == 6
    found = split.find_split(pages, 1, "part")
    # children 0 (the mark) and 1 (the first article, break avoided) share page 1; 2..6 start pages 2..6
    assert found == {"section": "part", "keep": [0], "at": [[i, i] for i in range(2, 7)]}


@pytest.mark.parametrize("section_style, child_style, extra_css", [
    ("padding-top: 2mm", "", ""),                        # a fresh box would draw it again
    ("border-bottom: 1pt solid red", "", ""),
    ("background: #eee", "", ""),
    ("", "string-set: head 'x'", ""),                    # a running head carried from child to child
    ("counter-reset: n", "counter-increment: n", ""),    # a count carried from child to child
    ("", "", "section::before { content: '※' }"),        # generated content at the part's start
    ("", "break-before: auto", ""),                      # no child starts a page by a forced break
])
def test_a_part_that_cannot_be_cut_safely_stays_whole(section_style, child_style, extra_css):
    pages = _pages(_html(section_style, child_style + "; height: 40mm", extra_css))
    assert split.find_split(pages, 1, "part") is None


def test_a_count_a_child_keeps_to_itself_allows_cutting():
    pages = _pages(_html(child_style="counter-reset: n", extra_css="p { counter-increment: n }"))
    assert split.find_split(pages, 1, "part") is not None


def _shown(pages):
    from booklet.render.incremental import _texts
    def margin_text(page):
        from weasyprint.formatting_structure import boxes
        found = []
        stack = [b for b in page._page_box.children if isinstance(b, boxes.MarginBox)]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TextBox):
                found.append(box.text)
            stack.extend(getattr(box, "children", []) or [])
        return found
    return [(sorted(_texts(p)), margin_text(p), p.bookmarks) for p in pages]


def test_a_piece_shows_the_pages_the_whole_part_shows():
    whole = _pages(_html())
    marks = set()
    piece = _pages(_html(), lambda root: marks.update(split.hide(root, "part", 3, 5, [0])))
    assert len(piece) == 2
    split.drop_marks(piece[0], marks)
    assert split.child_breaks(piece, 3, "part") == {3: (3, "page"), 4: (4, "page")}
    assert [m.get("class") for m in marks] == ["mark"]
    assert _shown(piece) == _shown(whole[2:4])            # the running head too; no second bookmark
    first = _pages(_html(), lambda root: split.hide(root, "part", 0, 3, [0]))
    assert _shown(first) == _shown(whole[:2])
    # laid out now with a style that makes cutting unsafe (the plan is older): nothing to check against
    styled = _html(section_style="background: #eee")
    late = _pages(styled, lambda root: marks.update(split.hide(root, "part", 3, 5, [0])))
    split.drop_marks(late[0], marks)
    assert split.child_breaks(late, 3, "part") == {}


def test_only_a_part_holding_too_many_pages_is_cut_and_into_pieces_of_a_third_of_a_share():
    places = {"section": "part", "keep": [0], "at": [[i, 10 + i] for i in range(1, 30)]}
    assert split.cuts(places, 10, 30, 200, 2) == []       # 30 of 200 pages: less than half a share
    assert split.cuts(places, 10, 30, 40, 1) == []        # one worker
    chosen = split.cuts(places, 10, 30, 60, 2)            # 60 pages on 2 workers: pieces of about 5
    assert [page for _, page in chosen] == [15, 20, 25, 30, 35]


def test_runs_of_pieces_end_before_a_piece_that_would_overshoot_their_share():
    from booklet.parallel.pool import runs
    assert runs([40, 80, 80, 80, 40, 40], 3) == [(0, 2), (2, 4), (4, 6)]
    assert runs([30, 10, 80, 40, 40], 3) == [(0, 2), (2, 3), (3, 5)]    # 40 then 80: the 80 starts a run
    assert runs([5] * 4, 6) == [(0, 1), (1, 2), (2, 3), (3, 4)]
    cut = runs([1] * 12, 4)
    assert [b - a for a, b in cut] == [3, 3, 3, 3]
