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
