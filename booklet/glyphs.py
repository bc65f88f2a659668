"""Glyph coverage: every printed character must exist in the face that sets it.

Checked with fontTools before rendering, because Pango would otherwise fall
back silently to any system font (or draw tofu) and the PDF would still
look like text to a quick test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .content import Content
from .fonts import Face, describe_char, uncovered
from .render.vertical import vertical_chars

# Which font roles may set each part of a unit (see layouts/booklet.css).
ROLES_BY_KIND = {
    "testimonials": ("quote",),
    "quote": ("quote",),
    "editors-note": ("quote",),
}


@dataclass
class Missing:
    char: str
    role: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: character {describe_char(self.char)} is not in any shipped font for the {self.role} text"


def _pieces(cfg: Config, content: Content, root: Path):
    """Yield (text, roles, where) for everything the booklet prints."""
    yaml_name = "booklet.yaml"
    for key in ("title", "subtitle", "issue", "date", "publisher"):
        value = getattr(cfg, key)
        if value:
            yield value, ("heading",), yaml_name
    yield "".join(vertical_chars(cfg.title)), ("vertical",), yaml_name
    yield "目录照片封面·｜　0123456789", ("heading", "vertical"), "layouts (fixed text)"
    for key in ("band", "seal"):
        value = getattr(cfg.ornaments, key)
        if value:
            yield value, ("vertical",), f"{yaml_name} (ornaments.{key})"
    for u in content.units:
        rel = str(u.path.relative_to(root)) if u.path.is_relative_to(root) else u.path.name
        body_roles = ROLES_BY_KIND.get(u.kind, ("body",))
        for key in ("title", "subtitle", "section", "author", "affiliation", "place", "date", "group"):
            value = getattr(u, key)
            if value:
                roles = ("heading", "quote") if key in ("author", "affiliation") else ("heading",)
                yield value, roles, f"{rel} (front matter '{key}')"
        if u.vertical_title or u.kind == "roster":
            yield "".join(vertical_chars(u.title or u.group)), ("vertical",), f"{rel} (vertical title)"
        for b in u.blocks:
            roles = ("heading",) if b.kind == "h2" else body_roles
            yield b.text, roles, f"{rel}, line {b.line}"
    hy = cfg.honourees
    for h in content.honourees:
        def where(key: str) -> str:
            return f"{hy}, line {h.line_of(key)} ({h.name}, '{key}')"
        yield h.name, ("heading",), where("name")
        if h.group:
            yield h.group, ("heading",), where("group")
        for key in ("gender", "ethnicity", "affiliation", "post"):
            if getattr(h, key):
                yield getattr(h, key), ("body", "heading"), where(key)
        for p in h.testimonial:
            yield p, ("quote",), where("testimonial")


def check_glyphs(cfg: Config, content: Content, faces: list[Face], root: Path) -> list[Missing]:
    by_role: dict[str, list[Face]] = {}
    for f in faces:
        by_role.setdefault(f.role, []).append(f)
    problems: list[Missing] = []
    seen: set[tuple[str, str, str]] = set()
    for text, roles, where in _pieces(cfg, content, root):
        for role in roles:
            for face in by_role.get(role, []):
                for ch in uncovered(text, face.path):
                    key = (ch, role, where)
                    if key not in seen:
                        seen.add(key)
                        problems.append(Missing(ch, f"{role} ({face.path.name})", where))
    return problems
