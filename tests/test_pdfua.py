"""The digital edition as assistive technology reads it: PDF/UA-1.

veraPDF, the PDF Association's validator, judges the mini booklet's digital
PDF once per session (it needs Java and a few GB; the test is skipped with
the reason when it is absent). The other tests read what a screen reader
reads — the structure tree, the annotations, the marked content of the pages
— with pikepdf and pdfplumber, on the mini booklet and on small documents
made here.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from booklet.pdf.editions import digital_edition

from conftest import ROOT, copy_project
from test_print import FONT, tiny_cfg

N = pikepdf.Name


# ---------------------------------------------------------------------------
# Reading a tagged PDF the way a screen reader does.

def elements(pdf: pikepdf.Pdf):
    """The structure elements reachable from the root, in reading order."""
    out = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            out.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return out


def kids(element) -> list:
    k = element.get("/K")
    return [] if k is None else list(k) if isinstance(k, pikepdf.Array) else [k]


def parent_tree(pdf) -> dict[int, object]:
    return {k: v for k, v in pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).items()}


def chars_by_tag(data: bytes) -> list[tuple[int, dict]]:
    """(page index, pdfplumber char) of every character drawn."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [(i, c) for i, page in enumerate(doc.pages) for c in page.chars]


def read_aloud(data: bytes) -> str:
    """The text of the marked content whose element is in the tree."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        reachable = {e.objgen for e in elements(pdf)}
        tree = parent_tree(pdf)
        wanted = set()
        for i, page in enumerate(pdf.pages):
            sp = page.obj.get("/StructParents")
            for mcid, el in enumerate(tree.get(int(sp), []) if sp is not None else []):
                if isinstance(el, pikepdf.Dictionary) and el.objgen in reachable:
                    wanted.add((i, mcid))
    return "".join(c["text"] for i, c in chars_by_tag(data) if (i, c.get("mcid")) in wanted)


def artifact_text(data: bytes) -> str:
    return "".join(c["text"] for _, c in chars_by_tag(data) if c.get("tag") == "Artifact")


def tagged_raw(body: str, tmp_path: Path, css: str = "") -> bytes:
    """A small document through booklet's renderer (its hooks), as WeasyPrint writes it."""
    from booklet.render.document import render_document
    html = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>无障碍</title><style>'
            f'@font-face {{ font-family: cjk; src: url("{FONT.as_uri()}"); }} body {{ font-family: cjk; font-size: 12pt }}'
            f'@page {{ size: 100mm 140mm; bleed: 3mm; margin: 10mm; @bottom-center {{ content: "第" counter(page) "页" }} }}'
            f'{css}</style></head><body>{body}</body></html>')
    doc, _ = render_document(html, tmp_path)
    return doc.write_pdf(pdf_variant="pdf/ua-1")


def tagged(body: str, tmp_path: Path, css: str = "") -> bytes:
    """The same, made into the digital edition."""
    return digital_edition(tagged_raw(body, tmp_path, css), tiny_cfg(tmp_path, trim=(100, 140)))[0]


