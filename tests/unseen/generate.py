"""Raw text of a special issue, as a PDF text extractor gives it, from clean content.

The importer (booklet/importing) was built on one issue, the seed
(``source/raw-2020-model-workers.txt``). This generator makes others: it
takes *clean structured content* (an issue YAML under ``issues/``, see
:func:`load_issue`) and lays it out the way the seed's extractor output
looks, with every artifact family of the seed, varied at random from a
seed number (the same issue and seed always give the same text). The
fidelity harness (``fidelity.py``) imports the result and compares it with
the clean content.

Run as a script to write one raw text::

    python tests/unseen/generate.py tests/unseen/issues/sanba.yaml --seed 1 > raw.txt

Artifact families (one function each, registered in :data:`FAMILIES`; what
each looks like in the seed, by seed line):

``hard_wrap``         lines hard-wrapped at a column width that varies per unit/page,
                      the first line of a paragraph two ems short (the indent dropped):
                      ``今天，我们隆重召开大会，表彰全国劳动模范和先进`` / ``工作者，激励全党…`` (27–29)
``blank_lines``       a blank line after every line of a text frame (most of the seed),
                      none in others (a testimonial page, 2331–2345)
``frame_lead``        a new text frame (page, column, box) starts with leading whitespace:
                      `` 经济实力、科技实力、综合国力跃上新的大台阶`` (99)
``faux_bold``         faux-bold runs emitted twice, punctuation runs apart:
                      ``““社会主义是干出来的社会主义是干出来的，，新时新时`` (2017)
``vertical_title``    a title printed one character per line, sometimes with a blank
                      line inside: ``编`` / ``者`` / (blank) / ``按`` (2897–2900)
``stacked_vertical``  two vertical blocks one after the other: a slogan banner, then the
                      group's name (the seed's banner ``省委省政府高度重视劳模工作`` above
                      headlines, 1137–1149; its rosters print the group name vertically, 1872)
``folio``             page numbers alone on a line, blank lines around: ``09`` (434)
``year_ornament``     a year-range ornament: `` 1950—2020`` (23), printed once or on every
                      testimonial page
``slogan_ornament``   a slogan split over short lines on a testimonial page:
                      ``当好主人翁`` / ``致敬`` / ``劳模`` / ``建功新时代`` (1958–1963),
                      once or on every testimonial page, before or after the names
``title_after_body``  a headline/title block printed after its body at the end of a frame:
                      ``弘扬劳模精神 激发工作动力`` / ``省总经济部`` after the text (2954–2955)
``title_cuts_body``   the title block sits at the end of the first frame while the
                      sentence goes on in the next: ``…经过长期奋斗，我国`` /
                      ``在全国劳动模范和先进工作者表彰大会上的讲话`` / ``习近平`` /
                      `` 经济实力、科技实力…`` (95–99)
``byline``            ``affiliation NAME`` or a name alone under a title:
                      ``省委常委、省总工会主席 马吉孝`` (1240)
``split_number``      a number wrapped away from what it counts, no blank line between:
                      ``…讲得都很好。参加 11`` / ``月24日全国劳动模范…`` (1205); at the start of
                      a news item the digits stand alone on the first line: `` 11`` / ``月24日，…``
``digit_space``       spaces the extractor put beside digits: ``从 2021年开始`` (105),
                      ``很荣幸被评为 2020 年全`` (2111)
``letterspaced``      a justified short line emitted with spaces between the characters:
                      ``为 行 动为 行 动 ，，听 党 话`` (2531)
``padded_name``       a two-character name padded to three in the roster: ``宗 冰 亚洲硅业…`` (1879)
``annotation``        gender/ethnicity after the name: ``岳 虹（女，藏族） 中国农业银行…`` (1893),
                      sometimes without the space after it: ``切阳什姐（女，藏族）青海省…`` (2621)
``roster_wrap``       a roster line wrapped onto a second line: ``赵新录 三江源…可可西里管理处`` /
                      ``索南达杰保护站站长`` (2613–2615)
``testimonial_single``  a testimonial followed by the honouree's name and affiliation/post
                      lines: ``…慧和力量。`` / ``宗冰`` / ``亚洲硅业（青海）股份有限公司总工程师`` (1956–1967)
``testimonial_grouped`` two or three testimonials on a page followed by their names in
                      order: ``…`` / ``芦彪`` / ``黄河电力…副总经理`` / ``王树栋`` / ``中国移动…`` (2265–2273)
``signature_wrap``    the affiliation/post under a testimonial wrapped over two lines:
                      ``青海省物产集团有限公司党委书记、`` / ``董事长`` (2376–2380)
``photo_caption``     a frame of one short line: `` 青海省参加表彰大会的全国劳动模范和先进工作者合影`` (22)
``credit``            a source credit at the end of a news item: ``（省总办公室）`` (1440)
``masthead``          (not in the seed, which starts on its first page of text) a cover frame
                      with publisher, issue number, title and date, one per line; the
                      `booklet new --from` command reads the issue's metadata from it

Adding a family: write a function that turns clean text into :class:`Row` s
(or changes rows), tag the rows it makes with its name, register it with
``@family(name, example)`` and call it from the layout below.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

ISSUES = Path(__file__).resolve().parent / "issues"

# ---------------------------------------------------------------- clean content


@dataclass
class Person:
    name: str
    affiliation: str
    post: str = ""
    gender: str = ""
    ethnicity: str = ""
    testimonial: list[str] = field(default_factory=list)

    @property
    def printed(self) -> str:
        """Affiliation and post as the roster prints them, on one line."""
        return self.affiliation + self.post

    @property
    def annotation(self) -> str:
        parts = [p for p in (self.gender, self.ethnicity) if p]
        return f"（{'，'.join(parts)}）" if parts else ""


@dataclass
class Group:
    name: str
    people: list[Person]
    per_page: list[int] = field(default_factory=list)    # testimonials a page (the issue's by default)


@dataclass
class UnitSpec:
    kind: str                       # news speech article editors-note caption roster testimonials
    title: str = ""
    subtitle: str = ""
    note: str = ""                  # kicker (引题) above a news headline
    author: str = ""
    affiliation: str = ""
    credit: str = ""                # (单位) at the end of a news item: becomes the author
    date: str = ""                  # ISO date the dateline gives (news)
    section: str = ""
    group: str = ""                 # roster / testimonials
    banner: str = ""                # roster: a vertical slogan banner above the group name
    text: str = ""                  # caption
    paragraphs: list[str] = field(default_factory=list)   # "## " starts a section heading
    layout: dict = field(default_factory=dict)            # pins: title: head|tail|cut

    @property
    def byline_author(self) -> str:
        return self.author or self.credit


@dataclass
class Issue:
    name: str
    meta: dict
    groups: list[Group]
    units: list[UnitSpec]
    ornaments: dict = field(default_factory=dict)       # years, slogan, every_page, position
    masthead: bool = False
    per_page: list[int] = field(default_factory=lambda: [1, 2, 3])

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    def people(self) -> list[Person]:
        return [p for g in self.groups for p in g.people]

    def texts(self) -> list[str]:
        """Every piece of clean text the issue prints (for the ornament check)."""
        out = []
        for u in self.units:
            out += [u.title, u.subtitle, u.note, u.author, u.affiliation, u.credit, u.text, u.banner]
            out += u.paragraphs
        for g in self.groups:
            out.append(g.name)
            for p in g.people:
                out += [p.name, p.printed] + p.testimonial
        return [t for t in out if t]


KINDS = {"news", "speech", "article", "editors-note", "caption", "roster", "testimonials"}


def _paras(value, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"\n\s*\n", value.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        # lines inside a paragraph are joined without a space (Chinese text)
        return [p for p in ("".join(line.strip() for line in v.splitlines()) for v in value) if p]
    raise ValueError(f"{where}: paragraphs must be a list of strings or a text with blank lines between paragraphs")


def load_issue(path: Path | str) -> Issue:
    """Read an issue YAML (see issues/*.yaml) into an :class:`Issue`, checking it."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = []
    for gi, g in enumerate(data.get("groups") or []):
        people = []
        for pi, p in enumerate(g.get("people") or []):
            where = f"{path.name}: groups[{gi}].people[{pi}]"
            unknown = set(p) - {"name", "affiliation", "post", "gender", "ethnicity", "testimonial"}
            if unknown:
                raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
            people.append(Person(name=p["name"], affiliation=p["affiliation"], post=p.get("post") or "",
                                 gender=p.get("gender") or "", ethnicity=p.get("ethnicity") or "",
                                 testimonial=_paras(p.get("testimonial"), where)))
        groups.append(Group(g["name"], people, list(g.get("per_page") or [])))
    units = []
    for ui, u in enumerate(data.get("units") or []):
        where = f"{path.name}: units[{ui}]"
        u = dict(u)
        kind = u.pop("kind", None)
        if kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {sorted(KINDS)}, not {kind!r}")
        paragraphs = _paras(u.pop("paragraphs", None), where)
        try:
            spec = UnitSpec(kind=kind, paragraphs=paragraphs, **{k: (v if k == "layout" else str(v)) for k, v in u.items()})
        except TypeError as exc:
            raise ValueError(f"{where}: {exc}") from None
        units.append(spec)
    issue = Issue(name=path.stem, meta=dict(data.get("meta") or {}), groups=groups, units=units,
                  ornaments=dict(data.get("ornaments") or {}), masthead=bool(data.get("masthead", False)),
                  per_page=list(data.get("per_page") or [1, 2, 3]))
    check_issue(issue)
    return issue


def check_issue(issue: Issue) -> None:
    """Refuse content the harness could not judge fairly."""
    names = [g.name for g in issue.groups]
    for u in issue.units:
        if u.kind in ("roster", "testimonials") and u.group not in names:
            raise ValueError(f"{issue.name}: {u.kind} unit names group {u.group!r}, not one of {names}")
        if u.kind in ("news", "speech", "article", "editors-note") and not (u.title and u.paragraphs):
            raise ValueError(f"{issue.name}: a {u.kind} unit needs a title and paragraphs")
        if u.kind == "caption" and not u.text:
            raise ValueError(f"{issue.name}: a caption unit needs text")
    texts = issue.texts()
    for orn in ornament_texts(issue):
        for t in texts:
            if orn in t:
                raise ValueError(f"{issue.name}: ornament {orn!r} also occurs in the content ({t[:20]}…); "
                                 "choose ornament words the content does not use")
    seen = set()
    for p in issue.people():
        if p.name in seen:
            raise ValueError(f"{issue.name}: two honourees named {p.name}")
        seen.add(p.name)


def ornament_texts(issue: Issue) -> list[str]:
    """The texts the issue prints as page ornaments (never content)."""
    o = issue.ornaments
    out = [str(o["years"])] if o.get("years") else []
    out += [str(s) for s in o.get("slogan") or []]
    return out


# ---------------------------------------------------------------- measures

_WIDE = ((0x2E80, 0x303F), (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
         (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFF))
_WIDE_EXTRA = set("“”‘’—…·∶")
#: may not start a line (hang at the end of the line before)
NO_START = set("，。、；：！？”’）》」』〉】…·%％")
#: may not end a line (move to the next)
NO_END = set("“‘（《「『〈【")
TERMINAL = set("。！？")
#: what a number counts: a number may be wrapped away from it
FOLLOWERS = set("年月日时分名人个位万千百亿元米吨岁周届期次倍项家所座条")


def is_wide(ch: str) -> bool:
    return ch in _WIDE_EXTRA or any(a <= ord(ch) <= b for a, b in _WIDE)


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF


def width(text: str) -> float:
    return sum(0 if c.isspace() else 1.0 if is_wide(c) else 0.5 for c in text)


def char_class(ch: str) -> str:
    if ch.isascii() and ch.isalnum():
        return "latin"
    if ch.isalnum() or is_han(ch):
        return "han"
    return "punct"


def atoms(text: str) -> list[str]:
    """Unbreakable pieces: a Latin word or number, —— and …… pairs, else one character."""
    return re.findall(r"[0-9A-Za-z][0-9A-Za-z.%]*[0-9A-Za-z%]|[0-9A-Za-z]|——|……|.", text)


# ---------------------------------------------------------------- raw model


@dataclass
class Row:
    """One printed line of a frame, with the families that made it."""
    text: str
    tags: set[str] = field(default_factory=set)
    tight: bool = False     # no blank line after it, whatever the frame does
    loose: bool = False     # always a blank line after it
    ends_sentence: bool = False


@dataclass
class Frame:
    """A text frame (page, column, box): leading whitespace marks its first line."""
    rows: list[Row]
    lead: bool = True
    spacing: str = "every"  # every: a blank line after each row; none
    folio: str = ""         # page number printed before it (then no lead)


@dataclass
class Raw:
    """The generated raw text, and where each family was applied (1-based raw lines)."""
    text: str
    issue: Issue
    seed: int
    sites: dict[str, list[int]]
    ornaments: list[str]
    choices: dict

    def lines(self) -> list[str]:
        return self.text.split("\n")


#: family name -> what it looks like in the seed (documentation and tests)
FAMILIES: dict[str, str] = {}


def family(name: str, example: str) -> Callable:
    def deco(fn: Callable) -> Callable:
        FAMILIES[name] = example
        fn.family = name
        return fn
    return deco


# ---------------------------------------------------------------- families: text

@family("hard_wrap", "今天，我们隆重召开大会，表彰全国劳动模范和先进 / 工作者，激励全党…")
def hard_wrap(text: str, cols: int, rng: random.Random, indent: int = 2, tag: str = "hard_wrap",
              split_numbers: bool = True) -> list[Row]:
    """Wrap a paragraph at ``cols`` ems as the typesetter did (禁则: closing
    punctuation hangs, opening punctuation moves down); the extractor drops the
    indent, so the first line is ``indent`` ems short. A number that ends a line
    with what it counts on the next is a ``split_number`` (no blank line after).
    ``split_numbers=False`` (headlines, broken by sense): a number stays with what it counts."""
    parts = atoms(text)
    if not split_numbers:
        merged: list[str] = []
        for a in parts:
            if merged and re.search(r"\d[年月日时分名人个位万千百亿元米吨岁周届期次倍项家所座条]?$", merged[-1]) \
                    and a[:1] in FOLLOWERS:
                merged[-1] += a
            else:
                merged.append(a)
        parts = merged
    rows: list[Row] = []
    cur: list[str] = []
    w = 0.0
    cap = cols - indent
    split_after = False
    i = 0
    while i < len(parts):
        a = parts[i]
        aw = width(a)
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        number_end = split_numbers and a[0].isdigit() and nxt[:1] in FOLLOWERS
        if w + aw <= cap or (a[0] in NO_START and cur) or not cur:
            cur.append(a)
            w += aw
            i += 1
            # a number close to the end of the line: the typesetter broke after it
            if number_end and cap - 1.5 <= w <= cap and rng.random() < 0.7:
                split_after = True
            else:
                continue
        # break here
        if not split_after and len(cur) > 1 and cur[-1] in NO_END:
            moved = cur.pop()
            i -= 1
            w -= width(moved)
        line = "".join(cur)
        nxt_atom = parts[i] if i < len(parts) else ""
        row = Row(line, {tag})
        if line[-1:].isdigit() and nxt_atom[:1] in FOLLOWERS:
            row.tight = True
            row.tags.add("split_number")
        rows.append(row)
        cur, w, cap, split_after = [], 0.0, cols, False
    if cur:
        # no lone character on the last line (clreq): the typesetter pulls one down
        prev = rows[-1].text if rows else ""
        if rows and sum(1 for a in cur if a[0] not in NO_START) < 2 and not rows[-1].tight:
            pieces = atoms(prev)
            k = len(pieces) - 1
            while k > 0 and (pieces[k][0] in NO_START or pieces[k - 1] in NO_END):
                k -= 1
            if k > 0:
                rows[-1].text = "".join(pieces[:k])
                cur = pieces[k:] + cur
        rows.append(Row("".join(cur), {tag}))
    if len(rows) == 1:
        rows[0].tags.discard(tag)
    rows[-1].ends_sentence = text[-1:] in TERMINAL or text.rstrip("”’）")[-1:] in TERMINAL
    for r in rows[:-1]:
        r.ends_sentence = r.text.rstrip("”’）")[-1:] in TERMINAL
    return rows


@family("split_number", "…讲得都很好。参加 11 / 月24日全国劳动模范… ; at a news start: 11 / 月24日，…")
def split_dateline(rows: list[Row], rng: random.Random) -> list[Row]:
    """The digits that open a paragraph stand alone on its first line (a
    dateline set in a Latin font), the rest of the line follows."""
    m = re.match(r"^(\d+)(?=[年月日])", rows[0].text)
    if not m:
        return rows
    digits, rest = m.group(1), rows[0].text[m.end():]
    first = Row(digits, {"split_number"}, tight=True)
    second = Row(rest, set(rows[0].tags) | {"split_number"}, tight=rows[0].tight, loose=rows[0].loose,
                 ends_sentence=rows[0].ends_sentence)
    return [first, second] + rows[1:]


@family("digit_space", "从 2021年开始 ; 很荣幸被评为 2020 年全")
def digit_space(row: Row, rng: random.Random, p: float = 0.3) -> Row:
    """Spaces the extractor put beside numbers (never at the start of a line)."""
    out = []
    changed = False
    pieces = re.split(r"(\d+(?:\.\d+)?%?)", row.text)
    for k, piece in enumerate(pieces):
        if k % 2 == 1:
            before = out and out[-1] and not out[-1][-1].isspace() and rng.random() < p
            after = k + 1 < len(pieces) and pieces[k + 1] and rng.random() < p / 2
            piece = (" " if before else "") + piece + (" " if after else "")
            changed = changed or bool(before or after)
        out.append(piece)
    if changed:
        row.text = "".join(out)
        row.tags.add("digit_space")
    return row


@family("letterspaced", "为 行 动为 行 动 ，，听 党 话听 党 话")
def letterspaced(row: Row) -> Row:
    """A justified line whose characters the extractor emitted with spaces
    between them (never inside a Latin word or number)."""
    pieces = atoms(row.text)
    if len(pieces) < 4:
        return row
    row.text = " ".join(pieces)
    row.tags.add("letterspaced")
    return row


@family("faux_bold", "““社会主义是干出来的社会主义是干出来的，，新时新时")
def faux_bold(rows: list[Row], rng: random.Random) -> list[Row]:
    """Faux-bold text: the extractor emits every run twice. Runs end where the
    character class changes (punctuation / Latin and digits / Han), and
    sometimes inside a run of Han (a font switch, a drop capital)."""
    for row in rows:
        text = row.text.replace(" ", "")
        # a Latin word or number | a run of letters/ideographs | a run of punctuation
        runs = [m.group(0) for m in re.finditer(r"(?:[0-9A-Za-z.%]+)|(?:[^\W\d_]+)|(?:[\W_]+)", text)]
        out = []
        for r in runs:
            sub = [r]
            if char_class(r[0]) == "han" and len(r) >= 4 and rng.random() < 0.3:
                k = rng.randint(1, len(r) - 1)
                sub = [r[:k], r[k:]]
            out.extend(s + s for s in sub)
        row.text = "".join(out)
        row.tags.add("faux_bold")
    return rows


@family("vertical_title", "编 / 者 / (blank) / 按 ; 全 / 国 / 劳 / 动 / 模 / 范")
def vertical_title(text: str, rng: random.Random, gap_inside: bool = False) -> list[Row]:
    """A title printed one character per line; ``gap_inside``: a blank line
    inside (the characters were spaced out on the page)."""
    rows = [Row(ch, {"vertical_title"}, tight=True) for ch in text]
    if gap_inside and len(rows) >= 3:
        k = rng.randint(1, len(rows) - 1)
        rows[k - 1].tight = False
        rows[k - 1].loose = True
    rows[-1].tight = False
    rows[-1].loose = True
    return rows


@family("stacked_vertical", "a vertical banner, a blank line, the group's name vertical")
def stacked_vertical(banner: str, name: str, rng: random.Random) -> list[Row]:
    """A slogan banner and the group's name, both vertical, one after the other:
    only a blank line tells them apart (the name is the one the roster follows)."""
    rows = vertical_title(banner, rng) + vertical_title(name, rng)
    for r in rows:
        r.tags.add("stacked_vertical")
    return rows


@family("folio", "09 (alone, blank lines around)")
def folio(page: int, rng: random.Random) -> str:
    """A page number, zero-padded as the seed prints it or not; the renderer sets
    it alone with blank lines around, before the page's first frame."""
    return f"{page:02d}" if rng.random() < 0.6 else str(page)


@family("year_ornament", " 1950—2020")
def year_ornament(issue: Issue) -> list[Row]:
    """The issue's year-range ornament (an anniversary): no content, never a field."""
    years = issue.ornaments.get("years")
    return [Row(str(years), {"year_ornament"}, loose=True)] if years else []


@family("slogan_ornament", "当好主人翁 / 致敬 / 劳模 / 建功新时代")
def slogan_ornament(issue: Issue, rng: random.Random) -> list[Row]:
    """The issue's slogan, one short piece a line (sometimes two pieces without a
    blank line between, like 致敬 / 劳模 in the seed)."""
    pieces = [str(s) for s in issue.ornaments.get("slogan") or []]
    rows = []
    for k, s in enumerate(pieces):
        rows.append(Row(s, {"slogan_ornament"}, tight=rng.random() < 0.4, loose=k == len(pieces) - 1))
    return rows


@family("photo_caption", " 青海省参加表彰大会的全国劳动模范和先进工作者合影")
def photo_caption(text: str) -> Frame:
    """A caption is a text frame of its own: one short line without a sentence end."""
    return Frame([Row(text, {"photo_caption"})])


@family("credit", "（省总办公室）")
def credit(text: str) -> Row:
    """The source of a news item in parentheses, the last line of its body."""
    return Row(f"（{text}）", {"credit"}, loose=True)


@family("byline", "省委常委、省总工会主席 马吉孝")
def byline(author: str, affiliation: str) -> Row:
    """Under a title: the author's position and name separated by a space, or the name alone."""
    return Row(f"{affiliation} {author}" if affiliation else author, {"byline"}, loose=True)


@family("masthead", " 职工之友 / 2023年第3期 / 巾帼建功新时代 / 2023年3月")
def masthead(issue: Issue, rng: random.Random) -> Frame:
    """The cover: publisher, issue number, title, subtitle and date, each on its own
    line, in one of two orders."""
    m = issue.meta
    order = ["publisher", "issue", "title", "subtitle", "date"]
    if rng.random() < 0.5:
        order = ["title", "subtitle", "publisher", "issue", "date"]
    rows = [Row(str(m[k]), {"masthead"}, loose=True) for k in order if m.get(k)]
    return Frame(rows)


@family("title_after_body", "弘扬劳模精神 激发工作动力 / 省总经济部 after the article's first page")
def title_after_body(first_page: list[Row], title: list[Row]) -> list[Row]:
    """The title block printed after the body of the unit's first frame (a text
    box of its own: a blank line before it, as in the seed)."""
    for r in title:
        r.tags.add("title_after_body")
    first_page[-1].loose = True
    return first_page + title


@family("title_cuts_body", "…经过长期奋斗，我国 / 在全国…表彰大会上的讲话 / 习近平 / ␣经济实力…")
def title_cuts_body(body: list[Row], title: list[Row], rng: random.Random) -> tuple[list[Row], list[Row]]:
    """The title block ends the unit's first frame, which stops mid-sentence;
    the sentence goes on in the next frame. Returns (first frame, the rest)."""
    lo, hi = len(body) * 2 // 5, max(len(body) * 2 // 5 + 1, len(body) * 3 // 4)
    cands = [k for k in range(max(1, lo), hi) if not body[k - 1].ends_sentence and not body[k - 1].tight]
    k = rng.choice(cands) if cands else max(1, lo)
    for r in title:
        r.tags.add("title_cuts_body")
    body[k - 1].loose = True          # the block is a box of its own: a blank line before it
    return body[:k] + title, body[k:]


@family("blank_lines", "a blank line after every line of most frames, none in some")
def blank_lines(rng: random.Random) -> str:
    """How a frame separates its lines: 'every' (a blank line after each) or 'none'."""
    return "every" if rng.random() < 0.75 else "none"


@family("frame_lead", "␣经济实力、科技实力、综合国力跃上新的大台阶")
def frame_lead(text: str) -> str:
    """The first line of a text frame starts with whitespace."""
    return " " + text


@family("testimonial_single", "…慧和力量。 / 宗冰 / 亚洲硅业（青海）股份有限公司总工程师")
def testimonial_single(bodies: list[list[Row]], sigs: list[list[Row]]) -> tuple[list[Row], int]:
    """Each testimonial followed by its signature; returns rows and where the first name is."""
    rows: list[Row] = []
    for b, s in zip(bodies, sigs):
        s[0].tags.add("testimonial_single")
        rows += b + s
    return rows, len(bodies[0])


@family("testimonial_grouped", "two or three bodies, then 芦彪 / 黄河电力… / 王树栋 / 中国移动…")
def testimonial_grouped(bodies: list[list[Row]], sigs: list[list[Row]]) -> tuple[list[Row], int]:
    """Two or three testimonials, then their names and affiliations in the same order."""
    for b in bodies[:-1]:
        b[-1].loose = True            # each testimonial is a box: a blank line between boxes (seed 2350–2352)
    rows = [r for b in bodies for r in b]
    first = len(rows)
    for s in sigs:
        s[0].tags.add("testimonial_grouped")
        rows += s
    return rows, first


# ---------------------------------------------------------------- families: people

@family("padded_name", "宗 冰 亚洲硅业（青海）股份有限公司总工程师")
def printed_name(name: str) -> tuple[str, bool]:
    """Two-character names are padded to three with a space in the roster."""
    return (f"{name[0]} {name[1]}", True) if len(name) == 2 else (name, False)


@family("annotation", "岳 虹（女，藏族） 中国农业银行玛沁县支行副行长")
@family("roster_wrap", "赵新录 三江源…可可西里管理处 / 索南达杰保护站站长")
def roster_rows(p: Person, cols: int, rng: random.Random) -> list[Row]:
    """One roster entry: NAME（annotation） AFFILIATION+POST, wrapped at ``cols``
    (the continuation carries no space, so it never reads as a new entry)."""
    name, padded = printed_name(p.name)
    tags = {"roster_line"} | ({"padded_name"} if padded else set())
    head = name
    if p.annotation:
        head += p.annotation
        tags.add("annotation")
        sep = "" if rng.random() < 0.25 else " "
    else:
        sep = " "
    line = head + sep + p.printed
    if width(line) <= cols:
        return [Row(line, tags)]
    # wrap: prefer after a 、 near the end of the line, else at the column
    room = int(cols - width(head + sep))
    cut = room
    for k in range(room, max(2, room - 8), -1):
        if p.printed[k - 1] in "、，":
            cut = k
            break
    cut = min(cut, len(p.printed) - 2)         # never one character alone on the second line
    first, rest = p.printed[:cut], p.printed[cut:]
    if not rest or cut < 2:
        return [Row(line, tags)]
    return [Row(head + sep + first, tags), Row(rest, {"roster_wrap"})]


@family("signature_wrap", "青海省物产集团有限公司党委书记、 / 董事长")
def signature(p: Person, cols: int, rng: random.Random) -> list[Row]:
    """The name under a testimonial, then the affiliation/post, wrapped at ``cols``."""
    rows = [Row(p.name, {"signature"})]
    printed = p.printed
    if width(printed) <= cols or len(printed) < 6:
        rows.append(Row(printed, {"signature"}))
    else:
        cut = max(3, min(len(printed) - 2, int(cols)))
        rows.append(Row(printed[:cut], {"signature", "signature_wrap"}))
        rows.append(Row(printed[cut:], {"signature", "signature_wrap"}))
    return rows


# ---------------------------------------------------------------- layout


class Layout:
    """Lays out an issue into frames, choosing every variation from one seeded RNG."""

    def __init__(self, issue: Issue, seed: int):
        self.issue = issue
        self.seed = seed
        self.rng = random.Random(f"{issue.name}:{seed}")
        self.frames: list[Frame] = []
        self.page = self.rng.randint(2, 5)
        o = issue.ornaments
        rng = self.rng
        self.choices = {
            "ornaments_every_page": o["every_page"] if "every_page" in o else rng.random() < 0.5,
            "ornament_position": o.get("position") or rng.choice(["before_names", "after_names", "page_top"]),
        }
        self.ornaments_done = False
        self.last_cols = 0

    # -------------------------------------------------- helpers
    def new_frame(self, rows: list[Row], spacing: str | None = None, page_break: bool = True) -> Frame:
        rng = self.rng
        fr = Frame(rows, spacing=spacing or blank_lines(rng))
        if page_break:
            self.page += 1
            if self.frames and rng.random() < 0.2:
                fr.folio = folio(self.page, rng)
                fr.lead = rng.random() < 0.2
        self.frames.append(fr)
        return fr

    def body_rows(self, paragraphs: list[str], cols: int, dateline: bool = False) -> list[Row]:
        rng = self.rng
        rows: list[Row] = []
        for k, para in enumerate(paragraphs):
            heading = para.startswith("## ")
            text = para[3:] if heading else para
            pr = hard_wrap(text, cols, rng, indent=2)
            if k == 0 and dateline:
                pr = split_dateline(pr, rng)
            rows.extend(pr)
        for r in rows:
            if rng.random() < 0.5:
                digit_space(r, rng)
        return rows

    def title_rows(self, u: UnitSpec, cols: int) -> list[Row]:
        """The title block: kicker, title (wrapped, no blank lines inside), subtitle, byline."""
        rng = self.rng
        rows: list[Row] = []
        if u.note:
            rows += self._block(u.note, cols + 6)
        rows += self._block(u.title, cols)
        if u.subtitle:
            sub = ("——" + u.subtitle) if u.kind in ("article", "speech") else u.subtitle
            rows += self._block(sub, cols + 8)
        if u.author:
            rows.append(byline(u.author, u.affiliation))
        for r in rows:
            r.tags.add("title_block")
        return rows

    def _block(self, text: str, cols: int) -> list[Row]:
        """A title group: lines balanced as a typesetter breaks a headline (never a
        stray character or two on the last line), no blank lines between them."""
        cols = max(cols, 8)
        lines = -(-int(width(text)) // cols)
        if lines > 1:
            cols = -(-int(width(text)) // lines) + 1
        for c in range(cols, cols + 8):        # as many lines as the full measure needs, no more
            rows = hard_wrap(text, c, random.Random(0), indent=0, tag="title_wrap", split_numbers=False)
            if len(rows) <= lines:
                break
        for r in rows:
            r.tight = True
        rows[-1].tight = False
        rows[-1].loose = True
        return rows

    def split_pages(self, rows: list[Row], lo: int, hi: int) -> list[list[Row]]:
        pages = []
        i = 0
        while i < len(rows):
            n = self.rng.randint(lo, hi)
            if len(rows) - (i + n) < 4:
                n = len(rows) - i
            pages.append(rows[i:i + n])
            i += n
        return pages

    # -------------------------------------------------- units
    def text_unit(self, u: UnitSpec) -> None:
        rng = self.rng
        lo, hi = {"news": (18, 38), "speech": (18, 26), "article": (20, 27), "editors-note": (20, 26)}[u.kind]
        # the next unit is set in another text box: its column differs from the last one's
        # (the one thing that tells two untitled frames of different units apart)
        last = self.last_cols
        choices = [c for c in range(lo, hi + 1) if not last or abs(c - last) >= max(3, 0.15 * max(c, last))]
        cols = rng.choice(choices or list(range(lo, hi + 1)))
        self.last_cols = cols
        split_date = u.layout.get("dateline", rng.choice(["split", "split", "whole"])) == "split"
        body = self.body_rows(u.paragraphs, cols, dateline=u.kind == "news" and split_date)
        if u.credit:
            body.append(credit(u.credit))
        where = u.layout.get("title") or rng.choice({"news": ["head", "tail", "tail"], "speech": ["head", "cut", "cut"],
                                                       "article": ["head", "head", "tail"],
                                                       "editors-note": ["head", "tail"]}[u.kind])
        if u.kind == "editors-note":
            title = vertical_title(u.title, rng, gap_inside=rng.random() < 0.5)
        else:
            title = self.title_rows(u, max(10, cols - rng.randint(4, 10)))
            if rng.random() < 0.2:
                faux_bold([r for r in title if "byline" not in r.tags], rng)     # a bold title, emitted twice
        if where == "cut" and len(body) >= 8:
            first, rest = title_cuts_body(body, title, rng)
            self.new_frame(first)
            for page in self.split_pages(rest, 16, 40):
                self.new_frame(page)
            return
        pages = self.split_pages(body, 16, 40)
        if where in ("tail", "cut"):
            pages[0] = title_after_body(pages[0], title)
        else:
            pages[0] = title + pages[0]
        for page in pages:
            self.new_frame(page)

    def roster(self, u: UnitSpec) -> None:
        rng = self.rng
        g = self.issue.group(u.group)
        rows = stacked_vertical(u.banner, g.name, rng) if u.banner else vertical_title(g.name, rng)
        cols = rng.randint(30, 44)
        for p in g.people:
            rows += roster_rows(p, cols, rng)
        self.new_frame(rows)

    def testimonials(self, u: UnitSpec) -> None:
        rng = self.rng
        group = self.issue.group(u.group)
        people = [p for p in group.people if p.testimonial]
        i = 0
        while i < len(people):
            n = min(rng.choice(group.per_page or self.issue.per_page), len(people) - i)
            page = people[i:i + n]
            i += n
            cols = rng.randint(10, 16)
            bold = rng.random() < 0.35
            # grouped only when each body is one paragraph: with more, nothing on the
            # page (nor in print) shows where one person's text ends and the next begins
            grouped = n > 1 and all(len(p.testimonial) == 1 for p in page) and rng.random() < 0.6
            bodies = []
            for p in page:
                if rng.random() < 0.5:
                    cols = rng.randint(10, 16)      # each testimonial its own box
                rows = []
                for para in p.testimonial:
                    rows += hard_wrap(para, cols, rng, indent=2)
                for r in rows:
                    if rng.random() < 0.5:
                        digit_space(r, rng)
                if bold:
                    faux_bold(rows, rng)
                elif len(rows) > 3 and rng.random() < 0.3:
                    letterspaced(rows[rng.randint(0, len(rows) - 2)])
                if rng.random() < 0.3:
                    rows[-1].tight = True          # the name follows without a blank line
                bodies.append(rows)
            sig_cols = rng.randint(12, 40)
            sigs = [signature(p, sig_cols, rng) for p in page]
            rows, first_sig = (testimonial_grouped if grouped else testimonial_single)(bodies, sigs)
            orn = self.page_ornaments()
            if orn:
                pos = self.choices["ornament_position"]
                if pos == "before_names":
                    rows[first_sig - 1].loose = True
                    rows = rows[:first_sig] + orn + rows[first_sig:]
                elif pos == "after_names":
                    rows[-1].loose = True
                    rows = rows + orn
                else:
                    rows = orn + rows
            self.new_frame(rows)

    def page_ornaments(self) -> list[Row]:
        if self.ornaments_done and not self.choices["ornaments_every_page"]:
            return []
        rows = slogan_ornament(self.issue, self.rng)
        if self.choices["ornaments_every_page"] or not self.year_done:
            rows = year_ornament(self.issue) + rows
        self.ornaments_done = True
        return rows

    # -------------------------------------------------- the issue
    def run(self) -> list[Frame]:
        issue, rng = self.issue, self.rng
        self.year_done = False
        if issue.masthead:
            self.frames.append(masthead(issue, rng))
        for u in issue.units:
            if u.kind == "caption":
                self.frames.append(photo_caption(u.text))
                if not self.year_done and not self.choices["ornaments_every_page"] and issue.ornaments.get("years"):
                    self.frames.append(Frame(year_ornament(issue)))
                    self.year_done = True
            elif u.kind == "roster":
                self.roster(u)
            elif u.kind == "testimonials":
                self.testimonials(u)
            else:
                self.text_unit(u)
        return self.frames


def render(frames: list[Frame], rng: random.Random) -> tuple[str, dict[str, list[int]]]:
    """Frames -> raw text; the sites (1-based raw lines) of every tag."""
    out: list[str] = []
    sites: dict[str, list[int]] = {}

    def emit(text: str, tags: set[str]) -> None:
        out.append(text)
        for t in tags:
            sites.setdefault(t, []).append(len(out))

    for fr in frames:
        if fr.folio:
            if out and out[-1] != "":
                out.append("")
            emit(fr.folio, {"folio"})
            out += ["", "", ""]
        for k, row in enumerate(fr.rows):
            tags = set(row.tags)
            text = row.text
            if k == 0 and fr.lead:
                text = frame_lead(text)
                tags.add("frame_lead")
            last = k == len(fr.rows) - 1
            blank = not last and (row.loose or (fr.spacing == "every" and not row.tight))
            if blank:
                tags.add("blank_lines")
            emit(text, tags)
            if blank:
                out.append("")
    return "\n".join(out) + "\n", sites


def generate(issue: Issue | str | Path, seed: int = 0) -> Raw:
    """The raw text of ``issue`` (an Issue, or the name/path of an issue YAML) for ``seed``."""
    if not isinstance(issue, Issue):
        p = Path(issue)
        issue = load_issue(p if p.suffix else ISSUES / f"{p}.yaml")
    layout = Layout(issue, seed)
    frames = layout.run()
    text, sites = render(frames, layout.rng)
    return Raw(text, issue, seed, sites, ornament_texts(issue), dict(layout.choices))


def issue_paths() -> list[Path]:
    return sorted(ISSUES.glob("*.yaml"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("issue", help="an issue YAML, or the name of one under tests/unseen/issues/")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sites", action="store_true", help="list where each family was applied, not the text")
    args = ap.parse_args(argv)
    raw = generate(args.issue, args.seed)
    if args.sites:
        for name in FAMILIES:
            print(f"{name:20} {raw.sites.get(name, [])[:12]}")
    else:
        sys.stdout.write(raw.text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
