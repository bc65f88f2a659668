"""Preflight: what a print shop's checker would say about a PDF, before it does.

`preflight(path, cfg)` reads a finished PDF (ours or anyone's) and reports
errors (the printer will reject or misprint it), warnings (it will print, but
probably not as intended) and info, one line per problem. What the pages
paint is read by booklet.pdf.scan.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from .scan import DEVICE_RGB, RGB_KINDS, PageScan, _box, walk_pages
from .scan import ImagePlacement, TextShow, scan_page  # noqa: F401 - where callers found them before

MM = 72.0 / 25.4
SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
MIN_DPI = 300
RICH_BLACK_MAX_PT = 12.0
# PDF/X-1a and PDF/X-3 forbid transparency; PDF/X-4 allows it.
NO_TRANSPARENCY = ("pdf/x-1a", "pdf/x-3")


def _vname(variant: str) -> str:
    return {"pdf/x-1a": "PDF/X-1a", "pdf/x-3": "PDF/X-3", "pdf/x-4": "PDF/X-4"}.get(variant, variant.upper())


# ---------------------------------------------------------------------------
# The report.

@dataclass
class Finding:
    level: str                # 'error' | 'warning' | 'info'
    message: str
    pages: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{_pages_label(self.pages)}: {self.message}" if self.pages else self.message


def _pages_label(pages: list[int]) -> str:
    pages = sorted(set(pages))
    if not pages:
        return ""
    runs, start, prev = [], pages[0], pages[0]
    for p in pages[1:] + [None]:
        if p is not None and p == prev + 1:
            prev = p
            continue
        runs.append(f"{start}" if start == prev else f"{start}–{prev}")
        if p is not None:
            start = prev = p
    return ("page " if len(pages) == 1 else "pages ") + ", ".join(runs)


@dataclass
class PreflightReport:
    path: str
    pages: int = 0
    pdf_version: str = ""
    variant: str = ""         # declared PDF/X variant, e.g. 'pdf/x-4', or ''
    findings: list[Finding] = field(default_factory=list)

    def add(self, level: str, message: str, pages: list[int] | None = None) -> None:
        self.findings.append(Finding(level, message, list(pages or [])))

    @property
    def errors(self) -> list[str]:
        return [str(f) for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[str]:
        return [str(f) for f in self.findings if f.level == "warning"]

    @property
    def info(self) -> list[str]:
        return [str(f) for f in self.findings if f.level == "info"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self) -> str:
        head = f"preflight {Path(self.path).name}: {self.pages} page(s), PDF {self.pdf_version}"
        head += f", {_vname(self.variant)}" if self.variant else ", no PDF/X variant declared"
        lines = [head]
        for level, mark, items in (("errors", "✗", self.errors), ("warnings", "!", self.warnings),
                                   ("info", "·", self.info)):
            if items:
                lines.append(f"{level} ({len(items)}):")
                lines.extend(f"  {mark} {m}" for m in items)
        verdict = "OK" if self.ok else "FAILED"
        lines.append(f"result: {verdict} ({len(self.errors)} error(s), {len(self.warnings)} warning(s))")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# The checks.


def _inside(inner, outer, tol=0.01) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def declared_variant(pdf: pikepdf.Pdf) -> str:
    """The PDF/X variant a file claims ('pdf/x-1a', 'pdf/x-3', 'pdf/x-4') or ''."""
    claims = []
    info = pdf.trailer.get("/Info")
    if info is not None and "/GTS_PDFXVersion" in info:
        claims.append(str(info.GTS_PDFXVersion))
    meta = pdf.Root.get("/Metadata")
    if meta is not None:
        try:
            xml = meta.read_bytes().decode("utf-8", "replace")
            claims += re.findall(r"GTS_PDFXVersion>\s*([^<]+?)\s*<", xml)
            claims += re.findall(r'GTS_PDFXVersion="([^"]+)"', xml)
        except pikepdf.PdfError:
            pass
    for claim in claims:
        c = claim.upper()
        if c.startswith("PDF/X-1A"):
            return "pdf/x-1a"
        if c.startswith("PDF/X-3"):
            return "pdf/x-3"
        if c.startswith("PDF/X-4"):
            return "pdf/x-4"
        if c.startswith("PDF/X"):
            return c.lower()
    return ""


def _check_boxes(pdf, report, cfg, bleed_mm) -> None:
    no_trim, no_bleed, bad_nest, short_bleed, sizes = [], [], [], [], {}
    min_bleed = None
    for i, page in enumerate(pdf.pages, 1):
        media = _box(page, "/MediaBox")
        trim = _box(page, "/TrimBox")
        bleed = _box(page, "/BleedBox")
        if trim is None:
            no_trim.append(i)
            continue
        sizes.setdefault((round(trim[2] - trim[0], 1), round(trim[3] - trim[1], 1)), []).append(i)
        if bleed is None:
            no_bleed.append(i)
            bleed = _box(page, "/CropBox") or media
        if media is None or not (_inside(trim, bleed) and _inside(bleed, media)):
            bad_nest.append(i)
            continue
        got = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
        min_bleed = got if min_bleed is None else min(min_bleed, got)
        if got < bleed_mm * MM - 0.05:
            short_bleed.append(i)
    if no_trim:
        report.add("error", "no TrimBox: the printer cannot know where to cut", no_trim)
    if no_bleed:
        report.add("warning", "no BleedBox (defaults to the CropBox)", no_bleed)
    if bad_nest:
        report.add("error", "page boxes are not nested TrimBox ⊆ BleedBox ⊆ MediaBox", bad_nest)
    if short_bleed:
        report.add("error", f"bleed is smaller than {bleed_mm:g} mm (found {min_bleed / MM:.1f} mm)", short_bleed)
    if len(sizes) > 1:
        desc = "; ".join(f"{w / MM:.1f}×{h / MM:.1f} mm on {_pages_label(p)}" for (w, h), p in sizes.items())
        report.add("warning", f"pages have different trim sizes: {desc}")
    elif sizes:
        (w, h), _ = next(iter(sizes.items()))
        report.add("info", f"trim {w / MM:.1f}×{h / MM:.1f} mm, bleed {0 if min_bleed is None else min_bleed / MM:.1f} mm")
        if cfg is not None and (abs(w - cfg.trim.width * MM) > 0.6 or abs(h - cfg.trim.height * MM) > 0.6):
            report.add("error", f"trim is {w / MM:.1f}×{h / MM:.1f} mm but booklet.yaml says "
                                f"{cfg.trim.width:g}×{cfg.trim.height:g} mm")


def _check_fonts(pdf, report, variant) -> None:
    seen = set()
    not_embedded, not_subset, opentype, type3 = set(), set(), set(), set()
    count = 0

    def fonts_in(resources, depth=0):
        if resources is None or depth > 8:
            return
        for _, font in (resources.get("/Font") or {}).items():
            yield font
        for _, xobj in (resources.get("/XObject") or {}).items():
            if xobj.get("/Subtype") == pikepdf.Name.Form:
                yield from fonts_in(xobj.get("/Resources"), depth + 1)

    for page in pdf.pages:
        for font in fonts_in(page.obj.get("/Resources")):
            key = font.objgen
            if key in seen:
                continue
            seen.add(key)
            count += 1
            if font.get("/Subtype") == pikepdf.Name.Type3:
                type3.add(str(font.get("/Name", "Type3")))
                continue
            desc = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            name = str(desc.get("/BaseFont", font.get("/BaseFont", "?"))).lstrip("/")
            fd = desc.get("/FontDescriptor")
            if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                not_embedded.add(name)
                continue
            if not SUBSET_TAG.match(name):
                not_subset.add(name)
            ff3 = fd.get("/FontFile3")
            if ff3 is not None and ff3.get("/Subtype") == pikepdf.Name.OpenType:
                opentype.add(name)
    if not_embedded:
        report.add("error", f"font(s) not embedded: {', '.join(sorted(not_embedded))}")
    if not_subset:
        report.add("warning", f"font(s) embedded whole, not subset: {', '.join(sorted(not_subset))}")
    if opentype and variant in NO_TRANSPARENCY:
        report.add("warning", f"OpenType (FontFile3/OpenType) font programs need PDF 1.6, which {_vname(variant)} "
                              f"does not allow: {', '.join(sorted(opentype))}")
    if type3:
        report.add("info", f"Type 3 font(s): {', '.join(sorted(type3))}")
    report.add("info", f"{count} font(s), {count - len(not_embedded)} embedded, "
                       f"{count - len(not_embedded) - len(not_subset) - len(type3)} subset")


PDFX_MAX_VERSION = {"pdf/x-1a": "1.4", "pdf/x-3": "1.4", "pdf/x-4": "1.6"}


def _check_output_intent(pdf, report, variant, cfg, expected=None) -> None:
    """PDF/X identification and the output intent: which press condition the colours are for."""
    intents = pdf.Root.get("/OutputIntents")
    pdfx = [oi for oi in (intents or []) if oi.get("/S") == pikepdf.Name("/GTS_PDFX")]
    plain_by_choice = cfg is not None and not cfg.output.pdf_variant
    if not variant:
        if not plain_by_choice:
            report.add("error", "no PDF/X version declared (GTS_PDFXVersion): the print shop cannot tell which "
                                "rules the file follows; make it PDF/X-4")
    elif pdf.pdf_version > PDFX_MAX_VERSION.get(variant, "9"):
        report.add("error", f"PDF version {pdf.pdf_version} is above the {PDFX_MAX_VERSION[variant]} that "
                            f"{_vname(variant)} allows")
    if not pdfx:
        if not plain_by_choice:
            report.add("error", "no output intent: the print shop cannot tell which press condition (CMYK profile) "
                                "the colours were made for")
        return
    oi = pdfx[0]
    ident = str(oi.get("/OutputConditionIdentifier", ""))
    condition = str(oi.get("/OutputCondition", "") or oi.get("/Info", "") or ident)
    profile = oi.get("/DestOutputProfile")
    if profile is not None:
        data = profile.read_bytes()
        n = int(profile.get("/N", 0))
        name = _profile_name(data) or condition
        version = f"ICC v{data[8]}.{data[9] >> 4}" if len(data) > 10 else "ICC"
        report.add("info", f"output intent: {name} ({condition if condition != name else ident}), "
                           f"embedded {version} profile, {n} channels, {len(data) // 1024} KB")
        if n != 4:
            report.add("error", f"the output intent profile has {n} channels: a press profile is CMYK")
        if expected is not None and hashlib.sha256(data).hexdigest() != expected.sha256:
            report.add("error", f"the output intent profile is '{name}' but booklet.yaml asks for "
                                f"'{expected.description}' ({expected.path.name})")
    elif variant == "pdf/x-4":
        report.add("error", f"PDF/X-4 output intent '{ident}' has no embedded ICC profile (DestOutputProfile)")
    elif "/RegistryName" in oi:
        report.add("info", f"output intent: '{ident}', a registered characterisation ({oi.RegistryName}), "
                           "no profile embedded")
    else:
        report.add("error", f"output intent '{ident}' has neither a profile nor a RegistryName")
    if not variant:
        return
    info = pdf.trailer.get("/Info")
    trapped = info.get("/Trapped") if info is not None else None
    if trapped not in (pikepdf.Name.True_, pikepdf.Name.False_):
        report.add("error", f"{_vname(variant)} needs /Trapped /True or /False in the document info")
    if variant in NO_TRANSPARENCY and (info is None or "/GTS_PDFXVersion" not in info):
        report.add("error", f"{_vname(variant)} needs GTS_PDFXVersion in the document info")


def _profile_name(data: bytes) -> str:
    try:
        from PIL import ImageCms
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(data))).strip()
    except Exception:  # noqa: BLE001 - a profile we cannot read is named by its intent's strings
        return ""


def _space_label(kind: str) -> str:
    return {"rgb": "DeviceRGB", "cmyk": "DeviceCMYK", "gray": "DeviceGray", "icc-rgb": "ICC-based RGB",
            "icc-cmyk": "ICC-based CMYK", "icc-gray": "ICC-based gray", "lab": "Lab", "spot": "spot colour",
            "calrgb": "CalRGB", "calgray": "CalGray", "indexed-rgb": "indexed DeviceRGB"}.get(kind, kind)


def _check_colour(scans: list[PageScan], report, variant, limit: float) -> None:
    """Colour spaces, text colour and total ink, from what is painted on the pages."""
    used: dict[str, list[int]] = {}
    images: dict[str, list[int]] = {}
    over: dict[str, list] = {}
    for scan in scans:
        for (use, kind, values), inside in scan.paints.items():
            if kind == "pattern":
                continue
            used.setdefault(kind, []).append(scan.page)
            if kind in ("cmyk", "icc-cmyk") and len(values) == 4 and inside and sum(values) > limit + 1e-6:
                entry = over.setdefault(use, [0.0, []])
                entry[0] = max(entry[0], sum(values))
                entry[1].append(scan.page)
        for im in scan.images:
            if im.colour_space != "mask":
                images.setdefault(im.colour_space, []).append(scan.page)
    report.add("info", "colour spaces painted: " + ", ".join(
        f"{_space_label(k)} ({_pages_label(p)})" for k, p in sorted(used.items())))
    if images:
        report.add("info", "image colour spaces: " + ", ".join(
            f"{_space_label(k)} ({_pages_label(p)})" for k, p in sorted(images.items())))
    for kind, pages in sorted(images.items()):
        if kind in DEVICE_RGB:
            report.add("error", f"{_space_label(kind)} image(s): a print file needs CMYK images (or ICC-based ones in "
                                "PDF/X-3 and X-4)", pages)
        elif kind in RGB_KINDS + ("lab",) and variant == "pdf/x-1a":
            report.add("error", f"{_space_label(kind)} image(s) are not allowed in PDF/X-1a", pages)
    for kind, pages in sorted(used.items()):
        if kind in DEVICE_RGB:
            report.add("error", f"{_space_label(kind)} colour: a print file needs CMYK (or ICC-based colour in "
                                "PDF/X-3 and X-4), or every RIP converts it its own way", pages)
        elif kind in RGB_KINDS + ("lab",) and variant == "pdf/x-1a":
            report.add("error", f"{_space_label(kind)} colour is not allowed in PDF/X-1a (CMYK, gray and spot only)",
                       pages)
    for use, (worst, pages) in over.items():
        report.add("error", f"total ink {worst * 100:.0f} % in {'text' if use == 'text' else use + 's'}, above the "
                            f"{limit * 100:.0f} % the press takes", pages)
    _check_text(scans, report)


def _check_text(scans: list[PageScan], report) -> None:
    sizes: dict[float, int] = {}
    for scan in scans:
        for t in scan.text:
            sizes[round(t.size_pt, 1)] = sizes.get(round(t.size_pt, 1), 0) + 1
    if not sizes:
        return
    body = max(sizes, key=sizes.get)
    composite, rich, black = [], [], 0
    for scan in scans:
        for t in scan.text:
            k_only = t.space in ("gray", "icc-gray") or (t.space in ("cmyk", "icc-cmyk") and len(t.colour) == 4
                                                         and not any(t.colour[:3]))
            cmy = t.colour[:3] if t.space in ("cmyk", "icc-cmyk") and len(t.colour) == 4 else ()
            if round(t.size_pt, 1) == body:
                if k_only:
                    black += 1
                elif cmy and _composite_grey(cmy):
                    composite.append(scan.page)
            if cmy and all(v > 0 for v in cmy) and t.colour[3] > 0 and t.size_pt < RICH_BLACK_MAX_PT:
                rich.append(scan.page)
    if composite:
        report.add("error", f"body text ({body:g} pt) is set in a mix of inks: printers need it in black ink alone "
                            "(0/0/0/100), or it blurs at the slightest misregistration", composite)
    if black and not composite:
        report.add("info", f"body text ({body:g} pt) in black ink alone")
    if rich:
        report.add("warning", f"small text (< {RICH_BLACK_MAX_PT:g} pt) in rich black (C, M, Y and K all > 0): "
                              "any misregistration makes it blurry; use K only", rich)


def _composite_grey(cmy) -> bool:
    """Cyan, magenta and yellow in balance: a grey or black made of three or four inks."""
    return min(cmy) > 0.05 and min(cmy) >= 0.5 * max(cmy)


def _image_ink(xobj) -> float | None:
    """The total ink of a CMYK image's heaviest area (on a reduced copy, as a press sees it)."""
    try:
        pil = pikepdf.PdfImage(xobj).as_pil_image()
    except Exception:  # noqa: BLE001 - undecodable images are reported elsewhere
        return None
    if pil.mode != "CMYK":
        return None
    from PIL import Image, ImageMath
    pil.thumbnail((200, 200), Image.BOX)
    c, m, y, k = pil.split()
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=c, m=m, y=y, k=k)
    return total.getextrema()[1] / 255


