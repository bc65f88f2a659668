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
    assert "images/h01.jpg is missing" in proc.stdout and "images/group.jpg is missing" in proc.stdout
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
