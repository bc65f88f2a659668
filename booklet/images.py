"""Images: where a portrait or photo comes from, and what is wrong with it.

A missing portrait is drawn as a placeholder frame (so a booklet can be
proofed before the photos arrive) but listed; a corrupt or wrong-type file
is an error because it would silently vanish from the PDF. A path an
editor wrote that cannot be used (a web address, a file outside the
project, a file that is not there) is named on its own, because unlike a
portrait not supplied yet it is a mistake to fix: the build never fetches
from the network and reads only the project's files.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .content import Content, Honouree

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff")
MIN_DPI = 300
#: The end of the warning for a portrait found by id or name that is not there yet; the CLI sums these up.
PLACEHOLDER_DRAWN = "is missing (a placeholder frame is drawn)"

_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF8": "GIF",
    b"RIFF": "WEBP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(?:data|mailto):", re.I)


@dataclass
class Source:
    """Where an image path written in the content leads."""
    src: str
    path: Path | None        # the file, when it can be used
    problem: str = ""        # "", "url", "outside", "missing"


def locate(project: Path, src: str) -> Source:
    if _URL.match(src):
        return Source(src, None, "outside" if src.lower().startswith("file:") else "url")
    root = project.resolve()
    path = (root / src).resolve()
    if not path.is_relative_to(root):
        return Source(src, None, "outside")
    if not path.is_file():
        return Source(src, None, "missing")
    return Source(src, path)


def portrait_src(project: Path, h: Honouree) -> str:
    """The portrait's path: `portrait:` if given, else images/<id>.* or images/<name>.*."""
    if h.portrait:
        return h.portrait
    images = project / "images"
    for stem in (h.id, h.name):
        for ext in IMAGE_EXTS:
            if (images / f"{stem}{ext}").is_file():
                return f"images/{stem}{ext}"
    return f"images/{h.id}.jpg"


def sniff(path: Path) -> str | None:
    head = path.read_bytes()[:16]
    for sig, name in _SIGNATURES.items():
        if head.startswith(sig):
            return name
    return None


def pixel_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels, after decoding the whole file (remembered
    per file version: watch checks the images on every rebuild)."""
    from .fsutil import file_stamp
    return _decoded_size(path, file_stamp(path))


@functools.lru_cache(maxsize=512)
def _decoded_size(path: Path, stamp: tuple) -> tuple[int, int]:
    """Width and height in pixels, after decoding the whole file.

    ``verify()`` reads only the structure; a JPEG cut short passes it and
    would be embedded as is (the bottom of the photo grey or missing), so
    the pixels are decoded too; a JPEG at an eighth of its size (``draft``),
    which reads every byte at a fraction of the cost.
    """
    from PIL import Image
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        size = im.size
        if im.format == "JPEG":
            im.draft(im.mode, (max(1, size[0] // 8), max(1, size[1] // 8)))
        im.load()
        return size


def unusable(source: Source, what: str) -> str:
    """Why an image path written by an editor cannot be used, and what to do."""
    if source.problem == "url":
        return (f"{what} {source.src} is a web address: network images are never fetched; "
                f"save the file under images/ and write its path (images/…) instead")
    if source.problem == "outside":
        return f"{what} {source.src} is outside the project folder: copy the file under images/ and write images/…"
    return (f"{what} {source.src} does not exist (a placeholder frame is drawn until it does; "
            f"the path is relative to the project folder)")


@dataclass
class ImageFinding:
    """An image that keeps a booklet from the press (`booklet build --final` lists them)."""
    who: str           # where the image is asked for: file, line, name
    src: str
    problem: str       # 'missing' (a placeholder frame is drawn instead) or 'low' (under MIN_DPI)
    message: str


def check_images(project: Path, content: Content, errors: list[str], honourees_file: str = "content/honourees.yaml",
                 placed: dict[str, tuple[float, float]] | None = None,
                 findings: list[ImageFinding] | None = None) -> list[str]:
    """Warnings about the booklet's images (errors for damaged ones go to *errors*).

    *placed*: the size in mm each kind of image is placed at (width, height),
    for the effective resolution; see render.geometry. *findings*, if given,
    receives the placeholders and the images too coarse for print.
    """
    placed = placed or {}
    findings = findings if findings is not None else []
    warnings: list[str] = []
    later: list[str] = []
    wanted: list[tuple[Source, str, str]] = []  # (source, kind, who)
    for h in content.honourees:
        if not h.testimonial:
            continue
        who = f"{honourees_file}, line {h.line_of('portrait') if h.portrait else h.line} ({h.name})"
        source = locate(project, portrait_src(project, h))
        if source.problem and h.portrait:
            warnings.append(f"{who}: {unusable(source, 'portrait')}")
        elif source.problem:
            later.append(f"{who}: image {source.src} {PLACEHOLDER_DRAWN}")
        if source.problem:
            findings.append(ImageFinding(who, source.src, "missing", (warnings + later)[-1]))
        else:
            wanted.append((source, "portrait", who))
    for u in content.units:
        for b in u.blocks:
            if b.kind == "figure":
                who = f"{u.path.relative_to(project)}, line {b.line}"
                source = locate(project, b.src)
                if source.problem:
                    warnings.append(f"{who}: {unusable(source, 'photo')}")
                    findings.append(ImageFinding(who, source.src, "missing", warnings[-1]))
                else:
                    wanted.append((source, "photo", who))
    cover = next((f"images/cover{ext}" for ext in IMAGE_EXTS if (project / "images" / f"cover{ext}").is_file()), "")
    if cover:
        # The cover photo is placed by the cover layout when it is there; a damaged one would vanish.
        wanted.append((locate(project, cover), "cover", "the cover photo"))
    for source, kind, who in wanted:
        src, path = source.src, source.path
        fmt = sniff(path)
        if fmt is None:
            errors.append(f"{who}: {src} is not a JPEG, PNG, GIF, WEBP or TIFF image")
            continue
        try:
            w, h = pixel_size(path)
        except Exception as exc:  # Pillow raises many types for corrupt files
            errors.append(f"{who}: {src} is a damaged {fmt} file ({exc})")
            continue
        if kind not in placed:
            continue
        mw, mh = placed[kind]
        if kind == "photo":
            # A photo is never cropped: its frame takes the picture's proportions
            # within the column width and the tallest frame the design allows.
            mw = min(mw, mh * w / h)
            dpi = w / (mw / 25.4)
            mh = mw * h / w
        else:
            # object-fit: cover scales to fill the frame: the limiting side sets the dpi.
            dpi = min(w / (mw / 25.4), h / (mh / 25.4))
        if dpi < MIN_DPI:
            warnings.append(f"{who}: {src} is {w}×{h} px, only {dpi:.0f} dpi at its placed size "
                            f"({mw:.0f}×{mh:.0f} mm); print needs {MIN_DPI}")
            findings.append(ImageFinding(who, src, "low", warnings[-1]))
    return warnings + later
