"""booklet.yaml: load, validate, and give friendly errors.

The config is the user's main handle on the design, so every mistake in it
must come back as one message naming the file, the line and the key, with a
suggestion where we can guess one (MkDocs-style), never as a traceback.
We compose the YAML to nodes first so every value keeps its line number.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import geometry
from .errors import BookletError

# libyaml's parser where PyYAML was built with it: the same documents, nodes
# and marks (line numbers for messages) as PyYAML's own, ten times faster
# (the sample's honourees.yaml: 0.08 s of every cold build's check). Every
# YAML file booklet reads goes through it (content.py, fonts.py).
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CONFIG_NAME = "booklet.yaml"

# Named trim sizes in millimetres (width, height).
TRIM_PRESETS = {
    "大16开": (210.0, 285.0),
    "da16": (210.0, 285.0),
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "16开": (185.0, 260.0),
}

FONT_ROLES = ("body", "heading", "quote", "vertical")

DEFAULT_FONTS = {
    "body": {"regular": "NotoSerifCJKsc-Regular.otf", "bold": "NotoSerifCJKsc-Bold.otf"},
    "heading": {"regular": "NotoSansCJKsc-Regular.otf", "bold": "NotoSansCJKsc-Bold.otf"},
    "quote": {"regular": "LXGWWenKai-Regular.ttf"},
    "vertical": {"regular": "NotoSerifCJKsc-Bold.otf", "bold": "NotoSerifCJKsc-Bold.otf"},  # titles are set bold: no synthetic emboldening
}

@dataclass
class Colour:
    """A colour role: sRGB hex for the screen, CMYK fractions for print (either may be derived)."""
    screen: str = ""
    print: tuple[float, float, float, float] | None = None
    line: int = 0             # line in booklet.yaml, for error messages


# Roles the default layouts use. Text, running heads, folios and thin rules print
# in black ink alone; greys are tints of black matched in lightness.
DEFAULT_COLOURS = {
    "accent": ("#b2201f", "0 95 90 10"),     # 中国红: ornaments, titles, rules
    "text": ("#1a1a1a", "0 0 0 100"),       # body text, folios
    "muted": ("#6b6b6b", "0 0 0 75"),       # captions, running heads, affiliations
    "paper_tint": ("#f6efe3", "0 4 10 2"),  # testimonial panels, editors' note, back cover
    "rule": ("#d8c9b0", "0 0 0 25"),        # hairlines between roster entries
}
ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def default_colours() -> dict[str, Colour]:
    from .colours import parse_cmyk
    return {name: Colour(screen, parse_cmyk(cmyk)) for name, (screen, cmyk) in DEFAULT_COLOURS.items()}


@dataclass
class Trim:
    width: float
    height: float
    name: str = ""


@dataclass
class Margins:
    """In mm. Left out of booklet.yaml, they follow the trim (geometry.default_margins)."""
    top: float = geometry.DESIGN_MARGINS[0]
    bottom: float = geometry.DESIGN_MARGINS[1]
    inner: float = geometry.DESIGN_MARGINS[2]
    outer: float = geometry.DESIGN_MARGINS[3]


@dataclass
class Typography:
    body_size: float = 10.5      # pt, 五号
    leading: float = 1.75        # line-height as a multiple of the size
    indent: float = 2.0          # em
    columns: int = 1
    half_width_opening_at_line_start: bool = False


@dataclass
class Output:
    print: str = "booklet-print.pdf"
    digital: str = "booklet-digital.pdf"
    pdf_variant: str = "pdf/x-4"  # pdf/x-4, pdf/x-3, pdf/x-1a, or none (a plain PDF, still CMYK)
    icc: str = ""                 # the print shop's CMYK profile (a project file); empty = the shipped one
    ink_limit: float = 300.0      # % total ink the press takes
    pages_multiple: int = 4       # saddle stitching wants a multiple of 4
    digital_image_dpi: int = 150
    print_image_dpi: int = 300    # print images sharper than print_image_max_dpi are resampled to this
    print_image_max_dpi: int = 450
    epub: str = "booklet.epub"   # the EPUB 3 edition, for e-readers and phones
    web: str = "web"             # the folder of the web edition (a static site)
    epub_fonts: bool = False     # embed subsets of the shipped fonts in the EPUB (default: the reader's fonts)
    workers: int = 0             # processes that lay out page groups; 0 = one per core, 1 = in one piece


@dataclass
class Ornaments:
    """Words the design prints on every testimonial page: the issue's slogan
    on the band at the top, and a seal beside the name. They belong to an
    issue, not to the layouts, so they are set here (none by default)."""
    band: str = ""               # words separated by spaces, spread from the left edge to the right
    seal: str = ""               # one line per space-separated word

    @property
    def band_words(self) -> list[str]:
        return self.band.split()

    @property
    def seal_lines(self) -> list[str]:
        return self.seal.split()


@dataclass
class Digital:
    url: str = ""                # where the web edition lives; the print back cover gets a QR code to it


@dataclass
class Unit:
    path: Path
    line: int  # line in booklet.yaml, for error messages


@dataclass
class Config:
    root: Path
    title: str
    subtitle: str = ""
    issue: str = ""
    date: str = ""
    publisher: str = ""
    author: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "zh-CN"
    trim: Trim = field(default_factory=lambda: Trim(210.0, 285.0, "大16开"))
    margins: Margins = field(default_factory=Margins)
    bleed: float = 3.0
    marks: bool = True
    fonts: dict[str, dict[str, str]] = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_FONTS.items()})
    colours: dict[str, Colour] = field(default_factory=default_colours)
    typography: Typography = field(default_factory=Typography)
    units: list[Unit] = field(default_factory=list)
    output: Output = field(default_factory=Output)
    ornaments: Ornaments = field(default_factory=Ornaments)
    digital: Digital = field(default_factory=Digital)
    source_date: str = ""        # ISO date for reproducible PDF metadata
    honourees: str = "content/honourees.yaml"
    path: Path | None = None
    font_lines: dict[str, int] = field(default_factory=dict)   # "role.weight" → line in booklet.yaml

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    def _page(self) -> tuple[float, ...]:
        m = self.margins
        return (self.trim.width, self.trim.height, m.top, m.bottom, m.inner, m.outer)

    @property
    def scale(self) -> float:
        """The design's scale for this trim and these margins (geometry.scale)."""
        return geometry.scale(*self._page())

    @property
    def page_scale(self) -> float:
        return geometry.page_scale(self.trim.width, self.trim.height)

    def placed_sizes(self) -> dict[str, tuple[float, float]]:
        return geometry.placed_sizes(*self._page())


