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
* ``lone-char``        last line of a paragraph holds a single character (孤字)
* ``orphan``           first line of a paragraph alone at a column/page bottom
* ``widow``            last line of a paragraph alone at a column/page top

Only the first four make :func:`cli_audit` fail: they are wrong by the
rules; the last three are taste warnings an editor may accept.

Coordinates are PDF points with the origin at the top-left, as pdfplumber
reports them.  ``frames`` and ``margins`` given by the caller are measured
from the top-left corner of the page's *trim box* (what CSS ``@page`` calls
the page), so a layout can pass its own box geometry without knowing about
bleed.
"""

from __future__ import annotations

import re

import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence, TextIO, Union

from booklet.errors import BookletError

# --------------------------------------------------------------------------
# Public vocabulary
# --------------------------------------------------------------------------

#: Every issue kind, in the order the summary table lists them.
KINDS: tuple[str, ...] = (
    "justify",
    "forbidden-start",
    "forbidden-end",
    "overflow",
    "lone-char",
    "orphan",
    "widow",
)

#: Kinds that make :func:`cli_audit` return 1.  They break clreq outright or
#: cut text at the trim; lone characters and stranded lines are warnings.
ERROR_KINDS: frozenset[str] = frozenset(
    {"justify", "forbidden-start", "forbidden-end", "overflow"}
)

# clreq 3.1.7 行首禁则: 点号, closing quotes/brackets/book-title marks,
# connectors, interpuncts, separators; plus small kana / iteration marks
# (jlreq) and the half-width closers a mixed line can carry.
NO_LINE_START: frozenset[str] = frozenset(
    "，。、；：？！）」』》〉】〕］｝〗〙〛”’·・‧･%‰℃°′″～〜–／"
    ",.;:?!)]}"
    "︐︑︒︓︔︕︖︘︶︸︺︼︾﹀﹂﹄﹈"  # vertical presentation forms (vertical titles)
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々ゝゞヽヾー"
)
# clreq 行尾禁则: opening quotes/brackets/book-title marks.
NO_LINE_END: frozenset[str] = frozenset("（「『《〈【〔［｛〖〘〚“‘([{" "︗︵︷︹︻︽︿﹁﹃﹇")
# 破折号/省略号 are two-em units that must not be split: a line that starts
# with a *single* one of these shows the pair was broken across lines.
UNSPLITTABLE: frozenset[str] = frozenset("…—―")
# What may trail the one real character of a lone last line ("字。" is lone).
_TRAILING_PUNCT = NO_LINE_START | UNSPLITTABLE

Rect = tuple[float, float, float, float]  # x0, top, x1, bottom (pt)
Margins = tuple[float, float, float, float]  # top, right, bottom, left (pt)
FramesArg = Union[None, Sequence[Rect], Mapping[int, Sequence[Rect]], Callable[[int], Sequence[Rect]]]
MarginsArg = Union[None, Margins, Mapping[int, Margins], Callable[[int], Margins]]


@dataclass
class Issue:
    """One problem on one line.

    ``page`` is 1-based; ``line`` is the 1-based position of the line among
    the page's text lines sorted top to bottom, then left to right (running
    heads and folios included, so the number matches what a reader counts).
    ``value`` carries the measurement behind the verdict where there is one:
    the shortfall in pt for ``justify`` (negative = line sticks out past the
    edge), the distance outside the frame in pt for ``overflow``.
    """

    page: int
    line: int
    kind: str
    detail: str
    text: str
    value: float | None = None


@dataclass
class AuditReport:
    """Everything :func:`audit_pdf` found, plus how much it looked at.

    The counters matter as much as the issues: an audit that checked zero
    justified lines says nothing about justification, and a test or CI job
    can assert it actually looked.
    """

    path: str
    pages: int = 0
    issues: list[Issue] = field(default_factory=list)
    lines_checked: int = 0
    justified_lines_checked: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Issues per kind, every known kind present (zero when clean)."""
        c = Counter(i.kind for i in self.issues)
        return {k: c.get(k, 0) for k in KINDS}

    @property
    def has_errors(self) -> bool:
        """True when an issue of an :data:`ERROR_KINDS` kind exists."""
        return any(i.kind in ERROR_KINDS for i in self.issues)

    def by_kind(self, kind: str) -> list[Issue]:
        """The issues of one kind, in page order."""
        return [i for i in self.issues if i.kind == kind]

    def summary_table(self) -> str:
        """Plain-text ``kind | count`` table, fixed width, ends with a total."""
        counts = self.counts
        width = max(len(k) for k in (*KINDS, "total"))
        rows = [f"{'kind':<{width}} | count", f"{'-' * width}-+------"]
        rows += [f"{k:<{width}} | {n:>5}" for k, n in counts.items()]
        rows.append(f"{'-' * width}-+------")
        rows.append(f"{'total':<{width}} | {sum(counts.values()):>5}")
        return "\n".join(rows)

    def to_dict(self) -> dict:
        """JSON-ready dict (for ``--json`` output or build manifests)."""
        return {
            "path": self.path,
            "pages": self.pages,
            "lines_checked": self.lines_checked,
            "justified_lines_checked": self.justified_lines_checked,
            "counts": self.counts,
            "issues": [asdict(i) for i in self.issues],
        }


