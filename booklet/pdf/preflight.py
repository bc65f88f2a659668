"""Preflight: what a print shop's checker would say about a PDF, before it does.

`preflight(path, cfg)` reads a finished PDF (ours or anyone's) and reports
errors (the printer will reject or misprint it), warnings (it will print, but
probably not as intended) and info. The content-stream walker here
(`walk_pages`) is shared with booklet.pdf.editions, which uses it to find where each
image is placed when downsampling the digital edition.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pikepdf

MM = 72.0 / 25.4
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
MIN_DPI = 300
RICH_BLACK_MAX_PT = 12.0
# PDF/X-1a and PDF/X-3 forbid transparency; PDF/X-4 allows it.
NO_TRANSPARENCY = ("pdf/x-1a", "pdf/x-3")


def _vname(variant: str) -> str:
    return {"pdf/x-1a": "PDF/X-1a", "pdf/x-3": "PDF/X-3", "pdf/x-4": "PDF/X-4"}.get(variant, variant.upper())


# ---------------------------------------------------------------------------
# Content-stream walking: where images land and how text is coloured.

def mul(m1, m2):
    """m1 × m2 for PDF matrices [a b c d e f] (row vectors: apply m1 first)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _matrix(arr) -> tuple:
    try:
        vals = tuple(float(x) for x in arr)
    except (TypeError, ValueError):
        return IDENTITY
    return vals if len(vals) == 6 else IDENTITY


@dataclass
class ImagePlacement:
    page: int                 # 1-based
    name: str
    image: pikepdf.Object | None   # the image XObject (None for inline images)
    pixels: tuple[int, int]
    ctm: tuple
    colour_space: str
    smask: bool

    @property
    def size_pt(self) -> tuple[float, float]:
        a, b, c, d, _, _ = self.ctm
        return math.hypot(a, b), math.hypot(c, d)

    @property
    def dpi(self) -> float:
        """Effective resolution at the placed size (the lower of the two axes)."""
        w, h = self.size_pt
        if w <= 0 or h <= 0:
            return float("inf")
        return min(self.pixels[0] / (w / 72.0), self.pixels[1] / (h / 72.0))


@dataclass
class TextShow:
    page: int
    size_pt: float            # effective size on the page
    space: str                # 'rgb', 'cmyk', 'gray', 'other'
    colour: tuple


@dataclass
class PageScan:
    page: int
    images: list[ImagePlacement] = field(default_factory=list)
    text: list[TextShow] = field(default_factory=list)
    transparency: list[str] = field(default_factory=list)   # what on this page is transparent
    # (use, space kind, components) → painted inside the bleed box? use: fill, stroke, text, shading
    paints: dict[tuple, bool] = field(default_factory=dict)
    bleed: tuple | None = None

    def paint(self, use: str, colour: tuple, box: tuple | None) -> None:
        """Record a colour put on the page; *box* (page space) None means somewhere inside."""
        key = (use, colour[0], tuple(round(v, 4) for v in colour[1]))
        inside = box is None or self.bleed is None or not (
            box[2] <= self.bleed[0] or box[0] >= self.bleed[2] or box[3] <= self.bleed[1] or box[1] >= self.bleed[3])
        self.paints[key] = self.paints.get(key, False) or inside


def _colour_space_name(cs, resources) -> tuple[str, int]:
    """(kind, components) for a colour space object or name; kinds as in colour.space_kind."""
    from .colour import space_kind
    kind, _ = space_kind(cs, resources)
    n = {"rgb": 3, "icc-rgb": 3, "calrgb": 3, "lab": 3, "cmyk": 4, "icc-cmyk": 4,
         "gray": 1, "icc-gray": 1, "calgray": 1, "spot": 1}.get(kind, 1 if kind.startswith("indexed") else 0)
    return kind, n


RGB_KINDS = ("rgb", "icc-rgb", "calrgb", "indexed-rgb", "indexed-icc-rgb", "indexed-calrgb")
DEVICE_RGB = ("rgb", "indexed-rgb")


def _gs_transparency(gs) -> str | None:
    """A description of what makes an ExtGState transparent, or None."""
    try:
        for key in ("/CA", "/ca"):
            if key in gs and float(gs[key]) < 1:
                return f"opacity {key[1:]}={float(gs[key]):g}"
        if "/SMask" in gs and gs.SMask != pikepdf.Name.None_:
            return "soft mask"
        if "/BM" in gs:
            bm = gs.BM
            names = [str(x) for x in bm] if isinstance(bm, pikepdf.Array) else [str(bm)]
            if any(n not in ("/Normal", "/Compatible") for n in names):
                return f"blend mode {names[0][1:]}"
    except (TypeError, ValueError, AttributeError):
        return None
    return None


