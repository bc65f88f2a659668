"""ARIA in WeasyPrint's structure tree: decoration out, layout tables as groups, links named.

WeasyPrint 70 tags a box by its HTML element name alone, so a screen reader
of the digital PDF hears every ornament word, every leader dot of the
contents, every "photo" placeholder, and announces layout tables as data
tables. The layouts already say which is which in standard HTML, the same
way a web page does; this hook makes the PDF's tags follow it:

* `aria-hidden="true"` on an element, and a `leader()` from CSS: its boxes
  are built as usual (WeasyPrint needs their marked content accounted for)
  but not attached to the structure tree. tagging.py then turns their
  marked content into artifacts, with the running heads.
* `role="presentation"` (or `none`) on a `<table>`: the table, its row groups,
  rows and cells become `Div` elements without table attributes, so the
  content inside reads as what it is (a list, a heading, paragraphs).
* A link's name is its content (as in ARIA): its annotation's `Contents`,
  which a screen reader speaks, becomes the link's words instead of the
  anchor name. Read here from the boxes, it costs nothing; tagging.py can
  read them back from the page for PDFs written without this hook.

One wrapper around `weasyprint.pdf.tags._build_box_tree`, the function that
makes one structure element per box; `install()` checks the WeasyPrint
version like the typesetting layer does (the function is internal).
"""

from __future__ import annotations

from ..errors import BookletError

REQUIRED_WEASYPRINT = "70.0"
PRESENTATION_ROLES = {"presentation", "none"}
TABLE_TYPES = {"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD"}

_original = None
# Elements made while a presentational table is being tagged: a stack of lists
# (None shields a data table nested inside one).
_collecting: list[list | None] = []


def is_decoration(box) -> bool:
    """A box the reader must not hear: aria-hidden, or a CSS leader."""
    if getattr(box, "is_leader", False):
        return True
    element = getattr(box, "element", None)
    if element is None or box.element_tag in ("html", "body") or "::" in (box.element_tag or ""):
        return False
    return (element.get("aria-hidden") or "").strip().lower() == "true"


def is_presentational_table(box) -> bool:
    element = getattr(box, "element", None)
    return (element is not None and box.element_tag == "table"
            and (element.get("role") or "").strip().lower() in PRESENTATION_ROLES)


def link_words(box) -> str:
    """What a link says: the text of its boxes, without leaders and hidden
    decoration, with a space where a gap sets words apart on a line (a title
    and its author) and between Latin words broken over lines."""
    from weasyprint.formatting_structure import boxes

    out: list[str] = []
    last = None
    stack = [box]
    while stack:
        b = stack.pop()
        if b is not box and is_decoration(b):
            continue
        if isinstance(b, boxes.TextBox):
            if last is not None and out and not out[-1][-1:].isspace() and b.text[:1] and not b.text[:1].isspace():
                size = last.style["font_size"]
                same_line = abs(b.position_y - last.position_y) < 0.5 * size
                gap = b.position_x - (last.position_x + last.width)
                latin = out[-1][-1:].isascii() and out[-1][-1:].isalnum() and b.text[:1].isascii()
                if (same_line and gap > 0.4 * size) or (not same_line and latin):
                    out.append(" ")
            out.append(b.text)
            last = b
        else:
            stack.extend(reversed(getattr(b, "children", None) or []))
    return " ".join("".join(out).split())


def _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
    inner = getattr(box, "_box", box)       # AbsolutePlaceholder
    annotation = getattr(inner, "link_annotation", None)
    if annotation is not None and not is_decoration(inner):
        import pydyf
        words = link_words(inner)
        if words:
            annotation["Contents"] = pydyf.String(words)   # instead of the bare anchor name
    if is_decoration(inner):
        # Consume the generator (it pops the boxes' marked content), keep nothing.
        for _ in _original(box, parent, pdf, page_number, nums, annotations, tags):
            pass
        return
    if getattr(inner, "element", None) is not None and inner.element_tag == "table":
        presentational = is_presentational_table(inner)
        _collecting.append([] if presentational else None)
        try:
            made = list(_original(box, parent, pdf, page_number, nums, annotations, tags))
            inside = _collecting[-1] or []
        finally:
            _collecting.pop()
        if presentational:
            for element in made + inside:
                if str(element["S"]) in TABLE_TYPES:
                    element["S"] = "/Div"
                    for key in ("A", "ID"):
                        element.pop(key, None)
        yield from made           # a table is retyped (or not) by its own role only
        return
    for element in _original(box, parent, pdf, page_number, nums, annotations, tags):
        if _collecting and _collecting[-1] is not None:
            _collecting[-1].append(element)
        yield element


def install() -> None:
    """Wrap WeasyPrint's tag building (idempotent)."""
    global _original
    if _original is not None:
        return
    import weasyprint
    from weasyprint.pdf import tags
    if weasyprint.__version__ != REQUIRED_WEASYPRINT:
        raise BookletError(f"booklet.pdf.roles needs WeasyPrint {REQUIRED_WEASYPRINT}, found {weasyprint.__version__}",
                           where="booklet.pdf.roles.install",
                           hint=f"pip install weasyprint=={REQUIRED_WEASYPRINT} (the PDF tagging hook wraps "
                                "an internal function that changes between versions)")
    _original = tags._build_box_tree
    tags._build_box_tree = _build_box_tree


def uninstall() -> None:
    """Undo install() (tests compare with bare WeasyPrint)."""
    global _original
    if _original is None:
        return
    from weasyprint.pdf import tags
    tags._build_box_tree = _original
    _original = None
