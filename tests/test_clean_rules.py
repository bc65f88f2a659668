"""Each cleaning rule at the edges of its decisions, by example.

test_clean.py shows each rule on the seed's artefacts and checks the whole
pipeline with property tests; these examples sit on the boundaries the
rules compare against (a count of 3, a width 2.5 ems short, a number of
digits, which parse of a doubled line wins) so that inverting or shifting
one comparison fails a test named after the decision. The text is our own.
"""

from __future__ import annotations

import pytest

from booklet.importing.clean import (Line, Paragraph, clean_paragraph_text, clean_text, display_width, drop_folios,
                                     is_punct,
                                     drop_ornament_lines, ends_sentence, is_han, is_wide, join_split_numbers,
                                     join_wrapped_lines, normalize_cjk_punct, paragraph_breaks,
                                     rebuild_vertical_titles, split_lines, strip_cjk_spaces, undouble,
                                     undouble_faux_bold)

HAN = "春夏秋冬东南西北上下左右前后天地山水日月风云雨雪花草树木江河湖海"


def lines_of(*texts: str, gap: bool = False, lead: tuple[int, ...] = ()) -> list[Line]:
    return [Line(n=i + 1, text=t, gap=gap and i > 0, lead=i in lead) for i, t in enumerate(texts)]


def texts(lines) -> list[str]:
    return [l.text for l in lines]


def han(width: float, end: str = "", start: int = 0) -> str:
    """A run of distinct ideographs (and an ASCII 'a' for a half em) *width* ems wide, ending with *end*."""
    body_width = width - display_width(end)
    whole = int(body_width)
    text = "".join(HAN[(start + k) % len(HAN)] for k in range(whole))
    if body_width - whole:
        text += "a"
    return text + end


# ---------------------------------------------------------------- characters


@pytest.mark.parametrize("ch,wide", [("\u2e80", True), ("\u2e7f", False), ("\u2fff", True), ("\u3000", True),
                                     ("\u303f", True), ("\u30ff", True), ("\u3100", False), ("\u3400", True),
                                     ("\u4dbf", True), ("\u4e00", True), ("\u9fff", True), ("\ua000", False),
                                     ("\uf900", True), ("\ufaff", True), ("\ufe30", True), ("\ufe4f", True),
                                     ("\ufe50", False),
                                     ("\uff01", True), ("\uff60", True), ("\uff61", False), ("\uffe0", True),
                                     ("\uffe6", True), ("\uffe7", False), ("\U00020000", True), ("\U0003ffff", True),
                                     ("\U00040000", False), ("—", True), ("…", True), ("a", False), ("é", False)])
def test_is_wide_at_the_edges_of_its_ranges(ch, wide):
    assert is_wide(ch) is wide


@pytest.mark.parametrize("ch,han_", [("\u3400", True), ("\u4dbf", True), ("\u4dc0", False), ("\u4e00", True),
                                     ("\u9fff", True), ("\ua000", False), ("\uf900", True), ("\ufaff", True),
                                     ("\ufb00", False), ("\U00020000", True), ("\U0003ffff", True), ("\U00040000", False),
                                     ("，", False), ("1", False)])
def test_is_han_at_the_edges_of_its_ranges(ch, han_):
    assert is_han(ch) is han_


@pytest.mark.parametrize("ch,punct", [("，", True), ("“", True), ("!", True), ("—", True), ("a", False), ("1", False),
                                       ("中", False), (" ", False), ("\u3000", False)])
def test_is_punct_is_neither_letter_digit_han_nor_space(ch, punct):
    assert is_punct(ch) is punct


def test_display_width_counts_spaces_as_nothing_and_latin_as_half():
    assert display_width("中 文") == 2
    assert display_width("ab") == 1
    assert display_width("“好”—…") == 5
    assert display_width("") == 0


@pytest.mark.parametrize("text,ends", [("好。", True), ("好。”", True), ("好！）", True), ("真的？」』", True),
                                       ("如下：", True), ("……", True), ("好”", False), ("好，", False), ("", False),
                                       ("”", False), ("  好。  ", True)])
