"""Templates → HTML → WeasyPrint document.

Layouts are user-owned: the Jinja loader looks in the project's layouts/
first and falls back to the defaults shipped in the package, file by file,
so a project overrides exactly what it places there (Hugo/MkDocs style).
Every resource WeasyPrint asks for goes through ProjectFetcher, which only
serves files from the project (and the shipped fonts/layouts): a booklet
must build offline and never pick up something from the network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2
from markupsafe import Markup

from .config import Config
from .content import Content, Honouree
from .errors import BookletError
from .fonts import Face, font_dirs, narrow_quotes
from .vertical import vertical_columns

DEFAULT_LAYOUTS = Path(__file__).parent / "layouts"
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff")
CSS_TEMPLATES = ("fonts.css", "page.css", "booklet.css")


def _typeset_install() -> None:
    """Activate the clreq typesetting layer (booklet.typeset) for WeasyPrint."""
    try:
        from . import typeset
    except ImportError:  # the typesetting layer is optional while it is being built
        return
    typeset.install()


def _typeset_prepare(html: str) -> str:
    try:
        from . import typeset
    except ImportError:
        return html
    prepare = getattr(typeset, "prepare_html", None)
    return prepare(html) if prepare else html


def make_env(project: Path) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(str(project / "layouts")),
        jinja2.FileSystemLoader(str(DEFAULT_LAYOUTS)),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["vertical_columns"] = vertical_columns
    env.filters["no_lone"] = no_lone
    env.filters["split_tail"] = _split_tail
    return env


def _split_tail(text: str) -> tuple[str, str]:
    from .typeset import split_tail
    return split_tail(text)


def no_lone(text: str) -> Markup:
    """Paragraph text whose last line cannot end up with a single character."""
    from .typeset import split_tail
    head, tail = split_tail(text)
    if not tail:
        return Markup.escape(text)
    return Markup('{}<span class="keep">{}</span>').format(head, tail)


@dataclass
class ImageLookup:
    """Finds portraits and photos in images/ and remembers what is missing."""

    project: Path
    missing: list[str] = field(default_factory=list)
    found: list[Path] = field(default_factory=list)

    def resolve(self, src: str) -> Path | None:
        if not src:
            return None
        p = (self.project / src).resolve()
        if not p.is_relative_to(self.project.resolve()):
            raise BookletError(f"image '{src}' is outside the project folder", hint="put images in images/")
        return p if p.is_file() else None

    def portrait(self, h: Honouree) -> str:
        if h.portrait:
            return h.portrait
        images = self.project / "images"
        for stem in (h.id, h.name):
            for ext in IMAGE_EXTS:
                if (images / f"{stem}{ext}").is_file():
                    return f"images/{stem}{ext}"
        return f"images/{h.id}.jpg"


def photo_slot_factory(lookup: ImageLookup):
    def photo_slot(src: str, label: str, kind: str) -> Markup:
        path = lookup.resolve(src) if src else None
        if path is None:
            if src or kind != "cover":
                lookup.missing.append(src or f"({kind})")
            return Markup(
                '<div class="slot placeholder placeholder-{k}"><span class="ph-name">{l}</span>'
                '<span class="ph-label">照片</span></div>'
            ).format(k=kind, l=label)
        lookup.found.append(path)
        return Markup('<img class="slot slot-{k}" src="{s}" alt="{l}">').format(k=kind, s=path.as_uri(), l=label)
    return photo_slot


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_css(env: jinja2.Environment, cfg: Config, faces: list[Face]) -> str:
    ctx = dict(
        faces=[{"family": f.family, "role": f.role, "weight": f.weight, "url": f.path.as_uri(),
                "narrow_quotes": f.role != "body" and narrow_quotes(f.path)} for f in faces],
        body_faces={f.weight: f.path.as_uri() for f in faces if f.role == "body"},
        trim=cfg.trim, m=cfg.margins, bleed=cfg.bleed, colours=cfg.colours, t=cfg.typography,
        title_css=_css_string(cfg.title), config=cfg,
    )
    parts = []
    for name in CSS_TEMPLATES:
        try:
            parts.append(env.get_template(name).render(**ctx))
        except jinja2.TemplateSyntaxError as exc:
            raise BookletError(f"template error: {exc.message}", where=f"layouts/{exc.name or name}, line {exc.lineno}") from None
        except jinja2.UndefinedError as exc:
            raise BookletError(f"template error: {exc.message}", where=f"layouts/{name}") from None
    return "\n".join(parts)


def build_html(project: Path, cfg: Config, content: Content, faces: list[Face],
               env: jinja2.Environment | None = None, *, parts: set[str] | None = None,
               page_numbers: dict[str, int] | None = None, chunk_css: str = "",
               css: str | None = None) -> tuple[str, ImageLookup]:
    """The booklet's HTML; with *parts*, only those parts (for incremental layout)."""
    env = env or make_env(project)
    lookup = ImageLookup(project)
    if css is None:
        css = render_css(env, cfg, faces)
    try:
        template = env.get_template("booklet.html")
        html = template.render(
            config=cfg, units=content.units, css=Markup(css),
            honourees_for=content.honourees_for, photo_slot=photo_slot_factory(lookup),
            portrait=lookup.portrait, cover_photo=cover_photo(project),
            dcterms_created=cfg.source_date, parts=parts, page_numbers=page_numbers,
            chunk_css=Markup(chunk_css),
        )
    except jinja2.TemplateSyntaxError as exc:
        raise BookletError(f"template error: {exc.message}", where=f"layouts/{exc.name}, line {exc.lineno}") from None
    except (jinja2.UndefinedError, jinja2.TemplateNotFound) as exc:
        raise BookletError(f"template error: {exc}", where=_template_frame(exc)) from None
    return _typeset_prepare(html), lookup


