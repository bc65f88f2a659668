"""clreq line layout for WeasyPrint 70: justification, autospace, punctuation.

WeasyPrint 70 follows Western typesetting: ``text-align: justify`` only
stretches spaces, so lines of Chinese (which has no spaces) are never flush;
nothing separates Han characters from Latin words; adjacent full-width
punctuation such as ``」。`` leaves a double gap. This module adds the W3C
*Requirements for Chinese Text Layout* (clreq) behaviours that a printed
booklet needs, as a small extension that ``install()`` applies to WeasyPrint.

How it works (each hook is a thin wrapper around one WeasyPrint function, so
the changes could be proposed upstream one by one):

* **Inter-character justification** (CSS Text 3 ``text-justify:
  inter-character``) replaces ``layout.inline.justify_line``. It counts the
  justification opportunities of the line (between CJK characters, at
  CJK/Latin boundaries, after spaces; never inside a Latin word, a number,
  ``——`` or ``……``), splits the leftover width evenly between them, moves the
  boxes like ``add_word_spacing`` does, and records on each text box which
  characters get the extra advance. The glyph advances are widened at draw time
  (wrapper around ``draw.text.draw_first_line``), in the Pango glyph string
  that WeasyPrint then writes to the PDF. Drawing writes advances rounded to
  1/1000 em; the widening compensates that rounding with error diffusion, so
  each line ends within a few hundredths of a point of the column edge.
  ``text-justify: inter-word`` keeps WeasyPrint's behaviour, ``none`` turns
  justification off.
* **Han/Latin autospace** (CSS Text 4 ``text-autospace``): a quarter em is
  added where a Han character meets a Latin letter or a digit. Inside one text
  node it is a Pango letter-spacing attribute on the Han character (so line
  breaking sees it), moved entirely to the boundary side at draw time. Across
  elements (``中文<em>ABC</em>``) the later text box is laid out a quarter em
  further right (``layout.inline.split_inline_level``). Nothing is inserted in
  the text, so copying text out of the PDF gives the original characters.
  ``text-autospace: no-autospace`` opts out.
* **Punctuation compression** (CSS Text 4 ``text-spacing-trim``): of two
  adjacent full-width marks, one is set half width with the OpenType ``halt``
  feature (Pango font-features attribute on that character only): the first
  of closing marks (``」。``, ``），``, ``。”``), the opening bracket when one
  follows (``》《``, ``，（``), so a line break between them never leaves a
  compressed mark at a line end.
  ``text-spacing-trim: trim-start`` also sets opening brackets half width at
  the start of lines; ``space-all`` turns compression off. Fonts without
  ``halt`` (e.g. LXGW WenKai) keep full-width marks.
* **Line breaking (禁则)**: Pango already applies UAX #14 (no line starts with
  ``，。、；：？！）」』》`` etc., no line ends with an opening bracket, ``——``
  and ``……`` are never split, digits and Latin words are never split). It
  wrongly allows a line to start with the middle dot ``·`` (马克·吐温), a
  full-width slash or tilde, and separates a number from the Han character
  after it (``95|周年``, ``3800|米``); Pango ``allow-breaks`` attributes forbid
  these breaks.

All of this only runs where CJK text is present; the per-line work is a few
regular expressions and one loop over the glyphs of justified lines.

Upstream notes: ``justify_line``'s TODO points at the CSS justification
algorithms; this is one. WeasyPrint 70's drawing truncates each glyph's
adjustment to 1/1000 em (``int(kerning)``) and converts ``x_offset`` with a
1024/1000 error; both are compensated here and would be one-line fixes there.
Pango letter-spacing cannot put space on one side of a character only, hence
the draw-time ``x_offset`` fix-up for autospace.
"""

from __future__ import annotations

import contextvars
import re
import struct
from bisect import bisect_left