class _Walker:
    def __init__(self, scan: PageScan, max_depth: int = 12):
        self.scan = scan
        self.max_depth = max_depth
        self.seen_patterns: set = set()

    def walk(self, owner, resources, ctm, depth: int = 0, forms_on_stack: tuple = ()) -> None:
        if depth > self.max_depth:
            return
        try:
            ops = pikepdf.parse_content_stream(owner)
        except pikepdf.PdfError:
            return
        base_ctm = ctm
        stack = []
        fill = stroke = ("gray", (0.0,))
        tm = IDENTITY
        font_size = 0.0
        path: list[float] = []            # x0, y0, x1, y1 of the current path on the page
        xobjects = resources.get("/XObject", {}) if resources is not None else {}
        gstates = resources.get("/ExtGState", {}) if resources is not None else {}
        patterns = resources.get("/Pattern", {}) if resources is not None else {}
        shadings = resources.get("/Shading", {}) if resources is not None else {}
        for instr in ops:
            operands, op = instr.operands, str(instr.operator)
            if op == "q":
                stack.append((ctm, fill, stroke))
            elif op == "Q":
                if stack:
                    ctm, fill, stroke = stack.pop()
            elif op == "cm" and len(operands) == 6:
                ctm = mul(_matrix(operands), ctm)
            elif op in ("m", "l") and len(operands) == 2:
                self._extend(path, ctm, operands)
            elif op in ("c", "v", "y") and len(operands) in (4, 6):
                for i in range(0, len(operands), 2):
                    self._extend(path, ctm, operands[i:i + 2])
            elif op == "re" and len(operands) == 4:
                x, y, w, h = (float(v) for v in operands)
                self._extend(path, ctm, (x, y))
                self._extend(path, ctm, (x + w, y + h))
                self._extend(path, ctm, (x, y + h))
                self._extend(path, ctm, (x + w, y))
            elif op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
                box = tuple(path) if path else None
                if op in ("S", "s", "B", "B*", "b", "b*"):
                    self.scan.paint("stroke", stroke, box)
                if op in ("f", "F", "f*", "B", "B*", "b", "b*"):
                    self.scan.paint("fill", fill, box)
                path = []
            elif op == "gs" and operands:
                gs = gstates.get(str(operands[0])) if gstates is not None else None
                why = _gs_transparency(gs) if gs is not None else None
                if why:
                    self.scan.transparency.append(why)
            elif op in ("rg", "RG", "k", "K", "g", "G") and len(operands) in (1, 3, 4):
                colour = ({"rg": "rgb", "k": "cmyk", "g": "gray"}[op.lower()], tuple(float(x) for x in operands))
                if op.islower():
                    fill = colour
                else:
                    stroke = colour
            elif op in ("cs", "CS") and operands:
                colour = (_colour_space_name(operands[0], resources)[0], ())
                if op == "cs":
                    fill = colour
                else:
                    stroke = colour
            elif op in ("sc", "scn", "SC", "SCN"):
                nums = tuple(float(x) for x in operands if isinstance(x, (int, float)) or _is_number(x))
                if op.islower():
                    fill = (fill[0], nums)
                else:
                    stroke = (stroke[0], nums)
                if operands and isinstance(operands[-1], pikepdf.Name) and patterns is not None:
                    pat = patterns.get(str(operands[-1]))
                    if pat is not None:
                        self._walk_pattern(pat, base_ctm, depth, forms_on_stack)
            elif op == "sh" and operands:
                sh = shadings.get(str(operands[0])) if shadings is not None else None
                if sh is not None:
                    self._shading(sh, resources)
            elif op == "BT":
                tm = IDENTITY
            elif op == "Tm" and len(operands) == 6:
                tm = _matrix(operands)
            elif op == "Tf" and len(operands) == 2:
                try:
                    font_size = abs(float(operands[1]))
                except (TypeError, ValueError):
                    font_size = 0.0
            elif op in ("Tj", "TJ", "'", '"'):
                m = mul(tm, ctm)
                scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
                self.scan.text.append(TextShow(self.scan.page, font_size * scale, fill[0], fill[1]))
                self.scan.paint("text", fill, None)
            elif op == "Do" and operands:
                name = str(operands[0])
                xobj = xobjects.get(name) if xobjects is not None else None
                if xobj is None:
                    continue
                subtype = xobj.get("/Subtype")
                if subtype == pikepdf.Name.Image:
                    self._image(name, xobj, ctm, resources)
                elif subtype == pikepdf.Name.Form:
                    key = xobj.objgen
                    if key != (0, 0) and key in forms_on_stack:
                        continue
                    group = xobj.get("/Group")
                    if group is not None and group.get("/S") == pikepdf.Name.Transparency:
                        self.scan.transparency.append("transparency group")
                    form_ctm = mul(_matrix(xobj.get("/Matrix", IDENTITY)), ctm)
                    self.walk(xobj, xobj.get("/Resources", resources), form_ctm, depth + 1, forms_on_stack + (key,))
            elif op == "INLINE IMAGE" and operands:
                img = operands[0]
                try:
                    w, h = int(img.width), int(img.height)
                    cs = img.obj.get("/ColorSpace", img.obj.get("/CS"))
                    space = _colour_space_name(cs, resources)[0] if cs is not None else "mask"
                except Exception:  # noqa: BLE001 - inline images are rare; never fail preflight on one
                    continue
                self.scan.images.append(ImagePlacement(self.scan.page, "(inline)", None, (w, h), ctm, space, False))

    @staticmethod
    def _extend(path: list, ctm, point) -> None:
        try:
            x, y = float(point[0]), float(point[1])
        except (TypeError, ValueError):
            return
        a, b, c, d, e, f = ctm
        px, py = a * x + c * y + e, b * x + d * y + f
        if not path:
            path.extend((px, py, px, py))
        else:
            path[0], path[1] = min(path[0], px), min(path[1], py)
            path[2], path[3] = max(path[2], px), max(path[3], py)

    def _shading(self, sh, resources) -> None:
        """A gradient's colours: the end points of its (exponential or stitched) function."""
        kind = _colour_space_name(sh.get("/ColorSpace"), resources)[0]
        ends = []

        def collect(fn, depth=0):
            if depth > 4 or not isinstance(fn, pikepdf.Dictionary):
                return
            if int(fn.get("/FunctionType", -1)) == 2:
                ends.extend(tuple(float(v) for v in fn.get(key, [])) for key in ("/C0", "/C1"))
            for sub in fn.get("/Functions", []):
                collect(sub, depth + 1)
        fn = sh.get("/Function")
        for f in (fn if isinstance(fn, pikepdf.Array) else [fn]):
            collect(f)
        for values in ends or [()]:
            self.scan.paint("shading", (kind, values), None)

    def _image(self, name, xobj, ctm, resources) -> None:
        try:
            w, h = int(xobj.Width), int(xobj.Height)
        except (AttributeError, ValueError, TypeError):
            return
        cs = xobj.get("/ColorSpace")
        if xobj.get("/ImageMask", False):
            space = "mask"
        elif cs is None:
            space = "other"  # e.g. JPX with its own colour space
        else:
            space = _colour_space_name(cs, resources)[0]
        smask = "/SMask" in xobj
        if smask:
            self.scan.transparency.append("image with soft mask (alpha)")
        self.scan.images.append(ImagePlacement(self.scan.page, name, xobj, (w, h), ctm, space, smask))

    def _walk_pattern(self, pat, base_ctm, depth, forms_on_stack) -> None:
        """Tiling patterns (CSS background images) draw images in pattern space."""
        try:
            if int(pat.get("/PatternType", 0)) != 1:
                if "/Shading" in pat:
                    self._shading(pat.Shading, None)
                return
        except (TypeError, ValueError):
            return
        key = pat.objgen
        if key in self.seen_patterns:
            return
        self.seen_patterns.add(key)
        pctm = mul(_matrix(pat.get("/Matrix", IDENTITY)), base_ctm)
        self.walk(pat, pat.get("/Resources", None), pctm, depth + 1, forms_on_stack)


def _is_number(x) -> bool:
    try:
        float(x)
        return True
    except (TypeError, ValueError):
        return False


def scan_page(page: pikepdf.Page, number: int) -> PageScan:
    """Everything the checks need from one page's content (1-based *number*)."""
    scan = PageScan(number, bleed=_box(page, "/BleedBox") or _box(page, "/MediaBox"))
    walker = _Walker(scan)
    walker.walk(page, page.obj.get("/Resources", pikepdf.Dictionary()), IDENTITY)
    group = page.obj.get("/Group")
    if group is not None and group.get("/S") == pikepdf.Name.Transparency:
        scan.transparency.append("page transparency group")
    return scan


def walk_pages(pdf: pikepdf.Pdf) -> Iterator[PageScan]:
    for i, page in enumerate(pdf.pages, 1):
        yield scan_page(page, i)


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

def _box(page: pikepdf.Page, key: str):
    arr = page.obj.get(key)
    if arr is None:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in arr)
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


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
