"""What a stylesheet edit can change, so `booklet watch` redoes no more than that.

A designer's edit is usually one declaration: a colour, a margin, a size.
Comparing the old and new stylesheet rule by rule tells which selectors and
properties changed, and that decides how much of the last build survives:

* ``paint``: only colours changed (``color``, ``background-color``, border
  and rule colours, or a custom property that holds a colour before and
  after and is only used where colours go). No box moves, so the laid-out
  pages are kept and restyled (see restyle.py).
* ``scoped``: layout changed, but only for the elements the changed rules
  select and their descendants; the parts of the booklet that contain none
  keep their pages (incremental.py lays out the others). Colour changes in
  the same edit are repainted on the kept pages.
* ``global``: anything whose effect cannot be bounded that way: @page,
  @font-face and @media rules, counters and running strings, or a selector
  that cannot be parsed. Everything is laid out again.

Every doubt resolves towards more work, never towards a stale page.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import tinycss2
from tinycss2.color5 import parse_color

SIDES = ("top", "right", "bottom", "left")

#: Longhands that only change how boxes are painted, never their size or place.
PAINT_LONGHANDS = frozenset({
    "color", "background-color", "outline-color", "text-decoration-color", "column-rule-color",
    *(f"border-{side}-color" for side in SIDES),
})

#: Shorthands that also set a colour; an edit that only swaps colour tokens in them is paint.
COLOUR_SHORTHANDS = frozenset({
    "border-color", "background", "border", "outline", "text-decoration", "column-rule",
    *(f"border-{side}" for side in SIDES),
})

#: Properties whose effect crosses from one part of the booklet to later ones.
CROSS_PART = frozenset({
    "counter-reset", "counter-increment", "counter-set", "string-set",
    "bookmark-label", "bookmark-level", "bookmark-state", "footnote-display", "footnote-policy",
})

#: Computed-style keys that a paint edit may change (WeasyPrint's names).
PAINT_KEYS = tuple(sorted(p.replace("-", "_") for p in PAINT_LONGHANDS))


@dataclass(frozen=True)
class Rule:
    kind: str                 # "style", "page" (an @page or margin rule) or "opaque" (any other at-rule)
    prelude: str              # the selector, "@page :left @top-left", or the whole at-rule
    declarations: tuple       # ((name, value, important), ...)


@dataclass(frozen=True)
class Declaration:
    kind: str
    prelude: str
    name: str
    old: str | None           # value before (None: not declared)
    new: str | None


@dataclass
class StyleChange:
    kind: str                                   # "none", "paint", "scoped" or "global"
    reason: str = ""
    selectors: list[str] = field(default_factory=list)   # for "scoped": the selectors of layout changes
    repaint: bool = False                                # for "scoped": colours changed too
    declarations: list[Declaration] = field(default_factory=list)


def _norm(tokens) -> str:
    return " ".join(tinycss2.serialize(tokens).split())


def _declarations(content) -> tuple[tuple, list]:
    decls, nested = [], []
    for item in tinycss2.parse_blocks_contents(content or [], skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            name = item.name if item.name.startswith("--") else item.lower_name
            decls.append((name, _norm(item.value), bool(item.important)))
        elif item.type == "at-rule":
            nested.append(item)
        elif item.type in ("qualified-rule", "error"):
            nested.append(item)
    return tuple(decls), nested


def parse_rules(css: str) -> list[Rule]:
    rules: list[Rule] = []
    for node in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if node.type == "qualified-rule":
            decls, nested = _declarations(node.content)
            prelude = _norm(node.prelude)
            rules.append(Rule("style", prelude, decls) if not nested else Rule("opaque", _norm([node]), ()))
        elif node.type == "at-rule" and node.lower_at_keyword == "page":
            decls, nested = _declarations(node.content)
            prelude = ("@page " + _norm(node.prelude)).strip()
            rules.append(Rule("page", prelude, decls))
            for margin in nested:
                if margin.type == "at-rule":
                    inner, deeper = _declarations(margin.content)
                    if deeper:
                        rules.append(Rule("opaque", _norm([margin]), ()))
                    rules.append(Rule("page", f"{prelude} @{margin.lower_at_keyword}", inner))
                else:
                    rules.append(Rule("opaque", _norm([margin]), ()))
        else:
            rules.append(Rule("opaque", _norm([node]), ()))
    return rules


def _effective(decls: tuple) -> dict[str, tuple[str, bool]]:
    """The declaration that wins for each property inside one rule."""
    won: dict[str, tuple[str, bool]] = {}
    for name, value, important in decls:
        if name not in won or important or not won[name][1]:
            won[name] = (value, important)
    return won


def _rule_changes(old: Rule | None, new: Rule | None) -> list[Declaration]:
    rule = old or new
    a = _effective(old.declarations) if old else {}
    b = _effective(new.declarations) if new else {}
    order_a = [d[0] for d in old.declarations] if old else []
    order_b = [d[0] for d in new.declarations] if new else []
    reordered = old is not None and new is not None and order_a != order_b and sorted(order_a) == sorted(order_b)
    out = []
    for name in dict.fromkeys([*a, *b]):
        if a.get(name) != b.get(name) or reordered:
            va, vb = a.get(name), b.get(name)
            out.append(Declaration(rule.kind, rule.prelude, name,
                                   None if va is None else va[0] + (" !important" if va[1] else ""),
                                   None if vb is None else vb[0] + (" !important" if vb[1] else "")))
    return out


def changed_declarations(a: list[Rule], b: list[Rule]) -> tuple[list[Declaration], list[Rule]]:
    """Declarations that differ between two parsed stylesheets, and at-rules (other than @page) that differ."""
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    changes: list[Declaration] = []
    opaque: list[Rule] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        opaque += [r for r in (*olds, *news) if r.kind == "opaque"]
        # Rules at the same offset with the same selector were edited in place;
        # anything else was added, removed or moved, and all its declarations count.
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else None
            n = news[k] if k < len(news) else None
            if o and n and (o.kind, o.prelude) == (n.kind, n.prelude):
                changes += _rule_changes(o, n)
            else:
                if o:
                    changes += _rule_changes(o, None)
                if n:
                    changes += _rule_changes(None, n)
    return changes, opaque


def _tokens(value: str):
    return [t for t in tinycss2.parse_component_value_list(value) if t.type not in ("whitespace", "comment")]


def _is_colour(value: str | None) -> bool:
    if value is None:
        return False
    tokens = _tokens(value.removesuffix(" !important"))
    return len(tokens) == 1 and parse_color(tokens[0]) is not None


def _differs_only_in_colours(old: str, new: str) -> bool:
    ta, tb = _tokens(old), _tokens(new)
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if tinycss2.serialize([x]) == tinycss2.serialize([y]):
            continue
        if parse_color(x) is None or parse_color(y) is None:
            return False
    return True


def _var_uses(rules: list[Rule]) -> dict[str, set[str]]:
    """Custom property → the properties whose values refer to it."""
    uses: dict[str, set[str]] = {}
    for rule in rules:
        for name, value, _ in rule.declarations:
            for token in _walk(tinycss2.parse_component_value_list(value)):
                if token.type == "function" and token.lower_name == "var":
                    args = [t for t in token.arguments if t.type == "ident"]
                    if args:
                        uses.setdefault(args[0].value, set()).add(name)
    return uses


def _walk(tokens):
    for token in tokens:
        yield token
        if getattr(token, "arguments", None):
            yield from _walk(token.arguments)
        if getattr(token, "content", None) and token.type in ("() block", "[] block", "{} block"):
            yield from _walk(token.content)


def _colour_only_usage(name: str, uses: dict[str, set[str]], seen: set[str]) -> bool:
    """A custom property is only used where a colour can go, directly or through others."""
    if name in seen:
        return True
    seen.add(name)
    for prop in uses.get(name, ()):
        if prop.startswith("--"):
            if not _colour_only_usage(prop, uses, seen):
                return False
        elif prop not in PAINT_LONGHANDS and prop not in COLOUR_SHORTHANDS:
            return False
    return True


def _defined_everywhere_as_colour(name: str, sheets: list[list[Rule]]) -> bool:
    """Every declaration of *name* holds a colour, and the root declares it in each sheet,
    so no element's value of it can switch between set and unset."""
    for rules in sheets:
        at_root = False
        for rule in rules:
            for decl_name, value, _ in rule.declarations:
                if decl_name == name:
                    if not _is_colour(value):
                        return False
                    at_root = at_root or (rule.kind == "style" and rule.prelude in (":root", "html"))
        if not at_root:
            return False
    return True