from ..errors import BookletError
from .cjkchars import (  # the character classes; the text helpers stay importable from here
    ALNUM_RE as _ALNUM_RE, ALNUM_RUN_RE as _ALNUM_RUN_RE, CJK_RE as _CJK_RE, DASHES as _DASHES,
    HALT_RE as _HALT_RE, IDEO_RE as _IDEO_RE, NOBREAK_RE as _NOBREAK_RE, NOT_3_BYTES_RE as _NOT_3_BYTES_RE,
    OPENING as _OPENING, OPENING_SET as _OPENING_SET, OPPORTUNITY_RE as _OPPORTUNITY_RE,
    PAIRED_SET as _PAIRED_SET, SPACE as _SPACE, SPACE_SET as _SPACE_SET, ZW_RE as _ZW_RE,
    collapse_cjk_latin_spaces, normalize_punctuation, split_tail,
)

__all__ = [
    'install',
    'split_tail',
    'is_installed',
    'normalize_punctuation',
    'collapse_cjk_latin_spaces',
    'REQUIRED_WEASYPRINT',
]

REQUIRED_WEASYPRINT = '70.0'

#: Autospace width, in em of the text's font size (CSS Text 4: 1/8 to 1/4 em;
#: clreq and most Chinese publishers use a quarter em).
AUTOSPACE_EM = 0.25

# --- Installation ------------------------------------------------------------

_installed = False
_originals = {}
# Start x of the line being laid out (content edge after text-indent); set by
# the split_inline_box wrapper for LineBoxes, read to know whether a text box
# starts a line.
_LINE_X0 = contextvars.ContextVar('booklet_line_x0', default=None)
# True while the text box that starts a line is being split (for trim-start).
_AT_LINE_START = contextvars.ContextVar('booklet_at_line_start', default=False)


def is_installed() -> bool:
    """Whether ``install()`` has patched WeasyPrint in this process."""
    return _installed


def install() -> None:
    """Patch WeasyPrint (exactly version 70.0) with the clreq line layout.

    Idempotent: calling it again does nothing. The hooks reach into
    WeasyPrint internals (layout, Pango glyph strings, PDF drawing), which is
    why the version is checked instead of hoping for the best.
    """
    global _installed
    if _installed:
        return
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise BookletError(
            'WeasyPrint is not installed', hint='pip install weasyprint==70.0'
        ) from exc
    if weasyprint.__version__ != REQUIRED_WEASYPRINT:
        raise BookletError(
            f'booklet.render.typeset needs WeasyPrint {REQUIRED_WEASYPRINT}, '
            f'found {weasyprint.__version__}',
            where='booklet.render.typeset.install',
            hint=f'pip install weasyprint=={REQUIRED_WEASYPRINT} (the '
                 'Chinese line layout patches WeasyPrint internals that '
                 'change between versions)')

    from weasyprint import document
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    _register_properties()
    _setup_ffi()

    _originals.update(
        set_text=line_break.Layout.set_text,
        setup=line_break.Layout.setup,
        init=line_break.Layout.__init__,
        justify_line=inline.justify_line,
        split_inline_box=inline.split_inline_box,
        split_inline_level=inline.split_inline_level,
        split_text_box=inline.split_text_box,
        draw_first_line=draw_text.draw_first_line,
        build=document.build_formatting_structure,
    )
    line_break.Layout.__init__ = _layout_init
    line_break.Layout.setup = _layout_setup
    line_break.Layout.set_text = _layout_set_text
    inline.justify_line = _justify_line
    inline.split_inline_box = _split_inline_box
    inline.split_inline_level = _split_inline_level
    inline.split_text_box = _split_text_box
    draw_text.draw_first_line = _draw_first_line
    document.build_formatting_structure = _build_formatting_structure
    _installed = True