# --------------------------------------------------------------------------
# Internal model
# --------------------------------------------------------------------------

# CJK fonts put the ideographic em box from 0.88 em above the baseline to
# 0.12 em below it.  Vertical overflow is judged on this box, not on the
# font's bbox, which pdfminer inflates differently for every font.
_ASCENT = 0.88
_DESCENT = 0.12
# A horizontal gap wider than this (in em of the line's size), not preceded
# by a space glyph, separates two columns/frames on the same baseline.
COLUMN_GAP_EM = 0.9
# A line starting this far (em) right of its block's left edge is a
# paragraph's first line (the 2em indent, but accept anything from ~0.6em).
_INDENT_EM = 0.6
# Consecutive lines further apart than this (em, baseline to baseline) are
# separate blocks: body leading is 1.5-2em; spaced lists (a roster with
# padded rows) are not paragraphs.
_MAX_LEADING_EM = 2.2
# Blocks narrower than this (em) are lists (names, labels), not prose, and
# are not held to justification.
_MIN_MEASURE_EM = 6.0
# A line may start at most this far (em) from the block's left edge and
# still belong to it; further right is a centred/right-aligned line.
_MAX_INDENT_EM = 4.0


class _Glyph:
    __slots__ = ("text", "x0", "x1", "base", "size", "space", "font")

    def __init__(self, text, x0, x1, base, size, font=""):
        self.text = text
        self.x0 = x0
        self.x1 = x1
        self.base = base
        self.size = size
        self.space = text.isspace()
        self.font = font  # the face's name, without the subset tag


