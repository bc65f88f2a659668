"""Saddle-stitch imposition: printer's spreads from reader's pages.

A saddle-stitched booklet of N pages (N a multiple of 4) is printed on N/4
sheets, each folded once; sheet k carries on its front side pages
(N-2k, 2k+1) and on its back side (2k+2, N-2k-1) (1-based), so that the
folded, nested sheets read 1, 2, …, N:

    8 pages → (8,1) (2,7) (6,3) (4,5)

`impose_saddle` places each pair side by side, trim box against trim box,
on a page twice the trim width, each page clipped to its own trim box
(bleed and marks are dropped; a printer who wants bleed on the imposed
sheet imposes the print edition in their own workflow).
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from ..errors import BookletError


def spread_order(n: int) -> list[tuple[int, int]]:
    """Page pairs (left, right), 1-based, for the sheet sides of an *n*-page
    saddle-stitched booklet; *n* must be a positive multiple of 4."""
    if n <= 0 or n % 4:
        raise ValueError(f"a saddle-stitched booklet needs a multiple of 4 pages, not {n}")
    pairs = []
    for k in range(n // 4):
        pairs.append((n - 2 * k, 2 * k + 1))        # front of sheet k
        pairs.append((2 * k + 2, n - 2 * k - 1))    # back of sheet k
    return pairs


def _box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    arr = page.obj.get("/TrimBox") or page.obj.get("/CropBox") or page.obj.MediaBox
    x0, y0, x1, y1 = (float(v) for v in arr)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _n(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def impose_saddle(pdf_path_or_bytes) -> bytes:
    """Imposed PDF (one page per sheet side) from a booklet PDF (path or bytes).

    Page counts that are not a multiple of 4 get blank pages before the back
    cover, as the print edition does.
    """
    from .editions import _insert_blanks

    if isinstance(pdf_path_or_bytes, (bytes, bytearray)):
        source = io.BytesIO(pdf_path_or_bytes)
    else:
        source = Path(pdf_path_or_bytes)
        if not source.is_file():
            raise BookletError(f"{source} does not exist")
    where = str(source) if isinstance(source, Path) else None
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PdfError as exc:
        detail = str(exc).removeprefix(f"{source}: ") if where else str(exc)
        raise BookletError(f"this is not a readable PDF ({detail})", where=where,
                           hint="give the print PDF that 'booklet build' wrote to output/") from None
    with pdf:
        if len(pdf.pages) == 0:
            raise BookletError("the PDF has no pages", where=where)
        _insert_blanks(pdf, 4)
        n = len(pdf.pages)
        boxes = [_box(p) for p in pdf.pages]
        w = max(b[2] - b[0] for b in boxes)
        h = max(b[3] - b[1] for b in boxes)
        forms = []
        for page, box in zip(pdf.pages, boxes):
            # A form XObject of the page, clipped (BBox) to its trim box.
            form = page.as_form_xobject()
            form.BBox = pikepdf.Array([round(v, 4) for v in box])
            forms.append(form)
        sheets = []
        for left, right in spread_order(n):
            xobjects = pikepdf.Dictionary()
            ops = []
            for slot, number in enumerate((left, right)):
                x0, y0, x1, y1 = boxes[number - 1]
                name = f"/P{number}"
                xobjects[name] = forms[number - 1]
                dx = slot * w - x0
                dy = -y0
                ops.append(f"q {_n(slot * w)} 0 {_n(x1 - x0)} {_n(y1 - y0)} re W n "
                           f"1 0 0 1 {_n(dx)} {_n(dy)} cm {name} Do Q")
            sheet = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=pikepdf.Array([0, 0, round(2 * w, 4), round(h, 4)]),
                Resources=pikepdf.Dictionary(XObject=xobjects),
                Contents=pdf.make_stream(("\n".join(ops) + "\n").encode()),
            )
            sheet.CropBox = pikepdf.Array(list(sheet.MediaBox))
            sheet.TrimBox = pikepdf.Array(list(sheet.MediaBox))
            sheet.BleedBox = pikepdf.Array(list(sheet.MediaBox))
            sheets.append(pikepdf.Page(pdf.make_indirect(sheet)))
        for _ in range(n):
            del pdf.pages[0]
        for sheet in sheets:
            pdf.pages.append(sheet)
        # Reader's navigation points at pages that no longer exist.
        for key in ("/Outlines", "/OpenAction", "/PageLabels", "/StructTreeRoot", "/PageMode"):
            if key in pdf.Root:
                del pdf.Root[key]
        names = pdf.Root.get("/Names")
        if names is not None and "/Dests" in names:
            del names["/Dests"]
        pdf.Root.PageLayout = pikepdf.Name.SinglePage
        if "/ID" in pdf.trailer:
            del pdf.trailer["/ID"]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()