def _uninstall() -> None:
    """Undo ``install()`` (tests use it to compare with bare WeasyPrint).

    The CSS properties stay registered; they only carry keywords."""
    global _installed
    if not _installed:
        return
    from weasyprint import document
    from weasyprint.draw import text as draw_text
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    line_break.Layout.__init__ = _originals['init']
    line_break.Layout.setup = _originals['setup']
    line_break.Layout.set_text = _originals['set_text']
    inline.justify_line = _originals['justify_line']
    inline.split_inline_box = _originals['split_inline_box']
    inline.split_inline_level = _originals['split_inline_level']
    inline.split_text_box = _originals['split_text_box']
    draw_text.draw_first_line = _originals['draw_first_line']
    document.build_formatting_structure = _originals['build']
    _ATTRIBUTES_CACHE.clear()
    _installed = False


def _register_properties():
    """Teach WeasyPrint's CSS parser ``text-justify``, ``text-autospace`` and
    ``text-spacing-trim`` (inherited keywords), so stylesheets can opt out."""
    from weasyprint.css import properties
    from weasyprint.css.validation import properties as validation

    keywords = {
        'text-justify': (
            'auto', {'auto', 'none', 'inter-word', 'inter-character',
                     'distribute'}),
        'text-autospace': ('normal', {'normal', 'no-autospace'}),
        'text-spacing-trim': ('normal', {'normal', 'space-all', 'trim-start'}),
    }
    for name, (initial, allowed) in keywords.items():
        key = name.replace('-', '_')
        if name in validation.PROPERTIES:
            continue

        def validator(tokens, allowed=allowed):
            keyword = validation.get_single_keyword(tokens)
            return keyword if keyword in allowed else None

        validator.wants_base_url = False
        properties.INITIAL_VALUES[key] = initial
        properties.KNOWN_PROPERTIES.add(name)
        properties.INHERITED.add(key)
        validation.PROPERTIES[name] = validator


def _setup_ffi():
    """Declare the few Pango functions WeasyPrint's cffi module lacks."""
    global _ffi, _pango, _pango2, _FROM_UNITS, _TO_UNITS, _EMPTY, _UNKNOWN
    import cffi
    from weasyprint.text import ffi as wffi

    ffi = cffi.FFI()
    ffi.include(wffi.ffi)
    ffi.cdef('''
        PangoAttrList * pango_attr_list_copy (PangoAttrList *list);
        PangoAttrList * pango_attr_list_ref (PangoAttrList *list);
        PangoAttribute * pango_attr_allow_breaks_new (gboolean allow_breaks);
        void pango_layout_set_single_paragraph_mode (
            PangoLayout *layout, gboolean setting);
    ''')
    _ffi = wffi.ffi
    _pango = wffi.pango
    _pango2 = wffi._dlopen(
        ffi, 'libpango-1.0-0', 'pango-1.0-0', 'pango-1.0',
        'libpango-1.0.so.0', 'libpango-1.0.dylib', 'libpango-1.0-0.dll')
    _FROM_UNITS = wffi.FROM_UNITS
    _TO_UNITS = wffi.TO_UNITS
    _EMPTY = wffi.pango.PANGO_GLYPH_EMPTY
    _UNKNOWN = wffi.pango.PANGO_GLYPH_UNKNOWN_FLAG


# --- Box tree annotation -----------------------------------------------------

def _build_formatting_structure(*args, **kwargs):
    """Build the box tree, then note on each text box the character that
    precedes it in its line's flow (across inline elements), so that a
    Han/Latin boundary between two elements can get its autospace."""
    root = _originals['build'](*args, **kwargs)
    _annotate(root)
    return root


def _annotate(root):
    from weasyprint.formatting_structure import boxes

    stack = [root]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.LineBox):
            _annotate_inline(box, None, stack, boxes)
        elif isinstance(box, boxes.ParentBox):
            stack.extend(box.children)


def _annotate_inline(box, previous, stack, boxes):
    for child in box.children:
        if isinstance(child, boxes.TextBox):
            if child.text:
                child._booklet_prev = previous
                previous = child.text[-1]
        elif isinstance(child, boxes.InlineBox):
            previous = _annotate_inline(child, previous, stack, boxes)
        else:
            if child.is_in_normal_flow():
                previous = None
            if isinstance(child, boxes.ParentBox):
                stack.append(child)  # inline-blocks, floats: own lines
    return previous


