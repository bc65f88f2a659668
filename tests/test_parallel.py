"""Page groups written apart and merged show and read what a one-piece build does."""

import hashlib
import json
import shutil
import subprocess
from types import SimpleNamespace

import pikepdf
import pytest

from booklet.build import Builder


_READ: dict = {}


def _once(kind, pdf, read):
    """What *read* gives for these PDF bytes, read once: the same bytes are
    compared in several tests (the one-piece reference with each other build,
    byte-identical builds with the same reference)."""
    key = (kind, hashlib.sha256(pdf.read_bytes()).hexdigest())
    if key not in _READ:
        _READ[key] = read()
    return _READ[key]


def renders(pdf, into):
    def read():
        into.mkdir(parents=True)
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(into / "p")], check=True)
        return [p.read_bytes() for p in sorted(into.glob("*.png"))]
    return _once("png", pdf, read)


def text(pdf):
    return _once("text", pdf, lambda: subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                                                     capture_output=True).stdout)


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


def _keep(result, into, name):
    """Copies of a build's PDFs (the next build in the project replaces them)."""
    kept = {}
    for kind, pdf in (("print", result.print_pdf), ("digital", result.digital_pdf)):
        kept[kind] = into / f"{name}-{kind}.pdf"
        shutil.copy(pdf, kept[kind])
    return kept


def _builds(project, into):
    """The one-piece reference (workers=1), the in-process merge of page groups
    (workers=2, no plan yet), and two builds laid out by worker processes from
    the plan the builds before left."""
    made = SimpleNamespace()
    made.one = _keep(Builder(project, workers=1).build(), into, "one")
    merged = Builder(project, workers=2).build()
    made.merged, made.merged_sizes = _keep(merged, into, "merged"), merged.sizes
    made.plan = json.loads((project / "output" / "booklet-plan.json").read_text("utf-8"))
    made.strategies = []
    for name in ("parallel", "again"):
        builder = Builder(project, workers=2, parallel=True)
        setattr(made, name, _keep(builder.build(), into, name))
        made.strategies.append(builder.last_strategy)
    return made


def _long_part_project(folder, people: int, first_part: int = 0):
    """A `booklet new` project whose second testimonials part has *people*
    more pages (and its first one *first_part* more)."""
    from booklet.scaffold import new_project
    project = new_project(folder)
    honourees = project / "content" / "honourees.yaml"
    surnames, given = "钱冯褚卫蒋沈韩杨朱秦尤许何吕施张", "建国秀兰卫东春梅志强玉珍"

    def person(key, i, group, post):
        return (f"  - id: {key}{i:02d}\n    name: {surnames[i % len(surnames)]}{given[i % 11:i % 11 + 2]}\n"
                f"    group: {group}\n    affiliation: 某某建设集团第{i + 1}项目部\n    post: {post}\n"
                f"    testimonial: |-\n      第{i + 1}位{post}的感言：安全生产，人人有责，我们一起把每一天的活干好。\n")
    extra = "".join(person("r", i, "优秀工匠", "技师") for i in range(first_part))
    extra += "".join(person("q", i, "优秀班组长", "班组长") for i in range(people))
    honourees.write_text(honourees.read_text("utf-8").rstrip("\n") + "\n" + extra, "utf-8")
    return project


@pytest.fixture(scope="module")
def two_parts_builds(tmp_path_factory):
    """A booklet with two long parts, each cut into pieces: what the sample
    (72 pages, two long testimonials parts) exercised, at a third of its pages."""
    tmp = tmp_path_factory.mktemp("two-parts-builds")
    return _builds(_long_part_project(tmp / "proj", 10, first_part=8), tmp)


@pytest.fixture(scope="module")
def new_builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("new-builds")
    return _builds(_long_part_project(tmp / "proj", 14), tmp)


def test_a_booklet_merged_reads_and_renders_as_one_piece(two_parts_builds, tmp_path):
    made = two_parts_builds
    assert made.merged["digital"].read_bytes() != made.one["digital"].read_bytes()   # really another way of writing
    same_reading(made.one["digital"], made.merged["digital"], tmp_path / "d")
    same_reading(made.one["print"], made.merged["print"], tmp_path / "p")
    assert made.merged_sizes["digital"] <= 1.1 * made.one["digital"].stat().st_size  # fonts subset once per face


def _cuts(plan) -> list:
    return [(c["parts"], c["split"]["at"]) for c in plan["chunks"] if c.get("split")]


