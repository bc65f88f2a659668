"""What a watching Builder keeps of the content between builds (load_content's memo)."""

from __future__ import annotations

import os

from booklet.config import load_config
from booklet.content import load_content
from projects import write_project

PEOPLE = [{"id": "a1", "name": "乔木森", "group": "先进班组", "affiliation": "一车间"},
          {"id": "a2", "name": "祁雨桐", "group": "先进班组", "affiliation": "二车间"}]


def test_a_same_size_edit_saved_within_the_clock_is_read_again(tmp_path):
    root = write_project(tmp_path / "p", units=[("01-news", {"kind": "news", "title": "车间新闻"}, "正文一段。\n")],
                         honourees=PEOPLE)
    cfg = load_config(root)
    paths = [u.path for u in cfg.units]
    memo: dict = {}
    first = load_content(root, paths, cfg.honourees, memo)
    again = load_content(root, paths, cfg.honourees, memo)
    assert again.units[0] is first.units[0] and again.honourees[0] is first.honourees[0]   # kept, not parsed again
    people = root / cfg.honourees
    unit = paths[0]
    for path, old, new in ((people, "乔木森", "乔木林"), (unit, "正文一段", "正文两段")):
        stat = path.stat()
        path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))      # same size, same time: only the bytes differ
        assert path.stat().st_size == stat.st_size
    edited = load_content(root, paths, cfg.honourees, memo)
    assert edited.honourees[0].name == "乔木林"
    assert "正文两段" in edited.units[0].blocks[0].text
