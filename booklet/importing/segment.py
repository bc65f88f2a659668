"""Segmenting cleaned lines into units (news, speech, article, …) and honourees.

Everything here is decided from the structure of the extracted text:

* a line with leading whitespace, or the line after a page number, starts a
  new *text frame* (page, column, box);
* a masthead (a first frame with an issue number) holds the issue's data
  (:mod:`booklet.importing.masthead`), not content;
* title blocks at the head of a frame or displaced after their body
  (:mod:`booklet.importing.titles`) open units; when the body before a
  displaced block stops mid-sentence, the sentence continues in the next
  frame and the paragraphs are joined across the block;
* a salutation (``同志们：``) opens a speech; a vertical title opening a
  frame titles the text after it, one inside or after a text titles the
  text before it;
* a roster and the testimonial pages after it are read by
  :mod:`booklet.importing.people`; a frame of one short line is a photo caption;
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

from .clean import (Change, Line, Paragraph, clean_paragraphs, despace, display_width, ends_sentence,
                    strip_cjk_spaces)
from ..content import UnitMeta
from .corrections import Corrections
from .masthead import IssueMeta, meta_changes, read_masthead
from .people import (Findings, Honouree, Ornament, Roster, continues_roster, parse_roster_line,  # noqa: F401
                     read_roster, read_testimonials, repeated_lines, roster_start, signature_at, split_annotation,
                     split_post)
from .titles import (_CREDIT, _DATE_START, _DATELINE, _NEWS_OPENER, EDITORS_NOTE_TITLES,  # noqa: F401
                     SPEECH_TITLES, TitleBlock, TitleInfo, byline_kind, clusters, find_head_block, find_tail_block,
                     frame_width, is_salutation, parse_title_group, split_frames, split_title_block, titleish)

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
