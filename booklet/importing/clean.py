"""Cleaning text pulled out of an old PDF.

Every rule is a small pure function over a *line model* that keeps source line
numbers, and every rule reports what it changed as :class:`Change` records
(rule, source line, before, after, uncertain, note) so the import report can
show each edit next to the raw text.

Line-level rules (``list[Line] -> (list[Line], list[Change])``), in pipeline
order (:data:`LINE_RULES`):

``undouble_faux_bold``      faux-bold runs the extractor emitted twice
``rebuild_vertical_titles`` titles printed one character per line
``drop_ornament_lines``     year-range ornaments such as ``1950—2020``
``drop_folios``             page numbers alone on a line
``join_split_numbers``      a number wrapped away from the word it counts

Paragraph-level rules:

``join_wrapped_lines``      hard-wrapped lines -> paragraphs (structure, not words)
``strip_cjk_spaces``        PDF spaces next to CJK text (``从 2021年`` -> ``从2021年``)
``normalize_cjk_punct``     ASCII ``,!?;:`` after CJK text -> full-width

:func:`clean_text` runs the whole pipeline on plain body text (no titles);
the importer uses the same rules through :mod:`booklet.importing.segment`.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Callable, Iterable

# ---------------------------------------------------------------- characters

_WIDE_RANGES = (
    (0x2E80, 0x2FFF),   # CJK radicals
    (0x3000, 0x303F),   # CJK symbols and punctuation
    (0x3040, 0x30FF),   # kana
    (0x3400, 0x4DBF),   # CJK ext A
    (0x4E00, 0x9FFF),   # CJK unified
    (0xF900, 0xFAFF),   # compatibility ideographs
    (0xFE30, 0xFE4F),   # CJK compatibility forms
    (0xFF00, 0xFF60),   # full-width forms
    (0xFFE0, 0xFFE6),
    (0x20000, 0x3FFFF),  # ext B..
)
_WIDE_EXTRA = set("“”‘’—…·∶")

#: characters after which a sentence (and so possibly a paragraph) ends
TERMINAL = set("。！？!?；：…")
#: closing marks that may follow the terminal character
CLOSERS = set("”’）」』》)\"'")
#: characters that can carry a number on to the next line (units, measure words)
NUMBER_FOLLOWERS = set("年月日时分秒号名人个位万千百亿元米吨斤岁周届期次倍%％‰项家所座条")


@lru_cache(maxsize=None)
def is_wide(ch: str) -> bool:
    """A character set one em wide in a CJK column (ideographs, CJK punctuation)."""
    if ch in _WIDE_EXTRA:
        return True
    o = ord(ch)
    return any(a <= o <= b for a, b in _WIDE_RANGES)


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def is_punct(ch: str) -> bool:
    return not ch.isalnum() and not is_han(ch) and not ch.isspace()


def display_width(text: str) -> float:
    """Width of ``text`` in ems as it was set: CJK 1, ASCII 0.5, spaces 0."""
    w = 0.0
    for ch in text:
        if ch.isspace():
            continue
        w += 1.0 if is_wide(ch) else 0.5
    return w


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with 。！？；：… (optionally followed by ”）etc.)."""
    t = text.rstrip()
    while t and t[-1] in CLOSERS:
        t = t[:-1]
    return bool(t) and t[-1] in TERMINAL


