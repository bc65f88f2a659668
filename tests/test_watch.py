"""`booklet watch` in a subprocess: edits rebuild, mistakes never kill it."""

import os
import re
import queue
import subprocess
import sys
import threading
import time

import pdfplumber
import pytest


class Watcher:
    def __init__(self, project):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "booklet.cli", "watch", "--debounce", "150", "-p", str(project)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, needle: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, "watch exited:\n" + "\n".join(self.seen)
                continue
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no {needle!r} within {timeout}s; output:\n" + "\n".join(self.seen))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def text_of(pdf):
    with pdfplumber.open(pdf) as doc:
        return "".join(p.extract_text() or "" for p in doc.pages)


@pytest.fixture
def watcher(mini):
    w = Watcher(mini)
    yield w
    w.stop()


def test_watch_rebuilds_reports_and_survives_mistakes(mini, watcher):
    pdf = mini / "output" / "booklet-print.pdf"
    watcher.wait_for("watching")
    assert "隆重举行" in text_of(pdf)

    # A one-word content edit: rebuilt, and only the pages that show it changed.
    news = mini / "content" / "01-news.md"
    news.write_text(news.read_text("utf-8").replace("隆重举行。", "盛大举行。", 1), "utf-8")
    line = watcher.wait_for("built ")
    assert "changed pages: 4" in line, line
    assert "盛大举行" in text_of(pdf)
    assert (mini / "output" / "preview" / "page-004.png").is_file()
    # Then, after the PDFs, the phone editions show the edit too.
    watcher.wait_for("EPUB and web edition refreshed")
    assert "盛大举行" in (mini / "output" / "web" / "01-news.html").read_text("utf-8")

    # A YAML mistake: one clear message with the line; the old PDF stays.
    good = pdf.read_bytes()
    cfg = mini / "booklet.yaml"
    original = cfg.read_text("utf-8")
    cfg.write_text(original.replace("bleed: 3", "bleed: [3"), "utf-8")
    msg = watcher.wait_for("error:")
    assert "booklet.yaml, line" in msg
    watcher.wait_for("last good PDFs")
    assert pdf.read_bytes() == good

    # A template mistake and a missing glyph: same story.
    (mini / "layouts").mkdir()
    (mini / "layouts" / "cover.html").write_text("{% if %}", "utf-8")
    cfg.write_text(original, "utf-8")
    assert "layouts/cover.html, line 1" in watcher.wait_for("error:")
    (mini / "layouts" / "cover.html").unlink()
    watcher.wait_for("built ")
    news.write_text(news.read_text("utf-8") + "\n𓀀\n", "utf-8")
    assert "U+13000" in "\n".join([watcher.wait_for("error:"), watcher.wait_for("U+13000")])

    # Fixing it builds again; the process never exited.
    news.write_text(news.read_text("utf-8").replace("\n𓀀\n", "\n"), "utf-8")
    watcher.wait_for("built ")
    assert watcher.proc.poll() is None


def test_new_project_builds_and_overrides(tmp_path):
    from booklet.build import build
    from booklet.scaffold import new_project
    project = new_project(tmp_path / "proj")
    result = build(project)
    text = text_of(result.print_pdf)
    for kind_text in ("年度先进表彰大会召开", "在年度先进表彰大会上的讲话", "以匠心守初心", "劳动创造美好生活", "陈思远",
                      "周海燕", "编者按"):
        assert kind_text in text
    (project / "layouts" / "back-cover.html").write_text('<section class="back-cover"><p>新项目的封底</p></section>', "utf-8")
    result = build(project)
    with pdfplumber.open(result.print_pdf) as doc:
        assert "新项目的封底" in doc.pages[-1].extract_text()


