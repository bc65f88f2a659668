"""Reading content/: unit files (Markdown + YAML front matter) and honourees.

The format is deliberately tiny (see docs/content-format.md) so an editor can
fix it in any text editor and diffs stay readable. Every problem is reported
with the file and line, because editors will break these files by hand.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from .config import SafeLoader
from .errors import BookletError

KINDS = ("news", "speech", "article", "quote", "roster", "testimonials", "editors-note", "caption")
#: Older projects wrote the group of a roster, a testimonials unit or a person as `honour:`.
ALIASES = {"honour": "group"}



@dataclass
class Block:
    kind: str          # "p", "h2", "attribution", "figure"
    text: str
    line: int          # line in the unit file
    src: str = ""      # figure image path


@dataclass
class UnitMeta:
    """What a unit's front matter says about it.

    `booklet import` finds these in the raw text (segment.Unit) and writes
    them out; the build reads them back (UnitContent): one list of fields
    for both sides, in the order the front matter is written.
    """
    kind: str
    title: str = ""
    subtitle: str = ""
    author: str = ""
    affiliation: str = ""
    date: str = ""
    place: str = ""
    vertical_title: bool = False
    section: str = ""
    group: str = ""
    note: str = ""


META_FIELDS = tuple(f.name for f in fields(UnitMeta))
#: Front matter only an editor writes (import cannot know them), and the import's provenance.
EDITOR_FIELDS = ("start", "photo", "caption")
FRONT_KEYS = {*META_FIELDS, *EDITOR_FIELDS, "source_lines", *ALIASES}


@dataclass(kw_only=True)
class UnitContent(UnitMeta):
    path: Path
    id: str
    start: str = ""            # "right" to start on a recto page
    photo: str = ""
    caption: str = ""
    blocks: list[Block] = field(default_factory=list)
    body_line: int = 1         # first line of the body in the file

    def text_lines(self) -> list[tuple[int, str]]:
        """(file line, text) of everything this unit will print, for glyph checks."""
        out = []
        for key in ("title", "subtitle", "author", "affiliation", "place", "caption", "section"):
            v = getattr(self, key)
            if v:
                out.append((1, v))
        out.extend((b.line, b.text) for b in self.blocks)
        return out


@dataclass
class HonoureeMeta:
    """What honourees.yaml says of a person: found by `booklet import`
    (segment.Honouree), read back by the build (Honouree)."""
    id: str
    name: str
    group: str = ""            # empty: a person listed without a group
    gender: str = ""
    ethnicity: str = ""
    affiliation: str = ""
    post: str = ""
    testimonial: list[str] = field(default_factory=list)   # paragraphs


@dataclass(kw_only=True)
class Honouree(HonoureeMeta):
    portrait: str = ""
    portrait_focus: str = ""   # CSS object-position, "50% 20%": the point of the photo kept in the frame
    line: int = 0
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.field_lines.get(key, self.line)

    @property
    def annotation(self) -> str:
        parts = [p for p in (self.gender, self.ethnicity) if p]
        return f"（{'，'.join(parts)}）" if parts else ""


HONOUREE_KEYS = {*(f.name for f in fields(HonoureeMeta)), "portrait", "portrait_focus", "source_lines", *ALIASES}
_FOCUS = re.compile(r"(\d+(?:\.\d+)?)%\s+(\d+(?:\.\d+)?)%")


@dataclass
class Content:
    units: list[UnitContent]
    honourees: list[Honouree]

    def honourees_for(self, group: str) -> list[Honouree]:
        """The people of *group*, in the order of honourees.yaml; with "" those listed without one."""
        return [h for h in self.honourees if h.group == group]


class TextLoader(SafeLoader):
    """YAML as editors mean it in content files: a date stays the text written.

    The safe loader turns ``date: 2020-11-24`` into a date object and fails
    with a bare ValueError on ``2020-13-45``; every value booklet prints is
    text, so the timestamp rule is left out.
    """


TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in rules if tag != "tag:yaml.org,2002:timestamp"]
    for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_text_yaml(text: str):
    return yaml.load(text, Loader=TextLoader)


_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
_FIGURE = re.compile(r"^!\[(?P<cap>[^\]]*)\]\((?P<src>[^)\s]+)\)\s*$")


def _read_text(path: Path, rel: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BookletError("file not found", where=rel) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BookletError("the file is not UTF-8 text", where=f"{rel}, line {line}",
                           hint="save it as UTF-8 (iconv -f GBK -t UTF-8 can convert GBK files)") from None


def parse_unit(path: Path, root: Path) -> UnitContent:
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
    text = _read_text(path, rel).replace("\r\n", "\n")
    m = _FRONT.match(text)
    if not m:
        raise BookletError("the file must start with YAML front matter between '---' lines",
                           where=f"{rel}, line 1", hint="add '---', 'kind: article', 'title: …', '---' at the top")
    try:
        meta = load_text_yaml(m.group(1)) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 2 if mark else 2
        raise BookletError(f"the front matter is not valid YAML: {exc.problem}", where=f"{rel}, line {line}") from None
    if not isinstance(meta, dict):
        raise BookletError("the front matter must be 'key: value' lines", where=f"{rel}, line 2")
    fm_lines = m.group(1).split("\n")

    def key_line(key: str) -> int:
        for i, ln in enumerate(fm_lines):
            if ln.startswith(f"{key}:"):
                return i + 2
        return 2

    for key in meta:
        if key not in FRONT_KEYS:
            close = difflib.get_close_matches(str(key), sorted(FRONT_KEYS), n=1)
            raise BookletError(f"unknown front matter key '{key}'", where=f"{rel}, line {key_line(key)}",
                               hint=f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(FRONT_KEYS))}")
    _apply_aliases(meta)
    kind = meta.get("kind")
    if kind not in KINDS:
        close = difflib.get_close_matches(str(kind), KINDS, n=1)
        raise BookletError(f"'kind' must be one of {', '.join(KINDS)}, got {kind!r}", where=f"{rel}, line {key_line('kind')}",
                           hint=f"did you mean '{close[0]}'?" if close else None)
    unit = UnitContent(path=path, id=_slug(path.stem), kind=kind)
    for key in (*META_FIELDS, *EDITOR_FIELDS):
        if key in ("kind", "vertical_title"):
            continue
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, (dict, list)):
            raise BookletError(f"'{key}' must be a single line of text", where=f"{rel}, line {key_line(key)}")
        setattr(unit, key, str(value).strip())
    vt = meta.get("vertical_title", False)
    if not isinstance(vt, bool):
        raise BookletError("'vertical_title' must be true or false", where=f"{rel}, line {key_line('vertical_title')}")
    unit.vertical_title = vt
    if unit.start not in ("", "right", "left", "any"):
        raise BookletError("'start' must be right, left or any", where=f"{rel}, line {key_line('start')}")
    body_start = text[: m.end()].count("\n") + 1
    unit.body_line = body_start
    unit.blocks = parse_body(text[m.end():], body_start, rel)
    return unit


def parse_body(body: str, first_line: int, rel: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    para_line = first_line

    def flush() -> None:
        if para:
            blocks.append(Block("p", "".join(s.strip() for s in para), para_line))
            para.clear()

    for i, line in enumerate(body.split("\n")):
        lineno = first_line + i
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("## "):
            flush()
            blocks.append(Block("h2", stripped[3:].strip(), lineno))
        elif stripped.startswith("> "):
            flush()
            blocks.append(Block("attribution", stripped[2:].strip(), lineno))
        elif stripped.startswith("!["):
            flush()
            fm = _FIGURE.match(stripped)
            if not fm:
                raise BookletError("a photo line must look like ![caption](images/file.jpg)", where=f"{rel}, line {lineno}")
            blocks.append(Block("figure", fm.group("cap"), lineno, src=fm.group("src")))
        elif stripped.startswith("#"):
            raise BookletError("only '## ' section headings are allowed in a unit body (the title lives in the front matter)",
                               where=f"{rel}, line {lineno}")
        else:
            if not para:
                para_line = lineno
            para.append(stripped)
    flush()
    return blocks


def _front_line(path: Path, keys: tuple[str, ...]) -> int:
    """The line of the first of *keys* in a unit's front matter (for messages)."""
    for i, ln in enumerate(path.read_text("utf-8-sig").split("\n")[1:], 2):
        if ln.startswith("---"):
            break
        if ln.split(":", 1)[0].strip() in keys:
            return i
    return 1