def test_ends_sentence_looks_through_closing_marks(text, ends):
    assert ends_sentence(text) is ends


def test_split_lines_normalises_spaces_and_marks_frames():
    ls = split_lines("\ufeff\t正文\r\n\r第二行  有  空格\n\u00a0\u3000新框\n\n\n末行", first_line=10)
    assert [(l.n, l.text, l.lead, l.gap) for l in ls] == [
        (10, "正文", True, 0), (12, "第二行 有 空格", False, 1), (13, "新框", True, 0), (16, "末行", False, 2)]


# ---------------------------------------------------------------- undouble


def test_undouble_takes_the_fewest_blocks():
    # 扎扎实实 printed twice reads as one doubled block (扎扎实实) or as four
    # doubled characters (扎 实 扎 实); the fewest blocks keep the real repeat.
    assert undouble("扎扎实实扎扎实实") == ("扎扎实实", ["扎扎实实"])
    assert undouble("天天向上天天向上") == ("天天向上", ["天天向上"])


def test_undouble_breaks_ties_with_the_longer_first_block():
    # Two readings of two blocks each: 好好人|好 and 好|人好好.
    assert undouble("好好人好好人好好") == ("好好人好", ["好好人", "好"])


@pytest.mark.parametrize("s", ["", "中", "中中国", "中国", "，中，中", "中，中，"])
def test_undouble_refuses_what_is_not_doubled_blocks(s):
    # odd length, too short, no repeat, or a block mixing punctuation with text
    assert undouble(s) is None


def test_undouble_keeps_punctuation_blocks_apart():
    assert undouble("好好，，") == ("好，", ["好", "，"])
    assert undouble("““中国中国””") == ("“中国”", ["“", "中国", "”"])


def test_a_number_alone_is_not_faux_bold():
    out, changes = undouble_faux_bold(lines_of("上文上文，，", "20202020", "下文下文。。"))
    assert texts(out) == ["上文，", "20202020", "下文。"] and [c.source_line for c in changes] == [1, 3]


def test_digits_or_punctuation_make_a_doubled_line_strong_on_its_own():
    for doubled, single in (("20232023年年", "2023年"), ("好好！！", "好！")):
        out, _ = undouble_faux_bold(lines_of(doubled))
        assert texts(out) == [single], doubled


def test_a_doubled_number_with_its_unit_is_strong_on_its_own():
    out, _ = undouble_faux_bold(lines_of("3号3号"))                     # a block of a digit and a unit
    assert texts(out) == ["3号"]


def test_a_doubled_run_of_two_in_six_characters_is_strong_on_its_own():
    out, _ = undouble_faux_bold(lines_of("新时新时代代"))               # 6 characters, a block of 2
    assert texts(out) == ["新时代"]
    out, _ = undouble_faux_bold(lines_of("新时新时"))                   # 4 characters: weak
    assert texts(out) == ["新时新时"]
    out, _ = undouble_faux_bold(lines_of("天天地地山山"))               # 6 characters, blocks of 1: weak
    assert texts(out) == ["天天地地山山"]


@pytest.mark.parametrize("around,undoubled", [
    (("上文上文，，", "下文下文。。"), True),        # between two strong lines
    (("上文上文，，", None), True),                  # after a strong line, at the end of the text
    ((None, "下文下文。。"), True),                  # before a strong line, at the start
    ((None, "下文下文。。", "平常的一句话。"), True),  # …whatever the last line of the text is
    (("上文上文，，", "平常的一句话。"), False),      # next to an ordinary line
    (("平常的一句话。", "下文下文。。"), False),
    ((None, None), False),                          # alone
    (("天天天天", "下文下文。。"), False),            # next to another weak line
])
def test_a_weak_doubled_line_needs_strong_neighbours(around, undoubled):
    before, after, *rest = around
    lines = [t for t in (before, "山山水水", after, *rest) if t is not None]
    out, _ = undouble_faux_bold(lines_of(*lines))
    assert out[lines.index("山山水水")].text == ("山水" if undoubled else "山山水水")


# ---------------------------------------------------------------- vertical titles


