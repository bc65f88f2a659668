"""Incremental layout for `booklet watch`: lay out again only what changed.

Layout is about 70 % of a build and WeasyPrint has no incremental layout,
but a booklet is a row of parts (cover, contents, units, back cover) and
most start at the top of a new page. After a full layout we cut the pages
into *chunks* at those boundaries and remember, per chunk, the HTML it was
made from, its first page number and side, and its pages. On the next
build each chunk's HTML is made again (Jinja is cheap); a chunk whose HTML
is unchanged keeps its pages, a changed chunk is laid out alone as its own
document that starts on the same page number and side, and the pages are
merged back with WeasyPrint's Document.copy() (links and bookmarks
included). The contents chunk gets the page numbers written in, since its
target-counter cannot see other documents.

A chunk's key leaves the stylesheet out: a stylesheet edit is judged by
stylediff.py, which either repaints the kept pages (colours only), marks
the chunks its changed selectors match, or asks for everything.

Whenever that could give a different result from a full layout, we do a
full layout instead: a chunk changes its page count (later page numbers
and sides would move), most chunks changed (e.g. an edit of every
paragraph's style), the set of parts changed, or the project's
booklet.html does not support parts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field


@dataclass
class Chunk:
    parts: tuple[str, ...]        # part ids laid out together
    first_page: int               # 1-based number of its first page in the booklet
    pages: list                   # WeasyPrint pages
    key: str = ""                 # hash of the chunk's HTML when laid out alone
    blank_before: list = field(default_factory=list)   # blank pages (made by a forced break) before it
    split: dict | None = None     # where its first part may be cut into pieces (split.find_split)
    weight: int = 0               # what laying it out costs, estimated (layout_weight)


@dataclass
class Plan:
    chunks: list[Chunk]
    part_order: tuple[str, ...]
    page_numbers: dict[str, int]  # part id → page it starts on (what the contents prints)


def _key(html: str) -> str:
    return hashlib.blake2b(html.encode("utf-8"), digest_size=16).hexdigest()


_URL = re.compile(r"""(?:\b(?:src|href)=["']([^"'#][^"']*)["'])|(?:url\(\s*["']?([^"')]+?)["']?\s*\))""")


def file_urls(html: str, base_url: str) -> list[str]:
    """The file: URLs an HTML document (with its stylesheet) draws on."""
    from urllib.parse import urljoin
    found = {urljoin(base_url, a or b) for a, b in _URL.findall(html)}
    return sorted(u for u in found if u.startswith("file:"))


_URLS: dict[tuple[str, str], list[str]] = {}     # (hash of a text, base URL) → file_urls of it


def _urls_of(text: str, base_url: str) -> list[str]:
    key = (_key(text), base_url)
    if key not in _URLS:
        if len(_URLS) > 1024:
            _URLS.clear()
        _URLS[key] = file_urls(text, base_url)
    return _URLS[key]


def body_key(html: str, css: str, base_url: str = "", stamps: dict | None = None) -> str:
    """A chunk's key: its HTML without the stylesheet (stylesheet edits are
    judged by stylediff), and the version of every file it or the stylesheet
    draws on, so a photo replaced under the same name is laid out again.

    A build keys every chunk, each with the same stylesheet and mostly the
    same HTML as last time: the URLs found in a text are kept by its hash,
    and *stamps* (one dict per build) stats each file once."""
    from ..fsutil import url_stamp
    stamps = {} if stamps is None else stamps
    body = html.replace(css, "", 1)
    lines = []
    for url in sorted(set(_urls_of(body, base_url)) | set(_urls_of(css, base_url) if css in html else ())):
        if url not in stamps:
            stamps[url] = url_stamp(url)
        lines.append(f"{url}={stamps[url]}")
    return _key(body + "\n".join(lines))


def _required_names(selector: str) -> list[set[str]] | None:
    """For each alternative of a selector list, the class and id names an element
    must carry to match; None when that cannot be told from the tokens alone
    (functional pseudo-classes such as :not() may negate a name)."""
    import tinycss2
    alternatives: list[set[str]] = [set()]
    previous = None
    for token in tinycss2.parse_component_value_list(selector):
        if token.type == "function" or token.type.endswith("block"):
            return None
        if token.type == "literal" and token.value == ",":
            alternatives.append(set())
        elif token.type == "hash":
            alternatives[-1].add(token.value)
        elif token.type == "ident" and previous is not None and previous.type == "literal" and previous.value == ".":
            alternatives[-1].add(token.value)
        previous = token
    return alternatives


def _may_match(body: str, selectors: list[str]) -> bool:
    """A quick test on the text: no element can carry a class the HTML never names."""
    for selector in selectors:
        alternatives = _required_names(selector)
        if alternatives is None or any(all(name in body for name in names) for names in alternatives):
            return True
    return False


def matches(html: str, selectors: list[str], css: str = "") -> bool:
    """Does any of *selectors* select an element of *html* (a chunk's own document)?"""
    import cssselect2
    import tinycss2
    import weasyprint

    if not _may_match(html.replace(css, "", 1) if css else html, selectors):
        return False
    compiled = []
    for selector in selectors:
        try:
            compiled += cssselect2.compile_selector_list(tinycss2.parse_component_value_list(selector))
        except cssselect2.SelectorError:
            return True        # WeasyPrint may read it differently: assume it matches
    root = weasyprint.HTML(string=html).wrapper_element
    return any(s.test(element) for element in root.iter_subtree() for s in compiled)


