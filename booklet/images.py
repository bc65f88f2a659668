"""Image checks: missing, unreadable, wrong type, too low resolution.

A missing portrait is drawn as a placeholder frame (so a booklet can be
proofed before the photos arrive) but listed; a corrupt or wrong-type file
is an error because it would silently vanish from the PDF.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .content import Content

# Placed sizes in mm (see layouts/booklet.css): used for effective dpi.
PLACED_MM = {"portrait": (54.0, 72.0), "photo": (171.0, 95.0), "cover": (100.0, 150.0)}
MIN_DPI = 300

_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF8": "GIF",
    b"RIFF": "WEBP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


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


def check_images(project: Path, content: Content, errors: list[str], honourees_file: str = "content/honourees.yaml") -> list[str]:
    from .render.templates import ImageLookup, cover_photo
    warnings: list[str] = []
    lookup = ImageLookup(project)
    wanted: list[tuple[str, str, str]] = []  # (src, kind, who)
    for h in content.honourees:
        if h.testimonial:
            wanted.append((lookup.portrait(h), "portrait", f"{honourees_file}, line {h.line} ({h.name})"))
    for u in content.units:
        for b in u.blocks:
            if b.kind == "figure":
                wanted.append((b.src, "photo", f"{u.path.relative_to(project)}, line {b.line}"))
    cover = cover_photo(project)
    if cover:
        wanted.append((cover, "cover", "the cover photo"))
    for src, kind, who in wanted:
        path = project / src
        if not path.resolve().is_relative_to(project.resolve()):
            errors.append(f"{who}: image {src} is outside the project folder; copy it into images/ and name it from there")
            continue
        if not path.is_file():
            warnings.append(f"{who}: image {src} is missing (a placeholder frame is drawn)")
            continue
        fmt = sniff(path)
        if fmt is None:
            errors.append(f"{who}: {src} is not a JPEG, PNG, GIF, WEBP or TIFF image")
            continue
        try:
            w, h = pixel_size(path)
        except Exception as exc:  # Pillow raises many types for corrupt files
            errors.append(f"{who}: {src} is a damaged {fmt} file ({exc})")
            continue
        mw, mh = PLACED_MM[kind]
        # object-fit: cover scales to fill the frame: the limiting side sets the dpi.
        dpi = min(w / (mw / 25.4), h / (mh / 25.4)) if kind != "photo" else w / (mw / 25.4)
        if dpi < MIN_DPI:
            warnings.append(f"{who}: {src} is {w}×{h} px, only {dpi:.0f} dpi at its placed size ({mw:g}×{mh:g} mm); print needs {MIN_DPI}")
    return warnings
