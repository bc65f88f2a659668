"""The booklet as a sequence of reflowable documents, shared by EPUB and web.

A printed booklet is pages; a phone edition is documents a reader scrolls
through, one at a time. Both editions need the same split (which unit is a
document of its own, which honouree gets a page, in which order, under
which section) so they can never disagree on it: that is decided once here
from the structure of the content, and the layouts only dress it.

Rules: every titled unit is a document; a unit without a title (a photo
with its caption) belongs to the document before it, as it follows that
unit on the printed page; each honouree with a testimonial gets a
document after the testimonials unit that shows their group (once, even if
two units show the group). File names come from unit ids and honouree ids,
made unique.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..content import Content, Honouree, UnitContent
from ..render.templates import ImageLookup

SUMMARY_CHARS = 80          # a link preview shows about two lines of Chinese


@dataclass
class Doc:
    """One reflowable document: an EPUB content document, a web page."""
    name: str                               # file stem, unique in the edition
    title: str
    kind: str                               # "unit" or "honouree"
    section: str = ""
    units: list[UnitContent] = field(default_factory=list)   # a unit, then the untitled ones after it
    honouree: Honouree | None = None
    children: list["Doc"] = field(default_factory=list)      # the honourees of a testimonials unit
    parent: "Doc | None" = None

    @property
    def unit(self) -> UnitContent | None:
        return self.units[0] if self.units else None

    @property
    def summary(self) -> str:
        """The first words of the document, for link previews and search results."""
        if self.honouree is not None:
            text = "".join(self.honouree.testimonial[:1]) or f"{self.honouree.affiliation}{self.honouree.post}"
        else:
            text = next((b.text for u in self.units for b in u.blocks if b.kind == "p"), "")
            text = text or next((u.subtitle for u in self.units if u.subtitle), "")
        return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS - 1] + "…"


@dataclass
class Image:
    """An image the documents show: its source path in the project and what it depicts."""
    src: str                                # as written in content (images/…)
    path: Path
    kind: str                               # "portrait" or "photo"


@dataclass
class Reflow:
    config: Config
    content: Content
    project: Path
    docs: list[Doc]                                   # reading order, honourees after their unit
    top: list[Doc]                                    # the documents a contents list shows at its first level
    by_honouree: dict[str, Doc]                       # honouree id → their document
    images: dict[str, Image]                          # src → image, only those that exist
    missing: list[str] = field(default_factory=list)  # srcs the content names but images/ lacks

    def sections(self) -> list[tuple[str, list[Doc]]]:
        """Top-level documents grouped by their section, in order (a section may be '')."""
        groups: list[tuple[str, list[Doc]]] = []
        for doc in self.top:
            if groups and groups[-1][0] == doc.section:
                groups[-1][1].append(doc)
            else:
                groups.append((doc.section, [doc]))
        return groups

    def portrait(self, h: Honouree) -> str:
        """The src of the honouree's portrait, or '' when there is none to show."""
        src = ImageLookup(self.project).portrait(h)
        return src if src in self.images else ""


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]+", "-", text).strip("-")


def plan(cfg: Config, content: Content, project: Path) -> Reflow:
    """Order the content into documents (see the module docstring for the rules)."""
    docs: list[Doc] = []
    top: list[Doc] = []
    by_honouree: dict[str, Doc] = {}
    taken: set[str] = {"index", "nav", "cover", "contents"}

    def name_for(stem: str, prefix: str) -> str:
        base = _slug(stem) or prefix
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        return name

    for unit in content.units:
        if not unit.title and top:
            doc = top[-1]                   # an untitled unit continues the document before it
            doc.units.append(unit)
        else:
            doc = Doc(name=name_for(unit.id, "unit"), title=unit.title or unit.group or cfg.title, kind="unit",
                      section=unit.section, units=[unit])
            top.append(doc)
            docs.append(doc)
        if unit.kind == "testimonials":     # titled or not, each honouree who spoke gets a document
            for h in content.honourees_for(unit.group):
                if not h.testimonial or h.id in by_honouree:
                    continue
                child = Doc(name=name_for(f"h-{h.id}", "h"), title=h.name, kind="honouree",
                            section=unit.section, honouree=h, parent=doc)
                doc.children.append(child)
                by_honouree[h.id] = child
                docs.append(child)

    lookup = ImageLookup(project)
    images: dict[str, Image] = {}
    missing: list[str] = []

    def want(src: str, kind: str) -> None:
        if not src or src in images or src in missing:
            return
        path = lookup.resolve(src)
        if path is None:
            missing.append(src)
        else:
            images[src] = Image(src, path, kind)

    for doc in docs:
        for u in doc.units:
            for b in u.blocks:
                if b.kind == "figure":
                    want(b.src, "photo")
        if doc.honouree is not None:
            want(lookup.portrait(doc.honouree), "portrait")
    return Reflow(cfg, content, project, docs, top, by_honouree, images, missing)
