"""Laying out the booklet's HTML with WeasyPrint, and reading the result.

Every resource WeasyPrint asks for goes through ProjectFetcher, which only
serves files from the project (and the shipped fonts/layouts): a booklet
must build offline and never pick up something from the network. The laid
out pages are read back here too: a fingerprint per page (what watch
reports as changed) and text that spills out of its frame.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..errors import BookletError
from ..fonts import font_dirs
from .templates import DEFAULT_LAYOUTS


def _typeset_install() -> None:
    """Activate the clreq typesetting layer (booklet.render.typeset) for WeasyPrint."""
    try:
        from . import typeset
    except ImportError:  # the typesetting layer is optional while it is being built
        return
    typeset.install()



def allowed_roots(project: Path) -> list[Path]:
    return [project.resolve(), DEFAULT_LAYOUTS.resolve(), *(d.resolve() for d in font_dirs(project))]


def make_fetcher(roots: list[Path], refused: list[str]):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectFetcher(URLFetcher):
        """Serves data: URLs and files under *roots*; refuses everything else."""

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                why = f"{url}: network access is not allowed; put the file in the project folder"
            elif not any(Path(unquote(urlparse(url).path)).resolve().is_relative_to(r) for r in roots):
                why = f"{url}: this file is outside the project folder; copy it into the project"
            else:
                return super().fetch(url, headers)
            refused.append(why)
            raise FatalURLFetchingError(why)

    return ProjectFetcher()   # no timeout to set: nothing is fetched from the network


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.messages.append(record.getMessage())
        self.records.append(record)


def _local_file(url: str) -> Path | None:
    if not isinstance(url, str) or not url.startswith("file:"):
        return None
    return Path(unquote(urlparse(url).path))


def _shown(path: Path, project: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(project)) if path.is_relative_to(project) else str(path)


def load_failures(records, html: str, project: Path) -> list[str]:
    """Files the project has that WeasyPrint could not read, from its log.

    WeasyPrint logs an image, stylesheet or font it cannot decode and goes
    on without it: the picture vanishes, the rules are lost, the text falls
    back to a system font. A file that is missing stays a warning (a layout
    may point at a photo not delivered yet); a file that is there but
    damaged is the user's to fix, so it stops the build.
    """
    import re
    project = project.resolve()
    problems = []
    for r in records:
        if r.msg.startswith(("Failed to load image at", "Failed to load stylesheet at")) and r.args:
            path = _local_file(r.args[0])
            if path is not None and path.is_file():
                what = "image" if "image" in r.msg else "stylesheet"
                why = str(r.args[1]) if len(r.args) > 1 else ""
                cause = getattr(r.args[1], "__cause__", None) if len(r.args) > 1 else None
                why = re.sub(r"\s*<[^>]*>", "", str(cause or why)).strip() or type(cause or r.args[1]).__name__
                problems.append(f"{_shown(path, project)}: this {what} file is damaged or not a{'n' if what == 'image' else ''} "
                                f"{what} ({why})")
        elif r.msg == "Font-face %r cannot be loaded" and r.args:
            family = str(r.args[0])
            urls = []
            for rule in re.findall(r"@font-face\s*\{([^}]*)\}", html):
                if re.search(r"font-family\s*:\s*['\"]?" + re.escape(family) + r"['\"]?\s*;", rule):
                    urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", rule)
            files = [_shown(p, project) for p in map(_local_file, urls) if p is not None] or urls
            problems.append(f"{', '.join(files) or 'a font'}: the font '{family}' of an @font-face rule could not be "
                            "loaded (a damaged file, or not a font)")
    return list(dict.fromkeys(problems))


def render_document(html: str, project: Path, *, font_config=None, presentational_hints: bool = True,
                    image_cache: dict | None = None, prepare=None):
    """Lay out *html*; returns (weasyprint Document, WeasyPrint warnings).

    Pass the same *font_config* between builds in one process: WeasyPrint
    copies every @font-face file (15-25 MB each for CJK) into a temporary
    folder and registers it with fontconfig once per configuration.
    *image_cache* likewise keeps decoded images (see build.ImageCache).
    *prepare*, if given, is called with the parsed tree's root element
    before layout (split.hide() shows one piece of a part that way).
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    _typeset_install()
    from ..pdf import roles
    from . import restyle, speedups
    restyle.install()
    speedups.install()
    roles.install()           # ARIA for the tagged PDF: decoration and layout tables
    refused: list[str] = []
    fetcher = make_fetcher(allowed_roots(project), refused)
    collector = _WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        parsed = weasyprint.HTML(string=html, base_url=project.resolve().as_uri() + "/", url_fetcher=fetcher)
        if prepare is not None:
            prepare(parsed.etree_element)
        doc = parsed.render(font_config=font_config, presentational_hints=presentational_hints, cache=image_cache)
    except FatalURLFetchingError:
        raise BookletError("refused to load " + refused[-1] if refused else "a resource could not be loaded") from None
    finally:
        logger.removeHandler(collector)
    if refused:
        raise BookletError("refused to load " + "; ".join(refused))
    damaged = load_failures(collector.records, html, project)
    if damaged:
        raise BookletError("\n  ".join(damaged), hint="replace the file with a working copy")
    return doc, collector.messages


