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

from .config import SafeLoader
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


def resolve_faces(project: Path, fonts: dict[str, dict[str, str]], lines: dict[str, int] | None = None) -> list[Face]:
    """The font file of each role and weight; a missing or damaged file is a
    BookletError (WeasyPrint would silently fall back to a system font).
    *lines* gives the booklet.yaml line of each "role.weight" set there."""
    faces = []
    dirs = font_dirs(project)
    for role, weights in fonts.items():
        for weight, name in weights.items():
            for d in dirs:
                if (d / name).is_file():
                    faces.append(Face(role, weight, (d / name).resolve()))
                    coverage(faces[-1].path)
                    break
            else:
                line = (lines or {}).get(f"{role}.{weight}")
                raise BookletError(
                    f"font file '{name}' (fonts.{role}.{weight}"
                    f"{'' if line else ', the default'}) was not found in {project.name}/fonts/ or booklet's fonts/",
                    where=f"booklet.yaml, line {line}" if line else "booklet.yaml",
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


def _truncated(path: Path) -> str | None:
    """Why an OpenType/TrueType file (or collection) is cut short, or None.

    A font cut off after its character map still reads as covering every
    character, and WeasyPrint then drops it and sets the text in a system
    font: comparing the table directory with the file size catches it by
    reading a few hundred bytes.
    """
    import struct
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12:
            return None                      # too short to say: the readers below report it
        offsets = [0]
        if head[:4] == b"ttcf":
            count = struct.unpack(">I", head[8:12])[0]
            offsets = list(struct.unpack(f">{count}I", f.read(4 * count))) if count < 1000 else []
        elif head[:4] not in (b"OTTO", b"\x00\x01\x00\x00", b"true"):
            return None                      # WOFF, or not a font: the readers below report it
        for base in offsets:
            f.seek(base)
            header = f.read(12)
            if len(header) < 12:
                return f"the file ends at byte {size}, inside a font header"
            tables = struct.unpack(">H", header[4:6])[0]
            directory = f.read(16 * tables)
            if len(directory) < 16 * tables:
                return f"the file ends at byte {size}, inside the table directory"
            for i in range(tables):
                tag, _, offset, length = struct.unpack(">4sIII", directory[16 * i:16 * i + 16])
                if offset + length > size:
                    return (f"truncated: table '{tag.decode('latin-1').strip()}' ends at byte {offset + length}, "
                            f"the file has {size}")
    return None


@functools.lru_cache(maxsize=32)
def _cmap(path: Path, mtime: float) -> frozenset[int]:
    cut = _truncated(path)
    if cut:
        raise _damaged(path, cut)
    # HarfBuzz reads a CJK cmap in milliseconds; fontTools takes 0.3 s per font.
    found = _harfbuzz_unicodes(path)
    if found:
        return found
    # HarfBuzz reads a damaged file as an empty face: fontTools says what is wrong.
    try:
        font = TTFont(path, lazy=True, fontNumber=0)
        try:
            found = frozenset(font.getBestCmap() or {})
        finally:
            font.close()
    except Exception as exc:    # fontTools raises many types for a damaged file
        raise _damaged(path, str(exc) or type(exc).__name__) from None
    if not found:
        raise _damaged(path, "it maps no characters")
    return found


def _damaged(path: Path, why: str) -> BookletError:
    return BookletError(f"this font file is damaged or not a font ({why})", where=_font_name(path),
                        hint="replace it with a working copy (`booklet fonts install` rebuilds the shipped ones), "
                             "or remove it to use the font booklet ships")


def _font_name(path: Path) -> str:
    """The font file as the user knows it: fonts/NAME (the project's or booklet's)."""
    return f"{path.parent.name}/{path.name}"


def coverage(path: Path) -> frozenset[int]:
    """Code points a font file maps; cached per file and mtime (fonts are 15-25 MB).
    A file that is not a usable font is a BookletError naming it."""
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


_MANIFEST_KEYS = {"file": str, "sha256": str, "source": dict}
_SOURCE_KEYS = {"package": str, "path": str, "sha256": str}


def load_manifest(font_dir: Path) -> list[dict]:
    """The manifest's entries, checked: a mistake is one message with its line."""
    path = font_dir / MANIFEST
    where = f"{font_dir.name}/{MANIFEST}"
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise BookletError("the font manifest is missing", where=where,
                           hint="run the command inside a project whose fonts/ holds manifest.yaml, or pass --dir") from None
    except UnicodeDecodeError:
        raise BookletError("the file is not UTF-8 text", where=where) from None
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BookletError(f"not valid YAML: {exc.problem or exc.context}",
                           where=f"{where}, line {mark.line + 1 if mark else 1}") from None
    data = yaml.load(text, Loader=SafeLoader) if root is not None else None
    if not isinstance(data, dict) or not isinstance(data.get("fonts"), list):
        raise BookletError("the manifest must hold 'fonts:', a list of font entries", where=f"{where}, line 1")
    seq = next(v for k, v in root.value if k.value == "fonts")
    for entry, node in zip(data["fonts"], seq.value):
        at = f"{where}, line {node.start_mark.line + 1}"
        for keys, value in ((_MANIFEST_KEYS, entry), (_SOURCE_KEYS, entry.get("source") if isinstance(entry, dict) else None)):
            if not isinstance(value, dict):
                raise BookletError("each font entry needs file:, sha256: and source: {package:, path:, sha256:}", where=at)
            for key, kind in keys.items():
                if not isinstance(value.get(key), kind):
                    raise BookletError(f"the font entry needs '{key}' ({'text' if kind is str else 'a mapping'})", where=at)
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
