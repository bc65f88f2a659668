"""Incremental layout (booklet watch) must give exactly what a full build gives."""

import re
import shutil

from booklet import build as build_module
from booklet.build import Builder
from conftest import ARTICLE, ROOT


def our_booklet(parent):
    """A booklet of our own with what these tests need of the sample, at
    about a third of its pages (each test builds it two to four times): more
    than ten units, a news item whose photo caption shares its chunk, two
    rosters, articles of several full lines, and over twenty pages that show
    the accent colour. `booklet new`, grown."""
    from booklet.scaffold import new_project
    project = new_project(parent / "ours")
    content = project / "content"
    (content / "01a-caption.md").write_text(
        "---\nkind: caption\nsection: 要闻\n---\n![受表彰的班组长在会场合影](images/team.jpg)\n", "utf-8")
    (content / "10-article.md").write_text(ARTICLE, "utf-8")
    (content / "11-article.md").write_text(
        ARTICLE.replace("在平凡的岗位上守护万家灯火", "把小事做细").replace("凌晨三点", "傍晚六点")
        .replace("最朴素的注解", "最实在的注解"), "utf-8")
    config = project / "booklet.yaml"
    text = re.sub(r"(?m)^colours:\n(  .*\n)+", "", config.read_text("utf-8"))   # the tests set their own
    assert "colours:" not in text
    config.write_text(text.replace(
        "  - content/01-news.md\n", "  - content/01-news.md\n  - content/01a-caption.md\n").replace(
        "  - content/09-editors-note.md\n",
        "  - content/09-editors-note.md\n  - content/10-article.md\n  - content/11-article.md\n"), "utf-8")
    honourees = content / "honourees.yaml"
    honourees.write_text(honourees.read_text("utf-8").rstrip("\n") + "\n" + "".join(
        f"  - id: x{i:02d}\n    name: 班组长{'甲乙丙丁戊己'[i]}\n    group: 优秀班组长\n"
        f"    affiliation: 某某供电公司第{i + 1}班组\n    post: 班组长\n"
        f"    testimonial: |-\n      第{i + 1}位班组长说：把每一次巡检做细做实，就是对荣誉最好的回答。\n"
        for i in range(6)), "utf-8")
    return project


def digital_page_of(pdf, words):
    """The number of the digital edition's one page that shows *words*."""
    import pdfplumber
    with pdfplumber.open(pdf) as doc:
        found = [i for i, page in enumerate(doc.pages, 1)
                 if words in (page.extract_text() or "").replace(" ", "").replace("\n", "")]
    assert len(found) == 1, found
    return found[0]


def count_layouts(monkeypatch):
    calls = []
    real = build_module.render_document

    def spy(html, *args, **kwargs):
        calls.append(html.count('<section class="unit'))
        return real(html, *args, **kwargs)
    monkeypatch.setattr(build_module, "render_document", spy)
    return calls


def edit_one_word(unit):
    """Make the last full stop of a unit an exclamation mark: a change that moves no line."""
    text = unit.read_text("utf-8")
    cut = text.rfind("。")
    unit.write_text(text[:cut] + "！" + text[cut + 1:], "utf-8")


def outputs(project):
    return [(project / "output" / name).read_bytes() for name in ("booklet-print.pdf", "booklet-digital.pdf")]


def test_word_edit_lays_out_one_unit_and_matches_a_full_build(tmp_path, monkeypatch):
    project = our_booklet(tmp_path)
    calls = count_layouts(monkeypatch)
    watcher = Builder(project)
    first = watcher.build()
    assert len(calls) == 1 and calls[0] > 10            # the first build lays out everything
    page = digital_page_of(first.digital_pdf, "最朴素的注解。")   # the unit's last sentence, the one edited
    assert page > 4                                      # a page well inside the booklet
    edit_one_word(project / "content" / "10-article.md")
    result = watcher.build()
    assert calls[1:] == [1]                              # then only the edited unit
    assert [i + 1 for i, (a, b) in enumerate(zip(first.fingerprints, result.fingerprints)) if a != b] == [page]
    incremental = outputs(project)
    Builder(project).build()                             # a fresh process-like full build
    assert outputs(project) == incremental               # byte for byte


