"""Portrait and photo slots: missing, damaged, wrong type, low resolution."""

import subprocess
import sys

import pdfplumber
import pytest
from PIL import Image

from booklet.build import build, check_project
from booklet.errors import BookletError


def test_missing_portraits_are_listed_by_check_and_drawn_as_placeholders(mini, built_mini):
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "check", "-p", str(mini)], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "images/h01.jpg is missing" in proc.stdout and "images/group.jpg does not exist" in proc.stdout
    _, result = built_mini
    with pdfplumber.open(result.digital_pdf) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages).replace(" ", "")
    assert "宗冰照片" in text.replace("\n", "")          # the placeholder frame names the person


def test_portrait_found_by_id_is_placed(mini):
    (mini / "images").mkdir()
    Image.new("RGB", (700, 934), (180, 40, 40)).save(mini / "images" / "h01.jpg", quality=90)
    result = build(mini)
    assert not any("h01.jpg" in w for w in result.warnings)
    with pdfplumber.open(result.digital_pdf) as pdf:
        assert sum(len(p.images) for p in pdf.pages) >= 1


def test_low_resolution_is_a_warning(mini):
    (mini / "images").mkdir()
    Image.new("RGB", (200, 266), "gray").save(mini / "images" / "h01.jpg")
    warnings = check_project(mini).warnings
    assert any("h01.jpg is 200×266 px, only 94 dpi" in w for w in warnings), warnings


@pytest.mark.parametrize("data,expected", [
    (b"this is not an image at all", "is not a JPEG, PNG"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "is a damaged JPEG file"),
])
def test_corrupt_or_wrong_type_image_is_an_error(mini, data, expected):
    (mini / "images").mkdir()
    (mini / "images" / "h01.jpg").write_bytes(data)
    result = check_project(mini)
    assert any(expected in e and "honourees.yaml, line 2" in e for e in result.errors), result.errors
    with pytest.raises(BookletError, match=expected):
        build(mini)
    assert not (mini / "output" / "booklet-print.pdf").exists()


def test_watch_reuses_decoded_images_and_notices_a_replaced_file(mini):
    import io

    import pypdf

    from booklet.build import Builder

    def portrait_colour(pdf_path):
        for page in pypdf.PdfReader(pdf_path).pages:
            for image in page.images:
                picture = image.image.convert("RGB")
                if picture.size[0] > 100:
                    return picture.getpixel((picture.size[0] // 2, picture.size[1] // 2))

    (mini / "images").mkdir()
    portrait = mini / "images" / "h01.jpg"
    Image.new("RGB", (700, 934), (180, 40, 40)).save(portrait, quality=95)
    watcher = Builder(mini)
    result = watcher.build()
    url = next(k for k in watcher._images if k.endswith("h01.jpg"))
    decoded = watcher._images[url]
    assert abs(portrait_colour(result.digital_pdf)[0] - 180) < 8
    (mini / "content" / "05-note.md").write_text((mini / "content" / "05-note.md").read_text("utf-8") + "\n补充一句。\n", "utf-8")
    watcher.build()
    assert watcher._images[url] is decoded                   # not decoded again
    buffer = io.BytesIO()
    Image.new("RGB", (750, 1000), (30, 60, 200)).save(buffer, "JPEG", quality=95)
    portrait.write_bytes(buffer.getvalue())                  # the designer drops in a new photo
    result = watcher.build()
    r, g, b = portrait_colour(result.digital_pdf)
    assert b > 150 and r < 80                                # the new one, not the cached one
    widths = [image.image.size[0] for page in pypdf.PdfReader(result.print_pdf).pages for image in page.images
              if image.image.size[0] > 100]
    sizes = [(x["/Width"], x["/Height"]) for page in pypdf.PdfReader(result.print_pdf).pages
             for x in (o.get_object() for o in page["/Resources"].get("/XObject", {}).values())
             if x.get("/Subtype") == "/Image" and x["/Width"] > 100]
    assert widths and set(sizes) == {(750, 1000)}            # its own size, not the old one's
