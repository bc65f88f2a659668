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


def test_a_local_font_face_is_linked_not_copied_and_draws_the_same(tmp_path):
    """@font-face from a file: WeasyPrint's folder holds a link to it (the same
    file), never a 15-25 MB copy; what is drawn is what a copy gives."""
    import shutil
    from pathlib import Path

    from weasyprint.text.fonts import FontConfiguration
    font = tmp_path / "face one.ttf"                    # a space: the URL is quoted
    shutil.copyfile(Path(__file__).resolve().parents[1] / "fonts" / "LXGWWenKai-Regular.ttf", font)
    css = f"@font-face {{ font-family: Kai; src: url('{font.as_uri()}') }} p {{ font-family: Kai }}"
    html = f'<html lang="zh"><head><style>{css}</style></head><body><p>劳动模范</p></body></html>'

    def draw():
        config = FontConfiguration()
        pdf = weasyprint.HTML(string=html).write_pdf(font_config=config)
        return pdf, [p for p in config._folder.iterdir()], config

    real = speedups._linked_font_faces
    speedups.install()
    linked, files, keep = draw()
    assert len(files) == 1
    same = files[0].resolve() == font.resolve() or files[0].stat().st_ino == font.stat().st_ino
    assert same and files[0].stat().st_size == font.stat().st_size
    # the same document with WeasyPrint's own copy
    add = FontConfiguration.add_font_face
    FontConfiguration.add_font_face = add.real
    try:
        copied, copies, keep2 = draw()
    finally:
        FontConfiguration.add_font_face = add
    assert copies[0].stat().st_ino != font.stat().st_ino and not copies[0].is_symlink()
    assert copied == linked
    with pikepdf.open(io.BytesIO(linked)) as pdf:
        names = [str(f.BaseFont) for f in pdf.pages[0].Resources.Font.values()]
    assert names and all(n.endswith("+Kai") for n in names), names      # the face of the file, no fallback
    assert real is speedups._linked_font_faces
