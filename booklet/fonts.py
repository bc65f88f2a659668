"""The shipped fonts: where they are, what they cover, how they are installed.

The build never uses system fonts: every face is loaded by @font-face from
the project's fonts/ folder, and before rendering we check with fontTools
that every character of the content is covered by the face that will set
it. An uncovered character is an error naming it, never a tofu box or a
silent fallback to whatever fontconfig finds.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml
from fontTools.ttLib import TTCollection, TTFont

from .errors import BookletError

MANIFEST = "manifest.yaml"

# Characters that never reach a font: layout controls and spaces we set by CSS.
_IGNORED = {"\n", "\r", "\t", " ", "\u00a0", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u3000"}


@dataclass(frozen=True)
class Face:
    role: str
    weight: str        # "regular" or "bold"
    path: Path

    @property
    def family(self) -> str:
        """The CSS family name we give this role (never a system family name)."""
        return f"booklet-{self.role}"


def font_dirs(project: Path) -> list[Path]:
    """Where fonts are looked up: the project's own fonts/, then the tool's."""
    dirs = [project / "fonts"]
    env = os.environ.get("BOOKLET_FONT_DIR")
    if env:
        dirs.append(Path(env))
    dirs.append(Path(__file__).resolve().parents[1] / "fonts")
    seen, out = set(), []
    for d in dirs:
        r = d.resolve()
        if r not in seen:
            seen.add(r)
            out.append(d)
    return out


def resolve_faces(project: Path, fonts: dict[str, dict[str, str]]) -> list[Face]:
    faces = []
    dirs = font_dirs(project)
    for role, weights in fonts.items():
        for weight, name in weights.items():
            for d in dirs:
                if (d / name).is_file():
                    faces.append(Face(role, weight, (d / name).resolve()))
                    break
            else:
                raise BookletError(
                    f"font file '{name}' (fonts.{role}.{weight}) was not found in {project.name}/fonts/",
                    where="booklet.yaml",
                    hint="run the set-up command from README.md to install the shipped fonts, "
                         "or put the file in the project's fonts/ folder",
                )
    return faces


@functools.cache
def _harfbuzz():
    """HarfBuzz through ctypes, or None; WeasyPrint already needs the library."""
    import ctypes
    import ctypes.util
    for name in (ctypes.util.find_library("harfbuzz"), "libharfbuzz.so.0", "libharfbuzz.0.dylib"):
        if not name:
            continue
        try:
            hb = ctypes.CDLL(name)
        except OSError:
            continue
        p, u = ctypes.c_void_p, ctypes.c_uint
        for fn, res, args in (
                ("hb_blob_create_from_file", p, [ctypes.c_char_p]), ("hb_blob_destroy", None, [p]),
                ("hb_face_create", p, [p, u]), ("hb_face_destroy", None, [p]),
                ("hb_set_create", p, []), ("hb_set_destroy", None, [p]),
                ("hb_face_collect_unicodes", None, [p, p]),
                ("hb_set_next_range", ctypes.c_int, [p, ctypes.POINTER(u), ctypes.POINTER(u)]),
                ("hb_face_get_upem", u, [p]), ("hb_font_create", p, [p]), ("hb_font_destroy", None, [p]),
                ("hb_font_get_nominal_glyph", ctypes.c_int, [p, u, ctypes.POINTER(u)]),
                ("hb_font_get_glyph_h_advance", ctypes.c_int32, [p, u])):
            getattr(hb, fn).restype, getattr(hb, fn).argtypes = res, args
        return hb
    return None


def _harfbuzz_unicodes(path: Path) -> frozenset[int]:
    import ctypes
    hb = _harfbuzz()
    if hb is None:
        return frozenset()
    blob = hb.hb_blob_create_from_file(os.fsencode(path))
    face = hb.hb_face_create(blob, 0)
    unicodes = hb.hb_set_create()
    try:
        hb.hb_face_collect_unicodes(face, unicodes)
        first, last = ctypes.c_uint(0xFFFFFFFF), ctypes.c_uint(0xFFFFFFFF)   # HB_SET_VALUE_INVALID
        ranges = []
        while hb.hb_set_next_range(unicodes, ctypes.byref(first), ctypes.byref(last)):
            ranges.append(range(first.value, last.value + 1))
        return frozenset(itertools.chain.from_iterable(ranges))
    finally:
        hb.hb_set_destroy(unicodes)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


@functools.lru_cache(maxsize=32)
def _advance(path: Path, mtime: float, char: str) -> float:
    """Advance width of *char* in em (0 if the font lacks it)."""
    import ctypes
    hb = _harfbuzz()
    if hb is None:
        font = TTFont(path, lazy=True, fontNumber=0)
        try:
            glyph = (font.getBestCmap() or {}).get(ord(char))
            return font["hmtx"][glyph][0] / font["head"].unitsPerEm if glyph else 0.0
        finally:
            font.close()
    blob = hb.hb_blob_create_from_file(os.fsencode(path))
    face = hb.hb_face_create(blob, 0)
    font = hb.hb_font_create(face)          # scaled in font units
    try:
        glyph = ctypes.c_uint(0)
        if not hb.hb_font_get_nominal_glyph(font, ord(char), ctypes.byref(glyph)):
            return 0.0
        return hb.hb_font_get_glyph_h_advance(font, glyph.value) / hb.hb_face_get_upem(face)
    finally:
        hb.hb_font_destroy(font)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def narrow_quotes(path: Path) -> bool:
    """Does the font draw “ ” ‘ ’ at Latin width? Chinese text sets them full-width
    (clreq), and fonts such as LXGW WenKai only have the proportional forms."""
    return 0 < _advance(path, path.stat().st_mtime, "\u201c") < 0.75


@functools.lru_cache(maxsize=32)
def _cmap(path: Path, mtime: float) -> frozenset[int]:
    # HarfBuzz reads a CJK cmap in milliseconds; fontTools takes 0.3 s per font.
    found = _harfbuzz_unicodes(path)
    if found:
        return found
    font = TTFont(path, lazy=True, fontNumber=0)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def coverage(path: Path) -> frozenset[int]:
    """Code points a font file maps; cached per file and mtime (fonts are 15-25 MB)."""
    return _cmap(path, path.stat().st_mtime)


_UNCOVERED: dict = {}      # (text, font path, its mtime) → uncovered(): a rebuild checks mostly the same texts


def uncovered(text: str, path: Path) -> list[str]:
    key = (text, str(path), path.stat().st_mtime)
    if key not in _UNCOVERED:
        if len(_UNCOVERED) > 4096:
            _UNCOVERED.clear()
        _UNCOVERED[key] = _uncovered(text, path)
    return list(_UNCOVERED[key])


def _uncovered(text: str, path: Path) -> list[str]:
    cmap = coverage(path)
    missing = []
    for ch in set(text):
        if ch in _IGNORED:
            continue
        if ord(ch) not in cmap:
            missing.append(ch)
    return sorted(missing)


def describe_char(ch: str) -> str:
    import unicodedata
    name = unicodedata.name(ch, "unnamed character")
    return f"'{ch}' (U+{ord(ch):04X} {name})"


# --------------------------------------------------------------------------
# Installing the shipped fonts from Debian packages (done by the set-up
# command, never by a build).

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_manifest(font_dir: Path) -> list[dict]:
    data = yaml.safe_load((font_dir / MANIFEST).read_text("utf-8"))
    return data["fonts"]


def install_fonts(font_dir: Path, *, log=print) -> list[Path]:
    """Create the fonts listed in the manifest from their Debian sources and verify them.

    Noto CJK comes as TrueType collections whose first face is the Japanese
    one; Chinese text needs the SC face (glyph variants and punctuation
    placement), so we extract face N from the collection with fontTools.
    """
    written = []
    for entry in load_manifest(font_dir):
        target = font_dir / entry["file"]
        if target.is_file() and _sha256(target) == entry["sha256"]:
            log(f"  font ok       {entry['file']}")
            written.append(target)
            continue
        source = Path(entry["source"]["path"])
        if not source.is_file():
            raise BookletError(
                f"font source {source} is missing",
                hint=f"install the Debian package '{entry['source']['package']}' (apt-get install {entry['source']['package']})",
            )
        src_sum = _sha256(source)
        if src_sum != entry["source"]["sha256"]:
            raise BookletError(
                f"font source {source} has sha256 {src_sum}, expected {entry['source']['sha256']}",
                hint="the Debian package version differs from the one recorded in fonts/manifest.yaml; "
                     "check the new version's licence and update the manifest",
            )
        tmp = target.with_suffix(target.suffix + ".tmp")
        if "face_index" in entry["source"]:
            face = TTCollection(source).fonts[entry["source"]["face_index"]]
            face.recalcTimestamp = False  # keep head.modified: the result must match its sha256
            face.save(tmp)
        else:
            shutil.copyfile(source, tmp)
        got = _sha256(tmp)
        if got != entry["sha256"]:
            tmp.unlink()
            raise BookletError(f"built font {entry['file']} has sha256 {got}, expected {entry['sha256']}")
        os.replace(tmp, target)
        log(f"  font built    {entry['file']}")
        written.append(target)
    return written


def debian_version(package: str) -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
