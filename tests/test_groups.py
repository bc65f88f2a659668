"""Groups are data: any number of groups, any names, and people without one."""

from __future__ import annotations

import pdfplumber
import pytest

from booklet.build import build, check_project
from booklet.errors import BookletError
from projects import write_project
from test_layouts import outline

PEOPLE = [
    {"id": "t1", "name": "林晓", "group": "十佳教师", "affiliation": "第一中学", "post": "语文教师",
     "testimonial": "三尺讲台，是我一生的守望。"},
    {"id": "v1", "name": "何东升", "group": "最美志愿者", "affiliation": "社区服务站"},
    {"id": "t2", "name": "郑雨", "gender": "女", "group": "十佳教师", "affiliation": "实验小学", "post": "数学教师",
     "testimonial": "每个孩子都值得被认真对待。"},
    {"id": "r1", "name": "钱伯年", "affiliation": "第二中学", "post": "退休教师",
     "testimonial": "四十年粉笔生涯，桃李满园，此生无憾。"},
    {"id": "t3", "name": "冯可欣", "group": "十佳教师", "affiliation": "第三中学", "post": "物理教师"},
    {"id": "v2", "name": "秦岚", "group": "最美志愿者", "affiliation": "市图书馆"},
    {"id": "r2", "name": "褚明", "affiliation": "教育局", "post": "退休干部"},
]


def units():
    return [
        ("01-roster", {"kind": "roster", "title": "十佳教师", "group": "十佳教师", "section": "光荣榜"}, ""),
        ("02-testimonials", {"kind": "testimonials", "title": "教师心声", "group": "十佳教师", "section": "光荣榜"}, ""),
        ("03-roster", {"kind": "roster", "title": "最美志愿者", "group": "最美志愿者", "section": "光荣榜"}, ""),
        ("04-roster", {"kind": "roster", "title": "光荣退休", "section": "光荣榜"}, ""),
        ("05-testimonials", {"kind": "testimonials", "title": "退休寄语", "section": "光荣榜"}, ""),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = write_project(tmp_path_factory.mktemp("groups") / "p", units=units(), honourees=PEOPLE,
                            config={"ornaments": {"band": "立德树人 潜心育人", "seal": "致敬 师者"}})
    return project, build(project)


def page_texts(pdf_path):
    with pdfplumber.open(pdf_path) as pdf:
        return [(p.extract_text() or "").replace(" ", "").replace("\n", "") for p in pdf.pages]


def names_on(text):
    return [h["name"] for h in sorted(PEOPLE, key=lambda h: text.find(h["name"])) if h["name"] in text]


def test_each_roster_lists_its_group_in_file_order(built):
    _, result = built
    texts = page_texts(result.digital_pdf)
    starts = {title: page for level, title, page in outline(result.digital_pdf) if level == 2}
    roster = {title: texts[starts[title] - 1] for title in ("十佳教师", "最美志愿者", "光荣退休")}
    assert names_on(roster["十佳教师"]) == ["林晓", "郑雨", "冯可欣"]
    assert names_on(roster["最美志愿者"]) == ["何东升", "秦岚"]
    assert names_on(roster["光荣退休"]) == ["钱伯年", "褚明"]        # the people without a group
    assert "郑雨（女）" in roster["十佳教师"]


def test_testimonial_pages_show_the_group_or_none(built):
    _, result = built
    texts = page_texts(result.digital_pdf)
    for person in PEOPLE:
        pages = [t for t in texts if person.get("testimonial", "—") in t]
        if "testimonial" not in person:
            continue
        assert len(pages) == 1, person["name"]
        page = pages[0]
        assert person["name"] in page and person["affiliation"] in page
        assert ("十佳教师" in page) == bool(person.get("group"))
        assert all(w in page for w in ("立德树人", "潜心育人", "致敬", "师者"))    # the ornaments


def test_a_unit_naming_a_group_nobody_is_in_is_one_clear_error(tmp_path):
    bad = units()[:1]
    bad[0][1]["group"] = "十佳老师"
    project = write_project(tmp_path / "p", units=bad, honourees=PEOPLE)
    with pytest.raises(BookletError) as exc:
        check_project(project)
    msg = str(exc.value)
    assert "content/01-roster.md" in msg and "'十佳老师'" in msg and "did you mean '十佳教师'" in msg


def test_a_unit_without_group_needs_people_without_one(tmp_path):
    grouped = [h for h in PEOPLE if h.get("group")]
    project = write_project(tmp_path / "p", units=units()[3:4], honourees=grouped)
    with pytest.raises(BookletError) as exc:
        check_project(project)
    msg = str(exc.value)
    assert "content/04-roster.md" in msg and "no 'group:'" in msg and "十佳教师" in msg


@pytest.mark.parametrize("key,value,expected", [
    ("group", ["十佳教师", "最美志愿者"], "'group' must be a single line of text"),
    ("portrait_focus", "top", "'portrait_focus' must be two percentages"),
    ("portrait_focus", "50% 120%", "'portrait_focus' must be two percentages"),
])
def test_bad_honouree_fields_name_the_line(tmp_path, key, value, expected):
    people = [dict(h) for h in PEOPLE]
    people[2][key] = value
    project = write_project(tmp_path / "p", units=units()[:1], honourees=people)
    with pytest.raises(BookletError) as exc:
        check_project(project)
    lines = (project / "content" / "honourees.yaml").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().startswith(f"{key}:") and i > 10)
    assert expected in str(exc.value) and f"honourees.yaml, line {line}" in str(exc.value), str(exc.value)
