"""How much of a generated issue's clean content an import gives back.

:func:`measure` generates the raw text of an issue (generate.py), imports it
into a temporary project with ``booklet.importing.importer.import_raw`` (as a
user's ``booklet import`` would), reads back the unit files and
``content/honourees.yaml`` as written, and compares them with the clean
YAML:

* **sentences** — every paragraph and heading of every text unit and every
  testimonial is split after 。！？ (with closing quotes); a sentence counts
  when the imported unit matched to its clean unit (or the honouree's own
  testimonial) holds it exactly. Target ≥ 98 %.
* **testimonials** — each honouree with a testimonial has exactly its
  paragraphs; one without has none. Target: all.
* **honourees** — names, group names (in the source's order), annotations
  (gender, ethnicity) and the printed affiliation + post exact. Target: all.
  Where the post was split off the affiliation is reported, not a target:
  the roster prints them as one line.
* **ornaments** — no ornament text (year range, slogan pieces) in any field
  of any unit or honouree. Target: none.
* **units** — each clean unit matched by its own imported unit of the right
  kind with its title (text units: by the sentences they share; rosters and
  testimonial pages: by group; captions: by text), and no imported unit left
  over. Target: all, no extras. Bylines, and a roster's banner as its
  section, are reported.
* **uncertain** — the decisions the import report flags for review.

Run as a script for a fidelity table per issue::

    .venv/bin/python tests/unseen/fidelity.py                # every issue, its pinned seed
    .venv/bin/python tests/unseen/fidelity.py sanba --seeds 1-10 -v
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:
    from . import generate as gen
except ImportError:          # run as a script
    import generate as gen   # type: ignore[no-redef]

#: the seed each issue is tested with (tests/test_unseen.py)
PINNED = {"sanba": 1, "jiaoshi": 2, "dianli": 3}

TEXT_KINDS = ("news", "speech", "article", "editors-note")
_CLOSE = "”’」』）》"


def sentences(text: str) -> list[str]:
    """Split after 。！？ (and the closing quotes that follow); the rest of a
    text without a sentence end (a heading) is one piece."""
    out = [m.group(0).strip() for m in re.finditer(rf"[^。！？]*(?:[。！？]+[{_CLOSE}]*|$)", text)]
    return [s for s in out if s]


# ---------------------------------------------------------------- reading the import


@dataclass
class ImportedUnit:
    file: str
    meta: dict
    blocks: list[tuple[str, str]]       # (p | h2 | figure | quote, text)

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind", ""))

    def field(self, key: str) -> str:
        v = self.meta.get(key)
        return "" if v is None else str(v)

    def sentences(self) -> list[str]:
        return [s for k, t in self.blocks if k in ("p", "h2", "quote") for s in sentences(t)]

    def texts(self) -> list[str]:
        return [self.field(k) for k in self.meta if k not in ("source_lines", "vertical_title")] + \
            [t for _, t in self.blocks]


def read_unit(path: Path) -> ImportedUnit:
    text = path.read_text(encoding="utf-8")
    _, fm, body = text.split("---\n", 2)
    blocks = []
    for para in re.split(r"\n\s*\n", body.strip()):
        para = para.strip()
        if not para:
            continue
        m = re.fullmatch(r"!\[(.*)\]\((.*)\)", para)
        if para.startswith("## "):
            blocks.append(("h2", para[3:].strip()))
        elif m:
            blocks.append(("figure", m.group(1)))
        elif para.startswith("> "):
            blocks.append(("quote", para[2:].strip()))
        else:
            blocks.append(("p", para))
    return ImportedUnit(path.name, yaml.safe_load(fm) or {}, blocks)


@dataclass
class Imported:
    units: list[ImportedUnit]
    people: list[dict]
    review: list[tuple[str, int, str]]      # (rule, raw line, why)
    raw: gen.Raw


def run_import(raw: gen.Raw, workdir: Path) -> Imported:
    """Import ``raw`` into a new project under ``workdir``, as `booklet import` does."""
    from booklet.importing.importer import import_raw

    workdir.mkdir(parents=True, exist_ok=True)
    raw_path = workdir / f"raw-{raw.issue.name}-{raw.seed}.txt"
    raw_path.write_text(raw.text, encoding="utf-8")
    project = workdir / "project"
    (project / "content").mkdir(parents=True, exist_ok=True)
    result = import_raw(raw_path, project)
    units = [read_unit(project / rel) for rel in result.units_list]
    hy = project / "content" / "honourees.yaml"
    people = (yaml.safe_load(hy.read_text(encoding="utf-8")) or {}).get("honourees") or [] if hy.exists() else []
    review = [(c.rule, int(c.source_line), c.note or c.after) for c in result.review]
    return Imported(units, people, review, raw)


# ---------------------------------------------------------------- comparing


@dataclass
class Fidelity:
    issue: str
    seed: int
    sentences_total: int = 0
    sentences_exact: int = 0
    testimonials_total: int = 0
    testimonials_exact: int = 0
    people_total: int = 0
    people_found: int = 0
    groups_expected: list[str] = field(default_factory=list)
    groups_found: list[str] = field(default_factory=list)
    annotations_exact: int = 0
    affiliations_exact: int = 0
    posts_split: int = 0
    units_total: int = 0
    units_kind_ok: int = 0
    titles_total: int = 0
    titles_ok: int = 0
    bylines_total: int = 0
    bylines_ok: int = 0
    extra_units: list[str] = field(default_factory=list)
    ornament_leaks: list[str] = field(default_factory=list)
    review: list[tuple[str, int, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # what went wrong, one line each

    @property
    def sentence_share(self) -> float:
        return self.sentences_exact / self.sentences_total if self.sentences_total else 1.0

    @property
    def failures(self) -> list[str]:
        """The targets this import misses (empty: all met)."""
        f = []
        if self.sentence_share < 0.98:
            f.append(f"sentences exact {self.sentence_share:.1%} < 98%")
        if self.testimonials_exact < self.testimonials_total:
            f.append(f"testimonials {self.testimonials_exact}/{self.testimonials_total}")
        if self.people_found < self.people_total:
            f.append(f"honourees found {self.people_found}/{self.people_total}")
        if self.groups_found != self.groups_expected:
            f.append(f"groups {self.groups_found} != {self.groups_expected}")
        if self.annotations_exact < self.people_total:
            f.append(f"annotations {self.annotations_exact}/{self.people_total}")
        if self.affiliations_exact < self.people_total:
            f.append(f"affiliations {self.affiliations_exact}/{self.people_total}")
        if self.ornament_leaks:
            f.append(f"ornament text in {len(self.ornament_leaks)} fields")
        if self.units_kind_ok < self.units_total:
            f.append(f"units of the right kind {self.units_kind_ok}/{self.units_total}")
        if self.titles_ok < self.titles_total:
            f.append(f"titles {self.titles_ok}/{self.titles_total}")
        if self.extra_units:
            f.append(f"{len(self.extra_units)} extra units")
        return f


def _overlap(a: list[str], b: list[str]) -> int:
    return sum((Counter(a) & Counter(b)).values())


def _diff(want: list[str], got: list[str]) -> str:
    """Where an imported testimonial differs from the clean one, in a few words."""
    if not got:
        return "missing"
    a, b = "\n".join(want), "\n".join(got)
    if a.replace("\n", "") == b.replace("\n", ""):
        return f"paragraphs split differently ({len(got)} instead of {len(want)})"
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"differs at {a[max(0, k - 8):k + 8]!r}: got {b[max(0, k - 8):k + 8]!r}"


def compare(issue: gen.Issue, imp: Imported, seed: int = 0) -> Fidelity:
    fid = Fidelity(issue.name, seed, review=list(imp.review))
    used: dict[int, str] = {}          # imported unit index -> which clean unit took it

    def take(k: int, what: str) -> None:
        if k in used:
            fid.problems.append(f"{what} and {used[k]} both ended up in {imp.units[k].file}")
        used[k] = what

    # ---- units
    for n, u in enumerate(issue.units, 1):
        label = f"unit {n} ({u.kind}{' ' + u.title[:10] if u.title else ''})"
        fid.units_total += 1
        if u.kind in TEXT_KINDS:
            want = [s for p in u.paragraphs for s in sentences(p[3:] if p.startswith("## ") else p)]
            fid.sentences_total += len(want)
            scores = [(_overlap(want, iu.sentences()), iu.field("title") == u.title, -k)
                      for k, iu in enumerate(imp.units) if iu.kind not in ("roster", "testimonials")]
            idx = [k for k, iu in enumerate(imp.units) if iu.kind not in ("roster", "testimonials")]
            best = max(zip(scores, idx), default=None)
            if best is None or (best[0][0] == 0 and not best[0][1]):
                fid.problems.append(f"{label}: no imported unit holds its text")
                continue
            k = best[1]
            iu = imp.units[k]
            take(k, label)
            got = _overlap(want, iu.sentences())
            fid.sentences_exact += got
            if got < len(want):
                have = Counter(iu.sentences())
                lost = [s for s in want if not have[s] or have.subtract([s])]
                fid.problems.append(f"{label}: {len(want) - got} of {len(want)} sentences not exact in {iu.file}, "
                                    f"e.g. {lost[0][:24]}…")
            fid.titles_total += 1
            if iu.field("title") == u.title:
                fid.titles_ok += 1
            else:
                fid.problems.append(f"{label}: title {iu.field('title')!r}")
            if iu.kind == u.kind:
                fid.units_kind_ok += 1
            else:
                fid.problems.append(f"{label}: imported as {iu.kind}")
            if u.byline_author or u.affiliation:
                fid.bylines_total += 1
                if iu.field("author") == u.byline_author and iu.field("affiliation") == u.affiliation:
                    fid.bylines_ok += 1
                else:
                    fid.problems.append(f"{label}: byline {iu.field('affiliation')!r} {iu.field('author')!r} "
                                        f"(clean: {u.affiliation!r} {u.byline_author!r}) [reported, not a target]")
        elif u.kind == "caption":
            ks = [k for k, iu in enumerate(imp.units) if any(t == u.text for _, t in iu.blocks)]
            if not ks:
                fid.problems.append(f"{label}: caption text not found as a block")
                continue
            take(ks[0], label)
            if imp.units[ks[0]].kind == "caption":
                fid.units_kind_ok += 1
            else:
                fid.problems.append(f"{label}: imported as {imp.units[ks[0]].kind}")
        else:                           # roster, testimonials: by group
            ks = [k for k, iu in enumerate(imp.units) if iu.kind == u.kind and iu.field("group") == u.group
                  and k not in used]
            if not ks:
                fid.problems.append(f"{label}: no {u.kind} unit for group {u.group!r} "
                                    f"(imported groups: {[iu.field('group') for iu in imp.units if iu.field('group')]})")
                continue
            take(ks[0], label)
            fid.units_kind_ok += 1
            if u.kind == "roster":
                if u.banner and imp.units[ks[0]].field("section") != u.banner:
                    fid.problems.append(f"{label}: banner {u.banner!r} not its section "
                                        f"({imp.units[ks[0]].field('section')!r}) [reported, not a target]")
                fid.titles_total += 1
                if imp.units[ks[0]].field("title") in ("", u.group):
                    fid.titles_ok += 1
                else:
                    fid.problems.append(f"{label}: roster titled {imp.units[ks[0]].field('title')!r}")
    for k, iu in enumerate(imp.units):
        if k not in used:
            fid.extra_units.append(f"{iu.file} {iu.field('title')[:16]!r}")
            fid.problems.append(f"extra unit {iu.file} ({iu.kind}) {iu.field('title')[:16]!r}: "
                                f"{(iu.blocks[0][1][:20] if iu.blocks else '')!r}")

    # ---- honourees
    by_name = {str(p.get("name", "")): p for p in imp.people}
    fid.groups_expected = [g.name for g in issue.groups]
    seen: list[str] = []
    for p in imp.people:
        g = str(p.get("group", ""))
        if g not in seen:
            seen.append(g)
    fid.groups_found = seen
    clean_names = {p.name for p in issue.people()}
    for p in imp.people:
        if p.get("name") not in clean_names:
            fid.problems.append(f"honouree {p.get('name')!r} is not in the clean issue")
    for g in issue.groups:
        for person in g.people:
            fid.people_total += 1
            want = [s for para in person.testimonial for s in sentences(para)]
            fid.sentences_total += len(want)
            if person.testimonial:
                fid.testimonials_total += 1
            ip = by_name.get(person.name)
            if ip is None:
                fid.problems.append(f"{person.name}: not among the imported honourees")
                continue
            fid.people_found += 1
            if str(ip.get("group", "")) != g.name:
                fid.problems.append(f"{person.name}: group {ip.get('group')!r}")
            if (str(ip.get("gender") or ""), str(ip.get("ethnicity") or "")) == (person.gender, person.ethnicity):
                fid.annotations_exact += 1
            else:
                fid.problems.append(f"{person.name}: annotation {ip.get('gender')!r} {ip.get('ethnicity')!r}")
            aff, post = str(ip.get("affiliation") or ""), str(ip.get("post") or "")
            if aff + post == person.printed:
                fid.affiliations_exact += 1
            else:
                fid.problems.append(f"{person.name}: affiliation+post {aff + post!r}")
            if (aff, post) == (person.affiliation, person.post):
                fid.posts_split += 1
            got = [t.strip() for t in re.split(r"\n\s*\n", str(ip.get("testimonial") or "").strip()) if t.strip()]
            if got == person.testimonial:
                if person.testimonial:
                    fid.testimonials_exact += 1
            else:
                fid.problems.append(f"{person.name}: testimonial {_diff(person.testimonial, got)}")
            fid.sentences_exact += _overlap(want, [s for t in got for s in sentences(t)])

    # ---- ornaments
    for orn in imp.raw.ornaments:
        for iu in imp.units:
            for t in iu.texts():
                if orn in t:
                    fid.ornament_leaks.append(f"{orn!r} in {iu.file}")
        for p in imp.people:
            for key, v in p.items():
                if isinstance(v, str) and orn in v:
                    fid.ornament_leaks.append(f"{orn!r} in {p.get('name')}'s {key}")
    fid.problems += [f"ornament {x}" for x in fid.ornament_leaks]
    return fid


def measure(issue: str | Path | gen.Issue, seed: int | None = None, workdir: Path | None = None) -> Fidelity:
    """Generate, import and compare one issue (``seed``: its pinned seed by default)."""
    if not isinstance(issue, gen.Issue):
        p = Path(issue)
        issue = gen.load_issue(p if p.suffix else gen.ISSUES / f"{p}.yaml")
    if seed is None:
        seed = PINNED.get(issue.name, 0)
    raw = gen.generate(issue, seed)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="unseen-") as tmp:
            return compare(issue, run_import(raw, Path(tmp)), seed)
    return compare(issue, run_import(raw, Path(workdir)), seed)


# ---------------------------------------------------------------- the table


def table(rows: list[Fidelity]) -> str:
    head = ("issue", "seed", "sentences", "testimonials", "honourees", "groups", "annot.", "affil.", "posts*",
            "kinds", "titles", "bylines*", "extra", "ornam.", "uncertain", "targets")
    out = [head]
    for f in rows:
        out.append((f.issue, str(f.seed), f"{f.sentences_exact}/{f.sentences_total} {f.sentence_share:.1%}",
                    f"{f.testimonials_exact}/{f.testimonials_total}", f"{f.people_found}/{f.people_total}",
                    "ok" if f.groups_found == f.groups_expected else "WRONG",
                    f"{f.annotations_exact}/{f.people_total}", f"{f.affiliations_exact}/{f.people_total}",
                    f"{f.posts_split}/{f.people_total}", f"{f.units_kind_ok}/{f.units_total}",
                    f"{f.titles_ok}/{f.titles_total}", f"{f.bylines_ok}/{f.bylines_total}",
                    str(len(f.extra_units)), str(len(f.ornament_leaks)), str(len(f.review)),
                    "met" if not f.failures else "MISSED"))
    widths = [max(_w(r[i]) for r in out) for i in range(len(head))]
    lines = ["  ".join(c + " " * (widths[i] - _w(c)) for i, c in enumerate(r)).rstrip() for r in out]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("* reported, not a target")
    return "\n".join(lines)


def _w(s: str) -> int:
    return int(sum(2 if gen.is_wide(c) else 1 for c in s))


def _seeds(spec: str) -> list[int]:
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b) + 1)) if b else [int(a)]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fidelity of the import on generated issues.")
    ap.add_argument("issues", nargs="*", help="issue names or YAML paths (default: all under tests/unseen/issues)")
    ap.add_argument("--seeds", help="seeds to try, e.g. 1-10 or 1,4,7 (default: each issue's pinned seed)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the problems and uncertain items")
    args = ap.parse_args(argv)
    names = args.issues or [p.stem for p in gen.issue_paths()]
    rows = []
    for name in names:
        for seed in (_seeds(args.seeds) if args.seeds else [None]):
            f = measure(name, seed)
            rows.append(f)
            if args.verbose:
                print(f"\n== {f.issue} seed {f.seed}: " + ("; ".join(f.failures) or "all targets met"))
                for p in f.problems:
                    print("   problem:", p)
                for rule, line, why in f.review:
                    print(f"   uncertain: {rule} line {line}: {why}")
    print()
    print(table(rows))
    return 0 if all(not f.failures for f in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
