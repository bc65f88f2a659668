"""The sample booklet (the whole seed issue) as a reader and an editor see it."""

import pdfplumber
import yaml

import pdfread

from test_layouts import contents_numbers, outline


def page_texts(pdf_path):
    return list(pdfread.page_texts(pdf_path))


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
    """Each kind of page, found in the PDF by what it shows (not by a class
    name, which the stylesheet embedded in booklet.html names anyway)."""
    project, result = built_sample
    cfg = yaml.safe_load((project / "booklet.yaml").read_text("utf-8"))
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    texts = page_texts(result.digital_pdf)
    starts = {t: p for level, t, p in outline(result.digital_pdf) if level == 2}
    squeeze = lambda t: "".join(str(t).split())
    assert squeeze(cfg["publisher"]) in texts[0] and squeeze(cfg["issue"]) in texts[0]          # cover
    assert squeeze(cfg["publisher"]) in texts[-1] and len(texts[-1]) < 200                    # back cover
    assert contents_numbers(result.digital_pdf)                                                # contents
    units = []
    for rel in cfg["units"]:
        _, front, body = (project / rel).read_text("utf-8").split("---", 2)
        units.append((yaml.safe_load(front), body))
    seen_kinds, verticals, figures = set(), 0, 0
    for k, (meta, body) in enumerate(units):
        kind, title = meta["kind"], meta.get("title") or meta.get("group")
        paras = [b.strip() for b in body.split("\n\n") if b.strip() and not b.strip().startswith(("#", "!", ">"))]
        if kind in ("roster", "testimonials"):
            members = [h for h in people if h["group"] == meta["group"] and (kind == "roster" or h.get("testimonial"))]
            first = members[0]["name"] if kind == "roster" else squeeze(members[0]["testimonial"])[:16]
            anchor = [starts[title] - 1]
        elif paras or meta.get("author"):
            first = squeeze(paras[0])[:16] if paras else None
            if title in starts:
                anchor = [starts[title] - 1]
            else:
                # Untitled (a quote repeats a speech): its page is where a stretch
                # of its text that no other unit prints is found.
                others = "".join(squeeze(b) + squeeze(" ".join(map(str, m.values())))
                                 for j, (m, b) in enumerate(units) if j != k)
                own = next(w for t in paras + [meta.get("author", "")] for t in [squeeze(t)]
                           for w in (t[i:i + 16] for i in range(0, max(1, len(t) - 15)))
                           if len(w) >= 8 and w not in others)
                anchor = [i for i, t in enumerate(texts) if own in t]
                assert anchor, (kind, own)
        else:
            first = None
        if first:
            assert any(first in texts[i] + texts[min(i + 1, len(texts) - 1)] for i in anchor), (kind, title, first)
            seen_kinds.add(kind)
        for line in body.splitlines():
            if line.startswith("!["):
                caption = squeeze(line[2:line.index("]")])
                assert any(caption in t for t in texts), caption
                figures += 1
        if meta.get("vertical_title") or kind == "roster":
            page = starts[title]
            assert stacked(result.digital_pdf, page, squeeze(title)[:6]), (title, page)
            verticals += 1
    assert seen_kinds >= {"news", "speech", "article", "quote", "roster", "testimonials", "editors-note"}, seen_kinds
    assert figures and verticals
    assert stacked(result.digital_pdf, 1, squeeze(cfg["title"])[:4])                        # the cover's title


def stacked(pdf_path, page: int, text: str) -> bool:
    """Is *text* set one character under the other (a vertical title) on *page*?"""
    with pdfplumber.open(pdf_path) as pdf:
        chars = pdf.pages[page - 1].chars
    for start in (c for c in chars if c["text"] == text[0]):
        run = [start]
        for ch in text[1:]:
            below = [c for c in chars if c["text"] == ch and abs(c["x0"] - run[-1]["x0"]) < 1
                     and 0 < c["top"] - run[-1]["top"] < 3 * run[-1]["size"]]
            if not below:
                break
            run.append(min(below, key=lambda c: c["top"]))
        if len(run) == len(text):
            return True
    return False


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
    for _, chars in pdfread.page_chars(result.print_pdf):
        for c in chars:
            if c["text"] in "“”‘’":
                widths.setdefault(c["fontname"].split("+")[1], []).append((c["x1"] - c["x0"]) / c["size"])
    assert "booklet-quote-marks" in widths and len(widths["booklet-quote-marks"]) > 50
    assert all(min(w) > 0.95 for w in widths.values()), {f: min(w) for f, w in widths.items()}
