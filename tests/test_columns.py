"""typography.columns: bodies in one, two or three columns, read back from the PDF.

One column is the default, and there the body is no column container
(page.css): WeasyPrint lays a column container's every page out two or
three times (to fill, to balance, to place), which cost a quarter of the
sample's layout. So the tests check the geometry a reader sees in both
settings, and that a one-column booklet never enters column layout.
"""

from __future__ import annotations

import pdfplumber
import pytest

from booklet.build import build
from projects import write_project

PARA = ("码头的灯还亮着，装卸队的师傅们已经在泊位上忙碌了一个通宵。二十年来，他们把每一只集装箱都当作"
        "自己的孩子，把每一次吊装都当作第一次，稳稳当当，分毫不差。")
VERTICAL = "潮起港城 筑梦深蓝"
NOTE = "这一期特刊献给港口一线的装卸工人，感谢他们日夜守护航运的脉搏。"


def units():
    return [
        ("01-long", {"kind": "article", "title": "港口装卸队的一个通宵", "author": "于海舟"}, "\n\n".join([PARA] * 60) + "\n"),
        ("02-vertical", {"kind": "article", "title": VERTICAL, "vertical_title": True, "author": "石青禾"},
         "\n\n".join([PARA] * 3) + "\n"),
        ("03-note", {"kind": "editors-note", "title": "编者按"}, NOTE + "\n"),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{columns: [(page text, body-size chars, page width)]} for a booklet in one and in two columns."""
    import weasyprint.layout.block as block
    real, calls = block.columns_layout, {}
    out = {}
    for columns in (1, 2):
        def counted(context, box, *args, _n=columns, **kwargs):
            text = "".join(box.element.itertext()) if box.element is not None else ""
            calls.setdefault(_n, []).append(text.strip()[:8])
            return real(context, box, *args, **kwargs)
        root = write_project(tmp_path_factory.mktemp(f"cols{columns}") / "p", units=units(),
                             config={"typography": {"columns": columns}})
        block.columns_layout = counted
        try:
            build(root)
        finally:
            block.columns_layout = real
        with pdfplumber.open(root / "output" / "booklet-digital.pdf") as pdf:
            out[columns] = [(p.extract_text() or "", [c for c in p.chars if c["text"].strip()], float(p.width))
                            for p in pdf.pages]
    out["calls"] = calls          # columns → the first words of each column container laid out
    return out


def body_pages(pages) -> list[list[dict]]:
    """The body-size characters of each page of the long article (the text's most common size)."""
    found = []
    for text, chars, _ in pages:
        text = "".join(text.split())
        if "装卸队的师傅" in text and "于海舟" not in text:          # the article's pages after its first
            sizes = [round(c["size"], 1) for c in chars]
            size = max(set(sizes), key=sizes.count)
            found.append([c for c in chars if round(c["size"], 1) == size])
    return found


def bands(chars, gap: float) -> list[tuple[float, float]]:
    """Horizontal extents of the text, split where nothing is set for more than *gap*."""
    spans = sorted((c["x0"], c["x1"]) for c in chars)
    out = [list(spans[0])]
    for x0, x1 in spans[1:]:
        if x0 - out[-1][1] > gap:
            out.append([x0, x1])
        else:
            out[-1][1] = max(out[-1][1], x1)
    return [tuple(b) for b in out]


def test_one_column_spans_the_measure_and_is_no_column_container(built):
    pages = body_pages(built[1])
    assert len(pages) >= 2
    for chars in pages:
        size = chars[0]["size"]
        assert len(bands(chars, 1.5 * size)) == 1
    assert PARA[:8] not in built["calls"].get(1, []), "a one-column body was laid out as a column container"


def test_two_columns_with_a_gutter_and_a_balanced_last_page(built):
    pages = body_pages(built[2])
    assert len(pages) >= 2
    for chars in pages:
        size = chars[0]["size"]
        left, right = bands(chars, 1.5 * size)                     # exactly two columns
        assert right[0] - left[1] >= 1.9 * size                     # the 2 em gutter
        assert abs((left[1] - left[0]) - (right[1] - right[0])) < size   # of one width
    last = pages[-1]
    size = last[0]["size"]
    middle = (min(c["x0"] for c in last) + max(c["x1"] for c in last)) / 2
    rows = [len({round(c["top"]) for c in last if (c["x0"] < middle) == side}) for side in (True, False)]
    assert rows[1] and abs(rows[0] - rows[1]) <= 1, rows        # balanced: the columns end within a line
    assert PARA[:8] in built["calls"][2]


def test_a_vertical_title_heads_the_columns_and_floats_beside_one(built):
    for columns in (1, 2):
        for text, chars, _ in built[columns]:
            if "石青禾" in "".join(text.split()) and PARA[:4] in "".join(text.split()):   # not the contents
                size = max(c["size"] for c in chars)
                title = [c for c in chars if abs(c["size"] - size) < 0.1]
                body = [c for c in chars if c["size"] < size - 2]
                assert "".join(c["text"] for c in title).replace(" ", "") != ""
                bottom = max(c["bottom"] for c in title)
                beside = [c for c in body if c["top"] < bottom - 1]
                if columns == 1:
                    assert beside                              # the text wraps round the floated title
                else:
                    assert not beside                          # the title heads the columns
                break
        else:
            pytest.fail(f"no page with the vertical title in {columns} column(s)")


def test_editors_note_text_sits_beside_its_label(built):
    for columns in (1, 2):
        text, chars, _ = next(p for p in built[columns] if NOTE[:6] in "".join(p[0].split()))
        label = [c for c in chars if c["text"] in "编者按" and c["size"] > 12]
        body = [c for c in chars if c["size"] < 12 and c["text"] in NOTE]
        assert label and body
        assert min(c["top"] for c in body) < max(c["bottom"] for c in label)   # beside it, not under it
        assert max(c["x1"] for c in body) < min(c["x0"] for c in label)
