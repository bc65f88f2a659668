"""Which file and line of the project a line of the booklet's stylesheet came from.

WeasyPrint reports a CSS mistake by its line in the stylesheet it parsed,
but that stylesheet is fonts.css, page.css and booklet.css rendered through
Jinja and joined into the HTML's <style>: "Ignored `colr: red` at 212:3"
points at nothing a designer can open. Each part remembers, line by line,
the template line it came from, so the message can say
`layouts/booklet.css, line 12` instead.

Template lines are matched to rendered lines in two passes. difflib first
pairs the lines that are the same on both sides (a stylesheet is mostly
literal text). Between those anchors, each template line becomes a pattern
(its {{ values }} match anything, a line of {% statements %} or {# comments #}
renders nothing) and the rendered lines take the next template line whose
pattern they match, or an earlier one, which is a {% for %} repeating.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_AT = re.compile(r"\bat (\d+):(\d+)\b")
_SILENT = re.compile(r"\{#.*?#\}|\{%.*?%\}", re.S)
_VALUE = re.compile(r"\{\{.*?\}\}")


def _patterns(source: str) -> list[re.Pattern | None]:
    """Per template line, what its output looks like; None if it renders nothing."""
    blanked = _SILENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    patterns: list[re.Pattern | None] = []
    for line, left in zip(source.split("\n"), blanked.split("\n")):
        if not left.strip() and line.strip():
            patterns.append(None)
        else:
            patterns.append(re.compile(".*?".join(re.escape(p) for p in _VALUE.split(left.strip()))))
    return patterns


def line_origins(source: str, rendered: str) -> list[int]:
    """For each line of *rendered*, the 1-based line of *source* it came from."""
    src, out = source.split("\n"), rendered.split("\n")
    patterns = _patterns(source)
    origins = [0] * len(out)
    matcher = difflib.SequenceMatcher(None, [s.strip() for s in src], [o.strip() for o in out], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(j2 - j1):
                origins[j1 + k] = i1 + k + 1
            continue
        pos = i1
        for j in range(j1, j2):
            text = out[j].strip()

            def fits(k: int) -> bool:
                return patterns[k] is not None and patterns[k].fullmatch(text) is not None
            k = next((k for k in range(pos, i2) if fits(k)), None)
            if k is None:
                k = next((k for k in range(pos - 1, i1 - 1, -1) if fits(k)), None)
            if k is None:
                k = min(pos, i2 - 1) if i2 > i1 else max(i1 - 1, 0)
            origins[j] = k + 1
            pos = k + 1
    return origins


@dataclass
class Part:
    label: str            # what to call the file in a message: layouts/booklet.css, …
    first: int            # 1-based line of the merged stylesheet where this part starts
    origins: list[int]


class RenderedCss(str):
    """The merged stylesheet, knowing where each of its lines came from."""

    parts: tuple[Part, ...] = ()

    @classmethod
    def join(cls, pieces: list[tuple[str, str, str]]) -> "RenderedCss":
        """*pieces*: (label, template source, rendered text), in order."""
        css = cls("\n".join(text for _, _, text in pieces))
        parts, first = [], 1
        for label, source, text in pieces:
            parts.append(Part(label, first, line_origins(source, text)))
            first += text.count("\n") + 1
        css.parts = tuple(parts)
        return css

    def where(self, line: int) -> str | None:
        """'layouts/booklet.css, line 12' for a line of the merged stylesheet."""
        for part in reversed(self.parts):
            if line >= part.first:
                k = line - part.first
                return f"{part.label}, line {part.origins[k]}" if k < len(part.origins) else None
        return None


def locate_warnings(messages: list[str], html: str, css: str) -> list[str]:
    """WeasyPrint's messages with 'at LINE:COL' in the booklet's stylesheet
    replaced by the project file and line it came from."""
    if not isinstance(css, RenderedCss) or not css.parts:
        return messages
    start = html.find(css)
    opening = html.rfind("<style", 0, start) if start >= 0 else -1
    if opening < 0:
        return messages
    offset = html.count("\n", html.find(">", opening) + 1, start)   # <style> text lines before the stylesheet

    def replace(m: re.Match) -> str:
        where = css.where(int(m.group(1)) - offset)
        return f"at {where}" if where else m.group(0)
    return [_AT.sub(replace, msg) for msg in messages]
