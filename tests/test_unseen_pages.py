"""Pages of a booklet the layouts were not drawn on: a long cover title
without spaces, a contents page with units after a section's units, an
article under a vertical title with its byline, a long group name over a
roster, an editor's note with a long label. Read back from the PDF."""

from __future__ import annotations

import pdfplumber
import pytest

from booklet.build import build
from booklet.pdf.audit import audit_pdf
from projects import write_project

# 25 glyphs without a space: 8 per column would end on a column of one...
# more than four columns, so the cover lengthens them (7+6+6+6).
COVER_TITLE = "热烈庆祝全区环卫工人节暨城市美容师表彰大会胜利召开"
GROUP = "全区优秀城市美容师和环卫标兵"        # 14 glyphs: two columns over the roster
NOTE_LABEL = "编辑部的几句心里话"                # 9 glyphs: a label of two columns
ARTICLE_TITLE = "扫帚丈量街巷 汗水浇灌文明"
PARA = ("清晨四点，街巷还在沉睡，环卫工人已经推着保洁车出发了。他们用扫帚丈量城市的每一寸土地，"
        "用汗水守护市民的每一天。寒来暑往，风雨无阻，平凡的岗位上写着不平凡的坚守。")

NOTE = "本期特辑记下了环卫工人的日常与心声，感谢每一位为城市整洁付出辛劳的劳动者，也感谢读者一直以来的支持。"

PEOPLE = [{"id": f"p{i}", "name": name, "group": GROUP, "affiliation": "城东环卫所", "post": post}
          for i, (name, post) in enumerate([("卢晓川", "班长"), ("韦丹", "保洁员"), ("司马青", "机扫车司机")])]


def units():
    # entries in no section first, speeches with their authors; then two
    # sections, each heading right under the last entry before it
    return [
        ("01-news", {"kind": "news", "title": "全区环卫工人节表彰大会召开"}, PARA + "\n"),
        ("02-speech", {"kind": "speech", "title": "在全区环卫工人节表彰大会上的讲话", "author": "孔令伟"}, PARA + "\n"),
        ("02-news", {"kind": "news", "title": "一线环卫工人代表座谈会举行"}, PARA + "\n"),
        ("02-news-z", {"kind": "news", "title": "全区开展环卫工人健康体检"}, PARA + "\n"),
        ("02-speech-b", {"kind": "speech", "title": "在表彰会上的发言", "author": "司徒雯雯"}, PARA + "\n"),
        ("02-news-a", {"kind": "news", "title": "区领导走访慰问一线职工", "section": "要闻"}, PARA + "\n"),
        ("02-news-b", {"kind": "news", "title": "环卫驿站温暖户外劳动者", "section": "要闻"}, PARA + "\n"),
        ("02-news-c", {"kind": "news", "title": "机械化清扫覆盖主次干道", "section": "基层"}, PARA + "\n"),
        ("03-article", {"kind": "article", "title": ARTICLE_TITLE, "vertical_title": True,
                        "author": "钟明远", "affiliation": "城西环卫所"}, "\n\n".join([PARA] * 4) + "\n"),
        ("04-roster", {"kind": "roster", "title": GROUP, "group": GROUP, "vertical_title": True,
                       "section": "光荣榜"}, ""),
        ("05-note", {"kind": "editors-note", "title": NOTE_LABEL, "vertical_title": True}, NOTE + "\n"),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("unseen") / "p", units=units(), honourees=PEOPLE,
                         config={"title": COVER_TITLE})
    build(root)
    pdf = root / "output" / "booklet-digital.pdf"
    with pdfplumber.open(pdf) as doc:
        pages = [(p.extract_text() or "", [c for c in p.chars if c["text"].strip()],
                  [(r["x0"] + r["x1"]) / 2 for r in p.lines + p.rects                  # vertical rules
                   if r["x1"] - r["x0"] < 2 and r["bottom"] - r["top"] > 20]) for p in doc.pages]
    return root, pdf, pages


