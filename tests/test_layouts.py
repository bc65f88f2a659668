"""Structure of the booklet as a reader sees it, read back from the PDF."""

import re

import pdfplumber
import pikepdf

from booklet.build import build

PT_PER_MM = 72 / 25.4


def outline(pdf_path):
    """[(level, title, 1-based page)] from the PDF bookmarks."""
    out = []
    with pikepdf.open(pdf_path) as pdf:
        pages = {p.objgen: i + 1 for i, p in enumerate(pdf.pages)}
        with pdf.open_outline() as o:
            def walk(items, level):
                for item in items:
                    dest = item.destination
                    page = pages.get(dest[0].objgen) if dest is not None else None
                    out.append((level, item.title, page))
                    walk(item.children, level + 1)
            walk(o.root, 1)
    return out


def contents_numbers(pdf_path):
    """{entry text: page number} as printed on the contents page."""
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            text = page.extract_text() or ""
            if text.replace(" ", "").startswith("目录"):
                found, pending = {}, ""
                for line in text.splitlines()[1:]:
                    m = re.match(r"^(.*?)[\s·]*(\d+)$", line.strip())
                    if m and "·" in line:
                        found[(pending + m.group(1)).strip()] = int(m.group(2))
                        pending = ""
                    elif len(line.strip()) > 12:      # an entry wrapped onto the next line
                        pending += line.strip()
                return found
    raise AssertionError("no contents page")


def heads(pdf_path):
    """Top-margin text of each page (running head), by page number."""
    result = {}
    with pdfplumber.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages, 1):
            band = page.crop((0, 0, page.width, 20 * PT_PER_MM + 8.5), strict=False)
            result[i] = (band.extract_text() or "").strip()
    return result


def test_contents_page_numbers_are_the_real_ones(built_mini):
    _, result = built_mini
    starts = {title: page for level, title, page in outline(result.digital_pdf) if level == 2}
    printed = contents_numbers(result.digital_pdf)
    assert printed, "contents lists nothing"
    for title, page in printed.items():
        key = next(t for t in starts if title.startswith(t[:12]))
        assert starts[key] == page, (title, page, starts[key])


def test_units_start_where_the_design_says(built_mini):
    _, result = built_mini
    starts = {title: page for level, title, page in outline(result.digital_pdf) if level == 2}
    assert starts["全国劳动模范"] % 2 == 1          # roster opens on a right-hand page
    assert starts["劳模心声"] % 2 == 1              # testimonials too
    sections = [title for level, title, _ in outline(result.digital_pdf) if level == 1]
    assert sections == ["目录", "要闻", "光荣榜", "劳模心声", "学习体会"]


def test_running_heads_show_section_left_and_title_right(built_mini):
    _, result = built_mini
    starts = {title: page for level, title, page in outline(result.digital_pdf) if level == 2}
    h = heads(result.digital_pdf)
    speech = starts["在全国劳动模范和先进工作者表彰大会上的讲话"]
    assert speech % 2 == 1 and "在全国劳动模范和先进工作者表彰大会上的讲话" in h[speech]
    news = starts["全国劳动模范和先进工作者表彰大会在京隆重举行"]
    assert news % 2 == 0 and h[news].startswith("要闻")
    # No head or folio on the cover, the blank pages or the back cover.
    with pdfplumber.open(result.digital_pdf) as pdf:
        assert not (pdf.pages[1].extract_text() or "").strip()          # inside front cover
        assert folio(pdf.pages[news - 1], news), "the folio reading cannot find a folio where there is one"
        last = len(pdf.pages)
        assert not folio(pdf.pages[-1], last), f"the back cover shows its page number {last}"


def folio(page, number: int) -> list:
    """Words reading *number* in the band below the text area, where the folio sits."""
    return [w for w in page.extract_words() if w["text"] == str(number) and w["top"] > page.height - 25 * PT_PER_MM]


def test_folios_on_outer_edge(built_mini):
    _, result = built_mini
    with pdfplumber.open(result.digital_pdf) as pdf:
        for n in (4, 5):
            page = pdf.pages[n - 1]
            folio = [c for c in page.chars if c["text"] == str(n) and c["top"] > page.height - 25 * PT_PER_MM]
            assert folio, f"no folio on page {n}"
            x = folio[0]["x0"]
            assert (x < page.width / 3) if n % 2 == 0 else (x > page.width * 2 / 3)


def test_roster_names_and_order(built_mini):
    project, result = built_mini
    import yaml
    names = [h["name"] for h in yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]]
    starts = {title: page for level, title, page in outline(result.digital_pdf) if level == 2}
    with pdfplumber.open(result.digital_pdf) as pdf:
        text = (pdf.pages[starts["全国劳动模范"] - 1].extract_text() or "").replace(" ", "")
    positions = [text.find(n) for n in names]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert "（女，藏族）" in text


