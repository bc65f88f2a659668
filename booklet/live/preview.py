"""PNG previews of pages and a contact sheet, so an editor can check the
booklet without a PDF viewer (uses poppler's pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import BookletError


def _pdftoppm() -> str:
    exe = shutil.which("pdftoppm")
    if not exe:
        raise BookletError("pdftoppm is not installed", hint="run ./setup.sh (it installs poppler-utils)")
    return exe


def render_pages(pdf: Path, out_dir: Path, pages: list[int] | None = None, dpi: int = 60) -> list[Path]:
    """Write out_dir/page-NNN.png for the given 1-based pages (all when None)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exe = _pdftoppm()
    written = []
    if pages is None:
        _run([exe, "-r", str(dpi), "-png", str(pdf), str(out_dir / "page")], pdf)
        for p in sorted(out_dir.glob("page-*.png")):
            n = int(p.stem.split("-")[1])
            target = out_dir / f"page-{n:03d}.png"
            if p != target:
                p.replace(target)
            written.append(target)
        return written
    for n in pages:
        tmp = out_dir / f".tmp-{n}"
        _run([exe, "-r", str(dpi), "-png", "-singlefile", "-f", str(n), "-l", str(n), str(pdf), str(tmp)], pdf, n)
        target = out_dir / f"page-{n:03d}.png"
        Path(f"{tmp}.png").replace(target)
        written.append(target)
    return written


def _run(args: list[str], pdf: Path, page: int | None = None) -> None:
    """pdftoppm, its complaint turned into one message."""
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode:
        said = (proc.stderr or proc.stdout).strip().splitlines()
        raise BookletError(f"pdftoppm could not render {f'page {page} of ' if page else ''}{pdf.name}"
                           + (f": {said[-1]}" if said else f" (exit status {proc.returncode})"))


def contact_sheet(images: list[Path], target: Path, columns: int = 8) -> Path:
    """Facing pages side by side: page 1 alone on the right, then pairs."""
    from PIL import Image
    if not images:
        raise BookletError("no pages to put on a contact sheet")
    ims = [Image.open(p) for p in images]
    w, h = ims[0].size
    gap = max(4, w // 30)
    slots = [None] + ims  # page 1 is a right-hand page
    rows = -(-len(slots) // columns)
    sheet = Image.new("RGB", (columns * w + (columns // 2 + 1) * gap, rows * (h + gap) + gap), (120, 120, 120))
    for i, im in enumerate(slots):
        if im is None:
            continue
        col, row = i % columns, i // columns
        x = gap + col * w + (col // 2) * gap
        sheet.paste(im, (x, gap + row * (h + gap)))
    sheet.save(target)
    for im in ims:
        im.close()
    return target
