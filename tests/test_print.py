"""The print edition, PDF/X, preflight and imposition.

Reads the PDFs the way a printer's tools do: pikepdf/pypdf for the objects,
`pdfinfo -box` for the boxes. The mini booklet is built once (built_mini);
everything else renders tiny HTML documents.
"""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from booklet.config import Config, Output, Trim, load_config
from booklet.pdf.impose import impose_saddle, spread_order
from booklet.pdf.editions import MM, PDFX_NAMES, make_digital_edition, make_print_edition, mark_geometry
from booklet.pdf.preflight import preflight

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "fonts" / "NotoSansCJKsc-Regular.otf"


# ---------------------------------------------------------------------------
# Helpers.

def render(html: str, base: Path, variant: str | None = None) -> bytes:
    import weasyprint
    return weasyprint.HTML(string=html, base_url=base.as_uri() + "/").render().write_pdf(pdf_variant=variant)


def tiny_cfg(root: Path, *, variant: str = "", multiple: int = 4, marks: bool = True,
             trim=(100.0, 120.0), bleed: float = 3.0, source_date: str = "2020-12-01T00:00:00Z") -> Config:
    return Config(root=root, title="当好主人翁", subtitle="特辑", issue="2020年第12期", publisher="青海工运",
                  keywords=["劳模", "表彰"], trim=Trim(*trim), bleed=bleed, marks=marks, source_date=source_date,
                  output=Output(pdf_variant=variant, pages_multiple=multiple))


def tiny_html(pages: int = 1, *, trim=(100, 120), extra_css: str = "", body: str = "", font: bool = False) -> str:
    face = f'@font-face {{ font-family: cjk; src: url("{FONT.as_uri()}"); }} body {{ font-family: cjk; }}' \
        if font else ""
    parts = [f'<section style="break-before: page"><h1>第{i}页</h1><p>页{i}</p></section>' for i in range(1, pages)]
    parts.append('<section style="break-before: page"><p>BACK封底</p></section>')
    return (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>小样</title><style>{face}'
            f'@page {{ size: {trim[0]}mm {trim[1]}mm; bleed: 3mm; margin: 10mm }}'
            f'html {{ background: #f6efe3 }} {extra_css}</style></head><body>{body}{"".join(parts)}</body></html>')


def pdfinfo_boxes(data: bytes, tmp_path: Path) -> list[dict[str, tuple[float, ...]]]:
    path = tmp_path / "boxes.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as pdf:
        n = len(pdf.pages)
    out = subprocess.run(["pdfinfo", "-box", "-f", "1", "-l", str(n), str(path)],
                         check=True, capture_output=True, text=True).stdout
    pages: dict[int, dict] = {}
    for m in re.finditer(r"Page\s+(\d+)\s+(MediaBox|CropBox|BleedBox|TrimBox|ArtBox):\s+(.+)", out):
        pages.setdefault(int(m.group(1)), {})[m.group(2)] = tuple(float(v) for v in m.group(3).split())
    return [pages[i] for i in sorted(pages)]


def close(a, b, tol=0.02) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def box(page: pikepdf.Page, key: str) -> tuple[float, ...]:
    return tuple(float(v) for v in page.obj[key])


def marks_segments(page: pikepdf.Page) -> tuple[list, list]:
    """Path segments drawn after the clipped page content (the marks), and the
    operators seen there."""
    depth, segs, ops, cur = 0, [], [], None
    instrs = list(pikepdf.parse_content_stream(page))
    assert str(instrs[0].operator) == "q" and str(instrs[1].operator) == "re" and str(instrs[2].operator) == "W"
    started = False
    for ins in instrs:
        op, args = str(ins.operator), [float(a) if isinstance(a, (int, float, Decimal)) else a
                                       for a in ins.operands]
        if op == "q":
            depth += 1
        elif op == "Q":
            depth -= 1
            if depth == 0 and not started:
                started = True
                continue
        if not started:
            continue
        ops.append((op, args))
        if op == "m":
            cur = (args[0], args[1])
        elif op == "l":
            segs.append((cur, (args[0], args[1])))
            cur = (args[0], args[1])
        elif op == "c":
            segs.append((cur, (args[4], args[5])))
            segs.append(((args[0], args[1]), (args[2], args[3])))
            cur = (args[4], args[5])
    return segs, ops


# ---------------------------------------------------------------------------
# The mini booklet.

@pytest.fixture(scope="module")
def mini_print(built_mini):
    project, result = built_mini
    cfg = load_config(project)
    raw = result.print_pdf.read_bytes()
    data, report = make_print_edition(raw, cfg)
    return cfg, data, report