def test_new_refuses_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "new", str(tmp_path / "x")], capture_output=True, text=True)
    assert proc.returncode == 1 and "not empty" in proc.stderr
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_new_with_layouts_copies_defaults(tmp_path):
    from booklet.scaffold import new_project
    project = new_project(tmp_path / "p", copy_layouts=True)
    assert (project / "layouts" / "booklet.css").is_file()
    assert (project / "layouts" / "units" / "roster.html").is_file()


def test_many_new_warnings_are_summed_up_not_listed(mini, monkeypatch):
    from booklet.live import watch as watch_module
    stop = threading.Event()
    stop.set()                                   # build once, then stop watching
    monkeypatch.setattr(watch_module, "MAX_WARNINGS", 2)
    lines: list[str] = []
    watch_module.watch(mini, echo=lines.append, previews=False, stop_event=stop)
    warnings = [line for line in lines if line.startswith("new warning:")]
    assert len(warnings) == 1 and "placeholder frame" in warnings[0]
    assert any(line.startswith("… and ") and "booklet check" in line for line in lines), lines


def digital_page_of(pdf, needle):
    with pdfplumber.open(pdf) as doc:
        return next(i for i, p in enumerate(doc.pages, 1) if needle in (p.extract_text() or "").replace(" ", ""))


