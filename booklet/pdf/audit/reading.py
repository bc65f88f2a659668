"""Reading a PDF's glyphs for the audit: side by side, and kept by page content.

Reading the glyphs (pdfminer interprets every content stream in Python) is
most of the audit's time: about 2 s of CPU for the 72-page sample, where a
bare WeasyPrint render takes 5. Two things make it cheaper without changing
a report:

* pages are read in forked processes, one run of consecutive pages per
  core, of about equal weight (the size of their content streams: a page of
  text has ten times a portrait page's operators); this process reads the
  first run meanwhile;
* with a cache folder (``booklet build`` and ``booklet audit`` use the
  project's ``.booklet-cache/audit/``), each page's glyphs are kept under a
  digest of everything the reading depends on: the page's boxes, its
  content streams and every object its resources reach (fonts with their
  widths and ToUnicode maps, forms; an image's pixels are left out, its
  dictionary is in). A page whose digest is known is not read again: after
  an edit, only the pages it changed. The cache is JSON (never pickle: a
  project folder may come from anyone), one file per audited PDF, holding
  the pages of its last audit only.

The checks themselves (lines, paragraphs across pages, the clreq rules)
run afterwards on all pages, in this process.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from booklet.errors import BookletError

from .lines import _glyphs_of
from .model import _Glyph

#: Bumped whenever what a page's glyphs are read as changes (lines._glyphs_of).
GLYPHS_VERSION = 1

_SHARED: tuple = ()       # the PDF's path, for the processes page_glyphs forks


def page_glyphs(path: Path, processes: int = 1, cache: Path | None = None) -> list[tuple]:
    """Per page: (trim box, upright glyphs, rotated glyphs), read or kept."""
    keys, weights = _pages(path)
    kept = _load(cache, path) if cache is not None else {}
    todo = [number for number, key in enumerate(keys, start=1) if key not in kept]
    fresh = _read(path, todo, [weights[n - 1] for n in todo], processes) if todo else {}
    entries = [kept[key] if key in kept else fresh[number] for number, key in enumerate(keys, start=1)]
    if cache is not None and (todo or len(kept) != len(set(keys))):
        _save(cache, path, dict(zip(keys, entries)))
    return [(tuple(trim), [_Glyph(*g) for g in upright], [_Glyph(*g) for g in rotated])
            for trim, upright, rotated in entries]


def _pages(path: Path) -> tuple[list[str], list[int]]:
    """Each page's digest (see the module's docstring) and reading weight."""
    import pdfminer
    import pdfplumber
    import pikepdf
    try:
        pdf = pikepdf.open(path)
    except Exception as exc:  # a damaged file: said as pdfplumber would
        raise BookletError(f"cannot read PDF ({exc})", where=str(path)) from exc
    keys, weights, memo = [], [], {}
    prefix = (f"booklet audit glyphs {GLYPHS_VERSION}, pdfminer {pdfminer.__version__}, "
              f"pdfplumber {pdfplumber.__version__}").encode()
    with pdf:
        for page in pdf.pages:
            node = page.obj
            while node is not None and "/Resources" not in node:      # inherited from the page tree
                node = node.get("/Parent")
            digest = hashlib.sha256(prefix)
            for box in ("/MediaBox", "/CropBox", "/TrimBox", "/Rotate", "/UserUnit"):
                digest.update(box.encode() + _digest(page.obj.get(box), memo))
            contents = page.obj.get("/Contents")
            streams = contents if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
            for stream in streams:
                digest.update(_digest(stream, memo))
            digest.update(b"/Resources" + _digest(node.get("/Resources") if node is not None else None, memo))
            keys.append(digest.hexdigest())
            weights.append(1000 + sum(int(s.get("/Length", 0)) for s in streams))
    return keys, weights


def _digest(obj, memo: dict) -> bytes:
    """A digest of *obj* and everything it reaches (an image's data left out)."""
    import pikepdf
    if obj is None:
        return b"null"
    indirect = isinstance(obj, pikepdf.Object) and obj.is_indirect
    if indirect:
        if obj.objgen in memo:
            return memo[obj.objgen]
        memo[obj.objgen] = b"cycle"
    h = hashlib.sha256()
    if isinstance(obj, pikepdf.Stream):
        h.update(b"stream")
        for key in sorted(obj.keys()):
            h.update(key.encode() + _digest(obj[key], memo))
        if obj.get("/Subtype") != pikepdf.Name.Image:
            h.update(obj.read_raw_bytes())
    elif isinstance(obj, pikepdf.Dictionary):
        h.update(b"dict")
        for key in sorted(obj.keys()):
            if key != "/Parent":
                h.update(key.encode() + _digest(obj[key], memo))
    elif isinstance(obj, pikepdf.Array):
        h.update(b"array")
        for item in obj:
            h.update(_digest(item, memo))
    else:
        h.update(repr(obj).encode())
    value = h.digest()
    if indirect:
        memo[obj.objgen] = value
    return value


def _read(path: Path, numbers: list[int], weights: list[int], processes: int) -> dict[int, list]:
    """Glyphs of pages *numbers*, in runs over *processes* when there are enough."""
    if processes < 2 or len(numbers) <= 8:
        return _read_pages(path, numbers)
    global _SHARED
    import pdfplumber  # noqa: F401  (imported once, before the fork)

    from booklet.parallel.pool import Forked, runs as weighed_runs
    runs = [numbers[a:b] for a, b in weighed_runs(weights, processes)]
    if len(runs) < 2:
        return _read_pages(path, numbers)
    _SHARED = (path,)
    try:
        with Forked(len(runs) - 1) as pool:       # this process reads the first run meanwhile
            later = pool.map_async(_read_shared, runs[1:], chunksize=1)
            found = _read_pages(path, runs[0])
            for part in later.get():
                found.update(part)
    finally:
        _SHARED = ()
    return found


def _read_shared(numbers: list[int]) -> dict[int, list]:
    return _read_pages(_SHARED[0], numbers)


def _read_pages(path: Path, numbers: list[int]) -> dict[int, list]:
    import pdfplumber  # heavy import; only the audit needs it
    found: dict[int, list] = {}
    try:
        pdf = pdfplumber.open(path, pages=numbers)
    except Exception as exc:  # pdfminer raises many unrelated types
        raise BookletError(f"cannot read PDF ({exc})", where=str(path)) from exc
    with pdf:
        for p in pdf.pages:
            trim = [float(v) for v in getattr(p, "trimbox", None) or p.mediabox]
            upright, rotated = _glyphs_of(p)
            p.close()
            found[p.page_number] = [trim, [_plain(g) for g in upright], [_plain(g) for g in rotated]]
    return found


def _plain(g: _Glyph) -> list:
    return [g.text, g.x0, g.x1, g.base, g.size, g.font]


def _cache_file(cache: Path, path: Path) -> Path:
    return cache / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:20] + ".json")


def _load(cache: Path, path: Path) -> dict:
    """The kept pages of the last audit of *path*; nothing if missing or damaged."""
    try:
        data = json.loads(_cache_file(cache, path).read_text("utf-8"))
        if data.get("version") == GLYPHS_VERSION and isinstance(data.get("pages"), dict):
            return data["pages"]
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def _save(cache: Path, path: Path, pages: dict) -> None:
    from booklet import fsutil
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fsutil.write_text(_cache_file(cache, path), json.dumps({"version": GLYPHS_VERSION, "pdf": path.name,
                                                                "pages": pages}, ensure_ascii=False))
    except (OSError, ValueError):
        pass                  # a cache that cannot be written costs time, never the audit
