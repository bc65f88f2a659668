"""Typography audit: read a finished PDF back and report clreq problems.

Why read the PDF instead of trusting the HTML/CSS?  Because the PDF is what
the printer gets.  WeasyPrint (70) does not stretch CJK text when justifying,
so a line shortened by a line-breaking rule (kinsoku), a Latin word or a
forced break stays short; a column that is not a whole number of em leaves
every line ragged; a stray absolutely-positioned glyph can leave the page.
None of that is visible in the source, all of it is visible in the glyph
positions.  This module re-derives lines, blocks and paragraphs from the
glyph boxes pdfplumber reports and checks them against the Chinese layout
requirements (W3C clreq) the booklet promises:

* ``justify``          non-final line of a justified paragraph not flush right
* ``forbidden-start``  line starts with closing punctuation, a dot, small kana...
* ``forbidden-end``    line ends with opening punctuation
* ``overflow``         glyph outside the trim box / text frame / text area
* ``overlap``          a letter drawn over another one (a title over its text)
* ``lone-char``        last line of a paragraph holds a single character (孤字)
* ``orphan``           first line of a paragraph alone at a column/page bottom
* ``widow``            last line of a paragraph alone at a column/page top

Only the first five make :func:`cli_audit` fail: they are wrong by the
rules; the last three are taste warnings an editor may accept.

Coordinates are PDF points with the origin at the top-left, as pdfplumber
reports them.  ``frames`` and ``margins`` given by the caller are measured
from the top-left corner of the page's *trim box* (what CSS ``@page`` calls
the page), so a layout can pass its own box geometry without knowing about
bleed.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from booklet.errors import BookletError

from .vocabulary import AuditReport, ERROR_KINDS, FramesArg, Issue, KINDS, MarginsArg, NO_LINE_END, NO_LINE_START, UNSPLITTABLE
from .model import _Line, _Page
from .lines import _frame_of, _lines_of, _rects, _resolve
from .reading import page_glyphs
from .structure import _body_leading, _build_blocks, _link_pages, _mark_paragraphs, _mark_running, _mark_vertical
from .checks import (_check_edges, _check_justify, _check_lone, _check_overflow, _check_overlap, _check_stranded,
                     _check_vertical, _title_boxes)

__all__ = ["AuditReport", "ERROR_KINDS", "Issue", "KINDS", "NO_LINE_END", "NO_LINE_START", "UNSPLITTABLE", "audit_pdf", "cli_audit"]


def audit_pdf(
    path: str | Path,
    *,
    frames: FramesArg = None,
    margins: MarginsArg = None,
    tolerance: float = 0.5,
    processes: int = 1,
    cache: Path | None = None,
) -> AuditReport:
    """Audit a PDF's typography and return every issue found.

    ``frames``: text frames in pt, ``(x0, top, x1, bottom)`` from the trim
    box's top-left corner -- one list for every page, a ``{page: [...]}``
    mapping (1-based; pages not in it get none), or ``f(page) -> [...]`` for
    mirrored layouts.  With frames, lines are split at frame borders, a
    glyph outside its frame is an overflow, and a column whose lines all
    stop short of the frame edge is reported (the CJK measure is not a whole
    number of em).  ``margins``: ``(top, right, bottom, left)`` in pt, same
    three forms; defines the text area (glyphs outside it, other than
    running heads/folios, are overflow) and the running-head bands.
    ``tolerance``: pt a line end or glyph may be off before it counts.
    ``processes``: pages are read (pdfminer: 85 % of the audit's time) in
    that many forked processes; ``cache``: a folder where each page's glyphs
    are kept by its content, so a page audited before is not read again
    (reading.py). The checks, some of which look across pages, run here on
    all pages, so the report is the same either way.

    Only ``page.chars`` is read (no layout analysis), and pages are released
    as soon as their glyphs are copied, so cost is linear in page count.
    """
    path = Path(path)
    if not path.is_file():
        raise BookletError("PDF not found", where=str(path), hint="build the booklet first, or check the path")
    report = AuditReport(path=str(path))
    pages: list[_Page] = []
    for pno, (trim, upright, rotated) in enumerate(page_glyphs(path, processes, cache), start=1):
        page_frames = [
            (trim[0] + f[0], trim[1] + f[1], trim[0] + f[2], trim[1] + f[3])
            for f in _rects(_resolve(frames, pno))
        ]
        lines = _lines_of(pno, upright, page_frames)
        page = _Page(pno, trim, lines, rotated)
        page.frames = page_frames
        m = _resolve(margins, pno)
        if m:
            page.area = (trim[0] + m[3], trim[1] + m[0], trim[2] - m[1], trim[3] - m[2])
        for l in lines:
            if page_frames:
                l.frame = _frame_of((l.x0 + l.x1) / 2, l.base - 0.38 * l.size, page_frames)
        pages.append(page)
    report.pages = len(pages)
    sizes: Counter = Counter()
    for page in pages:
        for l in page.lines:
            sizes[l.size] += len(l.glyphs)
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    lead = _body_leading(pages, body_size)

    issues: list[Issue] = []
    stacks_by_page: dict[int, list[list[_Line]]] = {}
    for page in pages:
        page.lines.sort(key=lambda l: (round(l.base, 1), l.x0))
        for i, l in enumerate(page.lines, start=1):
            l.index = i
        _mark_running(page, body_size, lead, _resolve(margins, page.number))
        stacks_by_page[page.number] = _mark_vertical(page)
        _build_blocks(page)
    _link_pages(pages)
    for page in pages:
        _mark_paragraphs(page)
        page_issues: list[Issue] = []
        for l in page.lines:
            if l.role == "body":
                report.lines_checked += 1
                _check_edges(l, page_issues)
        for stack in stacks_by_page[page.number]:
            report.lines_checked += len(stack)
            _check_vertical(stack, page_issues)
        report.justified_lines_checked += _check_justify(page, tolerance, page_issues,
                                                         _title_boxes(stacks_by_page[page.number]))
        _check_lone(page, page_issues)
        _check_stranded(page, page_issues)
        _check_overflow(page, tolerance, page_issues)
        _check_overlap(page, page_issues)
        page_issues.sort(key=lambda i: (i.line, KINDS.index(i.kind)))
        issues.extend(page_issues)
    report.issues = issues
    return report


def cli_audit(pdf_path: str | Path, *, out: TextIO | None = None, **options) -> int:
    """Print per-page issues and the summary table; return the exit code.

    1 when an :data:`ERROR_KINDS` issue exists (the PDF should not go to the
    printer as is), else 0.  ``options`` are passed to :func:`audit_pdf`.
    """
    out = out or sys.stdout
    report = audit_pdf(pdf_path, **options)
    current = None
    for issue in report.issues:
        if issue.page != current:
            current = issue.page
            print(f"page {issue.page}:", file=out)
        print(f"  line {issue.line:>3}  {issue.kind:<15} {issue.detail}  「{issue.text}」", file=out)
    print(
        f"{report.pages} page(s), {report.lines_checked} line(s) checked, "
        f"{report.justified_lines_checked} justified line(s) measured",
        file=out,
    )
    print(report.summary_table(), file=out)
    return 1 if report.has_errors else 0
