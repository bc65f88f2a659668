"""Every user mistake is one message naming the file and line, never a traceback,
and the command leaves output/ and content/ as they were.

Each case breaks one file of a built `booklet new` project (a copy of the
session's) the way an editor or a tool could, runs the command as a user
does, and checks: exit status 1, exactly one `error:` message, the file and
line it names (and what it says), no traceback, and the same bytes in
output/ and content/ afterwards.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pikepdf
import pytest
import yaml

from test_commands import RAW
from test_fetcher import tiny_png
from userrun import assert_user_error, booklet, copy_project, snapshot, user_env

SHIPPED_FONTS = Path(__file__).resolve().parents[1] / "fonts"
SHIPPED_LAYOUTS = Path(__file__).resolve().parents[1] / "booklet" / "layouts"


@pytest.fixture
def project(scaffold_built, tmp_path):
    """A writable copy of the built new project, with its output/."""
    return copy_project(scaffold_built[0], tmp_path / "issue")


def groups_of(project: Path) -> list[str]:
    """The groups the project's rosters and testimonials show, in order (each needs someone in it)."""
    groups = []
    for unit in sorted((project / "content").glob("*.md")):
        front = yaml.safe_load(unit.read_text("utf-8").split("---")[1])
        if front.get("kind") in ("roster", "testimonials") and front.get("group") not in groups:
            groups.append(front["group"])
    return groups


def group_of(project: Path) -> str:
    return groups_of(project)[0]


def fails_cleanly(project: Path, where: str, *words: str, command=("build",), env=None, cwd=None) -> str:
    """Run *command*; it must fail as one message naming *where*, changing nothing."""
    before = snapshot(project, "output", "content", "booklet.yaml")
    proc = booklet(*command, cwd=cwd or project, env=env)
    message = assert_user_error(proc, where, *words)
    assert snapshot(project, "output", "content", "booklet.yaml") == before, "a failed command changed files"
    return message


def people(project: Path, **fields) -> str:
    """honourees.yaml of our own: 林晓燕 first (her entry starts on line 2; *fields*
    override or add keys), then one more person for every other group the
    project's units show."""
    groups = groups_of(project)
    item = {"id": "t01", "name": "林晓燕", "group": groups[0], "affiliation": "市第一中学", "post": "语文教师",
            "testimonial": "三尺讲台，一生守望。"}
    item.update(fields)
    others = [{"id": f"t{k:02d}", "name": name, "group": g, "affiliation": "市第二中学"}
              for k, (g, name) in enumerate(zip(groups[1:], ("周国强", "陈雨桐", "王建华")), 2)]
    return yaml.safe_dump({"honourees": [item, *others]}, allow_unicode=True, sort_keys=False)


# ---------------------------------------------------------------- honourees.yaml

HONOUREES = {
    "not YAML": ("honourees:\n  - id: t01\n    name: [林晓燕\n", r"content/honourees\.yaml, line 4", "not valid YAML"),
    "not UTF-8": (None, r"content/honourees\.yaml, line 3", "not UTF-8", "iconv"),
    "wrong top key": ("people:\n  - id: t01\n", r"content/honourees\.yaml, line 1", "one key, 'honourees:'"),
    "not a list of mappings": ("honourees:\n  - 林晓燕\n", r"content/honourees\.yaml, line 2", "must be a mapping"),
    "unknown key": ("honourees:\n  - id: t01\n    name: 林晓燕\n    group: {g}\n    affilation: 市一中\n",
                    r"content/honourees\.yaml, line 5", "unknown honouree key 'affilation'", "did you mean 'affiliation'"),
    "key twice": ("honourees:\n  - id: t01\n    name: 林晓燕\n    name: 林小燕\n    group: {g}\n",
                  r"content/honourees\.yaml, line 4", "'name' appears twice", "first on line 3"),
    "missing id": ("honourees:\n  - name: 林晓燕\n    group: {g}\n", r"content/honourees\.yaml, line 2", "missing 'id'"),
    "missing name": ("honourees:\n  - id: t01\n    name: 林晓燕\n    group: {g}\n  - id: t02\n    group: {g}\n",
                     r"content/honourees\.yaml, line 5", "missing 'name'"),
    "id twice": ("honourees:\n  - id: t01\n    name: 林晓燕\n    group: {g}\n  - name: 周国强\n    id: t01\n    group: {g}\n",
                 r"content/honourees\.yaml, line 6", "id 't01' is used twice"),
    "group is a list": ("honourees:\n  - id: t01\n    name: 林晓燕\n    group: [{g}]\n",
                        r"content/honourees\.yaml, line 4", "'group' must be a single line of text, not a list"),
    "testimonial is a list": ("honourees:\n  - id: t01\n    name: 林晓燕\n    group: {g}\n    testimonial:\n      - 第一段。\n",
                              r"content/honourees\.yaml, line 5", "'testimonial' must be text", "testimonial: |"),
    "nobody in the roster's group": ("honourees:\n  - id: t01\n    name: 林晓燕\n    group: 优秀教师\n",
                                     r"content/05-roster\.md, line 4", "lists nobody in it", "优秀教师"),
}