def test_three_single_ideographs_make_a_vertical_title_two_do_not():
    out, changes = rebuild_vertical_titles(split_lines("正文。\n春\n夏\n秋\n正文\n东\n南\n正文\n"))
    assert [(l.text, l.vertical) for l in out] == [("正文。", False), ("春夏秋", True), ("正文", False),
                                                   ("东", False), ("南", False), ("正文", False)]
    assert (out[1].n, out[1].last) == (2, 4) and len(changes) == 1


def test_a_vertical_run_stops_at_anything_but_one_ideograph():
    out, _ = rebuild_vertical_titles(split_lines("春\n夏\n。\n秋\n冬\n1\nA\n山\n水\n风\n"))
    assert [(l.text, l.vertical) for l in out] == [("春", False), ("夏", False), ("。", False), ("秋", False),
                                                   ("冬", False), ("1", False), ("A", False), ("山水风", True)]


@pytest.mark.parametrize("raw,titles", [
    ("春\n夏\n秋\n\n东\n南\n西\n", ["春夏秋", "东南西"]),     # two stacked blocks of three: two titles
    ("春\n夏\n秋\n\n东\n南\n", ["春夏秋东南"]),            # two characters below are no block of their own
    ("春\n夏\n\n东\n南\n西\n", ["春夏东南西"]),            # nor two above
    ("春\n\n夏\n\n秋\n\n东\n\n南\n\n西\n", ["春夏秋东南西"]),  # every line spaced: the extractor's spacing
])
def test_stacked_vertical_blocks_stay_apart_when_a_blank_line_parts_three_and_three(raw, titles):
    out, _ = rebuild_vertical_titles(split_lines(raw))
    assert texts(out) == titles and all(l.vertical for l in out)


def test_a_vertical_title_at_the_very_end_is_rebuilt():
    out, _ = rebuild_vertical_titles(split_lines("正文。\n编\n后\n记"))
    assert texts(out) == ["正文。", "编后记"] and out[-1].vertical


# ---------------------------------------------------------------- ornaments and folios


@pytest.mark.parametrize("text,dropped", [("1950—2020", True), ("1998-2023", True), ("1998 ~ 2023", True),
                                          ("1998～2023", True), ("1998至2023", True), ("1998–2023", True),
                                          ("1998—2023年", False), ("998—2023", False), ("1998—", False),
                                          ("19982023", False), ("公元1998—2023", False)])
def test_ornament_lines_are_year_ranges_alone(text, dropped):
    out, changes = drop_ornament_lines(lines_of("上文。", text, "下文。"))
    assert (text not in texts(out)) is dropped and len(changes) == int(dropped)


def test_consecutive_ornaments_pass_the_first_ones_frame_start_on():
    out, _ = drop_ornament_lines(split_lines(" 1950—2020\n2000—2020\n同志们：\n下一行"))
    assert texts(out) == ["同志们：", "下一行"] and out[0].lead and not out[1].lead


@pytest.mark.parametrize("text,dropped", [("7", True), ("09", True), ("123", True), ("1234", False), ("1a", False)])
def test_folios_are_one_to_three_digits(text, dropped):
    out, _ = drop_folios(lines_of("上一页的话。", text, "下一页的话。"))
    assert (text not in texts(out)) is dropped
    if dropped:
        assert out[1].page_break and not out[0].page_break


def test_a_folio_between_a_finished_sentence_and_a_unit_is_still_a_folio():
    out, _ = drop_folios(lines_of("工作圆满完成。", "13", "名同志受到表彰"))
    assert texts(out) == ["工作圆满完成。", "名同志受到表彰"]
    out, _ = drop_folios(lines_of("13", "名同志受到表彰"))                 # nothing before it
    assert texts(out) == ["名同志受到表彰"]
    out, _ = drop_folios(lines_of("今年共有", "13", "位同志受到表彰"))    # unfinished, then a unit: a number
    assert texts(out) == ["今年共有", "13", "位同志受到表彰"]
    out, _ = drop_folios(lines_of("今年共有", "13"))                      # nothing after it
    assert texts(out) == ["今年共有"]


