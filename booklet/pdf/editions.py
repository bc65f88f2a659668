"""PDF post-processing: the print and the digital edition from one rendering.

WeasyPrint lays the booklet out once (CSS `bleed`, no `marks`); both editions
are derived from that one rendering so they can never disagree on page
breaks:

* `make_print_edition(raw, cfg)`: correct page boxes (TrimBox = trim,
  BleedBox = trim + bleed, MediaBox = CropBox = BleedBox + a slug for the
  marks), crop and registration marks drawn outside the bleed, blank pages
  before the back cover up to `output.pages_multiple`, PDF/X keys and an
  output intent kept or added, fixed dates and XMP.
* `make_digital_edition(raw, cfg)`: cut to the trim (no bleed, no marks),
  document metadata, facing-page layout, images downsampled to
  `output.digital_image_dpi` at their placed size, and, when WeasyPrint
  tagged the pages, the repairs PDF/UA-1 needs (tagging.py) and its XMP
  identification.

Both are reproducible: dates come from `source_date` in booklet.yaml or the
SOURCE_DATE_EPOCH environment variable, IDs and subset tags are derived
from the content.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf

from ..colours import ColourPolicy, Profile, load_profile, policy_from_config
from ..errors import BookletError
from .colour import ColourReport, to_print_colours
from .scan import all_fonts
from .tagging import TaggingReport, make_accessible, name_pending_links

MM = 72.0 / 25.4
MARK_LINE = 0.25          # pt
MARK_LENGTH = 5.0         # mm
MIN_SLUG = 10.0           # mm: the MediaBox extends at least this far beyond the trim
PDFX_NAMES = {"pdf/x-1a": "PDF/X-1a:2003", "pdf/x-3": "PDF/X-3:2003", "pdf/x-4": "PDF/X-4"}
PDFX_MAX_VERSION = {"pdf/x-1a": "1.4", "pdf/x-3": "1.4", "pdf/x-4": "1.6"}


# ---------------------------------------------------------------------------
# Padding.

def _insert_blanks(pdf: pikepdf.Pdf, multiple: int) -> list[int]:
    """Insert blank pages before the back cover (the last page) so the count
    is a multiple of *multiple*; return the 1-based numbers of the blanks.

    A designer puts the spare pages just before the back cover (where they
    can serve as notes pages), never inside an article.
    """
    n = len(pdf.pages)
    need = (-n) % multiple if multiple > 1 else 0
    if not need or n == 0:
        return []
    last = pdf.pages[-1]
    at = max(n - 1, 0)
    for _ in range(need):
        blank = pikepdf.Dictionary(Type=pikepdf.Name.Page, Contents=pdf.make_stream(b""),
                                   Resources=pikepdf.Dictionary())
        for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox"):
            if box in last.obj:
                blank[box] = pikepdf.Array(list(last.obj[box]))
        pdf.pages.insert(at, pikepdf.Page(pdf.make_indirect(blank)))
    return list(range(at + 1, at + 1 + need))


# ---------------------------------------------------------------------------
# Dates, metadata, IDs.

def source_date(cfg) -> datetime | None:
    """The fixed build date: booklet.yaml's source_date, else SOURCE_DATE_EPOCH, else None."""
    text = (getattr(cfg, "source_date", "") or "").strip()
    if text:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise BookletError(f"source_date '{text}' is not an ISO date", where="booklet.yaml",
                               hint="write it like 2020-12-01 or 2020-12-01T00:00:00Z") from None
        return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError):
            raise BookletError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds",
                               hint="unset it or give a Unix timestamp such as 1606780800") from None
    return None


def _pdf_date(when: datetime) -> str:
    off = when.utcoffset() or (when - when)
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hh:02d}'{mm:02d}'"


def _xmp_date(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _content_digest(pdf: pikepdf.Pdf) -> str:
    """A hash of what the pages show (content streams as stored: the same
    content compresses to the same bytes, and decoding 70 pages costs a
    tenth of a second), for IDs that follow the content."""
    h = hashlib.sha256()
    for page in pdf.pages:
        for stream in _content_streams(page):
            h.update(stream.read_raw_bytes())
        h.update(b"\x00page")
    return h.hexdigest()


def _content_streams(page: pikepdf.Page):
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    if isinstance(contents, pikepdf.Array):
        return list(contents)
    return [contents]


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256("\x1f".join(parts).encode()).digest()[:16], version=4))


@dataclass
class _Meta:
    title: str
    author: str
    subject: str
    keywords: list[str]
    lang: str
    when: datetime | None


def _meta_from_cfg(cfg) -> _Meta:
    keywords = list(getattr(cfg, "keywords", []) or [])
    if not keywords:
        keywords = [k for k in (getattr(cfg, "issue", ""), getattr(cfg, "publisher", "")) if k]
    subject = cfg.subtitle or ""
    return _Meta(title=cfg.title, author=cfg.author or cfg.publisher or "", subject=subject,
                 keywords=keywords, lang=cfg.language or "zh-CN", when=source_date(cfg))


