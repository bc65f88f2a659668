"""Issues no one here has seen: the generator of raw extracted text
(tests/unseen/generate.py), its issues (tests/unseen/issues/*.yaml), and the
import's fidelity on each (tests/unseen/fidelity.py)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from unseen import fidelity as fid
from unseen import generate as gen

ROOT = Path(__file__).resolve().parents[1]
ISSUES = [p.stem for p in gen.issue_paths()]
HAN = "\u3400-\u4dbf\u4e00-\u9fff"


@pytest.fixture(scope="module")
def raws() -> dict[str, gen.Raw]:
    return {name: gen.generate(name, fid.PINNED[name]) for name in ISSUES}


def despace(s: str) -> str:
    return re.sub(r"\s+", "", s)


@lru_cache(maxsize=None)
def undouble(s: str) -> str | None:
    """Faux bold undone: the longest doubled block first, backtracking (the
    importer keeps the reading with the fewest blocks; this is another method)."""
    if not s:
        return ""
    for k in range(len(s) // 2, 0, -1):
        if s[:k] == s[k:2 * k]:
            rest = undouble(s[2 * k:])
            if rest is not None:
                return s[:k] + rest
    return None


# ---------------------------------------------------------------- the issues


def test_there_are_three_issues_that_differ():
    assert len(ISSUES) >= 3 and set(fid.PINNED) <= set(ISSUES)
    issues = [gen.load_issue(gen.ISSUES / f"{n}.yaml") for n in ISSUES]
    seed_people = yaml.safe_load((ROOT / "content" / "honourees.yaml").read_text(encoding="utf-8"))["honourees"]
    seed_raw = despace((ROOT / "source" / "raw-2020-model-workers.txt").read_text(encoding="utf-8"))
    group_sets = []
    for issue in issues:
        names = [g.name for g in issue.groups]
        assert 1 <= len(names) <= 3 and not {"全国劳动模范", "全国先进工作者"} & set(names)
        group_sets.append(tuple(names))
        assert not {p["name"] for p in seed_people} & {p.name for p in issue.people()}
        assert 4 <= len(issue.units) <= 12, issue.name
        for text in issue.texts():
            for s in fid.sentences(text):
                assert len(s) < 16 or s not in seed_raw, f"{issue.name}: copied from the seed: {s}"
    assert len(set(group_sets)) == len(group_sets)
    kinds = Counter(u.kind for i in issues for u in i.units)
    assert kinds["editors-note"] and kinds["speech"] and kinds["news"] and kinds["article"] and kinds["caption"]
    sizes = sorted(len(g.people) for i in issues for g in i.groups)
    assert sizes[0] <= 6 and sizes[-1] >= 40                    # short and long rosters
    assert any(not u.byline_author for i in issues for u in i.units if u.kind == "news")   # no byline
    assert {1, 2, 3} <= {n for i in issues for n in i.per_page + [m for g in i.groups for m in g.per_page]}
    assert {1, 2, 3} <= {len(i.groups) for i in issues}


def test_generator_is_deterministic_and_varies():
    for name in ISSUES:
        a, b, c = gen.generate(name, 5), gen.generate(name, 5), gen.generate(name, 6)
        assert a.text == b.text and a.sites == b.sites
        assert a.text != c.text


def test_ornaments_may_not_occur_in_the_content():
    issue = gen.load_issue(gen.ISSUES / f"{ISSUES[0]}.yaml")
    word = issue.units[0].paragraphs[0][2:6]
    with pytest.raises(ValueError, match="ornament"):
        gen.check_issue(replace(issue, ornaments={"slogan": [word]}))


def test_the_raw_text_carries_every_sentence(raws):
    """Each clean sentence is in the raw text in one piece once title blocks,
    folios and ornaments are set aside (faux bold undone, spaces removed),
    for the pinned seeds and ten others."""
    more = [gen.generate(name, seed) for name in ISSUES for seed in range(10)]
    for raw in list(raws.values()) + more:
        name = raw.issue.name
        skip = {n for fam in ("folio", "year_ornament", "slogan_ornament", "title_after_body", "title_cuts_body",
                              "masthead") for n in raw.sites.get(fam, [])}
        bold = set(raw.sites.get("faux_bold", []))
        flow = "".join((undouble(despace(line)) or despace(line)) if n in bold else despace(line)
                       for n, line in enumerate(raw.lines(), 1) if n not in skip)
        issue = raw.issue
        for u in issue.units:
            for p in u.paragraphs:
                for s in fid.sentences(p.removeprefix("## ")):
                    assert despace(s) in flow, (name, s)
        for p in issue.people():
            for para in p.testimonial:
                assert despace(para) in flow, (name, p.name)


# ---------------------------------------------------------------- each family


def _clean_texts(raw: gen.Raw) -> list[str]:
    return [despace(t) for t in raw.issue.texts()]


def _plain(raw: gen.Raw, n: int) -> str:
    s = despace(raw.lines()[n - 1])
    return (undouble(s) or s) if n in raw.sites.get("faux_bold", []) else s


def _prev(raw: gen.Raw, n: int, skip=()) -> int:
    lines = raw.lines()
    k = n - 1
    while k >= 1 and (not lines[k - 1].strip() or k in skip):
        k -= 1
    return k


def _next(raw: gen.Raw, n: int, skip=()) -> int:
    lines = raw.lines()
    k = n + 1
    while k <= len(lines) and (not lines[k - 1].strip() or k in skip):
        k += 1
    return k


def _ends_sentence(line: str) -> bool:
    return bool(re.search(r"[。！？][”’）]*$", line.strip()))


def _people(raw: gen.Raw) -> dict[str, gen.Person]:
    return {p.name: p for p in raw.issue.people()}


def c_hard_wrap(raw, n):
    s = _plain(raw, n)
    return any(s in t and s != t for t in _clean_texts(raw))


def c_split_number(raw, n):
    lines = raw.lines()
    line, nxt = lines[n - 1].strip(), lines[n] if n < len(lines) else ""
    if re.fullmatch(r"\d+", line) or re.search(r"\d$", line):
        return nxt[:1] in gen.FOLLOWERS
    prev = lines[n - 2] if n >= 2 else ""
    return re.search(r"\d$", prev) is not None and line[:1] in gen.FOLLOWERS


def c_digit_space(raw, n):
    return re.search(r"\S \d|\d \S", raw.lines()[n - 1].strip()) is not None


def c_letterspaced(raw, n):
    return len(re.findall(rf"[{HAN}，。、] (?=[{HAN}，。、])", raw.lines()[n - 1])) >= 3


def c_faux_bold(raw, n):
    s = despace(raw.lines()[n - 1])
    single = undouble(s)
    return re.fullmatch(r"(?:(.+?)\1)+", s) is not None and single is not None and \
        any(single.removeprefix("——") in t for t in _clean_texts(raw))


def c_vertical_title(raw, n):
    lines = raw.lines()
    if not re.fullmatch(rf"[{HAN}]", lines[n - 1].strip()):
        return False
    run = [k for k in range(max(1, n - 6), min(len(lines), n + 6) + 1)
           if re.fullmatch(rf"[{HAN}]", lines[k - 1].strip())]
    return len(run) >= 3


def c_stacked_vertical(raw, n):
    lines = raw.lines()
    k = n
    while k > 1 and (lines[k - 2].strip() == "" or re.fullmatch(rf"[{HAN}]", lines[k - 2].strip())) \
            and k - 1 in raw.sites["stacked_vertical"] + [k - 1 if lines[k - 2].strip() == "" else -1]:
        k -= 1
    block = []
    while k <= len(lines) and (k in raw.sites["stacked_vertical"] or lines[k - 1].strip() == ""):
        block.append(lines[k - 1].strip())
        k += 1
    parts = [p for p in "".join(x or "|" for x in block).split("|") if p]
    groups = {g.name for g in raw.issue.groups}
    banners = {u.banner for u in raw.issue.units if u.banner}
    return len(parts) == 2 and parts[0] in banners and parts[1] in groups


def c_folio(raw, n):
    lines = raw.lines()
    return re.fullmatch(r"\d{1,3}", lines[n - 1]) is not None and lines[n] == ""


def c_year_ornament(raw, n):
    return re.fullmatch(r"\d{4}—\d{4}", raw.lines()[n - 1].strip()) is not None


def c_slogan_ornament(raw, n):
    s = raw.lines()[n - 1].strip()
    return s in raw.ornaments and not any(s in t for t in _clean_texts(raw))


def c_photo_caption(raw, n):
    lines = raw.lines()
    nxt = lines[n] if n < len(lines) else " "
    return lines[n - 1].startswith(" ") and nxt.startswith(" ") and \
        lines[n - 1].strip() in {u.text for u in raw.issue.units if u.kind == "caption"}


def c_credit(raw, n):
    m = re.fullmatch(r"（(.+)）", raw.lines()[n - 1].strip())
    return bool(m) and m.group(1) in {u.credit for u in raw.issue.units}


def c_byline(raw, n):
    s = raw.lines()[n - 1].strip()
    return s in {(f"{u.affiliation} {u.author}" if u.affiliation else u.author) for u in raw.issue.units if u.author}


def c_masthead(raw, n):
    return raw.lines()[n - 1].strip() in {str(v) for v in raw.issue.meta.values()} and n < 20


def _unit_of_title_line(raw, n):
    s = _plain(raw, n)
    return [u for u in raw.issue.units if u.title and any(s in despace(t) for t in
            (u.title, "——" + u.subtitle if u.subtitle else "", u.subtitle, u.note,
             f"{u.affiliation}{u.author}") if t)]


def c_title_after_body(raw, n):
    before = "".join(despace(x) for x in raw.lines()[:n - 1])
    return any(despace(u.paragraphs[0])[:8] in before for u in _unit_of_title_line(raw, n))


def c_title_cuts_body(raw, n):
    block = set(raw.sites["title_cuts_body"])
    p, q = _prev(raw, n, block), _next(raw, n, block)
    lines = raw.lines()
    new_frame = lines[q - 1].startswith(" ") or q in raw.sites.get("folio", [])     # a lead or a page number
    return bool(_unit_of_title_line(raw, n)) and not _ends_sentence(lines[p - 1]) and new_frame


def c_blank_lines(raw, n):
    return raw.lines()[n] == ""


def c_frame_lead(raw, n):
    line = raw.lines()[n - 1]
    return line.startswith(" ") and not line.startswith("  ")


def c_testimonial_single(raw, n):
    lines = raw.lines()
    p = _people(raw).get(lines[n - 1].strip())
    orn = {k for f in ("slogan_ornament", "year_ornament") for k in raw.sites.get(f, [])}
    return p is not None and _ends_sentence(lines[_prev(raw, n, orn) - 1]) and \
        despace(p.printed).startswith(despace(lines[_next(raw, n) - 1]))


def c_testimonial_grouped(raw, n):
    lines = raw.lines()
    people = _people(raw)
    p = people.get(lines[n - 1].strip())
    orn = {k for f in ("slogan_ornament", "year_ornament") for k in raw.sites.get(f, [])}
    before = lines[_prev(raw, n, orn) - 1].strip()
    after_sig = any(q.printed.endswith(before) for q in people.values())
    return p is not None and (_ends_sentence(before) or after_sig) and \
        despace(p.printed).startswith(despace(lines[_next(raw, n) - 1]))


def c_signature_wrap(raw, n):
    s = raw.lines()[n - 1].strip()
    return any(s in p.printed and s != p.printed for p in raw.issue.people())


def c_padded_name(raw, n):
    m = re.match(rf"^([{HAN}]) ([{HAN}])[ （]", raw.lines()[n - 1].strip())
    return bool(m) and m.group(1) + m.group(2) in _people(raw)


def c_annotation(raw, n):
    m = re.match(r"^(\S+|\S \S)（([^）]+)）", raw.lines()[n - 1].strip())
    return bool(m) and all(re.fullmatch(r"男|女|\S{1,4}族", t) for t in m.group(2).split("，"))


def c_roster_wrap(raw, n):
    lines = raw.lines()
    s = lines[n - 1].strip()
    prev = lines[_prev(raw, n) - 1].strip()
    return " " not in s and any(p.printed.endswith(s) and p.printed != s and
                                despace(prev).startswith(p.name) for p in raw.issue.people())


CHECKS = {name: globals()[f"c_{name}"] for name in gen.FAMILIES}


def test_every_family_has_a_check():
    assert set(CHECKS) == set(gen.FAMILIES) and len(gen.FAMILIES) >= 24
    for name in gen.FAMILIES:
        assert f"``{name}``" in gen.__doc__, f"document {name} in the generator's docstring"


@pytest.mark.parametrize("family", sorted(gen.FAMILIES))
def test_family_appears(raws, family):
    """The family is in the pinned raw texts, and looks as it should where the generator says it put it."""
    sites = [(raw, n) for raw in raws.values() for n in raw.sites.get(family, [])]
    assert sites, f"{family} appears in no issue"
    bad = [(raw.issue.name, n, raw.lines()[n - 1]) for raw, n in sites if not CHECKS[family](raw, n)]
    assert not bad, f"{family}: {bad[:5]}"


def test_families_vary_with_the_seed():
    """Over seeds, ornaments come once and on every page, in each position, and testimonials 1–3 a page."""
    seen = Counter()
    for seed in range(8):
        for name in ISSUES:
            raw = gen.generate(name, seed)
            seen[("every", raw.choices["ornaments_every_page"])] += 1
            seen[("pos", raw.choices["ornament_position"])] += 1
    assert seen[("every", True)] and seen[("every", False)]
    assert {k[1] for k in seen if k[0] == "pos"} == {"before_names", "after_names", "page_top"}


# ---------------------------------------------------------------- the harness itself


def ideal_import(raw: gen.Raw) -> fid.Imported:
    """What a perfect import would write, built from the clean issue."""
    units = []
    for k, u in enumerate(raw.issue.units, 1):
        meta = {"kind": u.kind}
        if u.kind in ("roster", "testimonials"):
            meta["group"] = u.group
            if u.kind == "roster":
                meta["title"] = u.group
                if u.banner:
                    meta["section"] = u.banner
            blocks = []
        elif u.kind == "caption":
            blocks = [("figure", u.text)]
        else:
            meta.update({k2: v for k2, v in (("title", u.title), ("subtitle", u.subtitle),
                                             ("author", u.byline_author), ("affiliation", u.affiliation)) if v})
            blocks = [("h2", p[3:]) if p.startswith("## ") else ("p", p) for p in u.paragraphs]
        units.append(fid.ImportedUnit(f"{k:02d}-{u.kind}.md", meta, blocks))
    people = [{"name": p.name, "gender": p.gender, "ethnicity": p.ethnicity, "group": g.name,
               "affiliation": p.affiliation, "post": p.post, "testimonial": "\n\n".join(p.testimonial)}
              for g in raw.issue.groups for p in g.people]
    return fid.Imported(units, people, [], raw)


def test_harness_gives_a_perfect_import_full_marks(raws):
    for raw in raws.values():
        f = fid.compare(raw.issue, ideal_import(raw))
        assert f.failures == [] and f.problems == [], f.problems
        assert f.sentence_share == 1.0 and f.testimonials_exact == f.testimonials_total > 0


def test_harness_sees_each_kind_of_mistake(raws):
    raw = next(iter(raws.values()))
    people_with = [p for p in raw.issue.people() if p.testimonial]

    def broken(change) -> list[str]:
        imp = ideal_import(raw)
        change(imp)
        return fid.compare(raw.issue, imp).failures

    def swap(imp):
        a, b = (next(p for p in imp.people if p["name"] == q.name) for q in people_with[:2])
        a["testimonial"], b["testimonial"] = b["testimonial"], a["testimonial"]
    assert any("testimonials" in f for f in broken(swap))

    def glue_ornament(imp):
        imp.people[-1]["post"] += raw.ornaments[-1]
    f = broken(glue_ornament)
    assert any("ornament" in x for x in f) and any("affiliations" in x for x in f)

    def wrong_group(imp):
        for p in imp.people:
            p["group"] = "光荣榜" + p["group"]
    assert any("groups" in f for f in broken(wrong_group))

    def annotation(imp):
        imp.people[0]["ethnicity"] = "汉族"
    assert any("annotations" in f for f in broken(annotation))

    def kind(imp):
        next(u for u in imp.units if u.kind == "editors-note").meta["kind"] = "news"
    assert any("kind" in f for f in broken(kind))

    def title(imp):
        next(u for u in imp.units if u.kind == "news").meta["title"] = ""
    assert any("titles" in f for f in broken(title))

    def extra(imp):
        imp.units.append(fid.ImportedUnit("99-news.md", {"kind": "news", "title": people_with[0].name},
                                          [("p", people_with[0].printed)]))
    assert any("extra" in f for f in broken(extra))

    def many_lost(imp):
        for u in imp.units:
            u.blocks = [(k, t[:-1] + "，") if k == "p" else (k, t) for k, t in u.blocks]
    assert any("sentences" in f for f in broken(many_lost))


def test_sentences():
    assert fid.sentences("他说：“好！”我们走吧。还有") == ["他说：“好！”", "我们走吧。", "还有"]
    assert fid.sentences("一、标题") == ["一、标题"]


# ---------------------------------------------------------------- the import


@pytest.mark.parametrize("issue", ISSUES)
def test_import_fidelity(issue, tmp_path):
    """The import gives back the clean content: ≥ 98 % of sentences exact, every
    honouree with its own testimonial, groups/annotations/affiliations exact,
    no ornament in any field, every unit of the right kind with its title."""
    f = fid.measure(issue, workdir=tmp_path)
    assert not f.failures, "\n".join(f.failures + ["problems:"] + f.problems)


def test_scripts_run_as_scripts():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "unseen" / "generate.py"), "sanba", "--seed", "1"],
                         capture_output=True, text=True, check=True).stdout
    assert out == gen.generate("sanba", 1).text
    res = subprocess.run([sys.executable, str(ROOT / "tests" / "unseen" / "fidelity.py"), "sanba", "-v"],
                         capture_output=True, text=True)
    assert res.returncode in (0, 1) and "sentences" in res.stdout and "sanba" in res.stdout, res.stderr
