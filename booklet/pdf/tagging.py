"""From a tagged PDF to one that PDF/UA-1 validators and screen readers accept.

WeasyPrint 70 writes a structure tree (pdf_variant="pdf/ua-1"), but some
things in it fail ISO 14289-1 or mislead assistive technology, and all can be
repaired on the finished file, whichever process wrote which pages:

* **Links.** WeasyPrint gives every box inside a link its own link
  annotation (a contents entry with a title, a leader and a page number makes
  six), and each sits in the `Span` or `NonStruct` element of its box, not
  in a `Link` element (7.18.5-1); its `Contents` is the bare anchor name.
  An annotation that lies inside another one with the same target on the
  same page adds nothing for the mouse and five stops for the keyboard: it is
  removed. Each remaining one gets a `Link` element holding its OBJR and the
  link's content, and `Contents` becomes the text the reader sees: as
  booklet's structure hook (roles.py) wrote it, else read back from the
  page's marked content; a link broken over lines says all of it.
* **Content outside the tree.** Running heads and folios (WeasyPrint builds
  their elements without attaching them), and anything booklet's
  structure hook (booklet/pdf/roles.py) detached as decoration, are marked
  content whose structure element no reader can reach: they become
  `/Artifact` marked content, as ISO 14289-1 7.1 asks for page furniture.
* **Tab order.** Pages with annotations follow the structure (`/Tabs /S`).
* **List items** hold only a label and a body: WeasyPrint leaves the content
  of a bulleted item that starts with a link or a paragraph beside its `Lbl`.

The XMP identification (`pdfuaid:part`) is written with the rest of the
metadata by editions.py.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf

Name = pikepdf.Name
_BDC = pikepdf.Operator("BDC")
_BMC = pikepdf.Operator("BMC")
# Runs of leader or filler marks: read as one pause, not as fifty dots.
_LEADERS = re.compile(r"([.·•‧・…⋯_\-—－])\1{2,}")


@dataclass
class TaggingReport:
    tagged: bool = False
    links: int = 0                      # link annotations kept, each in a Link element
    duplicate_links: int = 0            # nested annotations removed
    artifacts: int = 0                  # marked-content sequences turned into artifacts
    problems: list[str] = field(default_factory=list)


def make_accessible(pdf: pikepdf.Pdf) -> TaggingReport:
    """Repair links, page furniture and tab order of a tagged PDF in place."""
    report = TaggingReport()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return report
    report.tagged = True
    tree = _Tree(pdf, root)
    _fix_list_items(pdf, tree)
    links = _fix_links(pdf, tree, report)
    _set_link_contents(pdf, tree, links)
    report.artifacts = _artifact_orphans(pdf, tree)
    for page in pdf.pages:
        if page.obj.get("/Annots"):
            page.obj.Tabs = Name.S
    return report


# ---------------------------------------------------------------------------
# The structure tree.

class _Tree:
    def __init__(self, pdf: pikepdf.Pdf, root: pikepdf.Dictionary):
        self.root = root
        self.parents = pikepdf.NumberTree(root.ParentTree)
        self.page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        self.reachable: set[tuple[int, int]] = set()
        self.elements: list[pikepdf.Dictionary] = []       # the reachable ones, as found
        stack = [root.get("/K")]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif _is_element(node) and node.objgen not in self.reachable:
                if node.objgen != (0, 0):
                    self.reachable.add(node.objgen)
                self.elements.append(node)
                if "/K" in node:
                    stack.append(node.K)

    def is_reachable(self, element) -> bool:
        return _is_element(element) and element.objgen in self.reachable

    def page_of(self, element) -> int | None:
        """The page index an element's marked content is on (/Pg, inherited)."""
        node, depth = element, 0
        while _is_element(node) and depth < 256:
            if "/Pg" in node:
                return self.page_index.get(node.Pg.objgen)
            node, depth = node.get("/P"), depth + 1
        return None

    def mcids(self, element, *, reachable_only: bool = True) -> list[tuple[int, int]]:
        """(page index, MCID) of the marked content under *element*, in order."""
        out: list[tuple[int, int]] = []

        def walk(node, page):
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid, page)
            elif isinstance(node, int):
                if page is not None:
                    out.append((page, int(node)))
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/Type") == Name.MCR:
                    pg = self.page_index.get(node.Pg.objgen) if "/Pg" in node else page
                    if pg is not None and "/MCID" in node:
                        out.append((pg, int(node.MCID)))
                elif _is_element(node) and (not reachable_only or self.is_reachable(node)):
                    pg = self.page_index.get(node.Pg.objgen) if "/Pg" in node else page
                    walk(node.get("/K"), pg)

        walk(element.get("/K"), self.page_of(element))
        return out