def test_boxes_on_every_page(mini_print, tmp_path):
    cfg, data, report = mini_print
    w, h = cfg.trim.width * MM, cfg.trim.height * MM          # 595.28 × 807.87 pt
    b = cfg.bleed * MM                                        # 8.50 pt
    slug = mark_geometry(cfg.bleed)[2]                        # 28.35 pt (10 mm)
    assert round(slug / MM, 2) == 10.0
    pages = pdfinfo_boxes(data, tmp_path)
    assert len(pages) == report.pages and report.pages % 4 == 0
    for p in pages:
        x0, y0 = p["TrimBox"][:2]
        assert close(p["TrimBox"], (x0, y0, x0 + w, y0 + h))
        assert close(p["BleedBox"], (x0 - b, y0 - b, x0 + w + b, y0 + h + b))
        assert close(p["MediaBox"], (x0 - slug, y0 - slug, x0 + w + slug, y0 + h + slug))
        assert close(p["CropBox"], p["MediaBox"])
    assert close(pages[0]["TrimBox"], (0, 0, 595.28, 807.87))
    assert close(pages[0]["BleedBox"], (-8.50, -8.50, 603.78, 816.38))
    assert close(pages[0]["MediaBox"], (-28.35, -28.35, 623.62, 836.22))


def test_marks_are_outside_the_bleed(mini_print):
    _, data, _ = mini_print
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            bx0, by0, bx1, by1 = box(page, "/BleedBox")
            mx0, my0, mx1, my1 = box(page, "/MediaBox")
            first = list(pikepdf.parse_content_stream(page))[:4]
            assert [float(v) for v in first[1].operands] == pytest.approx([bx0, by0, bx1 - bx0, by1 - by0], abs=1e-3)
            segs, ops = marks_segments(page)
            assert ("K", [1.0, 1.0, 1.0, 1.0]) in ops                     # registration: all four plates
            assert ("w", [0.25]) in ops
            assert len(segs) >= 16                                        # 8 crop marks at least
            for (ax, ay), (cx, cy) in segs:
                lo_x, hi_x, lo_y, hi_y = min(ax, cx), max(ax, cx), min(ay, cy), max(ay, cy)
                outside = hi_x <= bx0 or lo_x >= bx1 or hi_y <= by0 or lo_y >= by1
                assert outside, f"mark segment {(ax, ay)}–{(cx, cy)} enters the bleed box"
                assert mx0 <= lo_x and hi_x <= mx1 and my0 <= lo_y and hi_y <= my1
            # Crop marks sit on the trim lines, at least the bleed away from the corner.
            tx0, ty0, _, _ = box(page, "/TrimBox")
            corner = [s for s in segs if s[0][1] == pytest.approx(ty0) and s[1][1] == pytest.approx(ty0)
                      and s[0][0] < tx0]
            assert corner and max(s[0][0] for s in corner) <= tx0 - 3 * MM


def test_fonts_embedded_subset_and_tagged_from_content(mini_print):
    _, data, report = mini_print
    names = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for _, font in page.resources.get("/Font", {}).items():
                desc = font.DescendantFonts[0]
                fd = desc.FontDescriptor
                assert any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                assert str(fd.FontName) == str(desc.BaseFont)
                names.append(str(desc.BaseFont)[1:])
    assert names and all(re.fullmatch(r"[A-Z]{6}\+booklet-[a-z]+(-Bold)?", n) for n in names)
    assert sorted(set(names)) == sorted(report.fonts)


def test_print_report_and_metadata(mini_print):
    cfg, data, report = mini_print
    assert report.pages % 4 == 0 and not report.warnings
    text = report.format()
    assert "trim 210.0×285.0 mm" in text and "bleed 3.0 mm" in text and "sheet 230.0×305.0 mm" in text
    assert re.search(r"^  PDF/X-4, output intent \S", text, re.M), text      # the project's default variant
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.docinfo.Title) == cfg.title
        assert str(pdf.docinfo.CreationDate) == "D:20201201000000+00'00'"
        assert "GTS_PDFXVersion" not in str(pdf.docinfo.keys())


# ---------------------------------------------------------------------------
# Padding.

