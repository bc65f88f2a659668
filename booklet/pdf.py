"""PDF post-processing shared by the print and digital editions.

WeasyPrint lays the booklet out once; both editions are derived from that
one rendering so they can never disagree on page breaks: the print file
keeps bleed and gets blank pages for saddle stitching, the digital file is
cropped to the trim box.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf


@dataclass
class PadResult:
    data: bytes
    inserted: int
    pages: int


def pad_pages(data: bytes, multiple: int) -> PadResult:
    """Insert blank pages before the back cover so the count is a multiple.

    A designer puts the spare pages just before the back cover (where they
    can serve as notes pages), never inside an article.
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        n = len(pdf.pages)
        need = (-n) % multiple if multiple > 1 else 0
        if need:
            last = pdf.pages[-1]
            for _ in range(need):
                blank = pikepdf.Dictionary(Type=pikepdf.Name.Page, Contents=pdf.make_stream(b""),
                                           Resources=pikepdf.Dictionary())
                for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox"):
                    if box in last.obj:
                        blank[box] = last.obj[box]
                pdf.pages.insert(len(pdf.pages) - 1, pikepdf.Page(blank))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return PadResult(out.getvalue(), need, n + need)


def crop_to_trim(data: bytes) -> bytes:
    """The digital edition: show only the trimmed page (no bleed, no marks)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            trim = page.obj.get("/TrimBox")
            if trim is not None:
                page.obj["/MediaBox"] = trim
                page.obj["/CropBox"] = trim
                if "/BleedBox" in page.obj:
                    del page.obj["/BleedBox"]
        pdf.Root.PageLayout = pikepdf.Name.TwoPageRight
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
