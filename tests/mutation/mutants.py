"""Deliberate small bugs, one line each, and the tests that must catch them.

Each mutant names a file under booklet/, a piece of one line (`old`, found
exactly once in the file, or the `nth` occurrence) and what it becomes
(`new`). The first ones are those issue 17 named; the rest cover each area
the tests guard (cleaning rules, error paths, the fetcher, typesetting,
print, commands). `tests` are the test files (or node ids) to run: the ones
that are meant to catch the bug, so a survivor points at a gap, not at a
slow suite.

The mutation score of a module, with mutants a tool makes, is score.py's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    nth: int = 0                # which occurrence of `old` when it is not unique


CLEAN = ("tests/test_clean_rules.py", "tests/test_clean.py")
SEGMENT = ("tests/test_people_rules.py", "tests/test_segment.py", "tests/test_import.py", "tests/test_unseen.py")
ERRORS = ("tests/test_errors.py",)

MUTANTS: list[Mutant] = [
    # ---- named in issue 17
    Mutant("fetcher without resolve()", "booklet/render/document.py",
           "Path(unquote(urlparse(url).path)).resolve().is_relative_to(r)", "Path(unquote(urlparse(url).path)).is_relative_to(r)",
           ("tests/test_fetcher.py",)),
    Mutant("undouble: the most blocks win", "booklet/importing/clean.py",
           "if cand is None or rest[0] + 1 < cand[0]:", "if cand is None or rest[0] + 1 > cand[0]:", CLEAN),
    Mutant("keyword validator accepts anything", "booklet/render/typeset.py",
           "return keyword if keyword in allowed else None", "return keyword",
           ("tests/test_typeset.py::test_unknown_keywords_are_rejected_by_css",)),
    Mutant("quote page prints nothing", "booklet/layouts/units/quote.html",
           '<blockquote class="quote-page">{{ body(unit) }}</blockquote>', '<blockquote class="quote-page"></blockquote>',
           ("tests/test_sample.py::test_every_page_type_is_present",)),
    Mutant("roster title set horizontally", "booklet/layouts/units/roster.html",
           '{% for col in columns %}<span class="vcol">{% for ch in col %}'
           '<span class="vch">{{ ch }}</span>{% endfor %}</span>{% endfor %}',
           "{{ unit.title or unit.group }}", ("tests/test_sample.py::test_every_page_type_is_present",)),
    Mutant("back cover gets a folio", "booklet/layouts/booklet.css",
           ".back-cover { page: cover;", ".back-cover { page: back;",
           ("tests/test_layouts.py::test_running_heads_show_section_left_and_title_right",)),

    # ---- cleaning rules
    Mutant("undouble: ties go to the shorter first block", "booklet/importing/clean.py",
           "for size in range((n - i) // 2, 0, -1):", "for size in range(1, (n - i) // 2 + 1):", CLEAN),
    Mutant("undouble: blocks may mix punctuation and text", "booklet/importing/clean.py",
           "if any(punct[j] != punct[i] for j in range(i + 1, i + size)):", "if False:", CLEAN),
    Mutant("faux bold: six characters are not enough", "booklet/importing/clean.py",
           "strong = strong or (len(s) >= 6 and any(len(b) >= 2 for b in blocks))",
           "strong = strong or (len(s) > 6 and any(len(b) >= 2 for b in blocks))", CLEAN),
    Mutant("faux bold: numbers alone count", "booklet/importing/clean.py",
           "    if s.isascii():\n        return None      # a number alone", "    if False:\n        return None      # a number alone",
           CLEAN),
    Mutant("faux bold: one strong neighbour is not enough", "booklet/importing/clean.py",
           "doubled = before is not False and after is not False and (before or after) is True",
           "doubled = before is True and after is True", CLEAN),
    Mutant("vertical titles need four lines", "booklet/importing/clean.py", "if j - i >= 3:", "if j - i > 3:", CLEAN),
    Mutant("vertical titles take any single character", "booklet/importing/clean.py",
           "while j < len(lines) and len(lines[j].text) == 1 and is_han(lines[j].text):",
           "while j < len(lines) and len(lines[j].text) == 1:", CLEAN),
    Mutant("ornaments: three-digit years", "booklet/importing/clean.py",
           r'_ORNAMENT = re.compile(r"^\d{4}\s*[—–\-~～至]+\s*\d{4}$")',
           r'_ORNAMENT = re.compile(r"^\d{3,4}\s*[—–\-~～至]+\s*\d{4}$")', CLEAN),
    Mutant("folios: four digits", "booklet/importing/clean.py",
           r'if re.fullmatch(r"\d{1,3}", l.text) and (folio_like',
           r'if re.fullmatch(r"\d{1,4}", l.text) and (folio_like', CLEAN),
    Mutant("folios: a finished sentence does not matter", "booklet/importing/clean.py",
           "return bool(prev and nxt and not ends_sentence(prev.text) and nxt.text[:1] in NUMBER_FOLLOWERS)",
           "return bool(prev and nxt and nxt.text[:1] in NUMBER_FOLLOWERS)", CLEAN),
    Mutant("split numbers: across a blank line", "booklet/importing/clean.py",
           "if follows and not nxt.gap and _TRAILING_NUMBER.search(l.text):",
           "if follows and _TRAILING_NUMBER.search(l.text):", CLEAN),
    Mutant("split numbers: back over a finished sentence", "booklet/importing/clean.py",
           "if follows and re.fullmatch(r\"\\d+(?:\\.\\d+)?\", l.text) and prev is not None and not ends_sentence(prev.text) \\",
           "if follows and re.fullmatch(r\"\\d+(?:\\.\\d+)?\", l.text) and prev is not None \\", CLEAN),
    Mutant("paragraphs: no indent allowance on first lines", "booklet/importing/clean.py",
           "if wa <= ref - (3.5 if first and a.w0 is None else 2.5):", "if wa <= ref - 2.5:", CLEAN),
    Mutant("paragraphs: 2.5 ems short is not short", "booklet/importing/clean.py",
           "if wa <= ref - (3.5 if first and a.w0 is None else 2.5):", "if wa < ref - (3.5 if first and a.w0 is None else 2.5):",
           CLEAN),
    Mutant("paragraphs: an indented line does not start one", "booklet/importing/clean.py",
           "if nb >= ref - 4.5:", "if nb > ref:", CLEAN),
    Mutant("paragraphs: headings need one longer neighbour", "booklet/importing/clean.py",
           "brk = wa <= widths[i - 1] - 3 and wa <= wb - 3", "brk = wa <= widths[i - 1] - 3 or wa <= wb - 3", CLEAN),
    Mutant("paragraphs: editors cannot join", "booklet/importing/corrections.py",
           "out.update({c.args[\"after\"]: False for c in self.of(\"join_paragraphs\")})", "pass",
           ("tests/test_corrections.py", "tests/test_segment.py", "tests/test_import.py")),
    Mutant("glue: Latin words run together", "booklet/importing/clean.py",
           "        return a + \" \" + b\n    if a and b and a[-1].isascii() and a[-1].isdigit()",
           "        return a + b\n    if a and b and a[-1].isascii() and a[-1].isdigit()", CLEAN),
    Mutant("spaces: kept between Han characters", "booklet/importing/clean.py",
           'return "" if is_wide(left) or is_wide(right) else " "', 'return "" if is_wide(left) and is_wide(right) else " "',
           CLEAN),
    Mutant("punctuation: full-width before digits", "booklet/importing/clean.py",
           "is_han(text[i - 1]) and not (i + 1 < len(text) and text[i + 1].isdigit())", "is_han(text[i - 1])", CLEAN),
    Mutant("is_wide: half-width forms counted wide", "booklet/importing/clean.py",
           "(0xFF00, 0xFF60),   # full-width forms", "(0xFF00, 0xFF6F),   # full-width forms", CLEAN),

    # ---- the segmenter (roster lines)
    Mutant("roster: any annotation", "booklet/importing/people.py",
           "if ann and not all(_ANN_TOKEN.match(t) for t in re.split(r\"[，,、]\", ann[1:-1])):", "if False:",
           SEGMENT),
    Mutant("roster: gender read as ethnicity", "booklet/importing/people.py",
           'if t in ("男", "女"):', 'if t in ("男",):', SEGMENT),
    Mutant("ornament words may hold punctuation", "booklet/importing/people.py",
           '        all(is_han(ch) or ch == " " for ch in t)', "        True", SEGMENT),

    # ---- error paths
    Mutant("honourees: a key twice is fine", "booklet/content.py", "if key in field_lines:", "if False:", ERRORS),
    Mutant("honourees: lists where text belongs", "booklet/content.py",
           'if key != "source_lines" and not isinstance(vnode, yaml.ScalarNode):', "if False:", ERRORS),
    Mutant("unit files: any kind", "booklet/content.py", "if kind not in KINDS:", "if kind is None:", ERRORS),
    Mutant("corrections: lines off by one", "booklet/importing/corrections.py",
           "line = enode.start_mark.line + 1", "line = enode.start_mark.line", ERRORS),
    Mutant("corrections: unknown entry keys pass", "booklet/importing/corrections.py",
           'extra = set(entry) - {kind, "reason", "expect"}', "extra = set()", ERRORS),
    Mutant("fonts: truncation not checked", "booklet/fonts.py", "    cut = _truncated(path)\n", "    cut = None\n", ERRORS),
    Mutant("fonts: not-found line not named", "booklet/fonts.py",
           'line = (lines or {}).get(f"{role}.{weight}")', "line = None", ERRORS),
    Mutant("images: pixels not decoded", "booklet/images.py", "        im.load()\n", "        pass\n", ERRORS),
    Mutant("images: a portrait outside the project is read", "booklet/images.py",
           '    if not path.is_relative_to(root):\n        return Source(src, None, "outside")',
           '    if False:\n        return Source(src, None, "outside")', ERRORS),
    Mutant("images: the cover photo not checked", "booklet/images.py", "    if cover:\n", "    if False:\n", ERRORS),
    Mutant("render: damaged files WeasyPrint drops pass", "booklet/render/document.py",
           "    if damaged:\n", "    if False:\n", ERRORS),
    Mutant("templates: non-UTF-8 line not named", "booklet/render/templates.py",
           'raise BookletError("the file is not UTF-8 text", where=f"layouts/{template}, line {line}",',
           'raise BookletError("the file is not UTF-8 text", where=f"layouts/{template}",', ERRORS),
    Mutant("config: source_date checked late", "booklet/config.py",
           "_check_iso_date(ctx, vnode, cfg.source_date.strip())", "pass", ERRORS),
    Mutant("config: any PDF variant", "booklet/config.py",
           'elif output.pdf_variant not in ("pdf/x-1a", "pdf/x-3", "pdf/x-4"):', "elif False:", ERRORS),
    Mutant("impose: unreadable PDF not named", "booklet/pdf/impose.py",
           'where = str(source) if isinstance(source, Path) else None', "where = None", ERRORS),
    Mutant("preview: pdftoppm failure is a traceback", "booklet/live/preview.py", "    if proc.returncode:\n",
           "    if False:\n", ERRORS),
    Mutant("cli: user errors exit 0", "booklet/cli.py", "            sys.exit(1)\n", "            sys.exit(0)\n", ERRORS),

    # ---- commands
    Mutant("impose: pages swapped on the sheet", "booklet/pdf/impose.py",
           "pairs.append((n - 2 * k, 2 * k + 1))        # front of sheet k",
           "pairs.append((2 * k + 1, n - 2 * k))        # front of sheet k", ("tests/test_commands.py",)),
    Mutant("preview: old pages left over", "booklet/cli.py", "            old.unlink()\n", "            pass\n",
           ("tests/test_commands.py",)),
    Mutant("import: the editor's unit order overwritten", "booklet/importing/project_units.py",
           "if current != previous and previous is not None:", "if False:", ("tests/test_commands.py",)),
    Mutant("fonts install: result not verified", "booklet/fonts.py", 'if got != entry["sha256"]:', "if False:",
           ("tests/test_commands.py",)),
    Mutant("fonts install: source not verified", "booklet/fonts.py", 'if src_sum != entry["source"]["sha256"]:',
           "if False:", ("tests/test_commands.py",)),
    Mutant("fonts install: collection face ignored", "booklet/fonts.py",
           'face = TTCollection(source).fonts[entry["source"]["face_index"]]', "face = TTCollection(source).fonts[0]",
           ("tests/test_commands.py",)),
    Mutant("audit summary: nothing measured", "booklet/cli.py",
           "report = audit_pdf(pdf, margins=_audit_margins(root, pdf))", "report = audit_pdf(pdf, margins=None, tolerance=99)",
           ("tests/test_commands.py",)),

    # ---- typesetting and the editions
    Mutant("justification off", "booklet/render/typeset.py", "    if mode == 'none':\n        return\n",
           "    if True:\n        return\n", ("tests/test_justification.py",)),
    Mutant("autospace on when switched off", "booklet/render/typeset.py",
           "autospace = style['text_autospace'] != 'no-autospace'", "autospace = True", ("tests/test_typeset.py",)),
    Mutant("blank pages after the back cover", "booklet/pdf/editions.py", "at = max(n - 1, 0)", "at = n",
           ("tests/test_print.py",)),
    Mutant("glyph check sees nothing", "booklet/glyphs.py", "for ch in uncovered(text, face.path):", "for ch in []:",
           ("tests/test_build.py",)),
]