# --- Layout: Pango attributes ------------------------------------------------

def _layout_init(self, style, justification_spacing=0, max_width=None):
    self._booklet_line_start = _AT_LINE_START.get()
    self._booklet_saved = None
    self._booklet_fixes = None
    _originals['init'](self, style, justification_spacing, max_width)


def _layout_setup(self, style):
    # A new PangoLayout is created: the saved attribute list belongs to the
    # previous one.
    self._booklet_saved = None
    _originals['setup'](self, style)


def _layout_set_text(self, text, justify=False):
    """Set the text, then layer our Pango attributes on WeasyPrint's.

    WeasyPrint keeps mutating one attribute list across ``set_text`` calls (a
    layout is re-used for shorter texts while breaking lines), so our
    attributes go on a copy that is swapped out again on the next call; stale
    attributes would otherwise apply to the wrong characters."""
    saved = self._booklet_saved
    if saved is not None:
        self._booklet_saved = None
        if saved[0] is self.layout:
            _pango.pango_layout_set_attributes(self.layout, saved[1])
    _originals['set_text'](self, text, justify)
    self._booklet_fixes = None
    text = self.text
    if not text or text.isascii():
        return
    style = self.style
    try:
        autospace = style['text_autospace'] != 'no-autospace'
        trim = style['text_spacing_trim']
    except KeyError:  # style built by hand (SVG text) before install()
        autospace, trim = True, 'normal'
    key = (text, autospace, trim, self._booklet_line_start,
           style['font_size'], style['letter_spacing'])
    attributes = _ATTRIBUTES_CACHE.get(key, _MISSING)
    if attributes is _MISSING:
        # The same texts come back (line breaking, then drawing): memoize.
        if len(_ATTRIBUTES_CACHE) > 4096:
            _ATTRIBUTES_CACHE.clear()
        attributes = _text_attributes(
            text, autospace, trim, self._booklet_line_start,
            style['font_size'], style['letter_spacing'])
        if attributes is not None:
            attributes = [*attributes, None]  # + shared PangoAttrList
        _ATTRIBUTES_CACHE[key] = attributes
    if attributes is None:
        return
    attrs, fixes, shared = attributes
    base = _pango.pango_layout_get_attributes(self.layout)
    if base == _ffi.NULL:
        # Usual case (no font features, no letter-spacing): one read-only
        # list per text, shared by its layouts (Pango reference-counts it).
        if shared is None:
            shared = attributes[2] = _ffi.gc(
                _build_attributes(_pango.pango_attr_list_new(), attrs),
                _pango.pango_attr_list_unref)
        _pango.pango_layout_set_attributes(self.layout, shared)
        saved_list = _ffi.NULL
    else:
        mine = _build_attributes(_pango2.pango_attr_list_copy(base), attrs)
        saved_list = _ffi.gc(
            _pango2.pango_attr_list_ref(base), _pango.pango_attr_list_unref)
        _pango.pango_layout_set_attributes(self.layout, mine)
        _pango.pango_attr_list_unref(mine)
    self._booklet_saved = (self.layout, saved_list)
    self._booklet_fixes = fixes or None


def _build_attributes(attr_list, attrs):
    for kind, start, end, value in attrs:
        if kind == 'ls':
            attr = _pango.pango_attr_letter_spacing_new(value)
            attr.start_index, attr.end_index = start, end
            _pango.pango_attr_list_change(attr_list, attr)
        elif kind == 'ff':
            attr = _pango.pango_attr_font_features_new(value)
            attr.start_index, attr.end_index = start, end
            _pango.pango_attr_list_insert(attr_list, attr)
        else:
            attr = _pango2.pango_attr_allow_breaks_new(False)
            attr.start_index, attr.end_index = start, end
            _pango.pango_attr_list_insert(attr_list, attr)
    return attr_list


_ATTRIBUTES_CACHE = {}
_MISSING = object()


