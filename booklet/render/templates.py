"""Templates → the booklet's HTML and stylesheet.

Layouts are user-owned: the Jinja loader looks in the project's layouts/
first and falls back to the defaults shipped in the package, file by file,
so a project overrides exactly what it places there (Hugo/MkDocs style).
Laying the HTML out is render.document's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..colours import screen_colours
from .. import geometry, images
from ..config import Config
from ..content import Content, Honouree
from ..errors import BookletError
from ..fonts import Face, narrow_quotes
from .qr import qr_svg
from .sourcemap import RenderedCss
from .vertical import vertical_columns

DEFAULT_LAYOUTS = Path(__file__).parents[1] / "layouts"
CSS_TEMPLATES = ("fonts.css", "page.css", "booklet.css")


def _typeset_prepare(html: str) -> str:
    try:
        from . import typeset
    except ImportError:
        return html
    prepare = getattr(typeset, "prepare_html", None)
    return prepare(html) if prepare else html


class _LayoutLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, with a file that is not UTF-8 reported by name and line
    (Jinja would raise a bare UnicodeDecodeError that names neither)."""

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            path = Path(self.searchpath[0]) / template
            line = path.read_bytes()[: exc.start].count(b"\n") + 1 if path.is_file() else 1
            raise BookletError("the file is not UTF-8 text", where=f"layouts/{template}, line {line}",
                               hint="save it as UTF-8 in your editor") from None


def make_env(project: Path) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        _LayoutLoader(str(project / "layouts")),
        _LayoutLoader(str(DEFAULT_LAYOUTS)),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xhtml", "opf"), default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["vertical_columns"] = vertical_columns
    env.filters["no_lone"] = no_lone
    env.filters["split_tail"] = _split_tail
    env.globals["qr_code"] = qr_svg
    return env


def _split_tail(text: str) -> tuple[str, str]:
    from .cjkchars import split_tail
    return split_tail(text)


def no_lone(text: str) -> Markup:
    """Paragraph text whose last line cannot end up with a single character."""
    from .cjkchars import split_tail
    head, tail = split_tail(text)
    if not tail:
        return Markup.escape(text)
    return Markup('{}<span class="keep">{}</span>').format(head, tail)


@dataclass
class ImageLookup:
    """Finds portraits and photos in images/ and remembers what is missing.

    A path that cannot be used (missing, a web address, outside the project)
    is drawn as a placeholder frame; images.check_images says why.
    """

    project: Path
    missing: list[str] = field(default_factory=list)
    found: list[Path] = field(default_factory=list)

    def resolve(self, src: str) -> Path | None:
        return images.locate(self.project, src).path if src else None

    def portrait(self, h: Honouree) -> str:
        return images.portrait_src(self.project, h)


def photo_slot_factory(lookup: ImageLookup):
    def photo_slot(src: str, label: str, kind: str, alt: str | None = None, focus: str = "") -> Markup:
        """An <img> (alt text: *alt*, else *label*), or for a missing file a
        placeholder frame naming it, which the tagged PDF keeps out of what a
        screen reader reads (aria-hidden, booklet/pdf/roles.py). *focus*: the
        object-position of a portrait cropped to its frame."""
        path = lookup.resolve(src) if src else None
        if path is None:
            if src or kind != "cover":
                lookup.missing.append(src or f"({kind})")
            return Markup(
                '<div class="slot placeholder placeholder-{k}" aria-hidden="true"><span class="ph-name">{l}</span>'
                '<span class="ph-label">照片</span></div>'
            ).format(k=kind, l=label)
        lookup.found.append(path)
        # focus is checked in content.py (two percentages), so it is safe in a style attribute.
        style = Markup(' style="object-position: {}"').format(focus) if focus else ""
        return Markup('<img class="slot slot-{k}" src="{s}" alt="{a}"{st}>').format(k=kind, s=path.as_uri(), a=alt or label,
                                                                                    st=style)
    return photo_slot


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_css(env: jinja2.Environment, cfg: Config, faces: list[Face]) -> RenderedCss:
    """fonts.css, page.css and booklet.css rendered and joined, each line
    knowing its file and line (for WeasyPrint's messages, see sourcemap)."""
    ctx = dict(
        faces=[{"family": f.family, "role": f.role, "weight": f.weight, "url": f.path.as_uri(),
                "narrow_quotes": f.role != "body" and narrow_quotes(f.path)} for f in faces],
        body_faces={f.weight: f.path.as_uri() for f in faces if f.role == "body"},
        trim=cfg.trim, m=cfg.margins, bleed=cfg.bleed, colours=screen_colours(cfg), t=cfg.typography,
        title_css=_css_string(cfg.title), config=cfg,
        scale=cfg.scale, page_scale=cfg.page_scale, placed=cfg.placed_sizes(), testimonial_head=geometry.TESTIMONIAL_HEAD,
    )
    pieces = []
    for name in CSS_TEMPLATES:
        try:
            text = env.get_template(name).render(**ctx)
            source, filename, _ = env.loader.get_source(env, name)
        except jinja2.TemplateSyntaxError as exc:
            raise BookletError(f"template error: {exc.message}", where=f"layouts/{exc.name or name}, line {exc.lineno}") from None
        except jinja2.UndefinedError as exc:
            raise BookletError(f"template error: {exc.message}", where=f"layouts/{name}") from None
        except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
            raise BookletError(f"template error: {exc}", where=_template_frame(exc, f"layouts/{name}")) from None
        default = filename and Path(filename).resolve().is_relative_to(DEFAULT_LAYOUTS.resolve())
        pieces.append((f"{name} (booklet's default layout)" if default else f"layouts/{name}", source, text))
    return RenderedCss.join(pieces)


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
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        # A layout's own expression failed ({{ 1 / 0 }}, a filter on the wrong type...).
        raise BookletError(f"template error: {type(exc).__name__}: {exc}", where=_template_frame(exc)) from None
    return _typeset_prepare(html), lookup


def cover_photo(project: Path) -> str:
    for ext in images.IMAGE_EXTS:
        if (project / "images" / f"cover{ext}").is_file():
            return f"images/cover{ext}"
    return ""


def _template_frame(exc: BaseException, default: str = "layouts") -> str:
    import traceback
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".css")):
            path = Path(frame.filename)
            rel = path.relative_to(DEFAULT_LAYOUTS) if path.is_relative_to(DEFAULT_LAYOUTS) else \
                Path(*path.parts[path.parts.index("layouts") + 1:]) if "layouts" in path.parts else Path(path.name)
            return f"layouts/{rel}, line {frame.lineno}"
    return default
