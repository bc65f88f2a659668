"""Measured hot spots in WeasyPrint, fixed without changing a byte of its output.

* pydyf's ``PDF.page_references`` builds a fresh tuple of every page's
  reference each time it is read, and WeasyPrint reads it once per tagged
  element and per link (tags.py, anchors.py): for the 72-page sample that is
  315,000 generator steps and about a quarter of ``write_pdf``. We keep the
  tuple until a page is added.
* The stylesheet. Every document WeasyPrint lays out parses its ``<style>``
  again (tinycss2, then selectors and declarations validated): 0.06 s for
  booklet's 19 KB stylesheet, a quarter of laying out one speech, and
  `booklet watch` and the workers of a parallel build lay out many small
  documents with the same stylesheet. A parsed sheet is kept by its text,
  base URL, media type and font configuration and given to the next
  document: what parsing leaves behind (selectors, @page rules, layers,
  counter styles, colour profiles) is replayed into the new document, and
  so are the warnings it logged, so each document reports what a fresh
  parse would. Values with ``var()`` are validated when used and warn once
  per document: their once-flags are reset for each document too.
  Stylesheets that ``@import`` others are parsed each time (an imported
  file may change under the same text).
* Font files. Each PDF WeasyPrint writes copies every font it uses out of
  HarfBuzz (``Font.__init__``: the whole file, 15–25 MB for a CJK face,
  about 13 ms each), even where booklet then writes a placeholder for the
  font (a page group's PDF, booklet.parallel): a rebuild in `booklet
  watch` drew one group in 0.1 s, a quarter of it these copies. The copy
  of a face Pango gave is kept with a reference to the face, so the face
  (and its address) lives as long as the entry; subset faces WeasyPrint
  makes later are copied as before. The copies stay in memory (the
  sample's six faces: about 100 MB), bounded in total.

* Font faces. WeasyPrint copies the file of every ``@font-face`` into a
  temporary folder for Fontconfig (``FontConfiguration.add_font_face``):
  the sample's eight faces are 130 MB written on every cold build, 0.3 s
  before anything is laid out (a watch session or a parallel build's
  workers then share the registration). A face whose source is a file of
  the project is linked there instead (a hard link, else a symbolic one),
  after checking the bytes WeasyPrint read are the file's; anything else
  (a WOFF, a face from elsewhere, a filesystem without links) is written as
  before.

`install()` checks the WeasyPrint version: these reach into its internals.
"""

from __future__ import annotations

import contextvars
import logging
import os
import tempfile
from pathlib import Path

from ..errors import BookletError

REQUIRED_WEASYPRINT = "70.0"
_installed = False
_SHEETS: dict = {}             # (text, base URL, media type) → _Parsed
_MAX_SHEETS = 8


def _page_references(self):
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_booklet_page_references")
    if cached is None or cached[0] != len(kids):
        refs = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = self.__dict__["_booklet_page_references"] = (len(kids), refs)
    return cached[1]


class _Parsed:
    """What parsing one stylesheet text left behind, to give to the next document."""

    def __init__(self, sheet, font_config, page_rules, layers, counter_styles, colour_profiles, warnings):
        self.base_url = sheet.base_url
        self.matcher = sheet.matcher
        self.font_config = font_config
        self.page_rules = page_rules
        self.layers = layers
        self.counter_styles = counter_styles
        self.colour_profiles = colour_profiles
        self.warnings = warnings
        self.pending = _pending_values([sheet.matcher.id_selectors, sheet.matcher.class_selectors,
                                        sheet.matcher.lower_local_name_selectors,
                                        sheet.matcher.namespace_selectors, sheet.matcher.other_selectors,
                                        page_rules])


def _pending_values(root) -> list:
    """The var()-dependent values (weasyprint.css.tokens.Pending) inside parsed rules."""
    from weasyprint.css.tokens import Pending
    found, stack, seen = [], [root], set()
    while stack:
        item = stack.pop()
        if isinstance(item, Pending):
            found.append(item)
        elif isinstance(item, dict) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item)
    return found


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def _stylesheet(real):
    """A stand-in for weasyprint.css.CSS that reuses parsed <style> texts."""
    from weasyprint.logger import LOGGER

    def css(*args, **kwargs):
        string = kwargs.get("string")
        page_rules, layers = kwargs.get("page_rules"), kwargs.get("layers")
        counter_style, colour_profiles = kwargs.get("counter_style"), kwargs.get("color_profiles")
        font_config = kwargs.get("font_config")
        if (args or string is None or "@import" in string or kwargs.get("matcher") is not None
                or kwargs.get("layer") is not None or page_rules is None or layers is None
                or counter_style is None or colour_profiles is None or font_config is None
                or page_rules or layers):
            return real(*args, **kwargs)
        key = (string, kwargs.get("base_url"), kwargs.get("media_type", "print"))
        parsed = _SHEETS.get(key)
        if parsed is None or parsed.font_config is not font_config:
            counters_before, profiles_before = dict(counter_style), dict(colour_profiles)
            caught = _Warnings()
            LOGGER.addHandler(caught)
            try:
                sheet = real(*args, **kwargs)
            finally:
                LOGGER.removeHandler(caught)      # the document's own handlers heard them as usual
            parsed = _Parsed(sheet, font_config, list(page_rules), list(layers),
                             {k: v for k, v in counter_style.items() if counters_before.get(k) is not v},
                             {k: v for k, v in colour_profiles.items() if profiles_before.get(k) is not v},
                             caught.records)
            if len(_SHEETS) >= _MAX_SHEETS:
                _SHEETS.pop(next(iter(_SHEETS)))
            _SHEETS[key] = parsed
            return sheet
        sheet = real.__new__(real)
        sheet.base_url, sheet.matcher = parsed.base_url, parsed.matcher
        page_rules.extend(parsed.page_rules)
        layers.extend(parsed.layers)
        sheet.page_rules, sheet.layers = page_rules, layers
        counter_style.update(parsed.counter_styles)
        colour_profiles.update(parsed.colour_profiles)
        for value in parsed.pending:
            value._reported_error = False
        for record in parsed.warnings:
            LOGGER.handle(record)
        return sheet

    css.real = real
    return css


