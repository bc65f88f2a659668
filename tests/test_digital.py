"""The digital edition: trimmed pages, metadata, navigation, small images, reproducible."""

from __future__ import annotations

import io

import pikepdf
import pypdf
import pytest

from booklet.config import load_config
from booklet.pdf.editions import MM, digital_edition, make_digital_edition
from booklet.pdf.preflight import walk_pages

from test_print import pdfinfo_boxes, render, tiny_cfg, tiny_html, close


@pytest.fixture(scope="module")
def mini_digital(built_mini):
    project, result = built_mini
    cfg = load_config(project)
    data, report = digital_edition(result.digital_pdf.read_bytes(), cfg)
    return cfg, data, report


def test_pages_are_the_trim(mini_digital, tmp_path):
    cfg, data, report = mini_digital
    w, h = cfg.trim.width * MM, cfg.trim.height * MM
    pages = pdfinfo_boxes(data, tmp_path)
    assert len(pages) == report.pages and report.pages % 2 == 0
    for p in pages:
        x0, y0 = p["MediaBox"][:2]
        assert close(p["MediaBox"], (x0, y0, x0 + w, y0 + h))
        assert close(p["CropBox"], p["MediaBox"]) and close(p["TrimBox"], p["MediaBox"])
        assert close(p["BleedBox"], p["MediaBox"])         # no bleed: pdfinfo falls back to the CropBox
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert all("/BleedBox" not in page.obj for page in pdf.pages)


def test_metadata_language_and_layout(mini_digital):
    cfg, data, _ = mini_digital
    reader = pypdf.PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert meta.title == cfg.title == "当好主人翁 建功新时代"
    assert meta.author == "青海工运"                                  # the publisher
    assert meta.subject == cfg.subtitle
    assert meta.get("/Keywords") and "青海工运" in meta["/Keywords"]
    assert meta.get("/CreationDate") == meta.get("/ModDate") == "D:20201201000000+00'00'"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert root["/PageLayout"] == "/TwoPageRight"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = reader.xmp_metadata
    assert xmp.dc_title["x-default"] == cfg.title
    assert xmp.dc_language == ["zh-CN"]
    assert xmp.xmp_create_date.year == 2020
    assert "/OutputIntents" not in root


def test_outline_and_links_point_to_pages(mini_digital):
    _, data, _ = mini_digital
    reader = pypdf.PdfReader(io.BytesIO(data))
    outline = [o for o in reader.outline if not isinstance(o, list)]
    assert len(outline) >= 3
    assert [o.title for o in outline][:2] == ["目录", "要闻"]
    n = len(reader.pages)
    assert all(0 <= reader.get_destination_page_number(o) < n for o in outline)
    named = reader.named_destinations
    links = 0
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot["/Subtype"] != "/Link":
                continue
            links += 1
            dest = annot.get("/Dest")
            target = named[dest] if isinstance(dest, str) else None
            assert target is not None, dest
            assert 0 <= reader.get_destination_page_number(target) < n
    assert links >= 5                                               # the contents page links its units


@pytest.fixture(scope="module")
def photo_doc(tmp_path_factory):
    from PIL import Image
    tmp = tmp_path_factory.mktemp("photo")
    size = (3000, 4000)
    r = Image.linear_gradient("L").resize(size)
    b = Image.linear_gradient("L").rotate(90).resize(size)
    g = Image.effect_noise(size, 40)
    Image.merge("RGB", (r, g, b)).save(tmp / "photo.jpg", quality=90)
    body = '<img src="photo.jpg" style="width:45mm;height:60mm">'
    return tmp, render(tiny_html(2, body=body), tmp)


def test_images_are_downsampled_to_screen_resolution(photo_doc):
    tmp, raw = photo_doc
    data, report = digital_edition(raw, tiny_cfg(tmp))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        images = [im for scan in walk_pages(pdf) for im in scan.images]
        assert len(images) == 1
        im = images[0]
        assert 140 <= im.dpi <= 160, im.dpi                          # 45 mm at 150 dpi ≈ 266 px
        assert im.size_pt == pytest.approx((45 * MM, 60 * MM), abs=0.1)
        assert im.image.Filter == pikepdf.Name.DCTDecode
    assert report.images_downsampled == 1
    assert len(data) < len(raw) / 20, (len(raw), len(data))         # ~7 MB → tens of kB
    assert "1 image(s) downsampled" in report.format()


