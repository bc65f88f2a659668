"""Lay out page groups in worker processes, each writing its own PDFs.

A worker is a forked copy of the build process with its own WeasyPrint
font configuration and image cache, kept for the pool's life. It receives
a group's HTML (only that group's parts, numbered from the group's first
page, with a closing element that forces the next group's side so the blank
pages between them come out as a one-piece layout makes them), lays it out,
and returns what the build needs of the pages (counts, where parts start,
fingerprints, overflow report, warnings) and the group's PDFs
(chunkpdf.py). Pages never leave the worker.

Which groups exist and where they start comes from a plan (the previous
build's, kept in output/): the results are checked against it, and any
difference (a group with another page count, a part that would not start
a fresh page by its own style) makes the caller lay out in one piece.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FORCED = {"page", "left", "right", "recto", "verso"}


@dataclass
class GroupTask:
    html: str
    project: str
    first_page: int               # booklet page number of the group's first page
    parts: tuple[str, ...]
    blanks_after: int             # blank pages the plan has between this group and the next
    variants: tuple[str, ...]     # PDF variants to write (digital, and print when it differs)
    known_fonts: frozenset


@dataclass
class GroupResult:
    pages: int                    # the group's own pages (blank pages after it not counted)
    blanks_after: int
    starts: dict[str, int]
    break_before: str             # the first part's own break-before (a forced break or not)
    fingerprints: list[str]
    overflows: list[str]
    warnings: list[str]
    pieces: dict = field(default_factory=dict)   # variant → ChunkPDF


def closing_break(side: str) -> str:
    """An element after the group's parts that starts the next group's side."""
    return f'<div class="booklet-next-group" style="break-before: {side}"></div>'


_STATE: dict = {}


def _first_break(page, parts) -> str:
    stack = [page._page_box]
    while stack:
        box = stack.pop(0)
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", "") == "section" and element.get("id") in parts:
            return str(box.style["break_before"])
        stack[:0] = list(getattr(box, "children", []) or [])
    return "auto"


def lay_out_group(task: GroupTask) -> GroupResult:
    """In a worker: lay out one group and write its PDFs."""
    from weasyprint.text.fonts import FontConfiguration

    from ..render import incremental
    from ..render.document import overflow_report, page_fingerprints, render_document
    from .chunkpdf import write_chunk

    if "fonts" not in _STATE:
        _STATE["fonts"], _STATE["images"] = FontConfiguration(), {}
    doc, warnings = render_document(task.html, Path(task.project), font_config=_STATE["fonts"],
                                    image_cache=_STATE["images"])
    pages = list(doc.pages)
    own = len(pages)
    if "booklet-next-group" in task.html:       # the closing element's page is not the booklet's
        pages = pages[:-1]
        own = len(pages)
        while own and pages[own - 1]._page_box.page_type.blank:
            own -= 1
    starts = incremental.part_starts(pages[:own], task.first_page, set(task.parts))
    result = GroupResult(own, len(pages) - own, starts, _first_break(pages[0], task.parts),
                         page_fingerprints(pages), overflow_report(doc, first_number=task.first_page, pages=pages),
                         warnings)
    for variant in task.variants:
        result.pieces[variant] = write_chunk(doc, pages, variant, set(task.known_fonts))
    return result


def run(tasks: list[GroupTask], workers: int, weights: list[int]) -> list[GroupResult]:
    """Lay out *tasks* on *workers* processes, the heaviest first; results in task order."""
    context = multiprocessing.get_context("fork")
    order = sorted(range(len(tasks)), key=lambda i: -weights[i])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {i: pool.submit(lay_out_group, tasks[i]) for i in order}
        return [futures[i].result() for i in range(len(tasks))]