def _apply_aliases(mapping: dict) -> None:
    for old, new in ALIASES.items():
        if old in mapping and new not in mapping:
            mapping[new] = mapping.pop(old)


def _slug(stem: str) -> str:
    s = re.sub(r"[^0-9A-Za-z_-]+", "-", stem).strip("-")
    return s or "unit"


def load_honourees(path: Path, root: Path) -> list[Honouree]:
    if not path.is_file():
        return []
    rel = str(path.relative_to(root))
    text = _read_text(path, rel)
    try:
        node = yaml.compose(text, Loader=TextLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise BookletError(f"not valid YAML: {exc.problem}", where=f"{rel}, line {mark.line + 1 if mark else 1}") from None
    if node is None:
        return []
    data = load_text_yaml(text)
    if not isinstance(data, dict) or set(data) != {"honourees"} or not isinstance(data["honourees"], list):
        raise BookletError("the file must hold one key, 'honourees:', with a list of people", where=f"{rel}, line 1")
    seq = next(v for k, v in node.value if k.value == "honourees")
    out: list[Honouree] = []
    ids: set[str] = set()
    for item, inode in zip(data["honourees"], seq.value):
        line = inode.start_mark.line + 1
        where = f"{rel}, line {line}"
        if not isinstance(item, dict) or not isinstance(inode, yaml.MappingNode):
            raise BookletError("each honouree must be a mapping (id:, name:, group:, …)", where=where)
        field_lines: dict[str, int] = {}
        for knode, vnode in inode.value:
            key = str(knode.value)
            kline = knode.start_mark.line + 1
            if key in field_lines:
                raise BookletError(f"the key '{key}' appears twice for this honouree (first on line {field_lines[key]})",
                                   where=f"{rel}, line {kline}")
            field_lines[key] = kline
            if key not in HONOUREE_KEYS:
                close = difflib.get_close_matches(key, sorted(HONOUREE_KEYS), n=1)
                raise BookletError(f"unknown honouree key '{key}'", where=f"{rel}, line {kline}",
                                   hint=f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(HONOUREE_KEYS))}")
            if key != "source_lines" and not isinstance(vnode, yaml.ScalarNode):
                # A list or mapping where text belongs would print as Python syntax (or crash).
                shape = "list" if isinstance(vnode, yaml.SequenceNode) else "mapping"
                raise BookletError(f"'{key}' must be text, not a {shape}" if key == "testimonial" else
                                   f"'{key}' must be a single line of text, not a {shape}",
                                   where=f"{rel}, line {kline}",
                                   hint="write the testimonial as one block of text ('testimonial: |' and indented "
                                        "paragraphs separated by a blank line)" if key == "testimonial" else None)
        _apply_aliases(item)
        _apply_aliases(field_lines)

        def at(key: str) -> str:
            return f"{rel}, line {field_lines.get(key, line)}"
        for req in ("id", "name"):
            if not item.get(req):
                raise BookletError(f"honouree is missing '{req}'", where=where)
        hid = str(item["id"])
        if hid in ids:
            raise BookletError(f"honouree id '{hid}' is used twice", where=at("id"))
        ids.add(hid)
        testimonial = str(item.get("testimonial") or "").strip()
        paras = [re.sub(r"\s*\n\s*", "", p).strip() for p in re.split(r"\n\s*\n", testimonial) if p.strip()]
        out.append(Honouree(
            id=hid, name=str(item["name"]).replace(" ", "").replace("\u3000", ""),
            group=str(item.get("group") or "").strip(),
            affiliation=str(item.get("affiliation") or ""), post=str(item.get("post") or ""),
            gender=str(item.get("gender") or ""), ethnicity=str(item.get("ethnicity") or ""),
            portrait=str(item.get("portrait") or "").strip(),
            portrait_focus=_portrait_focus(item.get("portrait_focus"), at("portrait_focus")),
            testimonial=paras, line=line, field_lines=field_lines,
        ))
    return out