@pytest.mark.parametrize("case", HONOUREES)
def test_honourees_yaml_mistakes(project, case):
    text, where, *words = HONOUREES[case]
    path = project / "content" / "honourees.yaml"
    if text is None:     # saved in GBK by an editor: the third line holds the first non-ASCII byte
        path.write_bytes(b"honourees:\n  - id: t01\n    name: " + "林晓燕".encode("gbk") + b"\n")
    else:
        path.write_text(text.replace("{g}", group_of(project)), "utf-8")
    fails_cleanly(project, where, *words)


# ---------------------------------------------------------------- unit files

UNITS = {
    "not UTF-8": (None, r"content/03-article\.md, line 7", "not UTF-8", "iconv -f GBK"),
    "no front matter": ("这是一篇没有前言的文章。\n", r"content/03-article\.md, line 1", "YAML front matter"),
    "unknown kind": ("---\ntitle: 守护万家灯火\nkind: articel\n---\n正文。\n", r"content/03-article\.md, line 3",
                     "'kind' must be one of", "did you mean 'article'"),
    "kind missing": ("---\ntitle: 守护万家灯火\n---\n正文。\n", r"content/03-article\.md, line 2", "got None"),
    "front matter not YAML": ("---\nkind: article\ntitle: [守护\n---\n正文。\n", r"content/03-article\.md, line 4",
                              "not valid YAML"),
    "unknown front matter key": ("---\nkind: article\ntitel: 守护万家灯火\n---\n正文。\n",
                                 r"content/03-article\.md, line 3", "unknown front matter key 'titel'", "'title'"),
    "list where text belongs": ("---\nkind: article\ntitle: [守护, 灯火]\n---\n正文。\n",
                                r"content/03-article\.md, line 3", "'title' must be a single line of text"),
    "a # title in the body": ("---\nkind: article\ntitle: 守护\n---\n正文。\n\n# 小标题\n", r"content/03-article\.md, line 7",
                              "only '## ' section headings"),
    "a broken photo line": ("---\nkind: article\ntitle: 守护\n---\n![合影](images/合 影.jpg)\n",
                            r"content/03-article\.md, line 5", "![caption](images/file.jpg)"),
    "vertical_title not true/false": ("---\nkind: article\ntitle: 守护\nvertical_title: 竖排\n---\n正文。\n",
                                      r"content/03-article\.md, line 4", "'vertical_title' must be true or false"),
}


@pytest.mark.parametrize("case", UNITS)
def test_unit_file_mistakes(project, case):
    text, where, *words = UNITS[case]
    path = project / "content" / "03-article.md"
    if text is None:
        good = path.read_text("utf-8").split("\n")
        good[6] = good[6][:10]                       # line 7: the first paragraph, saved as GBK
        path.write_bytes("\n".join(good[:6]).encode() + b"\n" + good[6].encode("gbk") + b"\n")
    else:
        path.write_text(text, "utf-8")
    fails_cleanly(project, where, *words)


# ---------------------------------------------------------------- corrections.yaml (booklet import)

