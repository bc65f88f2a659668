"""The audit's public vocabulary: issue kinds, the line-start and line-end
rules it checks, an issue and the report."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Callable, Mapping, Sequence, Union


#: Every issue kind, in the order the summary table lists them.
KINDS: tuple[str, ...] = (
    "justify",
    "forbidden-start",
    "forbidden-end",
    "overflow",
    "overlap",
    "lone-char",
    "orphan",
    "widow",
)

#: Kinds that make :func:`cli_audit` return 1.  They break clreq outright or
#: cut text at the trim; lone characters and stranded lines are warnings.
ERROR_KINDS: frozenset[str] = frozenset(
    {"justify", "forbidden-start", "forbidden-end", "overflow", "overlap"}
)

# clreq 3.1.7 行首禁则: 点号, closing quotes/brackets/book-title marks,
# connectors, interpuncts, separators; plus small kana / iteration marks
# (jlreq) and the half-width closers a mixed line can carry.
NO_LINE_START: frozenset[str] = frozenset(
    "，。、；：？！）」』》〉】〕］｝〗〙〛”’·・‧･%‰℃°′″～〜–／"
    ",.;:?!)]}"
    "︐︑︒︓︔︕︖︘︶︸︺︼︾﹀﹂﹄﹈"  # vertical presentation forms (vertical titles)
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々ゝゞヽヾー"
)
# clreq 行尾禁则: opening quotes/brackets/book-title marks.
NO_LINE_END: frozenset[str] = frozenset("（「『《〈【〔［｛〖〘〚“‘([{" "︗︵︷︹︻︽︿﹁﹃﹇")
# 破折号/省略号 are two-em units that must not be split: a line that starts
# with a *single* one of these shows the pair was broken across lines.
UNSPLITTABLE: frozenset[str] = frozenset("…—―")
# What may trail the one real character of a lone last line ("字。" is lone).
_TRAILING_PUNCT = NO_LINE_START | UNSPLITTABLE

Rect = tuple[float, float, float, float]  # x0, top, x1, bottom (pt)
Margins = tuple[float, float, float, float]  # top, right, bottom, left (pt)
FramesArg = Union[None, Sequence[Rect], Mapping[int, Sequence[Rect]], Callable[[int], Sequence[Rect]]]
MarginsArg = Union[None, Margins, Mapping[int, Margins], Callable[[int], Margins]]


@dataclass
class Issue:
    """One problem on one line.

    ``page`` is 1-based; ``line`` is the 1-based position of the line among
    the page's text lines sorted top to bottom, then left to right (running
    heads and folios included, so the number matches what a reader counts).
    ``value`` carries the measurement behind the verdict where there is one:
    the shortfall in pt for ``justify`` (negative = line sticks out past the
    edge), the distance outside the frame in pt for ``overflow``.
    """

    page: int
    line: int
    kind: str
    detail: str
    text: str
    value: float | None = None


@dataclass
class AuditReport:
    """Everything :func:`audit_pdf` found, plus how much it looked at.

    The counters matter as much as the issues: an audit that checked zero
    justified lines says nothing about justification, and a test or CI job
    can assert it actually looked.
    """

    path: str
    pages: int = 0
    issues: list[Issue] = field(default_factory=list)
    lines_checked: int = 0
    justified_lines_checked: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Issues per kind, every known kind present (zero when clean)."""
        c = Counter(i.kind for i in self.issues)
        return {k: c.get(k, 0) for k in KINDS}

    @property
    def has_errors(self) -> bool:
        """True when an issue of an :data:`ERROR_KINDS` kind exists."""
        return any(i.kind in ERROR_KINDS for i in self.issues)

    def by_kind(self, kind: str) -> list[Issue]:
        """The issues of one kind, in page order."""
        return [i for i in self.issues if i.kind == kind]

    def summary_table(self) -> str:
        """Plain-text ``kind | count`` table, fixed width, ends with a total."""
        counts = self.counts
        width = max(len(k) for k in (*KINDS, "total"))
        rows = [f"{'kind':<{width}} | count", f"{'-' * width}-+------"]
        rows += [f"{k:<{width}} | {n:>5}" for k, n in counts.items()]
        rows.append(f"{'-' * width}-+------")
        rows.append(f"{'total':<{width}} | {sum(counts.values()):>5}")
        return "\n".join(rows)

    def to_dict(self) -> dict:
        """JSON-ready dict (for ``--json`` output or build manifests)."""
        return {
            "path": self.path,
            "pages": self.pages,
            "lines_checked": self.lines_checked,
            "justified_lines_checked": self.justified_lines_checked,
            "counts": self.counts,
            "issues": [asdict(i) for i in self.issues],
        }


