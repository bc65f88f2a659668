"""Lay out page groups in worker processes, each writing its own PDFs.

A worker is a forked copy of the build process with its own WeasyPrint
font configuration and image cache, kept for the pool's life. It receives
a run of consecutive chunks (incremental.py) as one HTML document (only
their parts, numbered from the run's first page, with a closing element
that forces the next run's side so the blank pages between them come out
as a one-piece layout makes them), lays it out, and returns what the build
needs of the pages (counts, where parts start, fingerprints, overflow
report, warnings) and, per chunk, its PDF (chunkpdf.py), cut as `booklet
watch` cuts them so both give the same bytes, with both editions' page work
done on it (pieces.py). Pages never leave the worker. Runs of a few chunks
rather than single chunks: each document costs a stylesheet cascade and a
PDF writer of its own.

Without a plan (a project's first build) the booklet is laid out in one
piece in the build process, and `draw_groups` forks workers that inherit
the laid-out pages and draw the groups side by side.

Which groups exist and where they start comes from a plan (the previous
build's, kept in output/): the results are checked against it, and any
difference (a group with another page count, a part that would not start
a fresh page by its own style) makes the caller lay out in one piece.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path

FORCED = {"page", "left", "right", "recto", "verso"}


@dataclass
class GroupTask:
    html: str
    project: str
    first_page: int               # booklet page number of the run's first page
    parts: tuple[str, ...]
    slices: list[int]             # pages of each chunk's PDF, as the plan has them (blank pages after it included)
    variant: str                  # the PDF variant WeasyPrint writes
    known_fonts: frozenset
    cfg: object                   # the booklet's Config and ColourPolicy, for the editions' page work
    policy: object
    pieces: list = field(default_factory=list)   # (part id, first child, end child or None, marks): parts cut (split.py)


@dataclass
class GroupResult:
    pages: int                    # pages laid out (the closing element's page left out)
    blank: list[bool]             # per page: a blank page made by a forced break
    starts: dict[str, int]
    break_before: str             # the first part's own break-before (a forced break or not)
    fingerprints: list[str]
    overflows: list[str]
    warnings: list[str]
    groups: list = field(default_factory=list)   # pieces.GroupPDFs per slice
    cpu: float = 0.0              # CPU seconds the worker spent on it (for the benchmark)
    child_breaks: dict = field(default_factory=dict)   # part id → split.child_breaks of a part cut


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

    from ..render import incremental, split
    from ..render.document import overflow_report, page_fingerprints, render_document
    import time
    started = time.process_time()
    if "fonts" not in _STATE:
        _STATE["fonts"], _STATE["images"] = FontConfiguration(), {}
    marks: set = set()

    def show_pieces(root):
        for section, lo, hi, keep in task.pieces:
            marks.update(split.hide(root, section, lo, hi, keep))

    doc, warnings = render_document(task.html, Path(task.project), font_config=_STATE["fonts"],
                                    image_cache=_STATE["images"], prepare=show_pieces if task.pieces else None)
    pages = list(doc.pages)
    if marks:
        split.drop_marks(pages[0], marks)
    if "booklet-next-group" in task.html:       # the closing element's page is not the booklet's
        pages = pages[:-1]
    starts = incremental.part_starts(pages, task.first_page, set(task.parts))
    result = GroupResult(len(pages), [p._page_box.page_type.blank for p in pages], starts,
                         _first_break(pages[0], task.parts), page_fingerprints(pages),
                         overflow_report(doc, first_number=task.first_page, pages=pages), warnings)
    result.child_breaks = {section: split.child_breaks(pages, task.first_page, section)
                           for section, _, _, _ in task.pieces}
    if len(pages) != sum(task.slices):
        return result                           # not the plan's pages: the caller lays out in one piece
    at = 0
    for size in task.slices:
        result.groups.append(_draw(doc, pages[at:at + size], task.first_page + at, task.variant, task.known_fonts,
                                   task.cfg, task.policy))
        at += size
    result.cpu = time.process_time() - started
    return result


def _draw(doc, pages, first_page: int, variant: str, known_fonts, cfg, policy, printed: bool = True):
    """One group's PDF (chunkpdf.py) and both editions' pages of it (pieces.py;
    the print edition's later if not *printed*)."""
    from .chunkpdf import write_chunk
    from .pieces import edition_pages
    return edition_pages(write_chunk(doc, pages, variant, set(known_fonts)), cfg, policy, first_page, printed=printed)


def draw_groups(doc, groups: list[list], first_pages: list[int], variant: str, known_fonts, cfg, policy,
                workers: int) -> list:
    """Draw page groups of a document laid out in this process (pieces.GroupPDFs
    each, in order): in forked workers, which inherit the pages, when there
    are several groups and workers, else here (the print edition's pages
    then wait until that edition is made: the digital PDF comes first)."""
    if workers < 2 or len(groups) < 2:
        return [_draw(doc, pages, first, variant, known_fonts, cfg, policy, printed=False)
                for pages, first in zip(groups, first_pages)]
    _STATE["draw"] = (doc, groups, first_pages, variant, known_fonts, cfg, policy)
    try:
        order = sorted(range(len(groups)), key=lambda i: -len(groups[i]))
        with Forked(workers) as pool:
            pending = {i: pool.apply_async(_draw_at, (i,)) for i in order}
            return [pending[i].get() for i in range(len(groups))]
    finally:
        del _STATE["draw"]


def _draw_at(index: int):
    """In a worker: draw group *index* of the document draw_groups() was given."""
    doc, groups, first_pages, variant, known_fonts, cfg, policy = _STATE["draw"]
    return _draw(doc, groups[index], first_pages[index], variant, known_fonts, cfg, policy)


def critical_path(seconds: list[float], workers: int) -> float:
    """The longest worker's share when tasks of *seconds* go, heaviest first,
    to whichever of *workers* is free first (how run() hands them out)."""
    loads = [0.0] * max(1, workers)
    for s in sorted(seconds, reverse=True):
        loads[loads.index(min(loads))] += s
    return max(loads)


def runs(weights: list[int], count: int) -> list[tuple[int, int]]:
    """Cut items of *weights* into at most *count* runs of consecutive items of
    about equal weight; returns (start, end) index pairs. A run ends before
    an item that would take it further past its share than it falls short."""
    count = max(1, min(count, len(weights)))
    total = sum(weights) or 1
    cuts, done, start = [], 0, 0
    for i, w in enumerate(weights):
        left = count - len(cuts) - 1                 # runs still to make after this one
        target = total * (len(cuts) + 1) / count
        if left and i > start and done + w - target > target - done and len(weights) - i >= left:
            cuts.append((start, i))
            start = i
            left -= 1
            target = total * (len(cuts) + 1) / count
        done += w
        if left and done >= target and len(weights) - i - 1 >= left:
            cuts.append((start, i + 1))
            start = i + 1
    cuts.append((start, len(weights)))
    return cuts


def run(tasks: list[GroupTask], workers: int, weights: list[int], font_config=None) -> list[GroupResult]:
    """Lay out *tasks* on *workers* processes, the heaviest first; results in task order.

    *font_config*, made in this process before the workers fork, is shared
    with them: registering a CJK face with fontconfig (it reads every
    glyph's coverage) is done once instead of once per worker.
    """
    if font_config is not None:
        _STATE["fonts"], _STATE["images"] = font_config, {}
    order = sorted(range(len(tasks)), key=lambda i: -weights[i])
    with Forked(workers) as pool:
        pending = {i: pool.apply_async(lay_out_group, (tasks[i],)) for i in order}
        return [pending[i].get() for i in range(len(tasks))]


class Forked:
    """Worker processes forked from this one, ended at once when done.

    They share what this process has loaded (modules, fonts) copy-on-write;
    the objects alive at the fork are frozen out of the workers' garbage
    collection, which would otherwise walk (and so copy) them all; and the
    workers are killed when the results are in, rather than left to free a
    few hundred megabytes of objects one by one on their way out.
    """

    def __init__(self, workers: int):
        self.workers = workers

    def __enter__(self):
        import gc
        gc.freeze()
        try:
            self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        finally:
            gc.unfreeze()
        return self.pool

    def __exit__(self, *exc):
        self.pool.terminate()
        self.pool.join()
        return False