def test_edit_that_changes_page_count_falls_back_to_full_layout(tmp_path, monkeypatch):
    project = our_booklet(tmp_path)
    calls = count_layouts(monkeypatch)
    watcher = Builder(project)
    first = watcher.build()
    unit = project / "content" / "02-speech.md"
    unit.write_text(unit.read_text("utf-8") + ("\n\n" + "新增的段落内容。" * 60) * 3, "utf-8")
    result = watcher.build()
    assert calls[-1] > 10                                # laid out in full again
    assert result.pages >= first.pages
    incremental = outputs(project)
    Builder(project).build()
    assert outputs(project) == incremental


def test_stylesheet_edit_lays_out_everything(tmp_path, monkeypatch):
    project = our_booklet(tmp_path)
    calls = count_layouts(monkeypatch)
    watcher = Builder(project)
    watcher.build()
    (project / "layouts").mkdir(exist_ok=True)
    shutil.copy(ROOT / "booklet" / "layouts" / "booklet.css", project / "layouts" / "booklet.css")
    css = project / "layouts" / "booklet.css"
    css.write_text(css.read_text("utf-8") + "\n.unit p { letter-spacing: 0.02em; }\n", "utf-8")   # moves every line
    before = len(calls)
    result = watcher.build()
    assert calls[before:] and max(calls[before:]) > 10, calls[before:]     # the whole booklet in one document
    assert result.how.startswith("full layout"), result.how