# --------------------------------------------------------------------------
# Validation helpers working on YAML nodes, so errors can cite lines.

class _Ctx:
    def __init__(self, path: Path):
        self.path = path

    def error(self, node: yaml.Node | None, message: str, hint: str | None = None) -> BookletError:
        where = str(self.path.name)
        if node is not None:
            where += f", line {node.start_mark.line + 1}"
        return BookletError(message, where=where, hint=hint)


def _scalar(ctx: _Ctx, node: yaml.Node, key: str, kind: type) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise ctx.error(node, f"'{key}' must be a {_kind_name(kind)}, not a {_node_kind(node)}")
    try:
        value = yaml.safe_load(yaml.serialize(node)) if node.tag != "tag:yaml.org,2002:str" else node.value
    except ValueError:          # looks like a date or a number but is not one (2020-13-45)
        value = node.value
    if kind is str:
        if value is None:
            return ""
        if isinstance(value, (int, float)) or not isinstance(value, str):
            return str(node.value)
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ctx.error(node, f"'{key}' must be a number, got {node.value!r}")
        return float(value)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ctx.error(node, f"'{key}' must be a whole number, got {node.value!r}")
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ctx.error(node, f"'{key}' must be true or false, got {node.value!r}")
        return value
    raise AssertionError(kind)


