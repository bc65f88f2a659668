"""One build: config → content → checks → HTML → PDF editions, atomically.

Stages report progress through a callback so the CLI (and watch) can print
them; nothing is written to output/ until every stage has succeeded. A
Builder keeps what can be reused between builds of one project in one
process (Jinja environment, WeasyPrint's font configuration, fontTools
coverage tables), which is what makes `booklet watch` rebuilds fast.
"""

from __future__ import annotations

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
from .preflight import preflight
from .pdf import digital_edition, make_print_edition
from .render import build_html, make_env, overflow_report, page_fingerprints, render_document

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
    print_pdf: Path
    digital_pdf: Path
    pages: int
    blank_pages_added: int
    seconds: float
    warnings: list[str]
    sizes: dict[str, int]
    fingerprints: list[str] = field(default_factory=list)


def check_project(project: Path, progress: Progress = _quiet) -> CheckResult:
    """Everything that can be known without rendering. Raises on the first
    structural error (config, content syntax); collects glyph and image problems."""
    from .images import check_images
    project = project.resolve()
    progress("config")
    cfg = load_config(project)
    progress("content")
    content = load_content(project, [u.path for u in cfg.units], cfg.honourees)
    faces = resolve_faces(project, cfg.fonts)
    result = CheckResult(cfg, content, faces)
    progress("glyphs")
    result.errors.extend(str(m) for m in check_glyphs(cfg, content, faces, project))
    progress("images")
    result.warnings.extend(check_images(project, content, result.errors, cfg.honourees))
    return result


class Builder:
    """Builds one project, reusing expensive state across builds in a process."""

    def __init__(self, project: Path):
        self.project = project.resolve()
        self._env = None
        self._env_key: tuple = ()
        self._font_config = None

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

    def build(self, progress: Progress = _quiet, *, write: bool = True) -> BuildResult:
        start = time.perf_counter()
        project = self.project
        checked = check_project(project, progress)
        if checked.errors:
            raise BookletError(f"{len(checked.errors)} problem(s) found, nothing was written:\n  "
                               + "\n  ".join(checked.errors))
        cfg = checked.config
        progress("html")
        html, _ = build_html(project, cfg, checked.content, checked.faces, env=self._environment())
        progress("layout")
        doc, wp_warnings = render_document(html, project, font_config=self._font_configuration())
        fingerprints = page_fingerprints(doc)
        overflows = overflow_report(doc)
        progress("pdf")
        # The digital edition is a tagged PDF (PDF/UA-1: structure tree, reading
        # order, language) for screen readers; the same file serves print unless
        # a PDF/X variant is asked for, which then needs its own write.
        raw = doc.write_pdf(pdf_variant="pdf/ua-1")
        print_raw = doc.write_pdf(pdf_variant=cfg.output.pdf_variant) if cfg.output.pdf_variant else raw
        print_data, print_report = make_print_edition(print_raw, cfg)
        digital, _ = digital_edition(raw, cfg)
        progress("preflight")
        checked_print = preflight(print_data, cfg)
        if checked_print.errors:
            raise BookletError("the print PDF fails preflight, nothing was written:\n  " + "\n  ".join(checked_print.errors))
        warnings = (list(checked.warnings) + overflows + [f"WeasyPrint: {w}" for w in wp_warnings]
                    + print_report.warnings + [f"preflight: {w}" for w in checked_print.warnings])
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
        return BuildResult(print_path, digital_path, print_report.pages, print_report.blank_pages_added,
                           time.perf_counter() - start, warnings,
                           {"print": len(print_data), "digital": len(digital)}, fingerprints)


def build(project: Path, progress: Progress = _quiet, *, write: bool = True) -> BuildResult:
    return Builder(project).build(progress, write=write)
