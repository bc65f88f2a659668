"""A Typst document with a booklet project's text: the benchmark's baseline.

Typst is what our users compare the tweak-and-look loop with. This writes
the same text (every unit's title, headings and paragraphs, every roster
and testimonial) on the same trim and margins with the same CJK fonts,
justified with first-line indents, each unit on a new page; it does not
try to match the design. Used only by bench/bench.py (the `typst` Python
package is the optional `bench` extra, never a user dependency).

    .venv/bin/python bench/typst_doc.py PROJECT OUT.typ
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _text(s: str) -> str:
    """Typst markup-safe text."""
    for ch in "\\#*_`$<>@[]=-+/~\"'":
        s = s.replace(ch, "\\" + ch)
    return s


def typst_source(project: Path) -> str:
    from booklet.config import load_config
    from booklet.content import load_content
    from booklet.fonts import resolve_faces

    cfg = load_config(project)
    content = load_content(project, [u.path for u in cfg.units], cfg.honourees)
    faces = resolve_faces(project, cfg.fonts)
    families = {}
    for face in faces:
        from fontTools.ttLib import TTFont
        families.setdefault(face.role, TTFont(face.path, lazy=True)["name"].getDebugName(1))
    body, heading = families.get("body", "Noto Serif CJK SC"), families.get("heading", "Noto Sans CJK SC")
    m = cfg.margins
    out = [f'#set page(width: {cfg.trim.width}mm, height: {cfg.trim.height}mm, '
           f'margin: (top: {m.top}mm, bottom: {m.bottom}mm, inside: {m.inner}mm, outside: {m.outer}mm), '
           f'numbering: "1")',
           f'#set text(font: "{body}", size: {cfg.typography.body_size}pt, lang: "zh")',
           f'#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: {cfg.typography.leading - 1:.2f}em)',
           f'#show heading: set text(font: "{heading}")',
           f"= {_text(cfg.title)}", ""]
    for unit in content.units:
        out.append("#pagebreak(weak: true)")
        if unit.title:
            out.append(f"== {_text(unit.title)}")
        for block in unit.blocks:
            if block.kind == "h2":
                out.append(f"=== {_text(block.text)}")
            elif block.text:
                out.append(_text(block.text))
            out.append("")
        if unit.kind in ("roster", "testimonials"):
            for person in content.honourees_for(unit.group):
                if unit.kind == "testimonials":
                    out.append("#pagebreak(weak: true)")
                    out.append(f"=== {_text(person.name)}")
                    out.extend(_text(p) + "\n" for p in person.testimonial)
                else:
                    out.append(f"{_text(person.name)} {_text(person.affiliation)} {_text(person.post)}\n")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    project, target = Path(argv[1]), Path(argv[2])
    target.write_text(typst_source(project), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