class _Line:
    __slots__ = (
        "page", "index", "glyphs", "text", "x0", "x1", "base", "size",
        "role", "frame", "block", "start", "final", "decorated",
    )

    def __init__(self, page: int, glyphs: list[_Glyph]):
        ink = [g for g in glyphs if not g.space]
        self.page = page
        self.index = 0
        self.glyphs = ink
        self.text = _line_text(glyphs)
        self.x0 = min(g.x0 for g in ink)
        self.x1 = max(g.x1 for g in ink)
        sizes = Counter(round(g.size, 1) for g in ink)
        self.size = sizes.most_common(1)[0][0]
        bases = sorted(g.base for g in ink if abs(g.size - self.size) < 0.15)
        self.base = bases[len(bases) // 2] if bases else ink[0].base
        self.role = "body"  # body | running | vertical
        self.frame: int | None = None
        self.block: _Block | None = None
        self.start = True
        self.final = True
        self.decorated = False  # carries merged superscripts: taller line box

    @property
    def top(self) -> float:
        return min(g.base - _ASCENT * g.size for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.base + _DESCENT * g.size for g in self.glyphs)

    @property
    def snippet(self) -> str:
        return self.text if len(self.text) <= 24 else self.text[:23] + "…"


class _Block:
    """Consecutive lines sharing size, left extent and a regular leading."""

    __slots__ = ("page", "lines", "step", "left", "cont_in", "cont_out", "centred")

    def __init__(self, page: int, line: _Line):
        self.page = page
        self.lines = [line]
        self.step: float | None = None
        self.left = line.x0
        self.cont_in = False
        self.cont_out = False
        self.centred = False

    @property
    def size(self) -> float:
        return self.lines[0].size

    @property
    def x0(self) -> float:
        return min(l.x0 for l in self.lines)

    @property
    def x1(self) -> float:
        return max(l.x1 for l in self.lines)

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom


class _Page:
    __slots__ = ("number", "trim", "lines", "strays", "frames", "area", "blocks")

    def __init__(self, number, trim, lines, strays):
        self.number = number
        self.trim: Rect = trim
        self.lines: list[_Line] = lines
        self.strays: list[_Glyph] = strays  # rotated glyphs: overflow only
        self.frames: list[Rect] = []
        self.area: Rect | None = None  # text area from margins
        self.blocks: list[_Block] = []


def _line_text(glyphs: list[_Glyph]) -> str:
    out: list[str] = []
    for g in glyphs:
        if g.space:
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(g.text)
    return "".join(out).strip()


def _core(text: str) -> str:
    """The text minus spaces, leading openers and trailing punctuation."""
    return text.replace(" ", "").lstrip("".join(NO_LINE_END)).rstrip("".join(_TRAILING_PUNCT))


def _one_cell(text: str) -> bool:
    """One character (plus clinging punctuation), or a tate-chu-yoko pair
    of Latin letters/digits ("24" in 11月24日): one cell of a vertical line."""
    core = _core(text)
    return len(core) <= 1 or (len(core) == 2 and core.isascii() and core.isalnum())


def _same_band(a: float, b: float) -> bool:
    """Same font-size band: within 10% (inline bold/fallback fonts wobble)."""
    return abs(a - b) <= max(0.3, 0.1 * max(a, b))


# --------------------------------------------------------------------------
# Extraction: glyphs -> lines
# --------------------------------------------------------------------------


def _glyphs_of(page) -> tuple[list[_Glyph], list[_Glyph]]:
    """Upright glyphs with baselines, and rotated ones (checked for overflow).

    The baseline is taken from the text matrix: chars of different fonts on
    one line share it exactly, while their pdfminer boxes differ by each
    font's descent.
    """
    upright: list[_Glyph] = []
    rotated: list[_Glyph] = []
    for c in page.chars:
        text = c.get("text") or ""
        size = float(c.get("size") or 0.0)
        if not text or size <= 0:
            continue
        m = c.get("matrix")
        top, bottom = float(c["top"]), float(c["bottom"])
        font = str(c.get("fontname") or "").split("+")[-1]
        if m is not None and abs(m[1]) < 1e-6 and abs(m[2]) < 1e-6 and m[3] > 0:
            base = top + (float(c["y1"]) - float(m[5]))
            upright.append(_Glyph(text, float(c["x0"]), float(c["x1"]), base, size, font))
        else:
            g = _Glyph(text, float(c["x0"]), float(c["x1"]), bottom - _DESCENT * size, size, font)
            (upright if c.get("upright", True) else rotated).append(g)
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


# --------------------------------------------------------------------------
# Classification: running heads, vertical stacks, blocks
# --------------------------------------------------------------------------


def _body_leading(pages: list[_Page], body_size: float) -> float:
    """The document's body leading: the commonest baseline step between
    vertically adjacent, horizontally overlapping body-size lines."""
    steps: Counter = Counter()
    for page in pages:
        ordered = sorted((l for l in page.lines if abs(l.size - body_size) <= 0.3), key=lambda l: l.base)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:i + 4]:
                d = b.base - a.base
                if 0.9 * body_size < d <= _MAX_LEADING_EM * body_size and min(a.x1, b.x1) > max(a.x0, b.x0):
                    steps[round(d * 2) / 2] += 1
                    break
    return steps.most_common(1)[0][0] if steps else 1.5 * body_size


