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
    """Read corrections.yaml (missing file: no corrections)."""
    if not path.is_file():
        return Corrections()
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BookletError(f"cannot read the corrections file: {exc}", where=where) from None
    if not isinstance(data, dict):
        raise BookletError("the corrections file must be a mapping with a 'corrections:' list", where=where)
    out = Corrections(raw_sha256=str(data.get("raw_sha256") or ""), path=where)
    for i, entry in enumerate(data.get("corrections") or [], 1):
        if not isinstance(entry, dict):
            raise BookletError(f"correction #{i} must be a mapping", where=where)
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
            raise BookletError(f"correction #{i} has unknown keys: {', '.join(sorted(extra))}", where=where)
        c = Correction(kind, args, str(entry.get("reason") or ""), str(entry.get("expect") or ""), i)
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
        if key in c.args and not isinstance(c.args[key], int):
            raise BookletError(f"correction #{c.index} ({c.kind}): '{key}' must be a line number", where=where)
    if c.kind in ("unit_meta", "editor_meta"):
        bad = set(c.args) - META_KEYS - {"source_line"}
        if bad:
            raise BookletError(f"correction #{c.index} (unit_meta): unknown keys {', '.join(sorted(bad))}", where=where,
                               hint=f"known: {', '.join(sorted(META_KEYS))}")


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
                f"but it reads '{got[:40]}'", where=corr.path or "corrections.yaml",
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
                               where=corr.path or "corrections.yaml")
        block[0] = replace(block[0], lead=False, gap=True)
        lines = rest[:idx + 1] + block + rest[idx + 1:]
        changes.append(Change("correction:move_lines", first, f"lines {first}–{last}", f"moved after line {after}",
                              note=c.reason))
    return lines, changes
