"""Tests for booklet.pdf.audit.

Every PDF here is typeset by WeasyPrint with the shipped Noto Serif CJK font
and built to break exactly one rule (or none), so the expected counts can be
derived by hand: the filler text has no punctuation and every ideograph is
1em wide, so a 10em column holds exactly 10 characters per line and an
indented first line 8.  Line numbers in the assertions count the page's
text lines top to bottom.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from weasyprint import HTML

from booklet.pdf.audit import ERROR_KINDS, KINDS, audit_pdf, cli_audit
from booklet.errors import BookletError

FONTS = Path(__file__).parents[1] / "fonts"
SERIF = (FONTS / "NotoSerifCJKsc-Regular.otf").as_uri()
MM = 72 / 25.4
MARGIN = 10 * MM  # default @page margin below, in pt

HAN = "春风又绿江南岸明月何时照我还山高水长云淡风轻天地悠悠往事如烟岁月静好花开花落草木葱茏"
RAGGED = (  # punctuation + Latin: kinsoku and word wrapping leave short lines
    "这是一个测试段落，用来观察字符的位置和基线信息。我们希望看到两端对齐的效果，"
    "以及标点符号挤压的情况。“引号”和《书名号》都应该出现在这里。混排English words的情况也要看看。"
)


def han(n: int, start: int = 0) -> str:
    """n punctuation-free ideographs."""
    return "".join(HAN[(start + i) % len(HAN)] for i in range(n))


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """Typeset an HTML body to a PDF: 10pt text on 16pt leading."""
    root = tmp_path_factory.mktemp("audit")

    def _render(name: str, body: str, css: str = "", page: str = "size: 100mm 100mm; margin: 10mm") -> Path:
        html = f"""<html><head><style>
