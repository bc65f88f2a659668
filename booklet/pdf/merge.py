"""Merge page groups' PDFs (parallel/chunkpdf.py) into the booklet's PDF.

What a one-piece WeasyPrint build would write for the whole booklet is
rebuilt here from the pieces, generically (nothing here knows booklet's
layouts):

* pages, in order, with their boxes and annotations;
* fonts: one font per face, subset once for the glyphs of every group, by
  WeasyPrint's own font code (the same font a one-piece build embeds);
* named destinations: the real anchor of each name (a group's placeholder
  for an anchor in another group is dropped), sorted as WeasyPrint sorts;
* the outline, built over all pages by WeasyPrint's bookmark tree builder;
* the structure tree of a tagged PDF: one root element holding every
  group's elements in order, the parent tree renumbered (pages'
  StructParents, annotations' StructParent), role and class maps and ID
  trees united;
* catalogue entries (language, viewer preferences, mark info, metadata,
  output intents) and the document information from the first group.

Raises MergeError when the pieces cannot be merged faithfully; the caller
then writes the booklet in one piece.
"""

from __future__ import annotations

import io
import warnings
from types import SimpleNamespace

import pikepdf

from ..parallel.chunkpdf import PLACEHOLDER_KEY, ChunkPDF, merge_font_state
from .scan import font_dicts

_OWN_CATALOG_KEYS = {"/Type", "/Pages", "/Outlines", "/StructTreeRoot", "/Names", "/PageMode"}


class MergeError(Exception):
    """The groups' PDFs cannot be merged into what a one-piece build gives."""


def merge(chunks: list[ChunkPDF], font_files: dict[str, object]) -> bytes:
    """One PDF from the groups' PDFs. *font_files* maps a font digest to its
    file path (or content); chunks carry the content of fonts not in it."""
    if not chunks:
        raise MergeError("nothing to merge")
    sources = [pikepdf.open(io.BytesIO(c.pdf)) for c in chunks]
    try:
        out, version = merge_pdf(chunks, font_files, sources)
        with out:
            buffer = io.BytesIO()
            # the groups' streams are compressed already: copy them as they are
            out.save(buffer, min_version=version, compress_streams=True, deterministic_id=True,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none, recompress_flate=False,
                     object_stream_mode=pikepdf.ObjectStreamMode.disable)
            return buffer.getvalue()
    finally:
        for src in sources:
            src.close()


def merge_pdf(chunks: list[ChunkPDF], font_files: dict[str, object], sources: list) -> tuple[pikepdf.Pdf, str]:
    """The merged PDF, not yet saved, and the PDF version to save it in.

    *sources* are the groups' PDFs, open: the chunks' own (`chunk.pdf`), or
    those PDFs after the same page work done on each (an edition's pages,
    booklet.pdf.editions), which the merge carries as they are. They are
    only read, so the caller may keep them open for the next merge."""
    if not chunks or len(sources) != len(chunks):
        raise MergeError("nothing to merge")
    out = pikepdf.new()
    first = sources[0]
    offsets = _struct_offsets(sources)
    with warnings.catch_warnings():    # named destinations are carried below
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning") else UserWarning)
        for src, (offset, _) in zip(sources, offsets):
            start = len(out.pages)
            out.pages.extend(src.pages)
            if offset:
                _renumber(out.pages[start:], offset)
    for key, value in first.Root.items():
        if key not in _OWN_CATALOG_KEYS:
            out.Root[key] = _copy(out, first, value)
    if "/Info" in first.trailer:
        out.trailer.Info = _copy(out, first, first.trailer.Info)
    _merge_structure(out, sources, offsets)
    _merge_destinations(out, sources, chunks)
    _outline(out, chunks)
    _fonts(out, chunks, font_files)
    return out, max(src.pdf_version for src in sources)


def _renumber(pages, offset: int) -> None:
    """Move copied pages' and annotations' parent-tree keys after the previous groups'."""
    for page in pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset


def _copy(out, src, value):
    """*value* of *src* as an object of *out*. copy_foreign takes indirect
    objects only; a direct container is rebuilt around copies of its items
    (making it indirect in *src* would change a source kept for the next merge)."""
    if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(out, src, item) for key, item in value.items()})
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(out, src, item) for item in value])
    return value


# ---------------------------------------------------------------------------
# Structure tree.

def _parent_tree_items(root) -> list[tuple[int, object]]:
    tree = root.get("/ParentTree")
    if tree is None:
        return []
    return sorted(pikepdf.NumberTree(tree).items(), key=lambda item: item[0])