def test_a_dropped_folio_passes_its_blank_line_and_frame_on():
    out, _ = drop_folios(split_lines("上文\n\n 12\n下文"))
    assert texts(out) == ["上文", "下文"] and out[1].gap and out[1].lead and out[1].page_break


@pytest.mark.parametrize("raw,kept", [
    ("今年共有\n13\n\n\n名同志受到表彰", False),   # two blank lines after it: the rest of the page is empty
    ("今年共有\n05\n名同志受到表彰", False),         # padded with a zero: a page number
    ("今年共有\n13\n\n名同志受到表彰", True),       # one blank line: the extractor's spacing, a number
])
def test_a_number_in_an_unfinished_sentence_can_still_be_a_folio(raw, kept):
    out, _ = drop_folios(split_lines(raw))
    assert (len(out) == 3) is kept


# ---------------------------------------------------------------- split numbers


@pytest.mark.parametrize("raw,joined", [
    ("今天\n1\n月5日召开", "1月5日召开"),
    ("今天\n12\n月31日召开", "12月31日召开"),
    ("会议。\n1\n\n月5日召开", "1月5日召开"),        # 月 cannot start a text: across a blank line too
    ("会议。\n1\n1月5日召开", "11月5日召开"),         # a digit can: only when nothing lies between
])
def test_a_number_above_the_rest_of_its_date_starts_that_line(raw, joined):
    out, _ = join_split_numbers(drop_folios(split_lines(raw))[0])
    assert texts(out)[-1] == joined and len(out) == 2


@pytest.mark.parametrize("raw,never", [("今天\n13\n月1日召开", "13月"), ("今天\n12\n月32日召开", "12月32日"),
                                       ("会议。\n1\n\n1月5日召开", "11月")])
def test_what_is_no_date_does_not_start_one(raw, never):
    # no 13th month, no 32nd day, and a blank line between 1 and 1月: the number stays apart
    out, _ = join_split_numbers(drop_folios(split_lines(raw))[0])
    assert not any(never in t for t in texts(out)), texts(out)


def test_a_number_alone_goes_back_to_the_unfinished_line_before():
    out, changes = join_split_numbers(lines_of("全市共有", "3200", "名教师受到表彰"))
    assert texts(out) == ["全市共有3200", "名教师受到表彰"] and out[0].last == 2
    assert changes[0].source_line == 2
    out, _ = join_split_numbers(lines_of("投资", "12.5", "万元"))
    assert texts(out) == ["投资12.5", "万元"]


@pytest.mark.parametrize("lines,why", [
    (lines_of("表彰全部完成。", "3200", "名教师"), "the line before ends a sentence"),
    (lines_of("全市共有", "3200", "名教师", lead=(1,)), "the number starts a new frame"),
])
def test_a_number_alone_does_not_go_back(lines, why):
    # It stays with the unit after it (the other half of the rule) instead.
    out, _ = join_split_numbers(lines)
    assert texts(out) == [lines[0].text, "3200名教师"], why


@pytest.mark.parametrize("lines,why", [
    (lines_of("全市共有", "3200", "名教师", lead=(2,)), "the unit starts a new frame"),
    (lines_of("全市共有", "3200", "居民户"), "what follows is not a unit"),
])
def test_a_number_alone_stays_alone(lines, why):
    out, changes = join_split_numbers(lines)
    assert texts(out) == texts(lines) and not changes, why


def test_a_number_ending_a_line_joins_the_unit_starting_the_next():
    out, _ = join_split_numbers(lines_of("会议定于 11", "月24日召开"))
    assert texts(out) == ["会议定于 11月24日召开"] and out[0].last == 2
    assert out[0].width == display_width("月24日召开") and out[0].first_width == display_width("会议定于 11")
    out, _ = join_split_numbers(lines_of("会议定于11", "月24日召开"))
    assert texts(out) == ["会议定于11月24日召开"]


@pytest.mark.parametrize("lines,why", [
    (lines_of("会议定于 11", "月24日召开", gap=True), "a blank line between"),
    (lines_of("会议定于 11", "月24日召开", lead=(1,)), "the next line starts a frame"),
    (lines_of("型号ABC11", "月产量"), "the number is part of a Latin word"),
])
def test_a_number_ending_a_line_stays_apart(lines, why):
    out, _ = join_split_numbers(lines)
    assert texts(out) == texts(lines), why


