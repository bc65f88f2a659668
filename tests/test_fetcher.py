"""The URL fetcher (render/document.py): WeasyPrint reads only the project.

A booklet must build offline from the project's own files; a layout that
reaches outside it (a symlink, `..`, a file: URL, the network) stops the
build with a message naming the URL. Every kind of resource WeasyPrint
fetches is tried: images, background images, @font-face fonts, stylesheets
linked or @imported. Each case has a control that the same markup loads a
file that really is inside the project, so a refusal is not just any
failure. The symlink and `..` cases are what `.resolve()` in the fetcher is
for: without it the path still *reads* as inside the project.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from booklet.errors import BookletError
from booklet.render.document import render_document

from userrun import assert_user_error, booklet, copy_project, snapshot


def tiny_font(path: Path, family: str) -> Path:
    """A valid TrueType font of our own with one glyph for 'A' (a square)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0)), pen.lineTo((100, 700)), pen.lineTo((600, 700)), pen.lineTo((600, 0)), pen.closePath()
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "A"])
    fb.setupCharacterMap({ord("A"): "A"})
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "A": pen.glyph()})
    fb.setupHorizontalMetrics({".notdef": (500, 0), "A": (700, 100)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    fb.save(str(path))
    return path


def tiny_png(path: Path) -> Path:
    from PIL import Image
    Image.new("RGB", (40, 30), (30, 120, 200)).save(path)
    return path


@pytest.fixture
def places(tmp_path):
    """A project and, beside it, a folder outside it holding one file of each kind."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    for folder in (project / "images", project / "fonts", project / "layouts", outside):
        folder.mkdir(parents=True)
    for where in (project, outside):
        tiny_png(where / ("images" if where == project else "") / "pic.png")
        tiny_font(where / ("fonts" if where == project else "") / "mark.ttf", "Mark")
        (where / ("layouts" if where == project else "") / "extra.css").write_text(
            "body { background: url(pic.png) }", "utf-8")
    (project / "layouts" / "extra.css").write_text("p { color: #123456 }", "utf-8")
    return project, outside


# How each kind of resource is asked for; {url} is the address under test.
MARKUP = {
    "img": '<p>A</p><img src="{url}" style="width: 20pt">',
    "background": '<div style="background-image: url(\'{url}\'); width: 20pt; height: 20pt"></div>',
    "font": '<style>@font-face {{ font-family: Mark; src: url("{url}") }} p {{ font-family: Mark }}</style><p>A</p>',
    "link": '<link rel="stylesheet" href="{url}"><p>A</p>',
    "import": '<style>@import url("{url}");</style><p>A</p>',
}
FILE = {"img": "pic.png", "background": "pic.png", "font": "mark.ttf", "link": "extra.css", "import": "extra.css"}
FOLDER = {"img": "images", "background": "images", "font": "fonts", "link": "layouts", "import": "layouts"}


def has_image(pdf: pikepdf.Pdf) -> bool:
    """An image XObject anywhere in the file (a background is drawn through a pattern)."""
    return any(isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image" for o in pdf.objects)


def render(project: Path, kind: str, url: str):
    return render_document(f"<html><body>{MARKUP[kind].format(url=url)}</body></html>", project)


def refused(project: Path, kind: str, url: str) -> str:
    with pytest.raises(BookletError) as err:
        render(project, kind, url)
    return str(err.value)


KINDS = list(MARKUP)


@pytest.mark.parametrize("kind", KINDS)
def test_the_projects_own_files_load(places, kind):
    project, _ = places
    doc, _ = render(project, kind, f"{FOLDER[kind]}/{FILE[kind]}")
    assert len(doc.pages) == 1
    pdf = pikepdf.open(io.BytesIO(doc.write_pdf()))
    page = pdf.pages[0]
    if kind in ("img", "background"):
        assert has_image(pdf), "the picture inside the project was not placed"
    if kind == "font":
        names = [str(f.get("/BaseFont", "")) for _, f in page.resources.Font.items()]
        assert any("Mark" in n for n in names), names


@pytest.mark.parametrize("kind", KINDS)
def test_a_symlink_pointing_outside_is_refused(places, kind):
    project, outside = places
    link = project / FOLDER[kind] / f"link-{FILE[kind]}"
    link.symlink_to(outside / FILE[kind])
    message = refused(project, kind, f"{FOLDER[kind]}/{link.name}")
    assert "outside the project folder" in message and link.name in message


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spelling", ["..", "%2e%2e"])
def test_dot_dot_segments_in_a_file_url_are_refused(places, kind, spelling):
    # The path starts with the project's folder, and only reading it as a
    # path (resolving `..`) shows that it leaves the project.
    project, outside = places
    url = f"{project.as_uri()}/{spelling}/{outside.name}/{FILE[kind]}"
    assert "outside the project folder" in refused(project, kind, url)


@pytest.mark.parametrize("kind", KINDS)
def test_a_relative_url_climbing_out_is_refused(places, kind):
    project, outside = places
    assert "outside the project folder" in refused(project, kind, f"{FOLDER[kind]}/../../{outside.name}/{FILE[kind]}")


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_url_elsewhere_is_refused(places, kind):
    project, outside = places
    message = refused(project, kind, (outside / FILE[kind]).as_uri())
    assert "outside the project folder" in message and FILE[kind] in message


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("url", ["https://example.invalid/x", "http://127.0.0.1:9/x", "ftp://example.invalid/x"])
def test_network_urls_are_refused_without_a_connection(places, kind, url):
    project, _ = places
    message = refused(project, kind, url + "." + FILE[kind].split(".")[-1])
    assert "network access is not allowed" in message and url in message


@pytest.mark.parametrize("kind", ["img", "background"])
def test_a_data_url_is_drawn(places, kind):
    import base64
    project, _ = places
    data = base64.b64encode((project / "images" / "pic.png").read_bytes()).decode()
    doc, _ = render(project, kind, f"data:image/png;base64,{data}")
    assert has_image(pikepdf.open(io.BytesIO(doc.write_pdf())))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("url", ["about:blank", "blob:null/1", "chrome://x"])
def test_other_schemes_are_refused_too(places, kind, url):
    # schemes sorting before "data" and "file": a refusal must not hang on how they compare
    project, _ = places
    message = refused(project, kind, url)
    assert url in message and "network access is not allowed" in message


def test_a_symlink_inside_the_project_is_fine(places):
    project, _ = places
    (project / "images" / "same.png").symlink_to(project / "images" / "pic.png")
    doc, _ = render(project, "img", "images/same.png")
    assert has_image(pikepdf.open(io.BytesIO(doc.write_pdf())))


def test_a_projects_stylesheet_reaching_outside_stops_the_build(scaffold_built, tmp_path):
    """As a user meets it: the project's layouts/booklet.css sets a background
    through a symlink to a picture elsewhere; `booklet build` says which and
    writes nothing."""
    project = copy_project(scaffold_built[0], tmp_path / "issue")
    (project / "images" / "paper.png").symlink_to(tiny_png(tmp_path / "paper.png"))
    default_css = Path(__file__).resolve().parents[1] / "booklet" / "layouts" / "booklet.css"
    (project / "layouts" / "booklet.css").write_text(
        default_css.read_text("utf-8") + '\nbody { background-image: url("images/paper.png") }\n', "utf-8")
    before = snapshot(project, "output", "content")
    proc = booklet("build", cwd=project)
    assert_user_error(proc, r"refused to load file:///\S+/images/paper\.png", "outside the project folder")
    assert snapshot(project, "output", "content") == before
