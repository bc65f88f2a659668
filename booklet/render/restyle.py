"""Repaint laid-out pages after a colour-only stylesheet edit, without layout.

Changing a colour moves no box, yet WeasyPrint can only show it by laying
the whole booklet out again (about half of a build). When stylediff says an
edit is paint-only, we instead compute the new styles on the *same* element
tree the pages were laid out from (only its <style> text changes), and give
every box whose colours differ a copy of its style with the new colours.
Drawing then paints the new colours; sizes and positions are untouched.

WeasyPrint shares one computed style between elements that matched the same
rules, and anonymous boxes (lines, text runs) inherit through their parent's
style object. So styles are patched per box, walking each page from the top
and carrying the patched style of every ancestor, never per shared object.
Whatever this walk does not recognise makes it give up (CannotRestyle) and
the caller lays everything out again: slower, never wrong. Tests compare
repainted PDFs with fresh full builds byte for byte.
"""

from __future__ import annotations

import functools
import hashlib

from .stylediff import PAINT_KEYS


class CannotRestyle(Exception):
    """The pages cannot be repainted; the message says why (lay them out again)."""


class _Grid(tuple):
    """A collapsed-border grid that remembers the table it was resolved from.

    WeasyPrint resolves collapsed table borders, colours included, once
    before layout; to repaint them we resolve them again from that table.
    """
    source = None


_original_collapse = None


def _collapse_and_remember(table, grid_width, grid_height):
    grid = _Grid(_original_collapse(table, grid_width, grid_height))
    grid.source = (table, grid_width, grid_height)
    return grid


def install() -> None:
    """Make WeasyPrint's table builder keep what a later repaint needs."""
    global _original_collapse
    from weasyprint.formatting_structure import build
    if build.collapse_table_borders is not _collapse_and_remember:
        _original_collapse = build.collapse_table_borders
        build.collapse_table_borders = _collapse_and_remember


def _table_parts(table):
    yield table
    for group in table.children:
        yield group
        for row in group.children:
            yield row
            yield from row.children
    for group in table.column_groups:
        yield group
        yield from group.children


def _new_style_for(html, old_css: str, new_css: str, font_config):
    """Computed styles for *html*'s own tree under *new_css*."""
    from weasyprint.css import get_all_computed_styles
    from weasyprint.css.counters import CounterStyle
    from weasyprint.css.targets import TargetCollector

    # the booklet's stylesheet; a page group laid out alone has a second <style> for its page number and side
    styles = [el for el in html.etree_element.iter() if el.tag == "style" and old_css in (el.text or "")]
    if len(styles) != 1 or (styles[0].text or "").count(old_css) != 1:
        raise CannotRestyle("the stylesheet is not where it was")
    styles[0].text = styles[0].text.replace(old_css, new_css, 1)
    return get_all_computed_styles(html, [], True, font_config, CounterStyle(), {}, [], [], TargetCollector())