def _is_paint(change: Declaration, uses: dict[str, set[str]], sheets: list[list[Rule]] = ()) -> bool:
    if "first-line" in change.prelude or "first-letter" in change.prelude:
        return False   # WeasyPrint copies these styles into the line's boxes during layout
    if change.name in PAINT_LONGHANDS:
        return True
    if change.name in COLOUR_SHORTHANDS:
        return change.old is not None and change.new is not None and _differs_only_in_colours(change.old, change.new)
    if change.name.startswith("--"):
        if change.name not in uses:
            return True                  # referred to nowhere: changes nothing
        if not _colour_only_usage(change.name, uses, set()):
            return False
        if _is_colour(change.old) and _is_colour(change.new):
            return True
        # added or removed in one rule: harmless if it is a colour wherever it is set
        return _defined_everywhere_as_colour(change.name, sheets)
    return False


def _crosses_parts(change: Declaration) -> bool:
    if change.name in CROSS_PART:
        return True
    values = " ".join(v for v in (change.old, change.new) if v)
    return any(f in values for f in ("running(", "element(", "counter(", "counters(", "target-"))


def compare(old_css: str, new_css: str) -> StyleChange:
    """Classify an edit from *old_css* to *new_css* (see the module docstring)."""
    if old_css == new_css:
        return StyleChange("none")
    try:
        sheets = [parse_rules(old_css), parse_rules(new_css)]
        changes, opaque = changed_declarations(*sheets)
    except Exception as exc:   # a stylesheet tinycss2 cannot read: let the full build report it
        return StyleChange("global", f"stylesheet could not be compared ({exc})")
    if opaque:
        return StyleChange("global", f"at-rule changed: {opaque[0].prelude[:60]}")
    if not changes:
        return StyleChange("none", "only formatting changed")
    uses = _var_uses(sheets[0])
    for name, props in _var_uses(sheets[1]).items():
        uses.setdefault(name, set()).update(props)
    layout = [c for c in changes if not _is_paint(c, uses, sheets)]
    if not layout:
        return StyleChange("paint", declarations=changes)
    for c in layout:
        if c.kind == "page":
            return StyleChange("global", f"page rule changed: {c.prelude} {{ {c.name} }}", declarations=changes)
        if _crosses_parts(c):
            return StyleChange("global", f"{c.name} in '{c.prelude}' affects later parts", declarations=changes)
    if any(c.kind == "page" for c in changes):
        return StyleChange("global", "page rule changed", declarations=changes)
    # A custom property is scoped like any other: to where it is declared and below.
    # Colour changes that come with the edit are repainted, so they do not widen the scope.
    selectors = list(dict.fromkeys(c.prelude for c in layout))
    return StyleChange("scoped", selectors=selectors, declarations=changes, repaint=len(layout) < len(changes))