def despace(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- data model

@dataclass(frozen=True)
class Line:
    """One line of the raw text (or several merged), with its source position."""

    n: int                      # source line number (1-based) of the first physical line
    text: str                   # text without leading/trailing whitespace
    lead: bool = False          # indented in the raw text: a new text frame (page/column) starts here
    gap: int = 0                # blank lines before it (0: none)
    n_end: int = 0              # last source line when lines were merged (0: same as n)
    vertical: bool = False      # rebuilt from a title printed one character per line
    page_break: bool = False    # a page folio was removed just before this line
    w: float | None = None      # display width of the last physical line, when merged
    w0: float | None = None     # display width of the first physical line, when merged

    @property
    def last(self) -> int:
        return self.n_end or self.n

    @cached_property
    def width(self) -> float:
        """Width of the (last) physical line: how far the text runs before it wraps."""
        return self.w if self.w is not None else display_width(self.text)

    @cached_property
    def first_width(self) -> float:
        """Width of the first physical line: shows an indented paragraph start."""
        return self.w0 if self.w0 is not None else self.width


@dataclass(frozen=True)
class Change:
    """One edit made by a rule, for the import report."""

    rule: str
    source_line: int
    before: str
    after: str
    uncertain: bool = False
    note: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str
    lines: tuple[Line, ...]

    @property
    def first(self) -> int:
        return self.lines[0].n

    @property
    def last(self) -> int:
        return self.lines[-1].last

    @property
    def starts_frame(self) -> bool:
        return self.lines[0].lead


Rule = Callable[[list[Line]], "tuple[list[Line], list[Change]]"]


def split_lines(text: str, first_line: int = 1) -> list[Line]:
    """Raw text -> non-blank :class:`Line` objects (blank lines become ``gap``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    out: list[Line] = []
    gap = 0
    for i, raw in enumerate(text.split("\n")):
        norm = raw.replace("\t", " ").replace("\u00a0", " ").replace("\u3000", " ").replace("\f", " ")
        stripped = re.sub(r" {2,}", " ", norm.strip())
        if not stripped:
            gap += 1
            continue
        out.append(Line(n=first_line + i, text=stripped, lead=norm[:1] == " ", gap=gap))
        gap = 0
    return out


# ---------------------------------------------------------------- faux bold

def undouble(s: str) -> tuple[str, list[str]] | None:
    """Split ``s`` into doubled blocks ``XX YY ZZ…``; return (``XYZ…``, blocks) or None.

    A block is all punctuation or has none (punctuation is set in another
    font, so the extractor emits it as a run of its own). Among all ways to
    read ``s`` as doubled blocks the one with the fewest blocks wins (ties:
    the longer first block), which keeps real repeats such as 扎扎实实 inside
    a doubled run intact.
    """
    n = len(s)
    if n < 2 or n % 2:
        return None
    punct = [is_punct(c) for c in s]
    best: list[tuple[int, int] | None] = [None] * (n + 1)
    best[n] = (0, 0)
    for i in range(n - 2, -1, -2):
        cand: tuple[int, int] | None = None
        for size in range((n - i) // 2, 0, -1):
            rest = best[i + 2 * size]
            if rest is None or s[i:i + size] != s[i + size:i + 2 * size]:
                continue
            if any(punct[j] != punct[i] for j in range(i + 1, i + size)):
                continue
            if cand is None or rest[0] + 1 < cand[0]:
                cand = (rest[0] + 1, size)
        best[i] = cand
    if best[0] is None:
        return None
    blocks = []
    i = 0
    while i < n:
        size = best[i][1]  # type: ignore[index]
        blocks.append(s[i:i + size])
        i += 2 * size
    return "".join(blocks), blocks


def _doubling(text: str) -> tuple[str, str] | None:
    """('strong'|'weak', undoubled) when the whole line reads as doubled blocks."""
    s = despace(text)
    if s.isascii():
        return None      # a number alone (2020, 1111) is not faux bold
    res = undouble(s)
    if res is None:
        return None
    single, blocks = res
    strong = any(all(is_punct(c) for c in b) or any(c.isdigit() for c in b) for b in blocks)
    strong = strong or (len(s) >= 6 and any(len(b) >= 2 for b in blocks))
    return ("strong" if strong else "weak"), single


def undouble_faux_bold(lines: list[Line]) -> tuple[list[Line], list[Change]]:
    """Undo faux-bold text that the extractor emitted twice.

    A line is doubled when the whole line (spaces ignored) reads as doubled
    blocks and the evidence is strong: a doubled block of punctuation or
    digits (``，，`` ``”，”，`` ``20202020``) or a doubled run of two or more
    characters in a line of six or more. Weak lines (only single characters
    doubled, e.g. ``天天``, ``扎扎实实``) are undoubled only between strong
    doubled lines (or next to one at the start/end of the text), so real
    repeats in ordinary text survive.
    """
    info = [_doubling(l.text) for l in lines]
    strong = [bool(d and d[0] == "strong") for d in info]
    out: list[Line] = []
    changes: list[Change] = []
    for i, (line, d) in enumerate(zip(lines, info)):
        doubled = False
        if d:
            if d[0] == "strong":
                doubled = True
            else:
                before = strong[i - 1] if i > 0 else None
                after = strong[i + 1] if i + 1 < len(lines) else None
                doubled = before is not False and after is not False and (before or after) is True
        if doubled:
            new = d[1]  # type: ignore[index]
            changes.append(Change("undouble_faux_bold", line.n, line.text, new))
            out.append(replace(line, text=new, w=None))
        else:
            out.append(line)
    return out, changes


# ---------------------------------------------------------------- vertical titles

def _vertical_pieces(run: list[Line]) -> list[list[Line]]:
    """Split a run of one-character lines into the vertical blocks stacked in it.

    A new text frame (an indented line) always starts a new block. A blank
    line separates two blocks only when the run also has lines without a
    blank between them (otherwise blank lines are just the extractor's line
    spacing) and both sides hold three characters or more: ``编者⏎⏎按`` is
    one title, ``学习先进⏎⏎优秀教师`` two.
    """
    pieces: list[list[Line]] = [[]]
    for l in run:
        if pieces[-1] and l.lead:
            pieces.append([])
        pieces[-1].append(l)
    out: list[list[Line]] = []
    for piece in pieces:
        spaced = all(l.gap for l in piece[1:])
        cur: list[Line] = []
        for k, l in enumerate(piece):
            if cur and l.gap and not spaced and len(cur) >= 3 and len(piece) - k >= 3:
                out.append(cur)
                cur = []
            cur.append(l)
        out.append(cur)
    return out


def rebuild_vertical_titles(lines: list[Line]) -> tuple[list[Line], list[Change]]:
    """Rebuild titles printed one character per line (``全\\n国\\n劳…``).

    Three or more consecutive lines of exactly one ideograph become one line
    flagged ``vertical``. Blocks stacked one above the other (a slogan
    banner over a group's name) stay separate lines (:func:`_vertical_pieces`).
    """
    out: list[Line] = []
    changes: list[Change] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(lines[j].text) == 1 and is_han(lines[j].text):
            j += 1
        if j - i >= 3:
            for run in _vertical_pieces(lines[i:j]):
                if len(run) < 3:
                    out.extend(run)
                    continue
                text = "".join(l.text for l in run)
                merged = replace(run[0], text=text, n_end=run[-1].last, vertical=True, w=None)
                changes.append(Change("rebuild_vertical_titles", run[0].n, "⏎".join(l.text for l in run), text))
                out.append(merged)
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out, changes


# ---------------------------------------------------------------- ornaments, folios

_ORNAMENT = re.compile(r"^\d{4}\s*[—–\-~～至]+\s*\d{4}$")


def drop_ornament_lines(lines: list[Line]) -> tuple[list[Line], list[Change]]:
    """Drop lines that are only a year range (``1950—2020``): cover/page ornaments."""
    out, changes = [], []
    carry = None
    for l in lines:
        if _ORNAMENT.match(l.text):
            changes.append(Change("drop_ornament_lines", l.n, l.text, "", note="year-range ornament"))
            carry = carry or l
        else:
            out.append(_inherit(l, carry) if carry else l)
            carry = None
    return out, changes


def _inherit(line: Line, dropped: Line) -> Line:
    """A dropped line's frame start / blank line passes to the line after it."""
    return replace(line, lead=line.lead or dropped.lead, gap=max(line.gap, dropped.gap))


def _continues_number(prev: Line | None, nxt: Line | None) -> bool:
    return bool(prev and nxt and not ends_sentence(prev.text) and nxt.text[:1] in NUMBER_FOLLOWERS)


_DATE = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def _starts_date(line: Line, nxt: Line | None) -> bool:
    """``11`` directly above ``月24日…``: the number starts a date at the head
    of a paragraph (the extractor emitted it as a run of its own).

    A line that starts with ``月24日`` cannot start a text, so the number is
    always its own; a line starting with a digit (``1`` / ``1月24日``) takes
    the number only when no blank line lies between and the two make a date.
    """
    if nxt is None or not re.fullmatch(r"\d{1,2}", line.text):
        return False
    m = _DATE.match(line.text + nxt.text)
    if not m or not (1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31):
        return False
    return nxt.text[:1] == "月" or (not nxt.gap and not nxt.lead)


def drop_folios(lines: list[Line]) -> tuple[list[Line], list[Change]]:
    """Drop page numbers (one to three digits alone on a line).

    A digit line is kept (for :func:`join_split_numbers`) when the sentence
    around it is unfinished and the next line starts with a unit such as 名/月,
    unless it reads as a page number all the same: padded with a zero (``05``)
    or followed by more than one blank line (the rest of the page).
    The line after a folio is marked ``page_break``.
    """
    out: list[Line] = []
    changes: list[Change] = []
    dropped: Line | None = None
    for i, l in enumerate(lines):
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        folio_like = re.fullmatch(r"0\d{1,2}", l.text) or (nxt is not None and nxt.gap >= 2)
        if re.fullmatch(r"\d{1,3}", l.text) and (folio_like or not _continues_number(prev, nxt) and not _starts_date(l, nxt)):
            changes.append(Change("drop_folios", l.n, l.text, "", note="page number"))
            dropped = dropped or l
            continue
        out.append(replace(_inherit(l, dropped), page_break=True) if dropped else l)
        dropped = None
    return out, changes


_TRAILING_NUMBER = re.compile(r"(?:^|(?<=\s)|(?<=[^\x00-\x7f]))\d+(?:\.\d+)?$")


def join_split_numbers(lines: list[Line]) -> tuple[list[Line], list[Change]]:
    """Join a number wrapped away from what it counts.

    * ``… 参加 11`` directly followed (no blank line) by ``月24日…``: the two
      lines become one (the number ends the first line, the unit starts the
      second);
    * ``1689`` alone on a line inside an unfinished sentence, followed by
      ``名劳动模范…``: the number goes back to the end of the line before it,
      where it was printed;
    * ``11`` alone on a line above ``月24日，…`` (often at the head of a news
      item, after a title or a finished sentence): the number starts the
      line below (:func:`_starts_date`).
    """
    out: list[Line] = []
    changes: list[Change] = []
    i = 0
    while i < len(lines):
        l = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        prev = out[-1] if out else None
        follows = nxt is not None and not nxt.lead and nxt.text[:1] in NUMBER_FOLLOWERS
        if _starts_date(l, nxt):
            # a date split away from its number: one line again, as it was printed
            merged = replace(l, text=l.text + nxt.text, n_end=nxt.last, w=None, w0=None)  # type: ignore[union-attr]
            changes.append(Change("join_split_numbers", l.n, f"{l.text}⏎{nxt.text}", merged.text,  # type: ignore[union-attr]
                                  note="number alone on a line above the rest of its date"))
            out.append(merged)
            i += 2
            continue
        if follows and re.fullmatch(r"\d+(?:\.\d+)?", l.text) and prev is not None and not ends_sentence(prev.text) \
                and not l.lead:
            merged = replace(prev, text=prev.text + l.text, n_end=l.last, w=None, w0=None)
            changes.append(Change("join_split_numbers", l.n, f"{prev.text}⏎{l.text}", merged.text,
                                  note="number alone on a line: back to the end of the line before"))
            out[-1] = merged
            i += 1
            continue
        if follows and not nxt.gap and _TRAILING_NUMBER.search(l.text):  # type: ignore[union-attr]
            merged = replace(l, text=l.text + nxt.text, n_end=nxt.last, w=nxt.width, w0=l.first_width)  # type: ignore[union-attr]
            changes.append(Change("join_split_numbers", l.n, f"{l.text}⏎{nxt.text}", merged.text))  # type: ignore[union-attr]
            out.append(merged)
            i += 2
            continue
        out.append(l)
        i += 1
    return out, changes


#: the line rules, in the order the pipeline applies them
LINE_RULES: tuple[Rule, ...] = (
    undouble_faux_bold,
    rebuild_vertical_titles,
    drop_ornament_lines,
    drop_folios,
    join_split_numbers,
)


def clean_lines(lines: list[Line], rules: Iterable[Rule] = LINE_RULES) -> tuple[list[Line], list[Change]]:
    """Apply the line rules in order; return the lines and every change."""
    changes: list[Change] = []
    for rule in rules:
        lines, ch = rule(lines)
        changes.extend(ch)
    return lines, changes


# ---------------------------------------------------------------- paragraphs

def _glue(a: str, b: str) -> str:
    """Join two wrapped pieces: no space, except between two Latin words."""
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    if a and b and a[-1].isascii() and a[-1].isdigit() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _column_width(lines: list[Line], _widths: list[float], i: int, reach: int = 3) -> float:
    """The column width around line i: the second widest of its neighbours
    (up to ``reach`` each side, same text frame), robust to one overfull line
    (the widest when there are fewer than four neighbours)."""
    lo = i
    while lo > max(0, i - reach) and not lines[lo].lead:
        lo -= 1
    hi = i + 1
    while hi < min(len(lines), i + reach + 1) and not lines[hi].lead:
        hi += 1
    win = []
    for j in range(lo, hi):
        if j != i:
            win.append(lines[j].width)
        if lines[j].w0 is not None:
            win.append(lines[j].first_width)   # a merged line shows two physical lines
    win.sort()
    if not win:
        return lines[i].width
    return win[-2] if len(win) >= 4 else win[-1]


#: the numbering of a heading: 一、 （二） 3. 4、
NUMBERED_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、](?!\d))")