@font-face {{ font-family: S; src: url({SERIF}); }}
@page {{ {page} }}
html {{ font-family: S; font-size: 10pt; line-height: 16pt; }}
body {{ margin: 0; }}
p {{ margin: 0; }}
{css}
</style></head><body>{body}</body></html>"""
        out = root / name
        HTML(string=html).write_pdf(out)
        return out

    return _render


@pytest.fixture(scope="module")
def clean_pdf(render):
    # Three indented paragraphs of 58, 36 and 13 characters in a 10em column:
    # 6 + 4 + 2 lines, every non-final line exactly full, final lines >= 3
    # characters.  A centred 14pt heading, and a running head that would
    # break both edge rules if it were not recognised as a running head.
    body = (
        "<h1>纪念文集</h1><div class=c>"
        f"<p>{han(57)}。</p><p>{han(35, 5)}。</p><p>{han(12, 9)}。</p></div>"
    )
    css = ".c { width: 10em; text-align: justify } .c p { text-indent: 2em }" \
          " h1 { font-size: 14pt; text-align: center; margin: 0 0 1em }"
    page = ('size: 100mm 100mm; margin: 12mm 10mm;'
            ' @top-center { content: "，页眉“"; font-size: 8pt }'
            ' @bottom-center { content: counter(page); font-size: 8pt }')
    return render("clean.pdf", body, css, page)


@pytest.fixture(scope="module")
def lone_pdf(render):
    # No indent, 10em wide: 21 chars -> last line 1 char; 20 + "字。" -> last
    # line "字。" (one character plus punctuation); 22 chars -> 2 chars (fine).
    body = f"<p>{han(21)}</p><p>{han(20, 3)}字。</p><p>{han(22, 6)}</p>"
    return render("lone.pdf", body, "body { width: 10em } p { margin-bottom: 1em !important }")


def kinds(report, kind):
    return [(i.page, i.line) for i in report.issues if i.kind == kind]


# -- clean -----------------------------------------------------------------


def test_flush_column_is_clean_and_running_heads_are_ignored(clean_pdf):
    report = audit_pdf(clean_pdf)
    assert report.issues == []
    # 1 heading + 12 body lines; the running head and folio are not counted
    assert report.lines_checked == 13
    assert report.justified_lines_checked == 5 + 3 + 1
    assert report.counts == {k: 0 for k in KINDS}


# -- justification ---------------------------------------------------------


def test_short_lines_in_justified_block_are_reported(render):
    pdf = render("ragged.pdf", f"<p class=c>{RAGGED}</p>", ".c { width: 10em; text-align: left }")
    report = audit_pdf(pdf)
    # 10 lines; 5 non-final lines are full (so the block reads as justified),
    # 4 were shortened by kinsoku / a Latin word and the last is exempt.
    assert kinds(report, "justify") == [(1, 5), (1, 7), (1, 8), (1, 9)]
    assert [i.value for i in report.by_kind("justify")] == pytest.approx([20.0, 10.0, 23.41, 10.33], abs=0.05)
    assert report.justified_lines_checked == 9
    assert report.by_kind("justify")[0].text == "标点符号挤压的情"


def test_frames_expose_a_measure_that_is_not_whole_em(render):
    # 10.5em column: every full line of 10 ideographs stops 5pt short of the
    # frame; only the frame tells the audit where the edge really is.
    pdf = render("measure.pdf", f"<p class=c>{RAGGED}</p>", ".c { width: 10.5em; text-align: justify }")
    without = audit_pdf(pdf)
    assert len(without.by_kind("justify")) == 4
    frame = (MARGIN, MARGIN, MARGIN + 105, 100 * MM - MARGIN)
    framed = audit_pdf(pdf, frames=[frame])
    issues = framed.by_kind("justify")
    assert [i.line for i in issues] == list(range(1, 10))
    assert min(i.value for i in issues) == pytest.approx(5.0, abs=0.05)
    # same answer through the per-page mapping and callable forms
    assert len(audit_pdf(pdf, frames={1: [frame]}).by_kind("justify")) == 9
    assert len(audit_pdf(pdf, frames=lambda n: [frame]).by_kind("justify")) == 9


def test_line_sticking_out_past_the_edge(render):
    # a 12-character no-wrap run cannot fit the 10em column
    body = f'<p>{han(28)}<span style="white-space: nowrap">{han(12, 3)}</span>{han(30)}</p>'
    pdf = render("past.pdf", body, ".c, p { width: 10em; text-align: justify; text-indent: 2em }")
    report = audit_pdf(pdf)
    [issue] = report.by_kind("justify")
    assert (issue.page, issue.line) == (1, 4)
    assert issue.value == pytest.approx(-20.0, abs=0.05)
    assert "past" in issue.detail


def test_superscript_stays_on_its_line(render):
    # a note mark after character 25 is 4.2pt wide, so its line holds 9
    # ideographs + the mark and ends 5.8pt short; the raised mark must not
    # become a line of its own, nor its taller line box split the paragraph.
    body = f"<div class=c><p>{han(25)}<sup>1</sup>{han(33)}</p><p>{han(30)}</p></div>"
    pdf = render("sup.pdf", body, ".c { width: 10em; text-align: justify } p { text-indent: 2em }")
    report = audit_pdf(pdf)
    assert report.lines_checked == 11
    [short] = report.by_kind("justify")
    assert (short.line, short.text) == (3, han(7, 18) + "1" + han(2))
    assert short.value == pytest.approx(5.76, abs=0.05)
    # 8 + 10 + 9 + 3*10 = 57 of 58 characters: the 58th is alone
    assert kinds(report, "lone-char") == [(1, 7)]
    assert report.justified_lines_checked == 9


# -- line-start / line-end rules --------------------------------------------


def test_forbidden_line_starts_and_ends(render):
    body = (
        "<p>前面的文字<br>，逗号开头<br>他说“<br>你好”<br>—单破折号<br>——双破折号</p>"
        '<p style="margin-top: 1em">abc (<br>) def</p>'
    )
    report = audit_pdf(render("forbid.pdf", body))
    # '，' , a lone '—' and ')' start lines; a full '——' may start one
    assert kinds(report, "forbidden-start") == [(1, 2), (1, 5), (1, 8)]
    # '“' and '(' end lines
    assert kinds(report, "forbidden-end") == [(1, 3), (1, 7)]
    assert report.lines_checked == 8


# -- lone characters and vertical titles --------------------------------------


def test_lone_last_line_character(lone_pdf):
    report = audit_pdf(lone_pdf)
    assert kinds(report, "lone-char") == [(1, 3), (1, 6)]
    assert [i.text for i in report.by_kind("lone-char")] == [HAN[20], "字。"]
    assert len(report.issues) == 2


def test_vertical_title_stack_is_exempt(render):
    # one character per line in a 1em box, the way WeasyPrint 70 sets a
    # vertical title; as a "paragraph" it would end on a lone character and
    # its first/last lines would break the edge rules ("《纪" ... "念》").
    css = ".v { position: absolute; top: 0; width: 1em; font-size: 20pt; line-height: 24pt }"
    body = '<div class=v style="left: 0">纪念册</div><div class=v style="left: 30mm">《纪念》</div>'
    report = audit_pdf(render("vertical.pdf", body, css))
    assert report.issues == []
    assert report.lines_checked == 5
    assert report.justified_lines_checked == 0


def test_vertical_title_still_checked_as_one_line(render):
    css = ".v { position: absolute; top: 0; left: 0; width: 1em; font-size: 20pt; line-height: 24pt }"
    report = audit_pdf(render("vertical-bad.pdf", "<div class=v>纪<br>念<br>“</div>", css))
    assert kinds(report, "forbidden-end") == [(1, 3)]
    assert "vertical line ends with" in report.by_kind("forbidden-end")[0].detail
    assert report.counts["lone-char"] == 0


VTITLE_CSS = """
.vertical { display: flex; flex-direction: row-reverse; align-items: flex-start; margin: 0;
            font-size: 20pt; line-height: 1.7 }