def test_every_testimonial_sits_on_its_honourees_page(built_mini):
    project, result = built_mini
    import yaml
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    with pdfplumber.open(result.digital_pdf) as pdf:
        texts = [(p.extract_text() or "").replace(" ", "").replace("\n", "") for p in pdf.pages]
    for person in people:
        first = person["testimonial"].split("，")[0]
        page = next(i for i, t in enumerate(texts) if first in t)
        assert person["name"] in texts[page]


def test_overflow_is_detected_and_warned(mini):
    unit = mini / "content" / "01-news.md"
    unit.write_text(unit.read_text("utf-8") + "\n" + "ABCDEFGHIJ" * 40 + "\n", "utf-8")
    result = build(mini)
    assert any("overflows its frame" in w and "01-news" in w for w in result.warnings), result.warnings


def test_clean_build_has_no_overflow(built_mini):
    _, result = built_mini
    assert not [w for w in result.warnings if "overflows" in w]


def test_a5_reflows_whole_booklet(mini):
    cfg = mini / "booklet.yaml"
    cfg.write_text(cfg.read_text("utf-8").replace("trim: 大16开", "trim: A5")
                   .replace("margins: {top: 20, bottom: 22, inner: 22, outer: 17}", "margins: {top: 15, bottom: 17, inner: 17, outer: 13}"), "utf-8")
    result = build(mini)
    with pikepdf.open(result.print_pdf) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = [float(v) for v in page.obj.TrimBox]
            assert abs((x1 - x0) - 148 * PT_PER_MM) < 0.5 and abs((y1 - y0) - 210 * PT_PER_MM) < 0.5
    assert not [w for w in result.warnings if "overflows" in w], result.warnings
    printed = contents_numbers(result.digital_pdf)
    starts = {title: page for level, title, page in outline(result.digital_pdf) if level == 2}
    for title, page in printed.items():
        key = next(t for t in starts if title.startswith(t[:12]))
        assert starts[key] == page


def test_cover_title_is_set_vertically_right_to_left(built_mini):
    """当好主人翁 / 建功新时代: one character per line, the first column on the right."""
    _, result = built_mini
    with pdfplumber.open(result.print_pdf) as pdf:
        big = [c for c in pdf.pages[0].chars if c["size"] > 20]
    pos = {c["text"]: (c["x0"], c["top"]) for c in big}
    col1, col2 = "当好主人翁", "建功新时代"
    for col in (col1, col2):
        xs = {round(pos[ch][0]) for ch in col}
        assert len(xs) == 1, col                                   # one column
        tops = [pos[ch][1] for ch in col]
        assert tops == sorted(tops)                                 # top to bottom
    assert pos["当"][0] > pos["建"][0]                              # columns run right to left
    assert abs(pos["当"][1] - pos["建"][1]) < 1                     # side by side


def test_a_testimonial_too_long_for_its_page_is_warned(mini):
    import yaml
    path = mini / "content" / "honourees.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    person = data["honourees"][0]
    person["testimonial"] = "\n\n".join(["我们要牢记嘱托，在新时代建功立业，为家乡发展贡献力量。" * 4] * 6)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    result = build(mini)
    assert any(w.startswith(f"testimonial-{person['id']} does not fit on one page") for w in result.warnings), result.warnings


def test_running_heads_and_folios_sit_on_the_outer_text_edges(built_mini):
    """Left pages: section head and folio start at the outer text edge; right
    pages: the unit title and folio end at it; a head is one line, however long
    (the margin boxes are as wide as the text area, not measured from their text)."""
    from booklet.config import load_config
    project, result = built_mini
    cfg = load_config(project)
    outer = cfg.margins.outer * PT_PER_MM
    top_band, bottom_band = cfg.margins.top * PT_PER_MM, cfg.margins.bottom * PT_PER_MM
    seen = {"left": 0, "right": 0}
    with pdfplumber.open(result.digital_pdf) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            head = [c for c in page.chars if c["bottom"] < top_band]
            folio = [c for c in page.chars if c["top"] > page.height - bottom_band]
            if not head or not folio:
                continue
            assert "".join(c["text"] for c in folio) == str(number)
            assert len({round(c["top"], 1) for c in head}) == 1, f"page {number}: the running head wraps"
            for marks in (head, folio):
                if number % 2 == 0:
                    assert abs(min(c["x0"] for c in marks) - outer) < 0.5, number
                else:
                    assert abs(max(c["x1"] for c in marks) - (page.width - outer)) < 0.5, number
            seen["left" if number % 2 == 0 else "right"] += 1
    assert seen["left"] and seen["right"], seen