def _xmp_packet(meta: _Meta, when: datetime, producer: str, doc_id: str, instance_id: str,
                variant: str = "", ua: int = 0) -> bytes:
    e = lambda s: escape(str(s))  # noqa: E731
    props = ["<dc:format>application/pdf</dc:format>"]
    if meta.title:
        props.append(f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(meta.title)}</rdf:li></rdf:Alt></dc:title>')
    if meta.author:
        props.append(f"<dc:creator><rdf:Seq><rdf:li>{e(meta.author)}</rdf:li></rdf:Seq></dc:creator>")
    if meta.subject:
        props.append(f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(meta.subject)}</rdf:li>'
                     f"</rdf:Alt></dc:description>")
    if meta.keywords:
        items = "".join(f"<rdf:li>{e(k)}</rdf:li>" for k in meta.keywords)
        props.append(f"<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>")
        props.append(f"<pdf:Keywords>{e(', '.join(meta.keywords))}</pdf:Keywords>")
    if meta.lang:
        props.append(f"<dc:language><rdf:Bag><rdf:li>{e(meta.lang)}</rdf:li></rdf:Bag></dc:language>")
    props += [
        f"<pdf:Producer>{e(producer)}</pdf:Producer>",
        "<xmp:CreatorTool>booklet</xmp:CreatorTool>",
        f"<xmp:CreateDate>{_xmp_date(when)}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{_xmp_date(when)}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{_xmp_date(when)}</xmp:MetadataDate>",
        f"<xmpMM:DocumentID>uuid:{doc_id}</xmpMM:DocumentID>",
        f"<xmpMM:InstanceID>uuid:{instance_id}</xmpMM:InstanceID>",
        "<xmpMM:VersionID>1</xmpMM:VersionID>",
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
    ]
    if variant:
        name = PDFX_NAMES[variant]
        props.append("<pdf:Trapped>False</pdf:Trapped>")
        props.append(f"<pdfxid:GTS_PDFXVersion>{name}</pdfxid:GTS_PDFXVersion>")
        if variant != "pdf/x-4":
            props.append(f"<pdfx:GTS_PDFXVersion>{name}</pdfx:GTS_PDFXVersion>")
        if variant == "pdf/x-1a":
            props.append(f"<pdfx:GTS_PDFXConformance>{name}</pdfx:GTS_PDFXConformance>")
    if ua:
        props.append(f"<pdfuaid:part>{ua}</pdfuaid:part>")      # ISO 14289-1 5: the PDF/UA identification
    body = "\n    ".join(props)
    xml = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
   <rdf:Description rdf:about=""
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
     xmlns:xmp="http://ns.adobe.com/xap/1.0/"
     xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
     xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/"
     xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"
     xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
    {body}
   </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>
{' ' * 1024}
<?xpacket end="w"?>"""
    return xml.encode("utf-8")


def _write_metadata(pdf: pikepdf.Pdf, meta: _Meta, edition: str, variant: str = "", ua: int = 0) -> datetime:
    """Document info + XMP, with fixed dates; returns the date used.

    *ua* is the PDF/UA part the file claims (0: none)."""
    when = meta.when or datetime.now(timezone.utc).replace(microsecond=0)
    info = pdf.trailer.get("/Info")
    producer = str(info.get("/Producer", "WeasyPrint")) if info is not None else "WeasyPrint"
    if "booklet" not in producer:
        producer = f"{producer}; booklet (pikepdf {pikepdf.__version__})"
    new_info = pikepdf.Dictionary()
    if meta.title:
        new_info.Title = pikepdf.String(meta.title)
    if meta.author:
        new_info.Author = pikepdf.String(meta.author)
    if meta.subject:
        new_info.Subject = pikepdf.String(meta.subject)
    if meta.keywords:
        new_info.Keywords = pikepdf.String(", ".join(meta.keywords))
    new_info.Creator = pikepdf.String("booklet")
    new_info.Producer = pikepdf.String(producer)
    new_info.CreationDate = pikepdf.String(_pdf_date(when))
    new_info.ModDate = pikepdf.String(_pdf_date(when))
    if variant:
        new_info.Trapped = pikepdf.Name.False_
        if variant != "pdf/x-4":
            new_info.GTS_PDFXVersion = pikepdf.String(PDFX_NAMES[variant])
        if variant == "pdf/x-1a":
            new_info.GTS_PDFXConformance = pikepdf.String(PDFX_NAMES[variant])
    pdf.trailer.Info = pdf.make_indirect(new_info)
    doc_id = _uuid("booklet", meta.title, meta.author, meta.subject)
    instance_id = _uuid(doc_id, edition, variant, _content_digest(pdf), _xmp_date(when))
    xmp = pdf.make_stream(_xmp_packet(meta, when, producer, doc_id, instance_id, variant, ua))
    xmp.Type = pikepdf.Name.Metadata
    xmp.Subtype = pikepdf.Name.XML
    pdf.Root.Metadata = xmp
    if meta.lang:
        pdf.Root.Lang = pikepdf.String(meta.lang)
    return when


# ---------------------------------------------------------------------------
# Fonts.

def _font_file(fd):
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        if fd is not None and key in fd:
            return fd[key]
    return None


def _retag_subsets(pdf: pikepdf.Pdf) -> list[str]:
    """Give each subset font a tag derived from its glyph data.

    WeasyPrint's tags hash only the font's description, so two different
    subsets of one face (in two booklets sent to the same RIP) share a name;
    a tag from the subset itself is deterministic and unique per subset.
    Returns the font names after retagging.
    """
    names = []
    for font in all_fonts(pdf):
        desc = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        fd = desc.get("/FontDescriptor")
        ff = _font_file(fd)
        base = str(desc.get("/BaseFont", ""))[1:]
        if ff is None or len(base) < 8 or base[6] != "+" or not base[:6].isupper():
            names.append(base)
            continue
        tag = _subset_tag(ff, base[7:])
        new = pikepdf.Name("/" + tag + base[6:])
        desc.BaseFont = new
        fd.FontName = new
        if desc is not font:
            old_top = str(font.get("/BaseFont", ""))[1:]
            font.BaseFont = pikepdf.Name("/" + tag + old_top[6:]) if old_top[6:7] == "+" else new
        names.append(str(new)[1:])
    return names


_TAGS: dict[bytes, str] = {}      # a font program as stored (and its name) → its tag


def _subset_tag(font_file, name: str) -> str:
    """Six capitals from the font program's data. Decoding a CJK subset costs
    more than a rebuild in watch can afford: the same stored bytes under the
    same filters decode to the same data, so the tag is kept by those."""
    stored = hashlib.blake2b(font_file.read_raw_bytes(), digest_size=20)
    for key in ("/Filter", "/DecodeParms"):
        stored.update(font_file[key].unparse() if key in font_file else b"-")
    stored.update(name.encode())
    key = stored.digest()
    if key not in _TAGS:
        if len(_TAGS) > 256:
            _TAGS.clear()
        digest = hashlib.sha256(font_file.read_bytes() + name.encode()).digest()
        _TAGS[key] = "".join(chr(65 + b % 26) for b in digest[:6])
    return _TAGS[key]


def _bare_cff_for_old_pdf(pdf: pikepdf.Pdf) -> list[str]:
    """PDF before 1.6 (PDF/X-1a, X-3) cannot hold OpenType font programs
    (FontFile3 /OpenType); WeasyPrint embeds CFF-flavoured OpenType subsets that
    way. Store their bare CFF table instead (FontFile3 /CIDFontType0C) when
    that is exact: a CID-keyed CFF whose CIDs are its glyph ids, which is what
    WeasyPrint's subsetter (it keeps glyph ids) produces. Returns problems."""
    problems = []
    for font in all_fonts(pdf):
        if "/DescendantFonts" not in font:
            continue
        desc = font.DescendantFonts[0]
        fd = desc.get("/FontDescriptor")
        ff = fd.get("/FontFile3") if fd is not None else None
        if ff is None or ff.get("/Subtype") != pikepdf.Name.OpenType:
            continue
        name = str(desc.get("/BaseFont", "?"))[1:]
        try:
            data = _cid_keyed_cff(ff.read_bytes())
        except Exception as exc:  # noqa: BLE001 - leave the font as it is and say so
            problems.append(f"font {name}: cannot read its CFF table ({exc})")
            continue
        if data is None or desc.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            problems.append(f"font {name} is an OpenType font program, which needs PDF 1.6")
            continue
        ff.write(data)
        ff.Subtype = pikepdf.Name.CIDFontType0C
    return problems


