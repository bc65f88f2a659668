"""The print edition in inks: every screen colour of a PDF turned into CMYK.

`to_print_colours(pdf, policy)` rewrites a written PDF in place: fill and
stroke colours in every content stream (pages, forms, tiling patterns, soft
masks), shadings (gradients), transparency-group colour spaces, and images
(booklet.pdf.print_images). A role's screen colour becomes the role's CMYK
from booklet.yaml exactly; a grey becomes a tint of black ink alone; any
other colour goes through the output profile (booklet.colours). Greys and
DeviceGray become `0 0 0 k`, so body text is `0 0 0 1 k`; soft masks (which
only carry opacity) become DeviceGray.

Text in solid black ink (`0 0 0 1 k`) overprints (an ExtGState with `op`
and overprint mode 1 around each run of it): otherwise black text knocks a
hole of its own shape into the tint beneath it (a testimonial panel, a
tinted box), and the slightest misregistration of the plates shows a white
halo around every stroke of small Chinese text. Only solid black text
overprints; a tint of black or any other ink knocks out as drawn, so what
the press prints matches the proof.

Why a pass over the written PDF rather than a colour hook inside
WeasyPrint: the one layout serves both editions, so the PDF writer sees
screen colours either way, and a pass over the file also reaches what no
colour call covers (gradient functions, group colour spaces, images) and
works on any PDF however it was written: one process or page groups
written by workers and merged (it needs only the picklable ColourPolicy).
Measured on the sample (72 pages, CPU time): the pass takes 0.36–0.45 s,
the policy (profile, LittleCMS transforms, the black-ink lightness ramp)
0.2 s once per process. The print edition is still made from the one
WeasyPrint write the digital edition uses (a second, PDF/X write would cost
1.6 s). The cold build went from 7.6 s to 8.75 s of CPU (docs/print.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf

from ..colours import ColourPolicy, converter, hex_of, percent
from .scan import space_kind

_RGB = ("rgb", "icc-rgb", "calrgb")
_SOLID_BLACK = [0, 0, 0, 1]
_SHOW_TEXT = frozenset(("Tj", "TJ", "'", '"'))
_PAINT = frozenset(("f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "Do", "BI", "INLINE IMAGE"))
#: ExtGState names for black overprint on and off (added to a stream's resources where used).
OVERPRINT = {"/BkOP": True, "/BkKO": False}
_GRAY = ("gray", "icc-gray", "calgray")


@dataclass
class ColourReport:
    """What the conversion did, for the build's print report."""
    roles: set[str] = field(default_factory=set)          # roles whose CMYK was used
    greys: set[str] = field(default_factory=set)          # greys ('#rrggbb') set in black ink alone
    direct: dict[str, tuple] = field(default_factory=dict)   # '#rrggbb' → (cmyk, {pages}) through the profile
    left: list[str] = field(default_factory=list)         # what could not be converted, and where
    images_converted: int = 0
    images_resampled: int = 0
    image_bytes_before: int = 0
    image_bytes_after: int = 0
    resampled: list[str] = field(default_factory=list)    # "2400×3200 px at 1129 dpi → 638×851 px"

    def notes(self) -> list[str]:
        """Lines worth a designer's attention: colours no role chose, things left as they were."""
        out = []
        for hexa, (cmyk, pages) in sorted(self.direct.items()):
            where = ", ".join(map(str, sorted(pages)[:6])) + (" …" if len(pages) > 6 else "")
            out.append(f"colour {hexa} is named directly in a stylesheet, not by a role: printed as {percent(cmyk)} "
                       f"through the output profile (page {where}); give it a role in booklet.yaml `colours` "
                       "to choose its inks")
        out += self.left
        return out


def to_print_colours(pdf: pikepdf.Pdf, policy: ColourPolicy) -> ColourReport:
    """Convert *pdf* (open, modified in place) to the inks of *policy*; returns what was done."""
    from .print_images import to_print_images
    report = ColourReport()
    job = _Pass(pdf, policy, report)
    for number, page in enumerate(pdf.pages, 1):
        job.page(page, number)
    job.drop_rgb_spaces()
    to_print_images(pdf, policy, report)
    return report


