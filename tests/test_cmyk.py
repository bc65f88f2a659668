"""The press-ready print edition: inks, output intent, images, preflight, --final.

Everything is read from the PDFs: content streams parsed with pikepdf (an
independent walk, not booklet's preflight), the output intent's profile
bytes, and ink plates rendered by Ghostscript (tiffsep).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from booklet.colours import ColourPolicy, converter, limit_image_ink, policy_from_config, shipped_profile
from booklet.config import load_config, parse_config
from booklet.errors import BookletError
from booklet.pdf.colour import to_print_colours
from booklet.pdf.editions import make_print_edition
from booklet.pdf.preflight import preflight

import pdfread
from conftest import ROOT, copy_project
from test_print import render, tiny_cfg, tiny_html

GS = shutil.which("gs")


# ---------------------------------------------------------------------------
# Reading colours from a PDF, independently of booklet.

def _num(v) -> float:
    return float(v) if isinstance(v, (int, float, Decimal)) else float("nan")


def streams(pdf: pikepdf.Pdf):
    """(owner label, stream object or page) for every content stream: pages, forms, patterns, soft masks."""
    seen = set()
    out = []

    def resources(res, label):
        if res is None or (res.objgen != (0, 0) and res.objgen in seen):
            return
        seen.add(res.objgen)
        for _, x in (res.get("/XObject") or {}).items():
            if x.get("/Subtype") == pikepdf.Name.Form and x.objgen not in seen:
                seen.add(x.objgen)
                out.append((f"{label} form", x))
                resources(x.get("/Resources"), label)
        for _, p in (res.get("/Pattern") or {}).items():
            if int(p.get("/PatternType", 0)) == 1 and p.objgen not in seen:
                seen.add(p.objgen)
                out.append((f"{label} pattern", p))
                resources(p.get("/Resources"), label)
        for _, gs in (res.get("/ExtGState") or {}).items():
            mask = gs.get("/SMask")
            if isinstance(mask, pikepdf.Dictionary) and mask.G.objgen not in seen:
                seen.add(mask.G.objgen)
                out.append((f"{label} soft mask", mask.G))
                resources(mask.G.get("/Resources"), label)

    for i, page in enumerate(pdf.pages, 1):
        out.append((f"page {i}", page))
        resources(page.obj.get("/Resources"), f"page {i}")
    return out


def device_rgb_anywhere(pdf: pikepdf.Pdf) -> list[str]:
    """Every use of RGB: rg/RG operators, RGB colour spaces in any object."""
    found = []
    for label, owner in streams(pdf):
        for ins in pikepdf.parse_content_stream(owner):
            op = str(ins.operator)
            if op in ("rg", "RG") or (op in ("cs", "CS") and str(ins.operands[0]) == "/DeviceRGB"):
                found.append(f"{label}: {op}")
    def is_rgb(cs) -> bool:
        if isinstance(cs, pikepdf.Name):
            return str(cs) in ("/DeviceRGB", "/RGB")
        return isinstance(cs, pikepdf.Array) and len(cs) > 0 and (
            str(cs[0]) == "/CalRGB" or (str(cs[0]) == "/ICCBased" and int(cs[1].get("/N", 0)) == 3)
            or (str(cs[0]) == "/Indexed" and is_rgb(cs[1])))

    def visit(obj, where, depth=0):
        if depth > 12:
            return
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in obj.keys():
                value = obj.get(key)
                if key in ("/ColorSpace", "/CS"):
                    spaces = list(value.values()) if isinstance(value, pikepdf.Dictionary) else [value]
                    found.extend(f"{where}: {key} {v}" for v in spaces if is_rgb(v))
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    visit(value, where, depth + 1)
        elif isinstance(obj, pikepdf.Array):
            for value in obj:
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    visit(value, where, depth + 1)

    for obj in pdf.objects:
        visit(obj, f"object {obj.objgen}")
    return found


def page_body_and_marks(page: pikepdf.Page):
    """The page's own content and, after the clip that booklet wraps it in, the printer's marks."""
    body, marks, depth, done = [], [], 0, False
    for ins in pikepdf.parse_content_stream(page):
        (marks if done else body).append(ins)
        op = str(ins.operator)
        if op == "q":
            depth += 1
        elif op == "Q":
            depth -= 1
            if depth == 0:
                done = True
    return body, marks


def cmyk_colours(instrs) -> list[tuple[float, ...]]:
    return [tuple(_num(v) for v in i.operands) for i in instrs if str(i.operator) in ("k", "K")]


def text_fills(page: pikepdf.Page) -> list[tuple[float, str, tuple]]:
    """(font size in pt, font name, fill operator and operands) of every text show on the page."""
    out, fill, size, scale, ctm, stack, font = [], None, 0.0, 1.0, 1.0, [], ""
    fonts = page.obj.Resources.get("/Font", {})
    for ins in pikepdf.parse_content_stream(page):
        op = str(ins.operator)
        if op == "q":
            stack.append((fill, ctm))
        elif op == "Q" and stack:
            fill, ctm = stack.pop()
        elif op == "cm":
            a, b, c, d = (_num(v) for v in ins.operands[:4])
            ctm *= abs(a * d - b * c) ** 0.5
        elif op in ("k", "g", "rg"):
            fill = (op,) + tuple(_num(v) for v in ins.operands)
        elif op == "Tf":
            size = _num(ins.operands[1])
            f = fonts.get(str(ins.operands[0]))
            font = str(f.get("/BaseFont", "")) if f is not None else ""
        elif op == "Tm":
            scale = abs(_num(ins.operands[3]))
        elif op in ("TJ", "Tj"):
            out.append((round(size * scale * ctm, 2), font, fill))
    return out


# ---------------------------------------------------------------------------
# booklet.yaml: colours by role.

def cfg_from(text: str, tmp_path: Path):
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "a.md").write_text("---\nkind: news\n---\n", "utf-8")
    return parse_config("title: x\nunits: [content/a.md]\n" + text, tmp_path / "booklet.yaml")


def test_colour_roles_take_screen_print_or_both(tmp_path):
    cfg = cfg_from('colours:\n  accent: {screen: "#1f5fb2", print: 90/60/0/0}\n  muted: "#777"\n'
                   '  gold: {print: "0 20 60 15"}\n  text: "0 0 0 100"\n', tmp_path)
    assert cfg.colours["accent"].screen == "#1f5fb2" and cfg.colours["accent"].print == (0.9, 0.6, 0, 0)
    assert cfg.colours["muted"].screen == "#777" and cfg.colours["muted"].print is None
    assert cfg.colours["gold"].screen == "" and cfg.colours["gold"].print == (0, 0.2, 0.6, 0.15)
    assert cfg.colours["text"].print == (0, 0, 0, 1)
    assert cfg.colours["rule"].print == (0, 0, 0, 0.25)           # defaults stay for the roles not given
    from booklet.colours import screen_colours
    screen = screen_colours(cfg)
    assert screen["accent"] == "#1f5fb2" and screen["muted"] == "#777777"
    r, g, b = (int(screen["gold"][i:i + 2], 16) for i in (1, 3, 5))
    assert r > g > b                                                # a gold, derived through the profile
    policy = policy_from_config(cfg)
    conv = converter(policy)
    assert conv.rgb(0x1f / 255, 0x5f / 255, 0xb2 / 255) == ((0.9, 0.6, 0, 0), "role:accent")
    assert conv.rgb(r / 255, g / 255, b / 255) == ((0, 0.2, 0.6, 0.15), "role:gold")


@pytest.mark.parametrize("text, message", [
    ('colours:\n  accent: {print: "0 95 90"}\n', r"line 4.*colours.accent.print '0 95 90' is not a CMYK mix"),
    ('colours:\n  accent: {screen: red}\n', r"line 4.*colours.accent 'red' is not a screen colour"),
    ('colours:\n  Accent-2: "#fff"\n', r"line 4.*'Accent-2' is not a name stylesheets can use"),
    ('output:\n  pdf_variant: pdf/x-5\n', r"line 4.*pdf/x-5.*is not one booklet writes"),
    ('output:\n  ink_limit: 500\n', r"line 4.*ink_limit must be between 200 and 400"),
])
def test_colour_and_output_mistakes_name_the_line(tmp_path, text, message):
    with pytest.raises(BookletError, match=message):
        cfg_from(text, tmp_path)


def test_roles_the_press_cannot_print_or_tell_apart(tmp_path):
    cfg = cfg_from('colours:\n  accent: {screen: "#b2201f", print: "100 100 100 20"}\n', tmp_path)
    with pytest.raises(BookletError, match=r"line 4.*320 % ink.*more than the 300 %"):
        policy_from_config(cfg)
    cfg = cfg_from('colours:\n  muted: {screen: "#1a1a1a", print: "0 0 0 80"}\n', tmp_path)
    with pytest.raises(BookletError, match="colours.text and colours.muted have the same screen colour #1a1a1a"):
        policy_from_config(cfg)


def test_none_variant_is_a_plain_pdf(tmp_path):
    assert cfg_from("output:\n  pdf_variant: none\n", tmp_path).output.pdf_variant == ""
    assert cfg_from("", tmp_path).output.pdf_variant == "pdf/x-4"


# ---------------------------------------------------------------------------
# Conversions.

def test_greys_become_black_ink_alone_and_colours_stay_within_the_ink_limit():
    profile = shipped_profile()
    import hashlib
    sha = hashlib.sha256(profile.read_bytes()).hexdigest()
    conv = converter(ColourPolicy(str(profile), sha))
    tints = [conv.rgb(v, v, v)[0] for v in (0.0, 0.1, 0.42, 0.73, 0.93, 1.0)]
    assert all(c[:3] == (0, 0, 0) for c in tints)
    ks = [c[3] for c in tints]
    assert ks[0] == ks[1] == 1 and ks[-1] == 0 and ks == sorted(ks, reverse=True)
    assert conv.rgb(0.1, 0.1, 0.1)[1] == "neutral"
    deep = conv.rgb(30 / 255, 10 / 255, 60 / 255)[0]              # a deep violet: ~293 % through the profile
    assert sum(deep) > 2.4
    tight = converter(ColourPolicy(str(profile), sha, ink_limit=2.4))
    limited = tight.rgb(30 / 255, 10 / 255, 60 / 255)[0]
    assert sum(limited) <= 2.4 + 1e-3 and limited[3] == deep[3]  # black stays, C, M, Y give way


def test_image_ink_is_limited_pixel_by_pixel():
    from PIL import Image, ImageMath
    im = Image.new("CMYK", (40, 10), (255, 255, 255, 255))        # 400 %
    im.paste((200, 150, 150, 230), (20, 0, 40, 10))                # 288 %: under 300 %, left alone
    out = limit_image_ink(im, 3.0)
    c, m, y, k = out.split()
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k)
    assert total.getextrema()[1] <= 765
    assert out.getpixel((5, 5))[3] == 255 and out.getpixel((30, 5)) == (200, 150, 150, 230)


def hand_made_pdf() -> bytes:
    """RGB and gray the way other writers use them: named colour spaces, forms, gradients, soft masks."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(200, 200))
    form = pdf.make_stream(b"1 0 0 RG 0 0 m 50 50 l S 0.5 g 0 0 20 20 re f",
                           Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 100, 100],
                           Group=pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB))
    mask = pdf.make_stream(b"0.2 0.4 0.6 rg 0 0 200 200 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=[0, 0, 200, 200],
                           Group=pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB))
    fn = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0.7, 0.1, 0.1], C1=[0.96, 0.94, 0.89], N=1)
    shading = pdf.make_indirect(pikepdf.Dictionary(ShadingType=2, ColorSpace=pikepdf.Name.DeviceRGB,
                                                   Coords=[0, 0, 200, 0], Function=fn))
    page.Resources = pikepdf.Dictionary(
        ColorSpace=pikepdf.Dictionary(CS0=pikepdf.Name.DeviceRGB),
        XObject=pikepdf.Dictionary(F0=form),
        Shading=pikepdf.Dictionary(Sh0=shading),
        ExtGState=pikepdf.Dictionary(M0=pikepdf.Dictionary(
            Type=pikepdf.Name.ExtGState,
            SMask=pikepdf.Dictionary(Type=pikepdf.Name.Mask, S=pikepdf.Name.Luminosity, G=mask, BC=[0, 0, 0]))))
    page.Contents = pdf.make_stream(b"q /M0 gs /CS0 cs 0.1 0.1 0.1 sc 10 10 50 50 re f Q "
                                    b"q /Sh0 sh Q q 0.698 0.125 0.122 RG 2 w 0 100 m 200 100 l S Q /F0 Do")
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_every_colour_of_a_hand_made_pdf_goes_to_inks(tmp_path):
    cfg = tiny_cfg(tmp_path)
    with pikepdf.open(io.BytesIO(hand_made_pdf())) as pdf:
        assert len(device_rgb_anywhere(pdf)) >= 5
        report = to_print_colours(pdf, policy_from_config(cfg))
        assert device_rgb_anywhere(pdf) == []
        page = pdf.pages[0]
        ops = [(str(i.operator), [_num(v) for v in i.operands]) for i in pikepdf.parse_content_stream(page)]
        assert ("cs", [float("nan")]) not in ops and ("sc", [0, 0, 0, 1]) in ops        # rich grey → black ink
        accent = next(v for op, v in ops if op == "K")
        assert accent == [0, 0.95, 0.9, 0.1]                       # #b2201f is the accent role: its own inks
        form = page.Resources.XObject.F0
        form_ops = {str(i.operator): [_num(v) for v in i.operands] for i in pikepdf.parse_content_stream(form)}
        assert form_ops["k"] == [0, 0, 0, pytest.approx(0.5)]     # DeviceGray: k = 1 - gray
        assert sum(form_ops["K"]) <= 3 and form_ops["K"][1] > 0.9  # pure red through the profile
        assert form.Group.CS == pikepdf.Name.DeviceCMYK
        sh = page.Resources.Shading.Sh0
        assert sh.ColorSpace == pikepdf.Name.DeviceCMYK and len(sh.Function.C0) == len(sh.Function.C1) == 4
        mask = page.Resources.ExtGState.M0.SMask
        assert mask.G.Group.CS == pikepdf.Name.DeviceGray and list(mask.BC) == [0]
        (gray,) = [i for i in pikepdf.parse_content_stream(mask.G) if str(i.operator) == "g"]
        assert _num(gray.operands[0]) == pytest.approx(0.3 * 0.2 + 0.59 * 0.4 + 0.11 * 0.6, abs=1e-3)
    assert "#ff0000" in report.direct and report.roles == {"accent", "text"}   # 0.1 0.1 0.1 is #1a1a1a, the text
    assert any(n.startswith("colour #ff0000 is named directly in a stylesheet") for n in report.notes())


