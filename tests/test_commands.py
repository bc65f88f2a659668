"""Every command as the README tells a user to run it: the installed `booklet`
in a project folder made by `booklet new`, with text of our own.

The expensive build is made once (conftest.scaffold_built); tests that write
into a project work on a copy of it. Outputs are checked as a reader, a
printer or an editor would: files, page counts and sizes, text and where it
sits on the page, exit codes and the messages printed.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
import yaml
from PIL import Image

from conftest import ARTICLE
from userrun import COMMAND, assert_user_error, booklet, copy_project, snapshot, user_env

MM = 72 / 25.4
FIRST_SENTENCE = "凌晨三点的变电站里"


def page_count(pdf: Path) -> int:
    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


def plain(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def trim_texts(pdf: Path) -> list[str]:
    """Each page's text inside its TrimBox (what is left after the cut)."""
    with pikepdf.open(pdf) as doc:
        boxes = [[float(v) for v in p.obj.get("/TrimBox", p.obj.MediaBox)] for p in doc.pages]
    out = []
    with pdfplumber.open(pdf) as doc:
        for page, (x0, y0, x1, y1) in zip(doc.pages, boxes):
            h = float(page.height)
            out.append(plain(page.crop((x0, h - y1, x1, h - y0)).extract_text()))
    return out


# ---------------------------------------------------------------- new, build, check


