"""The sample's content/ is what `booklet import` makes of the seed with the
sample's corrections.yaml: a re-import into a copy of the project reproduces
every unit file, honourees.yaml and units.yaml byte for byte, and the
import report keeps the same decisions for the editor to review."""

from __future__ import annotations

import shutil
from pathlib import Path

from booklet.importing.importer import import_raw

ROOT = Path(__file__).resolve().parents[1]


def test_reimporting_the_seed_reproduces_content(tmp_path):
    (tmp_path / "content").mkdir()
    shutil.copy(ROOT / "content" / "corrections.yaml", tmp_path / "content")
    result = import_raw(ROOT / "source" / "raw-2020-model-workers.txt", tmp_path)
    made = {p.name: p.read_text("utf-8") for p in (tmp_path / "content").iterdir()
            if p.suffix in (".md", ".yaml") and p.name != "corrections.yaml"}
    sample = {p.name: p.read_text("utf-8") for p in (ROOT / "content").iterdir()
              if p.suffix in (".md", ".yaml") and p.name != "corrections.yaml"}
    assert sorted(made) == sorted(sample)
    assert [name for name in sample if made[name] != sample[name]] == []
    # no more decisions left to the editor than when content/ was reviewed (40)
    assert 0 < len(result.review) <= 40