def _byte_offsets(text, indexes):
    """Map sorted character indexes of ``text`` to UTF-8 byte offsets."""
    if not _NOT_3_BYTES_RE.search(text):  # all CJK (BMP, 3 bytes each)
        return {index: 3 * index for index in indexes}
    result = {}
    previous = byte = 0
    for index in indexes:
        byte += len(text[previous:index].encode())
        result[index] = byte
        previous = index
    return result


def _text_attributes(text, autospace, trim, line_start, font_size,
                     letter_spacing):
    """Compute Pango attributes for one text: autospace letter-spacing, halt
    font features, forbidden breaks. Return ``(attrs, fixes)`` or ``None``.

    ``fixes`` maps the byte offset of each Han character that got autospace
    *before* it to the glyph x offset that puts the whole gap on that side
    (Pango splits letter spacing half before, half after a character)."""
    spaced = {}  # Han character index: [gap before, gap after]
    if autospace:
        ideograph = _IDEO_RE.match
        for match in _ALNUM_RUN_RE.finditer(text):
            start, end = match.span()
            if start and ideograph(text, start - 1):
                spaced.setdefault(start - 1, [False, False])[1] = True
            if ideograph(text, end):
                spaced.setdefault(end, [False, False])[0] = True
    halts = []
    if trim != 'space-all':
        opening = _OPENING_SET
        for match in _HALT_RE.finditer(text):
            index = match.start()
            halts.append(index + 1 if text[index + 1] in opening else index)
        if (trim == 'trim-start' and line_start and text[0] in _OPENING
                and (not halts or halts[0] != 0)):
            halts.insert(0, 0)
    nobreaks = []
    for match in _NOBREAK_RE.finditer(text):
        index = match.start()
        if text[index] < '\x80':  # digit before Han
            nobreaks.append(index)
        elif index and not text[index - 1].isspace():
            nobreaks.append(index - 1)
    if not (spaced or halts or nobreaks):
        return None

    indexes = set()
    for index in spaced:
        indexes.update((index, index + 1))
    for index in halts:
        indexes.update((index, index + 1))
    for index in nobreaks:
        indexes.update((index, index + 2))
    offsets = _byte_offsets(text, sorted(indexes))

    attrs = []
    fixes = {}
    if spaced:
        gap = int(AUTOSPACE_EM * font_size * _TO_UNITS)
        gap -= gap % 2
        letter_spacing = (
            0 if letter_spacing == 'normal'
            else int(letter_spacing * _TO_UNITS))
        last = len(text) - 1
        for index, (before, after) in sorted(spaced.items()):
            wanted = gap * (before + after)
            # Pango trims half of the spacing at both ends of a line; the
            # final layout of a text box is one line, its first and last
            # characters only keep one half.
            value = wanted if 0 < index < last else 2 * wanted
            if value % _TO_UNITS == 0:
                value += 1  # avoid Pango's pixel rounding of the halves
            attrs.append((
                'ls', offsets[index], offsets[index + 1],
                letter_spacing + value))
            # Drawing (WeasyPrint 70) converts x offsets to 1/1000 em with a
            # factor 1024/1000 too large; pre-divide so the gap is exact.
            x_offset = (0 if index == 0 else letter_spacing // 2) + (
                gap if before else 0)
            fixes[offsets[index]] = round(x_offset * 1000 / _TO_UNITS)
    for index in halts:
        attrs.append(('ff', offsets[index], offsets[index + 1], b'halt 1'))
    for index in nobreaks:
        attrs.append(('nb', offsets[index], offsets[index + 2], None))
    return attrs, fixes


# --- Layout: cross-element autospace and line starts --------------------------

def _split_inline_box(context, box, position_x, *args, **kwargs):
    """Remember where the line starts (content edge after text-indent)."""
    if type(box).__name__ == 'LineBox':
        token = _LINE_X0.set(position_x)
        try:
            return _originals['split_inline_box'](
                context, box, position_x, *args, **kwargs)
        finally:
            _LINE_X0.reset(token)
    return _originals['split_inline_box'](
        context, box, position_x, *args, **kwargs)