def _kind_name(kind: type) -> str:
    return {str: "text", float: "number", int: "whole number", bool: "true/false", dict: "mapping", list: "list"}[kind]


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "single value"


def _mapping(ctx: _Ctx, node: yaml.Node, key: str, allowed: set[str]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, f"'{key}' must be a mapping (key: value lines), not a {_node_kind(node)}")
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for knode, vnode in node.value:
        name = str(knode.value)
        if name not in allowed:
            close = difflib.get_close_matches(name, sorted(allowed), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(allowed))}"
            prefix = f"{key}." if key else ""
            raise ctx.error(knode, f"unknown key '{prefix}{name}'", hint)
        if name in out:
            raise ctx.error(knode, f"key '{name}' appears twice")
        out[name] = (knode, vnode)
    return out


def _fill_dataclass(ctx: _Ctx, obj: Any, node: yaml.Node, key: str) -> None:
    fields = {f: type(getattr(obj, f)) for f in obj.__dataclass_fields__}
    for name, (_, vnode) in _mapping(ctx, node, key, set(fields)).items():
        kind = fields[name]
        if kind is float and isinstance(vnode, yaml.ScalarNode):
            setattr(obj, name, _scalar(ctx, vnode, f"{key}.{name}", float))
        else:
            setattr(obj, name, _scalar(ctx, vnode, f"{key}.{name}", kind))


TOP_KEYS = {
    "title", "subtitle", "issue", "date", "publisher", "author", "keywords", "language",
    "trim", "margins", "bleed", "marks", "fonts", "colours", "typography", "units", "output",
    "source_date", "honourees", "ornaments", "digital",
}
# Longer addresses make a QR code too dense to scan reliably at the back cover's size.
MAX_URL_LENGTH = 200


def parse_config(text: str, path: Path) -> Config:
    ctx = _Ctx(path)
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise BookletError(
            f"this is not valid YAML: {exc.problem or exc.context}",
            where=f"{path.name}{line}",
            hint="check indentation and that every 'key: value' has a space after the colon",
        ) from None
    if root is None:
        raise BookletError("the file is empty", where=path.name, hint="it needs at least 'title:' and 'units:'")
    top = _mapping(ctx, root, "", TOP_KEYS)
    if "title" not in top:
        raise ctx.error(root, "the booklet needs a 'title:'")
    cfg = Config(root=path.parent, title="", path=path)
    margins_node = None
    for name, (knode, vnode) in top.items():
        if name in {"title", "subtitle", "issue", "date", "publisher", "author", "language", "source_date", "honourees"}:
            setattr(cfg, name, _scalar(ctx, vnode, name, str))
            if name == "source_date" and cfg.source_date.strip():
                _check_iso_date(ctx, vnode, cfg.source_date.strip())
        elif name == "keywords":
            if not isinstance(vnode, yaml.SequenceNode):
                raise ctx.error(vnode, "'keywords' must be a list")
            cfg.keywords = [_scalar(ctx, n, "keywords", str) for n in vnode.value]
        elif name == "bleed":
            cfg.bleed = _scalar(ctx, vnode, name, float)
            if not 0 <= cfg.bleed <= 10:
                raise ctx.error(vnode, f"bleed must be between 0 and 10 mm, got {cfg.bleed:g}")
        elif name == "marks":
            cfg.marks = _scalar(ctx, vnode, name, bool)
        elif name == "trim":
            cfg.trim = _parse_trim(ctx, vnode)
        elif name == "margins":
            margins_node = vnode
        elif name == "typography":
            _fill_dataclass(ctx, cfg.typography, vnode, "typography")
            if not 6 <= cfg.typography.body_size <= 24:
                raise ctx.error(vnode, "typography.body_size must be between 6 and 24 pt")
            if cfg.typography.columns not in (1, 2, 3):
                raise ctx.error(vnode, "typography.columns must be 1, 2 or 3")
        elif name == "output":
            _fill_dataclass(ctx, cfg.output, vnode, "output")
            _check_output(ctx, vnode, cfg.output)
        elif name == "ornaments":
            _fill_dataclass(ctx, cfg.ornaments, vnode, "ornaments")
        elif name == "digital":
            _fill_dataclass(ctx, cfg.digital, vnode, "digital")
            if cfg.digital.url:
                items = _mapping(ctx, vnode, "digital", set(Digital.__dataclass_fields__))
                cfg.digital.url = _check_url(ctx, items["url"][1], cfg.digital.url)
        elif name == "colours":
            _parse_colours(ctx, vnode, cfg)
        elif name == "fonts":
            _parse_fonts(ctx, vnode, cfg)
        elif name == "units":
            cfg.units = _parse_units(ctx, vnode, path.parent)
    # Margins not given follow the trim, wherever the trim is set in the file.
    cfg.margins = Margins(*geometry.default_margins(cfg.trim.width, cfg.trim.height))
    if margins_node is not None:
        _fill_dataclass(ctx, cfg.margins, margins_node, "margins")
        for f in ("top", "bottom", "inner", "outer"):
            if getattr(cfg.margins, f) < 0:
                raise ctx.error(margins_node, f"margins.{f} cannot be negative")
    if not cfg.title.strip():
        raise ctx.error(top["title"][1], "'title' cannot be empty")
    _check_geometry(ctx, cfg, root)
    return cfg


