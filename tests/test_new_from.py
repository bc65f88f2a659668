"""`booklet new FOLDER --from RAW.txt` as a user runs it (a subprocess in a
temporary folder) on generated issues, the issue's data read from the
masthead or guessed, and the raw file's problems as one message."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from booklet.errors import BookletError
from booklet.importing.clean import split_lines
from booklet.importing.importer import import_raw
from booklet.importing.masthead import guess_meta, read_masthead
from unseen import generate as gen

ROOT = Path(__file__).resolve().parents[1]
BOOKLET = Path(sys.executable).with_name("booklet")


def booklet(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BOOKLET), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def unit_files(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "content").glob("*.md"))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One issue with a masthead (sanba), made into a project and built."""
    tmp = tmp_path_factory.mktemp("new")
    raw = gen.generate("sanba", 1)
    (tmp / "raw.txt").write_text(raw.text, encoding="utf-8")
    run = booklet("new", "issue", "--from", "raw.txt", cwd=tmp)
    return tmp / "issue", raw, run


def test_new_from_raw_text_builds_a_project_of_the_import(made):
    project, raw, run = made
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert re.search(r"built \d+ pages", run.stdout), run.stdout
    assert (project / "output" / "booklet-print.pdf").is_file() and (project / "output" / "booklet-digital.pdf").is_file()
    cfg = yaml.safe_load((project / "booklet.yaml").read_text("utf-8"))
    meta = raw.issue.meta
    for key in ("title", "subtitle", "issue", "date", "publisher"):
        assert str(cfg[key]) == str(meta[key]), key              # read from the masthead, not the scaffold's
    # the units are the import's, in its order; nothing of the scaffold's examples is left
    listed = yaml.safe_load((project / "content" / "units.yaml").read_text("utf-8"))["units"]
    assert cfg["units"] == listed and [Path(u).name for u in listed] == unit_files(project)
    people = yaml.safe_load((project / "content" / "honourees.yaml").read_text("utf-8"))["honourees"]
    assert [h["name"] for h in people] == [p.name for p in raw.issue.people()]
    assert cfg["keywords"] == [g.name for g in raw.issue.groups]
    examples = [p.read_text("utf-8").split("---", 2)[2].strip().split("\n")[0]
                for p in (ROOT / "booklet" / "scaffold" / "content").glob("*.md")]
    ours = "\n".join(p.read_text("utf-8") for p in (project / "content").glob("*"))
    assert not [e for e in examples if len(e) > 8 and e in ours]
    # the masthead is not a unit
    assert all(meta["issue"] not in (project / "content" / f).read_text("utf-8") for f in unit_files(project))
    assert "review report:" in run.stdout and (project / "output" / "import-report.html").is_file()


def test_new_from_an_issue_without_masthead_guesses_and_says_so(tmp_path):
    raw = gen.generate("jiaoshi", 2)
    (tmp_path / "raw.txt").write_text(raw.text, encoding="utf-8")
    run = booklet("new", "issue", "--from", "raw.txt", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    project = tmp_path / "issue"
    cfg_text = (project / "booklet.yaml").read_text("utf-8")
    cfg = yaml.safe_load(cfg_text)
    assert cfg["title"] and cfg["issue"] in ("", None) and cfg["publisher"] in ("", None)
    assert re.search(r"^title: .*# not printed", cfg_text, re.M)
    html = (project / "output" / "import-report.html").read_text("utf-8")
    review = html[html.index("Needs review"):html.index("<h2>Units")]
    for key in ("title", "issue", "publisher"):
        assert f"{key}: " in review                           # every guess is flagged for review
    assert re.search(r"built \d+ pages", run.stdout)


def test_new_from_a_bad_raw_file_is_one_message_and_leaves_nothing(tmp_path):
    (tmp_path / "raw.txt").write_bytes("全国劳动模范表彰大会隆重举行。".encode("gbk"))
    run = booklet("new", "issue", "--from", "raw.txt", cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "raw.txt, line 1" in run.stderr and "iconv -f GBK" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.txt"]    # no project, no temporary folder


@pytest.mark.parametrize("data, line, message", [
    (b"", 1, "empty"),
    (b"\n\n\n  \n", 1, "empty"),
    ("第一行。\n第二行。\n".encode() + b"\xff\xfe\x00bad", 3, "binary"),
    ("同志们：\n\n今天开会。\n".encode() + "第四行有错字节。".encode("gbk"), 4, "not UTF-8"),
    ("\n\n09\n\n13\n\n1950—2020\n".encode(), 3, "no recognisable units"),
])
def test_raw_file_problems_name_the_file_and_line(tmp_path, data, line, message):
    raw = tmp_path / "raw.txt"
    raw.write_bytes(data)
    (tmp_path / "content").mkdir()
    with pytest.raises(BookletError) as err:
        import_raw(raw, tmp_path)
    assert f"raw.txt, line {line}:" in str(err.value) and message in str(err.value)


# ---------------------------------------------------------------- the masthead


def test_masthead_in_either_order():
    for text in (" 职工之友\n\n2023年第3期\n\n巾帼建功新时代\n\n三八红旗手特辑\n\n2023年3月\n",
                 " 巾帼建功新时代\n\n三八红旗手特辑\n\n职工之友\n\n2023年第3期\n\n2023年3月\n"):
        meta = read_masthead(split_lines(text))
        assert (meta.title, meta.subtitle, meta.issue, meta.date, meta.publisher) == (
            "巾帼建功新时代", "三八红旗手特辑", "2023年第3期", "2023年3月", "职工之友")
        assert not meta.guessed
    assert read_masthead(split_lines(" 同志们：\n\n今天，我们隆重集会。\n")) is None
    assert read_masthead(split_lines(" 先进事迹\n\n十佳教师\n")) is None          # no issue number: not a masthead


def test_guessed_meta_says_how():
    class U:
        kind, title = "news", "某区召开表彰大会"
    lines = split_lines("2021年6月30日，大会召开。\n2021年7月1日，又开会。\n")
    meta = guess_meta(None, [U()], ["优秀党员"], lines)
    assert (meta.title, meta.date, meta.issue, meta.publisher) == ("某区召开表彰大会", "2021年7月", "", "")
    assert set(meta.guessed) == {"title", "date", "issue", "publisher"}


def test_fill_config_keeps_the_settings_and_drops_the_examples_words():
    from types import SimpleNamespace

    from booklet.importing.masthead import IssueMeta
    from booklet.scaffold import fill_config
    meta = IssueMeta(title="巾帼建功", issue="2023年第3期", date="2023年3月")
    meta.guessed["publisher"] = "not printed"
    result = SimpleNamespace(meta=meta, document=None, units_list=["content/01-news.md", "content/02-roster.md"])
    text = ("# settings\ntitle: 示例标题   # cover\nissue: 2024年第1期\npublisher: 某某工会\nlanguage: zh-CN\n\n"
            "# words on every testimonial page\nornaments:\n  band: 示例口号\n  seal: 致敬 先进\n\n"
            "trim: A5\nunits:\n  - content/01-a.md\n  - content/02-b.md\n")
    out = fill_config(text, result)
    cfg = yaml.safe_load(out)
    assert (cfg["title"], cfg["issue"], cfg["date"], cfg["publisher"]) == ("巾帼建功", "2023年第3期", "2023年3月", "")
    assert cfg["units"] == result.units_list and cfg["trim"] == "A5" and cfg["language"] == "zh-CN"
    assert "ornaments" not in cfg and "示例" not in out and "某某" not in out
    assert "# settings" in out and re.search(r"^publisher: .*# not printed", out, re.M)
