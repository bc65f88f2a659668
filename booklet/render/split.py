"""Cut one long part into several page groups, for the parallel build.

A part (a `<section>` that starts a fresh page) is one page group of the
parallel build, so a part holding most of the booklet's pages (one page
per honouree, say) keeps one worker busy while the others wait. Such a
part can be cut where its direct children start a fresh page by a forced
break: laid out apart, each *piece* gives the pages the one-piece layout
gives, provided nothing on a piece's pages depends on the children laid
out in another piece. Everything here is decided from the laid-out boxes
and their computed styles, never from our layouts' class names, so a
project's own layouts are cut where it is safe and left whole elsewhere.

A piece is the part's HTML with its other children hidden by inline style
(`display: none`) and emptied: they stay in the tree, so structural
selectors (`:first-of-type`, `:nth-child`, `+`) select what they select in
one piece, but their content costs no style computation.
Children before the piece that are not laid out as content (empty,
zero-size marks that set running heads by `string-set`) are kept in a
continuation piece, taken out of the flow (a forced break after an in-flow
sibling would add a page) and out of the outline; once laid out (the
running heads are set by then) their boxes are taken off the page, so
they add nothing to the drawing and the structure tree (drop_marks()).

What makes a part unsafe to cut, found on its boxes:
* decorations a fragment does not repeat but a fresh box draws: padding or
  borders at the top or bottom, a background, `box-decoration-break: clone`,
  `::before`/`::after` boxes, inline content directly in the section;
* state carried from child to child: a `string-set` on anything but the
  empty marks, a counter a child counts that it does not reset itself.
"""

from __future__ import annotations

FORCED = {"page", "left", "right", "recto", "verso"}

_MARK_STYLE = "position: absolute !important; bookmark-level: none !important"
_HIDDEN_STYLE = "display: none !important"


def _element_children(element) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def _section_fragment(page, pid: str):
    """The box of part *pid*'s `<section>` on *page*, or None."""
    from weasyprint.formatting_structure import boxes
    stack = [c for c in page._page_box.children if not isinstance(c, boxes.MarginBox)]
    while stack:
        box = stack.pop(0)
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", "") == "section" and element.get("id") == pid:
            return box
        stack[:0] = list(getattr(box, "children", []) or [])
    return None


def _undecorated(box) -> bool:
    style = box.style
    return (style["box_decoration_break"] == "slice"
            and all(style[f"border_{side}_width"] == 0 for side in ("top", "bottom", "left", "right"))
            and style["padding_top"].value == 0 and style["padding_bottom"].value == 0
            and style["background_color"].alpha == 0
            and all(image[0] == "none" for image in style["background_image"]))


def _counted(box) -> tuple[set, set]:
    """Counter names *box* counts (increments or sets) and resets."""
    style = box.style
    counted = set()
    increment = style["counter_increment"]
    if increment == "auto":
        if "list-item" in style["display"]:
            counted.add("list-item")
    else:
        counted |= {name for name, _ in increment}
    counted |= {name for name, _ in style["counter_set"]}
    return counted - {"page", "pages"}, {name for name, _ in style["counter_reset"]}


def _child_state_is_its_own(box) -> bool:
    """Does a child's subtree keep its strings and counters to itself?"""
    counted, reset = set(), set()
    stack = [box]
    while stack:
        b = stack.pop()
        if b.style["string_set"] != "none":
            return False
        c, r = _counted(b)
        counted |= c
        reset |= r
        stack.extend(getattr(b, "children", []) or [])
    return counted <= reset


def _contentless(box) -> bool:
    """An empty mark: a block with no content, no size and no decorations."""
    from weasyprint.formatting_structure import boxes
    if not isinstance(box, boxes.BlockBox) or box.children:
        return False
    style = box.style
    return (box.height == 0 and style["float"] == "none" and style["position"] == "static"
            and box.margin_top == 0 and box.margin_bottom == 0 and _undecorated(box)
            and box.padding_left == 0 and box.padding_right == 0)


def _fragment_safe(box, index: dict) -> bool:
    """Is a fragment of a part's section one a fresh box would draw alike,
    with in-flow children that are its direct children (*index*)?"""
    if not _undecorated(box) or box.style["counter_increment"] not in ("auto", ()) or box.style["counter_set"]:
        return False
    for child in box.children:
        element = getattr(child, "element", None)
        if (element is None or element is box.element or id(element) not in index
                or child.style["position"] != "static" or child.style["float"] != "none"):
            return False          # ::before/::after, inline content of the section itself, out-of-flow children
    return True