def _split_inline_level(context, box, position_x, max_x, bottom_space,
                        skip_stack, *args, **kwargs):
    """Lay out a text box a quarter em further right when the text before it
    (in another element) ends with Han and it starts with a letter or digit,
    or the reverse, unless it starts the line. The box keeps the gap in its
    width (``_booklet_lead``) so later re-layouts stay consistent."""
    original = _originals['split_inline_level']
    text = getattr(box, 'text', None)
    if not text:
        return original(context, box, position_x, max_x, bottom_space,
                        skip_stack, *args, **kwargs)
    x0 = _LINE_X0.get()
    at_line_start = x0 is None or position_x <= x0 + 1e-6
    lead = 0
    if skip_stack is None and not at_line_start:
        previous = box.__dict__.get('_booklet_prev')
        if (previous and box.style['text_autospace'] != 'no-autospace'
                and _is_autospace_pair(previous, text[0])):
            lead = AUTOSPACE_EM * box.style['font_size']
    token = None
    if at_line_start and box.style['text_spacing_trim'] == 'trim-start':
        token = _AT_LINE_START.set(True)
    try:
        result = original(context, box, position_x + lead, max_x,
                          bottom_space, skip_stack, *args, **kwargs)
    finally:
        if token is not None:
            _AT_LINE_START.reset(token)
    if lead and result[0] is not None:
        new_box = result[0]
        new_box.position_x -= lead
        new_box.width += lead
        new_box._booklet_lead = lead
    return result


def _is_autospace_pair(first, second):
    return bool(
        (_IDEO_RE.match(first) and _ALNUM_RE.match(second)) or
        (_ALNUM_RE.match(first) and _IDEO_RE.match(second)))


def _split_text_box(context, box, available_width, skip, is_line_start=True):
    """Keep the cross-element autospace in the width when WeasyPrint re-splits
    an already laid-out box (``remove_last_whitespace``)."""
    lead = box.__dict__.get('_booklet_lead', 0)
    if available_width is not None and lead:
        available_width -= lead
    result = _originals['split_text_box'](
        context, box, available_width, skip, is_line_start)
    if lead and result[0] is not None:
        result[0].width += lead
    return result


# --- Justification -----------------------------------------------------------

def _justify_line(context, line, extra_width):
    """Distribute ``extra_width`` over the line's justification opportunities
    (CSS Text 3 ``text-justify: inter-character``)."""
    mode = line.style['text_justify']
    if mode == 'none':
        return
    if mode == 'inter-word' or line.style['direction'] == 'rtl':
        return _originals['justify_line'](context, line, extra_width)

    from weasyprint.formatting_structure import boxes
    items = []
    _flatten(line, items, boxes)
    texts = []  # (box, internal opportunity indexes, trailing opportunity)
    count = 0
    previous = None
    for item in items:
        if item is None:
            previous = None
            continue
        text = item.text
        if not text:
            continue
        if text.isascii():
            opportunities = [
                match.start() for match in re.finditer(
                    f'[{_SPACE}](?=[^{_SPACE}])', text)]
        else:
            opportunities = [
                match.start() for match in _OPPORTUNITY_RE.finditer(text)]
        count += len(opportunities)
        entry = [item, opportunities, False]
        if previous is not None and _is_opportunity(
                previous[0].text[-1], text[0]):
            previous[2] = True
            count += 1
        texts.append(entry)
        previous = entry
    if not count:
        return
    # WeasyPrint counts one letter-spacing after the last character of each
    # text box; at the end of the line it would keep the last glyph short.
    letter_spacing = texts[-1][0].style['letter_spacing']
    if letter_spacing != 'normal':
        extra_width += letter_spacing
    spacing = extra_width / count
    boxes_spacing = {}
    for box, opportunities, trailing in texts:
        box._booklet_justify = None
        if opportunities:
            offsets = _byte_offsets(box.text, opportunities)
            box._booklet_justify = (spacing, list(offsets.values()))
        boxes_spacing[id(box)] = (len(opportunities) + trailing) * spacing
    _shift(line, boxes_spacing, 0, boxes)


