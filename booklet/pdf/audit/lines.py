"""Extraction: a page's glyphs into lines, cut at column gutters and frame
borders, multi-column vertical titles into their cells."""

from __future__ import annotations

import re
from collections import Counter
from typing import Mapping

from .vocabulary import Rect
from .model import COLUMN_GAP_EM, _DESCENT, _Glyph, _Line, _line_text, _same_band


def _glyphs_of(page) -> tuple[list[_Glyph], list[_Glyph]]:
    """Upright glyphs with baselines, and rotated ones (checked for overflow).

    The baseline is taken from the text matrix: chars of different fonts on
    one line share it exactly, while their pdfminer boxes differ by each
    font's descent.

    The chars are read from pdfminer's layout of the page, placed as
    pdfplumber places its ``page.chars`` (top-left origin, mediabox offset);
    pdfplumber's own objects would be made for every char, path and image
    with all their attributes, a third of the audit's time, to be read here
    for five of them.
    """
    from pdfminer.layout import LTChar, LTContainer
    height = float(page.height)
    mb_x0, mb_top = (float(v) for v in page.mediabox[:2])
    upright: list[_Glyph] = []
    rotated: list[_Glyph] = []
    stack = [iter(page.layout._objs)]
    while stack:
        obj = next(stack[-1], None)
        if obj is None:
            stack.pop()
            continue
        if isinstance(obj, LTContainer):
            stack.append(iter(obj._objs))
            continue
        if not isinstance(obj, LTChar):
            continue
        text = obj.get_text() or ""
        size = float(obj.size or 0.0)
        if not text or size <= 0:
            continue
        m = obj.matrix
        top, bottom = height - obj.y1 + mb_top, height - obj.y0 + mb_top
        x0, x1 = obj.x0 + mb_x0, obj.x1 + mb_x0
        fontname = obj.fontname
        if isinstance(fontname, bytes):
            fontname = fontname.decode("latin-1")
        font = str(fontname or "").split("+")[-1]
        if m is not None and abs(m[1]) < 1e-6 and abs(m[2]) < 1e-6 and m[3] > 0:
            base = top + (float(obj.y1) - float(m[5]))
            upright.append(_Glyph(text, float(x0), float(x1), base, size, font))
        else:
            g = _Glyph(text, float(x0), float(x1), bottom - _DESCENT * size, size, font)
            (upright if obj.upright else rotated).append(g)
    return upright, rotated


def _lines_of(number: int, glyphs: list[_Glyph], frames: list[Rect]) -> list[_Line]:
    """Group glyphs into text lines.

    Rows are glyphs sharing a baseline (within 0.15em, anchored on the row's
    first glyph so rows cannot drift).  A row is cut where a gap wider than
    COLUMN_GAP_EM opens without a space glyph before it (a column gutter),
    or where its glyphs fall into different caller frames.  Justified Latin
    stretches spaces, which keep their glyph, so a gap after a space is not
    a gutter.  Text letter-spaced by 1em or more ("宗　冰" in the roster) is
    cut into pieces too; the pieces are isolated single-line blocks, which
    no check can misjudge.  A contents entry is not cut before its leader
    (which starts on a grid of its own) or its author's name (set off by a
    gap): a gap of up to 3em with a leader still to come on the row, and
    none yet in the piece, is inside one entry.  Rows of a multi-column vertical title (a few
    one-character cells, stacked) are cut into their cells, also where
    other text shares their height (a photo frame's label beside a cover
    title puts rows between them).  Small raised rows (superscript note
    marks) are merged back into the line they sit on.
    """
    glyphs.sort(key=lambda g: (g.base, g.x0))
    rows: list[list[_Glyph]] = []
    anchor = None
    for g in glyphs:
        if anchor is not None and g.base - anchor <= max(0.6, 0.15 * g.size):
            rows[-1].append(g)
        else:
            rows.append([g])
            anchor = g.base
    infos = []  # (row, dominant size, baseline)
    for row in rows:
        row.sort(key=lambda g: g.x0)
        ink = [g for g in row if not g.space]
        if ink:
            size = Counter(round(g.size, 1) for g in ink).most_common(1)[0][0]
            infos.append((row, size, ink[0].base))

    cells_of = [_cells(row, size) or _larger_cells(row) for row, size, _ in infos]
    segments: list[list[_Glyph]] = []
    for i, (row, size, base) in enumerate(infos):
        cells = cells_of[i]
        if cells and _stacked(i, infos, cells_of):
            segments.extend(cells)
            taken = {id(g) for c in cells for g in c}
            row = [g for g in row if id(g) not in taken]   # text beside the title, on its height
            if all(g.space for g in row):
                continue
        seg: list[_Glyph] = []
        reach: float | None = None  # right end of the segment's ink so far
        prev_space = False
        frame = None
        leaders = _leader_starts(row)
        last_leader = max(leaders, default=-1)
        in_entry = False  # the piece so far has a leader: its entry is complete
        for k, g in enumerate(row):
            gframe = _frame_of((g.x0 + g.x1) / 2, g.base - 0.38 * g.size, frames) if frames else None
            if reach is not None and not g.space:
                gap = g.x0 - reach
                cut = gap > (6.0 if prev_space else COLUMN_GAP_EM) * size
                if cut and not in_entry and k <= last_leader and gap <= 3.0 * size:
                    cut = False
                if gframe is not None and frame is not None and gframe != frame:
                    cut = True
                if cut:
                    segments.append(seg)
                    seg, reach, frame, in_entry = [], None, None, False
            seg.append(g)
            in_entry = in_entry or k in leaders
            prev_space = g.space
            if not g.space:
                reach = g.x1 if reach is None else max(reach, g.x1)
                if gframe is not None:
                    frame = gframe
        segments.append(seg)

    lines = [_Line(number, s) for s in segments if any(not g.space for g in s)]
    return _merge_raised(lines)