def paragraph_breaks(lines: list[Line], force: dict[int, bool] | None = None) -> list[bool]:
    """For each line, True when a paragraph ends after it (the last is always True).

    ``force`` maps a source line number to a decision taken by an editor
    (True: a paragraph ends after that line; False: it does not).

    Decided from structure, not words. Column widths vary from page to page,
    so every comparison is with neighbouring lines:

    * the column width at a line is the second widest of its neighbours
      (three each side, same text frame), robust to one overfull line;
    * a line ending a sentence (。！？…) that is noticeably shorter than the
      column ends its paragraph (the first line of a paragraph is allowed the
      two-em indent the extractor dropped);
    * a full line ending a sentence ends its paragraph when the next line is
      indented (about two ems short), is a short line not ending a sentence
      (a heading), is a one-line paragraph of a third of the column or less,
      or when the column width changes there (a new text box);
    * a line not ending a sentence ends a paragraph only when it is clearly
      shorter than its neighbours (a heading), never before a new text frame
      (the sentence continues there).

    Layouts that are ambiguous in print too (a paragraph whose last line
    fills the column, followed by a short one-line paragraph) are read as
    one paragraph; editors settle them with ``force``.
    """
    n = len(lines)
    widths = [l.width for l in lines]
    starts = [l.first_width for l in lines]
    breaks = [False] * n
    if n:
        breaks[-1] = True
    start = 0
    for i in range(n - 1):
        a, b = lines[i], lines[i + 1]
        first = i == start
        wa = widths[i]
        prev_in_para = widths[max(start, i - 3):i]
        brk = False
        if a.vertical or b.vertical:
            brk = True
        elif ends_sentence(a.text):
            # short paragraphs show few full lines: look further when the near ones say little
            ref = _column_width(lines, widths, i)
            far = _column_width(lines, widths, i, 6)
            if far >= ref + 1.5:
                ref = far
            nb = starts[i + 1]
            before = prev_in_para[-2:] + [wa]
            after = [widths[j] for j in range(i + 1, min(n, i + 4)) if not ends_sentence(lines[j].text)]
            if wa <= ref - (3.5 if first and a.w0 is None else 2.5):
                brk = True      # noticeably shorter than the column: the paragraph ends
            elif len(before) >= 2 and len(after) >= 2 and \
                    abs(_median(after) - _median(before)) >= max(2.5, 0.12 * max(_median(after), _median(before))):
                brk = True      # the column width changes here: a new text box
            elif not b.lead and nb <= ref - 1.5 and nb <= wa - 1:
                if nb >= ref - 4.5:
                    brk = True  # the next line is indented: a new paragraph
                elif not ends_sentence(b.text):
                    brk = i + 2 < n and not lines[i + 2].lead   # a heading starts
                elif nb <= ref / 3:
                    brk = True  # a one-line paragraph (同志们！)
            elif not b.lead and not first and wa <= ref - 1.5 and wa <= widths[i - 1] - 1.5 and ref - 3 <= nb <= ref - 1.5 \
                    and i + 2 < n \
                    and not lines[i + 2].lead and widths[i + 2] >= nb + 1.5 and not ends_sentence(lines[i + 1].text):
                brk = True      # a short last line, then an indented line before a full one: a new paragraph
        elif not b.lead:
            wb = starts[i + 1]
            if first:
                # a one-line heading: shorter than the column, next line indented
                # (widths compared within the same text frame only)
                lo = max(0, i - 3)
                while lo < i and any(lines[j].lead for j in range(lo + 1, i + 1)):
                    lo += 1
                hi = i + 1
                while hi < min(n, i + 4) and not lines[hi].lead:
                    hi += 1
                wref = _median(widths[lo:i] + widths[i + 1:hi]) if hi > i + 1 else wa
                after_next = widths[i + 2] if i + 2 < n else wref
                next_indented = wref - 3 <= wb <= wref - 1.5 and after_next >= wb + 1.5
                slack = 0.25 * sum(1 for ch in a.text if ch.isascii() and not ch.isspace())  # digits set wider
                brk = (wa <= wref - 4.5 - slack and wa <= wb - 3) or (wa <= wref - 2.5 - slack and next_indented)
                if not brk and not re.search(r"[。！？!?；]", a.text):
                    # a heading among short paragraphs: the full lines are further away;
                    # a numbered heading may be as wide as an indented first line
                    col = _column_width(lines, widths, i, 6)
                    if NUMBERED_HEADING.match(a.text):
                        brk = wa <= col - 1.5 - slack and col - 3 <= wb <= col - 1 and after_next >= wb + 0.5
                    else:
                        brk = wa <= col - 4.5 - slack and col - 3 <= wb <= col - 1.5 and after_next >= wb + 1.5
            else:
                brk = wa <= widths[i - 1] - 3 and wa <= wb - 3
        elif not first and i - start == 1 and wa <= widths[i - 1] - 3 and NUMBERED_HEADING.match(lines[start].text) \
                and not re.search(r"[。！？!?；]", lines[start].text + a.text):
            brk = True          # a numbered heading wrapped onto a short line ends before the next frame
        if force and a.last in force:
            brk = force[a.last]
        breaks[i] = brk
        if brk:
            start = i + 1
    return breaks


