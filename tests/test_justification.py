"""Justification of the whole sample, measured independently of booklet's audit.

booklet.pdf.audit proves the typography from glyph positions; this module
measures the same property with none of its code: glyphs read with
pdfplumber, lines grouped by their baseline (the text matrix), paragraphs
told apart by the two-em indent of their first line, and the column edges
taken from booklet.yaml's trim and mirrored margins (not from the text).
Every line of a paragraph but its last (and a paragraph going on over the
page counts as one) must start at the column's left edge (or two ems in) and
end at its right edge, within 0.5 pt.

A control renders the same kind of text with bare WeasyPrint on the same
page geometry and shows the measurement catching its ragged lines.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from booklet.config import load_config

MM = 72 / 25.4
FLUSH = 0.5          # pt


@dataclass
class TextLine:
    page: int
    baseline: float
    x0: float
    x1: float
    text: str
    font: str        # family of most of its glyphs, subset tag removed
    size: float


def read_lines(pdf_path: Path) -> list[list[TextLine]]:
    """Per page, the lines of text in reading order, in pt from the trim box's top-left corner."""
    with pikepdf.open(pdf_path) as doc:
        trims = [[float(v) for v in p.obj.get("/TrimBox", p.obj.MediaBox)] for p in doc.pages]
    pages = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, (page, trim) in enumerate(zip(pdf.pages, trims), 1):
            rows = defaultdict(list)
            for c in page.chars:
                if c["upright"] and c["text"].strip():
                    rows[round(trim[3] - c["matrix"][5], 1)].append(c)     # baseline, from the trim's top
            lines = []
            for baseline, chars in sorted(rows.items()):
                chars.sort(key=lambda c: c["x0"])
                font, size = Counter((c["fontname"].split("+")[-1], round(c["size"], 2)) for c in chars).most_common(1)[0][0]
                lines.append(TextLine(number, baseline, chars[0]["x0"] - trim[0], chars[-1]["x1"] - trim[0],
                                      "".join(c["text"] for c in chars), font, size))
            pages.append(lines)
            page.close()
    return pages


def columns(cfg, page: int, width: float) -> list[tuple[float, float]]:
    """(left, right) of each text column on *page* (1-based): mirrored margins,
    the gutter (inner margin) on the spine side, 2 em between columns."""
    inner, outer = cfg.margins.inner * MM, cfg.margins.outer * MM
    left, right = (outer, width - inner) if page % 2 == 0 else (inner, width - outer)
    n, gap = cfg.typography.columns, 2 * cfg.typography.body_size
    w = (right - left - (n - 1) * gap) / n
    return [(left + k * (w + gap), left + k * (w + gap) + w) for k in range(n)]


def body_lines(pages: list[list[TextLine]], cfg, font: str) -> list[tuple[TextLine, float, float]]:
    """Body-text lines (the body face at the body size) with the edges of their column."""
    size = cfg.typography.body_size
    width = cfg.trim.width * MM
    out = []
    for lines in pages[1:-1]:                     # not the covers
        for line in lines:
            if line.font != font or abs(line.size - size) > 0.01:
                continue
            for left, right in columns(cfg, line.page, width):
                if left - 2 <= line.x0 and line.x1 <= right + 2:
                    out.append((line, left, right))
    return out


def unflush(lines: list[tuple[TextLine, float, float]], size: float, leading: float):
    """(checked, problems): every line followed by the next line of its paragraph
    (flush left, one leading below, or first on the next page) must fill its column."""
    checked, problems = 0, []
    for (line, left, right), (nxt, nleft, _) in zip(lines, lines[1:]):
        continues = abs(nxt.x0 - nleft) <= FLUSH and (
            (nxt.page == line.page and 0 < nxt.baseline - line.baseline <= 1.3 * size * leading)
            or (nxt.page == line.page + 1 and nxt is next(l for l, *_ in lines if l.page == nxt.page)
                and line is [l for l, *_ in lines if l.page == line.page][-1]))
        if not continues:
            continue                              # the last line of a paragraph, a heading, a caption…
        checked += 1
        start_ok = abs(line.x0 - left) <= FLUSH or abs(line.x0 - left - 2 * size) <= FLUSH
        if not start_ok or abs(line.x1 - right) > FLUSH:
            problems.append(f"page {line.page}: starts {line.x0 - left:+.2f} pt, ends {line.x1 - right:+.2f} pt "
                            f"from the column edges: {line.text[:24]}")
    return checked, problems