def _is_element(node) -> bool:
    return isinstance(node, pikepdf.Dictionary) and "/S" in node


def _kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _depth(element) -> int:
    d = 0
    while _is_element(element) and d < 256:
        element, d = element.get("/P"), d + 1
    return d


# ---------------------------------------------------------------------------
# Lists.

def _fix_list_items(pdf: pikepdf.Pdf, tree: _Tree) -> None:
    """An LI holds a label (Lbl) and a body (LBody), nothing else (ISO 14289-1
    7.2-20). WeasyPrint puts the content of a bulleted item whose first box is
    not anonymous (a block link, a paragraph) beside the Lbl: wrap it in an LBody."""
    for li in list(tree.elements):
        if li.S != Name.LI:
            continue
        kids = _kids(li)
        if all(_is_element(k) and k.S in (Name.Lbl, Name.LBody) for k in kids):
            continue
        out, run = [], []
        for kid in kids + [None]:
            if kid is None or (_is_element(kid) and kid.S in (Name.Lbl, Name.LBody)):
                if run:
                    out.append(_new_element(pdf, tree, Name.LBody, li, run))
                    run = []
                if kid is not None:
                    out.append(kid)
            else:
                run.append(kid)
        li.K = pikepdf.Array(out)


# ---------------------------------------------------------------------------
# Links.

@dataclass
class _Annot:
    obj: pikepdf.Dictionary
    rect: tuple[float, float, float, float]
    target: bytes
    element: pikepdf.Dictionary | None
    words_in: pikepdf.Dictionary | None = None      # where its words are, when not under its Link


def _rect(arr) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in arr)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(inner, outer, tol: float = 1.0) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _target(annot) -> bytes:
    for key in ("/Dest", "/A"):
        if key in annot:
            return key.encode() + annot[key].unparse(resolved=True)
    return b"?" + repr(annot.objgen).encode()


def _fix_links(pdf: pikepdf.Pdf, tree: _Tree, report: TaggingReport) -> list[_Annot]:
    kept_all: list[_Annot] = []
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not annots:
            continue
        links = []
        for a in annots:
            if a.get("/Subtype") != Name.Link or "/Rect" not in a:
                continue
            sp = a.get("/StructParent")
            element = tree.parents.get(int(sp)) if sp is not None else None
            links.append(_Annot(a, _rect(a.Rect), _target(a), element if _is_element(element) else None))
        # Outermost first: the biggest area, then the element nearest the root.
        links.sort(key=lambda x: (-(x.rect[2] - x.rect[0]) * (x.rect[3] - x.rect[1]),
                                  _depth(x.element) if x.element is not None else 1 << 16))
        kept: list[_Annot] = []
        dropped: set[tuple[int, int]] = set()
        for link in links:
            if any(k.target == link.target and _inside(link.rect, k.rect) for k in kept):
                _drop(link, tree)
                dropped.add(link.obj.objgen)
            else:
                kept.append(link)
        if dropped:
            page.obj.Annots = pikepdf.Array([a for a in annots if a.objgen not in dropped])
            report.duplicate_links += len(dropped)
        for link in kept:
            _into_link_element(pdf, link, tree, report)
        kept_all += kept
    report.links = len(kept_all)
    return kept_all