def page_with(pages, *needles):
    for i, (text, chars, _) in enumerate(pages):
        if all(n in text.replace(" ", "").replace("\n", "") for n in needles):
            return i, chars
    raise AssertionError(f"{needles} not found")


def columns_of(chars):
    """Vertical columns (x of their centre → glyphs top to bottom)."""
    cols: dict[int, list] = {}
    for c in sorted(chars, key=lambda c: c["top"]):
        cols.setdefault(round((c["x0"] + c["x1"]) / 2), []).append(c)
    return [cols[x] for x in sorted(cols, reverse=True)]


def overlap(a, b) -> bool:
    return a["x0"] < b["x1"] - 0.5 and b["x0"] < a["x1"] - 0.5 and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5


def test_cover_title_columns_are_balanced(built):
    _, _, pages = built
    chars = pages[0][1]
    size = max(c["size"] for c in chars)
    title = [c for c in chars if abs(c["size"] - size) < 0.1]
    lengths = [len(col) for col in columns_of(title)]
    assert "".join(c["text"] for col in columns_of(title) for c in col) == COVER_TITLE
    assert len(lengths) <= 4                               # beside the photo
    assert max(lengths) - min(lengths) <= 1, lengths       # no short last column


def test_units_without_a_section_are_set_apart_from_the_last_section(built):
    _, _, pages = built
    _, chars = page_with(pages, "目录")
    rows: dict[int, str] = {}
    for c in sorted(chars, key=lambda c: c["x0"]):
        rows[round(c["top"])] = rows.get(round(c["top"]), "") + c["text"]
    tops = sorted(rows)
    top_of = {key: next(t for t in tops if key in rows[t]) for key in ("光荣榜", GROUP[:6], NOTE_LABEL[:6])}
    step = top_of[GROUP[:6]] - top_of["光荣榜"]           # a section's heading above its entry
    gap = top_of[NOTE_LABEL[:6]] - top_of[GROUP[:6]]        # the next entry, in no section
    assert gap >= 2 * step - 1, (step, gap)


def test_vertical_title_keeps_its_byline_and_the_text_wraps_round_it(built):
    _, _, pages = built
    _, chars = page_with(pages, "钟明远", "清晨四点")
    size = max(c["size"] for c in chars)
    title = [c for c in chars if abs(c["size"] - size) < 0.1]
    assert "".join(c["text"] for col in columns_of(title) for c in col) == ARTICLE_TITLE.replace(" ", "")
    others = [c for c in chars if c not in title]
    assert not [(t["text"], o["text"]) for t in title for o in others if overlap(t, o)]
    text = "".join(c["text"] for c in others)
    assert "城西环卫所" in text and "钟明远" in text


def test_roster_list_clears_a_two_column_group_title(built):
    _, _, pages = built
    i, chars = page_with(pages, "司马青")
    rules = pages[i][2]
    size = max(c["size"] for c in chars)
    title = [c for c in chars if abs(c["size"] - size) < 0.1]
    assert len(columns_of(title)) == 2
    top, bottom = min(t["top"] for t in title), max(t["bottom"] for t in title)
    names = [c for c in chars if c not in title and top - 1 < c["top"] < bottom]   # the rows beside it
    assert names and len(rules) == 1          # the band's rule between the list and the title
    assert max(c["x1"] for c in names) < rules[0] < min(t["x0"] for t in title)


def test_editors_note_text_clears_a_two_column_label(built):
    _, _, pages = built
    _, chars = page_with(pages, NOTE[:8])
    label = [c for c in chars if c["text"] in NOTE_LABEL and c["size"] > 12]
    assert len(columns_of(label)) == 2
    body = [c for c in chars if c["size"] < 12 and c["top"] < max(t["bottom"] for t in label)]
    assert body and not [(t["text"], o["text"]) for t in label for o in body if overlap(t, o)]



def test_audit_is_clean(built):
    root, _, _ = built
    from booklet.cli import _audit_margins
    pdf = root / "output" / "booklet-print.pdf"
    report = audit_pdf(pdf, margins=_audit_margins(root, pdf))
    assert report.issues == []
    assert report.justified_lines_checked > 10
