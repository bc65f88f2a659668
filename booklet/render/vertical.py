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


def vertical_columns(text: str, per_column: int = 8, most: int = 0) -> list[list[str]]:
    """Break a title into columns (right to left) of at most *per_column* glyphs.

    Titles are broken at spaces the editor typed (a deliberate break), then
    evenly: the columns of a part differ by one glyph at most, longer ones
    first, so a long title never ends on a short column (a lone character
    under a 3-per-column limit is 3+3+2+2, not 3+3+3+1). With *most*, a
    title that would need more columns than the page has room for beside it
    (the cover's photo) gets longer columns first, up to half as long again.
    """
    parts = [vertical_chars(p) for p in text.replace("\u3000", " ").split(" ") if p] or [vertical_chars(text)]
    per = per_column
    if most:
        while per < per_column * 3 // 2 and sum(-(-len(p) // per) for p in parts) > most:
            per += 1
    columns: list[list[str]] = []
    for chars in parts:
        n = max(1, -(-len(chars) // per))
        size, extra = divmod(len(chars), n)
        k = 0
        for i in range(n):
            step = size + (1 if i < extra else 0)
            columns.append(chars[k:k + step])
            k += step
    return columns