def _drop(link: _Annot, tree: _Tree) -> None:
    sp = link.obj.get("/StructParent")
    if link.element is not None:
        _remove_objr(link.element, link.obj)
    if sp is not None and int(sp) in tree.parents:
        del tree.parents[int(sp)]


def _remove_objr(element, annot) -> pikepdf.Dictionary | None:
    kids, found = [], None
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == Name.OBJR and kid.Obj.objgen == annot.objgen:
            found = kid
        else:
            kids.append(kid)
    element.K = pikepdf.Array(kids)
    return found


def _new_element(pdf: pikepdf.Pdf, tree: _Tree, kind: pikepdf.Name, parent, kids: list) -> pikepdf.Dictionary:
    """A new element of type *kind* under *parent*, taking over *kids*: their
    /P, and the parent-tree entries of their marked content and annotations."""
    new = pdf.make_indirect(pikepdf.Dictionary(Type=Name.StructElem, S=kind, P=parent, K=pikepdf.Array(kids)))
    if _is_element(parent) and "/Pg" in parent:
        new.Pg = parent.Pg
    page = tree.page_of(parent) if _is_element(parent) else None
    for kid in kids:
        if _is_element(kid):
            kid.P = new
        elif isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == Name.MCR):
            mcid = int(kid) if isinstance(kid, int) else int(kid.MCID)
            pg = page if isinstance(kid, int) or "/Pg" not in kid else tree.page_index.get(kid.Pg.objgen)
            _set_mcid_parent(pdf, tree, pg, mcid, new)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == Name.OBJR and "/StructParent" in kid.Obj:
            tree.parents[int(kid.Obj.StructParent)] = new
    if tree.is_reachable(parent):
        tree.reachable.add(new.objgen)
    return new


def _into_link_element(pdf: pikepdf.Pdf, link: _Annot, tree: _Tree, report: TaggingReport) -> None:
    """Make the annotation's structure parent a Link element holding its OBJR."""
    annot, element = link.obj, link.element
    if element is None:
        report.problems.append(f"a link annotation on page {_annot_page(pdf, annot)} is not in the structure tree")
        return
    if not tree.is_reachable(element):
        # Inside content detached as decoration: the link itself still counts.
        ancestor = element.get("/P")
        while _is_element(ancestor) and not tree.is_reachable(ancestor):
            ancestor = ancestor.get("/P")
        if not tree.is_reachable(ancestor):
            ancestor = next((k for k in _kids(tree.root) if tree.is_reachable(k)), None)
            if ancestor is None:
                report.problems.append("a link annotation has no place in the structure tree")
                return
        objr = _remove_objr(element, annot) or pdf.make_indirect(
            pikepdf.Dictionary(Type=Name.OBJR, Obj=annot, Pg=element.get("/Pg")))
        new = _new_element(pdf, tree, Name.Link, ancestor, [objr])
        ancestor.K = pikepdf.Array(_kids(ancestor) + [new])
        link.element, link.words_in = new, element
    elif element.S == Name.Link:
        return
    elif element.S == Name.Span:
        element.S = Name.Link            # an inline element: it becomes the link
    else:
        # A block (or NonStruct) holding the link: put a Link between it and its kids.
        new = _new_element(pdf, tree, Name.Link, element, _kids(element))
        element.K = pikepdf.Array([new])
        link.element = new


def _set_mcid_parent(pdf, tree: _Tree, page: int | None, mcid: int, element) -> None:
    if page is None:
        return
    sp = pdf.pages[page].obj.get("/StructParents")
    arr = tree.parents.get(int(sp)) if sp is not None else None
    if isinstance(arr, pikepdf.Array) and mcid < len(arr):
        arr[mcid] = element


def _annot_page(pdf, annot) -> str:
    for i, page in enumerate(pdf.pages, 1):
        if any(a.objgen == annot.objgen for a in page.obj.get("/Annots", [])):
            return str(i)
    return "?"


