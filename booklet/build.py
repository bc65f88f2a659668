"""One build: config → content → checks → HTML → PDF editions, atomically.

Stages report progress through a callback so the CLI (and watch) can print
them; nothing is written to output/ until every stage has succeeded. A
Builder keeps what can be reused between builds of one project in one
process (Jinja environment, WeasyPrint's font configuration, fontTools
coverage tables), which is what makes `booklet watch` rebuilds fast.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import fsutil
from .config import Config, load_config
from .content import Content, load_content
from .errors import BookletError
from .fonts import resolve_faces
from .glyphs import check_glyphs
from .pdf.preflight import preflight
from .pdf.editions import digital_edition, make_print_edition, source_date
from .render.document import overflow_report, page_fingerprints, render_document
from .render.sourcemap import locate_warnings
from .render.templates import build_html, make_env, render_css

Progress = Callable[[str], None]


def _quiet(stage: str) -> None:
    return None


@dataclass
class CheckResult:
    config: Config
    content: Content
    faces: list
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    """What one build made. The two editions number their pages differently:
    the print one has blank pages added before the back cover (a multiple of
    4 for saddle stitching), the digital one does not. *fingerprints* are per
    laid-out page, which are the digital edition's pages; *print_numbers*
    says where each of them is in the print edition."""
    print_pdf: Path
    digital_pdf: Path
    pages: int                    # of the print edition
    blank_pages_added: int
    seconds: float
    warnings: list[str]
    sizes: dict[str, int]
    fingerprints: list[str] = field(default_factory=list)
    how: str = ""                 # how the layout was made (full, repainted, some parts again)
    print_numbers: list[int] = field(default_factory=list)

    @property
    def digital_pages(self) -> int:
        return len(self.print_numbers) or self.pages


def check_project(project: Path, progress: Progress = _quiet) -> CheckResult:
    """Everything that can be known without rendering. Raises on the first
    structural error (config, content syntax); collects glyph and image problems."""
    from .images import check_images
    project = project.resolve()
    progress("config")
    cfg = load_config(project)
    source_date(cfg)           # a bad SOURCE_DATE_EPOCH stops the build before the long layout
    progress("content")
    content = load_content(project, [u.path for u in cfg.units], cfg.honourees)
    faces = resolve_faces(project, cfg.fonts, cfg.font_lines)
    result = CheckResult(cfg, content, faces)
    progress("glyphs")
    result.errors.extend(str(m) for m in check_glyphs(cfg, content, faces, project))
    progress("images")
    result.warnings.extend(check_images(project, content, result.errors, cfg.honourees, cfg.placed_sizes()))
    return result


class ImageCache(dict):
    """WeasyPrint's image cache, kept between builds, forgetting changed files.

    WeasyPrint caches decoded images by URL (and their PDF data under keys
    derived from it) for one render; kept across renders it would show an
    image the designer has just replaced. Each build first drops the entries
    of every file whose size or modification time changed.
    """

    def __init__(self):
        super().__init__()
        self._stamps: dict[str, tuple | None] = {}

    def refresh(self) -> "ImageCache":
        for url in list(self._stamps):
            if fsutil.url_stamp(url) != self._stamps[url]:
                prefix = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()   # WeasyPrint's image id
                for key in [k for k in self if k == url or k.startswith(prefix)]:
                    del self[key]
                del self._stamps[url]
        return self

    def remember(self) -> None:
        for key in self:
            if key not in self._stamps and ":" in key[:8]:
                self._stamps[key] = fsutil.url_stamp(key)


class Builder:
    """Builds one project, reusing expensive state across builds in a process."""

    def __init__(self, project: Path):
        self.project = project.resolve()
        self._env = None
        self._env_key: tuple = ()
        self._font_config = None
        self._plan = None          # incremental.Plan of the last layout
        self._last_doc = None
        self._wp_warnings: list[str] = []
        self._fingerprints: dict[int, str] = {}   # id(page) → fingerprint taken before it was drawn
        self._css: str | None = None                # the stylesheet the kept pages were laid out with
        self._sources: dict[int, object] = {}       # id(page) → the WeasyPrint HTML it was laid out from
        self.last_strategy = ""                      # how the last layout was done (for watch and tests)
        self._images = ImageCache()
        self._base_url = self.project.as_uri() + "/"
        self._font_key: tuple = ()

    def _environment(self):
        """The Jinja environment, rebuilt when the set of override files changes.

        Jinja's auto_reload notices edits to a template it loaded, but not a
        new override appearing in layouts/ in front of a default one.
        """
        layouts = self.project / "layouts"
        key = tuple(sorted(str(p.relative_to(layouts)) for p in layouts.rglob("*") if p.is_file())) if layouts.is_dir() else ()
        if self._env is None or key != self._env_key:
            self._env, self._env_key = make_env(self.project), key
        return self._env

    def _font_configuration(self):
        if self._font_config is None:
            from weasyprint.text.fonts import FontConfiguration
            self._font_config = FontConfiguration()
        return self._font_config

    def _layout(self, html, css, cfg, checked, env, fonts_changed=False):
        """Lay out the booklet: only what changed when that is safe, else all.

        Content edits change some chunks' HTML; a stylesheet edit is judged
        by stylediff: colours only → the pages are restyled in place; layout
        scoped to some selectors → the chunks they select are laid out again;
        anything else → a full layout.
        """
        from .render import incremental, stylediff
        order = incremental.part_ids(checked.content.units)

        def chunk_html(parts, first_page, numbers):
            return build_html(self.project, cfg, checked.content, checked.faces, env=env, css=css, parts=set(parts),
                              page_numbers=numbers if "contents" in parts else None,
                              chunk_css=incremental.chunk_css(first_page))[0]

        plan = self._plan
        self.last_strategy = "full layout: a font file changed" if fonts_changed else "full layout"
        if plan is not None and plan.part_order == order and self._supports_parts(env):
            numbers = plan.page_numbers
            fresh = [chunk_html(c.parts, c.first_page, numbers) for c in plan.chunks]
            keys = [incremental.body_key(h, css, self._base_url) for h in fresh]
            changed = {i for i, (c, k) in enumerate(zip(plan.chunks, keys)) if k != c.key}
            change = stylediff.compare(self._css, css)
            if change.kind == "paint" or change.repaint:
                try:
                    self._restyle(css)
                except Exception as exc:   # CannotRestyle, or a WeasyPrint internal we did not foresee
                    change = stylediff.StyleChange("global", f"colours could not be repainted: {exc}")
            if change.kind == "scoped":
                changed |= {i for i, h in enumerate(fresh) if i not in changed and incremental.matches(h, change.selectors, css)}
            elif change.kind == "global":
                changed = set(range(len(plan.chunks)))
            limit = max(2, len(plan.chunks) // 4)    # beyond that, one full layout is cheaper
            if len(changed) <= limit:
                chunks = list(plan.chunks)
                warnings = list(self._wp_warnings)
                for i in sorted(changed):
                    doc_c, w = self._render(fresh[i], css)
                    old = chunks[i]
                    starts = incremental.part_starts(doc_c.pages, old.first_page, set(old.parts))
                    if len(doc_c.pages) != len(old.pages) or any(starts[p] != numbers[p] for p in old.parts):
                        break                       # page numbers would move: lay out everything
                    chunks[i] = incremental.Chunk(old.parts, old.first_page, doc_c.pages, keys[i], old.blank_before)
                    self._sources.update((id(p), doc_c._html) for p in doc_c.pages)
                    warnings += w
                else:
                    self._plan = incremental.Plan(chunks, order, numbers)
                    self._css = css
                    kept = incremental.merged_pages(self._plan)
                    self._sources = {id(p): self._sources[id(p)] for p in kept}   # let replaced trees go
                    parts = [p for i in sorted(changed) for p in chunks[i].parts]
                    how = ["colours repainted without layout"] if change.kind == "paint" or change.repaint else []
                    if parts:
                        how.append("laid out again: " + ", ".join(parts[:3]) + (f" and {len(parts) - 3} more" if len(parts) > 3 else ""))
                    self.last_strategy = "; ".join(how) or "nothing to lay out"
                    return self._last_doc.copy(kept), warnings
            if change.kind == "global":
                self.last_strategy = f"full layout: {change.reason}"
            elif len(changed) > limit:
                self.last_strategy = f"full layout: the edit reaches {len(changed)} of {len(plan.chunks)} page groups"
        doc, warnings = self._render(html, css)
        self._last_doc, self._wp_warnings, self._css = doc, warnings, css
        self._sources = {id(p): doc._html for p in doc.pages}
        plan = incremental.plan_from_document(doc, order) if self._supports_parts(env) else None
        if plan is not None:
            numbers = plan.page_numbers
            for c in plan.chunks:
                c.key = incremental.body_key(chunk_html(c.parts, c.first_page, numbers), css, self._base_url)
        self._plan = plan
        return doc, warnings

    def _check_fonts(self, faces) -> bool:
        """A font file replaced or added under fonts/ while watching: start afresh.

        WeasyPrint registers a @font-face once per FontConfiguration, by its
        descriptors, and the kept pages hold the old glyphs; neither would
        notice a new file behind the same URL. Returns whether that happened.
        """
        key = tuple((str(f.path), fsutil.file_stamp(f.path)) for f in faces)
        changed = bool(self._font_key) and key != self._font_key
        if changed:
            self._font_config, self._plan = None, None
        self._font_key = key
        return changed

    def _render(self, html: str, css: str):
        try:
            doc, warnings = render_document(html, self.project, font_config=self._font_configuration(),
                                            image_cache=self._images.refresh())
        finally:
            self._images.remember()
        return doc, locate_warnings(warnings, html, css)

    def _restyle(self, css: str) -> None:
        """Repaint the kept pages for a colour-only edit (restyle.py)."""
        from .render import incremental
        from .render.restyle import CannotRestyle, restyle
        by_source: dict[int, tuple] = {}
        for page in incremental.merged_pages(self._plan):
            html = self._sources.get(id(page))
            if html is None:
                raise CannotRestyle("a page of unknown origin")
            by_source.setdefault(id(html), (html, []))[1].append(page)
        changed = restyle(list(by_source.values()), self._css, css, self._font_configuration())
        for page_id, digest in changed.items():
            old = self._fingerprints.get(page_id, "")
            self._fingerprints[page_id] = hashlib.blake2b((old + digest).encode(), digest_size=12).hexdigest()
        self._css = css

    @staticmethod
    def _supports_parts(env) -> bool:
        """A project's own booklet.html may not know about `parts`."""
        source, _, _ = env.loader.get_source(env, "booklet.html")
        return "parts" in source

    def build(self, progress: Progress = _quiet, *, write: bool = True) -> BuildResult:
        start = time.perf_counter()
        project = self.project
        checked = check_project(project, progress)
        if checked.errors:
            raise BookletError(f"{len(checked.errors)} problem(s) found, nothing was written:\n  "
                               + "\n  ".join(checked.errors))
        cfg = checked.config
        fonts_changed = self._check_fonts(checked.faces)
        progress("html")
        env = self._environment()
        css = render_css(env, cfg, checked.faces)
        html, _ = build_html(project, cfg, checked.content, checked.faces, env=env, css=css)
        progress("layout")
        doc, wp_warnings = self._layout(html, css, cfg, checked, env, fonts_changed)
        # Drawing changes a page's boxes, so a reused page keeps the fingerprint it had when new.
        new = [p for p in doc.pages if id(p) not in self._fingerprints]
        fresh = dict(zip(map(id, new), page_fingerprints(new)))
        self._fingerprints = {id(p): self._fingerprints.get(id(p)) or fresh[id(p)] for p in doc.pages}
        fingerprints = [self._fingerprints[id(p)] for p in doc.pages]
        overflows = overflow_report(doc)
        progress("pdf")
        # The digital edition is a tagged PDF (PDF/UA-1: structure tree, reading
        # order, language) for screen readers; the same file serves print unless
        # a PDF/X variant is asked for, which then needs its own write.
        raw = doc.write_pdf(pdf_variant="pdf/ua-1")
        print_raw = doc.write_pdf(pdf_variant=cfg.output.pdf_variant) if cfg.output.pdf_variant else raw
        print_data, print_report = make_print_edition(print_raw, cfg)
        digital, digital_report = digital_edition(raw, cfg)
        progress("preflight")
        checked_print = preflight(print_data, cfg)
        if checked_print.errors:
            raise BookletError("the print PDF fails preflight, nothing was written:\n  " + "\n  ".join(checked_print.errors))
        warnings = (list(checked.warnings) + overflows + [f"WeasyPrint: {w}" for w in wp_warnings]
                    + print_report.warnings + digital_report.warnings + [f"preflight: {w}" for w in checked_print.warnings])
        if print_report.blank_pages:
            warnings.append(f"added {print_report.blank_pages_added} blank page(s) before the back cover "
                            f"(pages {', '.join(map(str, print_report.blank_pages))}) "
                            f"to reach a multiple of {cfg.output.pages_multiple}")
        out = cfg.output_dir
        print_path, digital_path = out / cfg.output.print, out / cfg.output.digital
        if write:
            progress("write")
            fsutil.write_bytes(print_path, print_data)
            fsutil.write_bytes(digital_path, digital)
            fsutil.write_text(out / "booklet.html", html)
        blanks = set(print_report.blank_pages)
        print_numbers = [n for n in range(1, print_report.pages + 1) if n not in blanks]
        assert len(print_numbers) == len(doc.pages), (len(print_numbers), len(doc.pages))
        return BuildResult(print_path, digital_path, print_report.pages, print_report.blank_pages_added,
                           time.perf_counter() - start, warnings,
                           {"print": len(print_data), "digital": len(digital)}, fingerprints, self.last_strategy,
                           print_numbers)


def build(project: Path, progress: Progress = _quiet, *, write: bool = True) -> BuildResult:
    return Builder(project).build(progress, write=write)