def _check_images(scans: list[PageScan], report, variant, limit: float, final: bool, max_dpi: float) -> None:
    low: dict[tuple, list[int]] = {}
    high: dict[tuple, list[int]] = {}
    inked: dict = {}
    n_images = 0
    for scan in scans:
        for im in scan.images:
            n_images += 1
            if im.colour_space == "mask":
                continue
            dpi = im.dpi
            w, h = im.size_pt
            key = (im.name, im.pixels, round(dpi), round(w / MM), round(h / MM))
            if dpi < MIN_DPI - 0.5:
                low.setdefault(key, []).append(im.page)
            elif dpi > max_dpi and dpi != float("inf"):
                high.setdefault(key, []).append(im.page)
            if im.image is not None and im.colour_space in ("cmyk", "icc-cmyk") and im.image.objgen not in inked:
                inked[im.image.objgen] = (_image_ink(im.image), im.pixels, im.page)
    for (name, px, dpi, w, h), pages in low.items():
        report.add("error" if final else "warning",
                   f"image {px[0]}×{px[1]} px placed at {w}×{h} mm is {dpi} dpi "
                   f"(below {MIN_DPI} dpi; it will print soft)", pages)
    for (name, px, dpi, w, h), pages in high.items():
        report.add("info", f"image {px[0]}×{px[1]} px placed at {w}×{h} mm is {dpi} dpi: more pixels than a press "
                           f"can print (the file is bigger than it needs to be)", pages)
    for ink, px, page in inked.values():
        # JPEG noise around the heaviest shadows may add a few percent.
        if ink is not None and ink > limit + 0.05:
            report.add("error", f"image {px[0]}×{px[1]} px reaches {ink * 100:.0f} % total ink, above the "
                                f"{limit * 100:.0f} % the press takes", [page])
    if n_images:
        report.add("info", f"{n_images} image placement(s)")


