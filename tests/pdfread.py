"""A built PDF read once, whichever tests read it.

Several tests measure the same session-built PDF (the sample's editions):
pdfplumber takes seconds to read 72 pages, and reading them again gives the
same answer. The memo is keyed by the file's bytes, so a PDF written again
is read again. Callers must not change what they get.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_MEMO: dict = {}


def _once(kind: str, path: Path, read):
    key = (kind, hashlib.sha256(Path(path).read_bytes()).hexdigest())
    if key not in _MEMO:
        _MEMO[key] = read()
    return _MEMO[key]


def page_texts(path: Path) -> list[str]:
    """Each page's text, spaces and line breaks taken out."""
    import pdfplumber

    def read():
        with pdfplumber.open(path) as pdf:
            return [(p.extract_text() or "").replace(" ", "").replace("\n", "") for p in pdf.pages]
    return _once("texts", path, read)


def page_chars(path: Path) -> list[tuple[tuple, list[dict]]]:
    """Each page's (bbox, characters as pdfplumber gives them)."""
    import pdfplumber

    def read():
        with pdfplumber.open(path) as pdf:
            return [(tuple(p.bbox), p.chars) for p in pdf.pages]
    return _once("chars", path, read)