def join_wrapped_lines(lines: list[Line], force: dict[int, bool] | None = None) -> tuple[list[Paragraph], list[Change]]:
    """Rejoin hard-wrapped lines into paragraphs (see :func:`paragraph_breaks`)."""
    paras: list[Paragraph] = []
    changes: list[Change] = []
    cur: list[Line] = []
    for line, brk in zip(lines, paragraph_breaks(lines, force)):
        cur.append(line)
        if brk:
            text = ""
            for l in cur:
                text = _glue(text, l.text)
            paras.append(Paragraph(text, tuple(cur)))
            if len(cur) > 1:
                changes.append(Change("join_wrapped_lines", cur[0].n, "⏎".join(l.text for l in cur), text))
            cur = []
    return paras, changes


_SPACE_NEAR_WIDE = re.compile(r"(?<=\S)\s+(?=\S)")


def strip_cjk_spaces(text: str) -> str:
    """Drop spaces next to CJK text (``从 2021年`` -> ``从2021年``, ``为 行 动`` -> ``为行动``).

    Spaces between two Latin words or numbers stay (collapsed to one); the
    layout adds CJK/Latin spacing itself.
    """
    def repl(m: re.Match) -> str:
        left = text[m.start() - 1]
        right = text[m.end()]
        return "" if is_wide(left) or is_wide(right) else " "
    return _SPACE_NEAR_WIDE.sub(repl, text).strip()


