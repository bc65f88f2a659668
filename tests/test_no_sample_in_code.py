"""The package decides from structure, never from the sample's words: no
name, group, affiliation, unit title or byline of the sample issue appears
in its code, layouts or scaffold (the sample lives in content/, and tests
may quote it). Section names (要闻, 光荣榜 …) are every magazine's and are
not checked."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: titles every magazine uses, not the sample's words (the import knows them as kinds of unit)
GENERIC = {"编者按"}


def sample_words() -> set[str]:
    people = yaml.safe_load((ROOT / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    words = {h["name"] for h in people} | {h["group"] for h in people} | {h["affiliation"] for h in people}
    for unit in (ROOT / "content").glob("*.md"):
        meta = yaml.safe_load(unit.read_text("utf-8").split("---")[1]) or {}
        words |= {str(meta[k]) for k in ("title", "author") if meta.get(k)}
    # a name in a longer word of another meaning is still a name in code
    return {w for w in words if len(w) >= 2} - GENERIC


def test_no_sample_names_groups_or_titles_in_the_package():
    words = sample_words()
    assert len(words) > 60                     # the check has something to find
    found = []
    for path in sorted((ROOT / "booklet").rglob("*")):
        if path.suffix not in (".py", ".html", ".css", ".yaml", ".md", ".txt") or "__pycache__" in path.parts:
            continue
        text = path.read_text("utf-8")
        found += [f"{path.relative_to(ROOT)}: {w}" for w in words if w in text]
    assert not found, found