def _cid_keyed_cff(otf_data: bytes) -> bytes | None:
    """The bare CFF of a CFF-flavoured OpenType font, with CID = glyph id
    (what Identity-H text with GIDs as codes needs), or None if not CID-keyed."""
    from fontTools.ttLib import TTFont

    otf = TTFont(io.BytesIO(otf_data), lazy=True, recalcBBoxes=False)
    cff = otf["CFF "].cff
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return None
    order = list(top.charset)
    wanted = [".notdef"] + [f"cid{i:05d}" for i in range(1, len(order))]
    if order == wanted:
        return otf.reader["CFF "]
    # Some glyphs keep their original CID (not their glyph id): renumber.
    strings = top.CharStrings
    strings.charStrings = {new: strings.charStrings[old] for old, new in zip(order, wanted)}
    top.charset = wanted
    out = io.BytesIO()
    cff.compile(out, otf)
    return out.getvalue()


def font_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    for font in all_fonts(pdf):
        if font.get("/Subtype") == pikepdf.Name.Type3:
            continue
        desc = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        name = str(desc.get("/BaseFont", "?"))[1:]
        if _font_file(desc.get("/FontDescriptor")) is None:
            problems.append(f"font {name} is not embedded")
        elif not (len(name) > 7 and name[6] == "+" and name[:6].isupper()):
            problems.append(f"font {name} is embedded whole, not subset")
    return problems