def _mark_running(page: _Page, body_size: float, lead: float, margins: Margins | None) -> None:
    """Running heads and folios: lines wholly in the top/bottom band.

    The band is the caller's margin or, without one, 12% of the trim
    height.  A line there counts as a running element only if it is
    isolated (its gap to the text block is wider than the document's body
    line gap plus half an em: text that overflows into the margin keeps the
    leading) and small or short (a folio, a running title), so a body line
    pushed into the margin is still reported.
    """
    x0, top, x1, bottom = page.trim
    h = bottom - top
    if margins:
        band_top, band_bot = top + margins[0], bottom - margins[2]
    else:
        band_top, band_bot = top + 0.12 * h, bottom - 0.12 * h
    lines = page.lines
    need_gap = max(1.0 * body_size, (lead - body_size) + 0.5 * body_size)
    for l in lines:
        in_top = l.bottom <= band_top + 0.5
        in_bot = l.top >= band_bot - 0.5
        if not (in_top or in_bot):
            continue
        others = [o for o in lines if o is not l and not (o.bottom <= band_top + 0.5 or o.top >= band_bot - 0.5)]
        if in_top:
            gap = min((o.top - l.bottom for o in others if o.top >= l.bottom - 0.1), default=float("inf"))
        else:
            gap = min((l.top - o.bottom for o in others if o.bottom <= l.top + 0.1), default=float("inf"))
        small = l.size <= 0.95 * body_size
        short = (l.x1 - l.x0) <= 0.6 * (x1 - x0)
        if gap >= need_gap and (small or short):
            l.role = "running"


def _mark_vertical(page: _Page) -> list[list[_Line]]:
    """Stacks of one-character lines at the same x: a vertical title column.

    WeasyPrint 70 has no vertical writing mode, so booklets set vertical
    titles as one character per line in a 1em-wide box (line breaking may
    keep a bracket with its neighbour: "《纪", "念》").  Such a stack is
    one vertical line, not a paragraph of one-character lines: it is exempt
    from justification and lone-character checks, and only its first and
    last glyph are checked against the line-start/line-end rules.
    """
    singles = sorted(
        (l for l in page.lines if l.role == "body" and len(l.glyphs) <= 3 and _one_cell(l.text)),
        key=lambda l: l.base,
    )
    body = [l for l in page.lines if l.role == "body"]
    stacks: list[list[_Line]] = []
    used: set[int] = set()
    for k, l in enumerate(singles):
        if id(l) in used:
            continue
        chain = [l]
        for m in singles[k + 1:]:
            last = chain[-1]
            if id(m) in used or m.base <= last.base:
                continue
            step = m.base - last.base
            if step > 2.5 * last.size:
                break
            left = abs(m.x0 - last.x0) <= 1.0
            centred = abs((m.x0 + m.x1) - (last.x0 + last.x1)) <= 2.0
            if (left or centred) and step >= 0.8 * last.size and _same_band(m.size, last.size):
                between = any(
                    last.base < o.base < m.base and o.x0 < last.x1 and o.x1 > last.x0 for o in body
                )
                if not between:
                    chain.append(m)
        if len(chain) >= 2:
            for m in chain:
                m.role = "vertical"
                used.add(id(m))
            stacks.append(chain)
    return stacks


def _build_blocks(page: _Page) -> None:
    """Chain body lines into blocks: same size band, regular leading,
    horizontally overlapping, left edges within a few em of each other.

    A paragraph gap, a change of leading or size, or a line starting far
    from the block's left edge (a centred heading, a right-aligned
    signature) starts a new block.  Consecutive paragraphs set with a
    first-line indent and no spacing stay in one block; the indent tells
    them apart later.
    """
    body = sorted((l for l in page.lines if l.role == "body"), key=lambda l: (l.base, l.x0))
    blocks: list[_Block] = []
    for line in body:
        best, best_step = None, None
        for b in blocks:
            last = b.lines[-1]
            step = line.base - last.base
            size = line.size
            if step <= 0.5 * size or step > _MAX_LEADING_EM * size or not _same_band(size, b.size):
                continue
            # a superscript makes its line box taller: allow an extra em
            slack = max(1.0, 0.2 * size) + (size if line.decorated or last.decorated else 0.0)
            if b.step is not None and abs(step - b.step) > slack:
                continue
            if line.frame != last.frame:
                continue
            if not (b.left - _MAX_INDENT_EM * size <= line.x0 <= b.left + _MAX_INDENT_EM * size):
                continue
            bx0, bx1 = b.x0, b.x1
            overlap = min(bx1, line.x1) - max(bx0, line.x0)
            if overlap < 0.5 * min(bx1 - bx0, line.x1 - line.x0):
                continue
            if best is None or step < best_step:
                best, best_step = b, step
        if best is None:
            b = _Block(page.number, line)
            blocks.append(b)
        else:
            b = best
            if b.step is None and not (line.decorated or b.lines[-1].decorated):
                b.step = best_step
            b.lines.append(line)
            b.left = min(b.left, line.x0)
        line.block = b
    for b in blocks:
        if len(b.lines) >= 2:
            mids = [(l.x0 + l.x1) / 2 for l in b.lines]
            lefts = [l.x0 for l in b.lines]
            b.centred = max(mids) - min(mids) <= 1.0 and max(lefts) - min(lefts) > 0.5 * b.size
    page.blocks = blocks


