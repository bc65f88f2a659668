"""One page group's PDF, written so that it can be merged with the others.

Two things in a WeasyPrint PDF belong to the whole booklet, not to a group:

* Fonts. WeasyPrint subsets each face to the glyphs the document uses;
  subsetting a CJK face costs about 0.1 s whatever the number of glyphs,
  and per-group subsets of the sample's faces made its PDF six times larger
  (common characters repeat in every group). So a group's PDF gets a small
  placeholder font dictionary per face, and we keep what WeasyPrint knew of
  the face (glyph widths, the glyph → text map, its metrics) so the merge
  can subset each face once, for the glyphs of every group, with
  WeasyPrint's own code: the result is the font a one-piece build embeds.
* Links to another group (the contents' entries). WeasyPrint drops a link
  whose anchor is not in the document, so we give each such name a
  placeholder anchor; the merge keeps the real anchor and drops these.

Bookmarks (outline entries) are kept per page and the outline is built
once over all pages by the merge, with WeasyPrint's own tree builder, so
nesting across groups is what a one-piece build gives.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field

PLACEHOLDER_KEY = "BookletFont"      # marks a placeholder font dictionary
_UNPICKLABLE = ("hb_font", "hb_face", "file_content")


@dataclass
class ChunkPDF:
    """What the merge needs of one page group: its PDF and what that leaves out."""
    pdf: bytes
    fonts: dict[str, dict]                   # WeasyPrint font hash → its Font's attributes
    font_files: dict[str, bytes]             # font file digest → content, for files the merge cannot find
    pages: list[tuple[float, list]]          # per page: (height in CSS px, bookmarks)
    placeholders: list[str] = field(default_factory=list)   # anchor names that only stand in
    options: dict = field(default_factory=dict)             # font options WeasyPrint wrote with


def font_digest(data: bytes) -> str:
    """A cheap, safe identity for a font file: its size, table directory and tail.

    An sfnt's first bytes hold a checksum of every table, so two files that
    differ anywhere differ there (or in size); hashing 20 MB CJK files whole
    would cost more than the subsetting it serves.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(str(len(data)).encode())
    h.update(data[:65536])
    h.update(data[-65536:])
    return h.hexdigest()


def file_font_digest(path) -> str:
    from pathlib import Path
    with open(Path(path), "rb") as f:
        head = f.read(65536)
        size = f.seek(0, 2)
        f.seek(max(0, size - 65536))
        tail = f.read()
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    h.update(head)
    h.update(tail)
    return h.hexdigest()


@contextlib.contextmanager
def _deferred_fonts(record: dict, files: dict, known: set[str], options_out: dict):
    """Make WeasyPrint write placeholder font dictionaries and tell us the fonts."""
    import pydyf
    import weasyprint.pdf as wpdf

    real = wpdf.build_fonts_dictionary

    def placeholder_fonts(pdf, fonts, compress, subset, options):
        options_out.update(hinting=options["hinting"], pdf_version=options["pdf_version"], subset=subset)
        pdf_fonts = pydyf.Dictionary()
        for font in fonts.values():
            if font.hash not in record:
                digest = font_digest(font.file_content)
                if digest not in known and digest not in files:
                    files[digest] = bytes(font.file_content)
                state = {k: v for k, v in font.__dict__.items() if k not in _UNPICKLABLE}
                state["digest"] = digest
                record[font.hash] = state
            else:                                   # one face, several sizes: one font for both
                merge_font_state(record[font.hash], font.__dict__)
            placeholder = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type0", "BaseFont": font.name,
                                            PLACEHOLDER_KEY: pydyf.String(font.hash)})
            pdf.add_object(placeholder)
            pdf_fonts[font.hash] = placeholder.reference
        return pdf_fonts

    wpdf.build_fonts_dictionary = placeholder_fonts
    try:
        yield
    finally:
        wpdf.build_fonts_dictionary = real


def merge_font_state(into: dict, other: dict) -> None:
    """Add another group's use of a face to *into* (glyphs, widths, missing code points)."""
    into["widths"] = {**into["widths"], **other["widths"]}
    into["to_unicode"] = {**into["to_unicode"], **other["to_unicode"]}
    for codepoint, glyph in other["missing"].items():
        if into["missing"].get(codepoint, glyph) != glyph or (
                codepoint not in into["missing"] and glyph in into["missing"].values()):
            raise ValueError(f"font {into.get('family')}: two groups gave one missing glyph id to different characters")
        into["missing"][codepoint] = glyph
    into["used_in_forms"] = into["used_in_forms"] or other["used_in_forms"]


def write_chunk(document, pages, variant: str, known_fonts: set[str]) -> ChunkPDF:
    """Draw *pages* (WeasyPrint pages, laid out by *document* or another
    document of the same booklet) into a mergeable PDF."""
    placeholders: list[str] = []
    anchors = {name for page in pages for name in page.anchors}
    missing = sorted({name for page in pages for kind, name, _, _ in page.links
                      if kind == "internal" and name not in anchors})
    first = pages[0]
    for name in missing:                    # stands in for the anchor in another group
        first.anchors[name] = (0, 0, 0, 0)
        placeholders.append(name)
    fonts: dict[str, dict] = {}
    files: dict[str, bytes] = {}
    options: dict = {}
    try:
        with _deferred_fonts(fonts, files, known_fonts, options):
            data = document.copy(list(pages)).write_pdf(pdf_variant=variant or None)
    finally:
        for name in placeholders:
            del first.anchors[name]
    return ChunkPDF(data, fonts, files, [(p.height, list(p.bookmarks)) for p in pages], placeholders, options)