.vertical .vcol { display: block; width: 1.3em; text-align: center }
.vertical .vch { display: block; text-align: center; height: 1.15em }
"""


def vertical_title(*columns: list[str]) -> str:
    """The layouts' markup: columns right to left, one glyph cell each."""
    cols = "".join(
        '<span class="vcol">' + "".join(f'<span class="vch">{c}</span>' for c in col) + "</span>"
        for col in columns
    )
    return f'<h1 class="vertical">{cols}</h1>'


def test_multi_column_vertical_title_in_presentation_forms(render):
    # three columns side by side: each row of glyphs across them must be cut
    # into cells, and each column read as one vertical line.  Vertical
    # forms ︽︾ (《》) and ︐ (，), and a tate-chu-yoko "24" cell.
    title = vertical_title(["︽", "纪", "念", "︾"], ["文", "集", "︐", "11"], ["月", "24", "日"])
    report = audit_pdf(render("vtitle.pdf", title, VTITLE_CSS))
    assert report.issues == []
    assert report.lines_checked == 11


def test_vertical_column_ending_with_an_opening_form(render):
    title = vertical_title(["纪", "念", "︽"], ["文", "集", "书"])
    report = audit_pdf(render("vtitle-bad.pdf", title, VTITLE_CSS))
    [issue] = report.issues
    assert issue.kind == "forbidden-end" and issue.text == "︽"
    assert "vertical" in issue.detail


