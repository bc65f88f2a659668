"""The issue's own data: title, subtitle, issue number, date, publisher.

Magazines print them on the cover or a masthead: a first text frame of
short lines, one of them the issue number (``2023年第3期``, ``总第215期``).
The publisher's name is printed with the issue number (the line just above
it); a line that is only a month (``2023年3月``) is the date; the others,
in order, are the title and the subtitle.

An issue that prints no masthead (the seed starts on its first page of
text) still needs a title for booklet.yaml: :func:`guess_meta` takes it
from the content and says so, and takes the month from the latest full
date in the text; what cannot be guessed (issue number, publisher) stays
empty. Every guess is an uncertain entry of the import report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .clean import Change, Line, display_width, strip_cjk_spaces

_ISSUE = re.compile(r"^(?:\d{4}\s*年\s*)?(?:总\s*)?第\s*\d+\s*期(?:\s*[（(]\s*总\s*第\s*\d+\s*期\s*[）)])?$")
_MONTH = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$")
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")

KEYS = ("title", "subtitle", "issue", "date", "publisher")


@dataclass
class IssueMeta:
    title: str = ""
    subtitle: str = ""
    issue: str = ""
    date: str = ""
    publisher: str = ""
    lines: dict[str, int] = field(default_factory=dict)      # key -> raw line it was printed on
    guessed: dict[str, str] = field(default_factory=dict)    # key -> how it was guessed (or why it is empty)

    def values(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in KEYS if getattr(self, k)}


def read_masthead(frame: list[Line]) -> IssueMeta | None:
    """The issue's data from a masthead frame, or None when the frame is not one."""
    if not 2 <= len(frame) <= 8 or any(l.vertical or re.search(r"[。！？，、；：]", l.text) or display_width(l.text) > 30
                                        for l in frame):
        return None
    texts = [strip_cjk_spaces(l.text) for l in frame]
    k = next((i for i, t in enumerate(texts) if _ISSUE.match(t.replace(" ", ""))), None)
    if k is None:
        return None
    meta = IssueMeta(issue=texts[k].replace(" ", ""), lines={"issue": frame[k].n})
    rest = [i for i in range(len(frame)) if i != k]
    for i in list(rest):
        if _MONTH.match(texts[i].replace(" ", "")):
            meta.date, meta.lines["date"] = texts[i].replace(" ", ""), frame[i].n
            rest.remove(i)
            break
    if k - 1 in rest:
        meta.publisher, meta.lines["publisher"] = texts[k - 1], frame[k - 1].n
        rest.remove(k - 1)
    for key, i in zip(("title", "subtitle"), rest):
        setattr(meta, key, texts[i])
        meta.lines[key] = frame[i].n
    if len(rest) > 2:
        meta.subtitle = " ".join(texts[i] for i in rest[1:])
    return meta


def guess_meta(meta: IssueMeta | None, units: list, groups: list[str], lines: list[Line]) -> IssueMeta:
    """Fill what the masthead did not print: a title from the content, the month of
    the latest full date in the text; issue number and publisher stay empty."""
    meta = meta or IssueMeta()
    if not meta.title:
        first = next((u.title for u in units if u.title and u.kind not in ("roster", "testimonials", "caption")), "")
        meta.title = first or (groups[0] if groups else "")
        meta.guessed["title"] = ("not printed: the title of the first unit" if first else
                                 "not printed: the name of the first group" if meta.title else "not printed")
    if not meta.date:
        dates = Counter((int(y), int(m)) for l in lines for y, m in _FULL_DATE.findall(l.text) if 1 <= int(m) <= 12)
        if dates:
            y, m = max(dates)
            meta.date = f"{y}年{m}月"
            meta.guessed["date"] = "not printed: the month of the latest date in the text"
        else:
            meta.guessed["date"] = "not printed and no date in the text"
    for key in ("issue", "publisher"):
        if not getattr(meta, key):
            meta.guessed[key] = "not printed"
    return meta


def meta_changes(meta: IssueMeta, printed: bool = True, guessed: bool = True) -> list[Change]:
    """Report entries: what the masthead printed, and every guess (uncertain)."""
    out = []
    for key in KEYS:
        value = getattr(meta, key)
        if key in meta.guessed:
            if not guessed:
                continue
            out.append(Change("issue_meta", 0, "", f"{key}: {value}" if value else f"{key}: (empty)", uncertain=True,
                              note=f"{meta.guessed[key]}; set it in booklet.yaml"))
        elif value and printed:
            out.append(Change("masthead", meta.lines.get(key, 0), value, f"{key}: {value}",
                              note="printed on the masthead"))
    return out