def page_fingerprints(pages) -> list[str]:
    """A hash per page of what it shows (text and where), to tell which pages changed."""
    import hashlib
    prints = []
    for page in pages:
        h = hashlib.blake2b(digest_size=12)
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            h.update(type(box).__name__.encode())
            h.update(f"{box.position_x:.1f},{box.position_y:.1f},{box.width or 0:.1f}".encode())
            text = getattr(box, "text", None)
            if text:
                h.update(text.encode("utf-8"))
            style = getattr(box, "style", None)
            if style is not None and "color" in style:
                h.update(repr(style["color"]).encode())
            stack.extend(reversed(getattr(box, "children", []) or []))
        prints.append(h.hexdigest())
    return prints


def overflow_report(doc, tolerance: float = 1.0, *, first_number: int = 1, pages=None,
                    memo: dict | None = None) -> list[str]:
    """Text drawn outside the page's content area, per unit and page.

    WeasyPrint lets a box that cannot break (a long table row, a fixed-height
    frame, an unbreakable line) spill past the margin silently; a print shop
    would find it on the proof. We read it from the layout tree.
    *pages* (default: all of *doc*'s) are numbered from *first_number*.
    *memo* (a watching Builder's) keeps each page's findings while the page
    is kept: a rebuild walks only the pages it laid out again.
    """
    problems: list[str] = []
    one_page: dict[str, list[int]] = {}     # id of a one-page design (a testimonial) → pages it is on
    seen_pages: dict = {}
    for number, page in enumerate(doc.pages if pages is None else pages, first_number):
        found = memo.get(id(page)) if memo is not None else None
        if found is None or found[1] != number or found[2] != tolerance:
            # the entry holds the page: while it does, no other page has its id
            found = (page, number, tolerance, *_page_overflows(page, number, tolerance))
        seen_pages[id(page)] = found
        problems += found[3]
        for element_id in found[4]:
            on = one_page.setdefault(element_id, [])
            if number not in on:
                on.append(number)
    if memo is not None:
        memo.clear()
        memo.update(seen_pages)
    for element_id, on in one_page.items():
        if len(on) > 1:
            problems.append(f"{element_id} does not fit on one page (pages {on[0]}–{on[-1]}): "
                            "shorten the text in content/honourees.yaml or set the panel smaller in layouts/booklet.css")
    return problems


def _page_overflows(page, number: int, tolerance: float) -> tuple[list[str], list[str]]:
    """One page's overflow messages, and the one-page designs (testimonials) on it."""
    from weasyprint.formatting_structure import boxes

    problems: list[str] = []
    designs: list[str] = []
    page_box = page._page_box
    left, top = page_box.content_box_x(), page_box.content_box_y()
    right, bottom = left + page_box.width, top + page_box.height
    # Page-wide elements (cover, back cover) may use the bleed, never beyond the sheet.
    sheet_r, sheet_b = page_box.margin_width(), page_box.margin_height()
    seen: set[str] = set()
    stack = [(child, None) for child in page_box.children if not isinstance(child, boxes.MarginBox)]
    while stack:
        box, unit = stack.pop()
        element_id = getattr(box, "element", None) is not None and box.element.get("id")
        if element_id and box.element_tag == "section":
            unit = element_id
        elif element_id and "testimonial" in (box.element.get("class") or "").split():
            if element_id not in designs:
                designs.append(element_id)
        if isinstance(box, boxes.TextBox) and box.text.strip():
            x0, y0 = box.position_x, box.position_y
            x1, y1 = x0 + box.width, y0 + box.height
            full_page = unit in ("cover", "back-cover")
            limit_r, limit_b = (sheet_r, sheet_b) if full_page else (right, bottom)
            limit_l, limit_t = (0, 0) if full_page else (left, top)
            if x1 > limit_r + tolerance or y1 > limit_b + tolerance or x0 < limit_l - tolerance or y0 < limit_t - tolerance:
                key = f"{unit}:{number}"
                if key not in seen:
                    seen.add(key)
                    problems.append(f"unit '{unit or '?'}' overflows its frame on page {number}: "
                                    f"“{box.text.strip()[:20]}” at x={x0:.0f}–{x1:.0f}, y={y0:.0f}–{y1:.0f} pt")
        stack.extend((c, unit) for c in getattr(box, "children", []) or [])
    return problems, designs
