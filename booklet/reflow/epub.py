"""The EPUB 3 edition: reflowable, zh-CN, valid for EPUBCheck.

One XHTML content document per document of the model (model.py), a
navigation document with sections → units → honourees, a cover page whose
image is the print cover rendered by pdftoppm, the images resized for a
phone, and the layouts' epub.css. Fonts are left to the reading system
(phones have good Chinese fonts and readers choose their own); with
`output.epub_fonts: true` subsets of the shipped faces, cut by fontTools
to the characters the book uses, are embedded as WOFF.

The archive is reproducible: entries in a fixed order, dates from
`source_date` (or SOURCE_DATE_EPOCH), the identifier derived from the
title, issue and publisher, so an unchanged booklet gives the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import fsutil
from ..errors import BookletError
from ..fonts import Face
from ..pdf.editions import source_date
from .images import SIZES, ImageStore, Variant
from .model import Doc, Reflow
from .render import render_template

# Widest copy of each kind of image in the EPUB, in px: a phone screen at 2–3× density
# (taken from the web edition's widths, so each image is decoded and resized once).
WIDTHS = {"portrait": 720, "photo": 960}
CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""
FONT_ROLES = (("body", "regular"), ("heading", "bold"), ("quote", "regular"))


@dataclass
class Item:
    id: str
    href: str
    media_type: str
    properties: str = ""
    linear: bool = True


@dataclass
class Epub:
    data: bytes
    documents: int
    images: int
    fonts: list[str] = field(default_factory=list)


def make_epub(edition: Reflow, env: jinja2.Environment, store: ImageStore, *,
              cover: Path | None = None, faces: list[Face] | None = None) -> Epub:
    """The EPUB's bytes. *cover* is the rendered cover page; *faces* the fonts to embed (None: none)."""
    cfg = edition.config
    files: dict[str, bytes | Path] = {}         # path inside OEBPS/ → content
    manifest: list[Item] = []
    used: dict[str, Variant] = {}

    def image(src: str, kind: str) -> Variant | None:
        img = edition.images.get(src)
        if img is None:
            return None
        kind = "portrait" if kind in ("portrait", "thumb") else "photo"
        vs = store.variants(img.path, SIZES[kind][0])
        v = next((v for v in reversed(vs) if v.width <= WIDTHS[kind]), vs[0])
        used[v.name] = v
        return v

    def picture(src: str, alt: str, kind: str) -> Markup:
        v = image(src, kind)
        if v is None:
            return Markup("")
        return Markup('<img class="{k}" src="images/{n}" alt="{a}" width="{w}" height="{h}"/>').format(
            k=kind, n=v.name, a=alt, w=v.width, h=v.height)

    def href(doc: Doc) -> str:
        return f"{doc.name}.xhtml"

    ctx = dict(config=cfg, edition=edition, href=href, picture=picture, portrait=edition.portrait,
               doc_for=lambda h: edition.by_honouree.get(h.id), honourees_for=edition.content.honourees_for,
               colours=cfg.colours)

    cover_variant = None
    if cover is not None:
        cover_variant = store.variants(cover, SIZES["cover"][0])[-1]
    texts: dict[str, str] = {}
    texts["cover.xhtml"] = render_template(env, "epub/cover.xhtml", ctx, cover=_named(cover_variant, "images/"))
    texts["nav.xhtml"] = render_template(env, "epub/nav.xhtml", ctx)
    for doc in edition.docs:
        texts[href(doc)] = render_template(env, "epub/page.xhtml", ctx, doc=doc)

    fonts: list[dict] = []
    if faces:
        chars = _characters(texts.values())
        for role, weight in FONT_ROLES:
            face = next((f for f in faces if f.role == role and f.weight == weight), None) or \
                next((f for f in faces if f.role == role), None)
            if face is None:
                continue
            name = f"fonts/{role}.woff"
            files[name] = subset_font(face.path, chars, store.root.parent / "fonts")
            fonts.append({"family": face.family, "weight": face.weight, "href": name, "role": role})
            manifest.append(Item(f"font-{role}", name, "font/woff"))
    texts["epub.css"] = render_template(env, "epub/epub.css", ctx, fonts=fonts)

    manifest.append(Item("nav", "nav.xhtml", "application/xhtml+xml", "nav"))
    manifest.append(Item("cover", "cover.xhtml", "application/xhtml+xml"))
    manifest.append(Item("css", "epub.css", "text/css"))
    for doc in edition.docs:
        manifest.append(Item(f"d-{doc.name}", href(doc), "application/xhtml+xml"))
    if cover_variant is not None:
        files[f"images/{cover_variant.name}"] = cover_variant.path
        manifest.append(Item("cover-image", f"images/{cover_variant.name}", cover_variant.media_type, "cover-image"))
    for i, (name, v) in enumerate(sorted(used.items())):
        files[f"images/{name}"] = v.path
        manifest.append(Item(f"img-{i + 1}", f"images/{name}", v.media_type))
    spine = [Item("cover", "", "", linear=True), Item("nav", "", "")] + \
        [Item(f"d-{doc.name}", "", "") for doc in edition.docs]

    when = source_date(cfg) or datetime.now(timezone.utc)
    key = "\n".join((cfg.title, cfg.issue, cfg.publisher, cfg.date))
    opf = render_template(env, "epub/package.opf", ctx, manifest=manifest, spine=spine,
                          identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'booklet:' + key)}",
                          modified=when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                          date=when.strftime("%Y-%m-%d") if source_date(cfg) else "")
    files.update({k: v.encode("utf-8") for k, v in texts.items()})
    files["package.opf"] = opf.encode("utf-8")
    return Epub(_zip(files, when), len(edition.docs), len(used) + (cover_variant is not None),
                [f["role"] for f in fonts])