def _indented(line: _Line, left: float) -> bool:
    return line.x0 - left >= _INDENT_EM * line.size


def _ends_by_design(line: _Line, nxt: _Line) -> bool:
    """A line that closes its paragraph though the next line is not
    indented, as a contents page sets them: an entry's last line ends in
    its leader and page number (flush by the leader, not by justification),
    and a heading set wholly in another face than the line after it (a
    section's name above its entries) is a paragraph of its own."""
    text = line.text.replace(" ", "")
    if _ENTRY_END_RE.search(text):
        return True
    faces = {g.font for g in line.glyphs if g.font}
    return bool(faces) and not faces & {g.font for g in nxt.glyphs}


def _link_pages(pages: list[_Page]) -> None:
    """Find paragraphs that run on from one column/page to the next.

    A block ends a column if its last line is the page's lowest text line
    (ignoring smaller text such as footnotes) and nothing of its size or
    larger sits below it; a block starts a column if its first line is the
    page's highest text line and nothing sits above it.  Columns are read
    left to right, then the next page.  :func:`_continues` decides whether
    the paragraph actually runs on.
    """
    bottoms: list[list[_Block]] = []
    tops: list[list[_Block]] = []
    for page in pages:
        body = [l for l in page.lines if l.role == "body"]
        blocks = page.blocks

        def lowest(size: float) -> float:
            return max(l.bottom for l in body if l.size >= 0.9 * size)

        def highest(size: float) -> float:
            return min(l.top for l in body if l.size >= 0.9 * size)

        bot = [
            b for b in blocks
            if b.bottom >= lowest(b.size) - 0.5 * b.size
            and not any(o is not b and o.top > b.bottom - 0.1 and o.size >= 0.95 * b.size
                        and min(o.x1, b.x1) - max(o.x0, b.x0) > 0 for o in blocks)
        ]
        top = [
            b for b in blocks
            if b.top <= highest(b.size) + 0.5 * b.size
            and not any(o is not b and o.bottom < b.top + 0.1 and min(o.x1, b.x1) - max(o.x0, b.x0) > 0
                        for o in blocks)
        ]
        bottoms.append(sorted(bot, key=lambda b: b.x0))
        tops.append(sorted(top, key=lambda b: b.x0))

    for pi, page in enumerate(pages):
        for b in bottoms[pi]:
            right = [c for c in tops[pi] if c.x0 >= b.x1 - 1.0]
            if right:
                c, cpage = right[0], page
            elif pi + 1 < len(pages) and tops[pi + 1]:
                c, cpage = tops[pi + 1][0], pages[pi + 1]
            else:
                continue
            if c is b or c.cont_in:
                continue
            if _continues(page, b, cpage, c):
                b.cont_out = True
                c.cont_in = True


