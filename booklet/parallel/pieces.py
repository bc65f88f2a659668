"""A page group's PDF for each edition, made on its own, and the editions merged from them.

Most of what makes an edition out of WeasyPrint's PDF is done page by page:
the digital edition's PDF/UA repairs, cut to the trim and downsampled
images; the print edition's colours and images in inks. So it is done on
each page group's PDF (chunkpdf.py) where the group is drawn: in a worker
process, side by side with the other groups, or, in `booklet watch`, once
for a group whose pages did not change and then kept (an edited group's
print pages after the digital PDF is out). What is left for the
whole booklet (merge, blank pages, page boxes and marks, font subsets and
their tags, metadata, one save) is a small, fixed cost; for a one-word edit
the digital edition is the merge of groups that are ready but one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf

from ..pdf.colour import ColourReport
from ..pdf.editions import DigitalReport, digital_pages, finish_digital, finish_print, print_pages
from ..pdf.merge import merge_pdf
from .chunkpdf import ChunkPDF


@dataclass
class GroupPDFs:
    """One page group: its PDF as written, and as each edition's pages."""
    chunk: ChunkPDF
    first_page: int                   # the booklet's number of its first page
    digital: bytes                    # the group's pages in the digital edition
    digital_report: DigitalReport
    printed: bytes | None = None      # and in the print edition (None: not made yet, see with_print)
    colour: ColourReport | None = None
    _open: dict = field(default_factory=dict, repr=False, compare=False)

    def with_print(self, policy) -> "GroupPDFs":
        """Make the print edition's pages if they are not made yet (`booklet
        watch` draws an edited group after the digital PDF is out)."""
        if self.printed is None:
            with pikepdf.open(io.BytesIO(self.chunk.pdf)) as printed:
                self.colour = print_pages(printed, policy, first_page=self.first_page)
                self.printed = _saved(printed)
        return self

    def source(self, edition: str) -> pikepdf.Pdf:
        """The edition's pages as an open PDF for the merge (opened once, then kept)."""
        if edition not in self._open:
            data = self.digital if edition == "digital" else self.printed
            self._open[edition] = pikepdf.open(io.BytesIO(data))
        return self._open[edition]

    def close(self) -> None:
        for pdf in self._open.values():
            pdf.close()
        self._open.clear()

    def __getstate__(self):          # workers send bytes; open PDFs stay where they were opened
        state = dict(self.__dict__)
        state["_open"] = {}
        return state


def edition_pages(chunk: ChunkPDF, cfg, policy, first_page: int, *, printed: bool = True) -> GroupPDFs:
    """Both editions' page work on one group's PDF (*first_page*: the booklet's
    number of its first page); with *printed* False, the print edition's is
    left for `GroupPDFs.with_print`.

    The results are saved (streams the work rewrote get compressed), whether
    they go back from a worker or stay in this process: the merged editions
    then have the same bytes however their groups were made."""
    with pikepdf.open(io.BytesIO(chunk.pdf)) as digital:
        report = digital_pages(digital, cfg, first_page=first_page, read_words=False)
        digital_data = _saved(digital)
    group = GroupPDFs(chunk, first_page, digital_data, report)
    return group.with_print(policy) if printed else group


def _saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
             recompress_flate=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def digital_edition(groups: list[GroupPDFs], font_files: dict, cfg) -> tuple[bytes, DigitalReport]:
    """The digital edition merged from the groups' digital pages."""
    out, version = merge_pdf([g.chunk for g in groups], font_files, [g.source("digital") for g in groups])
    report, offset = DigitalReport(), 0
    for group in groups:
        report.add(group.digital_report, offset)
        offset += len(group.chunk.pages)
    with out:
        return finish_digital(out, cfg, report, version), report


def print_edition(groups: list[GroupPDFs], font_files: dict, cfg, policy):
    """The print edition merged from the groups' pages in inks: (bytes, PrintReport)."""
    groups = [g.with_print(policy) for g in groups]
    out, version = merge_pdf([g.chunk for g in groups], font_files, [g.source("print") for g in groups])
    colour = ColourReport()
    for group in groups:
        colour.add(group.colour)
    with out:
        return finish_print(out, cfg, colour, version, policy=policy)