# ---------------------------------------------------------------- paragraphs


def column(*spec) -> list[Line]:
    """Lines of a 20-em column: each spec is a width, or (width, end) for a
    line ending with *end*; the text of each line is different."""
    out = []
    for k, item in enumerate(spec):
        width, end = item if isinstance(item, tuple) else (item, "")
        out.append(han(width, end, start=3 * k))
    return lines_of(*out)


def test_a_sentence_ending_short_of_the_column_ends_the_paragraph():
    # Inside a paragraph, 2.5 ems short of the column is short enough…
    assert paragraph_breaks(column(18, 20, 20, (17.5, "。"), 20, 20, 20, (6, "。")))[3] is True
    # …2 ems short is a full line whose sentence happens to end there.
    assert paragraph_breaks(column(18, 20, 20, (18, "。"), 20, 20, 20, (6, "。")))[3] is False


def test_the_first_line_of_a_paragraph_is_allowed_its_lost_indent():
    # A paragraph's first line is 2 ems short anyway (the indent the extractor
    # dropped): it must be 3.5 ems short to end its paragraph alone…
    assert paragraph_breaks(column(20, 20, (20, "。"), (16.5, "。"), 20, 20, 20, (6, "。")))[3] is True
    # …3 short is an indented first line whose sentence ends at the line end.
    assert paragraph_breaks(column(20, 20, (20, "。"), (17, "。"), 20, 20, 20, (6, "。")))[3] is False


def test_a_one_line_paragraph_of_a_third_of_the_column_stands_alone():
    breaks = paragraph_breaks(column(18, 20, 20, (20, "。"), (6, "！"), 18, 20, 20, (5, "。")))
    assert breaks[3:5] == [True, True]


def test_an_indented_next_line_starts_a_new_paragraph():
    # A full line ending a sentence, then a line two ems short: a new paragraph…
    assert paragraph_breaks(column(18, 20, 20, (20, "。"), 18, 20, 20, (7, "。")))[3] is True
    # …the next line 1 em short is the same paragraph going on,
    assert paragraph_breaks(column(18, 20, 20, (20, "。"), 19, 20, 20, (7, "。")))[3] is False
    # …and so is one starting a new text frame (the sentence goes on there).
    lines = column(18, 20, 20, (20, "。"), 18, 20, 20, (7, "。"))
    lines[4] = Line(5, lines[4].text, lead=True)
    assert paragraph_breaks(lines)[3] is False


def test_a_short_line_after_a_full_sentence_is_a_heading():
    breaks = paragraph_breaks(column(18, 20, 20, (20, "。"), 8, 18, 20, 20, (4, "。")))
    assert breaks[3] is True and breaks[4] is True


@pytest.mark.parametrize("width,heading", [(17, True), (17.5, False)])
def test_a_line_inside_a_sentence_is_a_heading_when_3_ems_shorter_than_both_neighbours(width, heading):
    assert paragraph_breaks(column(18, 20, width, 20, 20, (5, "。")))[2] is heading


def test_a_line_shorter_than_only_one_neighbour_is_no_heading():
    assert paragraph_breaks(column(18, 20, 17, 19, 20, (5, "。")))[2] is False


def test_the_column_width_changing_after_a_sentence_starts_a_new_text_box():
    # Three lines of 20 ems, then three of 14 (a narrower box beside a photo).
    breaks = paragraph_breaks(column(18, 20, (20, "。"), 14, 14, 14, (5, "。")))
    assert breaks[2] is True
    # A change of 2 ems is within the jitter of one column.
    assert paragraph_breaks(column(18, 20, (20, "。"), 20, 19, 19, (5, "。")))[2] is False


def test_an_indented_next_line_is_at_least_one_and_a_half_ems_short():
    assert paragraph_breaks(column(18, 20, 20, (20, "。"), 18.5, 20, 20, (7, "。")))[3] is True


