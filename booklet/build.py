"""One build: config → content → checks → HTML → PDF editions, atomically.

Stages report progress through a callback so the CLI (and watch) can print
them; nothing is written to output/ until every stage has succeeded.
"""

from __future__ import annotations

import os
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
from .pdf import crop_to_trim, pad_pages
from .render import build_html, render_document

Progress = Callable[[str], None]


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


def check_project(project: Path, progress: Progress = lambda s: None) -> CheckResult:
    """Everything that can be known without rendering. Raises on the first
    structural error (config, content syntax); collects glyph and image problems."""
    progress("config")
    cfg = load_config(project)
    progress("content")
    content = load_content(project, [u.path for u in cfg.units], cfg.honourees)
    faces = resolve_faces(project, cfg.fonts)
    result = CheckResult(cfg, content, faces)
    progress("glyphs")
    result.errors.extend(str(m) for m in check_glyphs(cfg, content, faces, project))
    progress("images")
    result.warnings.extend(_image_problems(project, content, result.errors))
    return result


def _image_problems(project: Path, content: Content, errors: list[str]) -> list[str]:
    from .images import check_images
    return check_images(project, content, errors)


def build(project: Path, progress: Progress = lambda s: None, *, write: bool = True) -> BuildResult:
    start = time.perf_counter()
    checked = check_project(project, progress)
    if checked.errors:
        raise BookletError(f"{len(checked.errors)} problem(s) found, nothing was written:\n  " + "\n  ".join(checked.errors))
    cfg = checked.config
    progress("html")
    html, lookup = build_html(project, cfg, checked.content, checked.faces)
    progress("layout")
    doc, wp_warnings = render_document(html, project)
    progress("pdf")
    variant = cfg.output.pdf_variant or None
    raw = doc.write_pdf(pdf_variant=variant, uncompressed_pdf=False)
    padded = pad_pages(raw, cfg.output.pages_multiple)
    digital = crop_to_trim(padded.data)
    warnings = list(checked.warnings) + [f"WeasyPrint: {w}" for w in wp_warnings]
    if padded.inserted:
        warnings.append(f"added {padded.inserted} blank page(s) before the back cover to reach a multiple of {cfg.output.pages_multiple}")
    out = cfg.output_dir
    print_path, digital_path = out / cfg.output.print, out / cfg.output.digital
    if write:
        progress("write")
        fsutil.write_bytes(print_path, padded.data)
        fsutil.write_bytes(digital_path, digital)
        fsutil.write_text(out / "booklet.html", html)
    return BuildResult(print_path, digital_path, padded.pages, padded.inserted, time.perf_counter() - start,
                       warnings, {"print": len(padded.data), "digital": len(digital)})


def source_date_epoch() -> str | None:
    return os.environ.get("SOURCE_DATE_EPOCH")