def page_streams(pdf: bytes) -> str:
    import io

    import pypdf
    return "\n".join(p.get_contents().get_data().decode("latin-1") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_colour_edit_repaints_without_layout_and_matches_a_full_build(tmp_path, monkeypatch):
    project = our_booklet(tmp_path)
    calls = count_layouts(monkeypatch)
    watcher = Builder(project)
    first = watcher.build()
    # a word edit first, so the kept pages come from two laid-out documents
    edit_one_word(project / "content" / "10-article.md")
    watcher.build()
    laid_out = len(calls)
    config = project / "booklet.yaml"
    original = config.read_text("utf-8")
    # rules, ornaments and table borders; running heads (margin boxes); the editors' note background
    config.write_text(original + '\ncolours:\n  accent: {screen: "#1f5fb2", print: "90 60 0 0"}\n  muted: "#2f7f4f"\n'
                      '  paper_tint: "#e3eef6"\n', "utf-8")
    result = watcher.build()
    assert len(calls) == laid_out                        # no layout at all
    assert result.how == "colours repainted without layout"
    changed = [i for i, (a, b) in enumerate(zip(first.fingerprints, result.fingerprints)) if a != b]
    assert result.pages == first.pages and len(changed) > 20
    repainted = outputs(project)
    streams = page_streams(repainted[1])
    for rgb in ("0.121569 0.372549 0.698039", "0.184314 0.498039 0.309804", "0.890196 0.933333 0.964706"):
        assert rgb in streams                            # each new colour is painted on screen
    inks = page_streams(repainted[0])
    assert " rg" not in inks and "0.9 0.6 0 0 k" in inks and "0.9 0.6 0 0 K" in inks   # and in the role's inks
    Builder(project).build()
    assert outputs(project) == repainted                 # byte for byte what a full build gives
    laid_out = len(calls)
    # The print colour alone: the screen edition and the layout stay, the print edition follows.
    config.write_text(original + '\ncolours:\n  accent: {screen: "#1f5fb2", print: "100 50 0 10"}\n  muted: "#2f7f4f"\n'
                      '  paper_tint: "#e3eef6"\n', "utf-8")
    result = watcher.build()
    assert len(calls) == laid_out and result.how == "nothing to lay out"
    reinked = outputs(project)
    assert reinked[1] == repainted[1]
    inks = page_streams(reinked[0])
    assert "1 0.5 0 0.1 k" in inks and "0.9 0.6 0 0" not in inks


def test_layout_edit_lays_out_only_the_parts_it_selects(tmp_path, monkeypatch):
    project = our_booklet(tmp_path)
    (project / "layouts").mkdir(exist_ok=True)
    css = project / "layouts" / "booklet.css"
    shutil.copy(ROOT / "booklet" / "layouts" / "booklet.css", css)
    original = css.read_text("utf-8")
    calls = count_layouts(monkeypatch)
    watcher = Builder(project)
    watcher.build()
    # a layout rule for the roster, and a colour for every unit title in the same save
    css.write_text(original + "\n.roster-title { font-size: 26pt; }\n.unit-title { color: #2a6; }\n", "utf-8")
    result = watcher.build()
    assert 1 <= len(calls) - 1 <= 2 and max(calls[1:]) <= 1  # the roster's own chunk(s), not the booklet
    assert result.how.startswith("colours repainted without layout; laid out again:") and "roster" in result.how
    scoped = outputs(project)
    Builder(project).build()
    assert outputs(project) == scoped
    css.write_text(original + "\np { text-indent: 1.5em; }\n", "utf-8")
    result = watcher.build()
    assert calls[-1] > 10 and result.how.startswith("full layout: the edit reaches")   # every paragraph


def test_a_part_that_moves_inside_a_relaid_chunk_forces_a_full_layout(tmp_path, monkeypatch):
    from booklet.render import incremental
    project = our_booklet(tmp_path)
    calls = count_layouts(monkeypatch)
    watcher = Builder(project)
    watcher.build()
    real = incremental.part_starts

    def later_parts_one_page_on(pages, first_page, known):
        starts = sorted(real(pages, first_page, known).items(), key=lambda item: item[1])
        return {part: page + (1 if i else 0) for i, (part, page) in enumerate(starts)}
    monkeypatch.setattr(incremental, "part_starts", later_parts_one_page_on)
    edit_one_word(project / "content" / "01-news.md")   # laid out with its photo caption in one chunk
    result = watcher.build()
    assert calls[-1] > 10 and result.how == "full layout"   # the contents would print a stale number


def test_a_font_file_replaced_while_watching_is_a_fresh_start(tmp_path):
    import os

    from booklet.build import check_project
    from conftest import copy_project
    project = copy_project(tmp_path / "mini")
    watcher = Builder(project)
    watcher.build()
    config = watcher._font_config
    face = check_project(project).faces[0].path
    (project / "fonts").mkdir(exist_ok=True)
    shutil.copy(face, project / "fonts" / face.name)       # the project now brings its own copy
    result = watcher.build()
    assert result.how == "full layout: a font file changed" and watcher._font_config is not config
    os.utime(project / "fonts" / face.name, ns=(1_000_000_000, 1_000_000_000))   # replaced in place
    assert watcher.build().how == "full layout: a font file changed"
    assert watcher.build().how == "nothing to lay out"


def test_chunk_keys_follow_every_file_the_html_or_stylesheet_draws_on(tmp_path):
    from booklet.render.incremental import body_key, file_urls
    html = ('<style>@font-face { src: url("file:///fonts/a.otf") } .band { background: url(images/band.png) }</style>'
            '<img src="file:///p/images/h01.jpg"><a href="#unit-1">1</a><a href="https://example.org">x</a>')
    assert file_urls(html, "file:///p/") == ["file:///fonts/a.otf", "file:///p/images/band.png", "file:///p/images/h01.jpg"]
    (tmp_path / "images").mkdir()
    band = tmp_path / "images" / "band.png"
    band.write_bytes(b"one")
    base = tmp_path.as_uri() + "/"
    before = body_key(html, "", base)
    assert body_key(html, "", base) == before
    css = html[len("<style>"):html.index("</style>")]    # the stylesheet left out of the key, not its files
    with_css = body_key(html, css, base)
    band.write_bytes(b"two, longer")                    # replaced under the same name
    assert body_key(html, "", base) != before
    assert body_key(html, css, base, {}) != with_css


def test_a_selector_is_tried_only_where_the_html_names_its_classes():
    from booklet.render.incremental import matches
    html = '<section class="unit unit-roster"><h2 class="roster-title">名单</h2></section>'
    assert matches(html, [".roster-title"]) and matches(html, ["section h2"])
    assert not matches(html, [".unit-title"]) and not matches(html, ["#unit-3", ".toc a"])
    assert matches(html, [".unit-title, .roster-title"])               # either alternative
    assert matches(html, ["section:not(.unit-title)"])                  # a negation is parsed, not guessed
    assert not matches(html, ["h2:not(.roster-title)"])
