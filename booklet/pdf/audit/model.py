"""What the audit measures: glyphs, lines, blocks and pages read from a PDF,
and the thresholds (in em) that tell them apart."""

from __future__ import annotations

from collections import Counter

from .vocabulary import NO_LINE_END, Rect, _TRAILING_PUNCT


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


