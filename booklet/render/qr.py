"""A QR code as an inline SVG path: vector on the page, sharp at any size.

The modules come from segno (a maintained, dependency-free encoder); each
row's runs of dark modules become one filled rectangle in a single path,
drawn by WeasyPrint as PDF path operators, never as an image. A white square
keeps the four-module quiet zone the standard asks for, whatever paper tint
is behind it; the <title> is the figure's alternative text in the tagged PDF.
"""

from __future__ import annotations

from markupsafe import Markup, escape

QUIET_ZONE = 4        # modules of white around the code (ISO/IEC 18004)


def qr_svg(text: str, *, dark: str = "#000000", title: str = "", css_class: str = "qr") -> Markup:
    """An <svg> drawing the QR code of *text* (error correction M)."""
    import segno

    code = segno.make(text, error="m", micro=False)
    rows = [list(row) for row in code.matrix]
    size = len(rows) + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    label = f"<title>{escape(title)}</title>" if title else ""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges">{label}'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path fill="{escape(dark)}" d="{"".join(runs)}"/></svg>'
    )