def test_print_keeps_print_resolution_in_cmyk(photo_doc):
    from booklet.pdf.editions import make_print_edition
    tmp, raw = photo_doc
    data, report = make_print_edition(raw, tiny_cfg(tmp))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (im,) = [im for scan in walk_pages(pdf) for im in scan.images]
        assert im.pixels == (532, 709) and 300 <= im.dpi < 301    # 1,693 dpi → 300, never below
        assert im.colour_space == "cmyk"
    assert report.colour.images_resampled == report.colour.images_converted == 1


def test_alpha_images_keep_their_soft_mask(tmp_path):
    from PIL import Image
    Image.new("RGBA", (2000, 2000), (200, 30, 30, 128)).save(tmp_path / "a.png")
    raw = render(tiny_html(2, body='<img src="a.png" style="width:20mm;height:20mm">'), tmp_path)
    data, report = digital_edition(raw, tiny_cfg(tmp_path))
    assert report.images_downsampled == 1
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (im,) = [im for scan in walk_pages(pdf) for im in scan.images]
        assert im.pixels == (118, 118)
        assert int(im.image.SMask.Width) == 118


def test_small_images_are_left_alone(tmp_path):
    from PIL import Image
    Image.new("RGB", (100, 100), (1, 2, 3)).save(tmp_path / "s.jpg")
    raw = render(tiny_html(2, body='<img src="s.jpg" style="width:45mm">'), tmp_path)
    _, report = digital_edition(raw, tiny_cfg(tmp_path))
    assert report.images_downsampled == 0


def test_digital_edition_is_reproducible(photo_doc, monkeypatch):
    tmp, raw = photo_doc
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1606780800")
    cfg = tiny_cfg(tmp, source_date="")
    a = make_digital_edition(raw, cfg)
    b = make_digital_edition(render(tiny_html(2, body='<img src="photo.jpg" style="width:45mm;height:60mm">'), tmp),
                             cfg)
    assert a == b
    with pikepdf.open(io.BytesIO(a)) as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20201201000000+00'00'"


def test_source_date_in_config_wins_and_bad_dates_are_friendly(tmp_path, monkeypatch):
    from booklet.errors import BookletError
    from booklet.pdf.editions import source_date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert source_date(tiny_cfg(tmp_path, source_date="2021-07-01")).isoformat() == "2021-07-01T00:00:00+00:00"
    assert source_date(tiny_cfg(tmp_path, source_date="")).year == 1970
    with pytest.raises(BookletError, match="not an ISO date"):
        source_date(tiny_cfg(tmp_path, source_date="十二月"))


def test_digital_edition_is_tagged(built_mini):
    """PDF/UA-1 structure: marked content, a structure tree whose elements all
    have a type and a parent, a parent tree, the document language and title."""
    _, result = built_mini
    with pikepdf.open(result.digital_pdf) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True and str(root.Lang) == "zh-CN"
        assert root.ViewerPreferences.DisplayDocTitle is True
        tree = root.StructTreeRoot
        assert "/ParentTree" in tree
        types, stack = set(), [(tree.K, tree)]
        while stack:
            node, parent = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend((k, parent) for k in node)
                continue
            if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") in ("/MCR", "/OBJR"):
                continue
            assert "/S" in node and node.P.objgen == parent.objgen
            types.add(str(node.S))
            if "/K" in node:
                stack.append((node.K, node))
        assert {"/Document", "/P", "/H1"} <= types, types


@pytest.mark.parametrize("mode,colour,space", [("RGB", (200, 30, 60), "/DeviceRGB"), ("L", 90, "/DeviceGray")])
def test_a_downsampled_drawing_keeps_its_colours_and_stays_lossless(tmp_path, mode, colour, space):
    """A flat PNG (a drawing, a logo) is smaller deflated than as a JPEG: it
    stays lossless, in its own colour space, and its pixels keep their colour."""
    from PIL import Image
    Image.new(mode, (1600, 1600), colour).save(tmp_path / "logo.png")
    raw = render(tiny_html(2, body='<img src="logo.png" style="width:20mm;height:20mm">'), tmp_path)
    data, report = digital_edition(raw, tiny_cfg(tmp_path))
    assert report.images_downsampled == 1
    assert report.image_bytes_after < report.image_bytes_before
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (im,) = [im for scan in walk_pages(pdf) for im in scan.images]
        assert im.pixels == (118, 118)
        assert im.image.Filter == pikepdf.Name.FlateDecode and str(im.image.ColorSpace) == space
        pil = pikepdf.PdfImage(im.image).as_pil_image()
        assert pil.mode == mode and pil.getpixel((59, 59)) == colour
