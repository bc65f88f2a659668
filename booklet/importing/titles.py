"""Title blocks: titles, subtitles, kickers and bylines, wherever the extractor put them.

A *text frame* starts at an indented line or after a page number. A title
block sits at the head of a frame (``find_head_block``) or, displaced by
the extractor, at its end after the body it belongs to
(``find_tail_block``): then either the body's last sentence is finished and
the lines after it can only be body text if a paragraph starts there and
goes on in the next frame, or the sentence goes on after the block (a
title cutting a speech in two). ``parse_title_group`` tells the lines of a
block apart: byline (``affiliation NAME``, a name, a department, a
``（单位）`` credit), subtitle (``——…``), kicker (引题) and title.
Everything is decided from widths, blank lines and punctuation.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from .clean import NUMBERED_HEADING, Line, despace, ends_sentence
from .names import starts_with_surname

HAN = "\u3400-\u4dbf\u4e00-\u9fff"

# ---------------------------------------------------------------- small predicates

_BYLINE_AFFIL = re.compile(rf"^(?P<aff>\S.*\S)\s+(?P<name>[{HAN}]{{2,4}})$")
_POST_END = re.compile(r"(席|记|长|员|任|委|理|师|授|部|官|事|监|辑|者)$")
_ORG_LINE = re.compile(rf"^[{HAN}]{{2,10}}(部|校|室|处|办公室|委员会|中心|局|院|站|所|厅|组|社|工会|协会|学会)$")
_CREDIT = re.compile(r"^[（(][^（）()]{2,20}[）)]$")
_NAME_ONLY = re.compile(rf"^[{HAN}]{{2,4}}$")
_DATE_START = re.compile(r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_DATELINE = re.compile(r"^(?:\d{4}年)?\d{1,2}月\d{1,2}日[^，。]{0,6}[，,]")
_NEWS_OPENER = re.compile(r"^(近日|日前|本报讯|记者)")
#: how the titles of speeches end (讲话 speech, 致辞 address, 发言 statement)
SPEECH_TITLES = ("讲话", "致辞", "发言", "讲话稿")
#: the names magazines give an editor's note
EDITORS_NOTE_TITLES = ("编者按", "编者的话", "按语", "编后", "编后记", "编后语", "卷首语")
_ENUM_HEADING = re.compile(r"^([一二三四五六七八九十]+、|[一二三四五六七八九十]+是|[一二三四五六七八九十]+要|第[一二三四五六七八九十]+，)")


def is_salutation(text: str) -> bool:
    """A short line ending in a colon that opens a speech or a letter
    (``同志们：``, ``各位代表：``): a one-line paragraph of eight characters
    or fewer."""
    t = text.strip()
    return t.endswith(("：", ":")) and 2 <= len(t) <= 9 and not re.search(r"[，。；！？]", t[:-1])


def titleish(line: Line) -> bool:
    """Could be a title/byline line: no sentence punctuation, no trailing comma."""
    t = line.text
    if line.vertical:
        return True
    if re.search(r"[。！？!?；;]", t):
        return False
    return not t.endswith(("，", "、", "：", ",", ":"))


def byline_kind(text: str) -> str:
    """'affil' (position + name), 'name', 'org' (a department), 'credit' ((…)) or ''."""
    t = text.strip()
    if _CREDIT.match(t):
        return "credit"
    m = _BYLINE_AFFIL.match(t)
    if m and " " not in m.group("aff") and ("、" in m.group("aff") or _POST_END.search(m.group("aff"))):
        return "affil"
    if _NAME_ONLY.match(t):
        return "name"
    if _ORG_LINE.match(t):
        return "org"
    return ""


def frame_width(lines: list[Line]) -> float:
    """The column width of a text frame: the median of its widest 60 % of lines
    (titles and bylines are few and mostly short)."""
    ws = sorted((l.width for l in lines if not l.vertical), reverse=True)
    top = ws[:max(1, round(len(ws) * 0.6))]
    return statistics.median(top) if top else 0.0


def split_frames(lines: list[Line]) -> list[list[Line]]:
    """Cut the lines into text frames: a frame starts at an indented line or
    after a page number (the page ended there)."""
    frames: list[list[Line]] = []
    for l in lines:
        if l.lead or l.page_break or not frames:
            frames.append([])
        frames[-1].append(l)
    return frames


def clusters(lines: list[Line]) -> list[list[Line]]:
    """Group lines separated by blank lines."""
    out: list[list[Line]] = []
    for l in lines:
        if not out or l.gap or l.lead:
            out.append([])
        out[-1].append(l)
    return out


# ---------------------------------------------------------------- title blocks


@dataclass
class TitleBlock:
    lines: list[Line]
    position: str               # "head" | "tail" | "vertical"
    interrupts: bool = False    # the body sentence continues after the block

    @property
    def first(self) -> int:
        return self.lines[0].n


@dataclass
class TitleInfo:
    title: str = ""
    subtitle: str = ""
    author: str = ""
    affiliation: str = ""
    note: str = ""              # a kicker (引题) printed above the title
    section: str = ""
    vertical_title: bool = False
    credit: str = ""
    lines: list[int] = field(default_factory=list)
    first_line: int = 0
    joined_title_lines: int = 0


def _in_band(w: float, W: float) -> bool:
    return W - 3 <= w <= W + 2


def find_head_block(frame: list[Line], W: float) -> int:
    """Number of lines at the start of a frame that form a title block (0: none).

    A block needs evidence: a ``——`` subtitle or an ``affiliation NAME`` byline
    in it, or (without them) title-like lines that end in a byline or are
    followed by a line only a text's first line can be: a dateline
    (``9月9日上午，``) or a salutation (``老师们、同志们：``)."""
    k = _marked_head(frame, W)
    if k:
        return k
    k = 0
    while k < min(len(frame), 6) and not frame[k].vertical and titleish(frame[k]) and \
            not is_salutation(frame[k].text) and not _DATELINE.match(despace(frame[k].text)):
        k += 1
    if 0 < k < len(frame):
        opener = _DATELINE.match(despace(frame[k].text)) or is_salutation(frame[k].text)
        if opener or (k >= 2 and byline_kind(frame[k - 1].text) in ("name", "org")):
            return k
    return 0


def _marked_head(frame: list[Line], W: float) -> int:
    k = 0
    saw_marker = False
    while k < len(frame) and k < 6:
        l = frame[k]
        if l.vertical or not titleish(l):
            break
        kind = byline_kind(l.text)
        if l.text.startswith("——"):
            saw_marker = True
        elif kind == "affil":
            saw_marker = True
            k += 1
            break
        elif _in_band(l.width, W) and k > 0:
            break
        k += 1
    return k if saw_marker else 0


def _full_line(l: Line, W: float) -> bool:
    """As wide as the column: a line inside a paragraph (punctuation may hang)."""
    return not l.vertical and W - 1.5 <= l.width <= W + 2


def _first_line(l: Line, W: float) -> bool:
    """As wide as the column less the two-em indent the extractor dropped
    (with the slack of digits and compressed punctuation)."""
    return not l.vertical and W - 4 <= l.width <= W - 0.5


def _local_width(body: list[Line], W: float) -> float:
    """The column width just before the end of a frame: the second widest of
    its last eight body lines (a frame may hold the end of one text and the
    start of another, set to other widths)."""
    ws = sorted(l.width for l in body[-8:] if not l.vertical)
    return ws[-2] if len(ws) >= 3 else W


def find_tail_block(frame: list[Line], W: float, start: int, next_starts_unit: bool = False) -> int:
    """Index where a displaced title block at the end of the frame starts (len: none).

    The candidates are the lines after the body's last sentence-ending line
    (or its last line) that do not end a sentence. Within an unfinished
    sentence (the sentence goes on after the block, in the next frame) only
    clear evidence counts: a group of lines, a byline, lines of another
    width (:func:`_tail_by_clusters`).

    After a finished sentence the lines can only be body text if a paragraph
    starts there and goes on in the next frame: headings, then a first line
    two ems short of the column (the extractor dropped the indent), then
    full lines. The body keeps that much (up to the last such first line and
    its full lines); the block is the rest. A first line followed only by a
    byline is read as the title over the byline, and when the next frame
    visibly starts a unit of its own (``next_starts_unit``) nothing can go
    on there: every candidate line is the block.
    """
    n = len(frame)
    j = n
    while j > start and titleish(frame[j - 1]):
        j -= 1
    if j == n:
        return n
    stop_line = frame[j - 1] if j > start else None
    if stop_line is not None and not ends_sentence(stop_line.text):
        return _tail_by_clusters(frame, W, start, j)
    if next_starts_unit:
        return j
    run = frame[j:]
    W = _local_width(frame[start:j], W)
    # a source credit ends its text: what follows it in the frame is a title block
    credit = next((k for k, l in enumerate(run) if byline_kind(l.text) == "credit"), None)
    if credit is not None:
        run = run[:credit]
    body = 0
    for k, l in enumerate(run):
        if _first_line(l, W):
            e = k + 1
            while e < len(run) and _full_line(run[e], W):
                e += 1
            body = e
    rest = run[body:]
    if body and NUMBERED_HEADING.match(run[body - 1].text) and len(rest) == 1 and not _first_line(rest[0], W):
        return j + len(run)         # a numbered heading wrapped onto a short line
    if body and len(rest) == 1 and (byline_kind(rest[0].text) == "affil" or byline_kind(rest[0].text) == "name" and
                                    (rest[0].gap or starts_with_surname(rest[0].text))) and \
            (body == 1 or not _full_line(run[body - 1], W)) and not NUMBERED_HEADING.match(run[body - 1].text):
        body -= 1
    return j + body


def _tail_by_clusters(frame: list[Line], W: float, start: int, j: int) -> int:
    """A title block inside an unfinished sentence: the last group of lines
    (blank lines around it), a byline, or lines out of the column's width."""
    n = len(frame)
    cand = clusters(frame[j:])
    last = cand[-1]

    def out_of_band(c: list[Line]) -> bool:
        return all(l.vertical or not _in_band(l.width, W) or byline_kind(l.text) for l in c)

    core: list[list[Line]] = []
    if len(last) >= 2 and not all(l.vertical for l in last):
        core = [last]
    elif byline_kind(last[0].text) or out_of_band(last):
        core = [last]
        if len(cand) >= 2:
            prev = cand[-2]
            if byline_kind(last[0].text) != "credit" and (len(prev) >= 2 or out_of_band(prev)):
                core = [prev, last]
    if not core:
        return n
    used = sum(len(c) for c in core)
    # the unfinished sentence may run on in full lines up to the block
    Wl = _local_width(frame[start:j], W)
    first = core[0]
    lead = 0
    while lead < len(first) - 1 and _full_line(first[lead], Wl) and not byline_kind(first[lead].text):
        lead += 1
    used -= lead
    k = len(cand) - len(core)
    if lead:
        return n - used
    stop_line = frame[j - 1] if j > start else None
    if stop_line is None or ends_sentence(stop_line.text):
        # a sentence ended before the block: kickers, sub-titles and vertical
        # banners before the core belong to it when they cannot be body lines
        while k > 0:
            c = cand[k - 1]
            if len(c) == 1 and (c[0].vertical or c[0].width > W + 2 or c[0].width < 0.75 * W):
                used += 1
                k -= 1
            else:
                break
    return n - used