class _Patcher:
    def __init__(self, html, style_for):
        self.html = html
        self.style_for = style_for
        self.page_types: set = set()
        self.memo: dict = {}
        self.grids: dict = {}   # id(grid) → (grid, [(laid-out table box, its page's change list)])

    def _page_style(self, page_type, pseudo):
        from weasyprint.layout.page import set_page_type_computed_styles
        if page_type not in self.page_types:
            set_page_type_computed_styles(page_type, self.html, self.style_for)
            self.page_types.add(page_type)
        return self.style_for(page_type, pseudo)

    def patched(self, box, old, ancestors: dict, page_type):
        from weasyprint.css import AnonymousStyle, ComputedStyle
        if isinstance(old, AnonymousStyle):
            parent = ancestors.get(id(old.parent_style))
            if parent is None and type(old.parent_style) is ComputedStyle and getattr(box, "element", None) is not None:
                # e.g. a table's wrapper box: its style inherits from the table box inside it
                parent = self.patched(box, old.parent_style, ancestors, page_type)
            if parent is None:
                raise CannotRestyle(f"anonymous style of {type(box).__name__} <{getattr(box, 'element_tag', '')}> "
                                    "with an unknown parent")
            if parent is old.parent_style:
                return old
            key = (id(old), id(parent))
            if key not in self.memo:
                new = AnonymousStyle(parent)
                new.update({k: v for k, v in old.items() if k not in PAINT_KEYS})
                self.memo[key] = new
            return self.memo[key]
        if isinstance(old, ComputedStyle):
            pseudo = old.pseudo_type
            from weasyprint.formatting_structure import boxes
            if isinstance(box, boxes.PageBox) or (pseudo and pseudo.startswith("@")):
                new_source = self._page_style(page_type, pseudo)
            elif getattr(box, "element", None) is not None:
                new_source = self.style_for(box.element, pseudo)
            else:
                raise CannotRestyle(f"{type(box).__name__} without an element")
            if new_source is None:
                raise CannotRestyle(f"no new style for {type(box).__name__} {pseudo or ''}")
            key = (id(old), id(new_source))
            if key not in self.memo:
                values = {k: new_source[k] for k in PAINT_KEYS}
                if all(old[k] == v for k, v in values.items()):
                    self.memo[key] = old
                else:
                    new = old.copy()
                    new.update(values)
                    self.memo[key] = new
            return self.memo[key]
        if old is None:
            return None
        raise CannotRestyle(f"unknown style type {type(old).__name__}")

    def regrid(self) -> None:
        """Resolve collapsed table borders again with the new colours."""
        for grid, users in self.grids.values():
            table, width, height = grid.source
            for part in _table_parts(table):
                part.style = self.patched(part, part.style, {}, None)
            new = _collapse_and_remember(table, width, height)
            if tuple(new) != tuple(grid):
                for box, changes in users:
                    box.collapsed_border_grid = new
                    changes.append(f"grid:{new!r}")

    def walk(self, box, ancestors: dict, page_type, changes: list):
        old = box.style
        new = self.patched(box, old, ancestors, page_type)
        grid = getattr(box, "collapsed_border_grid", None)
        if grid is not None:
            if not isinstance(grid, _Grid) or grid.source is None:
                raise CannotRestyle("a collapsed-border table laid out without booklet's hook")
            self.grids.setdefault(id(grid), (grid, []))[1].append((box, changes))
        if new is not old:
            box.style = new
            changes.append(f"{type(box).__name__}:" + ",".join(f"{k}={new[k]}" for k in PAINT_KEYS if new[k] != old[k]))
        saved = ancestors.get(id(old), _MISSING) if old is not None else _MISSING
        if old is not None:
            ancestors[id(old)] = new
        for child in box.all_children():
            self.walk(child, ancestors, page_type, changes)
        if old is not None:
            if saved is _MISSING:
                del ancestors[id(old)]
            else:
                ancestors[id(old)] = saved


_MISSING = object()


def restyle(sources, old_css: str, new_css: str, font_config) -> dict[int, str]:
    """Patch the colours of laid-out pages for a paint-only edit.

    *sources* pairs each WeasyPrint HTML object with the pages laid out from
    it. Returns, for each page whose colours changed, a digest of what
    changed (keyed by id(page)). Raises CannotRestyle when the pages must be
    laid out again instead; they may then be half patched, so drop them.
    """
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.images import get_image_from_uri
    from weasyprint.layout.background import layout_backgrounds

    changed: dict[int, str] = {}
    for html, pages in sources:
        patcher = _Patcher(html, _new_style_for(html, old_css, new_css, font_config))
        getter = functools.partial(get_image_from_uri, cache={}, url_fetcher=html.url_fetcher,
                                   options=dict(DEFAULT_OPTIONS))
        page_changes = []
        for page in pages:
            page_box = page._page_box
            changes: list[str] = []
            patcher.walk(page_box, {}, page_box.page_type, changes)
            page_changes.append((page, changes))
        patcher.regrid()
        for page, changes in page_changes:
            if changes:
                layout_backgrounds(page._page_box, getter)   # background colours are resolved at layout
                changed[id(page)] = hashlib.blake2b("\n".join(changes).encode(), digest_size=12).hexdigest()
    return changed
