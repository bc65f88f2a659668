"""WeasyPrint's CSS messages name the project's file and line, not the line
in the stylesheet booklet merges from fonts.css, page.css and booklet.css."""

from __future__ import annotations

from booklet.build import build
from booklet.render.sourcemap import line_origins
from booklet.render.templates import DEFAULT_LAYOUTS
from projects import write_project


def test_template_lines_are_traced_through_values_comments_and_loops():
    source = "a {\n{# two\nlines #}\n  b: {{ x }};\n{% for i in r %}\n  c{{ i }}: 1;\n{% endfor %}\n  d: 2;\n}"
    rendered = "a {\n  b: 7;\n  c0: 1;\n  c1: 1;\n  c2: 1;\n  d: 2;\n}"
    assert line_origins(source, rendered) == [1, 4, 6, 6, 6, 8, 9]


def test_css_warnings_name_the_projects_file_and_line(tmp_path):
    project = write_project(tmp_path / "p", units=[("01-news", {"kind": "news", "title": "样式测试"}, "正文一段。\n")])
    layouts = project / "layouts"
    layouts.mkdir()
    (layouts / "booklet.css").write_text(
        (DEFAULT_LAYOUTS / "booklet.css").read_text("utf-8") + "\n/* 我的改动 */\n.unit-title { colr: red; }\n", "utf-8")
    bad_line = len((layouts / "booklet.css").read_text("utf-8").splitlines())
    page = (DEFAULT_LAYOUTS / "page.css").read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(page) if line.startswith(":root")) + 1     # after every {{ value }} above it
    page.insert(at, "  margin-lef: 3mm;")
    (layouts / "page.css").write_text("\n".join(page) + "\n", "utf-8")
    warnings = [w for w in build(project).warnings if w.startswith("WeasyPrint:")]
    assert f"WeasyPrint: Ignored `colr: red` at layouts/booklet.css, line {bad_line}, unknown property." in warnings, warnings
    assert f"WeasyPrint: Ignored `margin-lef: 3mm` at layouts/page.css, line {at + 1}, unknown property." in warnings, warnings
