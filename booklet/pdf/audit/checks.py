"""The checks: justification, line-start/line-end rules, lone characters,
stranded lines, overflow, text over text. Each appends :class:`Issue` values."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from .vocabulary import Issue, NO_LINE_END, NO_LINE_START, Rect, UNSPLITTABLE, _TRAILING_PUNCT
from .model import _ASCENT, _Block, _DESCENT, _Line, _MIN_MEASURE_EM, _Page, _same_band
from .lines import _LEADER_RE


def _issue(line: _Line, kind: str, detail: str, value: float | None = None) -> Issue:
    return Issue(line.page, line.index, kind, detail, line.snippet, None if value is None else round(value, 2))


def _check_edges(line: _Line, out: list[Issue]) -> None:
    text = line.text.replace(" ", "")
    if not text:
        return
    if _LEADER_RE.fullmatch(text):
        return  # a contents leader split off its entry at the gap before it, not a line of its own
    first, last = text[0], text[-1]
    if first in NO_LINE_START:
        out.append(_issue(line, "forbidden-start", f"line starts with {first!r}"))
    elif first in UNSPLITTABLE and text[1:2] != first:
        out.append(_issue(line, "forbidden-start", f"line starts with a lone {first!r} (a split {first * 2} pair)"))
    if last in NO_LINE_END:
        out.append(_issue(line, "forbidden-end", f"line ends with {last!r}"))


def _check_vertical(stack: list[_Line], out: list[Issue]) -> None:
    first, last = stack[0].glyphs[0].text, stack[-1].glyphs[-1].text
    if first in NO_LINE_START:
        out.append(_issue(stack[0], "forbidden-start", f"vertical line starts with {first!r}"))
    if last in NO_LINE_END:
        out.append(_issue(stack[-1], "forbidden-end", f"vertical line ends with {last!r}"))


def _right_edge(x1s: list[float], tol: float) -> tuple[float, int]:
    """The right edge most lines reach: value with most others within tol,
    ties going to the larger (a short line never defines the measure)."""
    best, support = x1s[0], 0
    for v in x1s:
        n = sum(1 for w in x1s if abs(w - v) <= tol)
        if n > support or (n == support and v > best):
            best, support = v, n
    return best, support


def _title_boxes(stacks: list[list[_Line]]) -> list[Rect]:
    """The boxes of the page's vertical titles: the columns of one title
    (stacks side by side, less than a glyph apart) make one box, reaching
    half a glyph below its last glyph (a float's margin keeps text off)."""
    boxes: list[list[float]] = []
    for st in sorted(stacks, key=lambda st: min(l.x0 for l in st)):
        size = max(l.size for l in st)
        x0, x1 = min(l.x0 for l in st), max(l.x1 for l in st)
        top = min(l.base - _ASCENT * l.size for l in st)
        bottom = max(l.base + _DESCENT * l.size for l in st) + 0.5 * size
        for b in boxes:
            if x0 - b[2] < size and top < b[3] and b[1] < bottom:
                b[:] = [min(b[0], x0), min(b[1], top), max(b[2], x1), max(b[3], bottom)]
                break
        else:
            boxes.append([x0, top, x1, bottom])
    return [tuple(b) for b in boxes]


def _beside(line: _Line, boxes: list[Rect]) -> Rect | None:
    """The vertical title a line stops short of, on its height: text set
    round a floated title ends at the float's edge, not the column's."""
    top, bottom = line.base - _ASCENT * line.size, line.base + _DESCENT * line.size
    near = [b for b in boxes if b[0] >= line.x1 - 0.5 and top < b[3] and b[1] < bottom]
    return min(near, key=lambda b: b[0], default=None)


def _check_justify(page: _Page, tolerance: float, out: list[Issue],
                   boxes: list[Rect] = ()) -> int:
    """Non-final lines of justified blocks must end at the right edge.

    Blocks are grouped by left edge and size on the page so a two-line
    paragraph borrows the measure of its neighbours.  The right edge is the
    one most non-final lines reach; a group (or a block with three or more
    candidates, judged alone) counts as justified when at least half its
    non-final lines reach it -- a poem or ragged-right block does not.
    With frames, a measure within 1em of the frame's right edge is snapped
    to that edge, so a column that is not a whole number of em shows up.
    Lines beside a vertical title (*boxes*) are measured against the edge
    the lines beside that title reach, the others against the column's.
    """
    groups: dict[tuple, list[_Block]] = defaultdict(list)
    for b in sorted(page.blocks, key=lambda b: b.x0):
        if b.centred:
            continue
        key = None
        for k in groups:
            if k[0] == b.lines[0].frame and _same_band(k[1], b.size) and abs(k[2] - b.x0) <= 1.0:
                key = k
                break
        groups[key or (b.lines[0].frame, b.size, b.x0)].append(b)

    checked = 0
    for (frame, size, _), blocks in groups.items():
        cands = [l for b in blocks for l in b.lines if not l.final]
        if not cands:
            continue
        shape_tol = max(tolerance, 0.15 * size)
        beside = {id(l): _beside(l, boxes) for l in cands}
        plain = [l for l in cands if beside[id(l)] is None] or cands
        right, support = _right_edge([l.x1 for l in plain], shape_tol)
        edges = {box: _right_edge([l.x1 for l in cands if beside[id(l)] == box], shape_tol)[0]
                 for box in set(beside.values()) if box is not None}
        if right - min(b.x0 for b in blocks) < _MIN_MEASURE_EM * size:
            continue  # a list of names or labels, not justified prose
        group_ok = support >= 0.5 * len(cands) and (support >= 2 or frame is not None or len(cands) == 1)
        shape = right
        if frame is not None and page.frames:
            fx1 = page.frames[frame][2]
            if abs(right - fx1) <= size:
                right = fx1
        for b in blocks:
            mine = [l for l in b.lines if not l.final]
            if len(mine) >= 3:
                ok = sum(1 for l in mine if abs(l.x1 - edges.get(beside[id(l)], shape)) <= shape_tol) >= 0.5 * len(mine)
            else:
                ok = group_ok
            if not ok:
                continue
            for l in mine:
                checked += 1
                edge = edges.get(beside[id(l)], right)
                short = edge - l.x1
                if abs(short) > tolerance:
                    how = "short of" if short > 0 else "past"
                    out.append(_issue(l, "justify", f"ends {abs(short):.1f} pt {how} the right edge {edge:.1f}", short))
    return checked


def _check_lone(page: _Page, out: list[Issue]) -> None:
    for b in page.blocks:
        if b.centred:
            continue
        for l in b.lines:
            if l.final and not l.start:
                core = l.text.replace(" ", "").rstrip("".join(_TRAILING_PUNCT))
                if len(core) == 1 and core not in NO_LINE_END:
                    out.append(_issue(l, "lone-char", f"paragraph ends with a lone {core!r}"))


def _check_stranded(page: _Page, out: list[Issue]) -> None:
    for b in page.blocks:
        if b.cont_out and b.lines[-1].start:
            out.append(_issue(b.lines[-1], "orphan", "paragraph's first line alone at the column bottom"))
        if b.cont_in and b.lines[0].final:
            out.append(_issue(b.lines[0], "widow", "paragraph's last line alone at the column top"))


def _check_overflow(page: _Page, tolerance: float, out: list[Issue]) -> None:
    """Glyphs outside the trim box; body glyphs outside their frame/area.

    Horizontal extents are the glyph advances; vertical ones the ideographic
    em box around the baseline.  Running heads live in the margins by
    design, so they are only held to the trim box.
    """
    tx0, ttop, tx1, tbot = page.trim
    for l in page.lines:
        boxes = [("trim box", page.trim)]
        if l.role != "running":
            if page.frames:
                if l.frame is not None:
                    boxes.append(("frame", page.frames[l.frame]))
                else:
                    boxes.append(("frame", _nearest(page.frames, l)))
            elif page.area:
                boxes.append(("text area", page.area))
        for name, (x0, top, x1, bot) in boxes:
            worst = max(x0 - l.x0, l.x1 - x1, top - l.top, l.bottom - bot)
            if worst > tolerance:
                n = sum(
                    1 for g in l.glyphs
                    if g.x0 < x0 - tolerance or g.x1 > x1 + tolerance
                    or g.base - _ASCENT * g.size < top - tolerance or g.base + _DESCENT * g.size > bot + tolerance
                )
                out.append(_issue(l, "overflow", f"{n} glyph(s) outside the {name} by up to {worst:.1f} pt", worst))
                break
    if page.strays:
        worst = max(max(tx0 - g.x0, g.x1 - tx1) for g in page.strays)
        outside = [g for g in page.strays if g.x0 < tx0 - tolerance or g.x1 > tx1 + tolerance]
        if outside:
            text = "".join(g.text for g in outside)[:24]
            out.append(Issue(page.number, 0, "overflow", f"{len(outside)} rotated glyph(s) outside the trim box", text, round(worst, 2)))


def _nearest(frames: list[Rect], l: _Line) -> Rect:
    cx, cy = (l.x0 + l.x1) / 2, (l.top + l.bottom) / 2

    def dist(r: Rect) -> float:
        dx = max(r[0] - cx, 0, cx - r[2])
        dy = max(r[1] - cy, 0, cy - r[3])
        return dx * dx + dy * dy

    return min(frames, key=dist)




#: Share of the smaller glyph's em box another glyph may cover before it is
#: drawn over it: neighbours in a line only touch, lines only meet.
_OVERLAP_SHARE = 0.3


def _check_overlap(page: _Page, out: list[Issue]) -> None:
    """Text drawn over text: a floated title over the column beside it, a
    label over its note, a line of one frame over another's.

    Each letter's ideographic em box (advance × size around the baseline) is
    compared with its neighbour in its line and with the letters of every
    line whose box meets its line's (lines of one column only touch, so
    the glyph-by-glyph work is left for the few that cross); punctuation,
    symbols and spaces are left out, since clreq's punctuation compression
    sets a mark inside the box of its neighbour on purpose. One issue per
    pair of lines.
    """
    rows = []
    for l in page.lines:
        boxes = sorted((g.x0, g.x1, g.base - _ASCENT * g.size, g.base + _DESCENT * g.size, g) for g in l.glyphs
                       if not g.space and unicodedata.category(g.text[0])[0] not in "PSZC")
        if boxes:
            rows.append((l, boxes, (min(b[0] for b in boxes), max(b[1] for b in boxes),
                                    min(b[2] for b in boxes), max(b[3] for b in boxes))))
    found: dict[tuple[int, int], list] = {}

    def over(a, b) -> bool:
        w = min(a[1], b[1]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[2], b[2])
        if w <= 0 or h <= 0:
            return False
        return w * h > _OVERLAP_SHARE * min((a[1] - a[0]) * (a[3] - a[2]), (b[1] - b[0]) * (b[3] - b[2]))

    for l, boxes, _ in rows:
        for a, b in zip(boxes, boxes[1:]):
            if over(a, b):
                found.setdefault((l.index, l.index), [l, l, []])[2].append(a[4].text + b[4].text)
    for i, (l, boxes, box) in enumerate(rows):
        for m, others, other in rows[i + 1:]:
            if box[0] >= other[1] or other[0] >= box[1] or box[2] >= other[3] or other[2] >= box[3]:
                continue
            first, second = sorted((l, m), key=lambda line: line.index)
            for a in boxes:
                for b in others:
                    if over(a, b):
                        found.setdefault((first.index, second.index), [first, second, []])[2].append(a[4].text + b[4].text)
    for _, (first, second, pairs) in sorted(found.items()):
        where = "itself" if first is second else f"line {second.index} 「{second.snippet}」"
        out.append(_issue(first, "overlap", f"{len(pairs)} glyph(s) drawn over {where}: {' '.join(pairs[:4])}"))