def _portrait_focus(value, where: str) -> str:
    """'50% 20%' → the CSS object-position keeping that point of the photo in the frame.

    Portraits fill their frame and are cropped; by default around the upper
    middle, where faces are. Two percentages (across, then down) are all an
    editor needs, and anything else would reach the stylesheet unchecked.
    """
    if value is None or value == "":
        return ""
    m = _FOCUS.fullmatch(str(value).strip())
    if not m or not all(0 <= float(v) <= 100 for v in m.groups()):
        raise BookletError(f"'portrait_focus' must be two percentages, across then down, got {value!r}",
                           where=where,
                           hint="for example 'portrait_focus: 50% 20%' keeps the middle of the top fifth in the frame "
                                "(0% 0% is the top left corner, 100% 100% the bottom right)")
    return f"{float(m.group(1)):g}% {float(m.group(2)):g}%"


def load_content(root: Path, unit_paths: list[Path], honourees_file: str = "content/honourees.yaml",
                 memo: dict | None = None) -> Content:
    """*memo* (kept by a watching Builder) keeps what an unchanged file gave,
    known by the file's bytes (hashing is cheap next to parsing, and a file
    time can miss a same-size edit saved within its resolution): the
    honourees, whose YAML is the slowest part of reading the content, and
    each unit (a one-word edit parses one file again, not all)."""

    def stamp(path: Path):
        try:
            return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
        except OSError:
            return None                     # parse_unit says what is wrong

    def kept(kind: str, path: Path, read):
        if memo is None:
            return read()
        key = (kind, str(path), str(root), stamp(path))
        if key[3] is None:
            return read()
        if key not in memo:
            for old in [k for k in memo if k[:3] == key[:3]]:      # that file's earlier version
                del memo[old]
            memo[key] = read()
        return memo[key]

    units = [kept("unit", p, lambda p=p: parse_unit(p, root)) for p in unit_paths]
    path = root / honourees_file
    honourees = list(kept("honourees", path, lambda: tuple(load_honourees(path, root))))
    groups = list(dict.fromkeys(h.group for h in honourees if h.group))
    ungrouped = any(not h.group for h in honourees)
    for u in units:
        if u.kind not in ("roster", "testimonials"):
            continue
        where = str(u.path.relative_to(root)) if u.path.is_relative_to(root) else u.path.name
        if u.group and u.group not in groups:
            close = difflib.get_close_matches(u.group, groups, n=1)
            raise BookletError(f"this {u.kind} unit shows the group '{u.group}' but {honourees_file} lists nobody in it",
                               where=f"{where}, line {_front_line(u.path, ('group', *ALIASES))}",
                               hint=f"did you mean '{close[0]}'?" if close else
                               (f"its groups are {', '.join(groups)}" if groups else "add the people to honourees.yaml"))
        if not u.group and not ungrouped:
            raise BookletError(f"this {u.kind} unit has no 'group:', so it shows the people listed without a group, "
                               f"but everyone in {honourees_file} has one",
                               where=f"{where}, line {_front_line(u.path, ('kind',))}",
                               hint=f"add 'group: …' naming one of {', '.join(groups)}" if groups
                               else "add the people to honourees.yaml")
    return Content(units, honourees)
