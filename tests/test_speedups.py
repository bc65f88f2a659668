"""booklet.render.speedups: WeasyPrint's output unchanged, work done once."""

import io
import logging

import pikepdf
import weasyprint

from booklet.render import speedups

HTML = '<html lang="zh"><body><p style="font-family: serif">劳动模范 {n}</p></body></html>'


FONTS = None


def _pdf(n, css=""):
    """A PDF laid out with one font configuration, as booklet keeps one per process."""
    global FONTS
    from weasyprint.text.fonts import FontConfiguration
    FONTS = FONTS or FontConfiguration()
    html = HTML.replace("{n}", str(n)).replace("<body>", f"<head><style>{css}</style></head><body>")
    return weasyprint.HTML(string=html).write_pdf(font_config=FONTS)


def test_font_data_is_copied_once_per_face_and_is_the_face():
    import weasyprint.pdf.fonts as pdf_fonts
    from weasyprint.text.fonts import get_hb_object_data
    speedups.install()
    speedups._FACE_DATA.clear()
    first = _pdf(1)
    kept = dict(speedups._FACE_DATA)
    assert kept                                           # the face's copy is kept
    for face, data in kept.values():
        assert data == get_hb_object_data(face)           # and is the face's data
    second = _pdf(1)
    assert {a: d for a, (_, d) in speedups._FACE_DATA.items()} == {a: d for a, (_, d) in kept.items()}
    assert all(speedups._FACE_DATA[a][1] is d for a, (_, d) in kept.items())   # not copied again
    assert second == first
    # what the PDF embeds is the subset WeasyPrint makes from that data
    with pikepdf.open(io.BytesIO(second)) as pdf:
        fonts = [f for f in pdf.pages[0].Resources.Font.values()]
        assert fonts and all("/DescendantFonts" in f for f in fonts)
    assert pdf_fonts.get_hb_object_data is not get_hb_object_data


def test_a_kept_stylesheet_gives_the_same_pdf_and_warns_each_time(caplog):
    speedups.install()
    css = "p { color: #a33; margin-top: 3mm } p { colour: red }"     # the second rule is a mistake
    speedups._SHEETS.clear()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        first = _pdf(2, css)
        warned_first = [r.getMessage() for r in caplog.records if "colour" in r.getMessage()]
        caplog.clear()
        again = _pdf(2, css)
        warned_again = [r.getMessage() for r in caplog.records if "colour" in r.getMessage()]
    assert any(css in key[0] for key in speedups._SHEETS)            # parsed once, then kept
    assert warned_first and warned_again == warned_first
    assert again == first
    speedups._SHEETS.clear()
    assert _pdf(2, css) == first                                     # what a fresh parse gives
    other = _pdf(2, css.replace("#a33", "#33a"))
    assert other != first