def _stacked(i: int, infos: list, cells_of: list) -> bool:
    """Whether cell row *i* has a row of aligned cells above or below it,
    within 2.5em (of the cells' size); rows of other text at heights in
    between are passed over."""
    base, size = infos[i][2], max(g.size for c in cells_of[i] for g in c)
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(infos) and abs(infos[j][2] - base) <= 2.5 * size:
            if cells_of[j] and _aligned(cells_of[i], cells_of[j]):
                return True
            j += step
    return False


#: Glyphs a contents leader is made of.
LEADER_DOTS = frozenset("·.…・")
_DOTS = "[" + re.escape("".join(sorted(LEADER_DOTS))) + "]{3,}"
_LEADER_RE = re.compile(_DOTS + r"\d*")           # a leader (and page number) alone
_ENTRY_END_RE = re.compile(_DOTS + r"\d*$")       # a contents entry's last line


def _leader_starts(row: list[_Glyph]) -> set[int]:
    """Indices in a row (sorted by x) where a run of three or more leader
    dots starts: a contents leader."""
    starts: set[int] = set()
    k = 0
    while k < len(row):
        if row[k].text in LEADER_DOTS:
            j = k
            while j < len(row) and row[j].text in LEADER_DOTS:
                j += 1
            if j - k >= 3:
                starts.add(k)
            k = j
        else:
            k += 1
    return starts


def _cells(row: list[_Glyph], size: float) -> list[list[_Glyph]] | None:
    """Split a row into 2-4 cells of at most two glyphs separated by empty
    gaps of at least 0.2em (one row across a multi-column vertical title),
    or None when the row is ordinary text."""
    if any(g.space for g in row) or len(row) > 8:
        return None
    cells: list[list[_Glyph]] = [[row[0]]]
    for g in row[1:]:
        gap = g.x0 - max(c.x1 for c in cells[-1])
        if gap >= 0.2 * size:
            cells.append([g])
        elif gap > -0.5:
            cells[-1].append(g)
        else:
            return None
    if not 2 <= len(cells) <= 4 or any(len(c) > 2 for c in cells):
        return None
    return cells


def _larger_cells(row: list[_Glyph]) -> list[list[_Glyph]] | None:
    """The cells of a vertical title's row in a row it shares with smaller
    text on (nearly) the same baseline (a text line beside the title): the
    glyphs of the row's largest size, when they make cells."""
    ink = [g for g in row if not g.space]
    big = max((g.size for g in ink), default=0.0)
    larger = [g for g in ink if _same_band(g.size, big)]
    if not larger or len(larger) == len(ink):
        return None
    return _cells(larger, big)


def _aligned(a: list[list[_Glyph]], b: list[list[_Glyph]]) -> bool:
    """Two cell rows stacked as vertical columns: a cell centre in common."""
    ca = [(c[0].x0 + c[-1].x1) / 2 for c in a]
    cb = [(c[0].x0 + c[-1].x1) / 2 for c in b]
    return any(abs(x - y) <= 1.0 for x in ca for y in cb)


def _merge_raised(lines: list[_Line]) -> list[_Line]:
    """Fold superscript/subscript runs into the line they decorate."""
    if len(lines) < 2:
        return lines
    small = [l for l in lines if len(l.glyphs) <= 4]
    merged: set[int] = set()
    for s in small:
        for h in lines:
            if h is s or id(h) in merged or s.size > 0.95 * h.size:
                continue
            if abs(s.base - h.base) <= 0.6 * h.size and h.x0 - 0.5 * h.size <= s.x0 and s.x1 <= h.x1 + 1.5 * h.size:
                h.glyphs = sorted(h.glyphs + s.glyphs, key=lambda g: g.x0)
                h.text = _line_text(h.glyphs)
                h.x0 = min(h.x0, s.x0)
                h.x1 = max(h.x1, s.x1)
                h.decorated = True
                merged.add(id(s))
                break
    keep = [l for l in lines if id(l) not in merged]
    return keep


def _frame_of(x: float, y: float, frames: list[Rect]) -> int | None:
    for i, (fx0, ftop, fx1, fbot) in enumerate(frames):
        if fx0 <= x <= fx1 and ftop <= y <= fbot:
            return i
    return None


def _rects(value) -> list[Rect]:
    """Accept one rect or a sequence of rects."""
    if not value:
        return []
    if isinstance(value[0], (int, float)):
        return [tuple(value)]
    return [tuple(r) for r in value]


def _resolve(arg, number: int):
    if arg is None:
        return None
    if callable(arg):
        return arg(number)
    if isinstance(arg, Mapping):
        return arg.get(number)
    return arg