def part_ids(units) -> tuple[str, ...]:
    return ("cover", "contents", *(u.id for u in units), "back-cover")


def _part_of(box) -> str | None:
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", "") == "section":
        return element.get("id")
    return None


def _page_parts(page, known: set[str]) -> list[tuple[str, bool]]:
    """(part id, starts at the top of this page) for the parts on a page, in order."""
    found: list[tuple[str, bool]] = []

    def walk(box):
        pid = _part_of(box)
        if pid in known:
            found.append((pid, not found))
            return
        for child in getattr(box, "children", []) or []:
            walk(child)

    from weasyprint.formatting_structure import boxes
    for child in page._page_box.children:
        if not isinstance(child, boxes.MarginBox):
            walk(child)
    return found


def part_starts(pages, first_page: int, known: set[str]) -> dict[str, int]:
    """Part id → number of the page it starts on, for pages numbered from *first_page*."""
    starts: dict[str, int] = {}
    for number, page in enumerate(pages, first_page):
        for pid, _ in _page_parts(page, known):
            starts.setdefault(pid, number)
    return starts


def plan_from_document(doc, order: tuple[str, ...]) -> Plan | None:
    """Cut a full layout into chunks at the parts that start a fresh page."""
    known = set(order)
    chunks: list[Chunk] = []
    blanks: list = []
    first_seen: dict[str, int] = {}
    for number, page in enumerate(doc.pages, 1):
        parts = [(pid, top) for pid, top in _page_parts(page, known) if pid not in first_seen]
        if not parts and not chunks:
            return None
        if not parts:
            # a page with no new part: a continuation page, or a blank page made by a forced break
            if any(True for _ in _texts(page)):
                chunks[-1].pages.append(page)
            else:
                blanks.append(page)
            continue
        for i, (pid, at_top) in enumerate(parts):
            first_seen[pid] = number
            if i == 0 and at_top:
                chunks.append(Chunk((pid,), number, [page], blank_before=blanks))
                blanks = []
            else:
                if blanks:               # a blank page inside a chunk: keep it in order
                    chunks[-1].pages.extend(blanks)
                    blanks = []
                chunks[-1].parts += (pid,)
        if not (parts[0][1]):
            chunks[-1].pages.append(page)
    if blanks:
        chunks[-1].pages.extend(blanks)
    if tuple(first_seen) != order:
        return None
    from .split import find_split
    for c in chunks:
        c.split = find_split(c.pages, c.first_page, c.parts[0])
        c.weight = layout_weight(c.blank_before + c.pages)
    return Plan(chunks, order, first_seen)


def layout_weight(pages) -> int:
    """An estimate of what laying out *pages* again costs, for balancing the
    parallel build's workers: one per box, and one per ten characters
    (shaping and line breaking). Measured on the large volume: a page of
    running text costs about twice a testimonial page, in CPU seconds and
    in this weight (about 240 against 95); pages alone would put twice the
    work on the worker that gets the text."""
    weight = 0
    for page in pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            weight += 1
            text = getattr(box, "text", None)
            if text:
                weight += len(text) // 10
            stack.extend(getattr(box, "children", None) or ())
    return weight


def _texts(page):
    stack = [page._page_box]
    from weasyprint.formatting_structure import boxes
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.MarginBox):
            continue
        if isinstance(box, boxes.TextBox) and box.text.strip():
            yield box.text
        stack.extend(getattr(box, "children", []) or [])


def chunk_css(first_page: int) -> str:
    side = "right" if first_page % 2 else "left"
    return f"@page :first {{ counter-reset: page {first_page}; }}\nhtml {{ break-before: {side}; }}"


def merged_pages(plan: Plan) -> list:
    pages = []
    for c in plan.chunks:
        pages.extend(c.blank_before)
        pages.extend(c.pages)
    return pages


PLAN_FILE = "booklet-plan.json"


def save_plan(plan: Plan, out_dir) -> None:
    """Keep where each chunk started for the next build in a new process
    (booklet.parallel lays the chunks out side by side from it)."""
    import json

    from ..fsutil import write_text
    data = {"order": list(plan.part_order), "numbers": plan.page_numbers,
            "chunks": [{"parts": list(c.parts), "first_page": c.first_page, "pages": len(c.pages),
                        "blanks_before": len(c.blank_before), "split": c.split, "weight": c.weight}
                       for c in plan.chunks]}
    write_text(out_dir / PLAN_FILE, json.dumps(data, ensure_ascii=False, indent=1))


def load_plan(out_dir) -> dict | None:
    """The last build's plan, or None when there is none or it cannot be read."""
    import json
    try:
        data = json.loads((out_dir / PLAN_FILE).read_text("utf-8"))
        chunks = [(tuple(c["parts"]), int(c["first_page"]), int(c["pages"]), int(c["blanks_before"]),
                   _split(c.get("split")), int(c.get("weight") or 0) or int(c["pages"]) + int(c["blanks_before"]))
                  for c in data["chunks"]]
        return {"order": tuple(data["order"]), "numbers": {str(k): int(v) for k, v in data["numbers"].items()},
                "chunks": chunks}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _split(data) -> dict | None:
    """A chunk's split places as saved (ValueError when malformed)."""
    if data is None:
        return None
    return {"section": str(data["section"]), "keep": [int(i) for i in data["keep"]],
            "at": [[int(i), int(page)] for i, page in data["at"]]}