def _check_iso_date(ctx: _Ctx, node: yaml.Node, text: str) -> None:
    """source_date fixes the PDFs' dates; a typo would otherwise stop the build after layout."""
    from datetime import datetime
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ctx.error(node, f"source_date '{text}' is not an ISO date",
                        "write it like 2020-12-01 or 2020-12-01T00:00:00Z") from None


def _check_output(ctx: _Ctx, node: yaml.Node, output: Output) -> None:
    items = _mapping(ctx, node, "output", set(Output.__dataclass_fields__))
    output.pdf_variant = output.pdf_variant.strip().lower()
    if output.pdf_variant in ("", "none"):
        output.pdf_variant = ""
    elif output.pdf_variant not in ("pdf/x-1a", "pdf/x-3", "pdf/x-4"):
        raise ctx.error(items["pdf_variant"][1], f"output.pdf_variant '{output.pdf_variant}' is not one booklet writes",
                        hint="use pdf/x-4 (the default), pdf/x-3, pdf/x-1a, or none")
    if output.pages_multiple not in (1, 2, 4, 8, 16):
        raise ctx.error(items["pages_multiple"][1], "output.pages_multiple must be 1, 2, 4, 8 or 16")
    if not 0 <= output.workers <= 256:
        raise ctx.error(items["workers"][1], "output.workers must be between 0 (one per core) and 256")
    if not 200 <= output.ink_limit <= 400:
        raise ctx.error(items["ink_limit"][1], f"output.ink_limit must be between 200 and 400 %, got {output.ink_limit:g}")
    if not 150 <= output.print_image_dpi <= output.print_image_max_dpi:
        key = "print_image_dpi" if "print_image_dpi" in items else "print_image_max_dpi"
        raise ctx.error(items[key][1], "output.print_image_dpi must be at least 150 and at most output.print_image_max_dpi")
    if not output.epub.endswith(".epub") or "/" in output.epub or output.epub.startswith("."):
        raise ctx.error(items["epub"][1], f"output.epub must be a file name ending in .epub, got {output.epub!r}")
    if not output.web or "/" in output.web or output.web.startswith(".") or output.web == "preview":
        raise ctx.error(items["web"][1], f"output.web must be a plain folder name such as 'web', got {output.web!r}")