def test_padded_name_list_is_not_prose(render):
    # roster rows: a 11.5em name cell (two-character names letter-spaced to
    # the width of three) and an affiliation, rows padded apart.  Short,
    # equal-width names must not read as a justified block with short lines,
    # nor a letter-spaced name as a paragraph ending in a lone character.
    names = ["张三丰", "宗冰", "李四光", "王五", "赵钱孙", "周吴郑"]
    jobs = ["北京大学物理学院教授", "青海某公司总工程师", "某县支行副行长", "北京大学物理学院教授",
            "北京大学物理学院教授", "北京大学物理学院教授"]
    rows = "".join(
        f'<div class="row"><div class="name"><span class="{"n2" if len(n) == 2 else ""}">{n}</span></div>'
        f"<div>{j}</div></div>"
        for n, j in zip(names, jobs)
    )
    css = (".row { display: flex; align-items: baseline; padding: 1.7mm 0; font-size: 9.5pt; line-height: 1.5 }"
           " .name { flex: none; width: 11.5em; white-space: nowrap } .n2 { letter-spacing: 1em; margin-right: -1em }")
    report = audit_pdf(render("roster.pdf", rows, css, "size: 148mm 210mm; margin: 15mm"))
    assert report.issues == []
    assert report.lines_checked >= 12


# -- overflow -----------------------------------------------------------------


def test_glyph_outside_the_trim_box(render):
    body = '<p>正文一行</p><div style="position: absolute; left: -15mm; top: 20mm">出</div>'
    report = audit_pdf(render("outside.pdf", body))
    [issue] = report.by_kind("overflow")
    assert (issue.page, issue.text) == (1, "出")
    assert issue.value == pytest.approx(5 * MM, abs=0.05)  # 15mm left of a 10mm margin
    assert "trim box" in issue.detail


def test_lines_wider_than_their_frame(render):
    pdf = render("wide.pdf", f'<p style="width: 12em; text-align: justify">{han(50)}</p>')
    assert audit_pdf(pdf).counts["overflow"] == 0  # fine as far as the trim box goes
    framed = audit_pdf(pdf, frames=[(MARGIN, MARGIN, MARGIN + 100, 100 * MM - MARGIN)])
    issues = framed.by_kind("overflow")
    assert [i.line for i in issues] == [1, 2, 3, 4]  # the 2-char last line fits
    assert all(i.value == pytest.approx(20.0, abs=0.05) for i in issues)


def test_margins_define_the_text_area(clean_pdf):
    true_margins = (12 * MM, 10 * MM, 12 * MM, 10 * MM)
    assert audit_pdf(clean_pdf, margins=true_margins).issues == []
    # claim a 15mm left margin: every unindented body line starts 5mm outside
    # the area (the three 2em-indented first lines and the centred heading
    # clear it); the running head and folio sit in the bands, not reported.
    report = audit_pdf(clean_pdf, margins=(12 * MM, 10 * MM, 12 * MM, 15 * MM))
    overflow = report.by_kind("overflow")
    assert len(overflow) == 12 - 3
    assert all(i.value == pytest.approx(5 * MM, abs=0.05) for i in overflow)


# -- stranded lines across pages ---------------------------------------------

# 7 lines of 16pt fit the 40mm-high text area; orphans/widows control is
# switched off so WeasyPrint leaves single lines behind.
STRAND_CSS = "body { width: 10em } p { text-indent: 2em; orphans: 1; widows: 1; text-align: justify }"
STRAND_PAGE = "size: 100mm 60mm; margin: 10mm"


def test_orphan_first_line_alone_at_page_bottom(render):
    # 58 chars = 6 full lines, then a 3-line paragraph starts on line 7
    body = f"<p>{han(58)}</p><p>{han(23, 4)}</p><p>{han(30, 8)}</p>"
    report = audit_pdf(render("orphan.pdf", body, STRAND_CSS, STRAND_PAGE))
    assert report.pages == 2
    assert kinds(report, "orphan") == [(1, 7)]
    assert len(report.issues) == 1


def test_widow_last_line_alone_at_page_top(render):
    # 48 chars = 5 lines, then a 3-line paragraph: 2 lines + 1 on page 2
    body = f"<p>{han(48)}</p><p>{han(23, 4)}</p><p>{han(30, 8)}</p>"
    report = audit_pdf(render("widow.pdf", body, STRAND_CSS, STRAND_PAGE))
    assert kinds(report, "widow") == [(2, 1)]
    assert len(report.issues) == 1