def _check_transparency(scans: list[PageScan], report, variant) -> None:
    transparent = {}
    for scan in scans:
        for why in scan.transparency:
            transparent.setdefault(why, []).append(scan.page)
    for why, pages in transparent.items():
        if variant in NO_TRANSPARENCY:
            report.add("error", f"transparency ({why}) is not allowed in {_vname(variant)}", pages)
        else:
            report.add("info", f"transparency used ({why})", pages)


def preflight(pdf_path, cfg=None, *, final: bool = False) -> PreflightReport:
    """Check a PDF for print as a print shop would. *pdf_path* is a path or the PDF's bytes;
    *cfg* (booklet Config) supplies the expected trim, bleed, page multiple, variant, profile
    and ink limit. With *final*, images under 300 dpi are errors, not warnings."""
    if isinstance(pdf_path, (bytes, bytearray)):
        source, label = io.BytesIO(pdf_path), "(bytes)"
    else:
        source, label = Path(pdf_path), str(pdf_path)
    report = PreflightReport(label)
    try:
        pdf = pikepdf.open(source)
    except (pikepdf.PdfError, FileNotFoundError, OSError) as exc:
        report.add("error", f"cannot open the PDF: {exc}")
        return report
    expected = None
    if cfg is not None:
        from ..colours import output_profile
        expected = output_profile(cfg) if cfg.output.pdf_variant else None
    limit = (cfg.output.ink_limit if cfg is not None else 300) / 100
    max_dpi = cfg.output.print_image_max_dpi if cfg is not None else 450
    with pdf:
        report.pages = len(pdf.pages)
        report.pdf_version = pdf.pdf_version
        variant = declared_variant(pdf)
        wanted = cfg.output.pdf_variant if cfg is not None else ""
        if wanted and variant != wanted:
            report.add("error", f"booklet.yaml asks for {_vname(wanted)} but the file declares "
                                f"{_vname(variant) or 'no PDF/X variant'}")
        report.variant = variant
        variant = variant or wanted
        if pdf.is_encrypted:
            report.add("error", "the PDF is encrypted")
        bleed_mm = cfg.bleed if cfg is not None else 3.0
        multiple = cfg.output.pages_multiple if cfg is not None else 4
        _check_boxes(pdf, report, cfg, bleed_mm)
        if multiple > 1 and report.pages % multiple:
            report.add("error", f"{report.pages} pages is not a multiple of {multiple} "
                                f"(saddle stitching needs {multiple}); add {(-report.pages) % multiple} blank page(s)")
        _check_fonts(pdf, report, variant)
        _check_output_intent(pdf, report, report.variant, cfg, expected)
        scans = list(walk_pages(pdf))
        _check_colour(scans, report, variant, limit)
        _check_images(scans, report, variant, limit, final, max_dpi)
        _check_transparency(scans, report, variant)
    return report
