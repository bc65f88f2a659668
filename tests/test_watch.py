"""`booklet watch` in a subprocess: edits rebuild, mistakes never kill it."""

import os
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
    for kind_text in ("劳动模范表彰大会隆重举行", "在劳动模范表彰大会上的讲话", "弘扬劳模精神", "劳动是一切幸福的源泉", "王芳", "编者按"):
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
    assert len(warnings) == 1 and "is missing" in warnings[0]
    assert any(line.startswith("… and ") and "booklet check" in line for line in lines), lines