def _struct_offsets(sources) -> list:
    """Where each group's parent-tree keys go after the previous groups';
    returns, per group, (offset, its parent tree's items)."""
    offset = 0
    found = []
    for src in sources:
        root = src.Root.get("/StructTreeRoot")
        if root is None:
            found.append((0, []))
            continue
        items = _parent_tree_items(root)
        size = int(root.get("/ParentTreeNextKey", (items[-1][0] + 1) if items else 0))
        found.append((offset, items))
        offset += size
    return found


def _merge_structure(out, sources, offsets) -> None:
    roots = [src.Root.get("/StructTreeRoot") for src in sources]
    if all(r is None for r in roots):
        return
    if any(r is None for r in roots):
        raise MergeError("some groups are tagged and some are not")
    new_root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    top_kids: list = []
    document = None
    nums = pikepdf.Array()
    role_map, class_map, ids = pikepdf.Dictionary(), pikepdf.Dictionary(), {}
    for src, root, (offset, _) in zip(sources, roots, offsets):
        # The group's whole tree copied in one call (pikepdf's C++ copier; the
        # pages copied before map to the same objects), then taken apart here:
        # copying it piece by piece from Python was most of the merge's time.
        # The copied root itself is left unreferenced, so it is not saved.
        root = _copy(out, src, root)
        items = _parent_tree_items(root)
        kids = root.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        if len(kids) == 1 and isinstance(kids[0], pikepdf.Dictionary) and kids[0].get("/S") == pikepdf.Name.Document:
            copied = kids[0]
            if document is None:               # one Document element for the whole booklet
                document = copied
                document.P = new_root
                top_kids.append(document)
            else:
                inner = copied.get("/K")
                inner = list(inner) if isinstance(inner, pikepdf.Array) else ([] if inner is None else [inner])
                for kid in inner:
                    if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                        kid.P = document
                document.K = pikepdf.Array(list(document.get("/K", pikepdf.Array())) + inner)
        else:
            for copied in kids:
                if isinstance(copied, pikepdf.Dictionary) and "/P" in copied:
                    copied.P = new_root
                top_kids.append(copied)
        for key, value in items:
            nums.append(key + offset)
            nums.append(value)
        for name, value in (root.get("/RoleMap") or {}).items():
            if name not in role_map:
                role_map[name] = value
        for name, value in (root.get("/ClassMap") or {}).items():
            if name not in class_map:
                class_map[name] = value
        if "/IDTree" in root:
            for name, value in pikepdf.NameTree(root.IDTree).items():
                ids.setdefault(name, value)
    new_root.K = pikepdf.Array(top_kids)
    new_root.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=nums))
    if len(nums):
        new_root.ParentTreeNextKey = int(nums[-2]) + 1
    if len(role_map):
        new_root.RoleMap = role_map
    if len(class_map):
        new_root.ClassMap = class_map
    if ids:
        tree = pikepdf.NameTree.new(out)
        for name in sorted(ids):
            tree[name] = ids[name]
        new_root.IDTree = tree.obj
    if "/Namespaces" in roots[0]:
        new_root.Namespaces = _copy(out, sources[0], roots[0].Namespaces)
    out.Root.StructTreeRoot = new_root


# ---------------------------------------------------------------------------
# Named destinations and the outline.

def _merge_destinations(out, sources, chunks) -> None:
    found: dict[str, object] = {}
    wanted: set[str] = set()
    for src, chunk in zip(sources, chunks):
        names = src.Root.get("/Names")
        if names is None or "/Dests" not in names:
            continue
        stand_ins = set(chunk.placeholders)
        wanted |= stand_ins
        for name, dest in pikepdf.NameTree(names.Dests).items():
            if name not in stand_ins and name not in found:     # the first anchor of a name wins
                found[name] = _copy(out, src, dest)
    lost = sorted(wanted - set(found))
    if lost:
        raise MergeError("links to missing anchors: " + ", ".join(lost[:5]))
    if found:
        array = pikepdf.Array()
        for name in sorted(found):
            array.append(pikepdf.String(name))
            array.append(found[name])
        out.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=array))