def _parse_colours(ctx: _Ctx, node: yaml.Node, cfg: Config) -> None:
    """`role: "#rrggbb"` (print derived through the profile), or
    `role: {screen: "#rrggbb", print: "C M Y K"}` in percent (either may be left out)."""
    from .colours import parse_cmyk, parse_hex
    if not isinstance(node, yaml.MappingNode):
        raise ctx.error(node, f"'colours' must be a mapping of roles, not a {_node_kind(node)}")
    for knode, vnode in node.value:
        role = str(knode.value)
        if not ROLE_NAME.match(role):
            raise ctx.error(knode, f"colour role '{role}' is not a name stylesheets can use",
                            hint="lower-case letters, digits and _ (it becomes var(--" + role.replace("_", "-") + "))")
        line = knode.start_mark.line + 1
        if isinstance(vnode, yaml.ScalarNode):
            screen, cmyk, cnode = _scalar(ctx, vnode, f"colours.{role}", str), None, vnode
            if parse_hex(screen) is None and parse_cmyk(screen) is not None:
                screen, cmyk = "", parse_cmyk(screen)
        else:
            items = _mapping(ctx, vnode, f"colours.{role}", {"screen", "print"})
            if not items:
                raise ctx.error(vnode, f"colours.{role} needs a screen or a print colour")
            screen = _scalar(ctx, items["screen"][1], f"colours.{role}.screen", str) if "screen" in items else ""
            cnode = items.get("screen", items.get("print"))[1]
            cmyk = None
            if "print" in items:
                pnode = items["print"][1]
                cmyk = parse_cmyk(_scalar(ctx, pnode, f"colours.{role}.print", str))
                if cmyk is None:
                    raise ctx.error(pnode, f"colours.{role}.print '{pnode.value}' is not a CMYK mix",
                                    hint="four percentages, cyan magenta yellow black: e.g. \"0 95 90 10\" or 0/0/0/100")
        if screen and parse_hex(screen) is None:
            raise ctx.error(cnode, f"colours.{role} '{screen}' is not a screen colour",
                            hint="write it as #rrggbb (e.g. \"#b2201f\", quoted) or give print: \"C M Y K\" in percent")
        cfg.colours[role] = Colour(screen, cmyk, line)


def _check_url(ctx: _Ctx, node: yaml.Node, url: str) -> str:
    """A web address a phone can open from a QR code: http(s), a host, no spaces."""
    from urllib.parse import urlsplit
    url = url.strip()
    hint = "write the whole address, like https://example.org/2020-12/ (with https:// and no spaces)"
    if any(ch.isspace() for ch in url):
        raise ctx.error(node, f"digital.url '{url}' contains a space", hint)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port                                       # raises on a port that is not a number
    except ValueError:
        raise ctx.error(node, f"digital.url '{url}' is not a web address", hint) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ctx.error(node, f"digital.url '{url}' must start with https:// or http://", hint)
    if "." not in host.strip(".") and ":" not in host:
        raise ctx.error(node, f"digital.url '{url}' has no host name (like example.org)", hint)
    if len(url) > MAX_URL_LENGTH:
        raise ctx.error(node, f"digital.url is {len(url)} characters long; a QR code of more than "
                              f"{MAX_URL_LENGTH} is hard to scan at the back cover's size",
                        "use a shorter address (a short link that redirects to the web edition)")
    return url


