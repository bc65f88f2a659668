"""Vertical titles: one glyph per cell, vertical punctuation forms."""

from booklet.render.vertical import vertical_chars, vertical_columns


def test_punctuation_takes_vertical_forms():
    assert vertical_chars("编者按：“劳模”，（一）") == ["编", "者", "按", "\ufe13", "\ufe41", "劳", "模", "\ufe42",
                                                 "\ufe10", "\ufe35", "一", "\ufe36"]
    assert vertical_chars("伟大——复兴……") == ["伟", "大", "\ufe31", "复", "兴", "\ufe19"]


def test_latin_and_digits():
    # up to two digits stay together upright (tate-chu-yoko); longer runs go full width, one per cell
    assert vertical_chars("11月24日") == ["11", "月", "24", "日"]
    assert vertical_chars("2020年") == ["２", "０", "２", "０", "年"]


def test_columns_break_at_spaces_then_evenly():
    assert vertical_columns("当好主人翁 建功新时代") == [list("当好主人翁"), list("建功新时代")]
    cols = vertical_columns("省委省政府高度重视劳模工作", per_column=8)
    assert [len(c) for c in cols] == [7, 6]


def test_columns_are_balanced_and_never_end_on_a_lone_glyph():
    # 10 glyphs at 3 a column: 3+3+2+2, not 3+3+3+1
    assert [len(c) for c in vertical_columns("甲乙丙丁戊己庚辛壬癸", per_column=3)] == [3, 3, 2, 2]
    # 25 glyphs at 8: 7+6+6+6, not 7+7+7+4
    assert [len(c) for c in vertical_columns("天" * 25)] == [7, 6, 6, 6]


def test_columns_lengthen_to_fit_the_room_beside_them():
    # 41 glyphs at 8 a column need 6 columns; at most 4 fit: columns grow (to 11)
    cols = vertical_columns("地" * 41, per_column=8, most=4)
    assert [len(c) for c in cols] == [11, 10, 10, 10]
    # ...but never past half as long again: beyond that, more columns
    assert max(len(c) for c in vertical_columns("地" * 60, per_column=8, most=4)) == 12
