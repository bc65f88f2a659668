"""Editor corrections change what an import makes (the errors in a broken
corrections.yaml are in test_errors.py): a paragraph break forced or
removed after a raw line shows in the unit file written."""

from __future__ import annotations

from pathlib import Path

from booklet.importing.corrections import load_corrections
from booklet.importing.importer import import_raw

from test_commands import PARAGRAPHS, RAW


def paragraphs_after(tmp_path: Path, corrections: str) -> list[str]:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "corrections.yaml").write_text(corrections, "utf-8")
    (tmp_path / "raw.txt").write_text(RAW, "utf-8")
    result = import_raw(tmp_path / "raw.txt", tmp_path)
    bodies = [(tmp_path / u).read_text("utf-8").split("---\n", 2)[2] for u in result.units_list]
    return [p for body in bodies for p in body.split("\n\n") if p.strip() and not p.startswith("#")]


def raw_line(text: str) -> int:
    return next(n for n, line in enumerate(RAW.split("\n"), 1) if line.strip().startswith(text))


def test_forced_breaks_read_both_ways(tmp_path):
    path = tmp_path / "corrections.yaml"
    path.write_text("corrections:\n  - paragraph_break: {after: 12}\n    reason: 标题\n"
                    "  - join_paragraphs: {after: 30}\n", "utf-8")
    assert load_corrections(path).forced_breaks() == {12: True, 30: False}


def test_without_corrections_the_two_paragraphs_come_out_as_printed(tmp_path):
    assert [p.strip() for p in paragraphs_after(tmp_path, "corrections: []\n")] == PARAGRAPHS


def test_join_paragraphs_makes_one_of_two(tmp_path):
    end = raw_line("选结果，并为获奖教师颁发了荣誉证书。")
    paras = paragraphs_after(tmp_path, f"corrections:\n  - join_paragraphs: {{after: {end}}}\n")
    assert [p.strip() for p in paras] == [PARAGRAPHS[0] + PARAGRAPHS[1]]


def test_paragraph_break_splits_one_in_two(tmp_path):
    line = raw_line("十名教师代表参加会议。")
    paras = [p.strip() for p in paragraphs_after(tmp_path, f"corrections:\n  - paragraph_break: {{after: {line}}}\n")]
    first, rest = PARAGRAPHS[0].split("选结果")                 # the raw line ends before 选结果
    assert paras[:3] == [first, "选结果" + rest, PARAGRAPHS[1]]