def _set_link_contents(pdf: pikepdf.Pdf, tree: _Tree, links: list[_Annot]) -> None:
    """`Contents` = the words of the link (a screen reader says them with "link")."""
    groups = _fragments(links)
    # Named already (booklet's structure hook, roles.py): join a broken link's parts.
    todo = []
    for group in groups:
        if all(_named(link.obj) for link in group):
            words = _join([str(link.obj.Contents) for link in group])
            for link in group:
                link.obj.Contents = pikepdf.String(words)
        else:
            todo.append(group)
    if not todo:
        return
    # Otherwise read the words from the page (pdfplumber: slower, any writer).
    wanted = {link.obj.objgen: (tree.mcids(link.words_in, reachable_only=False) if link.words_in is not None
                                else tree.mcids(link.element)) for g in todo for link in g if link.element is not None}
    pages = {page for ids in wanted.values() for page, _ in ids}
    chars = marked_chars(pdf, pages) if pages else {}
    for group in todo:
        keys = [key for link in group for key in wanted.get(link.obj.objgen, [])]
        words = _words([chars.get(key, []) for key in keys])
        for link in group:
            _set_contents(link, words)


def _named(annot) -> bool:
    """Whether Contents describes the link, rather than repeating its target
    (WeasyPrint's default: the anchor name or the URI)."""
    text = str(annot.get("/Contents", "")).strip()
    if not text:
        return False
    dest = annot.get("/Dest")
    action = annot.get("/A")
    targets = {str(dest) if isinstance(dest, pikepdf.String) else None,
               str(action.get("/URI")) if action is not None and "/URI" in action else None}
    return text not in targets


def _join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and part[:1].isascii() and part[:1].isalnum():
            out += " "
        out += part
    return out


def _fragments(links: list[_Annot]) -> list[list[_Annot]]:
    """Links grouped by what the reader sees as one link: a link broken over
    lines is one Link element per line, next to each other under one parent,
    all with the same target; each fragment says the whole link."""
    by_element = {link.element.objgen: link for link in links if link.element is not None}
    groups: list[list[_Annot]] = []
    done: set = set()
    for link in links:
        if link.obj.objgen in done:
            continue
        group = [link]
        parent = link.element.get("/P") if link.element is not None else None
        if _is_element(parent):
            siblings = [k for k in _kids(parent) if _is_element(k)]
            at = next((i for i, k in enumerate(siblings) if k.objgen == link.element.objgen), None)
            while at is not None and at + 1 < len(siblings):
                nxt = by_element.get(siblings[at + 1].objgen)
                if nxt is None or nxt.target != link.target:
                    break
                group.append(nxt)
                at += 1
        done.update(g.obj.objgen for g in group)
        groups.append(group)
    return groups


def _set_contents(link: _Annot, words: str) -> None:
    """The link's words; a link without text (an image) keeps its URI or name."""
    if not words:
        a = link.obj.get("/A")
        words = str(a.URI) if a is not None and "/URI" in a else str(link.obj.get("/Contents", ""))
    if words:
        link.obj.Contents = pikepdf.String(words)


def _words(runs: list[list[dict]]) -> str:
    """The text of marked-content runs, with a space where the eye sees a gap
    (a title and its author set apart on one line), leaders read as one space."""
    out, last = [], None
    for run in runs:
        for char in run:
            if last is not None and not out[-1].isspace():
                same_line = abs(char["top"] - last["top"]) < 0.5 * last["size"]
                gap = char["x0"] - last["x1"]
                latin = last["text"][-1:].isascii() and char["text"][:1].isascii()
                if (same_line and gap > 0.4 * last["size"]) or (not same_line and latin):
                    out.append(" ")
            out.append(char["text"])
            last = char
    return " ".join(_LEADERS.sub(" ", "".join(out)).split())


