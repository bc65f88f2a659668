"""The EPUB and the web edition as one stage: made, then put in place together.

A build makes them after the PDFs and commits everything only when every
stage has succeeded (`prepare` → `Staged.commit`); `booklet watch` writes
the PDFs first, on its fast path, and calls `write_reflow` after them with
what that build loaded. Neither uses WeasyPrint: they are Jinja templates,
cached image copies and one pdftoppm call for the cover when it changed.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import fsutil
from ..config import Config
from ..content import Content
from ..fonts import Face, resolve_faces
from ..render.templates import make_env
from .epub import Epub, make_epub
from .images import ImageStore
from .model import plan
from .web import Download, Web, staging_dir, swap_in, write_web


@dataclass
class Staged:
    """Both editions made, not yet in output/: the EPUB in memory, the site in a hidden folder."""
    epub_path: Path
    epub: Epub
    web_path: Path
    web: Web
    staged_web: Path
    seconds: float
    missing_images: list[str]

    def commit(self) -> None:
        fsutil.write_bytes(self.epub_path, self.epub.data)
        swap_in(self.staged_web, self.web_path)

    def discard(self) -> None:
        shutil.rmtree(self.staged_web, ignore_errors=True)


def prepare(cfg: Config, content: Content, out_dir: Path, *, cover_pdf: bytes | Path | None = None,
            faces: list[Face] | None = None, env: jinja2.Environment | None = None) -> Staged:
    """Make both editions from the loaded config and content; nothing in *out_dir* changes yet.

    *cover_pdf* is the PDF whose first page becomes the cover picture (the
    digital edition's bytes in a build; by default the one in *out_dir*).
    """
    start = time.perf_counter()
    project = cfg.root
    env = env or make_env(project)
    if cover_pdf is None and (out_dir / cfg.output.digital).is_file():
        cover_pdf = out_dir / cfg.output.digital
    edition = plan(cfg, content, project)
    store = ImageStore(project)
    cover = store.cover(cover_pdf)
    embed = (faces if faces is not None else resolve_faces(project, cfg.fonts)) if cfg.output.epub_fonts else None
    epub = make_epub(edition, env, store, cover=cover, faces=embed)
    web_path = out_dir / cfg.output.web
    staged = staging_dir(web_path)
    try:
        pdf = cover_pdf.read_bytes() if isinstance(cover_pdf, Path) else cover_pdf
        downloads = ([Download(Path(cfg.output.digital).name, pdf, "pdf")] if pdf else []) + [
            Download(Path(cfg.output.epub).name, epub.data, "epub")]
        web = write_web(edition, env, store, staged, cover=cover, downloads=downloads)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    store.save_index()
    return Staged(out_dir / cfg.output.epub, epub, web_path, web, staged, time.perf_counter() - start, edition.missing)


def write_reflow(cfg: Config, content: Content, out_dir: Path, **kwargs) -> Staged:
    """Make both editions and put them in *out_dir* (for watch, after the PDFs are out)."""
    staged = prepare(cfg, content, out_dir, **kwargs)
    staged.commit()
    return staged