@pytest.mark.parametrize("multiple, expected_pages, blanks", [(4, 8, [5, 6, 7]), (8, 8, [5, 6, 7]), (2, 6, [5])])
def test_blank_pages_go_before_the_back_cover(tmp_path, multiple, expected_pages, blanks):
    raw = render(tiny_html(5), tmp_path)
    data, report = make_print_edition(raw, tiny_cfg(tmp_path, multiple=multiple))
    assert report.pages == expected_pages and report.blank_pages == blanks
    assert report.blank_pages_added == len(blanks)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [p.extract_text() or "" for p in pdf.pages]
    assert len(texts) == expected_pages
    assert "BACK" in texts[-1]
    for i in blanks:
        assert texts[i - 1].strip() == ""
    assert "页4" in texts[3]


def test_no_marks_means_media_is_bleed(tmp_path):
    raw = render(tiny_html(4), tmp_path)
    data, report = make_print_edition(raw, tiny_cfg(tmp_path, marks=False))
    for p in pdfinfo_boxes(data, tmp_path):
        assert close(p["MediaBox"], p["BleedBox"]) and close(p["CropBox"], p["BleedBox"])
    assert report.blank_pages == []


def test_wrong_trim_in_layout_is_a_friendly_error(tmp_path):
    from booklet.errors import BookletError
    raw = render(tiny_html(4, trim=(148, 210)), tmp_path)
    with pytest.raises(BookletError, match=r"148.0×210.0 mm but the trim in booklet.yaml is 100×120 mm"):
        make_print_edition(raw, tiny_cfg(tmp_path))


# ---------------------------------------------------------------------------
# PDF/X.

