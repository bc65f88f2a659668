"""Page groups written apart and merged show and read what a one-piece build does."""

import shutil
import subprocess

import pikepdf
import pytest

from booklet.build import Builder
from conftest import sample_copy


def renders(pdf, into):
    into.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(into / "p")], check=True)
    return [p.read_bytes() for p in sorted(into.glob("*.png"))]


def text(pdf):
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout


def _dest(pdf, dest):
    """A destination as (page index, view): named ones resolved through the name tree."""
    if isinstance(dest, (pikepdf.String, str)):
        dest = pikepdf.NameTree(pdf.Root.Names.Dests)[str(dest)]
    numbers = {page.objgen: i for i, page in enumerate(pdf.pages)}
    return numbers[dest[0].objgen], [round(float(v), 2) for v in list(dest)[2:]]


def outline(pdf):
    with pdf.open_outline() as tree:
        def walk(items):
            return [(item.title, _dest(pdf, item.destination), walk(item.children)) for item in items]
        return walk(tree.root)


def links(pdf):
    found = []
    for i, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            target = annot.get("/Dest")
            found.append((i, [round(float(v), 2) for v in annot.Rect],
                          _dest(pdf, target) if target is not None else str(annot.A.URI)))
    return found


def structure(pdf):
    """The structure tree as (type, page, marked-content ids or annotation links, children)."""
    numbers = {page.objgen: i for i, page in enumerate(pdf.pages)}

    def walk(element):
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        content, children = [], []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.OBJR:
                content.append(("link", [round(float(v), 2) for v in kid.Obj.Rect]))
            elif isinstance(kid, pikepdf.Dictionary):
                children.append(walk(kid))
            else:
                content.append(int(kid))
        page = numbers.get(element.Pg.objgen) if "/Pg" in element else None
        return (str(element.get("/S")), page, str(element.get("/Alt", "")), content, children)

    root = pdf.Root.StructTreeRoot
    # every marked content id of every page is reachable through the parent tree
    parents = {}
    for key, value in pikepdf.NumberTree(root.ParentTree).items():
        parents[key] = len(value) if isinstance(value, pikepdf.Array) else str(value.get("/S"))
    by_page = [parents.get(int(page.obj.StructParents)) for page in pdf.pages]
    return [walk(k) for k in root.K], by_page


def same_reading(one_piece, merged, tmp_path):
    assert renders(one_piece, tmp_path / "one") == renders(merged, tmp_path / "merged")
    assert text(one_piece) == text(merged)
    with pikepdf.open(one_piece) as a, pikepdf.open(merged) as b:
        assert outline(a) == outline(b) and outline(a)
        assert links(a) == links(b)
        assert structure(a) == structure(b)


def test_the_sample_merged_reads_and_renders_as_one_piece(tmp_path):
    project = sample_copy(tmp_path)
    one = Builder(project, workers=1).build()
    saved = {k: p.read_bytes() for k, p in (("print", one.print_pdf), ("digital", one.digital_pdf))}
    (tmp_path / "one-print.pdf").write_bytes(saved["print"])
    (tmp_path / "one-digital.pdf").write_bytes(saved["digital"])
    merged = Builder(project, workers=2).build()
    assert merged.digital_pdf.read_bytes() != saved["digital"]     # really another way of writing
    same_reading(tmp_path / "one-digital.pdf", merged.digital_pdf, tmp_path / "d")
    same_reading(tmp_path / "one-print.pdf", merged.print_pdf, tmp_path / "p")
    assert merged.sizes["digital"] <= 1.1 * len(saved["digital"])  # fonts subset once per face
    again = Builder(project, workers=2).build()
    assert again.sizes == merged.sizes
    assert merged.digital_pdf.read_bytes() == again.digital_pdf.read_bytes()


def test_a_new_project_merged_reads_and_renders_as_one_piece(tmp_path):
    from booklet.scaffold import new_project
    project = new_project(tmp_path / "proj")
    one = Builder(project, workers=1).build().digital_pdf
    shutil.copy(one, tmp_path / "one.pdf")
    merged = Builder(project, workers=2).build().digital_pdf
    same_reading(tmp_path / "one.pdf", merged, tmp_path / "n")


def test_groups_laid_out_in_worker_processes_match_the_in_process_build(mini):
    from booklet.build import build
    first = Builder(mini, workers=2).build()                 # in one process; leaves its plan in output/
    in_process = [first.print_pdf.read_bytes(), first.digital_pdf.read_bytes()]
    builder = Builder(mini, workers=2, parallel=True)
    result = builder.build()
    assert builder.last_strategy.startswith("laid out in ") and builder.last_strategy.endswith("on 2 processes")
    assert [result.print_pdf.read_bytes(), result.digital_pdf.read_bytes()] == in_process
    assert result.fingerprints == first.fingerprints and result.warnings == first.warnings
    again = build(mini, workers=2)
    assert [again.print_pdf.read_bytes(), again.digital_pdf.read_bytes()] == in_process


def test_a_plan_that_no_longer_fits_falls_back_to_one_layout(mini):
    Builder(mini, workers=2).build()
    news = mini / "content" / "01-news.md"
    news.write_text(news.read_text("utf-8") + ("\n\n" + "新增的段落内容。" * 60) * 3, "utf-8")   # a page longer
    builder = Builder(mini, workers=2, parallel=True)
    result = builder.build()
    assert builder.last_strategy == "full layout"           # the workers' pages did not fit the plan
    merged = [result.print_pdf.read_bytes(), result.digital_pdf.read_bytes()]
    fresh = Builder(mini, workers=2).build()
    assert [fresh.print_pdf.read_bytes(), fresh.digital_pdf.read_bytes()] == merged


def test_fonts_known_only_by_their_content_merge_the_same(mini):
    from booklet.build import check_project
    from booklet.parallel.chunkpdf import write_chunk
    from booklet.pdf import merge as merge_module
    from booklet.pdf.merge import MergeError, merge
    builder = Builder(mini, workers=2)
    builder.build()
    doc = builder._last_doc
    groups = builder._groups(doc)
    known = builder._known_fonts(check_project(mini).faces)
    by_path = merge([write_chunk(doc, g, "pdf/ua-1", set(known)) for g in groups], known)
    pieces = [write_chunk(doc, g, "pdf/ua-1", set()) for g in groups]
    assert sum(len(p.font_files) for p in pieces) >= len(known)      # the files travel with the groups
    merge_module._MADE.clear()                                       # subset again, from the content
    assert merge(pieces, {}) == by_path
    merge_module._MADE.clear()
    with pytest.raises(MergeError):
        merge([write_chunk(doc, g, "pdf/ua-1", set(known)) for g in groups], {})