def _parts_cut(plan, workers: int = 2) -> list:
    """The parts a build on *workers* processes cuts into pieces (as Builder._pieces_of decides)."""
    from booklet.render import split
    total = sum(c["pages"] + c["blanks_before"] for c in plan["chunks"])
    return [c["parts"][0] for c in plan["chunks"]
            if split.cuts(c["split"], c["first_page"], c["pages"], total, workers)]


@pytest.mark.parametrize("which", ["two_parts_builds", "new_builds"])
def test_a_long_part_cut_into_pieces_reads_and_renders_as_one_piece(which, request, tmp_path):
    made = request.getfixturevalue(which)
    assert _cuts(made.plan)                          # the plan knows where the long part may be cut
    assert len(_parts_cut(made.plan)) == (2 if which == "two_parts_builds" else 1), _parts_cut(made.plan)
    assert all(s.startswith("laid out in ") and "cuts inside parts)" in s for s in made.strategies), made.strategies
    for kind in ("digital", "print"):
        same_reading(made.one[kind], made.parallel[kind], tmp_path / kind)
        # byte for byte: from run to run, and as the first build (laid out in one piece, groups drawn apart) wrote it
        assert made.parallel[kind].read_bytes() == made.again[kind].read_bytes() == made.merged[kind].read_bytes()


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


def test_a_long_part_that_cannot_be_cut_safely_is_laid_out_whole(tmp_path):
    # the project's own layout gives the part a background: a fresh box of a piece would paint it anew
    from booklet.render.templates import DEFAULT_LAYOUTS
    project = _long_part_project(tmp_path / "proj", 10)
    layout = (DEFAULT_LAYOUTS / "units" / "testimonials.html").read_text("utf-8")
    assert layout.count("<section ") == 1
    (project / "layouts" / "units").mkdir(parents=True)
    (project / "layouts" / "units" / "testimonials.html").write_text(
        layout.replace("<section ", '<section style="background: #fdfaf2" ', 1), "utf-8")
    shutil.copy(Builder(project, workers=1).build().digital_pdf, tmp_path / "one.pdf")
    plan = json.loads((project / "output" / "booklet-plan.json").read_text("utf-8"))
    assert not _cuts(plan)
    builder = Builder(project, workers=2, parallel=True)
    result = builder.build()
    assert builder.last_strategy.startswith("laid out in ") and "cuts" not in builder.last_strategy
    same_reading(tmp_path / "one.pdf", result.digital_pdf, tmp_path / "n")


def test_pieces_that_do_not_come_out_as_the_plan_says_fall_back_to_one_layout(tmp_path):
    project = _long_part_project(tmp_path / "proj", 10)
    one = Builder(project, workers=2).build()
    kept = [one.print_pdf.read_bytes(), one.digital_pdf.read_bytes()]
    plan_file = project / "output" / "booklet-plan.json"
    plan = json.loads(plan_file.read_text("utf-8"))
    chunk = next(c for c in plan["chunks"] if c.get("split"))
    chunk["split"]["at"] = [[i + 1, page] for i, page in chunk["split"]["at"]]   # each piece a child late
    plan_file.write_text(json.dumps(plan), "utf-8")
    builder = Builder(project, workers=2, parallel=True)
    result = builder.build()
    assert builder.last_strategy == "full layout"
    assert [result.print_pdf.read_bytes(), result.digital_pdf.read_bytes()] == kept


def test_an_edit_of_a_long_part_keeps_it_cut_and_gives_the_bytes_of_a_full_build(tmp_path):
    project = _long_part_project(tmp_path / "proj", 10)
    builder = Builder(project, workers=2)
    builder.build()
    from booklet.render.incremental import merged_pages

    def groups():
        return [len(g) for g in builder._groups(SimpleNamespace(pages=merged_pages(builder._plan)))]
    cut = groups()
    assert len(cut) > len(builder._plan.chunks)          # the long part is drawn in pieces
    honourees = project / "content" / "honourees.yaml"
    honourees.write_text(honourees.read_text("utf-8").replace("第3位班组长的感言", "第3位班组长说"), "utf-8")
    edited = builder.build()
    assert builder.last_strategy.startswith("laid out again: ")
    assert groups() == cut
    kept = [edited.print_pdf.read_bytes(), edited.digital_pdf.read_bytes()]
    fresh = Builder(project, workers=2).build()
    assert [fresh.print_pdf.read_bytes(), fresh.digital_pdf.read_bytes()] == kept