def cover_photo(project: Path) -> str:
    for ext in IMAGE_EXTS:
        if (project / "images" / f"cover{ext}").is_file():
            return f"images/cover{ext}"
    return ""


def _template_frame(exc: BaseException) -> str:
    import traceback
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".css")):
            return f"layouts/{Path(frame.filename).name}, line {frame.lineno}"
    return "layouts"


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
                refused.append(f"{url}: network access is not allowed; put the file in the project folder")
                raise FatalURLFetchingError(refused[-1])
            path = Path(unquote(urlparse(url).path)).resolve()
            if not any(path.is_relative_to(r) for r in roots):
                refused.append(f"{url}: this file is outside the project folder; copy it into the project")
                raise FatalURLFetchingError(refused[-1])
            return super().fetch(url, headers)

    return ProjectFetcher(timeout=5)


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def render_document(html: str, project: Path, *, font_config=None, presentational_hints: bool = True,
                    image_cache: dict | None = None):
    """Lay out *html*; returns (weasyprint Document, WeasyPrint warnings).

    Pass the same *font_config* between builds in one process: WeasyPrint
    copies every @font-face file (15-25 MB each for CJK) into a temporary
    folder and registers it with fontconfig once per configuration.
    *image_cache* likewise keeps decoded images (see build.ImageCache).
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    _typeset_install()
    from . import restyle, speedups
    restyle.install()
    speedups.install()
    refused: list[str] = []
    fetcher = make_fetcher(allowed_roots(project), refused)
    collector = _WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        doc = weasyprint.HTML(string=html, base_url=project.resolve().as_uri() + "/", url_fetcher=fetcher).render(
            font_config=font_config, presentational_hints=presentational_hints, cache=image_cache)
    except FatalURLFetchingError:
        raise BookletError("refused to load " + refused[-1] if refused else "a resource could not be loaded") from None
    finally:
        logger.removeHandler(collector)
    if refused:
        raise BookletError("refused to load " + "; ".join(refused))
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


def overflow_report(doc, tolerance: float = 1.0) -> list[str]:
    """Text drawn outside the page's content area, per unit and page.

    WeasyPrint lets a box that cannot break (a long table row, a fixed-height
    frame, an unbreakable line) spill past the margin silently; a print shop
    would find it on the proof. We read it from the layout tree.
    """
    from weasyprint.formatting_structure import boxes

    problems: list[str] = []
    one_page: dict[str, list[int]] = {}     # id of a one-page design (a testimonial) → pages it is on
    for number, page in enumerate(doc.pages, 1):
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
                pages = one_page.setdefault(element_id, [])
                if number not in pages:
                    pages.append(number)
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
    for element_id, pages in one_page.items():
        if len(pages) > 1:
            problems.append(f"{element_id} does not fit on one page (pages {pages[0]}–{pages[-1]}): "
                            "shorten the text in content/honourees.yaml or set the panel smaller in layouts/booklet.css")
    return problems