def test_paragraph_split_two_and_two_is_fine(render):
    body = f"<p>{han(48)}</p><p>{han(33, 4)}</p><p>{han(30, 8)}</p>"
    report = audit_pdf(render("split.pdf", body, STRAND_CSS, STRAND_PAGE))
    assert report.issues == []
    # the page-1 bottom line runs on, so it is measured as a non-final line:
    # 4 + 3 (paragraph 2 across the break) + 3
    assert report.justified_lines_checked == 10


def test_list_of_single_lines_across_pages_is_not_stranded(render):
    # one-line items spaced apart, spilling onto page 2: the last item of
    # page 1 and the first of page 2 are separate paragraphs, not one cut.
    items = "".join(f'<p style="margin-bottom: 8mm">第{n}项活动安排</p>' for n in "一二三四五六")
    report = audit_pdf(render("items.pdf", items, "", STRAND_PAGE))
    assert report.pages == 2
    assert report.issues == []


def test_two_columns_are_split_at_the_gutter(render):
    # 95 + 57 chars = 10 + 6 lines balanced over two 10em columns
    css = ".c { width: 22em; columns: 2; column-gap: 2em; text-align: justify } p { text-indent: 2em }"
    report = audit_pdf(render("columns.pdf", f"<div class=c><p>{han(95)}</p><p>{han(57, 3)}</p></div>", css))
    assert report.issues == []
    assert report.lines_checked == 16
    # the paragraph running from column 1 into column 2 keeps its bottom line
    # non-final: 9 + 5
    assert report.justified_lines_checked == 14


def test_a_float_over_a_column_container_is_text_over_text(render):
    # WeasyPrint sets a column container beside a float without shortening
    # its lines: a floated title is drawn over the text (the fault the
    # layouts had with a vertical title over two columns).
    title = '<div class=t>' + "".join(f"<span>{ch}</span>" for ch in "港口通宵") + "</div>"
    css = (".t { float: right; width: 1em; font-size: 16pt; line-height: 1.2 } .t span { display: block }"
           " .c { columns: 2; column-gap: 2em }")
    report = audit_pdf(render("over.pdf", f"{title}<div class=c><p>{han(120)}</p></div>", css))
    over = report.by_kind("overlap")
    assert over and report.has_errors
    assert "drawn over line" in over[0].detail
    # the same title above the columns, and marks compressed into their
    # neighbour's box by design (clreq), are not text over text
    css_above = css.replace("float: right", "float: none; margin-left: auto")
    assert audit_pdf(render("above.pdf", f"{title}<div class=c><p>{han(120)}</p></div>", css_above)).by_kind("overlap") == []
    marks = "<p>" + han(6) + "。」" + han(6) + "，（" + han(4) + "）</p>"
    assert audit_pdf(render("marks.pdf", marks, "p { letter-spacing: -0.5em }")).by_kind("overlap") != []
    assert audit_pdf(render("marks2.pdf", marks, "p { font-feature-settings: 'halt' }")).by_kind("overlap") == []


# -- report and CLI ------------------------------------------------------------


def test_summary_table_and_dict(lone_pdf):
    report = audit_pdf(lone_pdf)
    table = report.summary_table()
    lines = table.splitlines()
    assert lines[0].split("|")[0].strip() == "kind"
    rows = {r.split("|")[0].strip(): int(r.split("|")[1]) for r in lines[2:] if "|" in r and "-" not in r[:3]}
    assert rows["lone-char"] == 2 and rows["justify"] == 0 and rows["total"] == 2
    assert set(KINDS) <= set(rows)
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["counts"]["lone-char"] == 2
    assert data["issues"][0]["page"] == 1 and data["issues"][0]["kind"] == "lone-char"
    assert data["lines_checked"] == report.lines_checked