def test_watch_in_a_new_project_survives_start_edits_and_a_broken_config(tmp_path):
    """`booklet new` makes a booklet whose print edition has blank pages the
    digital one lacks: previews and changed pages follow each edition."""
    from booklet.render.templates import DEFAULT_LAYOUTS
    project = tmp_path / "新刊"
    made = subprocess.run([sys.executable, "-m", "booklet.cli", "new", str(project)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    watcher = Watcher(project)
    try:
        first = watcher.wait_for("built ", timeout=120)
        m = re.search(r"built (\d+) pages \((\d+) in print\)", first)
        assert m, first
        digital, printed = int(m.group(1)), int(m.group(2))
        assert digital % 4 and printed % 4 == 0                       # the case that crashed at start-up
        watcher.wait_for("watching")
        previews = sorted(p.name for p in (project / "output" / "preview").glob("page-*.png"))
        assert previews == [f"page-{n:03d}.png" for n in range(1, digital + 1)]

        # An edit on the back cover: its page has another number in print.
        cfg = project / "booklet.yaml"
        original = cfg.read_text("utf-8")
        cfg.write_text(original.replace("publisher: 某某市总工会", "publisher: 某某区总工会"), "utf-8")
        line = watcher.wait_for("built ")
        assert f"changed pages: 1, {digital} (print edition: 1, {printed})" in line, line
        assert "某某区总工会" in text_of(project / "output" / "booklet-digital.pdf")

        # A word in a unit: only its page, previewed under its own number.
        speech = project / "content" / "02-speech.md"
        speech.write_text(speech.read_text("utf-8").replace("这是讲话的正文。", "这是改过的讲话正文。"), "utf-8")
        line = watcher.wait_for("built ")
        page = digital_page_of(project / "output" / "booklet-digital.pdf", "这是改过的讲话正文")
        assert f"changed pages: {page}" in line and "print edition" not in line, line
        preview = project / "output" / "preview" / f"page-{page:03d}.png"
        end = time.monotonic() + 60                  # previews are written after the build line
        while preview.stat().st_mtime <= cfg.stat().st_mtime and time.monotonic() < end:
            time.sleep(0.1)
        assert preview.stat().st_mtime > cfg.stat().st_mtime

        # A CSS mistake in the project's own stylesheet: named by its file and line.
        (project / "layouts" / "booklet.css").write_text(
            (DEFAULT_LAYOUTS / "booklet.css").read_text("utf-8") + ".unit-title { colr: red; }\n", "utf-8")
        bad = len((project / "layouts" / "booklet.css").read_text("utf-8").splitlines())
        assert f"at layouts/booklet.css, line {bad}, unknown property" in watcher.wait_for("colr")

        # A broken booklet.yaml: one message with the line, the PDFs stay; fixing it builds again.
        good = (project / "output" / "booklet-print.pdf").read_bytes()
        cfg.write_text(original.replace("title: 匠心筑梦 奋斗有我", "title: [匠心筑梦"), "utf-8")
        assert "booklet.yaml, line" in watcher.wait_for("error:")
        watcher.wait_for("last good PDFs")
        assert (project / "output" / "booklet-print.pdf").read_bytes() == good
        cfg.write_text(original, "utf-8")
        watcher.wait_for("built ")
        assert watcher.proc.poll() is None
        assert not [line for line in watcher.seen if "Traceback" in line or "internal error" in line], watcher.seen
    finally:
        watcher.stop()


def test_an_unexpected_error_is_one_line_and_watch_goes_on(tmp_path, monkeypatch):
    from booklet.build import Builder
    from booklet.live import watch as watch_module
    from booklet.scaffold import new_project
    project = new_project(tmp_path / "p")
    real_build, calls = Builder.build, []

    def flaky(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 1:
            raise KeyError("a bug")
        return real_build(self, *args, **kwargs)

    def broken_previews(*args, **kwargs):
        raise subprocess.CalledProcessError(99, ["pdftoppm"])
    monkeypatch.setattr(Builder, "build", flaky)
    monkeypatch.setattr(watch_module, "render_pages", broken_previews)
    lines: list[str] = []

    def save_once_watching():
        end = time.monotonic() + 60
        while not any(line.startswith("watching") for line in lines) and time.monotonic() < end:
            time.sleep(0.1)
        time.sleep(0.5)
        note = project / "content" / "09-editors-note.md"
        note.write_text(note.read_text("utf-8") + "\n再补一句。\n", "utf-8")
    threading.Thread(target=save_once_watching, daemon=True).start()
    watch_module.watch(project, echo=lines.append, debounce_ms=100, max_builds=2)
    bug = [line for line in lines if "KeyError" in line]
    assert len(bug) == 1 and bug[0].startswith("internal error in the rebuild") and "output/watch-error.log" in bug[0], lines
    assert not any("Traceback" in line for line in lines)
    assert "Traceback" in (project / "output" / "watch-error.log").read_text("utf-8")
    assert any(line.startswith("built ") for line in lines), lines                  # the next save built
    assert calls[1] is not calls[0]                                                    # afresh
    previews = [line for line in lines if "previews" in line]
    assert len(previews) == 1 and "CalledProcessError" in previews[0], lines


def test_a_save_during_the_first_build_is_built(mini):
    """watch listens before its first build: an edit saved while it runs is not lost."""
    w = Watcher(mini)
    try:
        w.wait_for("start: building")
        time.sleep(0.8)                       # past reading the content, still laying out
        while not w.lines.empty():
            w.seen.append(w.lines.get())
        assert not any("watching" in line for line in w.seen), "the first build ended before the edit"
        news = mini / "content" / "01-news.md"
        news.write_text(news.read_text("utf-8").replace("隆重举行。", "热烈举行。", 1), "utf-8")
        assert "盛大举行" not in news.read_text("utf-8")
        w.wait_for("watching")
        line = w.wait_for("built ", timeout=90)
        assert "changed pages: 4" in line, line
        assert "热烈举行" in text_of(mini / "output" / "booklet-digital.pdf")
    finally:
        w.stop()


def test_an_editors_temporary_file_is_not_named_and_alone_builds_nothing(tmp_path):
    from watchfiles import Change

    from booklet.live.watch import saved_names
    unit, temp, removed = tmp_path / "01-news.md", tmp_path / "sedAbC123", tmp_path / "02-old.md"
    unit.write_text("x", "utf-8")
    found = {(Change.added, str(temp)), (Change.modified, str(temp)), (Change.deleted, str(temp)),
             (Change.modified, str(unit)), (Change.deleted, str(removed))}
    assert saved_names(found) == ["01-news.md", "02-old.md"]      # a unit really removed is still named
    assert saved_names({(Change.added, str(temp)), (Change.deleted, str(temp))}) == []
    temp.write_text("kept", "utf-8")                                  # added, deleted, then made again: a file
    assert saved_names({(Change.added, str(temp)), (Change.deleted, str(temp))}) == ["sedAbC123"]


def watch_with_a_save_during_the_print_edition(mini, monkeypatch, second: str, **options):
    """Run watch on *mini*: once it watches, a first edit of 01-news.md; while
    that edit's print edition is merged (after its digital PDF is out), a
    second save writes *second* in its place. Returns (watch's lines, when
    the second save was written, or None if it never came)."""
    from booklet.live import watch as watch_module
    from booklet.parallel import pieces
    news = mini / "content" / "01-news.md"
    original = news.read_text("utf-8")
    assert "隆重举行。" in original
    lines: list[str] = []
    real_print, second_save = pieces.print_edition, []

    def slow_print(*args, **kwargs):       # the first edit's print edition: long enough for a second save
        if any(line.startswith("digital PDF updated") for line in lines) and not second_save:
            news.write_text(original.replace("隆重举行。", second, 1), "utf-8")
            second_save.append(time.time())
            time.sleep(0.8)                # the watcher's debounce is 100 ms: the save is queued by now
        return real_print(*args, **kwargs)
    monkeypatch.setattr(pieces, "print_edition", slow_print)

    def first_edit():
        end = time.monotonic() + 120
        while not any(line.startswith("watching") for line in lines) and time.monotonic() < end:
            time.sleep(0.1)
        time.sleep(0.3)
        news.write_text(original.replace("隆重举行。", "盛大举行。", 1), "utf-8")
    threading.Thread(target=first_edit, daemon=True).start()
    watch_module.watch(mini, echo=lines.append, debounce_ms=100, max_builds=3, **options)
    return lines, (second_save or [None])[0]


def test_a_save_while_the_print_edition_is_made_is_built_without_waiting(mini, monkeypatch):
    """Once the digital PDF is out, a newer save goes first: the older save's
    print edition, preflight, previews and phone editions are left to the
    newer one's build, which makes them all, for the newer text."""
    lines, second_save = watch_with_a_save_during_the_print_edition(mini, monkeypatch, "热烈举行。", reflow=True)
    assert second_save is not None, lines
    superseded = [i for i, line in enumerate(lines) if line.startswith("a newer save came in")]
    built = [i for i, line in enumerate(lines) if line.startswith("built ")]
    assert len(superseded) == 1 and len(built) == 2, lines          # the start, then only the newer save
    assert built[1] > superseded[0]
    assert "changed pages: 4" in lines[built[1]], lines            # previews and changes since the last full build
    assert (mini / "output" / "preview" / "page-004.png").stat().st_mtime > second_save
    for pdf in ("booklet-digital.pdf", "booklet-print.pdf"):
        text = text_of(mini / "output" / pdf)
        assert "热烈举行" in text and "盛大举行" not in text, pdf
    assert sum(line.startswith("EPUB and web edition refreshed") for line in lines) == 2, lines


def test_a_mistake_saved_while_the_print_edition_is_made_says_the_print_pdf_is_older(mini, monkeypatch):
    lines, second_save = watch_with_a_save_during_the_print_edition(
        mini, monkeypatch, "盛大举行。𓀀", previews=False, reflow=False)      # no shipped font has 𓀀
    assert second_save is not None, lines
    errors = [i for i, line in enumerate(lines) if line.startswith("error:")]
    assert errors and "U+13000" in "\n".join(lines[errors[0]:]), lines
    told = [line for line in lines if line.startswith("the last good PDFs")]
    assert len(told) == 1 and "the print PDF is from an earlier save" in told[0], lines
    assert "盛大举行" in text_of(mini / "output" / "booklet-digital.pdf")
    assert "隆重举行" in text_of(mini / "output" / "booklet-print.pdf")