_ASCII_TO_FULL = {",": "，", "!": "！", "?": "？", ";": "；", ":": "："}


def normalize_cjk_punct(text: str) -> str:
    """ASCII ``, ! ? ; :`` right after CJK text -> full-width ``，！？；：``."""
    out = []
    for i, ch in enumerate(text):
        if ch in _ASCII_TO_FULL and i > 0 and is_han(text[i - 1]) and not (i + 1 < len(text) and text[i + 1].isdigit()):
            out.append(_ASCII_TO_FULL[ch])
        else:
            out.append(ch)
    return "".join(out)


TEXT_RULES: tuple[Callable[[str], str], ...] = (strip_cjk_spaces, normalize_cjk_punct)


def clean_paragraph_text(p: Paragraph) -> tuple[Paragraph, list[Change]]:
    """Apply the text rules to a paragraph, recording each one that changed it."""
    changes = []
    text = p.text
    for rule in TEXT_RULES:
        new = rule(text)
        if new != text:
            changes.append(Change(rule.__name__, p.first, text, new))
            text = new
    return (replace(p, text=text) if text != p.text else p), changes


def clean_paragraphs(lines: list[Line], force: dict[int, bool] | None = None) -> tuple[list[Paragraph], list[Change]]:
    """join_wrapped_lines + the text rules."""
    paras, changes = join_wrapped_lines(lines, force)
    out = []
    for p in paras:
        p2, ch = clean_paragraph_text(p)
        out.append(p2)
        changes.extend(ch)
    return out, changes


def clean_text(raw: str) -> str:
    """Whole pipeline on plain body text: paragraphs separated by blank lines."""
    lines, _ = clean_lines(split_lines(raw))
    lines = [l for l in lines if not l.vertical]
    paras, _ = clean_paragraphs(lines)
    return "\n\n".join(p.text for p in paras)