CORRECTIONS = {
    "not YAML": ("corrections:\n  - unit_start: {source_line: 3\n", r"line [23]: not valid YAML"),
    "not UTF-8": (None, r"line 2: the file is not UTF-8"),
    "not a mapping": ("- unit_start: {source_line: 3}\n", r"line 1: .*must be a mapping with a 'corrections:' list"),
    "unknown top key": ("raw_sha: abc\ncorrections: []\n", r"line 1: unknown key 'raw_sha'"),
    "corrections not a list": ("corrections:\n  unit_start: {source_line: 3}\n", r"line 2: 'corrections' must be a list"),
    "entry not a mapping": ("corrections:\n  - unit_start\n", r"line 2: correction #1 must be a mapping"),
    "no kind": ("corrections:\n  - reason: 忘了写哪一种\n", r"line 2: correction #1 must have exactly one of"),
    "two kinds": ("corrections:\n  - unit_start: {source_line: 3}\n    join_paragraphs: {after: 4}\n",
                  r"line 2: correction #1 must have exactly one of"),
    "arguments not a mapping": ("corrections:\n  - unit_start: 3\n", r"line 2: correction #1 \(unit_start\) needs a mapping"),
    "unknown entry key": ("corrections:\n  - unit_start: {source_line: 3}\n    because: 标题\n",
                          r"line 2: correction #1 has unknown keys: because"),
    "argument missing": ("corrections:\n  - unit_start: {source_line: 3}\n    reason: 新的一篇\n"
                         "  - testimonial_owner: {source_line: 5}\n", r"line 4: correction #2 \(testimonial_owner\) is missing 'honouree'"),
    "line number as text": ("corrections:\n  - paragraph_break: {after: 第三行}\n",
                            r"line 2: correction #1 \(paragraph_break\): 'after' must be a line number"),
    "unknown meta key": ("corrections:\n  - unit_meta: {source_line: 1, colour: red}\n",
                         r"line 2: correction #1 \(unit_meta\): unknown keys colour"),
    "raw text changed": ("corrections:\n  - unit_start: {source_line: 3}\n    expect: 完全不同的开头\n",
                         r"line 2: correction #1 \(unit_start\) expects line 3 to start with '完全不同的开头'"),
    "lines that do not exist": ("corrections:\n  - move_lines: {first: 900, last: 910, after: 3}\n",
                                r"line 2: correction #1 \(move_lines\) refers to lines that do not exist"),
}


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory):
    """A folder where `booklet import` has run once: content/ and output/ hold its files."""
    folder = tmp_path_factory.mktemp("import") / "teachers"
    folder.mkdir()
    (folder / "raw.txt").write_text(RAW, "utf-8")
    proc = booklet("import", "raw.txt", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return folder


@pytest.mark.parametrize("case", CORRECTIONS)
def test_corrections_yaml_mistakes(imported_once, tmp_path, case):
    folder = copy_project(imported_once, tmp_path / "teachers")
    text, where = CORRECTIONS[case]
    path = folder / "content" / "corrections.yaml"
    if text is None:
        path.write_bytes(b"corrections:\n  - unit_meta: {source_line: 1, title: " + "教师节".encode("gbk") + b"}\n")
    else:
        path.write_text(text, "utf-8")
    # A new version of the raw text, so that a successful import would write files.
    (folder / "raw.txt").write_text(RAW.replace("一百二", "两百二"), "utf-8")
    fails_cleanly(folder, r"error: content/corrections\.yaml, " + where, command=("import", "raw.txt"))


# ---------------------------------------------------------------- fonts


def test_a_font_not_found_names_its_booklet_yaml_line(project):
    cfg = project / "booklet.yaml"
    lines = cfg.read_text("utf-8").split("\n")
    n = next(i for i, line in enumerate(lines) if line.strip().startswith("quote:"))
    lines[n] = "  quote: {regular: HuawenKaiti.ttf}"
    cfg.write_text("\n".join(lines), "utf-8")
    fails_cleanly(project, rf"booklet\.yaml, line {n + 1}", "'HuawenKaiti.ttf' (fonts.quote.regular)", "fonts/")


@pytest.mark.parametrize("damage", ["random bytes", "empty", "cut short"])
def test_a_damaged_font_in_the_projects_fonts_is_named(project, damage):
    """The project's fonts/ overrides the shipped face of the same name."""
    shipped = SHIPPED_FONTS / "NotoSerifCJKsc-Regular.otf"
    data = {"random bytes": os.urandom(4096), "empty": b"",
            "cut short": shipped.read_bytes()[:300_000]}[damage]
    (project / "fonts" / shipped.name).write_bytes(data)
    message = fails_cleanly(project, r"error: fonts/NotoSerifCJKsc-Regular\.otf: this font file is damaged or not a font")
    if damage == "cut short":
        assert "truncated" in message


def test_a_damaged_font_of_the_projects_own_stylesheet_is_named(project):
    (project / "fonts" / "Seal.ttf").write_bytes(b"\x00\x01\x00\x00" + os.urandom(2000))
    css = SHIPPED_LAYOUTS.joinpath("booklet.css").read_text("utf-8")
    (project / "layouts" / "booklet.css").write_text(
        css + '\n@font-face { font-family: Seal; src: url("fonts/Seal.ttf") }\n.cover { font-family: Seal }\n', "utf-8")
    fails_cleanly(project, r"fonts/Seal\.ttf: the font 'Seal' of an @font-face rule could not be loaded")


# ---------------------------------------------------------------- images


@pytest.mark.parametrize("where", ["../portrait.png", "{abs}", "file://{abs}"])
def test_a_portrait_outside_the_project_is_named_and_never_read(project, tmp_path, where):
    """Not an error (issue 13: the build goes on with a placeholder frame), but
    named with its line in the build's output, and the file is not read."""
    outside = tiny_png(tmp_path / "portrait.png")
    portrait = where.replace("{abs}", str(outside))
    path = project / "content" / "honourees.yaml"
    path.write_text(people(project, portrait=portrait), "utf-8")
    line = next(i for i, text in enumerate(path.read_text("utf-8").split("\n"), 1) if "portrait:" in text)
    proc = booklet("build", cwd=project)
    assert proc.returncode == 0 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert re.search(rf"^warning: content/honourees\.yaml, line {line} \(林晓燕\): portrait \S+ is outside the project folder",
                     proc.stdout, re.M), proc.stdout
    with pikepdf.open(project / "output" / "booklet-print.pdf") as pdf:
        assert not [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]


def cut_jpeg(path: Path) -> Path:
    from PIL import Image
    whole = path.with_suffix(".whole.jpg")
    Image.effect_noise((600, 800), 60).convert("RGB").save(whole, quality=92)
    path.write_bytes(whole.read_bytes()[:4000])
    whole.unlink()
    return path


@pytest.mark.parametrize("damage", ["cut short", "not an image"])
def test_a_damaged_portrait_names_the_honouree_line(project, damage):
    (project / "content" / "honourees.yaml").write_text(people(project), "utf-8")
    portrait = project / "images" / "t01.jpg"
    if damage == "cut short":
        cut_jpeg(portrait)
    else:
        portrait.write_text("这不是照片", "utf-8")
    fails_cleanly(project, r"content/honourees\.yaml, line 2 \(林晓燕\): images/t01\.jpg",
                  "damaged JPEG" if damage == "cut short" else "is not a JPEG")


def test_a_damaged_photo_in_a_unit_names_its_line(project):
    news = project / "content" / "01-news.md"
    line = next(i for i, text in enumerate(news.read_text("utf-8").split("\n"), 1) if text.startswith("!["))
    src = re.search(r"\]\((\S+)\)", news.read_text("utf-8").split("\n")[line - 1]).group(1)
    cut_jpeg(project / src)
    fails_cleanly(project, rf"content/01-news\.md, line {line}: {re.escape(src)} is a damaged JPEG")


def test_a_damaged_cover_photo_is_named(project):
    (project / "images" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    fails_cleanly(project, r"images/cover\.png is a damaged PNG")


def test_a_damaged_image_a_layout_places_is_named(project):
    """A picture only a layout knows of (a logo on the back cover): WeasyPrint
    would leave it out with a warning."""
    (project / "images" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    (project / "layouts" / "back-cover.html").write_text(
        '<section class="back-cover" id="back-cover"><img src="images/logo.png" alt="会徽"></section>\n', "utf-8")
    fails_cleanly(project, r"error: images/logo\.png: this image file is damaged or not an image")


# ---------------------------------------------------------------- layouts


LAYOUTS = {
    "template not UTF-8": ("cover.html", "<section class=\"cover\">\n" + "<h1>{{ config.title }}</h1>\n", 2, "not UTF-8"),
    "stylesheet not UTF-8": ("booklet.css", "/* 设计 */\n.cover { color: red }\n", 2, "not UTF-8"),
    "template syntax": ("units/quote.html", "<section>\n{% for p in %}\n</section>\n", 2, "template error"),
    "template expression": ("units/quote.html", "<section>\n<p>{{ (unit.title | length) / 0 }}</p>\n</section>\n", 2,
                            "ZeroDivisionError"),
    "stylesheet expression": ("page.css", "@page {\n  size: {{ trim.width + 'mm' }};\n}\n", 2, "template error"),
}


@pytest.mark.parametrize("case", LAYOUTS)
def test_layout_mistakes_name_the_file_and_line(project, case):
    name, text, line, word = LAYOUTS[case]
    path = project / "layouts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if "UTF-8" in word:                              # the second line saved in GBK
        first, second = text.split("\n", 1)
        data = first.encode() + b"\n" + "版式".encode("gbk") + second.encode()
    path.write_bytes(data)
    fails_cleanly(project, rf"layouts/{re.escape(name)}, line {line}", word)


# ---------------------------------------------------------------- PDFs, tools, dates, variants


@pytest.mark.parametrize("content", [b"%PDF-1.7\nnot really\n", "会议记录".encode()])
def test_impose_refuses_a_file_that_is_not_a_pdf(project, content):
    (project / "notes.pdf").write_bytes(content)
    fails_cleanly(project, r"error: notes\.pdf: this is not a readable PDF", command=("impose", "notes.pdf"))
    assert not (project / "notes-imposed.pdf").exists()


def test_preview_of_a_damaged_pdf_names_it(project):
    pdf = project / "output" / "booklet-digital.pdf"
    pdf.write_bytes(pdf.read_bytes()[:2000])
    fails_cleanly(project, r"error: pdftoppm could not render \S*booklet-digital\.pdf", command=("preview",))


def test_preview_without_pdftoppm_says_how_to_install_it(project, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    fails_cleanly(project, r"error: pdftoppm is not installed", "poppler-utils", command=("preview",),
                  env=user_env(PATH=str(empty)))


def without_source_date(project: Path) -> None:
    cfg = project / "booklet.yaml"
    cfg.write_text("\n".join(l for l in cfg.read_text("utf-8").split("\n") if not l.startswith("source_date:")), "utf-8")


@pytest.mark.parametrize("value", ["yesterday", "1.5e9", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_named(project, value):
    without_source_date(project)
    fails_cleanly(project, rf"error: SOURCE_DATE_EPOCH={re.escape(repr(value))} is not a number of seconds",
                  "unset it", env=user_env(SOURCE_DATE_EPOCH=value))


@pytest.mark.parametrize("value", ["2021-13-01", "\"新年\""])
def test_a_bad_source_date_names_its_line(project, value):
    without_source_date(project)
    cfg = project / "booklet.yaml"
    lines = cfg.read_text("utf-8").split("\n")
    lines.insert(3, f"source_date: {value}")
    cfg.write_text("\n".join(lines), "utf-8")
    fails_cleanly(project, r"booklet\.yaml, line 4", "is not an ISO date")


@pytest.mark.parametrize("variant", ["pdf/x-5", "pdfa", "x-4"])
def test_an_unknown_pdf_variant_names_its_line(project, variant):
    cfg = project / "booklet.yaml"
    lines = cfg.read_text("utf-8").split("\n")
    n = next((i for i, line in enumerate(lines) if line.strip().startswith("pdf_variant:")), None)
    if n is None:                                                  # inside output:, after its first keys
        n = next(i for i, line in enumerate(lines) if line.strip().startswith("digital:")) + 1
        lines.insert(n, "")
    lines[n] = f"  pdf_variant: {variant}"
    cfg.write_text("\n".join(lines), "utf-8")
    fails_cleanly(project, rf"booklet\.yaml, line {n + 1}", f"output.pdf_variant '{variant}' is not one booklet writes",
                  "pdf/x-4")