def links(data: bytes):
    """(page index, annotation, its structure element) of every link."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = parent_tree(pdf)
        reachable = {e.objgen for e in elements(pdf)}
        out = []
        for i, page in enumerate(pdf.pages):
            for a in page.obj.get("/Annots", []):
                if a.Subtype == N.Link:
                    el = tree[int(a.StructParent)]
                    objrs = [k for k in kids(el) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == N.OBJR]
                    out.append((i, str(a.get("/Contents", "")), str(el.S), el.objgen in reachable,
                                [o.Obj.objgen == a.objgen for o in objrs], str(a.get("/Dest", ""))))
        return out


# ---------------------------------------------------------------------------
# The validator.

def verapdf_command() -> tuple[Path | None, str]:
    env = os.environ.get("VERAPDF")
    if env:
        path = Path(env)
        return (path, "") if path.is_file() else (None, f"VERAPDF={env} does not exist")
    path = ROOT.parent / "shared" / "tools" / "verapdf" / "verapdf"
    if path.is_file():
        return path, ""
    return None, "veraPDF not found at ../shared/tools/verapdf/verapdf from the repository root; set VERAPDF"


def test_verapdf_accepts_the_digital_edition(built_mini, tmp_path):
    command, why = verapdf_command()
    if command is None:
        pytest.skip(why)
    _, result = built_mini
    pdf = tmp_path / "digital.pdf"
    shutil.copy(result.digital_pdf, pdf)
    run = subprocess.run([str(command), str(pdf), "ua1"], capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0 and "| COMPLIANT |" in run.stdout, run.stdout + run.stderr[-2000:]


# ---------------------------------------------------------------------------
# The mini booklet.

@pytest.fixture(scope="module")
def mini_pdf(built_mini):
    project, result = built_mini
    return project, result.digital_pdf.read_bytes()


def test_contents_links_are_link_elements_saying_their_words(mini_pdf):
    from booklet.config import load_config
    from booklet.content import load_content
    project, data = mini_pdf
    cfg = load_config(project)
    titles = [u.title for u in load_content(project, [u.path for u in cfg.units], cfg.honourees).units if u.title]
    found = links(data)
    contents_page = {i for i, *_ in found}
    assert len(contents_page) == 1
    assert len(found) == len(titles)                   # one link per entry, not one per box inside it
    with pikepdf.open(io.BytesIO(data)) as pdf:
        names = {str(k): v for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
        pages = {p.obj.objgen: i + 1 for i, p in enumerate(pdf.pages)}
        for (_, words, kind, reachable, objr, dest), title in zip(found, titles):
            assert kind == "/Link" and reachable and objr == [True]
            number = pages[names[dest][0].objgen]
            assert words.startswith(title) and words.endswith(f" {number}"), (words, title, number)
            assert not re.search(r"(.)\1\1", words)        # no leader dots read out


def test_identification_language_title_and_tab_order(mini_pdf):
    _, data = mini_pdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert xmp.get("dc:title")
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.Root.Lang) == "zh-CN" and pdf.Root.MarkInfo.Marked is True
        with_links = [p for p in pdf.pages if p.obj.get("/Annots")]
        assert with_links and all(p.obj.Tabs == N.S for p in with_links)


def test_every_marked_content_is_in_the_tree_or_an_artifact(mini_pdf):
    """Running heads and folios are page furniture; nothing tagged is out of reach."""
    _, data = mini_pdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        reachable = {e.objgen for e in elements(pdf)}
        tree = parent_tree(pdf)
        for page in pdf.pages:
            sp = page.obj.get("/StructParents")
            for inst in pikepdf.parse_content_stream(page):
                if inst.operator == pikepdf.Operator("BDC") and "/MCID" in inst.operands[1]:
                    el = tree[int(sp)][int(inst.operands[1].MCID)]
                    assert el.objgen in reachable
    furniture = artifact_text(data)
    assert re.search(r"\d", furniture)                   # folios
    spoken = read_aloud(data)
    assert "照片" in furniture and "照片" not in spoken     # photo placeholders: drawn, not read


def test_what_the_layouts_hide_is_drawn_as_artifacts(built_mini):
    """Every aria-hidden element of the booklet's HTML (ornaments, seals,
    placeholders) is on the page as an artifact, not in what is read."""
    import tinyhtml5
    project, result = built_mini
    html = tinyhtml5.parse((project / "output" / "booklet.html").read_text("utf-8"))
    hidden = ["".join(e.itertext()) for e in html.iter() if e.get("aria-hidden") == "true"]
    assert len(hidden) > 3
    furniture = re.sub(r"\s", "", artifact_text(result.digital_pdf.read_bytes()))
    for text in hidden:
        assert re.sub(r"\s", "", text) in furniture, text


def test_headings_never_skip_a_level(mini_pdf):
    _, data = mini_pdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        levels = [int(str(e.S)[2:]) for e in elements(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]
    assert levels[0] == 1 and len(levels) > 3
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_roster_is_a_list_after_its_heading_and_layout_tables_are_no_tables(mini_pdf):
    import yaml
    project, data = mini_pdf
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text(encoding="utf-8"))["honourees"]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        seq = elements(pdf)
        kinds = [str(e.S) for e in seq]
        lists = [e for e in seq if e.S == N.L and any(k.S == N.LI for k in kids(e)) and e.objgen != seq[kinds.index("/L")].objgen]
        assert len(lists) == 1                           # the contents is the first list, the roster the other
        roster = lists[0]
        assert len([k for k in kids(roster) if k.S == N.LI]) == len(people)
        sect = roster
        while sect.S != N.Sect:
            sect = sect.P
        inside = [str(e.S) for e in elements_under(sect)]
        assert inside.index("/H1") < inside.index("/L")  # the group's name, then its people
        assert not {"/Table", "/TR", "/TD", "/TH"} & set(kinds)


def elements_under(element):
    out = []
    for kid in kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(kid)
            out += elements_under(kid)
    return out


@pytest.fixture(scope="module")
def mini_with_photos(tmp_path_factory):
    """The mini booklet with one portrait and one captioned photo in its files."""
    from PIL import Image
    from booklet.build import build
    project = copy_project(tmp_path_factory.mktemp("photos") / "mini")
    (project / "images").mkdir()
    Image.new("RGB", (300, 400), (120, 90, 60)).save(project / "images" / "h02.jpg")
    Image.new("RGB", (600, 400), (60, 90, 120)).save(project / "images" / "group.jpg")
    return build(project).digital_pdf.read_bytes()


def test_figures_say_who_or_what_they_show(mini_with_photos):
    with pikepdf.open(io.BytesIO(mini_with_photos)) as pdf:
        alts = sorted(str(e.get("/Alt", "")) for e in elements(pdf) if e.S == N.Figure)
    assert alts == sorted(["岳虹", "青海省参加表彰大会的全国劳动模范和先进工作者合影"])


# ---------------------------------------------------------------------------
# Small documents: the repairs on their own.

def test_a_link_broken_over_lines_is_one_link_in_words(tmp_path):
    raw = tagged_raw('<p style="width: 30mm">前文<a href="#end">跨行的链接<em>强调</em>文字继续</a>后文。</p>'
                     '<p>外部<a href="https://example.org/a">网址</a>。</p>'
                     '<p><a href="#end">第二节<span style="margin-left: 3em">作者</span></a></p>'
                     '<h2 id="end" style="break-before: page">结尾</h2>', tmp_path)
    with pikepdf.open(io.BytesIO(raw)) as pdf:         # named by the hook as WeasyPrint writes them
        named = {str(a.Contents) for p in pdf.pages for a in p.obj.get("/Annots", [])}
        assert {"跨行的链接", "强调文字继续", "网址", "第二节 作者"} <= named
    data, _ = digital_edition(raw, tiny_cfg(tmp_path, trim=(100, 140)))
    found = links(data)
    assert [(kind, ok, objr) for _, _, kind, ok, objr, _ in found] == [("/Link", True, [True])] * 4
    assert [words for _, words, *_ in found] == ["跨行的链接强调文字继续"] * 2 + ["网址", "第二节 作者"]


def test_links_written_without_the_hook_are_named_from_the_page(tmp_path):
    """Any WeasyPrint-tagged PDF: the words are read back from the marked content."""
    import weasyprint

    from booklet.pdf import roles
    body = ('<p style="width: 30mm">前文<a href="#end">跨行的链接<em>强调</em>文字继续</a>后文。</p>'
            '<p><a href="#end">第二节<span style="margin-left: 3em">作者</span></a></p>'
            '<h2 id="end" style="break-before: page">结尾</h2>')
    html = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>t</title><style>@font-face {{ font-family: cjk; '
            f'src: url("{FONT.as_uri()}"); }} body {{ font-family: cjk }} @page {{ size: 100mm 140mm; bleed: 3mm }}'
            f'</style></head><body>{body}</body></html>')
    roles.uninstall()
    try:
        raw = weasyprint.HTML(string=html, base_url=tmp_path.as_uri() + "/").render().write_pdf(pdf_variant="pdf/ua-1")
    finally:
        roles.install()
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert {str(a.Contents) for p in pdf.pages for a in p.obj.get("/Annots", [])} == {"end"}
    data, _ = digital_edition(raw, tiny_cfg(tmp_path, trim=(100, 140)))
    assert [words for _, words, *_ in links(data)] == ["跨行的链接强调文字继续"] * 2 + ["第二节 作者"]


def test_pages_with_links_get_structure_tab_order(tmp_path):
    raw = tagged_raw('<p><a href="#z">去结尾</a></p><h2 id="z" style="break-before: page">结尾</h2>', tmp_path)
    with pikepdf.open(io.BytesIO(raw)) as pdf:          # as another writer might leave it
        for page in pdf.pages:
            if "/Tabs" in page.obj:
                del page.obj["/Tabs"]
        out = io.BytesIO()
        pdf.save(out)
    data, _ = digital_edition(out.getvalue(), tiny_cfg(tmp_path, trim=(100, 140)))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert [str(p.obj.get("/Tabs")) for p in pdf.pages] == ["/S", "None"]


def test_block_link_in_a_bulleted_item(tmp_path):
    data = tagged('<ul><li><a style="display: block" href="#x"><span>第一项</span><span class="n" href="#x"></span></a></li>'
                  '<li><p>第二项</p></li></ul><h2 id="x" style="break-before: page">目标</h2>', tmp_path,
                  '.n::after { content: leader(".") target-counter(attr(href url), page) }')
    with pikepdf.open(io.BytesIO(data)) as pdf:
        items = [e for e in elements(pdf) if e.S == N.LI]
        assert len(items) == 2
        for li in items:
            assert {str(k.S) for k in kids(li)} <= {"/Lbl", "/LBody"}
    (one,) = links(data)
    assert one[1] == "第一项 2" and one[2] == "/Link"
    assert "......" in artifact_text(data)              # the leader is drawn, as furniture


def test_aria_hidden_is_drawn_but_not_read_and_its_links_still_count(tmp_path):
    data = tagged('<p>正文开始。</p><div aria-hidden="true">装饰花边<a href="#y">藏链</a></div><p>正文结束。</p>'
                  '<h2 id="y" style="break-before: page">目标</h2>', tmp_path)
    spoken, drawn = read_aloud(data), artifact_text(data)
    assert "正文开始" in spoken and "正文结束" in spoken
    assert "装饰花边" in drawn and "装饰花边" not in spoken
    (one,) = links(data)
    assert one[2:5] == ("/Link", True, [True]) and one[1] == "藏链"


def test_presentation_tables_are_groups_data_tables_keep_headers(tmp_path):
    data = tagged('<table role="presentation"><tr><td><p>版式</p></td><td>'
                  '<table><tr><th>姓名</th><th>单位</th></tr><tr><td>某甲</td><td>某厂</td></tr></table>'
                  '</td></tr></table>', tmp_path)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        seq = elements(pdf)
        kinds = [str(e.S) for e in seq]
        assert kinds.count("/Table") == 1 and kinds.count("/TH") == 2 and kinds.count("/TD") == 2
        headers = {str(e.ID) for e in seq if e.S == N.TH}
        for cell in (e for e in seq if e.S == N.TD):
            assert {str(h) for h in cell.A.Headers} <= headers and len(cell.A.Headers) == 1
        table = seq[kinds.index("/Table")]
        assert table.P.S == N.Div                     # the layout table around it is a group


def test_untagged_pdfs_claim_nothing(tmp_path):
    from test_print import render, tiny_html
    data, report = digital_edition(render(tiny_html(2), tmp_path), tiny_cfg(tmp_path))
    assert not report.tagging.tagged
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("pdfuaid:part") is None


def test_the_structure_hook_is_checked_against_weasyprint(monkeypatch):
    import weasyprint
    from weasyprint.pdf import tags

    from booklet.errors import BookletError
    from booklet.pdf import roles
    roles.install()
    assert tags._build_box_tree is roles._build_box_tree
    roles.uninstall()
    try:
        assert tags._build_box_tree is not roles._build_box_tree
        monkeypatch.setattr(weasyprint, "__version__", "71.0")
        with pytest.raises(BookletError, match="70.0.*found 71.0"):
            roles.install()
    finally:
        monkeypatch.undo()
        roles.install()
    assert tags._build_box_tree is roles._build_box_tree


def test_orphans_marked_through_a_property_list_become_artifacts_too():
    """Marked content written as `/Tag /MC0 BDC` (a named property list), not as
    WeasyPrint writes it, is found by parsing the stream."""
    from booklet.pdf.tagging import make_accessible
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"/Span /MC0 BDC BT ET EMC\n/P <</MCID 1>> BDC BT ET EMC\n")
    page.obj.Resources = pikepdf.Dictionary(Properties=pikepdf.Dictionary(MC0=pikepdf.Dictionary(MCID=0)))
    page.obj.StructParents = 0
    root = pdf.make_indirect(pikepdf.Dictionary(Type=N.StructTreeRoot))
    doc = pdf.make_indirect(pikepdf.Dictionary(Type=N.StructElem, S=N.Document, P=root))
    kept = pdf.make_indirect(pikepdf.Dictionary(Type=N.StructElem, S=N.P, P=doc, K=1, Pg=page.obj))
    lost = pdf.make_indirect(pikepdf.Dictionary(Type=N.StructElem, S=N.Span, P=doc, K=0, Pg=page.obj))
    doc.K = pikepdf.Array([kept])
    root.K = doc
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Array([lost, kept])])))
    pdf.Root.StructTreeRoot = root
    report = make_accessible(pdf)
    assert report.artifacts == 1
    stream = pdf.pages[0].obj.Contents.read_bytes()
    assert b"/Artifact BMC" in stream and b"/MC0" not in stream and b"/MCID 1" in stream