def _parse_trim(ctx: _Ctx, node: yaml.Node) -> Trim:
    if isinstance(node, yaml.ScalarNode):
        name = str(node.value)
        if name not in TRIM_PRESETS:
            close = difflib.get_close_matches(name, list(TRIM_PRESETS), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "or give {width: 210, height: 285} in mm"
            raise ctx.error(node, f"unknown trim size '{name}' (known: {', '.join(TRIM_PRESETS)})", hint)
        w, h = TRIM_PRESETS[name]
        return Trim(w, h, name)
    items = _mapping(ctx, node, "trim", {"width", "height"})
    for req in ("width", "height"):
        if req not in items:
            raise ctx.error(node, f"trim needs '{req}' (in mm)")
    w = _scalar(ctx, items["width"][1], "trim.width", float)
    h = _scalar(ctx, items["height"][1], "trim.height", float)
    if not (50 <= w <= 1000 and 50 <= h <= 1000):
        raise ctx.error(node, f"trim {w:g}×{h:g} mm is out of range (50–1000 mm)")
    return Trim(w, h, f"{w:g}×{h:g}mm")


def _parse_fonts(ctx: _Ctx, node: yaml.Node, cfg: Config) -> None:
    for role, (_, rnode) in _mapping(ctx, node, "fonts", set(FONT_ROLES)).items():
        if isinstance(rnode, yaml.ScalarNode):
            cfg.fonts[role] = {"regular": _scalar(ctx, rnode, f"fonts.{role}", str)}
            cfg.fonts[role].setdefault("bold", cfg.fonts[role]["regular"])
            cfg.font_lines.update({f"{role}.regular": rnode.start_mark.line + 1, f"{role}.bold": rnode.start_mark.line + 1})
            continue
        faces = _mapping(ctx, rnode, f"fonts.{role}", {"regular", "bold"})
        cfg.fonts[role] = {k: _scalar(ctx, v, f"fonts.{role}.{k}", str) for k, (_, v) in faces.items()}
        cfg.font_lines.update({f"{role}.{k}": v.start_mark.line + 1 for k, (_, v) in faces.items()})
        if "regular" not in cfg.fonts[role]:
            raise ctx.error(rnode, f"fonts.{role} needs a 'regular' face")


def _parse_units(ctx: _Ctx, node: yaml.Node, root: Path) -> list[Unit]:
    if not isinstance(node, yaml.SequenceNode):
        raise ctx.error(node, "'units' must be a list of content files, one '- content/….md' per line")
    units = []
    seen: dict[str, int] = {}
    for item in node.value:
        rel = _scalar(ctx, item, "units", str)
        line = item.start_mark.line + 1
        if rel in seen:
            raise ctx.error(item, f"unit '{rel}' is listed twice (first on line {seen[rel]})")
        seen[rel] = line
        p = (root / rel).resolve()
        if not p.is_relative_to(root.resolve()):
            raise ctx.error(item, f"unit '{rel}' is outside the project folder")
        if not p.is_file():
            hint = None
            cdir = root / "content"
            if cdir.is_dir():
                names = [f"content/{f.name}" for f in cdir.glob("*.md")]
                close = difflib.get_close_matches(rel, names, n=1)
                if close:
                    hint = f"did you mean '{close[0]}'?"
            raise ctx.error(item, f"unit file '{rel}' does not exist", hint)
        units.append(Unit(p, line))
    if not units:
        raise ctx.error(node, "'units' is empty: list at least one content file")
    return units


def _check_geometry(ctx: _Ctx, cfg: Config, root: yaml.Node) -> None:
    m = cfg.margins
    if m.inner + m.outer >= cfg.trim.width * 0.8 or m.top + m.bottom >= cfg.trim.height * 0.8:
        raise ctx.error(root, f"margins leave almost no text area on a {cfg.trim.width:g}×{cfg.trim.height:g} mm page")


def find_project(start: Path) -> Path:
    """The folder holding booklet.yaml: *start* itself or one of its parents."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise BookletError(
        f"no {CONFIG_NAME} found in {start.name or start} or its parent folders",
        hint="run inside a booklet project, pass --project PATH, or create one with 'booklet new FOLDER'",
    )


def load_config(project: Path) -> Config:
    path = project / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BookletError(f"{CONFIG_NAME} not found", where=str(project.name), hint="create one with 'booklet new'") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BookletError("the file is not UTF-8 text", where=f"{CONFIG_NAME}, line {line}",
                           hint="save it as UTF-8 in your editor") from None
    return parse_config(text, path)
