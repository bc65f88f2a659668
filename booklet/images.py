"""Image checks: missing, unreadable, wrong type, too low resolution.

A missing portrait is drawn as a placeholder frame (so a booklet can be
proofed before the photos arrive) but listed; a corrupt or wrong-type file
is an error because it would silently vanish from the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    from PIL import Image
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        return im.size


@dataclass
class ImageFinding:
    who: str           # where the image is asked for: file, line, name
    src: str
    problem: str       # 'missing', 'low' (under MIN_DPI), 'damaged', 'not-an-image'
    message: str


def image_findings(project: Path, content: Content, honourees_file: str = "content/honourees.yaml") -> list[ImageFinding]:
    """Every image the booklet asks for that is missing, unreadable or too coarse for print."""
    from .render.templates import ImageLookup
    found: list[ImageFinding] = []
    lookup = ImageLookup(project)
    wanted: list[tuple[str, str, str]] = []  # (src, kind, who)
    for h in content.honourees:
        if h.testimonial:
            wanted.append((lookup.portrait(h), "portrait", f"{honourees_file}, line {h.line} ({h.name})"))
    for u in content.units:
        for b in u.blocks:
            if b.kind == "figure":
                wanted.append((b.src, "photo", f"{u.path.relative_to(project)}, line {b.line}"))
    for src, kind, who in wanted:
        path = project / src
        if not path.is_file():
            found.append(ImageFinding(who, src, "missing", f"{who}: image {src} is missing (a placeholder frame is drawn)"))
            continue
        fmt = sniff(path)
        if fmt is None:
            found.append(ImageFinding(who, src, "not-an-image", f"{who}: {src} is not a JPEG, PNG, GIF, WEBP or TIFF image"))
            continue
        try:
            w, h = pixel_size(path)
        except Exception as exc:  # Pillow raises many types for corrupt files
            found.append(ImageFinding(who, src, "damaged", f"{who}: {src} is a damaged {fmt} file ({exc})"))
            continue
        mw, mh = PLACED_MM[kind]
        # object-fit: cover scales to fill the frame: the limiting side sets the dpi.
        dpi = min(w / (mw / 25.4), h / (mh / 25.4)) if kind != "photo" else w / (mw / 25.4)
        if dpi < MIN_DPI:
            found.append(ImageFinding(who, src, "low", f"{who}: {src} is {w}×{h} px, only {dpi:.0f} dpi at its placed "
                                                       f"size ({mw:g}×{mh:g} mm); print needs {MIN_DPI}"))
    return found


def check_images(project: Path, content: Content, errors: list[str], honourees_file: str = "content/honourees.yaml") -> list[str]:
    """Warnings for missing and coarse images; unreadable ones are appended to *errors*."""
    warnings: list[str] = []
    for f in image_findings(project, content, honourees_file):
        (errors if f.problem in ("damaged", "not-an-image") else warnings).append(f.message)
    return warnings