# ---------------------------------------------------------------------------
# Page boxes and marks.

def _rect(arr) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in arr)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _arr(rect) -> pikepdf.Array:
    return pikepdf.Array([round(v, 4) for v in rect])


def _grow(rect, d):
    return rect[0] - d, rect[1] - d, rect[2] + d, rect[3] + d


def _num(v: float) -> str:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def mark_geometry(bleed_mm: float) -> tuple[float, float, float]:
    """(offset, length, slug) in pt: crop marks start *offset* from the trim
    line (beyond the bleed), are *length* long, and the MediaBox extends
    *slug* beyond the trim."""
    offset = (max(bleed_mm, 2.5) + 0.5) * MM
    length = MARK_LENGTH * MM
    slug = max(MIN_SLUG * MM, offset + length + 1.5 * MM)
    return offset, length, slug


def _marks_stream(trim, bleed_mm: float, registration: bool) -> bytes:
    x0, y0, x1, y1 = trim
    off, ln, _ = mark_geometry(bleed_mm)
    ops = ["q", f"{_num(MARK_LINE)} w", "0 J 0 j [] 0 d", "1 1 1 1 K"]

    def line(ax, ay, bx, by):
        ops.append(f"{_num(ax)} {_num(ay)} m {_num(bx)} {_num(by)} l S")

    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            line(x + sx * off, y, x + sx * (off + ln), y)   # horizontal, on the trim line y
            line(x, y + sy * off, x, y + sy * (off + ln))   # vertical, on the trim line x
    if registration:
        r = 0.3 * ln
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        d = off + ln / 2
        for tx, ty in ((cx, y1 + d), (cx, y0 - d), (x0 - d, cy), (x1 + d, cy)):
            k = 0.5523 * r
            ops.append(f"{_num(tx + r)} {_num(ty)} m "
                       f"{_num(tx + r)} {_num(ty + k)} {_num(tx + k)} {_num(ty + r)} {_num(tx)} {_num(ty + r)} c "
                       f"{_num(tx - k)} {_num(ty + r)} {_num(tx - r)} {_num(ty + k)} {_num(tx - r)} {_num(ty)} c "
                       f"{_num(tx - r)} {_num(ty - k)} {_num(tx - k)} {_num(ty - r)} {_num(tx)} {_num(ty - r)} c "
                       f"{_num(tx + k)} {_num(ty - r)} {_num(tx + r)} {_num(ty - k)} {_num(tx + r)} {_num(ty)} c S")
            line(tx - ln / 2, ty, tx + ln / 2, ty)
            line(tx, ty - ln / 2, tx, ty + ln / 2)
    ops.append("Q")
    return ("\n".join(ops) + "\n").encode()


def _cut_to_trim(page: pikepdf.Page) -> None:
    trim = page.obj.get("/TrimBox")
    if trim is None:
        return
    box = _arr(_rect(trim))
    page.obj.MediaBox = box
    page.obj.CropBox = pikepdf.Array(list(box))
    page.obj.TrimBox = pikepdf.Array(list(box))
    for key in ("/BleedBox", "/ArtBox"):
        if key in page.obj:
            del page.obj[key]


# ---------------------------------------------------------------------------
# Output intent.

def _ensure_output_intent(pdf: pikepdf.Pdf, profile: Profile) -> str:
    """The PDF/X output intent: the CMYK profile embedded, described by its own name; returns the description.

    The shipped profile is no registered characterisation, so the identifier is
    'Custom' and the condition is the profile's description (PDF/X-4 requires
    the profile itself to be embedded; X-1a and X-3 accept it too).
    """
    stream = pdf.make_stream(profile.path.read_bytes())
    stream.N = 4
    oi = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name("/GTS_PDFX"),
                            OutputConditionIdentifier=pikepdf.String("Custom"),
                            OutputCondition=pikepdf.String(profile.description),
                            Info=pikepdf.String(profile.description),
                            RegistryName=pikepdf.String("http://www.color.org"),
                            DestOutputProfile=stream)
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(oi)])
    return f"{profile.description} (embedded from {profile.path.name})"


# ---------------------------------------------------------------------------
# The print edition.