def _named(v: Variant | None, prefix: str):
    if v is None:
        return None
    return {"name": prefix + v.name, "width": v.width, "height": v.height}


def _characters(texts) -> str:
    """Every character the reader will see, from the rendered documents."""
    seen: set[str] = set()
    for t in texts:
        body = t.split("<body", 1)[-1]
        seen.update(html.unescape(re.sub(r"<[^>]*>", "", body)))
        seen.update(html.unescape("".join(re.findall(r'(?:alt|aria-label)="([^"]*)"', body))))
    seen.update("0123456789")
    return "".join(sorted(c for c in seen if not c.isspace() or c == "\u3000"))


def subset_font(path: Path, chars: str, cache: Path) -> bytes:
    """*path* cut to *chars* as WOFF; cached by font file and character set (subsetting CJK takes seconds)."""
    from fontTools import subset
    key = hashlib.sha256(f"{path.resolve()}|{fsutil.file_stamp(path)}|{chars}".encode()).hexdigest()[:16]
    cached = cache / f"{path.stem}-{key}.woff"
    if cached.is_file():
        return cached.read_bytes()
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    try:
        font = subset.load_font(str(path), opts, dontLoadGlyphNames=True)
    except Exception as exc:          # fontTools raises many types for a broken file
        raise BookletError(f"cannot read the font to embed it in the EPUB: {exc}", where=str(path.name)) from None
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    font.close()
    fsutil.write_bytes(cached, buf.getvalue())
    return buf.getvalue()


def _zip(files: dict[str, bytes | Path], when: datetime) -> bytes:
    """The OCF container: mimetype first and stored, then META-INF, then OEBPS."""
    stamp = max(when.astimezone(timezone.utc), datetime(1980, 1, 1, tzinfo=timezone.utc)).timetuple()[:6]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        def add(name: str, data: bytes, compress: bool) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=9 if compress else None)
        add("mimetype", b"application/epub+zip", False)
        add("META-INF/container.xml", CONTAINER.encode(), True)
        for name in sorted(files):
            data = files[name]
            if isinstance(data, Path):
                data = data.read_bytes()
            add(f"OEBPS/{name}", data, not name.endswith((".jpg", ".png", ".woff")))
    return buf.getvalue()
