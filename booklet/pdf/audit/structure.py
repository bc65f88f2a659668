"""Classification: running heads, vertical title stacks, blocks, paragraphs
that run on across columns and pages, paragraph starts and ends."""

from __future__ import annotations

from collections import Counter

from .vocabulary import Margins
from .model import _Block, _INDENT_EM, _Line, _MAX_INDENT_EM, _MAX_LEADING_EM, _Page, _one_cell, _same_band
from .lines import _ENTRY_END_RE


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