def test_an_indented_next_line_is_at_most_four_and_a_half_ems_short():
    assert paragraph_breaks(column(18, 20, 20, (20, "。"), 15.5, 20, 20, (7, "。"))) == \
        [False, False, False, True, False, False, False, True]


def test_a_one_line_paragraph_may_be_exactly_a_third_of_the_column():
    breaks = paragraph_breaks(column(16, 18, 18, (18, "。"), (6, "！"), 16, 18, 18, (5, "。")))
    assert breaks[3:5] == [True, True]


@pytest.mark.parametrize("narrow,brk", [(17.5, True), (18, False)])
def test_a_column_narrowing_by_two_and_a_half_ems_is_a_new_text_box(narrow, brk):
    assert paragraph_breaks(column(18, 20, (20, "。"), narrow, narrow, narrow, (5, "。")))[2] is brk


def test_two_lines_each_side_are_enough_to_see_the_column_change():
    assert paragraph_breaks(column(20, (20, "。"), 14, 14, (5, "。"))) == [False, True, False, False, True]


@pytest.mark.parametrize("spec,brk", [
    ((18, 20, 20, (18, "。"), 18, 20, 20, (7, "。")), True),      # 2 short, then an indented line, then a full one
    ((18, 20, 20, (18.5, "。"), 18, 20, 20, (7, "。")), True),    # 1.5 short is enough
    ((18, 20, 20, (18, "。"), 18.5, 20, 20, (7, "。")), True),    # an indent of 1.5 is enough
    ((18, 20, 20, (18, "。"), 18, 19.5, 20, (7, "。")), True),    # the line after is 1.5 wider than the indented one
    ((18, 20, 20, (18, "。"), 18, 19, 20, (7, "。")), False),     # …only 1 wider: no indent to see
    ((18, 20, 19.5, (18, "。"), 18, 20, 20, (7, "。")), True),    # 1.5 shorter than the line before
    ((18, 20, 19, (18, "。"), 18, 20, 20, (7, "。")), False),     # …only 1 shorter: the column is just ragged
    ((18, 20, 20, (18, "。"), 18), False),                        # nothing after the indented line to compare
])
def test_a_slightly_short_last_line_before_an_indented_one_ends_the_paragraph(spec, brk):
    assert paragraph_breaks(column(*spec))[3] is brk


def test_four_neighbours_are_enough_to_ignore_one_overfull_line():
    # Around the sentence end: 20, 22 (overfull), 20, 5. The column is 20, not
    # 22, so a line of 18 is a full line whose sentence ends there.
    assert paragraph_breaks(column(20, 22, (18, "。"), 20, (5, "。")))[2] is False


def test_a_full_line_then_a_longer_one_line_paragraph_is_read_as_one_paragraph():
    # The next line is 10 ems (more than 4.5 short: no indent) and ends a sentence
    # (no heading); a third of the column would stand alone, half of it is the
    # documented ambiguous case, read as one paragraph.
    assert paragraph_breaks(column(18, 20, 20, (20, "。"), (10, "。"), 18, 20, (5, "。")))[3] is False


def test_a_short_last_line_before_an_indented_one_needs_just_one_line_after_it():
    assert paragraph_breaks(column(18, 20, 20, (18, "。"), 18, 20)) == [False, False, False, True, False, True]


def test_a_next_line_three_and_a_half_ems_short_is_no_indent_under_a_heading():
    # A first line 3 ems short, then one 3.5 ems short: not an indented body (that is
    # 1.5 to 3 ems short), so the short first line is no heading.
    assert paragraph_breaks(column(20, 20, 20, (20, "。"), 17, 16.5, 20, 20, (5, "。")))[4] is False


def test_a_heading_is_three_ems_shorter_than_the_next_line():
    # 5 ems short of the column, 3.5 shorter than the next line (which is no indent:
    # the line after it is not 1.5 wider): a heading.
    assert paragraph_breaks(column(20, 20, 20, (20, "。"), 15, 18.5, 19.5, 20, (5, "。")))[4] is True