def marked_chars(pdf: pikepdf.Pdf, pages: set[int]) -> dict[tuple[int, int], list[dict]]:
    """{(page index, MCID): pdfplumber chars} for the given pages.

    Only those pages are copied out for pdfplumber (a contents page, not the book)."""
    import pdfplumber

    order = sorted(pages)
    part = pikepdf.new()
    for index in order:
        part.pages.append(pdf.pages[index])
    buf = io.BytesIO()
    part.save(buf)
    out: dict[tuple[int, int], list[dict]] = {}
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as doc:
        for index, page in zip(order, doc.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    out.setdefault((index, char["mcid"]), []).append(char)
    return out


# ---------------------------------------------------------------------------
# Artifacts.

def _artifact_orphans(pdf: pikepdf.Pdf, tree: _Tree) -> int:
    """Marked content whose element is not in the tree becomes /Artifact."""
    total = 0
    done: set[tuple[int, int]] = set()
    for page in pdf.pages:
        sp = page.obj.get("/StructParents")
        arr = tree.parents.get(int(sp)) if sp is not None else None
        if not isinstance(arr, pikepdf.Array):
            continue
        orphans = {i for i, el in enumerate(arr) if _is_element(el) and not tree.is_reachable(el)}
        if not orphans:
            continue
        holders = _holders(page.obj, done)
        # WeasyPrint writes `/Tag <</MCID n>> BDC`: a pattern finds them ten times faster
        # than parsing the stream. Each MCID marks one sequence; if the pattern does
        # not find each orphan once, the streams are parsed instead.
        fast = [_sub_pattern(_stream_bytes(h), orphans) for h, _ in holders]
        if sum(n for _, n in fast) == len(orphans):
            results = fast
        else:
            results = [_sub_parsed(h, orphans) for h, _ in holders]
        for (holder, is_page), (data, n) in zip(holders, results):
            if n:
                if is_page:
                    holder.Contents = pdf.make_stream(data)
                else:
                    holder.write(data)
                total += n
        for i in orphans:
            arr[i] = None
    return total


_MARKED = re.compile(rb"(?<![^\s])/[A-Za-z][\w.-]*\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC(?![^\s])")


def _sub_pattern(data: bytes, orphans: set[int]) -> tuple[bytes, int]:
    count = 0

    def repl(m):
        nonlocal count
        if int(m.group(1)) in orphans:
            count += 1
            return b"/Artifact BMC"
        return m.group(0)

    return _MARKED.sub(repl, data), count


def _sub_parsed(holder, orphans: set[int]) -> tuple[bytes, int]:
    resources = holder.get("/Resources")
    count, out = 0, []
    for inst in pikepdf.parse_content_stream(holder):
        if isinstance(inst, pikepdf.ContentStreamInstruction) and inst.operator == _BDC and len(inst.operands) == 2:
            props = inst.operands[1]
            if isinstance(props, pikepdf.Name) and resources is not None:
                props = (resources.get("/Properties") or {}).get(props)
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props and int(props.MCID) in orphans:
                out.append(pikepdf.ContentStreamInstruction([Name.Artifact], _BMC))
                count += 1
                continue
        out.append(inst)
    return pikepdf.unparse_content_stream(out), count


def _holders(page_obj, done: set) -> list[tuple[object, bool]]:
    """The page and the form XObjects it draws (groups hold marked content too)."""
    out = [(page_obj, True)]
    stack = [(page_obj.get("/Resources"), 0)]
    while stack:
        resources, depth = stack.pop()
        if resources is None or depth >= 8:
            continue
        for _, xobj in (resources.get("/XObject") or {}).items():
            if xobj.get("/Subtype") == Name.Form and xobj.objgen not in done:
                done.add(xobj.objgen)
                out.append((xobj, False))
                stack.append((xobj.get("/Resources"), depth + 1))
    return out


def _stream_bytes(holder) -> bytes:
    if isinstance(holder, pikepdf.Stream):
        return holder.read_bytes()
    contents = holder.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(c.read_bytes() for c in contents)
    return contents.read_bytes()