def test_cli_exit_codes(clean_pdf, lone_pdf, render, capsys):
    assert cli_audit(clean_pdf) == 0
    # lone characters are warnings, not errors
    assert "lone-char" not in ERROR_KINDS
    assert cli_audit(lone_pdf) == 0
    out = capsys.readouterr().out
    assert "page 1:" in out and "lone-char" in out and "total" in out
    bad = render("cli-bad.pdf", "<p>文字<br>，逗号</p>")
    assert cli_audit(bad) == 1
    assert "forbidden-start" in capsys.readouterr().out


def test_missing_pdf_is_a_user_error(tmp_path):
    with pytest.raises(BookletError, match="not found"):
        audit_pdf(tmp_path / "nope.pdf")
    (tmp_path / "junk.pdf").write_text("not a pdf")
    with pytest.raises(BookletError, match="cannot read"):
        audit_pdf(tmp_path / "junk.pdf")


def test_contents_leader_after_a_gap_is_not_a_line_start(tmp_path):
    """A leader (········ 14) set after a title is part of the entry's line."""
    from booklet.pdf.audit import audit_pdf
    import weasyprint
    font = (Path(__file__).resolve().parents[1] / "fonts" / "NotoSerifCJKsc-Regular.otf").as_uri()
    html = f"""<html><head><meta charset="utf-8"><style>
    @font-face {{ font-family: f; src: url("{font}"); }}
    @page {{ size: 200mm 100mm; margin: 10mm; }}
    body {{ font-family: f; font-size: 10pt; }}
    p {{ margin: 0; }} span {{ margin-left: 3em; }}
    </style></head><body><p>始终牢记习近平总书记嘱托<span>··········· 14</span></p>
    <p>短标题<span>·························· 9</span></p></body></html>"""
    pdf = tmp_path / "toc.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    report = audit_pdf(pdf)
    assert report.counts.get("forbidden-start", 0) == 0, report.issues


SANS_BOLD = (FONTS / "NotoSansCJKsc-Bold.otf").as_uri()
TOC_CSS = f"""
@font-face {{ font-family: H; src: url({SANS_BOLD}); }}
.toc {{ width: 30em; }} .toc div {{ line-height: 1.5; margin-bottom: 1mm }}
.sec {{ display: block; font-family: H; margin-top: 3mm }}
.au {{ margin: 0 2em 0 1em; font-size: 0.9em }}
.pg::after {{ content: leader("·") " " attr(data-page); }}
"""


def toc_entry(title: str, page: int, author: str = "", section: str = "") -> str:
    sec = f'<span class="sec">{section}</span>' if section else ""
    au = f'<span class="au">{author}</span>' if author else ""
    return f'<div>{sec}{title}{au}<span class="pg" data-page="{page}"></span></div>'


def test_contents_entries_and_section_headings_are_not_short_lines(render):
    # a section's name (another face) above its entries, an entry with its
    # author's name set off by a gap before the leader, a title long enough
    # to wrap: none of them is a short line of justified prose
    body = '<div class="toc">' + "".join([
        toc_entry("开学第一课", 1), toc_entry("新教师入职宣誓仪式", 2), toc_entry("家访路上", 3),
        toc_entry("教研组的一天", 3), toc_entry("课后服务", 3), toc_entry("校园开放日", 4),
        toc_entry("青春在讲台上闪光", 4, section="校园风采"),
        toc_entry("在新学期开学典礼暨优秀园丁表彰会上的讲话", 5, author="欧阳明"),
        toc_entry("一支粉笔两袖清风三尺讲台四季耕耘的乡村教师故事", 9),
        toc_entry("光荣退休", 12, section="致敬"),
    ]) + "</div>"
    report = audit_pdf(render("toc-sections.pdf", body, TOC_CSS, "size: 150mm 120mm; margin: 10mm"))
    assert report.issues == []
    assert report.lines_checked >= 6


FLOAT_PAGE = "size: 130mm 160mm; margin: 10mm"
FLOAT_CSS = VTITLE_CSS + """
.vertical { float: right; margin: 0 0 2mm 6mm; }
.art { width: 30em; text-align: justify; } .art p { text-indent: 2em; }
"""


