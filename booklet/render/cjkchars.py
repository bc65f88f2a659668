"""Chinese text as clreq sees it: character classes, and the text
preparation done before layout.

The classes (ideographs, Latin letters and digits, full-width punctuation,
opening and closing marks) are what every clreq rule in typeset.py decides
on: where justification may add space, where a quarter-em autospace goes,
which mark of a pair is set half width, which line breaks are forbidden.
They live here, apart from the WeasyPrint hooks, because the templates use
them too (normalize_punctuation, split_tail) without installing anything.
"""

from __future__ import annotations

import re

# --- Character classes -------------------------------------------------------

# Ideographs and syllabaries: the "W" class of CSS Text 4 text-autospace.
_IDEO = (
    '\u2e80-\u2fdf'  # CJK radicals, Kangxi radicals
    '\u3005\u3007\u3021-\u3029\u3038-\u303b'  # 々 〇 Suzhou numerals
    '\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff'  # kana
    '\u3100-\u312f\u31a0-\u31bf\u31f0-\u31ff'  # bopomofo, small kana
    '\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff'  # Han
    '\U00020000-\U0003134f'  # Han, supplementary planes
)
# Latin, Greek and Cyrillic letters and ASCII digits: the other side of
# autospace.
_ALNUM = (
    'A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f'
    '\u0370-\u03ff\u0400-\u04ff\u1e00-\u1eff'
)
# Full-width punctuation and symbols that behave like ideographs for
# justification (an opportunity on both sides).
_CJK_PUNCT = (
    '\u3000-\u3004\u3008-\u3020\u3030\u303d\u30fb'
    '\ufe10-\ufe1f\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6'
    '\u00b7\u2018\u2019\u201c\u201d\u2015\u2e3a\u2e3b'
)
# Marks that must stay glued when doubled (—— and ……), still CJK-like.
DASHES = '\u2014\u2026'
_CJK = _IDEO + _CJK_PUNCT + DASHES
# Expandable spaces (the same as WeasyPrint's inter-word justification).
SPACE = ' \u00a0'
# Invisible characters: never justification opportunities themselves, and
# looked through when deciding what the next visible character is.
_ZW = '\u00ad\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef'

# Full-width punctuation whose blank half is on the right in Simplified
# Chinese fonts (point marks and closing brackets/quotes); ？ and ！ are kept
# full width when first, like JLReq's "dividing punctuation".
_CLOSING = '，。、；：）」』》〉】〕〗］｝”’'
_DIVIDING = '？！'
# Opening brackets and quotes: blank half on the left.
OPENING = '（「『《〈【〔〖［｛“‘'
_PAIRED = _CLOSING + _DIVIDING + OPENING

# Runs of letters and digits: the Han characters touching them get autospace.
ALNUM_RUN_RE = re.compile(f'[{_ALNUM}]+')
# Punctuation to set half width, the blank halves of two adjacent marks
# facing each other: the first mark when it is a closing one followed by a
# closing or dividing one (no line break is possible between them), else the
# opening bracket that follows a mark. Never the first of a pair that a line
# break may separate (」「, ，（): that would compress a line's last character
# in Pango's line-breaking layout but not in the final one (overflow).
HALT_RE = re.compile(
    f'[{_CLOSING}](?=[{_CLOSING}{_DIVIDING}])'
    f'|[{_PAIRED}](?=[{OPENING}])')
# Pairs that must not be separated by a line break: a digit and the Han
# character after it (95周年, 3800米), and ·, ／ or ～ with the character before
# them (they may not start a line).
NOBREAK_RE = re.compile(f'[0-9](?=[{_IDEO}])|[\u00b7\uff0f\uff5e]')
# Characters followed by a justification opportunity, inside one text.
_V = f'[{_ZW}]*'  # invisible characters to look through
OPPORTUNITY_RE = re.compile(
    # A space before a visible non-space character.
    f'[{SPACE}](?={_V}[^{SPACE}{_ZW}])'
    # —— and …… stay glued; otherwise they are CJK characters.
    f'|\u2014(?={_V}[^{SPACE}{_ZW}\u2014])'
    f'|\u2026(?={_V}[^{SPACE}{_ZW}\u2026])'
    # Two adjacent compressible marks are not spread apart again.
    f'|[{_PAIRED}](?={_V}[^{SPACE}{_ZW}{_PAIRED}])'
    # A CJK character before any visible non-space character.
    f'|[{_IDEO}{_CJK_PUNCT}](?<![{_PAIRED}])(?={_V}[^{SPACE}{_ZW}])'
    # A non-CJK visible character before a CJK one.
    f'|[^{SPACE}{_ZW}{_CJK}](?={_V}[{_CJK}])')

