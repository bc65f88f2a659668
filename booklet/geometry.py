"""Sizes that follow the page: default margins and the design's scale.

The design was drawn for 大16开 (210×285 mm) with a 171×243 mm text block.
On another trim it must neither spill (a testimonial is one page by design)
nor look lost, so the parts drawn to a size (portrait, panel, headings,
ornaments, cover) are multiplied by one factor: how much the text block
shrank or grew against the design's, on its tighter side. Body text is not
scaled: its size is a setting (typography.body_size). At 大16开 with the
default margins the factor is 1 and the design is exactly the drawn one.

page.css hands the factors to the stylesheets as --scale (text block) and
--page-scale (whole page, for the covers); images.py uses the same numbers
for the effective resolution of placed photos.
"""

from __future__ import annotations

#: The trim, margins (top, bottom, inner, outer) and text block the design was drawn at, in mm.
DESIGN_TRIM = (210.0, 285.0)
DESIGN_MARGINS = (20.0, 22.0, 22.0, 17.0)
DESIGN_BLOCK = (DESIGN_TRIM[0] - DESIGN_MARGINS[2] - DESIGN_MARGINS[3], DESIGN_TRIM[1] - DESIGN_MARGINS[0] - DESIGN_MARGINS[1])

#: Sizes the design places images at, in mm at scale 1 (see layouts/booklet.css).
PORTRAIT = (54.0, 72.0)
PHOTO_MAX_HEIGHT = 0.6        # a photo in running text is at most this share of the text block's height
COVER_PHOTO = (100.0, 150.0)
#: What the testimonial page takes above its text panel (ornament band, portrait row, gaps), mm at scale 1.
TESTIMONIAL_HEAD = 128.0


def page_scale(width: float, height: float) -> float:
    """The trim against the design's, on its tighter side."""
    return min(width / DESIGN_TRIM[0], height / DESIGN_TRIM[1])


def default_margins(width: float, height: float) -> tuple[float, float, float, float]:
    """(top, bottom, inner, outer) for a trim when booklet.yaml sets none: the
    design's margins scaled with the page, to the half millimetre."""
    s = page_scale(width, height)
    return tuple(round(m * s * 2) / 2 for m in DESIGN_MARGINS)


def scale(width: float, height: float, top: float, bottom: float, inner: float, outer: float) -> float:
    """The text block against the design's, on its tighter side."""
    block_w, block_h = width - inner - outer, height - top - bottom
    return min(block_w / DESIGN_BLOCK[0], block_h / DESIGN_BLOCK[1])


def placed_sizes(width: float, height: float, top: float, bottom: float, inner: float, outer: float) -> dict[str, tuple[float, float]]:
    """(width, height) in mm of each kind of image slot; a photo's is the largest frame it may take."""
    s = scale(width, height, top, bottom, inner, outer)
    ps = page_scale(width, height)
    block_w, block_h = width - inner - outer, height - top - bottom
    return {
        "portrait": (PORTRAIT[0] * s, PORTRAIT[1] * s),
        "photo": (block_w, block_h * PHOTO_MAX_HEIGHT),
        "cover": (COVER_PHOTO[0] * ps, COVER_PHOTO[1] * ps),
    }