def _nums(values) -> list[float]:
    return [round(float(v), 4) for v in values]


def _luma(r: float, g: float, b: float) -> float:
    return 0.3 * r + 0.59 * g + 0.11 * b


class _Pass:
    def __init__(self, pdf: pikepdf.Pdf, policy: ColourPolicy, report: ColourReport):
        self.pdf = pdf
        self.conv = converter(policy)
        self.report = report
        self.done: set = set()
        self.page_no = 0
        self.seen_resources: list = []
        self.inline_images = False
        self.overprinted = False

    # -- colours -----------------------------------------------------------

    def cmyk_of(self, kind: str, values: list[float]) -> list[float] | None:
        if kind in _RGB and len(values) == 3:
            cmyk, how = self.conv.rgb(*values)
            key = hex_of(tuple(min(255, max(0, round(v * 255))) for v in values))
            if how == "neutral":
                self.report.greys.add(key)
            elif how.startswith("role:"):
                self.report.roles.add(how[5:])
            else:
                self.report.direct.setdefault(key, (cmyk, set()))[1].add(self.page_no)
            return _nums(cmyk)
        if kind in _GRAY and len(values) == 1:
            return [0, 0, 0, round(1 - values[0], 4)]
        if kind == "lab" and len(values) == 3:
            return _nums(self.conv.lab(*values))
        return None

    def gray_of(self, kind: str, values: list[float]) -> list[float] | None:
        """For soft masks: only lightness matters there."""
        if kind in _RGB and len(values) == 3:
            return [round(_luma(*values), 4)]
        if kind in ("cmyk", "icc-cmyk") and len(values) == 4:
            c, m, y, k = values
            return [round(max(0.0, 1 - min(1.0, _luma(c, m, y) + k)), 4)]
        if kind == "lab" and len(values) == 3:
            return [round(values[0] / 100, 4)]
        return None

    # -- content streams ---------------------------------------------------

    def page(self, page: pikepdf.Page, number: int) -> None:
        self.page_no = number
        resources = page.obj.get("/Resources")
        new = self.stream(pikepdf.parse_content_stream(page), resources, "cmyk")
        if new is not None:
            page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(new))
            if self.overprinted:
                self.add_overprint_states(page.obj)
        self.group(page.obj, "cmyk")
        self.resources(resources)

    def stream(self, instrs, resources, mode: str):
        """The instructions with colours converted, or None if nothing changed."""
        out, changed = [], False
        fill, stroke = ("gray", None), ("gray", None)
        stack = []
        target = self.cmyk_of if mode == "cmyk" else self.gray_of
        set_ops = ("k", "K") if mode == "cmyk" else ("g", "G")
        black = False            # the fill is solid black ink
        overprint = False        # our overprint state is on
        self.overprinted = False
        for instr in instrs:
            op = str(instr.operator)
            operands = list(instr.operands)
            if mode == "cmyk":
                if op in _SHOW_TEXT and black and not overprint:
                    out.append(pikepdf.ContentStreamInstruction([pikepdf.Name("/BkOP")], pikepdf.Operator("gs")))
                    overprint = changed = self.overprinted = True
                elif overprint and (op in _PAINT or op == "gs" or (op in _SHOW_TEXT and not black)):
                    out.append(pikepdf.ContentStreamInstruction([pikepdf.Name("/BkKO")], pikepdf.Operator("gs")))
                    overprint = False
            if op == "q":
                stack.append((fill, stroke, black, overprint))
            elif op == "Q":
                if stack:
                    fill, stroke, black, overprint = stack.pop()
            elif op in ("rg", "RG", "g", "G", "k", "K") and all(_is_num(v) for v in operands):
                kind = {"rg": "rgb", "RG": "rgb", "g": "gray", "G": "gray", "k": "cmyk", "K": "cmyk"}[op]
                is_fill = op.islower()
                new = target(kind, [float(v) for v in operands])
                if new is not None:
                    op = set_ops[0] if is_fill else set_ops[1]
                    instr = pikepdf.ContentStreamInstruction(new, pikepdf.Operator(op))
                    changed = True
                state = ("cmyk" if mode == "cmyk" else "gray", None) if new is not None else (kind, None)
                if is_fill:
                    fill = state
                    black = mode == "cmyk" and (new if new is not None else [float(v) for v in operands]) == _SOLID_BLACK \
                        and op == "k"
                else:
                    stroke = state
            elif op in ("cs", "CS") and operands:
                kind, detail = space_kind(operands[0], resources)
                convertible = kind in _RGB + _GRAY + ("lab",) if mode == "cmyk" else kind in _RGB + ("cmyk", "icc-cmyk", "lab")
                state = (kind, detail) if convertible else ("other", None)
                if convertible:
                    name = pikepdf.Name.DeviceCMYK if mode == "cmyk" else pikepdf.Name.DeviceGray
                    instr = pikepdf.ContentStreamInstruction([name], pikepdf.Operator(op))
                    changed = True
                if op == "cs":
                    fill, black = state, False
                else:
                    stroke = state
            elif op in ("sc", "scn", "SC", "SCN"):
                kind = (fill if op.islower() else stroke)[0]
                new = None
                if operands and all(_is_num(v) for v in operands) and kind != "other":
                    new = target(kind, [float(v) for v in operands])
                    if new is not None:
                        instr = pikepdf.ContentStreamInstruction(new, pikepdf.Operator(op))
                        changed = True
                if op.islower():
                    black = mode == "cmyk" and new == _SOLID_BLACK
            elif op == "sh" and operands:
                shadings = resources.get("/Shading") if resources is not None else None
                shading = shadings.get(str(operands[0])) if shadings is not None else None
                if shading is not None:
                    self.shading(shading, mode)
            elif op == "INLINE IMAGE":
                self.inline_images = True
                self._left("an inline image keeps its colours")
            out.append(instr)
        return out if changed else None

    def add_overprint_states(self, owner) -> None:
        """The two ExtGStates the overprinted black text names, in *owner*'s resources."""
        if "/Resources" not in owner:
            owner.Resources = pikepdf.Dictionary()
        resources = owner.Resources
        if "/ExtGState" not in resources:
            resources.ExtGState = pikepdf.Dictionary()
        for name, on in OVERPRINT.items():       # WeasyPrint names its own /s0, /s1, …
            if name not in resources.ExtGState:
                resources.ExtGState[name] = self.pdf.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.ExtGState, OP=False, op=on, OPM=1))

    def _left(self, what: str) -> None:
        line = f"page {self.page_no}: {what}"
        if line not in self.report.left:
            self.report.left.append(line)

    def once(self, obj) -> bool:
        key = obj.objgen
        if key == (0, 0):
            return True
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def form(self, xobj, mode: str, inherited=None) -> None:
        if not self.once(xobj):
            return
        resources = xobj.get("/Resources", inherited)
        new = self.stream(pikepdf.parse_content_stream(xobj), resources, mode)
        if new is not None:
            xobj.write(pikepdf.unparse_content_stream(new))
            if self.overprinted:
                if "/Resources" not in xobj and resources is not None:
                    xobj.Resources = pikepdf.Dictionary(dict(resources.items()))    # its own copy, not the page's
                self.add_overprint_states(xobj)
        self.group(xobj, mode)
        self.resources(resources, mode)

    def group(self, owner, mode: str) -> None:
        group = owner.get("/Group")
        if group is None or "/CS" not in group:
            return
        kind, _ = space_kind(group.CS)
        if mode == "cmyk" and kind in _RGB + _GRAY + ("lab",):
            group.CS = pikepdf.Name.DeviceCMYK
        elif mode == "gray" and kind not in _GRAY:
            group.CS = pikepdf.Name.DeviceGray

    def drop_rgb_spaces(self) -> None:
        """Named RGB colour spaces no content uses any more (`/CS0 cs` became `/DeviceCMYK cs`).

        An inline image may still name one; then they all stay."""
        if self.inline_images:
            return
        for resources in self.seen_resources:
            spaces = resources.get("/ColorSpace")
            if not isinstance(spaces, pikepdf.Dictionary):
                continue
            for name in [n for n, cs in spaces.items() if space_kind(cs)[0] in _RGB + _GRAY]:
                del spaces[name]

    def resources(self, resources, mode: str = "cmyk") -> None:
        if resources is None or not self.once(resources):
            return
        self.seen_resources.append(resources)
        for _, xobj in (resources.get("/XObject") or {}).items():
            if xobj.get("/Subtype") == pikepdf.Name.Form:
                self.form(xobj, mode, resources)
        for _, pattern in (resources.get("/Pattern") or {}).items():
            if int(pattern.get("/PatternType", 0)) == 1:
                self.form(pattern, mode, resources)
            elif "/Shading" in pattern:
                self.shading(pattern.Shading, mode)
        for _, shading in (resources.get("/Shading") or {}).items():
            self.shading(shading, mode)
        for _, gs in (resources.get("/ExtGState") or {}).items():
            smask = gs.get("/SMask") if isinstance(gs, pikepdf.Dictionary) else None
            if isinstance(smask, pikepdf.Dictionary) and "/G" in smask:
                if "/BC" in smask:
                    kind, _ = space_kind(smask.G.get("/Group", {}).get("/CS", pikepdf.Name.DeviceGray))
                    gray = self.gray_of(kind, [float(v) for v in smask.BC])
                    if gray is not None:
                        smask.BC = pikepdf.Array(gray)
                self.form(smask.G, "gray", resources)

    # -- shadings ----------------------------------------------------------

    def shading(self, shading, mode: str) -> None:
        if not self.once(shading):
            return
        kind, _ = space_kind(shading.get("/ColorSpace"))
        convertible = kind in _RGB + _GRAY + ("lab",) if mode == "cmyk" else kind in _RGB + ("cmyk", "icc-cmyk", "lab")
        if not convertible:
            return
        if int(shading.get("/ShadingType", 0)) not in (1, 2, 3) or "/Function" not in shading:
            self._left(f"a {kind.upper()} shading of type {shading.get('/ShadingType')} keeps its colours")
            return
        target = self.cmyk_of if mode == "cmyk" else self.gray_of
        functions = shading.Function if isinstance(shading.Function, pikepdf.Array) else [shading.Function]
        if len(functions) != 1 or not self.function(functions[0], kind, target):
            self._left(f"a {kind.upper()} gradient with a sampled or calculated colour function keeps its colours")
            return
        if "/Background" in shading:
            new = target(kind, [float(v) for v in shading.Background])
            if new is not None:
                shading.Background = pikepdf.Array(new)
        shading.ColorSpace = pikepdf.Name.DeviceCMYK if mode == "cmyk" else pikepdf.Name.DeviceGray

    def function(self, fn, kind: str, target) -> bool:
        """Convert a shading function's output colours (types 2 and 3: gradients between colour stops)."""
        if not self.once(fn):
            return True                     # shared with a gradient already converted
        ftype = int(fn.get("/FunctionType", -1))
        if ftype == 2:
            c0 = [float(v) for v in fn.get("/C0", pikepdf.Array([0.0]))]
            c1 = [float(v) for v in fn.get("/C1", pikepdf.Array([1.0]))]
            a, b = target(kind, c0), target(kind, c1)
            if a is None or b is None:
                return False
            fn.C0, fn.C1 = pikepdf.Array(a), pikepdf.Array(b)
            if "/Range" in fn:
                del fn["/Range"]
            return True
        if ftype == 3:
            return all(self.function(sub, kind, target) for sub in fn.Functions)
        return False


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) or type(v).__name__ == "Decimal"
