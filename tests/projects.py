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


def add_testimonials(project: Path, group: str, count: int, key: str = "t") -> None:
    """Append *count* honourees of *group*, each with a testimonial (a page of
    their own), to *project*'s content/honourees.yaml."""
    honourees = project / "content" / "honourees.yaml"
    surnames, given = "钱冯褚卫蒋沈韩杨朱秦尤许何吕施张", "建国秀兰卫东春梅志强玉珍"
    extra = "".join(
        f"  - id: {key}{i:02d}\n    name: {surnames[i % len(surnames)]}{given[i % 11:i % 11 + 2]}\n"
        f"    group: {group}\n    affiliation: 某某建设集团第{i + 1}项目部\n    post: 组长\n"
        f"    testimonial: |-\n      第{i + 1}位组长的感言：安全生产，人人有责，我们一起把每一天的活干好。\n"
        for i in range(count))
    honourees.write_text(honourees.read_text("utf-8").rstrip("\n") + "\n" + extra, "utf-8")