@dataclass
class PrintReport:
    pages: int = 0
    blank_pages_added: int = 0
    blank_pages: list[int] = field(default_factory=list)   # 1-based page numbers of the blanks
    trim_pt: tuple = ()        # (x0, y0, x1, y1) of page 1
    bleed_pt: tuple = ()
    media_pt: tuple = ()
    marks: bool = True
    pdf_variant: str = ""
    output_intent: str = ""
    fonts: list[str] = field(default_factory=list)
    source_date: str = ""
    size: int = 0
    colour: ColourReport = field(default_factory=ColourReport)
    warnings: list[str] = field(default_factory=list)

    def inks(self) -> str:
        """One line on how the colours went to inks."""
        c = self.colour
        line = (f"inks: {len(c.roles)} colour role(s) as booklet.yaml sets them, {len(c.greys)} grey(s) in black ink "
                f"alone, {len(c.direct)} other colour(s) through the profile")
        if c.images_converted or c.images_resampled:
            line += (f"; {c.images_converted} image(s) to CMYK, {c.images_resampled} resampled to print resolution "
                     f"({c.image_bytes_before / 1e6:.1f} MB → {c.image_bytes_after / 1e6:.1f} MB)")
        return line

    def format(self) -> str:
        w, h = (self.trim_pt[2] - self.trim_pt[0]) / MM, (self.trim_pt[3] - self.trim_pt[1]) / MM
        mw, mh = (self.media_pt[2] - self.media_pt[0]) / MM, (self.media_pt[3] - self.media_pt[1]) / MM
        bleed = (self.trim_pt[0] - self.bleed_pt[0]) / MM
        lines = [f"print edition: {self.pages} pages, trim {w:.1f}×{h:.1f} mm, bleed {bleed:.1f} mm, "
                 f"sheet {mw:.1f}×{mh:.1f} mm, marks {'on' if self.marks else 'off'}"]
        if self.blank_pages:
            lines.append(f"  blank pages added: {', '.join(map(str, self.blank_pages))}")
        if self.pdf_variant:
            lines.append(f"  {PDFX_NAMES[self.pdf_variant]}, output intent {self.output_intent}")
        lines.append(f"  {self.inks()}")
        lines.append(f"  fonts: {len(self.fonts)} embedded subset(s)")
        lines.append(f"  dates: {self.source_date or 'build time (not reproducible)'}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _pdfx_content_warnings(pdf: pikepdf.Pdf, variant: str) -> list[str]:
    """What the page content does that the PDF/X variant forbids (we cannot fix it here)."""
    from .preflight import NO_TRANSPARENCY
    from .scan import RGB_KINDS, walk_pages

    transparent, rgb = [], []
    for scan in walk_pages(pdf):
        if scan.transparency:
            transparent.append(scan.page)
        if any(t.space in RGB_KINDS for t in scan.text) or any(i.colour_space in RGB_KINDS for i in scan.images):
            rgb.append(scan.page)
    out = []
    if transparent and variant in NO_TRANSPARENCY:
        out.append(f"{PDFX_NAMES[variant]} forbids transparency, used on page(s) {_page_list(transparent)} "
                   "(opacity, RGBA images): remove it from the layout or use pdf/x-4")
    if rgb and variant == "pdf/x-1a":
        out.append(f"{PDFX_NAMES[variant]} allows only CMYK and gray, RGB is used on page(s) {_page_list(rgb)}: "
                   "give colours as device-cmyk() in CSS and use CMYK images, or use pdf/x-4")
    return out


def _page_list(pages: list[int]) -> str:
    return ", ".join(map(str, pages)) if len(pages) <= 8 else f"{', '.join(map(str, pages[:8]))}, …"


def _save(pdf: pikepdf.Pdf, *, object_streams: bool, version: str = "", min_version: str = "") -> bytes:
    # QPDF keeps the first half of an existing /ID, and WeasyPrint's hashes the
    # whole raw file (random XMP DocumentID, build time): derive both from our content.
    if "/ID" in pdf.trailer:
        del pdf.trailer["/ID"]
    out = io.BytesIO()
    # Streams compressed already are copied as they are: decoding and
    # compressing them again gives the same pages and costs a fifth of a second.
    pdf.save(out, deterministic_id=True, compress_streams=True, force_version=version or None,
             min_version=(min_version or "") if not version else "",
             stream_decode_level=pikepdf.StreamDecodeLevel.none, recompress_flate=False,
             object_stream_mode=(pikepdf.ObjectStreamMode.generate if object_streams
                                 else pikepdf.ObjectStreamMode.disable))
    return out.getvalue()


def make_print_edition(raw: bytes, cfg, *, registration: bool = True,
                       policy: ColourPolicy | None = None) -> tuple[bytes, PrintReport]:
    """The file for the printer, from WeasyPrint's *raw* PDF (rendered with CSS `bleed`).

    Colours and images are converted to the inks of *policy* (by default the
    one booklet.yaml describes), so the file holds no RGB whatever the variant.
    """
    _variant(cfg)
    policy = policy or policy_from_config(cfg)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        colour = print_pages(pdf, policy)
        return finish_print(pdf, cfg, colour, pdf.pdf_version, registration=registration, policy=policy)


def _variant(cfg) -> str:
    variant = (cfg.output.pdf_variant or "").lower()
    if variant and variant not in PDFX_NAMES:
        raise BookletError(f"unknown PDF variant '{variant}'", where="booklet.yaml",
                           hint="use pdf/x-1a, pdf/x-3 or pdf/x-4")
    return variant


def print_pages(pdf: pikepdf.Pdf, policy: ColourPolicy, *, first_page: int = 1) -> ColourReport:
    """The print edition's work on pages, in place: colours and images to inks.
    A page group's PDF can have it done on its own (*first_page*: the
    booklet's number of its first page, for the report)."""
    return to_print_colours(pdf, policy, first_page=first_page)


def finish_print(pdf: pikepdf.Pdf, cfg, colour: ColourReport, pdf_version: str, *, registration: bool = True,
                 policy: ColourPolicy | None = None) -> tuple[bytes, PrintReport]:
    """The print edition from *pdf* whose pages print_pages() has done (one
    piece, or merged page groups): blank pages, boxes and marks, fonts,
    output intent, metadata; *pdf_version* is the version it was written in."""
    variant = _variant(cfg)
    policy = policy or policy_from_config(cfg)
    report = PrintReport(marks=bool(cfg.marks), pdf_variant=variant)
    want_w, want_h = cfg.trim.width * MM, cfg.trim.height * MM
    bleed = cfg.bleed * MM
    _, _, slug = mark_geometry(cfg.bleed)
    # The raw PDF may be WeasyPrint's tagged PDF 1.7 (the digital edition's write): nothing
    # in it needs more than the variant's version, except OpenType font programs (below).
    version = PDFX_MAX_VERSION[variant] if variant and pdf_version > PDFX_MAX_VERSION[variant] else ""
    report.colour = colour
    report.warnings += report.colour.notes()
    n_before = len(pdf.pages)
    report.blank_pages = _insert_blanks(pdf, cfg.output.pages_multiple)
    report.blank_pages_added = len(report.blank_pages)
    short_bleed = []
    for number, page in enumerate(pdf.pages, 1):
        if "/TrimBox" not in page.obj:
            raise BookletError(f"page {number} of the rendered PDF has no TrimBox",
                               hint="the layout must set @page { size: …; bleed: … }")
        x0, y0, x1, y1 = _rect(page.obj.TrimBox)
        if abs((x1 - x0) - want_w) > 0.6 or abs((y1 - y0) - want_h) > 0.6:
            raise BookletError(
                f"page {number} is {(x1 - x0) / MM:.1f}×{(y1 - y0) / MM:.1f} mm but the trim in booklet.yaml is "
                f"{cfg.trim.width:g}×{cfg.trim.height:g} mm",
                where="layouts/page.css", hint="@page size must be the trim size from booklet.yaml")
        trim = (x0, y0, x0 + want_w, y0 + want_h)
        painted = _rect(page.obj.MediaBox)
        if min(trim[0] - painted[0], trim[1] - painted[1], painted[2] - trim[2], painted[3] - trim[3]) < bleed - 0.05:
            short_bleed.append(number)
        bleed_box = _grow(trim, bleed)
        media = _grow(trim, slug) if cfg.marks else bleed_box
        # Clip what WeasyPrint drew to the bleed box: the slug is for marks only.
        page.contents_add(f"q {_num(bleed_box[0])} {_num(bleed_box[1])} {_num(bleed_box[2] - bleed_box[0])} "
                          f"{_num(bleed_box[3] - bleed_box[1])} re W n\n".encode(), prepend=True)
        tail = b"Q\n"
        if cfg.marks:
            tail += _marks_stream(trim, cfg.bleed, registration)
        page.contents_add(tail)
        page.obj.MediaBox = _arr(media)
        page.obj.CropBox = _arr(media)
        page.obj.BleedBox = _arr(bleed_box)
        page.obj.TrimBox = _arr(trim)
        if "/ArtBox" in page.obj:
            del page.obj["/ArtBox"]
        if variant and "/Annots" in page.obj:
            # PDF/X allows no annotations inside the bleed box; links are useless on paper anyway.
            del page.obj["/Annots"]
        if number == 1:
            report.trim_pt, report.bleed_pt, report.media_pt = trim, bleed_box, media
    if short_bleed:
        report.warnings.append(f"the layout paints less than the {cfg.bleed:g} mm bleed on "
                               f"{len(short_bleed)} page(s): check `bleed` in layouts/page.css")
    report.pages = len(pdf.pages)
    assert report.pages == n_before + report.blank_pages_added
    if (version or pdf_version) < "1.6":
        report.warnings += _bare_cff_for_old_pdf(pdf)
    report.fonts = _retag_subsets(pdf)
    report.warnings += font_problems(pdf)
    if variant:
        report.output_intent = _ensure_output_intent(pdf, load_profile(Path(policy.profile)))
    elif "/OutputIntents" in pdf.Root:
        del pdf.Root["/OutputIntents"]
    if variant:
        report.warnings += _pdfx_content_warnings(pdf, variant)
    meta = _meta_from_cfg(cfg)
    when = _write_metadata(pdf, meta, "print", variant)
    report.source_date = _xmp_date(when) if meta.when else ""
    if not meta.when:
        report.warnings.append("no source_date in booklet.yaml and no SOURCE_DATE_EPOCH: "
                               "the PDF carries the build time and is not reproducible")
    data = _save(pdf, object_streams=not variant or PDFX_MAX_VERSION[variant] >= "1.5", version=version,
                 min_version=pdf_version)
    report.size = len(data)
    return data, report


# ---------------------------------------------------------------------------
# The digital edition.

@dataclass
class DigitalReport:
    pages: int = 0
    size: int = 0
    images_downsampled: int = 0
    image_bytes_before: int = 0
    image_bytes_after: int = 0
    images_skipped: list[str] = field(default_factory=list)
    tagging: TaggingReport = field(default_factory=TaggingReport)
    warnings: list[str] = field(default_factory=list)

    def add(self, other: "DigitalReport", page_offset: int = 0) -> None:
        """Count in a page group's report (digital_pages); its page indexes move by *page_offset*."""
        self.images_downsampled += other.images_downsampled
        self.image_bytes_before += other.image_bytes_before
        self.image_bytes_after += other.image_bytes_after
        self.images_skipped += other.images_skipped
        self.tagging.add(other.tagging, page_offset)
        self.warnings += [w for w in other.warnings if w not in self.warnings]

    def format(self) -> str:
        text = (f"digital edition: {self.pages} pages, {self.size / 1e6:.2f} MB; "
                f"{self.images_downsampled} image(s) downsampled "
                f"({self.image_bytes_before / 1e6:.2f} MB → {self.image_bytes_after / 1e6:.2f} MB)")
        if self.tagging.tagged:
            text += (f"; PDF/UA-1: {self.tagging.links} link(s) tagged, {self.tagging.duplicate_links} nested "
                     f"duplicate(s) removed, {self.tagging.artifacts} artifact(s)")
        return text


def _downsample_images(pdf: pikepdf.Pdf, dpi: float, report: DigitalReport, tolerance: float = 1.25) -> None:
    from PIL import Image

    from .scan import walk_pages

    need: dict[tuple, list] = {}     # objgen -> [image object, required px w, required px h]
    for scan in walk_pages(pdf, _may_draw_images):
        for im in scan.images:
            if im.image is None or im.image.objgen == (0, 0):
                continue
            w_pt, h_pt = im.size_pt
            entry = need.setdefault(im.image.objgen, [im.image, 0.0, 0.0])
            entry[1] = max(entry[1], w_pt / 72.0 * dpi)
            entry[2] = max(entry[2], h_pt / 72.0 * dpi)
    for objgen in sorted(need):
        xobj, req_w, req_h = need[objgen]
        w, h = int(xobj.Width), int(xobj.Height)
        scale = max(req_w / w, req_h / h)
        if scale * tolerance >= 1 or xobj.get("/ImageMask", False) or "/Mask" in xobj:
            continue
        new_size = (max(1, round(w * scale)), max(1, round(h * scale)))
        try:
            pil = pikepdf.PdfImage(xobj).as_pil_image()
        except Exception as exc:  # noqa: BLE001 - unusual encodings are left as they are
            report.images_skipped.append(f"{w}×{h} image: {exc}")
            continue
        alpha = None
        if pil.mode in ("RGBA", "LA"):      # pikepdf folds the soft mask in
            alpha = pil.getchannel("A")
            pil = pil.convert("RGB" if pil.mode == "RGBA" else "L")
        if pil.mode not in ("RGB", "L"):
            report.images_skipped.append(f"{w}×{h} {pil.mode} image left as is")
            continue
        smask = xobj.get("/SMask")
        if smask is not None and alpha is None:
            try:
                alpha = pikepdf.PdfImage(smask).as_pil_image().convert("L")
            except Exception as exc:  # noqa: BLE001
                report.images_skipped.append(f"{w}×{h} image with an unreadable soft mask: {exc}")
                continue
        before = len(xobj.read_raw_bytes()) + (len(smask.read_raw_bytes()) if smask is not None else 0)
        small = pil.resize(new_size, Image.LANCZOS)
        jpeg = io.BytesIO()
        small.save(jpeg, "JPEG", quality=80, optimize=True, progressive=False)
        if smask is not None and alpha is not None:
            mask = alpha.resize(new_size, Image.LANCZOS)
            smask.write(_flate(mask.tobytes()), filter=pikepdf.Name.FlateDecode)
            smask.Width, smask.Height = new_size
            for key in ("/DecodeParms", "/Decode"):
                if key in smask:
                    del smask[key]
        encoded, filt = jpeg.getvalue(), pikepdf.Name.DCTDecode
        if xobj.get("/Filter") != pikepdf.Name.DCTDecode:
            # Lossless originals (PNG: drawings, logos) stay lossless when that is smaller.
            flate = _flate(small.tobytes())
            if len(flate) < len(encoded):
                encoded, filt = flate, pikepdf.Name.FlateDecode
        xobj.write(encoded, filter=filt)
        xobj.Width, xobj.Height = new_size
        xobj.BitsPerComponent = 8
        xobj.ColorSpace = pikepdf.Name.DeviceRGB if small.mode == "RGB" else pikepdf.Name.DeviceGray
        for key in ("/DecodeParms", "/Decode"):
            if key in xobj:
                del xobj[key]
        report.images_downsampled += 1
        report.image_bytes_before += before
        report.image_bytes_after += len(encoded)


def _may_draw_images(page: pikepdf.Page) -> bool:
    """Can this page draw an image XObject? (Reading its content costs far more.)"""
    def look(resources, depth=0) -> bool:
        if resources is None or depth > 8:
            return False
        for _, xobj in (resources.get("/XObject") or {}).items():
            if xobj.get("/Subtype") == pikepdf.Name.Image:
                return True
            if xobj.get("/Subtype") == pikepdf.Name.Form and look(xobj.get("/Resources"), depth + 1):
                return True
        return any(look(pattern.get("/Resources"), depth + 1) for _, pattern in (resources.get("/Pattern") or {}).items())
    return look(page.obj.get("/Resources"))


def _flate(data: bytes) -> bytes:
    import zlib
    return zlib.compress(data, 9)


def digital_edition(raw: bytes, cfg, *, pad_to_even: bool = True) -> tuple[bytes, DigitalReport]:
    """make_digital_edition with a report of what was done."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        report = digital_pages(pdf, cfg)
        data = finish_digital(pdf, cfg, report, pdf.pdf_version, pad_to_even=pad_to_even)
    return data, report


def digital_pages(pdf: pikepdf.Pdf, cfg, *, first_page: int = 1, read_words: bool = True) -> DigitalReport:
    """The digital edition's work on pages, in place: PDF/UA repairs, cut to the
    trim, images downsampled. A page group's PDF can have it done on its own
    (*first_page*: the booklet's number of its first page; *read_words* False
    while its fonts are placeholders, see tagging.make_accessible)."""
    report = DigitalReport()
    # First, while the pages are WeasyPrint's: links, artifacts, tab order (tagging.py).
    report.tagging = make_accessible(pdf, first_page=first_page, read_words=read_words)
    report.warnings += [f"PDF/UA: {p}" for p in report.tagging.problems]
    for page in pdf.pages:
        _cut_to_trim(page)
    _downsample_images(pdf, float(cfg.output.digital_image_dpi), report)
    return report


def finish_digital(pdf: pikepdf.Pdf, cfg, report: DigitalReport, pdf_version: str, *,
                   pad_to_even: bool = True) -> bytes:
    """The digital edition from *pdf* whose pages digital_pages() has done (one
    piece, or merged page groups): the whole document's part."""
    name_pending_links(pdf, report.tagging.pending)
    report.tagging.pending = []
    if pad_to_even:
        # Facing pages (TwoPageRight) show the back cover alone on the left only with an even count.
        _insert_blanks(pdf, 2)
    _retag_subsets(pdf)
    # The digital file is no PDF/X file, whatever the print file is.
    for key in ("/OutputIntents",):
        if key in pdf.Root:
            del pdf.Root[key]
    _write_metadata(pdf, _meta_from_cfg(cfg), "digital", ua=1 if report.tagging.tagged else 0)
    pdf.Root.PageLayout = pikepdf.Name.TwoPageRight
    if "/Outlines" in pdf.Root:
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    report.pages = len(pdf.pages)
    data = _save(pdf, object_streams=True, min_version=pdf_version)
    report.size = len(data)
    return data


def make_digital_edition(raw: bytes, cfg) -> bytes:
    """The reader's PDF: trimmed pages, metadata, facing pages, screen-resolution images."""
    return digital_edition(raw, cfg)[0]