def test_lines_beside_a_floated_vertical_title_end_at_its_edge(render):
    # the text wraps round a floated title: lines beside it end at the
    # float's edge, lines below it at the column's; both are justified
    title = vertical_title(list("春风化雨"), list("桃李芬芳"))
    body = f'<div class="art">{title}<p>{han(150)}。</p><p>{han(100, 3)}。</p></div>'
    report = audit_pdf(render("float.pdf", body, FLOAT_CSS, FLOAT_PAGE))
    assert report.issues == []
    assert report.justified_lines_checked >= 8
    # ...and a line broken early beside the title is still short of that edge
    body = f'<div class="art">{title}<p>{han(40)}<br>{han(110)}。</p><p>{han(100, 3)}。</p></div>'
    report = audit_pdf(render("float-short.pdf", body, FLOAT_CSS, FLOAT_PAGE))
    [issue] = report.issues
    assert issue.kind == "justify" and han(40).endswith(issue.text)
    edge = float(issue.detail.rsplit(" ", 1)[1])        # the float's edge, well inside the column's
    assert edge < MARGIN + 300 - 30 and issue.value == pytest.approx(40.0, abs=1)


def test_vertical_title_beside_other_text_is_still_read_as_columns(render):
    # a photo frame's label beside a cover title: its rows fall between the
    # title's rows, which are still cells of the title's columns (the last
    # column, shorter by one, is not a line ending in a lone character)
    title = vertical_title(list("清江区隆重召"), list("开庆祝第个教"), list("师节大会"))
    css = VTITLE_CSS + ".frame { float: left; width: 30mm; margin-top: 12mm; font-size: 8pt; line-height: 13pt }"
    body = f'<div class="frame">封面<br>照片<br>图注<br>说明</div>{title}'
    report = audit_pdf(render("cover-label.pdf", body, css, "size: 120mm 100mm; margin: 10mm"))
    assert report.issues == []


def test_roster_row_at_a_page_bottom_is_not_an_orphan(render):
    # a roster running over two pages: the name of the last row on the first
    # page is a row of the list, not the first line of a paragraph that the
    # next page's (wider) column of units carries on
    names = ["欧阳明", "韦丹", "司马青", "卢晓川", "钟明远", "孔令伟", "司徒雯", "柏杨", "尹航", "蓝天"] * 3
    job = "城东环卫所机扫车司机兼安全员"
    rows = "".join(
        f'<div class="row"><div class="name">{n}</div><div class="job">{job if k % 3 else job * 2}</div></div>'
        for k, n in enumerate(names)
    )
    css = (".row { display: flex; align-items: baseline; padding: 1.7mm 0; font-size: 9.5pt; line-height: 1.5 }"
           " .name { flex: none; width: 8em } .job { width: 16em }")
    report = audit_pdf(render("roster-pages.pdf", rows, css, "size: 120mm 110mm; margin: 10mm"))
    assert report.pages >= 2
    assert report.issues == []


def test_the_audit_reads_pages_in_several_processes_and_reports_the_same(render):
    """Pages read side by side in runs (forked processes), checks run on all
    of them: the same report, issue for issue, as one process reading all,
    with paragraphs that run from one run's last page into the next's."""
    body = "".join(f"<p class=c>{RAGGED}</p><p class=c>{han(21, k)}</p><p class=c>{han(33 + k, k)}。</p>"
                   for k in range(14))
    pdf = render("long.pdf", body, ".c { width: 10em; text-align: justify; text-indent: 2em; orphans: 1; widows: 1 }")
    margins = lambda page: (MARGIN, MARGIN, MARGIN, MARGIN)      # a function: it goes through the fork
    one = audit_pdf(pdf, margins=margins)
    split = audit_pdf(pdf, margins=margins, processes=3)
    assert one.pages == split.pages > 8
    assert (one.lines_checked, one.justified_lines_checked) == (split.lines_checked, split.justified_lines_checked)
    assert [(i.page, i.line, i.kind, i.detail) for i in one.issues] == [(i.page, i.line, i.kind, i.detail) for i in split.issues]
    found = {i.kind for i in one.issues}
    assert {"justify", "lone-char"} <= found and found & {"widow", "orphan"}, found