@pytest.fixture(scope="module")
def sample_lines(built_sample):
    project, result = built_sample
    return load_config(project), read_lines(result.print_pdf)


def test_every_justified_body_line_of_the_sample_is_flush(sample_lines):
    cfg, pages = sample_lines
    lines = body_lines(pages, cfg, "booklet-body")
    checked, problems = unflush(lines, cfg.typography.body_size, cfg.typography.leading)
    assert checked > 400, checked                 # the sample's prose: news, speeches, articles
    assert problems == [], "\n".join(problems[:20])


def test_every_justified_testimonial_line_is_flush_with_its_panel(sample_lines):
    """Testimonials sit in a panel whose width the stylesheet sets: its edges
    are the outermost glyphs of the panel's lines on that page (a ragged
    paragraph still shows against its widest line)."""
    checked, problems = 0, []
    for lines in sample_lines[1][1:-1]:
        by_size = defaultdict(list)
        for line in lines:
            if line.font.startswith("booklet-quote"):
                by_size[line.size].append(line)
        for size, group in by_size.items():
            if len(group) < 3:
                continue
            left, right = min(l.x0 for l in group), max(l.x1 for l in group)
            for line, nxt in zip(group, group[1:]):
                if abs(nxt.x0 - left) > FLUSH or not 0 < nxt.baseline - line.baseline <= 2.2 * size:
                    continue
                checked += 1
                if not (abs(line.x0 - left) <= FLUSH or abs(line.x0 - left - 2 * size) <= FLUSH) \
                        or abs(line.x1 - right) > FLUSH:
                    problems.append(f"page {line.page}: {line.x0 - left:+.2f} / {line.x1 - right:+.2f} pt: {line.text[:24]}")
    assert checked > 100, checked
    assert problems == [], "\n".join(problems[:20])


BARE = """
import sys, weasyprint
font, text, out, width, height, top, bottom, inner, outer = sys.argv[1:]
html = f'''<html lang="zh"><style>
@font-face {{ font-family: booklet-body; src: url({font}) }}
@page {{ size: {width}mm {height}mm; margin: {top}mm {outer}mm {bottom}mm {inner}mm }}
@page :left {{ margin-left: {outer}mm; margin-right: {inner}mm }}
body {{ margin: 0 }}
p {{ font: 10.5pt/1.75 booklet-body; text-align: justify; text-indent: 2em; margin: 0 }}
</style>{''.join(f"<p>{text}</p>" for _ in range(30))}</html>'''
weasyprint.HTML(string=html).write_pdf(out)
"""


def test_the_measurement_catches_bare_weasyprint(tmp_path, mini):
    """Control: WeasyPrint without booklet's justification, same geometry and
    face: Chinese lines end short of the column and are reported."""
    cfg = load_config(mini)
    font = Path(__file__).resolve().parents[1] / "fonts" / "NotoSerifCJKsc-Regular.otf"
    text = ("凌晨三点的变电站里，值班员一遍又一遍地核对着仪表上的读数。窗外寒风呼啸，"
            "屋里只有设备低沉的嗡鸣声和记录本上沙沙的笔迹。从青丝到白发，从未让一盏灯因为疏忽而熄灭。")
    m = cfg.margins
    subprocess.run([sys.executable, "-c", BARE, font.as_uri(), text, str(tmp_path / "bare.pdf"),
                    *(f"{v:g}" for v in (cfg.trim.width, cfg.trim.height, m.top, m.bottom, m.inner, m.outer))],
                   check=True, cwd=tmp_path)
    pages = read_lines(tmp_path / "bare.pdf")
    checked, problems = unflush(body_lines([[]] + pages + [[]], cfg, "booklet-body"), 10.5, 1.75)
    assert checked >= 20 and len(problems) == checked, (checked, problems[:5])
