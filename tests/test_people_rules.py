"""Two decisions of the roster reader (importing/people.py) at their edges,
by example: what a roster line's parenthesis may hold, and what a page
ornament may be made of. The text is our own."""

from __future__ import annotations

import pytest

from booklet.importing.people import ornament_like, parse_roster_line


@pytest.mark.parametrize("line,parsed", [
    ("林晓燕（女，回族） 市第一中学", ("林晓燕", "（女，回族）", "市第一中学")),
    ("周国强（蒙古族） 市供电公司", ("周国强", "（蒙古族）", "市供电公司")),
    ("林晓燕（特级教师） 市第一中学", None),       # a parenthesis of something else: not a roster line
    ("林晓燕（女，特级） 市第一中学", None),       # every part must be a gender or an ethnicity
])
def test_a_roster_lines_parenthesis_holds_gender_and_ethnicity_only(line, parsed):
    assert parse_roster_line(line) == parsed


@pytest.mark.parametrize("text,ornament", [
    ("春风十里", True), ("匠心 筑梦", True),
    ("春风，十里", False), ("ABC", False), ("2023", False), ("劳动·光荣", False), ("光荣—劳动", False), ("", False),
])
def test_ornaments_are_short_words_of_han_characters_only(text, ornament):
    assert ornament_like(text) is ornament