_LINKABLE: contextvars.ContextVar = contextvars.ContextVar("booklet_font_sources", default=())


class _FontFolder(type(Path())):
    """WeasyPrint's folder of font copies: a file it would write that is the
    same as a local font source (size and leading bytes) is linked instead."""

    def write_bytes(self, data):
        for source in _LINKABLE.get():
            try:
                if source.stat().st_size != len(data):
                    continue
                with open(source, "rb") as f:
                    if f.read(65536) != bytes(data[:65536]):
                        continue
            except OSError:
                continue
            for link in (os.link, os.symlink):
                try:
                    link(source, self)
                    return len(data)
                except OSError:
                    pass
        return super().write_bytes(data)


def _linked_font_faces(real):
    """A stand-in for FontConfiguration.add_font_face that links local font files (see above)."""
    from urllib.parse import unquote, urlsplit

    def add_font_face(self, rule_descriptors, url_fetcher):
        if self._folder is None:
            self._folder = _FontFolder(tempfile.mkdtemp(prefix="weasyprint-"))
        sources = []
        for kind, url in rule_descriptors.get("src", ()):
            if kind == "external" and url and url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path))
                if path.is_file():
                    sources.append(path.resolve())
        token = _LINKABLE.set(tuple(sources))
        try:
            return real(self, rule_descriptors, url_fetcher)
        finally:
            _LINKABLE.reset(token)

    add_font_face.real = real
    return add_font_face


_FACE_DATA: dict = {}          # HarfBuzz face address → (face reference, its blob's bytes)
_MAX_FACE_BYTES = 400_000_000  # a booklet's faces (one font configuration per process) fit many times


def _font_data(real_face, real_data):
    """Stand-ins for weasyprint.pdf.fonts' get_pango_font_hb_face and
    get_hb_object_data that share one copy of a Pango font's face data."""
    from weasyprint.text.ffi import ffi
    handed_out: dict = {}      # faces get_pango_font_hb_face returned, until their data is asked for

    def face(pango_font):
        hb_face = real_face(pango_font)
        handed_out[int(ffi.cast("uintptr_t", hb_face))] = hb_face
        return hb_face

    def data(hb_object, ot_color=None, glyph=None):
        address = int(ffi.cast("uintptr_t", hb_object))
        if ot_color is not None or handed_out.pop(address, None) is not hb_object:
            return real_data(hb_object, ot_color, glyph)
        kept = _FACE_DATA.get(address)
        if kept is None:
            # the entry holds a reference to the face: while it lives, no other face has its address
            kept = (hb_object, real_data(hb_object))
            total = sum(len(d or b"") for _, d in _FACE_DATA.values()) + len(kept[1] or b"")
            while _FACE_DATA and total > _MAX_FACE_BYTES:      # faces of font configurations let go
                total -= len(_FACE_DATA.pop(next(iter(_FACE_DATA)))[1] or b"")
            _FACE_DATA[address] = kept
        return kept[1]

    return face, data


def install() -> None:
    global _installed
    if not _installed:
        import pydyf
        import weasyprint
        import weasyprint.css
        if weasyprint.__version__ != REQUIRED_WEASYPRINT:
            raise BookletError(f"booklet.render.speedups needs WeasyPrint {REQUIRED_WEASYPRINT}, "
                               f"found {weasyprint.__version__}", where="booklet.render.speedups.install",
                               hint=f"pip install weasyprint=={REQUIRED_WEASYPRINT} (the speed-ups reach into "
                                    "internals that change between versions)")
        pydyf.PDF.page_references = property(_page_references)
        weasyprint.css.CSS = _stylesheet(weasyprint.css.CSS)
        import weasyprint.pdf.fonts as pdf_fonts
        pdf_fonts.get_pango_font_hb_face, pdf_fonts.get_hb_object_data = _font_data(
            pdf_fonts.get_pango_font_hb_face, pdf_fonts.get_hb_object_data)
        from weasyprint.text.fonts import FontConfiguration
        FontConfiguration.add_font_face = _linked_font_faces(FontConfiguration.add_font_face)
        _installed = True