def _continues(bpage: _Page, b: _Block, cpage: _Page, c: _Block) -> bool:
    """Same size (tight) and measure, the top block's first line not
    indented, the bottom line not a paragraph end (short and closed by
    sentence-final punctuation), and two single lines are too little to
    go on.  With frames, the lines must also touch the frame bottom/top."""
    size = b.size
    if abs(size - c.size) > max(0.3, 0.03 * size) or max(len(b.lines), len(c.lines)) < 2:
        return False
    if b.lines[-1].role != "body" or c.lines[0].role != "body":
        return False
    wb, wc = b.x1 - b.x0, c.x1 - c.x0
    if len(b.lines) >= 2 and len(c.lines) >= 2:
        if abs(wb - wc) > 1.0 * size:
            return False
    elif len(b.lines) >= 2 and (c.x1 - c.x0) > wb + size:
        return False
    elif len(c.lines) >= 2 and not wc - 3 * size <= (b.x1 - b.x0) <= wc + size:
        # one line that runs on fills the measure (less a first-line indent);
        # a short one beside a wider column (a roster's name beside the
        # units) is a row of a list, not the start of a paragraph
        return False
    # c's first line must not be a paragraph start
    cleft = _block_left(cpage, c)
    if cleft is None:
        tb, tc = bpage.trim[0], cpage.trim[0]
        if abs((c.lines[0].x0 - tc) - (b.x0 - tb)) >= _INDENT_EM * size:
            return False
    elif _indented(c.lines[0], cleft):
        return False
    last = b.lines[-1]
    measure = max(wb, wc)
    bleft = b.x0
    if last.x1 - bleft < measure - size and last.text[-1:] in "。！？…」』”）.!?":
        return False
    for page, line, at_bottom in ((bpage, last, True), (cpage, c.lines[0], False)):
        if page.frames and line.frame is not None:
            fx0, ftop, fx1, fbot = page.frames[line.frame]
            lead = b.step or c.step or 1.5 * size
            if at_bottom and fbot - line.bottom > 1.5 * lead:
                return False
            if not at_bottom and line.top - ftop > 1.5 * lead:
                return False
    return True


def _block_left(page: _Page, block: _Block) -> float | None:
    """Left edge of a block's measure; None when one line cannot tell."""
    if len(block.lines) >= 2:
        return block.x0
    if page.frames and block.lines[0].frame is not None:
        return page.frames[block.lines[0].frame][0]
    peers = [
        b.x0 for b in page.blocks
        if b is not block and len(b.lines) >= 2 and abs(b.size - block.size) <= 0.3
        and min(b.x1, block.x1) - max(b.x0, block.x0) > 0
    ]
    return min(peers) if peers else None


def _mark_paragraphs(page: _Page) -> None:
    """Flag each line as paragraph start and/or final line.

    Start: first line of a block not continued from the previous column,
    a line indented relative to the block, or the line after one that ends
    its paragraph by its make-up (:func:`_ends_by_design`).  Final:
    followed by a start, or the block's last line when the block does not
    run on.
    """
    for b in page.blocks:
        left = _block_left(page, b)
        if left is None:
            left = b.x0
        n = len(b.lines)
        for i, l in enumerate(b.lines):
            l.start = (_indented(l, left) or (i == 0 and not b.cont_in)
                       or (i > 0 and _ends_by_design(b.lines[i - 1], l)))
        for i, l in enumerate(b.lines):
            l.final = b.lines[i + 1].start if i + 1 < n else not b.cont_out


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def audit_pdf(
    path: str | Path,
    *,
    frames: FramesArg = None,
    margins: MarginsArg = None,
    tolerance: float = 0.5,
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

    Only ``page.chars`` is read (no layout analysis), and pages are released
    as soon as their glyphs are copied, so cost is linear in page count.
    """
    import pdfplumber  # heavy import; only the audit needs it

    path = Path(path)
    if not path.is_file():
        raise BookletError("PDF not found", where=str(path), hint="build the booklet first, or check the path")
    report = AuditReport(path=str(path))
    pages: list[_Page] = []
    sizes: Counter = Counter()
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types
        raise BookletError(f"cannot read PDF ({exc})", where=str(path)) from exc
    with pdf:
        for pno, p in enumerate(pdf.pages, start=1):
            trim = tuple(float(v) for v in getattr(p, "trimbox", None) or p.mediabox)
            page_frames = [
                (trim[0] + f[0], trim[1] + f[1], trim[0] + f[2], trim[1] + f[3])
                for f in _rects(_resolve(frames, pno))
            ]
            upright, rotated = _glyphs_of(p)
            p.close()
            lines = _lines_of(pno, upright, page_frames)
            page = _Page(pno, trim, lines, rotated)
            page.frames = page_frames
            m = _resolve(margins, pno)
            if m:
                page.area = (trim[0] + m[3], trim[1] + m[0], trim[2] - m[1], trim[3] - m[2])
            for l in lines:
                sizes[l.size] += len(l.glyphs)
                if page_frames:
                    l.frame = _frame_of((l.x0 + l.x1) / 2, l.base - 0.38 * l.size, page_frames)
            pages.append(page)
    report.pages = len(pages)
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
