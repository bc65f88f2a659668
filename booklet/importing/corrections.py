"""Editor corrections: explicit decisions the cleaner cannot take from structure.

They live in ``content/corrections.yaml`` and are applied on every import,
so re-importing the raw text never loses an editor's decision. Each entry
names the raw source line it is about, may carry ``expect:`` (the start of
that raw line, to catch a changed raw file) and should say ``reason:``::

    raw_sha256: 3f2a…            # optional: the raw file these lines refer to
    corrections:
      - move_lines: {first: 3212, last: 3254, after: 3166}
        reason: …
      - split_title_block: {source_line: 1155}      # a new title group starts here
      - unit_start: {source_line: 1123}             # a unit starts at this paragraph
      - testimonial_owner: {source_line: 2381, honouree: 张建华}
      - unit_meta: {source_line: 25, date: 2020-11-24, place: 北京人民大会堂, title: …}
      - paragraph_break: {after: 538}                 # a paragraph (or heading) ends after this line
      - join_paragraphs: {after: 1271}                # no paragraph break after this line
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .clean import Change, Line
from ..content import TextLoader, load_text_yaml
from ..errors import BookletError

KINDS = {"move_lines", "split_title_block", "unit_start", "testimonial_owner", "unit_meta", "editor_meta", "paragraph_break",
         "join_paragraphs"}
META_KEYS = {"title", "subtitle", "author", "affiliation", "date", "place", "kind", "section", "note", "vertical_title"}


@dataclass
class Correction:
    kind: str
    args: dict
    reason: str = ""
    expect: str = ""
    index: int = 0           # position in the file, for messages
    line: int = 0            # line of the entry in corrections.yaml, for messages

    @property
    def source_line(self) -> int:
        return int(self.args.get("source_line") or self.args.get("first") or self.args.get("after") or 0)

    def describe(self) -> str:
        args = ", ".join(f"{k}: {v}" for k, v in self.args.items())
        return f"{self.kind} {{{args}}}"


@dataclass
class Corrections:
    items: list[Correction] = field(default_factory=list)
    raw_sha256: str = ""
    path: str = ""

    def of(self, kind: str) -> list[Correction]:
        return [c for c in self.items if c.kind == kind]

    def unit_starts(self) -> dict[int, Correction]:
        return {c.source_line: c for c in self.of("unit_start")}

    def title_splits(self) -> dict[int, Correction]:
        return {c.source_line: c for c in self.of("split_title_block")}

    def owners(self) -> dict[int, Correction]:
        return {c.source_line: c for c in self.of("testimonial_owner")}

    def meta(self) -> list[Correction]:
        """unit_meta (metadata the source prints out of place) and editor_meta
        (metadata the editor supplies that the source does not print), in file order."""
        return [c for c in self.items if c.kind in ("unit_meta", "editor_meta")]

    def forced_breaks(self) -> dict[int, bool]:
        out = {c.args["after"]: True for c in self.of("paragraph_break")}
        out.update({c.args["after"]: False for c in self.of("join_paragraphs")})
        return out


def load_corrections(path: Path) -> Corrections:
    """Read corrections.yaml (missing file: no corrections).

    Editors write this file by hand, so every problem names the line of the
    entry (or of the argument) it is about.
    """
    if not path.is_file():
        return Corrections()
    rel = f"{path.parent.name}/{path.name}"
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BookletError("the file is not UTF-8 text", where=f"{rel}, line {line}",
                           hint="save it as UTF-8 in your editor") from None
    try:
        root = yaml.compose(text, Loader=TextLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BookletError(f"not valid YAML: {exc.problem or exc.context}",
                           where=f"{rel}, line {mark.line + 1 if mark else 1}") from None
    out = Corrections(path=rel)
    if root is None:
        return out

    def at(node: yaml.Node) -> str:
        return f"{rel}, line {node.start_mark.line + 1}"

    if not isinstance(root, yaml.MappingNode):
        raise BookletError("the corrections file must be a mapping with a 'corrections:' list", where=at(root))
    top = {str(k.value): (k, v) for k, v in root.value}
    extra = set(top) - {"raw_sha256", "corrections"}
    if extra:
        name = sorted(extra)[0]
        raise BookletError(f"unknown key '{name}' (known: raw_sha256, corrections)", where=at(top[name][0]))
    if "raw_sha256" in top:
        out.raw_sha256 = str(load_text_yaml(yaml.serialize(top["raw_sha256"][1])) or "")
    entries = top.get("corrections", (None, None))[1]
    if entries is None or (isinstance(entries, yaml.ScalarNode) and entries.value in ("", "~", "null")):
        return out
    if not isinstance(entries, yaml.SequenceNode):
        raise BookletError("'corrections' must be a list, one '- kind: {…}' entry per correction", where=at(entries))
    for i, enode in enumerate(entries.value, 1):
        line = enode.start_mark.line + 1
        where = f"{rel}, line {line}"
        if not isinstance(enode, yaml.MappingNode):
            raise BookletError(f"correction #{i} must be a mapping", where=where)
        entry = load_text_yaml(yaml.serialize(enode))
        kinds = [k for k in entry if k in KINDS]
        if len(kinds) != 1:
            raise BookletError(f"correction #{i} must have exactly one of {', '.join(sorted(KINDS))}", where=where)
        kind = kinds[0]
        args = entry[kind]
        if not isinstance(args, dict):
            raise BookletError(f"correction #{i} ({kind}) needs a mapping of arguments", where=where)
        args = {k: (v.isoformat() if isinstance(v, _dt.date) else v) for k, v in args.items()}
        extra = set(entry) - {kind, "reason", "expect"}
        if extra:
            raise BookletError(f"correction #{i} has unknown keys: {', '.join(sorted(map(str, extra)))}", where=where)
        c = Correction(kind, args, str(entry.get("reason") or ""), str(entry.get("expect") or ""), i, line)
        _validate(c, where)
        out.items.append(c)
    return out


def _validate(c: Correction, where: str) -> None:
    need = {
        "move_lines": ("first", "last", "after"),
        "split_title_block": ("source_line",),
        "unit_start": ("source_line",),
        "testimonial_owner": ("source_line", "honouree"),
        "unit_meta": ("source_line",),
        "editor_meta": ("source_line",),
        "paragraph_break": ("after",),
        "join_paragraphs": ("after",),
    }[c.kind]
    for key in need:
        if key not in c.args:
            raise BookletError(f"correction #{c.index} ({c.kind}) is missing '{key}'", where=where)
    for key in ("first", "last", "after", "source_line"):
        if key in c.args and (not isinstance(c.args[key], int) or isinstance(c.args[key], bool)):
            raise BookletError(f"correction #{c.index} ({c.kind}): '{key}' must be a line number", where=where)
    if c.kind in ("unit_meta", "editor_meta"):
        bad = set(c.args) - META_KEYS - {"source_line"}
        if bad:
            raise BookletError(f"correction #{c.index} ({c.kind}): unknown keys {', '.join(sorted(map(str, bad)))}",
                               where=where, hint=f"known: {', '.join(sorted(META_KEYS))}")


def _where(corr: Corrections, c: Correction) -> str:
    return f"{corr.path or 'corrections.yaml'}" + (f", line {c.line}" if c.line else "")


def check_expectations(corr: Corrections, raw_lines: dict[int, str]) -> None:
    """Every ``expect:`` must match the start of its raw line (raw file unchanged)."""
    for c in corr.items:
        if not c.expect:
            continue
        line = c.source_line
        got = raw_lines.get(line, "").strip()
        if not got.replace(" ", "").startswith(c.expect.replace(" ", "")):
            raise BookletError(
                f"correction #{c.index} ({c.kind}) expects line {line} to start with '{c.expect}', "
                f"but it reads '{got[:40]}'", where=_where(corr, c),
                hint="the raw text changed since the correction was written; update the line numbers")


def apply_line_moves(lines: list[Line], corr: Corrections) -> tuple[list[Line], list[Change]]:
    """``move_lines``: put raw lines first..last after line ``after`` (text printed out of order)."""
    changes: list[Change] = []
    for c in corr.of("move_lines"):
        first, last, after = c.args["first"], c.args["last"], c.args["after"]
        block = [l for l in lines if first <= l.n <= last]
        rest = [l for l in lines if not first <= l.n <= last]
        idx = next((i for i, l in enumerate(rest) if l.n == after), None)
        if not block or idx is None:
            raise BookletError(f"correction #{c.index} (move_lines) refers to lines that do not exist",
                               where=_where(corr, c))
        block[0] = replace(block[0], lead=False, gap=True)
        lines = rest[:idx + 1] + block + rest[idx + 1:]
        changes.append(Change("correction:move_lines", first, f"lines {first}–{last}", f"moved after line {after}",
                              note=c.reason))
    return lines, changes