@pytest.fixture(scope="module")
def pdfx(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pdfx")
    out = {}
    for variant in ("pdf/x-4", "pdf/x-1a", "pdf/x-3"):
        raw = render(tiny_html(4, font=FONT.is_file(), body='<p><a href="#x">链接</a></p><p id="x">目标</p>'),
                     tmp, variant)
        out[variant] = (raw,) + make_print_edition(raw, tiny_cfg(tmp, variant=variant))
    return out


@pytest.mark.parametrize("variant", ["pdf/x-4", "pdf/x-1a", "pdf/x-3"])
def test_pdfx_keeps_keys_and_has_an_output_intent(pdfx, variant):
    raw, data, report = pdfx[variant]
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert "/OutputIntents" not in pdf.Root        # WeasyPrint adds none without a CMYK profile
    with pikepdf.open(io.BytesIO(data)) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == pikepdf.Name("/GTS_PDFX")
        assert str(intents[0].OutputConditionIdentifier) == "Custom"
        profile = intents[0].DestOutputProfile                # the shipped CMYK characterisation, embedded
        assert int(profile.N) == 4 and profile.read_bytes()[16:20] == b"CMYK"
        assert str(intents[0].OutputCondition) == "Artifex CMYK SWOP Profile"
        assert pdf.docinfo.Trapped == pikepdf.Name.False_
        assert str(pdf.docinfo.Title) == "当好主人翁"
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert f"<pdfxid:GTS_PDFXVersion>{PDFX_NAMES[variant]}</pdfxid:GTS_PDFXVersion>" in xmp
        assert "<pdf:Trapped>False</pdf:Trapped>" in xmp
        for page in pdf.pages:
            assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
            assert "/Annots" not in page.obj           # no annotations inside the bleed box in PDF/X
        if variant == "pdf/x-1a":
            assert pdf.pdf_version == "1.4"
            assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1a:2003"
            assert str(pdf.docinfo.GTS_PDFXConformance) == "PDF/X-1a:2003"
        elif variant == "pdf/x-3":
            assert pdf.pdf_version == "1.4"
            assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-3:2003"
        else:
            assert pdf.pdf_version == "1.6"
    assert report.output_intent.startswith("Artifex CMYK SWOP Profile")


@pytest.mark.skipif(not FONT.is_file(), reason="shipped fonts not installed")
def test_pdfx1a_fonts_are_bare_cff_and_render_the_same(pdfx, tmp_path):
    _, x1a, _ = pdfx["pdf/x-1a"]
    _, x4, _ = pdfx["pdf/x-4"]
    with pikepdf.open(io.BytesIO(x1a)) as pdf:
        subtypes = {str(f.DescendantFonts[0].FontDescriptor.FontFile3.Subtype)
                    for p in pdf.pages for _, f in p.resources.get("/Font", {}).items()}
    assert subtypes == {"/CIDFontType0C"}           # no OpenType font programs in PDF 1.4
    with pdfplumber.open(io.BytesIO(x1a)) as a, pdfplumber.open(io.BytesIO(x4)) as b:
        assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    from PIL import Image, ImageChops, ImageStat
    imgs = []
    for name, data in (("a", x1a), ("b", x4)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        imgs.append(Image.open(next(tmp_path.glob(f"{name}-*.png"))).convert("L"))
    diff = ImageStat.Stat(ImageChops.difference(*imgs)).mean[0]
    assert diff < 1.0, diff


def test_pdfx4_without_icc_profile_is_flagged(pdfx):
    _, data, report = pdfx["pdf/x-4"]
    (note,) = report.warnings                    # the link's blue comes from the browser's stylesheet
    assert note.startswith("colour #0000ff is named directly in a stylesheet, not by a role: printed as 88/77/0/0")
    assert preflight(data).ok
    with pikepdf.open(io.BytesIO(data)) as pdf:
        del pdf.Root.OutputIntents[0]["/DestOutputProfile"]
        buf = io.BytesIO()
        pdf.save(buf)
    result = preflight(buf.getvalue())
    assert result.variant == "pdf/x-4"
    assert any("no embedded ICC profile" in e for e in result.errors)


def test_print_shops_profile_is_embedded_when_named(tmp_path):
    from booklet.colours import shipped_profile
    (tmp_path / "profiles").mkdir()
    shop = tmp_path / "profiles" / "Shop.icc"
    shop.write_bytes(shipped_profile().read_bytes())
    raw = render(tiny_html(4), tmp_path, "pdf/x-4")
    cfg = tiny_cfg(tmp_path, variant="pdf/x-4")
    cfg.output.icc = "profiles/Shop.icc"
    data, report = make_print_edition(raw, cfg)
    assert "embedded from Shop.icc" in report.output_intent
    with pikepdf.open(io.BytesIO(data)) as pdf:
        oi = pdf.Root.OutputIntents[0]
        assert oi.DestOutputProfile.read_bytes() == shop.read_bytes()
    assert preflight(data, cfg).ok


def test_a_named_profile_that_is_not_cmyk_is_one_clear_error(tmp_path):
    from PIL import ImageCms

    from booklet.colours import policy_from_config
    from booklet.errors import BookletError
    (tmp_path / "profiles").mkdir()
    ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (tmp_path / "profiles" / "screen.icc").write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    cfg = tiny_cfg(tmp_path, variant="pdf/x-4")
    cfg.output.icc = "profiles/screen.icc"
    with pytest.raises(BookletError, match=r"screen.icc is not a CMYK ICC profile \(its colour space is RGB\)"):
        policy_from_config(cfg)
    cfg.output.icc = "profiles/missing.icc"
    with pytest.raises(BookletError, match="does not exist"):
        policy_from_config(cfg)


def test_print_edition_is_reproducible(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1606780800")     # 2020-12-01T00:00:00Z
    html = tiny_html(3)
    for variant in ("", "pdf/x-4"):
        cfg = tiny_cfg(tmp_path, variant=variant, source_date="")
        a, _ = make_print_edition(render(html, tmp_path, variant or None), cfg)
        b, _ = make_print_edition(render(html, tmp_path, variant or None), cfg)
        assert a == b, variant
        with pikepdf.open(io.BytesIO(a)) as pdf:
            assert str(pdf.docinfo.ModDate) == "D:20201201000000+00'00'"
            assert "2020-12-01T00:00:00+00:00" in pdf.Root.Metadata.read_bytes().decode()


# ---------------------------------------------------------------------------
# Preflight.

def test_preflight_passes_a_good_file(mini_print, tmp_path):
    cfg, data, _ = mini_print
    path = tmp_path / "print.pdf"
    path.write_bytes(data)
    report = preflight(path, cfg)
    assert report.ok, report.format()
    assert not report.errors
    assert "result: OK" in report.format()
    assert "body text (10.5 pt) in black ink alone" in report.info
    assert "colour spaces painted: DeviceCMYK" in "\n".join(report.info)


def test_preflight_flags_missing_trimbox_and_page_count(mini_print):
    cfg, data, _ = mini_print
    with pikepdf.open(io.BytesIO(data)) as pdf:
        del pdf.pages[1].obj["/TrimBox"]
        del pdf.pages[-1]
        buf = io.BytesIO()
        pdf.save(buf)
    report = preflight(buf.getvalue(), cfg)
    assert not report.ok
    assert any(e.startswith("page 2: no TrimBox") for e in report.errors), report.errors
    assert any("not a multiple of 4" in e for e in report.errors)
    assert "result: FAILED" in report.format()


def test_preflight_flags_low_resolution_image_and_rich_black(tmp_path):
    from PIL import Image
    Image.new("RGB", (128, 170), (90, 120, 150)).save(tmp_path / "low.jpg")   # 45×60 mm → 72 dpi
    Image.new("RGB", (1063, 1417), (90, 120, 150)).save(tmp_path / "ok.jpg")  # 45×60 mm → 600 dpi
    body = ('<img src="low.jpg" style="width:45mm;height:60mm"><img src="ok.jpg" style="width:45mm;height:60mm">'
            '<p style="color: device-cmyk(0.6 0.4 0.4 1); font-size: 8pt">富黑小字</p>')
    raw = render(tiny_html(4, body=body), tmp_path)
    data, _ = make_print_edition(raw, tiny_cfg(tmp_path))
    report = preflight(data, tiny_cfg(tmp_path))
    low = [w for w in report.warnings if "dpi" in w]
    assert len(low) == 1 and "128×170 px" in low[0] and "72 dpi" in low[0] and low[0].startswith("page 1")
    assert any("rich black" in w for w in report.warnings)
    assert report.ok   # warnings only


def test_preflight_pdfx1a_transparency_and_rgb(tmp_path):
    body = '<p style="opacity: .5">半透明</p>'
    raw = render(tiny_html(4, body=body), tmp_path, "pdf/x-1a")
    data, _ = make_print_edition(raw, tiny_cfg(tmp_path, variant="pdf/x-1a"))
    report = preflight(data, tiny_cfg(tmp_path, variant="pdf/x-1a"))
    assert report.variant == "pdf/x-1a"
    assert any("transparency" in e and "PDF/X-1a" in e for e in report.errors)
    assert not any("RGB" in e for e in report.errors)          # the colours went to CMYK on the way
    assert not any("output intent" in e for e in report.errors)
    with pikepdf.open(io.BytesIO(raw)) as pdf:                   # WeasyPrint's own PDF/X-1a file is RGB
        pdf.Root.OutputIntents = pikepdf.Array()
        buf = io.BytesIO()
        pdf.save(buf)
    rgb = preflight(buf.getvalue(), tiny_cfg(tmp_path, variant="pdf/x-1a"))
    assert any("DeviceRGB colour" in e for e in rgb.errors)


# ---------------------------------------------------------------------------
# Imposition.

def test_spread_order():
    assert spread_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert spread_order(12) == [(12, 1), (2, 11), (10, 3), (4, 9), (8, 5), (6, 7)]
    assert spread_order(4) == [(4, 1), (2, 3)]
    with pytest.raises(ValueError):
        spread_order(6)


def _imposed_labels(data: bytes) -> list[tuple[str, str]]:
    pairs = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            mid = page.width / 2
            left = page.crop((0, 0, mid, page.height)).extract_text() or ""
            right = page.crop((mid, 0, page.width, page.height)).extract_text() or ""
            pairs.append((left, right))
    return pairs


@pytest.mark.parametrize("pages", [8, 12])
def test_impose_order_and_sheet_size(tmp_path, pages):
    raw = render(tiny_html(pages), tmp_path)
    data, _ = make_print_edition(raw, tiny_cfg(tmp_path))
    imposed = impose_saddle(data)
    boxes = pdfinfo_boxes(imposed, tmp_path)
    assert len(boxes) == pages // 2
    for b in boxes:
        assert close(b["MediaBox"], (0, 0, 2 * 100 * MM, 120 * MM))
        assert close(b["TrimBox"], b["MediaBox"])

    def label(n):
        return "BACK" if n == pages else f"页{n}"

    for (left_text, right_text), (left, right) in zip(_imposed_labels(imposed), spread_order(pages), strict=True):
        assert label(left) in left_text and label(right) in right_text
        assert label(right) not in left_text and label(left) not in right_text


def test_impose_pads_and_accepts_a_path(tmp_path):
    raw = render(tiny_html(6), tmp_path)
    path = tmp_path / "six.pdf"
    path.write_bytes(raw)
    imposed = impose_saddle(path)
    pairs = _imposed_labels(imposed)
    assert len(pairs) == 4
    assert "BACK" in pairs[0][0] and "页1" in pairs[0][1]       # (8, 1): the back cover stays last
    assert pairs[2][0].strip() == "" and "页3" in pairs[2][1]   # (6, 3): page 6 is a blank


def test_digital_from_print_raw_has_no_pdfx(pdfx):
    raw, _, _ = pdfx["pdf/x-1a"]
    data = make_digital_edition(raw, tiny_cfg(Path("."), variant="pdf/x-1a"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/OutputIntents" not in pdf.Root and "/GTS_PDFXVersion" not in pdf.docinfo
        assert "GTS_PDFX" not in pdf.Root.Metadata.read_bytes().decode()
