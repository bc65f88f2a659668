"""Vertical titles without writing-mode.

WeasyPrint 70 has no `writing-mode`, so a vertical title is set as columns
of one character each. Punctuation must then take its vertical
presentation form (GB/T 15834 / clreq §3.1.6): the horizontal comma sits in
the wrong corner and brackets point the wrong way when stacked.
"""

from __future__ import annotations

# Unicode vertical presentation forms (U+FE10–FE19, U+FE30–FE4F).
VERTICAL_FORMS = {
    "，": "\ufe10", "、": "\ufe11", "。": "\ufe12", "：": "\ufe13", "；": "\ufe14",
    "！": "\ufe15", "？": "\ufe16", "「": "\ufe41", "」": "\ufe42", "『": "\ufe43", "』": "\ufe44",
    "…": "\ufe19", "——": "\ufe31", "—": "\ufe31", "–": "\ufe32",
    "（": "\ufe35", "）": "\ufe36", "｛": "\ufe37", "｝": "\ufe38", "〔": "\ufe39", "〕": "\ufe3a",
    "【": "\ufe3b", "】": "\ufe3c", "《": "\ufe3d", "》": "\ufe3e", "〈": "\ufe3f", "〉": "\ufe40",
    "［": "\ufe47", "］": "\ufe48",
    # Curly quotes have no vertical form; clreq recommends corner brackets in vertical text.
    "“": "\ufe41", "”": "\ufe42", "‘": "\ufe43", "’": "\ufe44",
}

_HALF_TO_FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def vertical_chars(text: str) -> list[str]:
    """Split *text* into the glyphs of a vertical column.

    Runs of Latin letters or digits of up to two characters stay together
    upright (tate-chu-yoko, e.g. '24' in 11月24日); longer runs are set one
    full-width character per line, which is how Chinese books treat them.
    """
    out: list[str] = []
    i = 0
    text = text.replace(" ", "").replace("\u3000", "")
    while i < len(text):
        if text.startswith("——", i):
            out.append(VERTICAL_FORMS["——"])
            i += 2
            continue
        if text.startswith("……", i):
            out.append(VERTICAL_FORMS["…"])
            i += 2
            continue
        ch = text[i]
        if ch.isascii() and ch.isalnum():
            j = i
            while j < len(text) and text[j].isascii() and text[j].isalnum():
                j += 1
            run = text[i:j]
            if len(run) <= 2:
                out.append(run)
            else:
                out.extend(_HALF_TO_FULL.get(c, c) for c in run)
            i = j
            continue
        out.append(VERTICAL_FORMS.get(ch, ch))
        i += 1
    return out


def vertical_columns(text: str, per_column: int = 8) -> list[list[str]]:
    """Break a title into columns (right to left) of at most *per_column* glyphs.

    Titles are broken at spaces the editor typed (a deliberate break), then
    evenly, so columns come out of similar height.
    """
    parts = [p for p in text.replace("\u3000", " ").split(" ") if p]
    columns: list[list[str]] = []
    for part in parts or [text]:
        chars = vertical_chars(part)
        if len(chars) <= per_column:
            columns.append(chars)
            continue
        n = -(-len(chars) // per_column)
        size = -(-len(chars) // n)
        columns.extend(chars[k:k + size] for k in range(0, len(chars), size))
    return columns
