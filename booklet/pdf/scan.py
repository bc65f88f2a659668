"""What a PDF's pages paint: images and where they land, text and its colour, every colour
put on the page (inside the bleed or out), transparency.

`walk_pages(pdf)` follows each page's content stream into forms and tiling
patterns with the current transformation matrix, so an image's placed size
(hence its effective dpi) and a path's box on the page are known. Preflight
checks what it finds; the editions use it to resample images at their
placed size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

import pikepdf

IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def space_kind(cs, resources=None) -> tuple[str, object]:
    """('rgb'|'icc-rgb'|'calrgb'|'gray'|'icc-gray'|'calgray'|'cmyk'|'icc-cmyk'|'lab'|'pattern'|'spot'|
    'indexed-…'|'other', detail) for a colour space name or array; detail is the ICC stream or Lab dict."""
    if isinstance(cs, pikepdf.Name):
        simple = {"/DeviceRGB": "rgb", "/RGB": "rgb", "/DeviceCMYK": "cmyk", "/CMYK": "cmyk",
                  "/DeviceGray": "gray", "/G": "gray", "/Pattern": "pattern"}
        name = str(cs)
        if name in simple:
            return simple[name], None
        try:
            named = resources.get("/ColorSpace", {}).get(name) if resources is not None else None
        except (AttributeError, TypeError):
            named = None
        return space_kind(named, None) if named is not None else ("other", None)
    if isinstance(cs, pikepdf.Array) and len(cs):
        family = str(cs[0])
        if family == "/ICCBased":
            try:
                n = int(cs[1].get("/N", 0))
            except (AttributeError, TypeError, ValueError):
                n = 0
            return {1: "icc-gray", 3: "icc-rgb", 4: "icc-cmyk"}.get(n, "other"), cs[1]
        if family == "/Indexed" and len(cs) > 1:
            return "indexed-" + space_kind(cs[1], resources)[0], None
        if family in ("/Separation", "/DeviceN"):
            return "spot", None
        if family == "/Pattern":
            return "pattern", None
        if family == "/CalRGB":
            return "calrgb", None
        if family == "/CalGray":
            return "calgray", None
        if family == "/Lab":
            return "lab", cs[1] if len(cs) > 1 else None
    return "other", None


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
    """(kind, components) for a colour space object or name; kinds as in space_kind."""
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


def walk_pages(pdf: pikepdf.Pdf, only=None, first_page: int = 1) -> Iterator[PageScan]:
    """Scan each page (or each page for which *only(page)* is true), numbered from *first_page*."""
    for i, page in enumerate(pdf.pages, first_page):
        if only is None or only(page):
            yield scan_page(page, i)


def _first_visit(obj: pikepdf.Object, seen: set) -> bool:
    """True the first time an indirect object is met (a direct one is always new)."""
    if obj.objgen == (0, 0):
        return True
    if obj.objgen in seen:
        return False
    seen.add(obj.objgen)
    return True


def font_dicts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Each /Font resource dictionary of the pages and of the forms they draw, once
    (the merge replaces entries in them; the editions read the fonts)."""
    seen: set = set()

    def walk(resources, depth=0):
        if resources is None or depth > 8:
            return
        fonts = resources.get("/Font")
        if fonts is not None and _first_visit(fonts, seen):
            yield fonts
        for _, xobj in (resources.get("/XObject") or {}).items():
            if xobj.get("/Subtype") == pikepdf.Name.Form and _first_visit(xobj, seen):
                yield from walk(xobj.get("/Resources"), depth + 1)

    for page in pdf.pages:
        yield from walk(page.obj.get("/Resources"))


def all_fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Each font the pages (and their forms) use, once."""
    seen: set = set()
    for fonts in font_dicts(pdf):
        for _, font in fonts.items():
            if _first_visit(font, seen):
                yield font


# ---------------------------------------------------------------------------
# The report.


def _box(page: pikepdf.Page, key: str):
    arr = page.obj.get(key)
    if arr is None:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in arr)
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