def find_split(pages, first_page: int, pid: str) -> dict | None:
    """Where part *pid*, laid out on *pages* (numbered from *first_page*), may be cut.

    Returns {"section": pid, "keep": [indices of the empty marks before the
    first cut], "at": [[child index, page number], ...]} for its direct
    children that start a page by a forced break (the page before holding
    content), or None when there is no such place or cutting is not safe
    (or the part has too few pages to be worth it)."""
    if len(pages) < 3:
        return None
    index: dict = {}
    seen: set = set()
    keep: list[int] = []
    at: list[list[int]] = []
    previous_blank = True
    for number, page in enumerate(pages, first_page):
        blank = page._page_box.page_type.blank
        box = _section_fragment(page, pid)
        if box is None:
            previous_blank = blank
            continue
        if not index:
            index = {id(child): i for i, child in enumerate(_element_children(box.element))}
        if not _fragment_safe(box, index):
            return None
        for position, child in enumerate(box.children):
            element = child.element
            i = index[id(element)]
            if id(element) not in seen:
                seen.add(id(element))
                if (position == 0 and number > first_page and not previous_blank
                        and child.style["break_before"] in FORCED and _at_top(page, child)):
                    at.append([i, number])
                elif not at and _contentless(child):
                    keep.append(i)           # kept in every piece: its strings are the running heads'
                    continue
            if not _child_state_is_its_own(child):
                return None
        previous_blank = blank
    if not at:
        return None
    return {"section": pid, "keep": keep, "at": at}


def _at_top(page, box) -> bool:
    """Is *box* where the page's flow starts (the first in-flow box at every level)?"""
    current = page._page_box
    while current is not box:
        children = [c for c in getattr(current, "children", None) or [] if c.style["position"] == "static"
                    and c.style["float"] == "none"]
        if not children:
            return False
        current = children[0]
    return True


def cuts(split: dict | None, first_page: int, pages: int, total: int, workers: int) -> list[list[int]]:
    """The places (child index, page number) where a part of *pages* pages is
    cut for *workers* processes: none unless it would hold more than half a
    worker's share of the *total* pages; then pieces of about a sixth of a
    worker's share, at the places *split* allows. (Runs of pieces are
    balanced by an estimate of their cost, which is not the pages': pieces
    of a sixth of a share leave pool.runs() room to even them out.)"""
    if not split or workers < 2 or pages * 2 * workers <= total:
        return []
    size = max(1, -(-total // (6 * workers)))
    end = first_page + pages
    chosen, last = [], first_page
    for i, page in split["at"]:
        if page - last >= size and end - page >= max(1, size // 2):
            chosen.append([i, page])
            last = page
    return chosen


def hide(root, section_id: str, lo: int, hi: int | None, keep) -> set:
    """Make the tree under *root* show only children [lo, hi) of part
    *section_id* (hi None: to its end); the empty marks *keep* before *lo*
    stay, out of the flow. Returns those marks' elements (for drop_marks()). When the part is not there, nothing changes (and
    the caller's check of child_breaks() against the plan fails)."""
    section = next((e for e in root.iter() if isinstance(e.tag, str) and e.get("id") == section_id), None)
    if section is None:
        return set()
    marks = set()
    children = _element_children(section)
    for i, child in enumerate(children):
        if i < lo and i in keep:
            _add_style(child, _MARK_STYLE)
            marks.add(child)
        elif i < lo or (hi is not None and i >= hi):
            _add_style(child, _HIDDEN_STYLE)
            # its content goes: WeasyPrint computes the style of every element, shown or not, and
            # no selector of a sibling can see into it (WeasyPrint 70 has no :has())
            for sub in list(child):
                child.remove(sub)
            child.text = None
    if lo:
        # the fragment of a section cut by a break has no top margin, and its side comes from chunk_css
        _add_style(section, "margin-top: 0 !important; break-before: auto !important")
    return marks


def drop_marks(page, marks: set) -> None:
    """Take the boxes of the copied marks off a laid-out *page*: they have
    set the running heads, and drawn they would add to the structure tree
    and, as positioned boxes, to the page's drawing operators (an empty
    stacking context resets the stream's alpha state) what the one-piece
    page does not have."""
    if not marks:
        return
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        children = getattr(box, "children", None)
        if not children:
            continue
        kept = [c for c in children if getattr(c, "element", None) not in marks or getattr(c, "children", None)]
        if len(kept) != len(children):
            box.children = kept
        stack.extend(kept)


def _add_style(element, declarations: str) -> None:
    style = element.get("style")
    element.set("style", f"{style.rstrip().rstrip(';')}; {declarations}" if style and style.strip() else declarations)


def child_breaks(pages, first_page: int, section_id: str) -> dict[int, tuple[int, str]]:
    """Child index → (page number, its break-before) for the direct children
    of part *section_id* that start at the top of one of *pages* (laid out
    as pieces, the copied marks dropped): what a worker's pieces are checked
    with against the plan. Empty when, laid out now, the part is no longer
    safe to cut (its style changed since the plan was made)."""
    found: dict[int, tuple[int, str]] = {}
    for number, page in enumerate(pages, first_page):
        box = _section_fragment(page, section_id)
        if box is None:
            continue
        index = {id(c): i for i, c in enumerate(_element_children(box.element))}
        if not _fragment_safe(box, index):
            return {}
        for position, child in enumerate(box.children):
            if _contentless(child):
                continue
            if not _child_state_is_its_own(child):
                return {}
            i = index[id(child.element)]
            if position == 0 and i not in found and _at_top(page, child):
                found[i] = (number, str(child.style["break_before"]))
    return found