def test_new_makes_a_project_that_checks_clean(tmp_path):
    proc = booklet("new", "annual", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "created annual" in proc.stdout and "booklet build" in proc.stdout
    project = tmp_path / "annual"
    units = yaml.safe_load((project / "booklet.yaml").read_text("utf-8"))["units"]
    kinds = {yaml.safe_load((project / u).read_text("utf-8").split("---")[1])["kind"] for u in units}
    assert kinds == {"news", "speech", "article", "quote", "roster", "testimonials", "editors-note"}
    assert (project / "output").is_dir() and not (project / "layouts" / "booklet.css").exists()
    check = booklet("check", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert re.search(rf"^ok: {len(units)} units, \d+ honourees", check.stdout, re.M), check.stdout
    # The project's own git repository leaves out what a build makes again, and only that.
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    paths = ["output/booklet-digital.pdf", ".booklet-cache/web/a.jpg", "content/01-news.md", "booklet.yaml",
             "images/a.jpg", "fonts/a.otf", "layouts/booklet.css"]
    ignored = subprocess.run(["git", "check-ignore", *paths], cwd=project, capture_output=True, text=True)
    assert ignored.stdout.split() == paths[:2], ignored.stdout + ignored.stderr
    # --layouts copies every default layout in, ready to edit.
    proc = booklet("new", "designed", "--layouts", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    shipped = Path(__file__).resolve().parents[1] / "booklet" / "layouts"
    for name in ("booklet.css", "page.css", "booklet.html", "units/roster.html"):
        assert (tmp_path / "designed" / "layouts" / name).read_bytes() == (shipped / name).read_bytes(), name


def test_build_writes_both_editions_and_reports_the_audit(scaffold_built):
    project, proc = scaffold_built
    out = project / "output"
    for stage in ("config", "content", "glyphs", "images", "html", "layout", "pdf", "preflight", "write"):
        assert re.search(rf"^  {stage}\s+\(\+[\d.]+s\)$", proc.stdout, re.M), stage
    audit = re.search(r"typography audit \((\d+) lines, (\d+) justified lines checked\)", proc.stdout)
    assert audit and int(audit.group(2)) >= 4, proc.stdout          # our article fills several lines
    assert re.search(r"^total\s+\|\s+0$", proc.stdout, re.M), proc.stdout
    summary = re.search(r"^built (\d+) pages in [\d.]+s.*, (\d+) warning\(s\)$", proc.stdout, re.M)
    assert summary, proc.stdout
    pages = int(summary.group(1))
    assert re.search(rf"^  output/booklet-print\.pdf +print PDF, {pages} pages, [\d.]+ MB$", proc.stdout, re.M)
    assert re.search(r"^  output/booklet-digital\.pdf +digital PDF, [\d.]+ MB$", proc.stdout, re.M)
    assert re.search(r"^  output/booklet\.epub +EPUB 3, \d+ documents", proc.stdout, re.M)
    assert (out / "booklet.epub").is_file() and (out / "web" / "index.html").is_file()
    assert page_count(out / "booklet-print.pdf") == pages and pages % 4 == 0
    assert page_count(out / "booklet-digital.pdf") <= pages
    assert (out / "booklet.html").is_file()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left in output/"
    # The missing portraits are summed up in one warning naming one of them.
    assert re.search(r"warning: \d+ image\(s\) missing, placeholder frames drawn \(e\.g\. images/\S+\)", proc.stdout)
    with pdfplumber.open(out / "booklet-digital.pdf") as pdf:
        text = plain("".join(p.extract_text() or "" for p in pdf.pages))
    for paragraph in ARTICLE.split("---")[2].split():
        assert plain(paragraph) in text


def test_the_builds_audit_reports_text_set_past_the_margin(scaffold_built, tmp_path):
    """A layout edit that pushes a paragraph 12 mm into the outer margin: the
    build still writes the PDFs, and its audit counts what it measured."""
    project = copy_project(scaffold_built[0], tmp_path / "issue")
    css = (Path(__file__).resolve().parents[1] / "booklet" / "layouts" / "booklet.css").read_text("utf-8")
    (project / "layouts" / "booklet.css").write_text(
        css + "\n.unit-article .unit-body p:first-of-type { margin-right: -12mm; }\n", "utf-8")
    proc = booklet("build", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    counts = {k: int(v) for k, v in re.findall(r"^([a-z-]+)\s+\|\s+(\d+)$", proc.stdout, re.M)}
    assert counts["overflow"] >= 1 and counts["total"] >= counts["overflow"], proc.stdout
    assert re.search(r"warning: unit '03-article' overflows its frame on page \d+", proc.stdout), proc.stdout


def test_check_lists_what_is_missing_with_file_and_line(scaffold_built):
    project, _ = scaffold_built
    proc = booklet("check", cwd=project / "content")                 # found from a subfolder too
    assert proc.returncode == 0, proc.stdout + proc.stderr
    missing = [line for line in proc.stdout.splitlines() if line.startswith("warning:") and "is missing" in line]
    assert missing and all(re.match(r"warning: content/\S+, line \d+", line) for line in missing), missing
    assert re.search(r"^ok: \d+ units, \d+ honourees, \d+ warning\(s\)$", proc.stdout, re.M)


# ---------------------------------------------------------------- preview, preflight, impose, audit


def test_preview_writes_every_page_and_a_contact_sheet(scaffold_built, tmp_path):
    project = copy_project(scaffold_built[0], tmp_path / "issue")
    digital = page_count(project / "output" / "booklet-digital.pdf")
    printed = page_count(project / "output" / "booklet-print.pdf")
    proc = booklet("preview", "output/booklet-print.pdf", "--dpi", "20", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert len(list((project / "output" / "preview").glob("page-*.png"))) == printed
    proc = booklet("preview", cwd=project)                            # the digital edition, at 60 dpi
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {digital} pages and output/preview/contact-sheet.png" in proc.stdout
    pngs = sorted((project / "output" / "preview").glob("page-*.png"))
    assert [p.name for p in pngs] == [f"page-{n:03d}.png" for n in range(1, digital + 1)]   # none left over
    with Image.open(pngs[0]) as im:
        assert abs(im.width - round(210 / 25.4 * 60)) <= 1 and abs(im.height - round(285 / 25.4 * 60)) <= 1
        w, h = im.size
    with Image.open(project / "output" / "preview" / "contact-sheet.png") as sheet:
        # Facing pages: page 1 alone on the right, then pairs, eight pages a row.
        assert sheet.width > 8 * w and sheet.height >= -(-(digital + 1) // 8) * h


def test_preflight_passes_the_print_edition_and_fails_the_digital_one(scaffold_built):
    project, _ = scaffold_built
    ok = booklet("preflight", "output/booklet-print.pdf", cwd=project)
    assert ok.returncode == 0, ok.stdout
    n = page_count(project / "output" / "booklet-print.pdf")
    assert ok.stdout.startswith(f"preflight booklet-print.pdf: {n} page(s)") and "result: OK" in ok.stdout
    assert "trim 210.0×285.0 mm, bleed 3.0 mm" in ok.stdout
    bad = booklet("preflight", "output/booklet-digital.pdf", cwd=project)
    assert bad.returncode == 1 and "result: FAILED" in bad.stdout, bad.stdout
    assert "bleed" in bad.stdout and "multiple of 4" in bad.stdout and "Traceback" not in bad.stderr


def test_impose_pairs_pages_in_folding_order(scaffold_built, tmp_path):
    project = copy_project(scaffold_built[0], tmp_path / "issue")
    source = project / "output" / "booklet-print.pdf"
    pages = trim_texts(source)
    n = len(pages)
    assert n % 4 == 0 and n >= 8
    proc = booklet("impose", "output/booklet-print.pdf", cwd=project)
    assert proc.returncode == 0, proc.stderr
    imposed = project / "output" / "booklet-print-imposed.pdf"
    assert f"→ {imposed.relative_to(project)}" in proc.stdout
    # Saddle stitching: sheet k (from the outside) carries n-2k | 2k+1 on its
    # front and 2k+2 | n-2k-1 on its back; for 8 pages (8,1) (2,7) (6,3) (4,5).
    folding = [pair for k in range(n // 4) for pair in ((n - 2 * k, 2 * k + 1), (2 * k + 2, n - 2 * k - 1))]
    assert folding[:2] == [(n, 1), (2, n - 1)] and folding[-1] == (n // 2, n // 2 + 1)
    with pdfplumber.open(imposed) as pdf:
        assert len(pdf.pages) == len(folding)
        for sheet, (left, right) in zip(pdf.pages, folding):
            assert abs(sheet.width - 2 * 210 * MM) < 0.5 and abs(sheet.height - 285 * MM) < 0.5
            half = sheet.width / 2
            assert plain(sheet.crop((0, 0, half, sheet.height)).extract_text()) == pages[left - 1], (left, right)
            assert plain(sheet.crop((half, 0, sheet.width, sheet.height)).extract_text()) == pages[right - 1]
    assert any(pages[i] for i in (0, 2, 15)), "nothing to compare: the pages read back empty"
    # -o names the file to write.
    proc = booklet("impose", "output/booklet-print.pdf", "-o", "for-printer.pdf", cwd=project)
    assert proc.returncode == 0 and page_count(project / "for-printer.pdf") == n // 2


RAGGED = """
import sys, weasyprint
html = '''<html lang="zh"><style>@font-face {{ font-family: B; src: url({font}) }}
@page {{ size: 400pt 400pt; margin: 40pt }} p {{ font: 11pt/1.8 B; text-align: justify; width: 311pt }}</style>
<p>{text}</p></html>'''
weasyprint.HTML(string=html).write_pdf(sys.argv[1])
"""


def test_audit_passes_the_build_and_fails_ragged_chinese(scaffold_built, tmp_path):
    project, _ = scaffold_built
    ok = booklet("audit", "output/booklet-print.pdf", cwd=project)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"^total\s+\|\s+0$", ok.stdout, re.M), ok.stdout
    # Bare WeasyPrint justifies only at spaces: a paragraph of Chinese ends its lines short.
    font = Path(__file__).resolve().parents[1] / "fonts" / "NotoSerifCJKsc-Regular.otf"
    text = "".join(ARTICLE.split("---")[2].split())[:300]
    script = RAGGED.format(font=font.as_uri(), text=text)
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "ragged.pdf")], check=True, cwd=tmp_path)
    bad = booklet("audit", "ragged.pdf", cwd=tmp_path)
    assert bad.returncode == 1, bad.stdout
    justify = re.search(r"^justify\s+\|\s+(\d+)$", bad.stdout, re.M)
    assert justify and int(justify.group(1)) >= 1, bad.stdout
    assert re.search(r"line +\d+ +justify +ends [\d.]+ pt short of the right edge", bad.stdout), bad.stdout


# ---------------------------------------------------------------- watch


def test_watch_builds_rebuilds_on_a_save_and_stops(scaffold_built, tmp_path):
    project = copy_project(scaffold_built[0], tmp_path / "issue")
    proc = subprocess.Popen([*COMMAND, "watch", "--debounce", "150"], cwd=project, env=user_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in proc.stdout], daemon=True).start()

    def wait_for(needle: str, timeout: float = 90) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                assert proc.poll() is None, "watch exited:\n" + "\n".join(seen)
                continue
            seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no {needle!r} within {timeout}s:\n" + "\n".join(seen))

    try:
        wait_for("watching")
        article = project / "content" / "03-article.md"
        edited = article.read_text("utf-8").replace(FIRST_SENTENCE, "清晨五点的变电站里")
        for attempt in range(4):
            # watch says "watching" just before it starts listening: a save in
            # that instant goes unseen (a user would save again), so wait a
            # moment, and save again if nothing happened.
            time.sleep(1)
            article.write_text(edited, "utf-8")
            try:
                line = wait_for("built ", timeout=20)
                break
            except AssertionError:
                if attempt == 3:
                    raise
        assert re.search(r"built \d+ pages.* in [\d.]+s .*changed pages: \d+", line), line
        with pdfplumber.open(project / "output" / "booklet-digital.pdf") as pdf:
            text = plain("".join(p.extract_text() or "" for p in pdf.pages))
        assert "清晨五点的变电站里" in text and FIRST_SENTENCE not in text
        assert proc.poll() is None and not [s for s in seen if "Traceback" in s]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# ---------------------------------------------------------------- import

RAW = """ 市教育工会举行优秀教师表彰大会

九月八日上午，市教育工会在市文化中心隆重召开

优秀教师表彰大会，来自全市各级各类学校的一百二

十名教师代表参加会议。会议通报了本年度优秀教师评

选结果，并为获奖教师颁发了荣誉证书。

会议指出，广大教师扎根三尺讲台，默默耕耘，用爱

心和智慧点亮了学生的成长之路。希望受到表彰的教

师珍惜荣誉，再接再厉，在教书育人的岗位上作出新

的更大贡献。
 07
 1998—2023
"""
PARAGRAPHS = ["九月八日上午，市教育工会在市文化中心隆重召开优秀教师表彰大会，来自全市各级各类学校的一百二十名教师代表参加会议。"
              "会议通报了本年度优秀教师评选结果，并为获奖教师颁发了荣誉证书。",
              "会议指出，广大教师扎根三尺讲台，默默耕耘，用爱心和智慧点亮了学生的成长之路。"
              "希望受到表彰的教师珍惜荣誉，再接再厉，在教书育人的岗位上作出新的更大贡献。"]


def units_of(project: Path) -> list[str]:
    return yaml.safe_load((project / "booklet.yaml").read_text("utf-8"))["units"]


def test_import_into_an_empty_folder_then_again(tmp_path):
    folder = tmp_path / "teachers"
    folder.mkdir()
    (folder / "raw.txt").write_text(RAW, "utf-8")
    proc = booklet("import", "raw.txt", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^imported \d+ units and \d+ honourees \(\d+ with a testimonial\) into teachers/content/$",
                     proc.stdout, re.M), proc.stdout
    listed = units_of(folder)
    assert f"created booklet.yaml with {len(listed)} units" in proc.stdout
    assert listed == yaml.safe_load((folder / "content" / "units.yaml").read_text("utf-8"))["units"]
    assert all((folder / u).is_file() and f"  wrote      {u}" in proc.stdout for u in listed)
    bodies = "".join((folder / u).read_text("utf-8") for u in listed)
    for paragraph in PARAGRAPHS:                    # wrapped lines joined, folio and ornament gone
        assert paragraph in bodies
    assert "1998" not in bodies and "07" not in bodies
    report = folder / "output" / "import-report.html"
    assert re.search(r"^review report: output/import-report\.html \(\d+ changes, \d+ to review\)$", proc.stdout, re.M)
    assert "drop_folios" in report.read_text("utf-8") and "drop_ornament_lines" in report.read_text("utf-8")
    assert booklet("check", cwd=folder).returncode == 0

    # The same text again: nothing to write, booklet.yaml untouched.
    before = snapshot(folder, "booklet.yaml", "content")
    again = booklet("import", "raw.txt", cwd=folder)
    assert again.returncode == 0 and f"booklet.yaml already lists these {len(listed)} units" in again.stdout
    assert "wrote" not in again.stdout and snapshot(folder, "booklet.yaml", "content") == before

    # An editor adds a unit of their own to booklet.yaml: the import keeps the editor's list.
    (folder / "content" / "99-note.md").write_text("---\nkind: editors-note\ntitle: 编后\n---\n谢谢各位老师。\n", "utf-8")
    cfg = folder / "booklet.yaml"
    cfg.write_text(cfg.read_text("utf-8") + "  - content/99-note.md\n", "utf-8")
    edited = cfg.read_bytes()
    third = booklet("import", "raw.txt", cwd=folder)
    assert third.returncode == 0 and "booklet.yaml keeps its own unit order (it was edited)" in third.stdout
    assert "listed units the import no longer makes: content/99-note.md" in third.stdout
    assert cfg.read_bytes() == edited


def test_import_rewrites_only_the_units_of_a_hand_written_booklet_yaml(tmp_path):
    folder = tmp_path / "issue"
    (folder / "content").mkdir(parents=True)
    (folder / "raw.txt").write_text(RAW, "utf-8")
    head = "# 教师节特辑：编辑部的设置\ntitle: 教师节特辑\ntrim: A5\n"
    tail = "source_date: \"2023-09-10\"  # fixed for reproducible PDFs\n"
    (folder / "booklet.yaml").write_text(head + "units:\n  - content/old.md\n" + tail, "utf-8")
    proc = booklet("import", "raw.txt", "--project", ".", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (folder / "booklet.yaml").read_text("utf-8")
    listed = units_of(folder)
    assert f"updated the units in booklet.yaml ({len(listed)} units)" in proc.stdout
    assert text.startswith(head) and text.endswith(tail) and "old.md" not in text
    assert listed and all((folder / u).is_file() for u in listed)


# ---------------------------------------------------------------- fonts install


def write_manifest(fonts: Path, entries: list[dict]) -> None:
    fonts.mkdir(parents=True, exist_ok=True)
    (fonts / "manifest.yaml").write_text(yaml.safe_dump({"fonts": entries}, allow_unicode=True), "utf-8")


def sha(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def font_source(tmp_path):
    """A small font file of our own standing in for a Debian package's file."""
    from test_fetcher import tiny_font
    (tmp_path / "usr-share").mkdir()
    return tiny_font(tmp_path / "usr-share" / "Mark-Regular.ttf", "Mark")


def entry(source: Path, **over) -> dict:
    e = {"file": "Mark-Regular.ttf", "sha256": sha(source),
         "source": {"package": "fonts-mark", "path": str(source), "sha256": sha(source)}}
    for key, value in over.items():
        (e["source"] if key.startswith("source_") else e)[key.removeprefix("source_")] = value
    return e


def test_fonts_install_builds_verifies_and_skips(tmp_path, font_source):
    project = tmp_path / "issue"
    (project / "booklet.yaml").parent.mkdir()
    (project / "booklet.yaml").write_text("title: 字体\nunits: []\n", "utf-8")
    write_manifest(project / "fonts", [entry(font_source)])
    proc = booklet("fonts", "install", cwd=project)                 # the project's fonts/ by default
    assert proc.returncode == 0, proc.stderr
    assert "font built    Mark-Regular.ttf" in proc.stdout
    assert (project / "fonts" / "Mark-Regular.ttf").read_bytes() == font_source.read_bytes()
    again = booklet("fonts", "install", "--dir", "fonts", cwd=project)
    assert again.returncode == 0 and "font ok       Mark-Regular.ttf" in again.stdout


def test_fonts_install_extracts_a_face_from_a_collection(tmp_path):
    """Noto CJK ships .ttc collections; the manifest names the face to take."""
    from fontTools.ttLib import TTCollection, TTFont

    from test_fetcher import tiny_font
    faces = [tiny_font(tmp_path / f"{name}.ttf", name) for name in ("FaceJP", "FaceSC")]
    collection = TTCollection()
    collection.fonts = [TTFont(f) for f in faces]
    ttc = tmp_path / "Both.ttc"
    collection.save(str(ttc))
    # The expected result: face 1 saved on its own, head.modified kept, as fontTools writes it.
    expected = TTCollection(str(ttc)).fonts[1]
    expected.recalcTimestamp = False
    expected.save(str(tmp_path / "expected.ttf"))
    fonts = tmp_path / "fonts"
    write_manifest(fonts, [{"file": "FaceSC.otf", "sha256": sha(tmp_path / "expected.ttf"),
                            "source": {"package": "fonts-both", "path": str(ttc), "sha256": sha(ttc), "face_index": 1}}])
    proc = booklet("fonts", "install", "--dir", str(fonts), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert TTFont(fonts / "FaceSC.otf")["name"].getDebugName(1) == "FaceSC"


@pytest.mark.parametrize("case,words", [
    ("wrong source", ["font source", "Mark-Regular.ttf", "has sha256", "expected " + "0" * 64,
                      "check the new version's licence and update the manifest"]),
    ("wrong result", ["built font Mark-Regular.ttf has sha256", "expected " + "f" * 64]),
    ("missing source", ["font source", "is missing", "apt-get install fonts-mark"]),
])
def test_fonts_install_refuses_a_file_that_is_not_the_one_recorded(tmp_path, font_source, case, words):
    fonts = tmp_path / "fonts"
    if case == "wrong source":
        write_manifest(fonts, [entry(font_source, source_sha256="0" * 64)])
    elif case == "wrong result":
        write_manifest(fonts, [entry(font_source, sha256="f" * 64)])
    else:
        write_manifest(fonts, [entry(font_source, source_path=str(tmp_path / "gone.ttf"))])
    proc = booklet("fonts", "install", "--dir", "fonts", cwd=tmp_path)
    assert_user_error(proc, r"error: font source|error: built font", *words)
    assert sorted(p.name for p in fonts.iterdir()) == ["manifest.yaml"], "a file was left behind"


@pytest.mark.parametrize("manifest,where", [
    (None, r"error: fonts/manifest\.yaml: the font manifest is missing"),
    ("fonts: [\n", r"error: fonts/manifest\.yaml, line 2: not valid YAML"),
    ("fonts:\n  - file: A.otf\n    sha256: abc\n", r"error: fonts/manifest\.yaml, line 2: the font entry needs 'source'"),
    ("fonts:\n  - A.otf\n", r"error: fonts/manifest\.yaml, line 2: each font entry needs"),
    ("fonts:\n  - file: A.otf\n    sha256: 12\n    source: {package: a, path: /x, sha256: b}\n",
     r"error: fonts/manifest\.yaml, line 2: the font entry needs 'sha256' \(text\)"),
])
def test_fonts_install_names_the_manifest_line_of_a_mistake(tmp_path, manifest, where):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    if manifest is not None:
        (fonts / "manifest.yaml").write_text(manifest, "utf-8")
    assert_user_error(booklet("fonts", "install", "--dir", "fonts", cwd=tmp_path), where)
