"""Resized copies of images and the cover picture, cached by input hash.

A portrait shot for print is 3000 px and several MB; a phone wants 480 px
and 40 KB. Resizing three dozen of them takes seconds, so every copy is
kept in the project's cache folder under the hash of its source and its
width, and a later build (or a watch refresh) only links it into place.
Source hashes are remembered per file size and modification time, so an
unchanged photo is not even read again.

The cover of the reflowable editions is the print cover page itself,
rendered by pdftoppm from the PDF the build just made. Its key is the hash
of that one page as a stand-alone PDF (content, fonts, images): editing the
body text never renders it again unless the cover's own fonts changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import fsutil
from ..errors import BookletError

CACHE_DIR = ".booklet-cache"
JPEG_QUALITY = 82
COVER_WIDTH = 1200           # px: a sharp cover on a phone, and og:image's recommended width

#: Widths made of each kind of image (the web edition offers them all in `srcset`,
#: the EPUB takes one), and how wide the web layout (web.css) shows each kind.
SIZES = {
    "photo": ((480, 960, 1440), "(min-width: 44rem) 40rem, calc(100vw - 2.5rem)"),
    "portrait": ((240, 480, 720), "(min-width: 44rem) 15rem, 60vw"),
    "thumb": ((240, 480, 720), "(min-width: 44rem) 8rem, 30vw"),
    "cover": ((320, 640, 960, COVER_WIDTH), "(min-width: 44rem) 22rem, 80vw"),
}


@dataclass(frozen=True)
class Variant:
    """One resized copy: where it is cached and what to call it in an edition."""
    path: Path
    name: str                # file name in the edition, e.g. h01-3fa2c1d0-480.jpg
    width: int
    height: int

    @property
    def media_type(self) -> str:
        return "image/png" if self.name.endswith(".png") else "image/jpeg"


class ImageStore:
    """Resized copies of project images, made once and cached on disk."""

    def __init__(self, project: Path):
        self.root = project / CACHE_DIR / "images"
        self._index_path = self.root / "index.json"
        self._index: dict[str, list] | None = None      # "path" → [stamp, sha]
        self._dirty = False

    def _digest(self, path: Path) -> str:
        if self._index is None:
            try:
                self._index = json.loads(self._index_path.read_text("utf-8"))
            except (OSError, ValueError):
                self._index = {}
        stamp = list(fsutil.file_stamp(path))
        known = self._index.get(str(path))
        if known and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        self._index[str(path)] = [stamp, digest]
        self._dirty = True
        return digest

    def save_index(self) -> None:
        if self._dirty and self._index is not None:
            fsutil.write_text(self._index_path, json.dumps(self._index, ensure_ascii=False, indent=0))
            self._dirty = False

    def variants(self, path: Path, widths: tuple[int, ...]) -> list[Variant]:
        """Copies of *path* at each of *widths* px no wider than the original (at least one)."""
        digest = self._digest(path)
        stem = re.sub(r"[^0-9A-Za-z_-]+", "-", path.stem).strip("-")[:40] or "image"
        meta_path = self.root / f"{digest}.json"
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError):
            meta = self._probe(path, digest, meta_path)
        w0, h0, ext = meta["width"], meta["height"], meta["ext"]
        fit = sorted({w for w in widths if w < w0} | ({w0} if w0 <= max(widths) else set())) or [min(widths)]
        out, todo = [], []
        for w in fit:
            h = max(1, round(h0 * w / w0))
            cached = self.root / f"{digest}-{w}{ext}"
            if not cached.is_file():
                todo.append((cached, w, h))
            out.append(Variant(cached, f"{stem}-{digest[:8]}-{w}{ext}", w, h))
        if todo:
            self._resize(path, todo, ext)
        return out

    def _probe(self, path: Path, digest: str, meta_path: Path) -> dict:
        from PIL import Image
        try:
            with Image.open(path) as im:            # reads the header only
                w, h = im.size
                if im.getexif().get(0x0112) in (5, 6, 7, 8):    # EXIF orientation: shown turned by 90°
                    w, h = h, w
                alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
                meta = {"width": w, "height": h, "ext": ".png" if alpha else ".jpg"}
        except Exception as exc:          # Pillow raises many types for a damaged file
            raise BookletError(f"cannot read the image: {exc}", where=str(path.name),
                               hint="replace it with a JPEG or PNG file") from None
        fsutil.write_text(meta_path, json.dumps(meta))
        return meta

    @staticmethod
    def _resize(path: Path, targets: list[tuple[Path, int, int]], ext: str) -> None:
        """Decode once (a JPEG at a reduced scale when that suffices), then make each width, largest first."""
        from PIL import Image, ImageOps
        targets = sorted(targets, key=lambda t: -t[1])
        with Image.open(path) as im:
            im.draft("RGB", (targets[0][1], targets[0][2]))
            im = ImageOps.exif_transpose(im)
            im = im.convert("RGBA" if ext == ".png" else "RGB")
            for target, w, h in targets:
                if im.size != (w, h):
                    im = im.resize((w, h), Image.LANCZOS, reducing_gap=3.0)
                buf = io.BytesIO()
                if ext == ".png":
                    im.save(buf, "PNG")
                else:
                    im.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
                fsutil.write_bytes(target, buf.getvalue())

    def cover(self, pdf: bytes | Path | None) -> Path | None:
        """The first page of *pdf* as a PNG COVER_WIDTH px wide, or None without a PDF."""
        if pdf is None:
            return None
        import pikepdf
        try:
            src = pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
        except (pikepdf.PdfError, OSError) as exc:
            raise BookletError(f"cannot read the PDF to draw the cover from: {exc}", hint="run 'booklet build'") from None
        with src:
            page = pikepdf.new()
            page.pages.append(src.pages[0])
            buf = io.BytesIO()
            page.save(buf, static_id=True)
        one = buf.getvalue()
        digest = hashlib.sha256(one + str(COVER_WIDTH).encode()).hexdigest()[:16]
        target = self.root / f"cover-{digest}.png"
        if target.is_file():
            return target
        exe = shutil.which("pdftoppm")
        if not exe:
            raise BookletError("pdftoppm is not installed", hint="run ./setup.sh (it installs poppler-utils)")
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.root) as tmp:
            pdf_path = Path(tmp) / "cover.pdf"
            pdf_path.write_bytes(one)
            run = subprocess.run([exe, "-f", "1", "-l", "1", "-singlefile", "-png", "-scale-to-x", str(COVER_WIDTH),
                                  "-scale-to-y", "-1", str(pdf_path), str(Path(tmp) / "cover")], capture_output=True)
            if run.returncode != 0:
                raise BookletError(f"pdftoppm could not draw the cover: {run.stderr.decode(errors='replace').strip()}")
            os.replace(Path(tmp) / "cover.png", target)
        return target


def link_or_copy(source: Path, target: Path) -> None:
    """Place a cached file in an edition folder: a hard link when possible (instant, no space)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
