"""Measured hot spots in WeasyPrint's PDF writer, fixed without changing a byte.

pydyf's ``PDF.page_references`` builds a fresh tuple of every page's
reference each time it is read, and WeasyPrint reads it once per tagged
element and per link (tags.py, anchors.py): for the 72-page sample that is
315,000 generator steps and about a quarter of ``write_pdf``. We keep the
tuple until a page is added.
"""

from __future__ import annotations

_installed = False


def _page_references(self):
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_booklet_page_references")
    if cached is None or cached[0] != len(kids):
        refs = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = self.__dict__["_booklet_page_references"] = (len(kids), refs)
    return cached[1]


def install() -> None:
    global _installed
    if not _installed:
        import pydyf
        pydyf.PDF.page_references = property(_page_references)
        _installed = True
