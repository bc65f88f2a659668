"""Small projects of our own, written from Python data, for tests that must
not lean on the sample: other groups, other people, other page sizes."""

from __future__ import annotations

from pathlib import Path

import yaml


def write_project(root: Path, *, units: list[tuple[str, dict, str]], honourees: list[dict] | None = None,
                  config: dict | None = None) -> Path:
    """units: (file stem, front matter, body). Returns *root*."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    listed = []
    for stem, meta, body in units:
        path = root / "content" / f"{stem}.md"
        path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body, "utf-8")
        listed.append(f"content/{stem}.md")
    if honourees is not None:
        (root / "content" / "honourees.yaml").write_text(
            yaml.safe_dump({"honourees": honourees}, allow_unicode=True, sort_keys=False), "utf-8")
    cfg = {"title": "测试特辑", "publisher": "测试编辑部", "source_date": "2024-01-01T00:00:00Z", **(config or {}),
           "units": listed}
    (root / "booklet.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), "utf-8")
    return root
