"""The print edition as the press sees it: one image per ink (plate).

Ghostscript's `tiffsep` device renders a page to one greyscale TIFF per
separation (0 = full ink, 255 = none), which shows what no RGB preview can:
whether body text sits on the black plate alone, where the accent's three
inks overlap, whether a grey is a tint of black. Used by
`booklet preview --plates PAGE` and by the tests; the build never needs it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BookletError

PLATES = ("Cyan", "Magenta", "Yellow", "Black")
INK_RGB = {"Cyan": (0, 160, 227), "Magenta": (228, 0, 124), "Yellow": (255, 237, 0), "Black": (30, 30, 30)}


def render_plates(pdf: Path, page: int, dpi: int = 100) -> dict:
    """{plate name: Pillow 'L' image of ink coverage (255 = full ink)} for one page (1-based)."""
    from PIL import Image, ImageOps
    gs = shutil.which("gs")
    if gs is None:
        raise BookletError("Ghostscript (gs) is needed to render separations",
                           hint="run the set-up command from README.md (it installs the Debian package ghostscript)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "p.tif"
        proc = subprocess.run([gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=tiffsep", f"-r{dpi}",
                               f"-dFirstPage={page}", f"-dLastPage={page}", f"-sOutputFile={out}", str(pdf)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise BookletError(f"Ghostscript could not render page {page} of {pdf.name}: "
                               f"{(proc.stderr or proc.stdout).strip()[:300]}")
        plates = {}
        for name in PLATES:
            path = Path(tmp) / f"p({name}).tif"
            if not path.is_file():
                raise BookletError(f"page {page} of {pdf.name} gave no {name} plate", hint="is it a CMYK PDF page?")
            with Image.open(path) as im:
                plates[name] = ImageOps.invert(im.convert("L"))
        return plates


def plates_preview(pdf: Path, page: int, out: Path, dpi: int = 60, plates=PLATES) -> Path:
    """A PNG of the page's plates side by side, each inked in its own colour, named below."""
    from PIL import Image, ImageDraw

    from .. import fsutil
    images = render_plates(pdf, page, dpi)
    w, h = images[plates[0]].size
    gap, label = 12, 18
    sheet = Image.new("RGB", (len(plates) * w + (len(plates) + 1) * gap, h + 2 * gap + label), "white")
    draw = ImageDraw.Draw(sheet)
    for i, name in enumerate(plates):
        ink = Image.new("RGB", (w, h), INK_RGB[name])
        plate = Image.composite(ink, Image.new("RGB", (w, h), "white"), images[name])
        x = gap + i * (w + gap)
        sheet.paste(plate, (x, gap))
        draw.rectangle((x - 1, gap - 1, x + w, gap + h), outline=(180, 180, 180))
        draw.text((x, gap + h + 4), f"{name} plate, page {page}", fill=(0, 0, 0))
    import io
    buf = io.BytesIO()
    sheet.save(buf, "PNG", optimize=True)
    fsutil.write_bytes(out, buf.getvalue())
    return out
