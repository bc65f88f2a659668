"""Rosters and testimonial pages: the honourees of an issue, from structure.

A *roster* is a run of ``NAME（annotation） affiliation+post`` lines (names of
two characters padded to three, ``王 伟``), under the group's name as the
source prints it: usually a vertical title, sometimes a horizontal heading,
or none at all (people without a group). Slogan banners stacked above the
group's name are page decoration: the name is the block directly above the
first roster line. A long affiliation wraps onto a line of its own; that
line belongs to the person above when the line above it ran to the full
width of the roster (or stopped on 、，), otherwise it is something else
(an ornament, the next text). A roster may go on in the next text frame.

*Testimonial pages* follow a group's roster. Each testimonial is followed by
its *signature*: the honouree's name alone on a line, then the affiliation
as the roster printed it (possibly wrapped). Several testimonials may share
a page and be followed by their signatures in a row; they are paired in the
roster's order (the report flags pages whose names were printed in another
order, and splits of the text that the layout does not make plain). Page
ornaments (short words without punctuation, on one page or on every page)
are never testimonial text, names or posts: they are kept apart as
:class:`Ornament` records for the report.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from ..content import HonoureeMeta
from .clean import Change, Line, Paragraph, clean_paragraphs, despace, display_width, ends_sentence, is_han, \
    strip_cjk_spaces
from .corrections import Corrections

HAN = "\u3400-\u4dbf\u4e00-\u9fff"


@dataclass(kw_only=True)
class Honouree(HonoureeMeta):
    """A person as found in the roster and testimonial pages of the raw text."""
    printed: str = ""               # the affiliation + post as printed in the roster
    source_lines: tuple[int, int] = (0, 0)
    testimonial_lines: tuple[int, int] | None = None
    signature_lines: tuple[int, int] | None = None
    annotation: str = ""            # as printed, e.g. （女，藏族）


@dataclass
class Ornament:
    text: str
    source_lines: tuple[int, int]
    note: str


@dataclass
class Findings:
    """What reading the people adds to the import: report entries, ornaments,
    testimonial pairings and the editor corrections used."""
    changes: list[Change] = field(default_factory=list)
    ornaments: list[Ornament] = field(default_factory=list)
    pairings: list[dict] = field(default_factory=list)
    used_corrections: set[int] = field(default_factory=set)

    def ornament(self, lines: list[Line], note: str, rule: str = "drop_ornament_words") -> None:
        text = "".join(l.text for l in lines)
        self.ornaments.append(Ornament(text, (lines[0].n, lines[-1].last), note))
        for l in lines:
            self.changes.append(Change(rule, l.n, l.text, "", note=note))


# ---------------------------------------------------------------- roster lines

#: a name: two to five ideographs, a two-character one padded to three (王 伟), or
#: parts joined by a middle dot (包·巴特尔)
NAME = rf"[{HAN}] [{HAN}]|[{HAN}]{{1,4}}·[{HAN}]{{1,6}}?|[{HAN}]{{2,5}}?"
_ROSTER = re.compile(rf"^(?P<name>{NAME})(?P<ann>（[^）]{{1,12}}）)?(?:\s+|(?<=）))(?P<rest>\S.*)$")
_ANN_TOKEN = re.compile(r"^(男|女|[\u4e00-\u9fff]{1,4}族)$")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;]")
#: characters ornaments never carry: ornaments are words, not sentences or lists
_ORNAMENT_FREE = re.compile(r"[，。、；：！？!?,;:“”‘’（）()《》「」]")


def parse_roster_line(text: str) -> tuple[str, str, str] | None:
    """'王 伟 某某中学高级教师' -> ('王伟', '', '某某中学高级教师'); annotation kept as printed."""
    m = _ROSTER.match(text)
    if not m:
        return None
    ann = m.group("ann") or ""
    if ann and not all(_ANN_TOKEN.match(t) for t in re.split(r"[，,、]", ann[1:-1])):
        return None
    rest = m.group("rest").strip()
    if _SENTENCE_PUNCT.search(rest) or not is_han(rest[0]) and rest[0] not in "（(":
        return None
    return despace(m.group("name")), ann, rest


def split_annotation(ann: str) -> tuple[str, str]:
    gender = ethnicity = ""
    for t in re.split(r"[，,、]", ann.strip("（）")):
        if t in ("男", "女"):
            gender = t
        elif t.endswith("族"):
            ethnicity = t
    return gender, ethnicity


_ORG_SUFFIXES = sorted([
    "有限责任公司", "股份有限公司", "有限公司", "分公司", "公司", "集团", "中心", "合作社", "协会", "联合会",
    "委员会", "管委会", "大学", "学院", "学校", "中学", "小学", "幼儿园", "医院", "卫生院", "支行", "分行", "银行",
    "管理局", "分局", "局", "管理处", "处", "保护站", "推广站", "站", "车间", "工区", "工段", "段", "厂", "室",
    "部", "科", "大队", "中队", "队", "村", "社区", "街道", "镇", "乡", "苑", "院", "所", "馆", "班组", "组",
    "办公室", "办事处", "研究所", "研究院", "事务所", "酒店", "宾馆", "商场", "超市", "矿", "场", "港", "台",
], key=len, reverse=True)

#: posts that begin with a character an organisation's name may also end in
_POST_STARTS = ("长", "组长", "室主任", "部长")


def split_post(printed: str) -> tuple[str, str]:
    """Split a printed affiliation line into (affiliation, post) where clear.

    The post starts after the last organisational suffix (公司, 中心, 站, 室…)
    of the first clause; it must be two characters or more and not start with
    长 (which would cut 站长, 院长 …). Unclear: (printed, '').
    """
    first = re.split(r"[、，,]", printed, maxsplit=1)[0]
    matches = []
    for i in range(len(first)):
        for s in _ORG_SUFFIXES:
            if first.startswith(s, i):
                matches.append((i, i + len(s), s))
                break   # longest suffix at this position
    best = -1
    for i, end, s in matches:
        post = printed[end:]
        if s == "部" and i > 0 and first[i - 1] == "支":
            continue    # 支部书记 is a post
        if len(s) == 1 and any(i - 2 < e <= i for _, e, _ in matches if e != end):
            continue    # a one-character unit needs a name of its own (全科 after 中心 is not a unit)
        if len(post) >= 2 and not post.startswith("长"):
            best = max(best, end)
    if best <= 0:
        return printed, ""
    return printed[:best], printed[best:]


def ornament_like(text: str) -> bool:
    """Short words without punctuation: what page ornaments look like."""
    t = text.strip()
    return bool(t) and display_width(t) <= 12 and not _ORNAMENT_FREE.search(t) and \
        all(is_han(ch) or ch == " " for ch in t)


# ---------------------------------------------------------------- rosters

def roster_start(fr: list[Line]) -> int | None:
    """Index in the frame of the first line of a roster (its heading lines
    included), or None when the frame holds no roster.

    A roster is two or more consecutive roster lines under a vertical title,
    or three or more under a short heading or at the head of a frame; the
    run must reach the end of the frame (ornaments and wrapped lines aside).
    """
    parsed = [parse_roster_line(l.text) is not None and not l.vertical for l in fr]
    k = next((i for i, p in enumerate(parsed) if p), None)
    if k is None:
        return None
    count = sum(parsed[k:])
    rest = len(fr) - k
    if count < 2 or count < rest / 2:
        return None
    h = k
    while h > 0 and fr[h - 1].vertical:
        h -= 1
    if h < k:
        return h
    if count < 3:
        return None
    if k == 0:
        return 0
    above = fr[k - 1]
    if _heading_over_roster(above, fr[k - 2] if k >= 2 else None):
        return k - 1
    return k if ends_sentence(above.text) else None


def _heading_over_roster(line: Line, before: Line | None) -> bool:
    t = line.text
    return (not _SENTENCE_PUNCT.search(t) and not t.endswith(("，", "、", "：")) and display_width(t) <= 16
            and (before is None or ends_sentence(before.text) or line.lead))


def continues_roster(fr: list[Line]) -> bool:
    """A frame that only goes on with roster lines (a long roster over two columns or pages)."""
    return not any(l.vertical for l in fr) and parse_roster_line(fr[0].text) is not None and \
        sum(1 for l in fr if parse_roster_line(l.text)) >= max(1, len(fr) / 2)


@dataclass
class Roster:
    group: str
    heading: Line | None
    people: list[Honouree]
    lines: list[Line]
    leftover: list[Line]          # lines after the roster that belong to the text
    banner: str = ""              # a banner stacked above the group's name (the unit's section)


def read_roster(lines: list[Line], log: Findings, repeated: set[str], group: str | None = None) -> Roster:
    """The people of a roster block (heading lines first, unless ``group`` is given:
    then the block continues a roster of that group)."""
    k = 0
    heads: list[Line] = []
    while k < len(lines) and parse_roster_line(lines[k].text) is None:
        heads.append(lines[k])
        k += 1
    heading = heads[-1] if heads else None
    banner = ""
    if group is None:
        group = strip_cjk_spaces(heading.text) if heading else ""
        banner = " ".join(strip_cjk_spaces(b.text) for b in heads[:-1])
        for b in heads[:-1]:
            log.changes.append(Change("roster_banner", b.n, b.text, f"section: {banner}",
                                      note="a banner above the group's name: the roster's section, not its group"))
    # a wrapped affiliation ran to the width of the roster (whole lines), or of the
    # affiliation column (the names before them take different widths)
    def printed_width(l: Line) -> float:
        p = parse_roster_line(l.text)
        return display_width(p[2]) if p else l.width

    widest = max((printed_width(l) for l in lines[k:] if not l.vertical), default=0.0)
    widest_line = max((l.width for l in lines[k:] if not l.vertical), default=0.0)
    people: list[Honouree] = []
    leftover: list[Line] = []
    prev: Line | None = None
    i = k
    while i < len(lines):
        l = lines[i]
        p = parse_roster_line(l.text) if not l.vertical else None
        if p:
            name, ann, rest = p
            g, e = split_annotation(ann)
            people.append(Honouree(id="", name=name, group=group, gender=g, ethnicity=e, printed=rest,
                                   source_lines=(l.n, l.last), annotation=ann))
            prev = l
            i += 1
            continue
        h = people[-1] if people else None
        full = prev is not None and (printed_width(prev) >= widest - 1.5 or prev.width >= widest_line - 1.5)
        wrapped = h is not None and prev is not None and (
            h.printed.endswith(("、", "，", ",", "和", "及", "兼")) or
            full and " " not in l.text and not _SENTENCE_PUNCT.search(l.text))
        if wrapped:
            h.printed += l.text   # type: ignore[union-attr]
            h.source_lines = (h.source_lines[0], l.last)   # type: ignore[union-attr]
            log.changes.append(Change("roster_continuation", l.n, l.text, h.printed,  # type: ignore[union-attr]
                                      note=f"wrapped affiliation of {h.name}"))  # type: ignore[union-attr]
            prev = l
            i += 1
            continue
        # decoration after the roster, or the text that follows it
        j = i
        while j < len(lines) and ornament_like(lines[j].text) and not parse_roster_line(lines[j].text):
            j += 1
        if j > i and (j == len(lines) or parse_roster_line(lines[j].text)):
            log.ornament(lines[i:j], "page ornament on the roster page (short words, not a name or a post)")
            prev = None
            i = j
            continue
        leftover = lines[i:]
        break
    for h in people:
        h.printed = strip_cjk_spaces(h.printed)
        h.affiliation, h.post = split_post(h.printed)
        if not h.post:
            log.changes.append(Change("split_post", h.source_lines[0], h.printed, h.affiliation, uncertain=True,
                                      note=f"{h.name}: no clear post in the affiliation; left whole"))
    used = lines[:len(lines) - len(leftover)]
    log.changes.append(Change("roster", used[0].n, "", f"{group or '(no group)'}: {len(people)} names",
                              note="roster under the group's name" if heading else "roster without a group name"))
    return Roster(group, heading, people, used, leftover, banner)


# ---------------------------------------------------------------- testimonial pages


@dataclass
class _Sig:
    name: str
    lines: list[Line]


def signature_at(lines: list[Line], i: int, by_name: dict[str, Honouree]) -> tuple[str, int] | None:
    """(name, end index) when a signature starts at ``lines[i]``: the name alone
    on a line (padding spaces aside), or followed by the affiliation on the same line."""
    text = lines[i].text
    key = despace(text)
    if key in by_name:
        return key, i + 1
    m = re.match(rf"^({NAME})\s+(\S.*)$", text)
    if m and despace(m.group(1)) in by_name and despace(by_name[despace(m.group(1))].printed).startswith(despace(m.group(2))):
        return despace(m.group(1)), i + 1
    return None


def read_testimonials(lines: list[Line], people: list[Honouree], log: Findings, corr: Corrections,
                      repeated: set[str]) -> list[Line]:
    """Attach the testimonials on these pages to ``people``; return the lines
    after the last signature that are not testimonial matter (the next text)."""
    by_name = {h.name: h for h in people}
    order = {h.name: k for k, h in enumerate(people)}
    items: list[object] = []          # Line | _Sig
    i = 0
    while i < len(lines):
        sig = signature_at(lines, i, by_name)
        if sig is None:
            items.append(lines[i])
            i += 1
            continue
        name, j = sig
        h = by_name[name]
        want = despace(h.printed)
        acc = despace(lines[i].text)[len(name):]
        while j < len(lines) and acc != want:
            nxt = acc + despace(lines[j].text)
            if want.startswith(nxt) and signature_at(lines, j, by_name) is None:
                acc, j = nxt, j + 1
            else:
                break
        if acc != want:
            log.changes.append(Change("testimonial_signature", lines[i].n, acc, h.printed, uncertain=True,
                                      note=f"{h.name}: affiliation under the testimonial differs from the roster"))
        items.append(_Sig(name, lines[i:j]))
        i = j
    last_sig = max((k for k, it in enumerate(items) if isinstance(it, _Sig)), default=-1)
    tail = [it for it in items[last_sig + 1:]]
    items = items[:last_sig + 1]
    # what follows the last signature: ornaments, then the next text
    k = 0
    while k < len(tail) and ornament_like(tail[k].text):  # type: ignore[union-attr]
        k += 1
    if k:
        log.ornament(tail[:k], "page ornament on a testimonial page (short words, not testimonial text)")  # type: ignore[arg-type]
    leftover: list[Line] = tail[k:]  # type: ignore[assignment]
    _mark_ornaments(items, log, repeated)
    # pair each run of text with the run of signatures after it
    text: list[Line] = []
    k = 0
    while k < len(items):
        it = items[k]
        if isinstance(it, Line):
            text.append(it)
            k += 1
            continue
        sigs: list[_Sig] = []
        while k < len(items) and isinstance(items[k], _Sig):
            sigs.append(items[k])  # type: ignore[arg-type]
            k += 1
        _pair(text, sigs, by_name, order, corr, log)
        text = []
    for h in people:
        if not h.testimonial:
            log.changes.append(Change("missing_testimonial", h.source_lines[0], h.name, "", uncertain=True,
                                      note=f"{h.name}: no testimonial found for this honouree"))
    return leftover


def _mark_ornaments(items: list[object], log: Findings, repeated: set[str]) -> None:
    """Take the page ornaments out of ``items`` (in place).

    Candidates are runs of ornament-like lines (short words without
    punctuation) that are not inside a sentence. They are ornaments when
    printed on several pages, when they stand between a finished testimonial
    (or a signature) and a signature, or when they are clearly shorter than
    the text column next to them; otherwise (say a testimonial's first line
    without punctuation) they stay text.
    """
    def is_line(x: object) -> bool:
        return isinstance(x, Line)

    def column(lines: list[object]) -> float:
        return max((x.width for x in lines if is_line(x) and not ornament_like(x.text)), default=0.0)  # type: ignore[union-attr]

    k = 0
    while k < len(items):
        it = items[k]
        if not is_line(it) or not ornament_like(it.text):  # type: ignore[union-attr]
            k += 1
            continue
        j = k
        while j < len(items) and is_line(items[j]) and ornament_like(items[j].text):  # type: ignore[union-attr]
            j += 1
        run: list[Line] = items[k:j]  # type: ignore[assignment]
        before = items[k - 1] if k else None
        after = items[j] if j < len(items) else None
        finished = before is None or isinstance(before, _Sig) or ends_sentence(before.text)  # type: ignore[union-attr]
        if not finished and not run[0].lead:
            k = j                       # inside a sentence: text
            continue
        if not is_line(after):
            m = len(run)                # between a finished text and a signature: nothing else it could be
        else:
            # the width of the text next to the run: the two lines after it, in the same paragraph
            nearby: list[object] = []
            for x in items[j:j + 2]:
                if not is_line(x):
                    break
                nearby.append(x)
                if ends_sentence(x.text):  # type: ignore[union-attr]
                    break
            W = column(nearby)
            m = 0
            while m < len(run) and (despace(run[m].text) in repeated or run[m].width <= W - 4):
                m += 1              # the rest of the run (a first line without punctuation…) is text
        if m:
            log.ornament(run[:m], "page ornament on a testimonial page (short words, not testimonial text)")
            del items[k:k + m]
            continue
        k = j


def _split_bodies(paras: list[Paragraph], n: int) -> tuple[list[list[Paragraph]], bool]:
    """Group ``paras`` into ``n`` testimonials, in order; True when the split is
    plain from the layout (one paragraph each, or the cuts are the only places
    with a new frame or another column width)."""
    if n <= 1:
        return ([paras] if n == 1 else []), True
    if len(paras) <= n:
        return [[p] for p in paras], len(paras) == n
    strength = []
    for k in range(1, len(paras)):
        a, b = paras[k - 1], paras[k]
        s = 1.0
        if b.starts_frame:
            s += 3
        # the column of each: its widest line but the last (which may be short)
        wa = max(l.width for l in a.lines[:-1]) if len(a.lines) > 1 else 0
        wb = max(l.width for l in b.lines[:-1]) if len(b.lines) > 1 else 0
        if wa and wb and abs(wa - wb) >= 1.5:
            s += 2
        strength.append((s, k))
    ranked = sorted(strength, key=lambda x: (-x[0], x[1]))
    chosen, rest = ranked[:n - 1], ranked[n - 1:]
    clear = not rest or chosen[-1][0] > rest[0][0]
    cuts = sorted(k for _, k in chosen)
    if not clear:
        # the layout does not say: among the cuts it allows, the one that makes the
        # testimonials of a page most alike in length (they share the page)
        sure = [k for s, k in chosen if s > chosen[-1][0]]
        tied = [k for s, k in strength if s == chosen[-1][0]]
        sizes = [len(p.text) for p in paras]

        def spread(cs: tuple[int, ...]) -> float:
            bounds = [0, *sorted(cs), len(paras)]
            lengths = [sum(sizes[a:b]) for a, b in zip(bounds, bounds[1:])]
            return max(lengths) - min(lengths)
        best = min(itertools.combinations(tied, n - 1 - len(sure)), key=lambda c: spread(tuple(sure) + c))
        cuts = sorted(sure + list(best))
    groups, start = [], 0
    for c in cuts + [len(paras)]:
        groups.append(paras[start:c])
        start = c
    return groups, clear


def _one_paragraph(lines: list[Line]) -> Paragraph:
    paras, _ = clean_paragraphs(lines, {l.last: False for l in lines})
    return Paragraph(paras[0].text, tuple(lines))


def _split_paragraph_at_sentences(paras: list[Paragraph], n: int) -> list[Paragraph]:
    """Fewer paragraphs than names: cut the longest paragraphs after the
    sentence-ending line that is shortest against its column (where a
    testimonial most likely ended), until there are ``n``."""
    paras = list(paras)
    while len(paras) < n:
        best = None
        for pi, p in enumerate(paras):
            for li in range(len(p.lines) - 1):
                l = p.lines[li]
                if not ends_sentence(l.text) or l.text.rstrip().endswith(("：", ":")):
                    continue
                others = [x.width for x in p.lines if x is not l]
                ref = max(others) if others else l.width
                score = ref - l.width + (3 if p.lines[li + 1].lead else 0)
                if best is None or score > best[0]:
                    best = (score, pi, li)
        if best is None:
            break
        _, pi, li = best
        p = paras[pi]
        a, b = p.lines[:li + 1], p.lines[li + 1:]
        paras[pi:pi + 1] = [_one_paragraph(list(a)), _one_paragraph(list(b))]
    return paras


def _paragraphs(lines: list[Line], log: Findings | None = None) -> list[Paragraph]:
    """Testimonial text -> paragraphs. Testimonials have no headings: a
    paragraph that stops mid-sentence (or on a colon, which announces what
    follows) goes on in the next one."""
    raw, ch = clean_paragraphs(lines)
    if log is not None:
        log.changes.extend(ch)
    paras: list[Paragraph] = []
    for p in raw:
        if paras and (not ends_sentence(paras[-1].text) or paras[-1].text.rstrip().endswith(("：", ":"))):
            prev = paras.pop()
            p = Paragraph(prev.text + p.text, prev.lines + p.lines)
        paras.append(p)
    return paras


def _pair(text: list[Line], sigs: list[_Sig], by_name: dict[str, Honouree], order: dict[str, int],
          corr: Corrections, log: Findings) -> None:
    names = [s.name for s in sigs]
    paras: list[Paragraph] = []
    if text:
        paras = _paragraphs(text, log)
        for p in paras:
            if not ends_sentence(p.text):
                log.changes.append(Change("testimonial_text", p.last, p.text[-20:], "", uncertain=True,
                                          note="testimonial text that does not end a sentence"))
    if not paras:
        for s in sigs:
            log.changes.append(Change("pair_testimonial", s.lines[0].n, s.name, "", uncertain=True,
                                      note=f"signature of {s.name} without a testimonial above it"))
        return
    split_note = ""
    if len(paras) < len(names):
        paras = _split_paragraph_at_sentences(paras, len(names))
        split_note = (f"{len(names)} names under text of fewer paragraphs: cut where a sentence ends on a short line; "
                      "check where each testimonial ends")
    groups, clear = _split_bodies(paras, len(names))
    if len(groups) < len(names):
        for p in paras:
            log.changes.append(Change("pair_testimonial", p.first, p.text[:30], "", uncertain=True,
                                      note=f"{len(paras)} testimonials but {len(names)} names here; not assigned"))
        return
    if not clear and not split_note:
        split_note = (f"{len(paras)} paragraphs under {len(names)} names: grouped where the layout shows a new "
                      "frame or column width; check where each testimonial ends")
    if len(groups) > 1:
        # each testimonial has a box of its own: its paragraphs again, measured against its own lines only
        groups = [_paragraphs([l for p in ps for l in p.lines]) if len(ps) > 1 else ps for ps in groups]
    printed = list(names)
    by_roster = sorted(names, key=lambda nm: order.get(nm, 0))
    assigned = list(by_roster)
    owners = corr.owners()
    decided: dict[int, object] = {}
    for k, ps in enumerate(groups):
        c = owners.get(ps[0].first)
        if c is None:
            continue
        log.used_corrections.add(c.index)
        want = str(c.args["honouree"]).replace(" ", "")
        if want not in assigned:
            log.changes.append(Change("pair_testimonial", ps[0].first, "", want, uncertain=True,
                                      note=f"correction names '{want}', who is not signed under these testimonials"))
            continue
        other = assigned.index(want)
        assigned[other], assigned[k] = assigned[k], want
        decided[k] = c
    for k, (ps, nm) in enumerate(zip(groups, assigned)):
        first = ps[0].first
        if k in decided:
            c = decided[k]
            reason = f"editor correction: {c.reason}" if c.reason else "editor correction"  # type: ignore[attr-defined]
            uncertain = bool(c.args.get("uncertain", False))  # type: ignore[attr-defined]
        elif decided and len(groups) - len(decided) == 1:
            reason = "the only one left once the editor corrections placed the others"
            uncertain = False
        elif by_roster != printed:
            reason = "testimonials follow the roster order; the names under them were printed in another order"
            uncertain = True
        elif split_note:
            reason, uncertain = split_note, True
        elif len(groups) > 1:
            reason = f"{len(groups)} testimonials followed by {len(groups)} names: paired in order"
            uncertain = False
        else:
            reason = "one testimonial followed by its name"
            uncertain = False
        h = by_name[nm]
        h.testimonial = [p.text for p in ps]
        h.testimonial_lines = (first, ps[-1].last)
        log.pairings.append({"source_line": first, "name": nm, "printed_name_order": printed,
                             "reason": reason, "uncertain": uncertain, "excerpt": h.testimonial[0][:24]})
        log.changes.append(Change("pair_testimonial", first, h.testimonial[0][:40] + "…", nm, uncertain=uncertain,
                                  note=reason))
    for s in sigs:
        by_name[s.name].signature_lines = (s.lines[0].n, s.lines[-1].last)


def repeated_lines(lines: list[Line]) -> set[str]:
    """Short texts printed alone on a line more than once (running ornaments)."""
    counts = Counter(despace(l.text) for l in lines if ornament_like(l.text))
    return {t for t, c in counts.items() if c >= 2}