IDEO_RE = re.compile(f'[{_IDEO}]')
OPENING_SET = frozenset(OPENING)
ZW_RE = re.compile(f'[{_ZW}]')
ALNUM_RE = re.compile(f'[{_ALNUM}]')
CJK_RE = re.compile(f'[{_CJK}]')
PAIRED_SET = frozenset(_PAIRED)
SPACE_SET = frozenset(SPACE)
NOT_3_BYTES_RE = re.compile('[^\u0800-\uffff]')


# --- Text preparation helpers ------------------------------------------------

_HALF_TO_FULL = {',': '，', ':': '：', ';': '；', '?': '？', '!': '！'}
_WIDE = _IDEO + _CJK_PUNCT  # CJK context, without the dashes themselves
_PUNCT_NEAR_CJK_RE = re.compile(
    f'(?<=[{_WIDE}])[,:;?!]+|(?<=[^\\s{_WIDE}])[,:;?!]+(?=[{_WIDE}])')
_PARENS_RE = re.compile(r'\(([^()]*)\)')
_ELLIPSIS_RE = re.compile(
    f'(?<=[{_WIDE}])(?:\\.{{3}}|…)+|(?:\\.{{3}}|…)+(?=[{_WIDE}])')
_DASH_RE = re.compile(f'(?<=[{_WIDE}])(?:--|—)+|(?:--|—)+(?=[{_WIDE}])')
_CJK_LATIN_SPACE_RE = re.compile(
    f'(?<=[{_IDEO}]) +(?=[{_ALNUM}])|(?<=[{_ALNUM}]) +(?=[{_IDEO}])')
_WIDE_RE = re.compile(f'[{_WIDE}]')


def normalize_punctuation(text: str) -> str:
    """Return ``text`` with Chinese punctuation typed the ASCII way fixed.

    Raw text often contains ASCII ``,:;?!()`` next to Chinese characters, a
    ``...`` or single ``…`` ellipsis, a ``--`` or single ``—`` dash. clreq wants
    full-width marks (they are what the compression and 禁则 rules know), a
    two-em ellipsis ``……`` and a two-em dash ``——``. Only punctuation touching
    Chinese text is changed: ``3:30``, ``f(x)`` or an English ``...`` stay.
    Parentheses are converted in pairs. Idempotent: a conversion can put a
    full-width mark next to another ASCII one, so passes (each linear) repeat
    until nothing changes, normally twice.
    """
    while True:
        new = _normalize_punctuation_once(text)
        if new == text:
            return new
        text = new


def _normalize_punctuation_once(text):
    text = _PUNCT_NEAR_CJK_RE.sub(
        lambda m: ''.join(_HALF_TO_FULL[char] for char in m.group()), text)

    def parens(match):
        start, end = match.span()
        if (_WIDE_RE.search(match.group(1))
                or (start and _WIDE_RE.match(text, start - 1))
                or _WIDE_RE.match(text, end)):
            return f'（{match.group(1)}）'
        return match.group()

    text = _PARENS_RE.sub(parens, text)
    text = _ELLIPSIS_RE.sub('……', text)
    return _DASH_RE.sub('——', text)


def collapse_cjk_latin_spaces(text: str) -> str:
    """Remove spaces typed between Han characters and Latin words or numbers.

    The layout adds a quarter-em gap at every Han/Latin boundary by itself; a
    typed space on top of it would make the gap uneven (a space is wider and
    is also stretched by justification). Idempotent, linear time.
    """
    return _CJK_LATIN_SPACE_RE.sub('', text)


# A paragraph's last line must not hold a single character (孤字): the
# last two units (a Han character, or a whole Latin word / number) and any
# punctuation after them are kept on one line, so the break moves one
# character down and justification evens the line above.
_TAIL_RE = re.compile(
    f'(?:[{_IDEO}]|[{_ALNUM}]+)[{_CLOSING}{_DIVIDING}{DASHES}]*'
    f'(?:[{_IDEO}]|[{_ALNUM}]+)[{_CLOSING}{_DIVIDING}{DASHES}]*$')


def split_tail(text: str) -> tuple[str, str]:
    """(head, tail) where tail must not be broken: the last two units of a
    paragraph with their trailing punctuation. Short paragraphs stay whole."""
    text = text.rstrip()
    m = _TAIL_RE.search(text)
    if not m or m.start() < 2:
        return text, ""
    return text[:m.start()], text[m.start():]