def test_a_numbered_heading_may_be_nearly_as_wide_as_the_indented_line_after_it():
    lines = column(20, 20, 20, (20, "。"), 18, 18, 19, 20, (5, "。"))
    lines[4] = Line(5, "一、" + han(16, start=40))
    assert paragraph_breaks(lines)[4] is True
    # Without its number, a line that wide is text going on.
    lines[4] = Line(5, han(18, start=40))
    assert paragraph_breaks(lines)[4] is False


def test_a_heading_among_short_paragraphs_is_measured_against_the_full_lines_further_away():
    # Near the 15-em line the lines are short one-line paragraphs; the column
    # (20) is seen further away, and the next line is indented against it.
    breaks = paragraph_breaks(column(20, 20, (20, "。"), (6, "。"), (6, "。"), 15, 18, 19.5, (6, "。"), (6, "。"),
                                     20, (20, "。")))
    assert breaks[5] is True and breaks[6] is False


def test_vertical_lines_stand_apart():
    lines = [Line(1, han(18)), Line(2, "春夏秋冬", vertical=True), Line(3, han(20, start=3)), Line(4, han(5, "。"))]
    assert paragraph_breaks(lines) == [True, True, False, True]


def test_an_editor_decision_wins_both_ways():
    lines = column(18, 20, 20, 20, (7, "。"))
    assert paragraph_breaks(lines) == [False, False, False, False, True]
    assert paragraph_breaks(lines, force={2: True}) == [False, True, False, False, True]
    lines = column(18, 20, 20, (20, "。"), 18, 20, 20, (7, "。"))
    assert paragraph_breaks(lines)[3] is True
    assert paragraph_breaks(lines, force={4: False})[3] is False


def test_joined_lines_glue_latin_words_with_one_space():
    paras, changes = join_wrapped_lines(lines_of("使用Power", "Grid系统和110", "kV线路，共计", "2023年。"))
    assert [p.text for p in paras] == ["使用Power Grid系统和110 kV线路，共计2023年。"]
    assert changes[0].source_line == 1 and isinstance(paras[0], Paragraph) and paras[0].last == 4
    paras, changes = join_wrapped_lines(lines_of("一句话。"))
    assert [p.text for p in paras] == ["一句话。"] and not changes          # one line: nothing joined


# ---------------------------------------------------------------- spaces and punctuation


@pytest.mark.parametrize("raw,clean", [
    ("从 2021年 开始", "从2021年开始"),
    ("为 行 动", "为行动"),
    ("Power   Grid 系统", "Power Grid系统"),
    ("  前后的空格  ", "前后的空格"),
    ("中 ，文", "中，文"),
    ("110 kV", "110 kV"),
    ("“ 好 ”", "“好”"),
])
def test_strip_cjk_spaces(raw, clean):
    assert strip_cjk_spaces(raw) == clean


@pytest.mark.parametrize("raw,clean", [
    ("你好!", "你好！"), ("你好?", "你好？"), ("如下:", "如下："), ("一;二", "一；二"), ("一,二", "一，二"),
    ("Hi, 你好", "Hi, 你好"),          # after Latin: left alone
    ("第一,2", "第一,2"),              # before a digit: a number
    (",开头", ",开头"),                # nothing before it
    ("好)!", "好)!"),                  # after a closing bracket, not a Han character
])
def test_normalize_cjk_punct(raw, clean):
    assert normalize_cjk_punct(raw) == clean


def test_text_rules_are_recorded_in_order():
    para = Paragraph("中 文,好", (Line(7, "中 文,好"),))
    new, changes = clean_paragraph_text(para)
    assert new.text == "中文，好"
    assert [(c.rule, c.source_line, c.before, c.after) for c in changes] == [
        ("strip_cjk_spaces", 7, "中 文,好", "中文,好"), ("normalize_cjk_punct", 7, "中文,好", "中文，好")]
    same, none = clean_paragraph_text(Paragraph("中文。", (Line(1, "中文。"),)))
    assert same.text == "中文。" and none == []


def test_clean_text_drops_vertical_titles_from_body_text():
    out = clean_text("正文第一句。\n\n春\n夏\n秋\n\n正文第二句。")
    assert "春" not in out and "正文第一句。" in out and "正文第二句。" in out