def test_glyphs_are_read_where_pdfplumber_places_its_chars(built_mini, tmp_path):
    """The audit reads pdfminer's layout itself (pdfplumber's objects cost a
    third of its time): every glyph where pdfplumber's page.chars puts it, also
    on a page whose MediaBox does not start at the origin."""
    import pdfplumber
    import pikepdf

    from booklet.pdf.audit.lines import _glyphs_of
    from booklet.pdf.audit.model import _DESCENT
    _, result = built_mini
    shifted = tmp_path / "shifted.pdf"
    with pikepdf.open(result.print_pdf) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.MediaBox)
            page.MediaBox = [x0 - 7, y0 - 11, x1 + 5, y1 + 3]
        pdf.save(shifted)

    def from_chars(page):
        out = []
        for c in page.chars:
            m, size = c["matrix"], float(c["size"])
            upright = abs(m[1]) < 1e-6 and abs(m[2]) < 1e-6 and m[3] > 0
            base = c["top"] + (c["y1"] - m[5]) if upright else c["bottom"] - _DESCENT * size
            out.append((c["text"], round(c["x0"], 3), round(c["x1"], 3), round(base, 3), size,
                        c["fontname"].split("+")[-1], upright or c["upright"]))
        return sorted(out)

    for path in (result.print_pdf, result.digital_pdf, shifted):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                upright, rotated = _glyphs_of(page)
                mine = [(g.text, round(g.x0, 3), round(g.x1, 3), round(g.base, 3), g.size, g.font, kept)
                        for glyphs, kept in ((upright, True), (rotated, False)) for g in glyphs]
                assert sorted(mine) == from_chars(page), (path.name, page.page_number)


def test_a_page_audited_before_is_not_read_again_and_the_report_is_the_same(render, tmp_path, monkeypatch):
    """The audit keeps each page's glyphs by a digest of its content: a second
    audit reads no page, a page changed since (its text moved) is read again,
    and a damaged cache costs time, never the report."""
    import pikepdf

    from booklet.pdf.audit import reading
    body = "".join(f"<p class=c>{RAGGED}</p><p class=c>{han(21, k)}</p>" for k in range(9))
    pdf = render("cached.pdf", body, ".c { width: 10em; text-align: justify; orphans: 1; widows: 1 }")
    read: list[int] = []
    real = reading._read_pages
    monkeypatch.setattr(reading, "_read_pages", lambda path, numbers: (read.extend(numbers), real(path, numbers))[1])
    key = lambda r: ([(i.page, i.line, i.kind, i.detail) for i in r.issues], r.lines_checked, r.justified_lines_checked)
    cache = tmp_path / "cache"
    plain = audit_pdf(pdf)
    assert plain.issues and plain.pages > 3
    read.clear()
    first = audit_pdf(pdf, cache=cache)
    assert key(first) == key(plain) and sorted(read) == list(range(1, plain.pages + 1))
    read.clear()
    assert key(audit_pdf(pdf, cache=cache)) == key(plain) and read == []
    # page 2's text moves 30 pt to the right: only page 2 is read again, and the audit sees it
    moved = tmp_path / "moved.pdf"
    with pikepdf.open(pdf) as doc:
        page = doc.pages[1]
        page.contents_add(doc.make_stream(b"1 0 0 1 30 0 cm"), prepend=True)
        doc.save(moved)
    import shutil
    shutil.copyfile(moved, pdf)
    read.clear()
    again = audit_pdf(pdf, cache=cache)
    assert read == [2]
    assert key(again) == key(audit_pdf(moved)) != key(plain)
    for f in cache.iterdir():
        f.write_text("{ damaged", "utf-8")
    read.clear()
    assert key(audit_pdf(pdf, cache=cache)) == key(again) and len(read) == plain.pages
