"""Segmenting cleaned lines into units (news, speech, article, …) and honourees.

Everything here is decided from the structure of the extracted text:

* a line with leading whitespace starts a new *text frame* (page or column);
* titles, bylines and subtitles that the extractor placed after the body
  they belong to sit at the *end of a frame* as a *displaced title block*;
  when the body before them stops mid-sentence, the sentence continues in
  the next frame and the paragraphs are joined across the block;
* a title block at the *start* of a frame (a ``——`` subtitle or an
  ``affiliation NAME`` byline in it) opens a unit;
* ``同志们：`` opens a speech; a vertical title followed by name lines opens
  a roster; frames after a roster that carry the honourees' names are
  testimonial pages; a frame of one short line is a photo caption;
* a new frame with a different column width after a finished sentence
  starts a new unit (a different text box).

Where structure is not enough, explicit editor corrections
(:mod:`booklet.importing.corrections`) decide; nothing here knows the seed's words.
Every decision that could be wrong is reported as an uncertain Change.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from .clean import (_NUMBERED, Change, Line, Paragraph, clean_paragraphs, despace, display_width, ends_sentence,
                    strip_cjk_spaces)
from ..content import UnitMeta
from .corrections import Corrections
from .masthead import IssueMeta, meta_changes, read_masthead
from .names import starts_with_surname
from .people import (Findings, Honouree, Ornament, Roster, continues_roster, parse_roster_line,  # noqa: F401
                     read_roster, read_testimonials, repeated_lines, roster_start, signature_at, split_annotation,
                     split_post)

HAN = "\u3400-\u4dbf\u4e00-\u9fff"

# ---------------------------------------------------------------- results


@dataclass
class Block:
    kind: str       # "p" | "h2" | "figure"
    text: str
    src: str = ""   # figure: image path
    line: int = 0   # first source line


@dataclass
class Unit(UnitMeta):
    """A unit as found in the raw text: its front matter, and where it came from."""
    source_lines: tuple[int, int] = (0, 0)
    blocks: list[Block] = field(default_factory=list)
    title_lines: list[int] = field(default_factory=list)   # source lines of title/byline text
    covered: set[int] = field(default_factory=set, repr=False)  # every source line in the unit

    def text(self) -> str:
        return "".join(b.text for b in self.blocks)


@dataclass
class Document:
    units: list[Unit]
    honourees: list[Honouree]
    ornaments: list[Ornament]
    changes: list[Change]
    pairings: list[dict]
    meta: IssueMeta | None = None        # what the masthead printed (None: no masthead)

    @property
    def review(self) -> list[Change]:
        return [c for c in self.changes if c.uncertain]


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
    if body and _NUMBERED.match(run[body - 1].text) and len(rest) == 1 and not _first_line(rest[0], W):
        return j + len(run)         # a numbered heading wrapped onto a short line
    if body and len(rest) == 1 and (byline_kind(rest[0].text) == "affil" or byline_kind(rest[0].text) == "name" and
                                    (rest[0].gap or starts_with_surname(rest[0].text))) and \
            (body == 1 or not _full_line(run[body - 1], W)) and not _NUMBERED.match(run[body - 1].text):
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


# ---------------------------------------------------------------- the segmenter


@dataclass
class _Region:
    lines: list[Line] = field(default_factory=list)
    titles: list[tuple[TitleBlock, int]] = field(default_factory=list)   # (block, anchor source line)
    head: TitleBlock | None = None


@dataclass
class _Special:
    kind: str        # caption | roster | testimonials
    data: object
    lines: list[Line]


def segment(lines: list[Line], corrections: Corrections | None = None) -> Document:
    """Cleaned lines -> units, honourees, ornaments and the decisions taken."""
    return _Segmenter(lines, corrections or Corrections()).run()


class _Segmenter:
    def __init__(self, lines: list[Line], corr: Corrections):
        self.lines = lines
        self.corr = corr
        self.log = Findings()
        self.changes: list[Change] = self.log.changes
        self.ornaments: list[Ornament] = self.log.ornaments
        self.pairings: list[dict] = self.log.pairings
        self.used_corrections: set[int] = self.log.used_corrections
        self.honourees: list[Honouree] = []
        self.repeated: set[str] = set()
        self.frame_w: dict[int, float] = {}
        self._doc_w: float | None = None
        self._year: str | None = None

    # ---------------------------------------------------------- driver
    def run(self) -> Document:
        frames = split_frames(self.lines)
        self.repeated = repeated_lines(self.lines)
        meta = read_masthead(frames[0]) if frames else None
        if meta:
            self.changes.extend(meta_changes(meta))
            frames = frames[1:]
        stream: list[object] = []
        i = 0
        while i < len(frames):
            fr = frames[i]
            nxt = frames[i + 1] if i + 1 < len(frames) else None
            if nxt and all(l.vertical for l in fr) and (roster_start(nxt) == 0 or nxt[0].vertical and roster_start(nxt)):
                frames[i + 1] = fr + nxt       # a banner or a group's name in a frame of its own, above a roster
                i += 1
                continue
            W = frame_width(fr)
            for l in fr:
                self.frame_w[l.n] = W
            rs = roster_start(fr)
            if rs is not None:
                if rs:
                    stream.extend(self._text_frame(fr[:rs], W, fr[rs:]))
                i = self._roster_section(frames, i, fr[rs:], stream)
                continue
            if len(fr) == 1 and not fr[0].vertical and titleish(fr[0]) and display_width(fr[0].text) <= 40 \
                    and not ends_sentence(fr[0].text):
                stream.append(_Special("caption", fr[0].text, fr))
                i += 1
                continue
            stream.extend(self._text_frame(fr, W, nxt))
            i += 1
        units = self._units(stream)
        self._classify_quotes(units)
        self._apply_meta(units)
        texts = [(b.line, b.text) for u in units for b in u.blocks] + \
            [(h.testimonial_lines[0], t) for h in self.honourees if h.testimonial_lines for t in h.testimonial]
        for line, text in texts:
            for a, b in ("“”", "（）", "《》"):
                if text.count(a) != text.count(b):
                    self.changes.append(Change("unbalanced_marks", line, text[:30] + "…", "", uncertain=True,
                                               note=f"{a} and {b} do not pair up in this paragraph — a misprint in the "
                                                    "source or text lost in the extraction; check the printed issue"))
        for u in units:
            if not u.title and u.kind not in ("quote", "caption", "testimonials"):
                self.changes.append(Change("untitled", u.source_lines[0], u.text()[:30], "", uncertain=True,
                                           note=f"{u.kind} without a title in the source; add one with unit_meta if wanted"))
        self._check_unused()
        return Document(units, self.honourees, self.ornaments, self.changes, self.pairings, meta)

    # ---------------------------------------------------------- rosters and testimonials
    def _roster_section(self, frames: list[list[Line]], i: int, block: list[Line], stream: list[object]) -> int:
        """Read the roster starting in frame ``i`` (its lines from ``block`` on), the
        frames that go on with it and the testimonial pages after it; return the
        index of the next frame to read."""
        roster = read_roster(block, self.log, self.repeated)
        j = i + 1
        while not roster.leftover and j < len(frames) and continues_roster(frames[j]):
            more = read_roster(frames[j], self.log, self.repeated, group=roster.group)
            roster.people += more.people
            roster.lines += more.lines
            roster.leftover = more.leftover
            j += 1
        base = len(self.honourees)
        for k, h in enumerate(roster.people, 1):
            h.id = f"h{base + k:02d}"
        self.honourees.extend(roster.people)
        stream.append(_Special("roster", roster, roster.lines))
        if roster.leftover:
            frames.insert(j, roster.leftover)
        by_name = {h.name: h for h in roster.people}
        last = None
        for k in range(j, len(frames)):
            if k > j and roster_start(frames[k]) is not None:
                break
            if any(signature_at(frames[k], x, by_name) for x in range(len(frames[k]))):
                last = k
        if last is None:
            return j
        pages = [l for f in frames[j:last + 1] for l in f]
        leftover = read_testimonials(pages, roster.people, self.log, self.corr, self.repeated)
        used = pages[:len(pages) - len(leftover)]
        if used:
            stream.append(_Special("testimonials", roster, used))
        if leftover:
            frames.insert(last + 1, leftover)
        return last + 1

    def _doc_width(self) -> float:
        if self._doc_w is None:
            ws = [l.width for l in self.lines if not l.vertical and l.width >= 8]
            self._doc_w = statistics.median(ws) if ws else 0.0
        return self._doc_w

    def _flag_truncated(self, body: list[Line], W: float) -> None:
        """Lines of a text block much wider than the magazine's columns, set to
        the full measure and not ending a sentence, may have lost text at
        their end in the extraction: flag each one."""
        doc_w = self._doc_width()
        if not doc_w or W < 1.6 * doc_w:
            return
        for l in body:
            if l.width >= W - 3.5 and not ends_sentence(l.text):
                self.changes.append(Change(
                    "truncated_line", l.n, l.text, "", uncertain=True,
                    note=f"text may be missing here (source line {l.n} truncated): a full-measure line of a "
                         f"{W:g}-em wide block that stops mid-sentence; it was joined to the next line as if the "
                         "sentence continued — check against the printed issue"))

    def _opens_unit(self, fr: list[Line] | None) -> bool:
        """The frame visibly starts a unit of its own, so no sentence of the
        frame before goes on in it: the end of the text, a vertical title, a
        roster, a title block at its head, a photo caption (one line that ends
        no sentence), a salutation (``同志们：``) or a dateline (``11月25日，``)
        on its first line."""
        if not fr:
            return True
        first = fr[0]
        caption = len(fr) == 1 and not ends_sentence(first.text)
        return bool(first.vertical or roster_start(fr) == 0 or find_head_block(fr, frame_width(fr)) or caption
                    or is_salutation(first.text) or _DATELINE.match(despace(first.text)))

    def _text_frame(self, fr: list[Line], W: float, nxt: list[Line] | None = None) -> list[object]:
        """A frame of text -> title blocks and runs of body lines.

        A vertical title that opens a frame titles the text after it (a
        vertical title inside or at the end of a frame titles the text
        before it, as the extractor gives a boxed text before its title)."""
        out: list[object] = []
        v = 0
        while v < len(fr) and fr[v].vertical:
            v += 1
        if v == len(fr):
            v = 0
        head = v + (find_head_block(fr[v:], W) if fr[0].lead or fr[0].page_break or v else 0)
        if head:
            out.append(TitleBlock(fr[:head], "head"))
        tail = find_tail_block(fr, W, head, self._opens_unit(nxt))
        body = fr[head:tail]
        self._flag_truncated(body, W)
        chunk: list[Line] = []
        for l in body:
            if l.vertical:
                if chunk:
                    out.append(chunk)
                    chunk = []
                out.append(TitleBlock([l], "vertical"))
            else:
                chunk.append(l)
        if chunk:
            out.append(chunk)
        if tail < len(fr):
            last_body = body[-1] if body else None
            interrupts = bool(last_body and not ends_sentence(last_body.text))
            out.append(TitleBlock(fr[tail:], "tail", interrupts))
        return out

    # ---------------------------------------------------------- units
    def _units(self, stream: list[object]) -> list[Unit]:
        units: list[Unit] = []
        region = _Region()

        def close() -> None:
            nonlocal region
            if region.lines or region.titles:
                units.extend(self._region_units(region))
            region = _Region()

        for item in stream:
            if isinstance(item, list):
                region.lines.extend(item)
            elif isinstance(item, TitleBlock):
                if item.position == "head":
                    close()
                    region.head = item
                    region.titles.append((item, -1))
                elif item.position == "vertical":
                    anchor = region.lines[-1].n if region.lines else -1
                    region.titles.append((item, anchor))
                    close()
                else:
                    anchor = region.lines[-1].n if region.lines else -1
                    region.titles.append((item, anchor))
                    if not item.interrupts:
                        close()
            elif isinstance(item, _Special):
                close()
                units.append(self._special_unit(item))
        close()
        return [u for u in units if u is not None]

    def _special_unit(self, sp: _Special) -> Unit:
        lines = sp.lines
        span = (lines[0].n, max(l.last for l in lines))
        if sp.kind == "caption":
            text = strip_cjk_spaces(str(sp.data))
            self.changes.append(Change("caption", lines[0].n, lines[0].text, text,
                                       note="a frame of one short line: photo caption"))
            return Unit("caption", source_lines=span,
                        blocks=[Block("figure", text, f"images/photo-{lines[0].n}.jpg")])
        roster: Roster = sp.data  # type: ignore[assignment]
        if sp.kind == "roster":
            head = roster.heading
            return Unit("roster", title=roster.group, vertical_title=bool(head and head.vertical), group=roster.group,
                        section=roster.banner, source_lines=span, title_lines=[head.n] if head else [])
        return Unit("testimonials", group=roster.group, source_lines=span)

    def _region_units(self, region: _Region) -> list[Unit]:
        force = self.corr.forced_breaks()
        paras, ch = clean_paragraphs(region.lines, force) if region.lines else ([], [])
        self.changes.extend(ch)
        covered = {n for l in region.lines for n in range(l.n, l.last + 1)}
        for c in self.corr.of("paragraph_break") + self.corr.of("join_paragraphs"):
            if c.args["after"] in covered:
                self.used_corrections.add(c.index)
                self.changes.append(Change(f"correction:{c.kind}", c.args["after"], "",
                                           "paragraph ends here" if c.kind == "paragraph_break" else "paragraph continues",
                                           note=c.reason))
        # title groups with their anchor paragraph index
        splits = self.corr.title_splits()
        groups: list[tuple[TitleInfo, int]] = []
        credits: list[tuple[TitleInfo, int]] = []
        for block, anchor in region.titles:
            idx = 0 if anchor < 0 else next((k for k, p in enumerate(paras) if any(l.n <= anchor <= l.last for l in p.lines)),
                                            max(0, len(paras) - 1))
            parts = split_title_block(block, splits)
            if len(parts) > 1:
                for c in self.corr.of("split_title_block"):
                    if any(l.n == c.source_line for l in block.lines):
                        self.used_corrections.add(c.index)
                        self.changes.append(Change("correction:split_title_block", c.source_line, "", "new title group",
                                                   note=c.reason))
            for part in parts:
                info = parse_title_group(part)
                if block.position == "vertical":
                    info.vertical_title = True
                if info.title:
                    groups.append((info, idx))
                elif info.credit or info.author:
                    credits.append((info, idx))
                else:
                    info.note = " ".join(x for x in (info.note, info.subtitle, info.section) if x) or \
                        " ".join(l.text for l in part)
                    info.subtitle = info.section = ""
                    credits.append((info, idx))
                    self.changes.append(Change("title_block", part[0].n, " / ".join(l.text for l in part), info.note,
                                               uncertain=True, note="title-like lines without a title; kept in 'note:'"))
            if block.position == "tail" and len(clusters([l for l in block.lines if not l.vertical])) > 3 and len(parts) == 1:
                self.changes.append(Change("title_block", block.first, " / ".join(l.text for l in block.lines), "",
                                           uncertain=True, note="long title block read as one title group; "
                                           "add split_title_block if it holds two titles"))
        # hard splits inside the region
        hard = {0}
        for k, p in enumerate(paras):
            if k and is_salutation(p.text) and (p.starts_frame or ends_sentence(paras[k - 1].text)):
                hard.add(k)
            elif k and p.starts_frame and ends_sentence(paras[k - 1].text):
                w0, w1 = self.frame_w.get(paras[k - 1].lines[-1].n, 0), self.frame_w.get(p.first, 0)
                if w0 and w1 and abs(w0 - w1) >= max(3, 0.15 * max(w0, w1)):
                    hard.add(k)
                    self.changes.append(Change("unit_boundary", p.first, "", "new unit",
                                               note=f"new text frame with another column width ({w0:g} → {w1:g} ems)"))
        bounds = sorted(hard)
        units: list[Unit] = []
        for bi, b0 in enumerate(bounds):
            b1 = bounds[bi + 1] if bi + 1 < len(bounds) else len(paras)
            sub = paras[b0:b1]
            last = bi == len(bounds) - 1
            gs = [(info, max(0, idx - b0)) for info, idx in groups if b0 <= idx < b1 or (last and idx >= b1)]
            cs = [(info, max(0, idx - b0)) for info, idx in credits if b0 <= idx < b1 or (last and idx >= b1)]
            units.extend(self._split_by_titles(sub, gs, cs))
        return units

    def _split_by_titles(self, paras: list[Paragraph], groups, credits) -> list[Unit]:
        if len(groups) <= 1:
            return [self._make_unit(paras, groups[0][0] if groups else None, [c for c, _ in credits])]
        starts = self.corr.unit_starts()
        cut = [0]
        for i in range(1, len(groups)):
            prev_anchor = groups[i - 1][1]
            anchor = groups[i][1]
            lo = (prev_anchor + 1) if anchor != prev_anchor else cut[-1] + 1
            lo = max(lo, cut[-1] + 1)
            hi = anchor
            chosen = None
            for k in range(lo, min(hi, len(paras) - 1) + 1):
                c = starts.get(paras[k].first)
                if c is not None:
                    chosen = k
                    self.used_corrections.add(c.index)
                    self.changes.append(Change("correction:unit_start", paras[k].first, "", "unit starts here",
                                               note=c.reason))
                    break
            if chosen is None:
                best, best_score = None, 0
                for k in range(lo, min(hi, len(paras) - 1) + 1):
                    p = paras[k]
                    if self._is_heading(paras, k) or not ends_sentence(paras[k - 1].text):
                        continue
                    score = 0
                    if p.starts_frame:
                        score += 2
                    if p.lines[0].page_break:
                        score += 2
                    if _DATE_START.match(p.text) or _NEWS_OPENER.match(p.text):
                        score += 1
                    if score and score >= best_score:
                        best, best_score = k, score
                if best is None:
                    best = max(lo, 1) if lo < len(paras) else len(paras) - 1
                    self.changes.append(Change("unit_boundary", paras[best].first, "", "unit starts here", uncertain=True,
                                               note=f"two titles ('{groups[i - 1][0].title[:12]}…', '{groups[i][0].title[:12]}…') "
                                               "share one body and nothing in the layout shows where the second starts; "
                                               "guessed — record a unit_start correction"))
                else:
                    self.changes.append(Change("unit_boundary", paras[best].first, "", "unit starts here",
                                               note="new page/frame, folio or dateline between two titled bodies"))
                chosen = best
            cut.append(chosen)
        cut.append(len(paras))
        out = []
        for i, (info, _) in enumerate(groups):
            sub = paras[cut[i]:cut[i + 1]]
            cr = [c for c, idx in credits if cut[i] <= idx < cut[i + 1]]
            out.append(self._make_unit(sub, info, cr))
        return out

    def _is_heading(self, paras: list[Paragraph], k: int) -> bool:
        p = paras[k]
        return (not ends_sentence(p.text) and display_width(p.text) <= 60 and k + 1 < len(paras)
                and not _CREDIT.match(p.text))

    def _make_unit(self, paras: list[Paragraph], info: TitleInfo | None, credits: list[TitleInfo]) -> Unit:
        u = Unit("news")
        blocks: list[Block] = []
        for k, p in enumerate(paras):
            if self._is_heading(paras, k):
                blocks.append(Block("h2", p.text, line=p.first))
                self.changes.append(Change("heading", p.first, p.text, "## " + p.text,
                                           note="short paragraph without sentence end, followed by text"))
            else:
                blocks.append(Block("p", p.text, line=p.first))
                if not ends_sentence(p.text) and not _CREDIT.match(p.text):
                    self.changes.append(Change("paragraph_end", p.last, p.text[-20:], "", uncertain=True,
                                               note="paragraph does not end a sentence; text may be missing or misplaced"))
        u.blocks = blocks
        srcs = [p.first for p in paras] + [p.last for p in paras]
        if info:
            u.title, u.subtitle, u.author, u.affiliation = info.title, info.subtitle, info.author, info.affiliation
            u.author = u.author or info.credit
            u.note, u.section, u.vertical_title = info.note, info.section, info.vertical_title
            u.title_lines = info.lines
            srcs += info.lines
            if info.joined_title_lines > 1:
                self.changes.append(Change("title_join", info.first_line, "", u.title, uncertain=True,
                                           note=f"title joined from {info.joined_title_lines} lines without a space; "
                                           "if the lines were separate phrases, set the title with unit_meta"))
            if info.note:
                self.changes.append(Change("kicker", info.first_line, info.note, "note: " + info.note,
                                           note="line above the title (引题) kept in 'note:'"))
        for c in credits:
            u.author = u.author or c.author or c.credit
            u.affiliation = u.affiliation or c.affiliation
            if c.note:
                u.note = f"{u.note} {c.note}".strip()
            u.title_lines = u.title_lines + c.lines
            srcs += c.lines
        u.source_lines = (min(srcs), max(srcs)) if srcs else (0, 0)
        u.kind = self._kind(u, paras, credits + ([info] if info and info.credit else []))
        if u.kind == "news":
            self._date(u, paras)
        u.covered = {n for p in paras for l in p.lines for n in range(l.n, l.last + 1)} | set(u.title_lines)
        return u

    def _kind(self, u: Unit, paras: list[Paragraph], credits: list[TitleInfo]) -> str:
        if (paras and is_salutation(paras[0].text)) or u.title.endswith(SPEECH_TITLES):
            return "speech"
        if u.vertical_title and u.title in EDITORS_NOTE_TITLES:
            return "editors-note"
        if u.author and not any(c.credit for c in credits):
            return "article"
        return "news"

    def _date(self, u: Unit, paras: list[Paragraph]) -> None:
        for text in ([u.note] if u.note else []) + ([paras[0].text] if paras else []):
            m = _DATE_START.match(text)
            if m:
                year = m.group("y") or self._doc_year()
                if year:
                    u.date = f"{int(year):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
                    self.changes.append(Change("date", u.source_lines[0], m.group(0), u.date, uncertain=not m.group("y"),
                                               note="dateline" + ("" if m.group("y") else "; year taken from the other full dates in the text")))
                return

    def _doc_year(self) -> str:
        if self._year is None:
            years = Counter(m.group(1) for l in self.lines
                            for m in re.finditer(r"(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", l.text))
            self._year = years.most_common(1)[0][0] if years else ""
        return self._year

    # ---------------------------------------------------------- post passes
    def _classify_quotes(self, units: list[Unit]) -> None:
        texts = [(u, despace(u.text())) for u in units]
        for u, t in texts:
            if u.kind != "news" or u.title or not t or len(u.blocks) > 3:
                continue
            for other, ot in texts:
                if other is not u and len(ot) > len(t) and t in ot:
                    u.kind = "quote"
                    self.changes.append(Change("quote", u.source_lines[0], t[:30], "quote",
                                               note=f"untitled text repeated from '{other.title or other.kind}' "
                                               f"(lines {other.source_lines[0]}–{other.source_lines[1]}): a quote page"))
                    break

    def _apply_meta(self, units: list[Unit]) -> None:
        for c in self.corr.meta():
            line = c.source_line
            target = next((u for u in units if line in u.title_lines), None) or \
                next((u for u in units if line in u.covered), None) or \
                next((u for u in units if u.source_lines[0] <= line <= u.source_lines[1]), None)
            if target is None:
                self.changes.append(Change("correction:unit_meta", line, "", "", uncertain=True,
                                           note=f"no unit covers line {line}; correction not applied"))
                continue
            self.used_corrections.add(c.index)
            for key, value in c.args.items():
                if key == "source_line":
                    continue
                before = getattr(target, key, "")
                setattr(target, key, value if key == "vertical_title" else str(value))
                self.changes.append(Change("correction:unit_meta", line, f"{key}: {before}", f"{key}: {value}",
                                           note=c.reason))
            # a title set by the editor settles the title_join question
            if "title" in c.args:
                self.changes = [ch if not (ch.rule == "title_join" and ch.source_line in target.covered) else
                                Change(ch.rule, ch.source_line, ch.before, ch.after, False, ch.note + " — settled by editor correction")
                                for ch in self.changes]
            if "title" in c.args or "kind" in c.args:
                self.changes = [ch if not (ch.rule == "untitled" and target.source_lines[0] <= ch.source_line
                                           <= target.source_lines[1]) else
                                Change(ch.rule, ch.source_line, ch.before, ch.after, False, ch.note + " — settled by editor correction")
                                for ch in self.changes]

    def _check_unused(self) -> None:
        for c in self.corr.items:
            if c.kind == "move_lines" or c.index in self.used_corrections:
                continue
            self.changes.append(Change("correction:unused", c.source_line, c.describe(), "", uncertain=True,
                                       note="this correction did not match anything; check its line number"))
