"""Other page sizes: the sample at A5, 16开 and A4 keeps one page per
testimonial and a clean typography audit, read back from the PDFs."""

from __future__ import annotations

import re
import shutil

import pdfplumber
import pytest
import yaml

from booklet.build import build
from booklet.cli import _audit_margins
from booklet.config import parse_config
from booklet.pdf.audit import audit_pdf
from conftest import ROOT
from test_layouts import outline

PT_PER_MM = 72 / 25.4


def sample_at(tmp_path_factory, trim):
    dest = tmp_path_factory.mktemp("trim") / "sample"
    dest.mkdir()
    text = (ROOT / "booklet.yaml").read_text("utf-8")
    text = re.sub(r"(?m)^trim:.*$", f"trim: {trim}", text)
    text = re.sub(r"(?m)^margins:.*\n", "", text)            # margins follow the trim
    (dest / "booklet.yaml").write_text(text, "utf-8")
    shutil.copytree(ROOT / "content", dest / "content")
    return dest, build(dest)


@pytest.fixture(scope="module", params=["A5", "16开", "A4"])
def other_size(request, tmp_path_factory):
    return request.param, *sample_at(tmp_path_factory, request.param)


def pages_of_testimonials(project, pdf_path) -> dict[str, list[int]]:
    """Each honouree's name → the pages their testimonial is printed on,
    searched in the pages of the testimonials units (from the bookmarks)."""
    cfg = yaml.safe_load((project / "booklet.yaml").read_text("utf-8"))
    metas = [yaml.safe_load((project / rel).read_text("utf-8").split("---")[1]) for rel in cfg["units"]]
    kinds = {m.get("title") or m.get("group"): m["kind"] for m in metas}
    marks = [(title, page) for level, title, page in outline(pdf_path) if level == 2]
    ranges = [range(page, (marks[i + 1][1] if i + 1 < len(marks) else page + 999))
              for i, (title, page) in enumerate(marks) if kinds.get(title) == "testimonials"]
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    with pdfplumber.open(pdf_path) as pdf:
        texts = {i: (p.extract_text() or "").replace(" ", "").replace("\n", "") for i, p in enumerate(pdf.pages, 1)
                 if any(i in r for r in ranges)}
    bodies = {h["name"]: re.sub(r"\s+", "", h["testimonial"]) for h in people if h.get("testimonial")}
    found = {}
    for name, body in bodies.items():
        chunks = [body[i:i + 12] for i in range(0, len(body) - 12, 3)
                  if not any(body[i:i + 12] in other for n, other in bodies.items() if n != name)]
        found[name] = sorted({i for i, t in texts.items() for c in chunks if c in t})
        assert found[name] and name in texts[found[name][0]], name
    return found


@pytest.fixture(scope="module")
def base_pages(built_sample):
    """The testimonials' pages at 大16开, the size the design was drawn at (read once for the three sizes)."""
    base_project, base = built_sample
    return pages_of_testimonials(base_project, base.digital_pdf)


def test_one_page_per_testimonial_at_every_size(other_size, base_pages):
    trim, project, result = other_size
    pages = pages_of_testimonials(project, result.digital_pdf)
    assert len(pages) == 35
    assert {n: p for n, p in pages.items() if len(p) != 1} == {}, trim
    assert not [w for w in result.warnings if "does not fit" in w or "overflows" in w], result.warnings
    assert all(len(p) == 1 for p in base_pages.values())


def test_typography_audit_is_clean_at_every_size(other_size):
    trim, project, result = other_size
    report = audit_pdf(result.print_pdf, margins=_audit_margins(project, result.print_pdf), tolerance=0.5)
    assert report.justified_lines_checked > 600
    assert report.issues == [], (trim, report.summary_table())


def test_the_page_is_the_trim_and_the_portrait_scales_with_the_text_block(other_size):
    trim, project, result = other_size
    cfg = parse_config((project / "booklet.yaml").read_text("utf-8"), project / "booklet.yaml")
    with pdfplumber.open(result.digital_pdf) as pdf:
        page = pdf.pages[len(pdf.pages) // 2]
        assert abs(page.width - cfg.trim.width * PT_PER_MM) < 0.5 and abs(page.height - cfg.trim.height * PT_PER_MM) < 0.5
        frames = [max(r["width"] for r in found) for found in (
            [r for r in p.rects if abs(r["width"] / r["height"] - 0.75) < 0.01 and r["width"] > 50] for p in pdf.pages) if found]
    width = 54 * PT_PER_MM * cfg.scale                          # the placeholder frame of a portrait, border box
    assert len(frames) == 35 and all(abs(w - width) < 0.5 for w in frames), (trim, set(frames), width)


@pytest.mark.parametrize("trim,expected", [
    ("大16开", (20, 22, 22, 17)),
    ("A4", (20, 22, 22, 17)),
    ("16开", (17.5, 19.5, 19.5, 15)),
    ("A5", (14, 15.5, 15.5, 12)),
])
def test_margins_left_out_follow_the_trim(tmp_path, trim, expected):
    cfg = parse_config(f"title: 测试\ntrim: {trim}\n", tmp_path / "booklet.yaml")
    m = cfg.margins
    assert (m.top, m.bottom, m.inner, m.outer) == expected
    cfg = parse_config(f"title: 测试\nmargins: {{inner: 25}}\ntrim: {trim}\n", tmp_path / "booklet.yaml")
    assert cfg.margins.inner == 25 and cfg.margins.top == expected[0]      # the ones given are kept