def _outline(out, chunks) -> None:
    from weasyprint.document import Document
    pages = [SimpleNamespace(height=h, bookmarks=b) for c in chunks for h, b in c.pages]
    if len(pages) != len(out.pages):
        raise MergeError("page count differs from the groups' page lists")
    tree = Document.make_bookmark_tree(SimpleNamespace(pages=pages), 0.75, True)
    if not tree:
        return
    root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))

    def add(items, parent) -> int:
        """Write *items* under *parent*, as weasyprint.pdf.anchors.add_outlines does; return the count."""
        count = len(items)
        made = []
        for title, (page, x, y), children, state in items:
            entry = out.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([out.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
            entry.Parent = parent
            child_count = add(children, entry)
            entry.Count = -child_count if state == "closed" else child_count
            if state != "closed":
                count += child_count
            if made:
                entry.Prev = made[-1]
                made[-1].Next = entry
            made.append(entry)
        if made:
            parent.First, parent.Last = made[0], made[-1]
        return count

    root.Count = add(tree, root)
    out.Root.Outlines = root


# ---------------------------------------------------------------------------
# Fonts.

def _fonts(out, chunks, font_files) -> None:
    """One font per face for every group: WeasyPrint's font dictionaries,
    built once from the union of the groups' glyphs."""
    states: dict[str, dict] = {}
    options: dict = {}
    files = dict(font_files)
    for chunk in chunks:
        files.update(chunk.font_files)
        options = options or chunk.options
        if chunk.options and chunk.options != options:
            raise MergeError("groups were written with different font options")
        for key, state in chunk.fonts.items():
            if key in states:
                try:
                    merge_font_state(states[key], state)
                except ValueError as exc:
                    raise MergeError(str(exc)) from None
            else:
                states[key] = {**state, "widths": dict(state["widths"]), "to_unicode": dict(state["to_unicode"]),
                               "missing": dict(state["missing"])}
    merged = {}
    for key in sorted(states):
        made = _font_pdf(key, states[key], files, options)
        merged["/" + key] = _copy(out, made, made.Root.BookletFonts["/" + key])
    for font_dict in font_dicts(out):
        for name in list(font_dict.keys()):
            value = font_dict[name]
            if "/" + PLACEHOLDER_KEY in value:
                face = "/" + str(value["/" + PLACEHOLDER_KEY])
                if face not in merged:
                    raise MergeError(f"no font for {face}")
                font_dict[name] = merged[face]


_MADE: dict = {}          # a face's glyph set → the PDF holding its font (watch rebuilds reuse it)


def _font_pdf(key: str, state: dict, files: dict, options: dict):
    """A small PDF holding WeasyPrint's font dictionary for one face, subset
    to *state*'s glyphs; the same glyphs give the same (cached) PDF."""
    import pydyf
    from weasyprint.pdf.fonts import Font, build_fonts_dictionary

    identity = (key, state["digest"], tuple(sorted(state["to_unicode"].items())),
                tuple(sorted(state["widths"].items())), tuple(sorted(state["missing"].items())),
                state["used_in_forms"], tuple(sorted(options.items())))
    if identity in _MADE:
        return _MADE[identity]
    source = files.get(state["digest"])
    if source is None:
        raise MergeError(f"the file of font {state.get('family')} is unknown")
    font = Font.__new__(Font)
    font.__dict__.update(state)
    font.file_content, font.hb_face = _hb_face(source, state["index"])
    font.hb_font = None
    scratch = pydyf.PDF()
    built = build_fonts_dictionary(scratch, {key: font}, True, options.get("subset", True),
                                   {"hinting": options.get("hinting", False),
                                    "pdf_version": options.get("pdf_version")})
    scratch.add_object(built)
    scratch.catalog["BookletFonts"] = built.reference
    buffer = io.BytesIO()
    scratch.write(buffer, version=b"1.7", compress=False)
    if len(_MADE) > 64:
        _MADE.pop(next(iter(_MADE))).close()
    made = _MADE[identity] = pikepdf.open(io.BytesIO(buffer.getvalue()))
    return made


_FACES: dict = {}         # (font file, index, stamp) → HarfBuzz face (HarfBuzz maps the file)
_DECLARED: list = []
_KEEP: dict = {}          # font content digest → (content, face) for fonts known only by content


def _hb_face(source, index: int):
    """(file content, HarfBuzz face) for a font file path or content, as WeasyPrint's Font holds them."""
    from pathlib import Path

    from weasyprint.text.ffi import ffi, harfbuzz

    from ..fsutil import file_stamp
    from ..parallel.chunkpdf import font_digest
    if not _DECLARED:     # WeasyPrint's HarfBuzz bindings lack these; same library
        ffi.cdef("hb_blob_t * hb_blob_create_from_file (const char *file_name);"
                 "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);"
                 "hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode,"
                 " void *user_data, void *destroy);")
        _DECLARED.append(True)
    if isinstance(source, (str, Path)):
        key = (str(source), index, file_stamp(Path(source)))
        if key not in _FACES:
            blob = harfbuzz.hb_blob_create_from_file(str(source).encode())
            _FACES[key] = harfbuzz.hb_face_create(blob, index)
        return Path(source).read_bytes(), _FACES[key]
    data = bytes(source)
    digest = font_digest(data)
    if digest not in _KEEP:
        keep = ffi.new("char[]", data)     # HarfBuzz reads the bytes in place for the face's life
        blob = harfbuzz.hb_blob_create(keep, len(data), 1, ffi.NULL, ffi.NULL)   # 1 = HB_MEMORY_MODE_READONLY
        _KEEP[digest] = (keep, harfbuzz.hb_face_create(blob, index))
    return data, _KEEP[digest][1]
