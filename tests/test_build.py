"""End to end on the mini project: what a reader and a printer get."""

import os
import re
import subprocess
import sys

import pdfplumber
import pikepdf
import pytest

from booklet.build import build, check_project
from booklet.errors import BookletError
from booklet.fsutil import atomic_path
from conftest import ROOT

FONT_FILES = {"NotoSerifCJKsc-Regular.otf", "NotoSerifCJKsc-Bold.otf", "NotoSansCJKsc-Regular.otf",
              "NotoSansCJKsc-Bold.otf", "LXGWWenKai-Regular.ttf"}


def test_build_writes_both_editions(built_mini):
    project, result = built_mini
    assert result.print_pdf.is_file() and result.digital_pdf.is_file()
    assert result.pages % 4 == 0
    with pdfplumber.open(result.print_pdf) as pdf:
        assert len(pdf.pages) == result.pages
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "全国劳动模范和先进工作者表彰大会在京隆重举行" in text
    assert "我所在的硅材料行业" in text


def test_pdf_embeds_only_shipped_fonts(built_mini):
    _, result = built_mini
    names = set()
    with pikepdf.open(result.print_pdf) as pdf:
        for page in pdf.pages:
            for _, font in page.resources.get("/Font", {}).items():
                desc = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                fd = desc.FontDescriptor
                assert any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{font.BaseFont} not embedded"
                names.add(str(desc.BaseFont))
    assert names, "no fonts found"
    for name in names:
        # Subset tag + our family name: nothing came from a system font.
        assert re.fullmatch(r"/[A-Z]{6}\+booklet-(body|heading|quote|vertical)(-Bold)?", name), name


def test_fonts_come_from_project_fonts_dir(built_mini):
    project, _ = built_mini
    html = (project / "output" / "booklet.html").read_text("utf-8")
    urls = re.findall(r'src: url\("file://([^"]+)"\)', html)
    assert urls and {os.path.basename(u) for u in urls} <= FONT_FILES
    assert '<meta charset="utf-8">' in html


def test_missing_glyph_is_an_error_naming_char_unit_and_line(mini):
    unit = mini / "content" / "02-speech.md"
    unit.write_text(unit.read_text("utf-8") + "\n古埃及文字𓀀也在这里。\n", "utf-8")
    with pytest.raises(BookletError) as exc:
        build(mini)
    msg = str(exc.value)
    assert "𓀀" in msg and "U+13000" in msg and "content/02-speech.md, line" in msg
    assert not (mini / "output").exists()


def test_check_reports_glyphs_without_rendering(mini):
    hy = mini / "content" / "honourees.yaml"
    hy.write_text(hy.read_text("utf-8").replace("宗冰", "宗\U0001F600冰", 1), "utf-8")
    result = check_project(mini)
    assert any("U+1F600" in e and "honourees.yaml, line 3" in e for e in result.errors)


def test_failed_build_leaves_previous_output_untouched(mini):
    build(mini)
    out = mini / "output"
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    layouts = mini / "layouts"
    layouts.mkdir()
    (layouts / "cover.html").write_text("<section>{% if %}</section>", "utf-8")
    with pytest.raises(BookletError, match=r"layouts/cover.html, line 1"):
        build(mini)
    after = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_atomic_path_keeps_target_on_error(tmp_path):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half-writ")
            raise RuntimeError("crash mid-write")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize("url,reason", [
    ("https://example.com/logo.png", "network access is not allowed"),
    ("file:///etc/hostname", "outside the project folder"),
])
def test_url_fetcher_refuses_network_and_outside_paths(mini, url, reason):
    layouts = mini / "layouts"
    layouts.mkdir()
    (layouts / "back-cover.html").write_text(f'<section class="back-cover"><img src="{url}"></section>', "utf-8")
    with pytest.raises(BookletError) as exc:
        build(mini)
    assert reason in str(exc.value) and url.split("/")[-1] in str(exc.value)


def test_layout_override_is_used(mini):
    layouts = mini / "layouts"
    layouts.mkdir()
    (layouts / "back-cover.html").write_text('<section class="back-cover"><p>封底自定义文字</p></section>', "utf-8")
    result = build(mini)
    with pdfplumber.open(result.print_pdf) as pdf:
        assert "封底自定义文字" in (pdf.pages[-1].extract_text() or "")


def test_cli_build_summary(built_mini, tmp_path):
    project, _ = built_mini
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "build", "--no-audit", "-p", str(project)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^  output/booklet-print.pdf +print PDF, \d+ pages, [\d.]+ (MB|KB)$", proc.stdout, re.M)
    assert re.search(r"^built \d+ pages in [\d.]+s", proc.stdout, re.M)
    for stage in ("config", "content", "glyphs", "layout", "pdf", "epub+web", "write"):
        assert stage in proc.stdout


def test_font_coverage_read_with_harfbuzz_is_what_fonttools_reads():
    from fontTools.ttLib import TTFont

    from booklet import fonts
    shipped = sorted((ROOT / "fonts").glob("*.[ot]tf"))
    assert shipped and fonts._harfbuzz() is not None
    for path in shipped:
        font = TTFont(path, lazy=True)
        assert fonts._harfbuzz_unicodes(path) == frozenset(font.getBestCmap()), path.name


def test_output_files_get_the_usual_permissions(built_mini):
    """A built PDF is as readable as any new file (0644 under umask 022), not 0600."""
    import stat
    from booklet.fsutil import current_umask, write_bytes
    project, result = built_mini
    expected = 0o666 & ~current_umask()
    for path in (result.print_pdf, result.digital_pdf, project / "output" / "booklet.html"):
        assert stat.S_IMODE(path.stat().st_mode) == expected, (path.name, oct(path.stat().st_mode))
    old = os.umask(0o027)
    try:
        write_bytes(project / "output" / "probe.bin", b"x")
        assert stat.S_IMODE((project / "output" / "probe.bin").stat().st_mode) == 0o640
    finally:
        os.umask(old)
        (project / "output" / "probe.bin").unlink()
