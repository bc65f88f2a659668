"""The sample booklet (the whole seed issue) as a reader and an editor see it."""

import pdfplumber
import yaml

from test_layouts import contents_numbers, outline


def page_texts(pdf_path):
    with pdfplumber.open(pdf_path) as pdf:
        return [(p.extract_text() or "").replace(" ", "").replace("\n", "") for p in pdf.pages]


def test_every_unit_is_in_the_bookmarks_and_starts_where_the_contents_say(built_sample):
    project, result = built_sample
    cfg = yaml.safe_load((project / "booklet.yaml").read_text("utf-8"))
    titled = []
    for rel in cfg["units"]:
        meta = yaml.safe_load((project / rel).read_text("utf-8").split("---")[1])
        if meta.get("title") or meta.get("group"):
            titled.append(meta.get("title") or meta["group"])
    marks = [(title, page) for level, title, page in outline(result.digital_pdf) if level == 2]
    assert [t for t, _ in marks] == titled
    printed = contents_numbers(result.digital_pdf)
    starts = dict(marks)
    assert len(printed) == len(titled)
    for entry, page in printed.items():
        key = max((t for t in starts if t.replace(" ", "")[:20] in entry.replace(" ", "")), key=len)
        assert starts[key] == page, entry


def test_every_page_type_is_present(built_sample):
    project, result = built_sample
    html = (project / "output" / "booklet.html").read_text("utf-8")
    for cls in ("cover", "contents", "unit-news", "unit-speech", "unit-article", "unit-quote", "unit-roster",
                "unit-testimonials", "unit-editors-note", "back-cover", "figure class=\"photo\"", "vertical"):
        assert cls in html, cls


def test_roster_lists_all_35_in_source_order(built_sample):
    project, result = built_sample
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    assert len(people) == 35
    starts = {t: p for level, t, p in outline(result.digital_pdf) if level == 2}
    texts = page_texts(result.digital_pdf)
    for name, count in (("全国劳动模范", 25), ("全国先进工作者", 10)):
        members = [h for h in people if h["group"] == name]
        assert len(members) == count
        page = starts[name] - 1
        text = texts[page] + texts[page + 1]
        positions = [text.find(h["name"]) for h in members]
        assert all(p >= 0 for p in positions), [h["name"] for h, p in zip(members, positions) if p < 0]
        assert positions == sorted(positions)
        for h in members:
            if h.get("gender") or h.get("ethnicity"):
                ann = "（" + "，".join(x for x in (h.get("gender"), h.get("ethnicity")) if x) + "）"
                assert h["name"] + ann in text


def test_every_testimonial_is_on_its_honourees_page(built_sample):
    project, result = built_sample
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    texts = page_texts(result.digital_pdf)
    bodies = {h["name"]: h["testimonial"].replace(" ", "").replace("\n", "") for h in people}
    for h in people:
        mine = bodies[h["name"]]
        # stretches of this testimonial that occur in no other testimonial and on one page only
        unique = [mine[i:i + 16] for i in range(0, len(mine) - 16, 4)
                  if not any(mine[i:i + 16] in b for n, b in bodies.items() if n != h["name"])]
        found = {tuple(i for i, t in enumerate(texts) if w in t) for w in unique}
        pages = next((p for p in found if len(p) == 1), None)
        assert pages, (h["name"], found)
        assert h["name"] in texts[pages[0]] and h["affiliation"][:8] in texts[pages[0]]


def test_no_unit_overflows(built_sample):
    _, result = built_sample
    assert not [w for w in result.warnings if "overflows" in w]
    assert result.pages % 4 == 0


def test_typography_audit_of_the_sample_is_clean(built_sample):
    """clreq, measured from glyph positions: every justified line flush within
    0.5 pt, no forbidden line starts or ends, no lone last-line characters,
    no stranded lines, nothing outside the text area."""
    from booklet.pdf.audit import audit_pdf
    from booklet.cli import _audit_margins
    project, result = built_sample
    report = audit_pdf(result.print_pdf, margins=_audit_margins(project, result.print_pdf), tolerance=0.5)
    assert report.justified_lines_checked > 600
    assert report.issues == [], report.summary_table()


def test_quotation_marks_are_full_width_in_every_face(built_sample):
    # clreq: “ ” ‘ ’ in Chinese text take a full em; LXGW WenKai (the testimonials'
    # face) only has Latin-width ones, so the layouts take them from the body font.
    _, result = built_sample
    widths = {}
    with pdfplumber.open(result.print_pdf) as pdf:
        for page in pdf.pages:
            for c in page.chars:
                if c["text"] in "“”‘’":
                    widths.setdefault(c["fontname"].split("+")[1], []).append((c["x1"] - c["x0"]) / c["size"])
    assert "booklet-quote-marks" in widths and len(widths["booklet-quote-marks"]) > 50
    assert all(min(w) > 0.95 for w in widths.values()), {f: min(w) for f, w in widths.items()}