# ---------------------------------------------------------------------------
# A page of our own through WeasyPrint: layout colours, gradients, opacity, photos.

def test_a_designed_page_has_no_rgb_left_and_its_photo_is_cmyk(tmp_path):
    from PIL import Image
    Image.merge("RGB", [Image.linear_gradient("L").resize((1800, 1200)).rotate(r) for r in (0, 90, 180)]).save(
        tmp_path / "wide.jpg", quality=90)
    body = ('<div style="background: linear-gradient(90deg, #b2201f, #f6efe3); height: 20mm"></div>'
            '<p style="color: #2a6; border-bottom: 1pt solid #444">绿色</p>'
            '<p style="opacity: .6; background: rgba(20, 80, 200, .5)">半透明</p>'
            '<p style="color: oklch(55% 0.15 150); border-top: 1pt solid lab(40% 0 0)">Lab</p>'
            '<img src="wide.jpg" style="width: 60mm">')
    raw = render(tiny_html(4, body=body), tmp_path, "pdf/x-4")
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert device_rgb_anywhere(pdf)
        assert "/lab-d65 cs" in pdf.pages[0].Contents.read_bytes().decode("latin-1")
    data, report = make_print_edition(raw, tiny_cfg(tmp_path, variant="pdf/x-4"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert device_rgb_anywhere(pdf) == []
        content = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(pdf.pages[0])).decode("latin-1")
        assert "/lab-d65" not in content and "/lab-d50" not in content       # Lab colours went to inks too
        (image,) = [x for _, x in pdf.pages[0].Resources.XObject.items() if x.Subtype == pikepdf.Name.Image]
        assert image.ColorSpace == pikepdf.Name.DeviceCMYK and list(image.Decode) == [1, 0] * 4
        assert int(image.Width) == 709                               # 1,800 px over 60 mm: 762 dpi → 300
    assert report.colour.images_converted == 1 and "#22aa66" in report.colour.direct
    assert any("#22aa66" in w for w in report.warnings) and not any("#444444" in w for w in report.warnings)
    checked = preflight(data, tiny_cfg(tmp_path, variant="pdf/x-4"))
    assert checked.ok, checked.format()


# ---------------------------------------------------------------------------
# The sample's default print edition.

def test_the_sample_print_edition_is_pdfx4_in_inks(built_sample):
    project, result = built_sample
    cfg = load_config(project)
    with pikepdf.open(result.print_pdf) as pdf:
        assert pdf.pdf_version == "1.6"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name("/GTS_PDFX") and int(intent.DestOutputProfile.N) == 4
        assert intent.DestOutputProfile.read_bytes() == shipped_profile().read_bytes()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in pdf.Root.Metadata.read_bytes().decode()
        assert pdf.docinfo.Trapped == pikepdf.Name.False_
        assert device_rgb_anywhere(pdf) == []
        body = 0
        for page in pdf.pages:
            for size, font, fill in text_fills(page):
                if size == cfg.typography.body_size and font.endswith("+booklet-body"):
                    assert fill == ("k", 0, 0, 0, 1)             # body text: black ink alone
                    body += 1
            content, marks = page_body_and_marks(page)
            assert all(sum(c) <= 3.0 for c in cmyk_colours(content))
            assert (1, 1, 1, 1) in cmyk_colours(marks)           # registration marks: every plate, outside the bleed
        assert body > 700                                         # every line of body text


@pytest.mark.skipif(GS is None, reason="Ghostscript not installed")
def test_body_text_is_on_the_black_plate_only(built_sample):
    from booklet.pdf.separations import render_plates
    _, result = built_sample
    pages = pdfread.page_chars(result.print_pdf)
    counts = [(sum(1 for c in chars if abs(c["size"] - 10.5) < 0.05), i) for i, (_, chars) in enumerate(pages, 1)]
    _, number = max(counts)
    bbox, page_chars = pages[number - 1]
    chars = [c for c in page_chars if abs(c["size"] - 10.5) < 0.05 and not c["text"].isspace()]
    x0, top = bbox[0], bbox[1]
    dpi = 100
    plates = render_plates(result.print_pdf, number, dpi)
    f = dpi / 72
    boxes = [(int((c["x0"] - x0) * f), int((c["top"] - top) * f), int((c["x1"] - x0) * f) + 1,
              int((c["bottom"] - top) * f) + 1) for c in chars]
    assert len(boxes) > 300
    inked = sum(1 for b in boxes if plates["Black"].crop(b).getextrema()[1] > 128)
    assert inked > 0.95 * len(boxes)                              # the text is there, on the black plate
    for name in ("Cyan", "Magenta", "Yellow"):
        assert all(plates[name].crop(b).getextrema()[1] == 0 for b in boxes), name
    assert plates["Magenta"].getextrema()[1] == 255               # the page has accent inks elsewhere


@pytest.mark.skipif(GS is None, reason="Ghostscript not installed")
def test_black_text_overprints_the_tint_beneath_it(built_sample):
    """Solid black text must not knock holes into a tinted panel (a halo at any misregistration)."""
    from booklet.pdf.separations import render_plates
    _, result = built_sample
    for number, (bbox, page_chars) in enumerate(pdfread.page_chars(result.print_pdf), 1):
        chars = [c for c in page_chars if "booklet-quote" in c["fontname"] and not c["text"].isspace()
                 and tuple(c["non_stroking_color"] or ()) == (0, 0, 0, 1)]
        if len(chars) > 100:                                      # a testimonial set in its panel
            x0, top = bbox[0], bbox[1]
            break
    dpi = 100
    plates = render_plates(result.print_pdf, number, dpi)
    f = dpi / 72
    boxes = [(int((c["x0"] - x0) * f) + 1, int((c["top"] - top) * f) + 1, int((c["x1"] - x0) * f) - 1,
              int((c["bottom"] - top) * f) - 1) for c in chars]
    inked = sum(1 for b in boxes if plates["Black"].crop(b).getextrema()[1] > 128)
    assert inked > 0.95 * len(boxes)                                              # the text, in black
    for name in ("Magenta", "Yellow"):                                           # the panel's tint, unbroken
        assert all(plates[name].crop(b).getextrema()[0] > 0 for b in boxes), name


def test_only_solid_black_text_overprints():
    """The overprint states wrap runs of `0 0 0 1 k` text and end before anything else is painted."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(200, 200))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))))
    page.obj.Contents = pdf.make_stream(
        b"0.96 0.94 0.89 rg 0 0 200 200 re f "                        # a tinted panel: knocks out as drawn
        b"BT /F1 10 Tf 0 0 0 rg 10 10 Td (black) Tj (more) Tj "     # black text: overprints
        b"0.7 0.1 0.1 rg (red) Tj ET "                               # a colour: knocks out
        b"0 0 0 rg 0 0 5 5 re f "                                    # a black shape: knocks out
        b"0.5 g BT /F1 10 Tf (grey) Tj ET")                          # a tint of black: knocks out
    to_print_colours(pdf, policy_from_config(load_config(ROOT)))
    ops = [(str(i.operator), [str(o) for o in i.operands]) for i in pikepdf.parse_content_stream(page)]
    shown = []
    on = False
    for op, operands in ops:
        if op == "gs" and operands[0] in ("/BkOP", "/BkKO"):
            on = operands[0] == "/BkOP"
        elif op in ("Tj", "f"):
            shown.append((op, operands[0] if operands else "", on))
    assert shown == [("f", "", False), ("Tj", "black", True), ("Tj", "more", True), ("Tj", "red", False),
                     ("f", "", False), ("Tj", "grey", False)]
    states = page.obj.Resources.ExtGState
    assert bool(states.BkOP.op) is True and int(states.BkOP.OPM) == 1 and bool(states.BkKO.op) is False


# ---------------------------------------------------------------------------
# Preflight of someone else's PDF.

def test_a_pdf_from_another_tool_is_refused_one_line_per_problem(tmp_path):
    import weasyprint
    from PIL import Image
    Image.new("RGB", (200, 200), (30, 120, 200)).save(tmp_path / "photo.png")
    html = ('<style>@page { size: A5; margin: 15mm } body { color: rgb(20, 20, 20) }</style>'
            '<h1 style="color: #c00">Annual report</h1><p>Plain body text.</p>'
            '<img src="photo.png" style="width: 60mm">')
    other = tmp_path / "elsewhere" / "other.pdf"
    other.parent.mkdir()
    weasyprint.HTML(string=html, base_url=tmp_path.as_uri() + "/").write_pdf(other)
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "preflight", str(other)],
                          capture_output=True, text=True, cwd=other.parent)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("  ✗ ")]
    for expected in ("no PDF/X version declared", "no output intent", "DeviceRGB colour", "DeviceRGB image",
                     "bleed is smaller than 3 mm", "not a multiple of 4"):
        assert sum(expected in e for e in errors) == 1, (expected, proc.stdout)
    assert len(errors) == 6 and "result: FAILED (6 error(s)" in proc.stdout
    assert "  ! page 1: image 200×200 px placed at 60×60 mm is 85 dpi (below 300 dpi; it will print soft)" \
        in proc.stdout.splitlines()


# ---------------------------------------------------------------------------
# --final.

def portrait(seed: int, size=(2400, 3200)):
    """A camera-sized test photo: gradients and noise, a face-coloured oval."""
    from PIL import Image, ImageDraw, ImageFilter
    w, h = size
    r = Image.linear_gradient("L").resize(size)
    g = Image.effect_noise(size, 30 + seed).convert("L").filter(ImageFilter.GaussianBlur(3))
    b = Image.linear_gradient("L").rotate(90 + seed * 30).resize(size)
    im = Image.merge("RGB", (r, g, b))
    ImageDraw.Draw(im).ellipse((w // 4, h // 6, 3 * w // 4, 2 * h // 3), fill=(224, 172, 140))
    return im


def supply_images(project: Path, low: str = "") -> list[str]:
    from booklet.build import check_project
    wanted = [f.src for f in check_project(project).images if f.problem == "missing"]
    made = {}
    for i, src in enumerate(wanted):
        target = project / src
        target.parent.mkdir(exist_ok=True)
        if src == low:
            portrait(9, (300, 400)).save(target, quality=90)
            continue
        key = i % 3
        if key not in made:
            portrait(key).save(target, quality=90)
            made[key] = target
        else:
            shutil.copy(made[key], target)
    return wanted


def test_final_names_a_coarse_photo_once(tmp_path):
    from booklet.build import build
    project = copy_project(tmp_path / "mini")
    supply_images(project, low="images/h02.jpg")
    with pytest.raises(BookletError) as exc:
        build(project, final=True)
    message = str(exc.value)
    assert "not press-ready: 1 problem(s), nothing was written" in message
    assert "images/h02.jpg is 300×400 px, only 141 dpi" in message
    assert not (project / "output" / "booklet-print.pdf").exists()


def test_final_refuses_placeholders_and_passes_with_photos(tmp_path):
    """A `booklet new` project grown to a dozen testimonial pages: a portrait
    on each and a photo in the news, all missing at first (the sample's 36
    take the same path, at twice the build time)."""
    import yaml

    from booklet.scaffold import new_project
    from projects import add_testimonials
    project = new_project(tmp_path / "issue")
    add_testimonials(project, "优秀班组长", 9)
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    portraits = [h["id"] for h in people if h.get("testimonial")]
    pictures = len(portraits) + 1                                   # and the news photo
    assert len(portraits) >= 12
    cli = [sys.executable, "-m", "booklet.cli", "build", "--final", "--no-audit", "-p", str(project)]
    proc = subprocess.run(cli, capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    placeholders = [line for line in proc.stderr.splitlines() if line.strip().startswith("placeholder frame")]
    assert len(placeholders) == pictures and f"{pictures} problem(s), nothing was written" in proc.stderr
    assert any(f"images/{portraits[0]}.jpg" in line and "content/honourees.yaml" in line for line in placeholders)
    assert not (project / "output" / "booklet-print.pdf").exists()
    assert "press-ready" not in proc.stdout

    wanted = supply_images(project)
    assert len(wanted) == pictures
    proc = subprocess.run(cli, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "press-ready: output/booklet-print.pdf is PDF/X-4, output intent Artifex CMYK SWOP Profile" in proc.stdout
    printed = project / "output" / "booklet-print.pdf"
    with pikepdf.open(printed) as pdf:
        from booklet.pdf.preflight import walk_pages
        images = [im for scan in walk_pages(pdf) for im in scan.images]
        assert len(images) == pictures
        assert all(im.colour_space == "cmyk" and 300 <= im.dpi <= 450 for im in images), \
            sorted({(im.colour_space, round(im.dpi)) for im in images})
        assert device_rgb_anywhere(pdf) == []
    photos = sum((project / src).stat().st_size for src in wanted)
    assert printed.stat().st_size < photos, (printed.stat().st_size, photos)   # the originals were 1,129 dpi
    with pikepdf.open(project / "output" / "booklet-digital.pdf") as pdf:
        spaces = {str(x.ColorSpace) for p in pdf.pages for _, x in p.Resources.get("/XObject", {}).items()
                  if x.get("/Subtype") == pikepdf.Name.Image}
        assert spaces == {"/DeviceRGB"}                             # the screen edition keeps sRGB
    if GS is not None:
        from booklet.pdf.separations import render_plates
        with pdfplumber.open(printed) as pdf:
            number = next(i for i, p in enumerate(pdf.pages, 1) if p.images)
        plates = render_plates(printed, number, 40)
        assert all(plates[n].getextrema()[1] > 100 for n in ("Cyan", "Magenta", "Yellow"))   # a photo in four inks


A98 = Path("/usr/share/color/icc/ghostscript/a98.icc")      # Adobe RGB (1998)-compatible, from libgs-common


@pytest.mark.skipif(not A98.is_file(), reason="libgs-common not installed")
def test_a_photo_is_converted_from_its_own_profile(tmp_path):
    from PIL import Image
    green = Image.new("RGB", (600, 600), (40, 200, 60))
    green.save(tmp_path / "srgb.jpg", quality=95)
    green.save(tmp_path / "a98.jpg", quality=95, icc_profile=A98.read_bytes())   # same numbers, wider gamut
    body = '<img src="srgb.jpg" style="width: 40mm"><img src="a98.jpg" style="width: 40mm">'
    raw = render(tiny_html(4, body=body), tmp_path, "pdf/x-4")
    data, report = make_print_edition(raw, tiny_cfg(tmp_path, variant="pdf/x-4"))
    assert report.colour.images_converted == 2 and report.colour.images_resampled == 0   # 381 dpi: kept
    with pikepdf.open(io.BytesIO(data)) as pdf:
        images = [x for _, x in pdf.pages[0].Resources.XObject.items()]
        assert all(x.ColorSpace == pikepdf.Name.DeviceCMYK for x in images)
        inks = sorted(pikepdf.PdfImage(x).as_pil_image().getpixel((300, 300)) for x in images)
    from PIL import ImageCms
    press = ImageCms.getOpenProfile(str(shipped_profile()))
    expected = []
    for source in (ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(A98))):
        t = ImageCms.buildTransform(source, press, "RGB", "CMYK", ImageCms.Intent.PERCEPTUAL,
                                    flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
        expected.append(ImageCms.applyTransform(green.crop((0, 0, 1, 1)), t).getpixel((0, 0)))
    assert max(abs(a - b) for a, b in zip(*expected)) > 20       # the two greens need different inks
    for got, want in zip(inks, sorted(expected)):
        assert max(abs(a - b) for a, b in zip(got, want)) <= 6, (got, want)


def test_check_reports_a_role_the_press_cannot_print(mini):
    config = mini / "booklet.yaml"
    config.write_text(config.read_text("utf-8") + 'colours:\n  accent: {print: "100 100 100 100"}\n', "utf-8")
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "check", "-p", str(mini)], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "colours.accent prints with 400 % ink (100/100/100/100)" in proc.stderr and "booklet.yaml, line 18" in proc.stderr


@pytest.mark.parametrize("variant, version", [("pdf/x-4", "1.6"), ("pdf/x-3", "1.4"), ("pdf/x-1a", "1.4")])
def test_the_print_edition_comes_from_the_tagged_write(tmp_path, variant, version):
    raw = render(tiny_html(4, font=True, body="<p>正文</p>"), tmp_path, "pdf/ua-1")      # the digital edition's write
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert pdf.pdf_version == "1.7" and "/StructTreeRoot" in pdf.Root
    cfg = tiny_cfg(tmp_path, variant=variant)
    data, report = make_print_edition(raw, cfg)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.pdf_version == version
        assert device_rgb_anywhere(pdf) == []
        if version == "1.4":
            fonts = [f.DescendantFonts[0].FontDescriptor.FontFile3.Subtype for _, f in pdf.pages[0].Resources.Font.items()]
            assert set(map(str, fonts)) == {"/CIDFontType0C"}    # no OpenType font programs before PDF 1.6
    checked = preflight(data, cfg)
    assert checked.ok and not checked.warnings, checked.format()