def parse_title_group(lines: list[Line]) -> TitleInfo:
    """Title, subtitle, byline, kicker from the lines of one title group."""
    info = TitleInfo(lines=[l.n for l in lines] + [l.last for l in lines], first_line=lines[0].n)
    rest = list(lines)
    verticals = [l for l in rest if l.vertical]
    others = [l for l in rest if not l.vertical]
    if verticals and not others:
        info.title = "".join(l.text for l in verticals)
        info.vertical_title = True
        return info
    if verticals:
        info.section = "".join(l.text for l in verticals)
    rest = others
    # a source credit (（单位）) is the author, wherever the extractor put it in the block
    for l in list(rest):
        if byline_kind(l.text) == "credit" and len(rest) > 1:
            info.credit = l.text.strip("（）() ")
            rest.remove(l)
    # byline: the last line (a short last line right under the title without a
    # blank line may be the title's wrapped end: a name then needs a family name)
    if rest:
        kind = byline_kind(rest[-1].text)
        if kind == "name" and len(rest) > 1 and not rest[-1].gap and not starts_with_surname(rest[-1].text):
            kind = ""
        if kind and (len(rest) > 1 or kind in ("credit", "affil")):
            b = rest.pop().text
            if kind == "affil":
                m = _BYLINE_AFFIL.match(b)
                info.affiliation, info.author = m.group("aff").strip(), m.group("name")
            elif kind == "credit":
                info.credit = b.strip("（）() ")
            else:
                info.author = b
    # subtitle: a —— line and the lines of similar width that continue it
    sub_idx = next((i for i, l in enumerate(rest) if l.text.startswith("——")), None)
    if sub_idx is not None:
        sub = [rest[sub_idx]]
        j = sub_idx + 1
        while j < len(rest) and rest[j].width >= 0.7 * rest[sub_idx].width:
            sub.append(rest[j])
            j += 1
        info.subtitle = "".join(l.text for l in sub).lstrip("—").strip()
        rest = rest[:sub_idx] + rest[j:]
    cl = clusters(rest) if rest else []
    # news style: kicker / title / subtitle, each on its own
    if not info.subtitle and len(cl) >= 2 and len(cl[-1]) == 1 and cl[-1][0].width < 0.6 * max(l.width for c in cl[:-1] for l in c):
        info.subtitle = cl.pop()[0].text
    def printed_lines(c: list[Line]) -> int:
        return sum(2 if l.last > l.n else 1 for l in c)     # a line joined from two (a split number) counts two

    if not info.subtitle and len(cl) == 2 and printed_lines(cl[0]) > printed_lines(cl[1]):
        info.subtitle = "".join(l.text for l in cl.pop())     # the title, set larger, takes more lines
    if len(cl) >= 2:
        info.note = " ".join(l.text for l in cl[0])
        cl = cl[1:]
    title_lines = [l for c in cl for l in c]
    info.title = "".join(l.text for l in title_lines)
    info.joined_title_lines = len(title_lines)
    return info


def split_title_block(block: TitleBlock, splits: dict[int, object]) -> list[list[Line]]:
    """Split a block into title groups at lines named by ``split_title_block`` corrections."""
    groups: list[list[Line]] = [[]]
    for l in block.lines:
        if l.n in splits and groups[-1] and any(not x.vertical for x in groups[-1]):
            groups.append([])
        groups[-1].append(l)
    if len(groups) > 1:
        # a vertical banner shared by the groups stays with every group as section
        banner = [l for l in groups[0] if l.vertical]
        if banner:
            groups = [groups[0]] + [banner + g for g in groups[1:]]
    return groups
