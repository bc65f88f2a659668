"""Photos and portraits as a reader sees them: crops, frames, placeholders,
and paths that cannot be used, named in `booklet build`'s output."""

from __future__ import annotations

import subprocess
import sys

import pdfplumber
import pytest
from PIL import Image

from booklet.build import build
from booklet.config import parse_config
from projects import write_project

PT_PER_MM = 72 / 25.4
TALL, WIDE = (600, 1000), (1000, 600)       # portraits taller and wider than their 3:4 frame


def person(pid, name, **extra):
    return {"id": pid, "name": name, "group": "年度之星", "affiliation": "某某研究所", "testimonial": f"{name}的获奖感言。",
            **extra}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = tmp_path_factory.mktemp("photos") / "p"
    people = [person("a1", "甲一"), person("a2", "乙二", portrait_focus="50% 0%"),
              person("a3", "丙三", portrait_focus="50% 100%"), person("a4", "丁四"), person("a5", "戊五")]
    body = "合影如下。\n\n![全体获奖者合影](images/group.jpg)\n\n竖幅照片如下。\n\n![竖幅](images/tall.jpg)\n"
    write_project(project, units=[("01-news", {"kind": "news", "title": "年度之星揭晓"}, body),
                                  ("02-testimonials", {"kind": "testimonials", "title": "获奖感言", "group": "年度之星"}, "")],
                  honourees=people, config={"trim": "A5"})
    images = project / "images"
    images.mkdir()
    Image.new("RGB", (2500, 1000), (40, 90, 160)).save(images / "group.jpg", quality=85)
    Image.new("RGB", (1000, 2000), (160, 90, 40)).save(images / "tall.jpg", quality=85)
    for pid in ("a1", "a2", "a3"):
        Image.new("RGB", TALL, (90, 140, 90)).save(images / f"{pid}.jpg", quality=85)
    Image.new("RGB", WIDE, (140, 90, 140)).save(images / "a4.jpg", quality=85)
    cfg = parse_config((project / "booklet.yaml").read_text("utf-8"), project / "booklet.yaml")
    return project, cfg, build(project)


def placed(pdf_path, srcsize):
    """[(page number, image placement)] of the images of a pixel size's proportions
    (the digital edition downsamples them)."""
    ratio = srcsize[0] / srcsize[1]
    with pdfplumber.open(pdf_path) as pdf:
        return [(n, dict(im, page_width=p.width)) for n, p in enumerate(pdf.pages, 1)
                for im in p.images if abs(im["srcsize"][0] / im["srcsize"][1] - ratio) < 0.01]


def text_block(cfg, page_number, page_width):
    """(left, right) of the text block in pt: the gutter is inside."""
    m = cfg.margins
    left = (m.inner if page_number % 2 else m.outer) * PT_PER_MM
    return left, page_width - (m.outer if page_number % 2 else m.inner) * PT_PER_MM


def test_a_wide_group_photo_keeps_everyone(built):
    """Never cropped: the frame takes the picture's proportions, as wide as the column."""
    _, cfg, result = built
    [(n, im)] = placed(result.digital_pdf, (2500, 1000))
    left, right = text_block(cfg, n, im["page_width"])
    assert abs(im["x0"] - left) < 0.5 and abs(im["x1"] - right) < 0.5, (im["x0"], im["x1"], left, right)
    assert abs(im["width"] / im["height"] - 2.5) < 0.01


def test_a_tall_photo_is_scaled_down_whole_and_centred(built):
    _, cfg, result = built
    [(n, im)] = placed(result.digital_pdf, (1000, 2000))
    left, right = text_block(cfg, n, im["page_width"])
    assert abs(im["height"] - cfg.placed_sizes()["photo"][1] * PT_PER_MM) < 0.5     # as tall as a photo may be
    assert abs(im["width"] / im["height"] - 0.5) < 0.01
    assert abs((im["x0"] - left) - (right - im["x1"])) < 0.5 and im["x0"] > left


def test_portraits_fill_their_frame_cropped_around_the_upper_middle(built):
    _, cfg, result = built
    frame_w, frame_h = (v * PT_PER_MM for v in cfg.placed_sizes()["portrait"])
    tall = {n: im for n, im in placed(result.digital_pdf, TALL)}
    assert len(tall) == 3
    default, top, bottom = (tall[n] for n in sorted(tall))        # 甲一, 乙二 (50% 0%), 丙三 (50% 100%)
    for im in (default, top, bottom):
        assert abs(im["width"] - frame_w) < 0.3                    # fills the width, the excess height is cropped
        assert abs(im["height"] - frame_w * TALL[1] / TALL[0]) < 0.3
    excess = default["height"] - frame_h
    frame_top = top["top"]                                          # 0%: the photo's top at the frame's top
    assert abs((frame_top - bottom["top"]) - excess) < 0.3          # 100%: its bottom at the frame's bottom
    assert abs((frame_top - default["top"]) - 0.30 * excess) < 0.3  # default: 30% of the excess cut above the face
    [(n, wide)] = placed(result.digital_pdf, WIDE)
    same_side = next(im for m, im in tall.items() if m % 2 == n % 2)  # a page with the same margins
    assert abs(wide["height"] - frame_h) < 0.3                      # a wide photo: cropped at both sides equally
    assert abs((wide["x0"] + wide["x1"]) / 2 - (same_side["x0"] + same_side["x1"]) / 2) < 0.3


def test_placeholder_sets_the_name_and_the_label_on_their_own_lines(built):
    _, _, result = built
    with pdfplumber.open(result.digital_pdf) as pdf:
        page = next(p for p in pdf.pages if "戊五的获奖感言" in (p.extract_text() or "").replace(" ", ""))
        lines = {}
        for w in page.extract_words(keep_blank_chars=False):
            lines.setdefault(round(w["top"]), []).append(w["text"])
    texts = ["".join(ws) for _, ws in sorted(lines.items())]
    assert "戊五" in texts and "照片" in texts, texts
    assert texts.index("照片") == texts.index("戊五") + 1


def test_unusable_portrait_paths_are_named_in_the_build_output(tmp_path):
    people = [person("b1", "庚七", portrait="https://example.com/photos/b1.jpg"),
              person("b2", "辛八", portrait="photos/b2.jpg"),
              person("b3", "壬九", portrait="../b3.jpg"),
              person("b4", "癸十")]
    project = write_project(tmp_path / "p", units=[("01-t", {"kind": "testimonials", "group": "年度之星"}, "")],
                            honourees=people)
    (tmp_path / "b3.jpg").write_bytes(b"\xff\xd8\xff")
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "build", "--no-audit", "-p", str(project)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    url = next(line for line in out.splitlines() if "https://example.com/photos/b1.jpg" in line)
    assert "(庚七)" in url and "never fetched" in url and "images/" in url
    assert any("photos/b2.jpg does not exist" in line and "(辛八)" in line for line in out.splitlines()), out
    assert any("../b3.jpg is outside the project folder" in line and "(壬九)" in line for line in out.splitlines()), out
    assert "1 image(s) missing" in out and "images/b4.jpg" in out        # not supplied yet: summed up
    with pdfplumber.open(project / "output" / "booklet-digital.pdf") as pdf:
        assert not any(p.images for p in pdf.pages)                      # nothing fetched, nothing read outside