def _flatten(box, items, boxes):
    """List the text boxes of a line in order; ``None`` for atomic boxes."""
    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, boxes.TextBox):
            items.append(child)
        elif isinstance(child, boxes.InlineBox):
            _flatten(child, items, boxes)
        else:
            items.append(None)


def _is_opportunity(first, second):
    """Whether the boundary between two characters of different text boxes
    is a justification opportunity (same rules as ``_OPPORTUNITY_RE``)."""
    if second in _SPACE_SET or _ZW_RE.match(first) or _ZW_RE.match(second):
        return False
    if first in _SPACE_SET:
        return True
    if first == second and first in _DASHES:
        return False
    if first in _PAIRED_SET and second in _PAIRED_SET:
        return False
    return bool(_CJK_RE.match(first) or _CJK_RE.match(second))


def _shift(box, boxes_spacing, x_advance, boxes):
    """Move and widen boxes like WeasyPrint's ``add_word_spacing``."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        extra = boxes_spacing.get(id(box), 0)
        box.width += extra
        return x_advance + extra
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        previous_x_advance = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _shift(child, boxes_spacing, x_advance, boxes)
        box.width += x_advance - previous_x_advance
        return x_advance
    box.translate(x_advance, 0)  # atomic inline-level box
    return x_advance


# --- Drawing -----------------------------------------------------------------

def _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """Adjust the Pango glyph string of the text box, then let WeasyPrint
    draw it: autospace gaps moved to the boundary side, justification
    advances added after the chosen characters, cross-element autospace as a
    shift of the text origin."""
    layout = textbox.pango_layout
    lead = textbox.__dict__.get('_booklet_lead')
    if lead:
        from weasyprint.matrix import Matrix
        matrix = Matrix(e=lead) @ matrix
    fixes = getattr(layout, '_booklet_fixes', None)
    justify = textbox.__dict__.get('_booklet_justify')
    if ((fixes or justify) and text_overflow != 'ellipsis'
            and block_ellipsis == 'none' and textbox.text.strip()):
        # Drawing sets single-paragraph mode; set it first, or Pango would
        # lay the text out again and drop our changes.
        _pango2.pango_layout_set_single_paragraph_mode(layout.layout, True)
        line, _ = layout.get_first_line()
        if justify:
            _justify_glyphs(stream, textbox, line, fixes, *justify)
        else:
            _fix_glyphs(line, fixes)
    return _originals['draw_first_line'](
        stream, textbox, text_overflow, block_ellipsis, matrix)


def _fix_glyphs(line, fixes):
    run = line.runs
    while run != _ffi.NULL:
        glyph_item = run.data
        run = run.next
        offset = glyph_item.item.offset
        glyphs = glyph_item.glyphs
        clusters = glyphs.log_clusters
        previous = -1
        for i in range(glyphs.num_glyphs):
            cluster = clusters[i]
            if cluster != previous:
                previous = cluster
                x_offset = fixes.get(offset + cluster)
                if x_offset is not None:
                    glyphs.glyphs[i].geometry.x_offset = x_offset


# PangoGlyphInfo: glyph id, geometry (width, x offset, y offset), attributes.
_GLYPH_INFO = struct.Struct('=Iiii4x')
_INT = struct.Struct('=i')


def _justify_glyphs(stream, textbox, line, fixes, spacing, opportunities):
    """Widen the glyphs after which justification space goes.

    WeasyPrint writes each glyph as its font advance plus a kerning rounded
    *towards zero* to 1/1000 em, losing up to 1/1000 em per widened glyph
    (about 0.5pt on a full line). We replicate that computation and choose
    each new width so that the drawn position after every widened glyph is
    the exact justified position rounded to 1/1000 em (error diffusion).

    The glyph string is read and written back in one block (``struct``), as
    this runs for every justified line of the book."""
    fixes = fixes or {}
    opportunity_set = frozenset(opportunities)
    from_units, to_units = _FROM_UNITS, _TO_UNITS
    empty, unknown = _EMPTY, _UNKNOWN
    size = _GLYPH_INFO.size
    old_pango = _pango.pango_version() < 14802
    target = 0.0  # exact position (px) after the current glyph
    drawn = 0.0  # position (px) where drawing puts the next glyph
    pack = _INT.pack_into
    fonts = stream.__dict__.setdefault('_booklet_fonts', {})
    previous_font = None
    run = line.runs
    while run != _ffi.NULL:
        glyph_item = run.data
        run = run.next
        pango_font = glyph_item.item.analysis.font
        if pango_font != previous_font:
            previous_font = pango_font
            key = int(_ffi.cast('uintptr_t', pango_font))
            if key not in fonts:  # stream.add_font builds a font key: slow
                fonts[key] = stream.add_font(pango_font)
            font, font_size = fonts[key]
            if old_pango or font.png:
                font_size = textbox.style['font_size']
            widths = font.widths
            exact = not font.bitmap
            to_th = 1000 / font_size  # px to 1/1000 em
            units_to_th = 1000 * from_units / font_size
        offset = glyph_item.item.offset
        glyphs = glyph_item.glyphs
        num = glyphs.num_glyphs
        clusters = _ffi.unpack(glyphs.log_clusters, num)
        buffer = _ffi.buffer(glyphs.glyphs, num * size)
        data = bytearray(buffer)
        changed = False
        last = num - 1
        item_end = offset + glyph_item.item.length
        for i, (glyph, width, x_offset, _) in enumerate(
                _GLYPH_INFO.iter_unpack(data)):
            cluster = clusters[i]
            if fixes and (i == 0 or clusters[i - 1] != cluster):
                fixed = fixes.get(offset + cluster)
                if fixed is not None:
                    x_offset = fixed
                    pack(data, i * size + 8, fixed)
                    changed = True
            target += width * from_units
            # Space goes after the last glyph of a cluster, once per
            # opportunity among the characters of the cluster (a cluster
            # can hold several characters, e.g. the ligature of "——").
            count = 0
            if i == last:
                end = item_end
            elif clusters[i + 1] != cluster:
                end = offset + clusters[i + 1]
            else:
                end = None
            if end is not None:
                start = offset + cluster
                if end - start <= 3:  # one character (or a Latin ligature)
                    count = start in opportunity_set
                else:
                    count = (bisect_left(opportunities, end) -
                             bisect_left(opportunities, start))
            if not exact or glyph == empty or glyph & unknown:
                if count:
                    target += count * spacing
                    pack(data, i * size + 4,
                         width + round(count * spacing * to_units))
                    changed = True
                    drawn = target
                else:
                    drawn += width * from_units
                continue
            logical = widths.get(glyph)
            if logical is None:
                _pango.pango_font_get_glyph_extents(
                    pango_font, glyph, stream.ink_rect, stream.logical_rect)
                logical = widths[glyph] = round(
                    stream.logical_rect.width * 1000 * from_units / font_size)
            # Same expressions as weasyprint.draw.text.draw_first_line.
            x_shift = x_offset / font_size
            kerning = logical + x_shift - width * 1000 * from_units / font_size
            before_kerning = drawn + (x_shift + logical) / to_th
            if not count:
                drawn = before_kerning - int(kerning) / to_th
                continue
            target += count * spacing
            wanted = round((before_kerning - target) * to_th)
            aim = wanted - 0.5 if wanted < 0 else (
                wanted + 0.5 if wanted > 0 else 0)
            new_width = round((logical + x_shift - aim) / units_to_th)
            pack(data, i * size + 4, new_width)
            changed = True
            kerning = (
                logical + x_shift - new_width * 1000 * from_units / font_size)
            drawn = before_kerning - int(kerning) / to_th
        if changed:
            buffer[:] = data
