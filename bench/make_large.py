"""Generate a large volume from a project: its units and honourees repeated.

Used by the benchmark to check that build time grows linearly with pages.
The result goes to bench/out/ (ignored by git); it is never committed.

    .venv/bin/python bench/make_large.py [SOURCE_PROJECT] [--honourees 300] [--copies N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def make_large(source: Path, target: Path, honourees: int = 300, copies: int = 4) -> Path:
    cfg_text = (source / "booklet.yaml").read_text("utf-8")
    cfg = yaml.safe_load(cfg_text)
    if target.exists():
        shutil.rmtree(target)
    (target / "content").mkdir(parents=True)
    people = yaml.safe_load((source / cfg.get("honourees", "content/honourees.yaml")).read_text("utf-8"))["honourees"]
    big = []
    for i in range(honourees):
        h = dict(people[i % len(people)])
        h["id"] = f"x{i + 1:03d}"
        big.append(h)
    (target / "content" / "honourees.yaml").write_text(
        yaml.safe_dump({"honourees": big}, allow_unicode=True, sort_keys=False), "utf-8")
    units = []
    for copy in range(copies):
        for rel in cfg["units"]:
            src = source / rel
            text = src.read_text("utf-8")
            if copy and re.search(r"^kind: (roster|testimonials)\s*$", text, re.M):
                continue  # the people pages appear once, with everybody
            name = f"{copy:02d}-{Path(rel).name}"
            (target / "content" / name).write_text(text, "utf-8")
            units.append(f"content/{name}")
    cfg["units"] = units
    cfg["honourees"] = "content/honourees.yaml"
    (target / "booklet.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), "utf-8")
    if (source / "images").is_dir():
        shutil.copytree(source / "images", target / "images")
    return target


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", nargs="?", default=str(ROOT))
    ap.add_argument("--honourees", type=int, default=300)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "large"))
    args = ap.parse_args(argv[1:])
    path = make_large(Path(args.source), Path(args.out), args.honourees, args.copies)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
