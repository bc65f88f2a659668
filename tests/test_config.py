"""booklet.yaml mistakes come back as one clear message with file and line."""

import subprocess
import sys
from pathlib import Path

import pytest

from booklet.config import load_config, parse_config
from booklet.errors import BookletError


def err(text: str, tmp_path: Path) -> str:
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "a.md").write_text("---\nkind: news\n---\n", "utf-8")
    with pytest.raises(BookletError) as exc:
        parse_config(text, tmp_path / "booklet.yaml")
    return str(exc.value)


def test_unknown_key_names_line_and_suggests(tmp_path):
    msg = err("title: x\nunits: [content/a.md]\nmargns: {top: 1}\n", tmp_path)
    assert "booklet.yaml, line 3" in msg and "margns" in msg and "did you mean 'margins'" in msg


def test_nested_unknown_key(tmp_path):
    msg = err("title: x\nunits: [content/a.md]\nmargins:\n  top: 10\n  botom: 2\n", tmp_path)
    assert "line 5" in msg and "margins.botom" in msg and "bottom" in msg


def test_wrong_type(tmp_path):
    msg = err("title: x\nunits: [content/a.md]\nbleed: three\n", tmp_path)
    assert "line 3" in msg and "'bleed' must be a number" in msg


def test_wrong_type_bool(tmp_path):
    assert "true or false" in err("title: x\nunits: [content/a.md]\nmarks: maybe\n", tmp_path)


def test_missing_unit_file_suggests_close_name(tmp_path):
    msg = err("title: x\nunits:\n  - content/a.md\n  - content/b.md\n", tmp_path)
    assert "line 4" in msg and "content/b.md" in msg and "does not exist" in msg


def test_yaml_syntax_error(tmp_path):
    msg = err("title: x\nunits: [content/a.md\n", tmp_path)
    assert "not valid YAML" in msg and "booklet.yaml, line" in msg


def test_missing_title(tmp_path):
    assert "needs a 'title:'" in err("units: [content/a.md]\n", tmp_path)


def test_unit_outside_project(tmp_path):
    assert "outside the project" in err("title: x\nunits: [../evil.md]\n", tmp_path)


def test_trim_presets_and_custom(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\nkind: news\n---\n", "utf-8")
    cfg = parse_config("title: x\nunits: [content/a.md]\ntrim: A5\n", tmp_path / "booklet.yaml")
    assert (cfg.trim.width, cfg.trim.height) == (148, 210)
    cfg = parse_config("title: x\nunits: [content/a.md]\n", tmp_path / "booklet.yaml")
    assert (cfg.trim.width, cfg.trim.height) == (210, 285)
    cfg = parse_config("title: x\nunits: [content/a.md]\ntrim: {width: 170, height: 240}\n", tmp_path / "booklet.yaml")
    assert (cfg.trim.width, cfg.trim.height) == (170, 240)
    assert "unknown trim size" in err("title: x\nunits: [content/a.md]\ntrim: B9\n", tmp_path)


def test_not_utf8(tmp_path):
    (tmp_path / "booklet.yaml").write_bytes("title: 测试\n".encode("gbk"))
    with pytest.raises(BookletError, match="not UTF-8"):
        load_config(tmp_path)


def test_cli_prints_message_without_traceback(mini):
    (mini / "booklet.yaml").write_text((mini / "booklet.yaml").read_text("utf-8") + "colour: red\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "check", "--project", str(mini)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "booklet.yaml, line" in proc.stderr and "colour" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_content_front_matter_error_names_file_and_line(mini):
    unit = mini / "content" / "02-speech.md"
    unit.write_text(unit.read_text("utf-8").replace("author:", "auther:"), "utf-8")
    proc = subprocess.run([sys.executable, "-m", "booklet.cli", "check", "-p", str(mini)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "content/02-speech.md, line 4" in proc.stderr and "did you mean 'author'" in proc.stderr


@pytest.mark.parametrize("url, says", [
    ("gonghui.example.cn/2021", "must start with https://"),
    ("ftp://gonghui.example.cn/", "must start with https://"),
    ("https://gonghui example.cn/", "contains a space"),
    ("https://", "has no host name"),
    ("https://gonghui.example.cn:port/", "is not a web address"),
    ("https://t.example.cn/" + "长" * 190, "hard to scan"),
])
def test_digital_url_mistakes(tmp_path, url, says):
    msg = err(f"title: x\nunits: [content/a.md]\ndigital:\n  url: '{url}'\n", tmp_path)
    assert "booklet.yaml, line 4" in msg and "digital.url" in msg and says in msg and "hint:" in msg


def test_digital_url_kept(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\nkind: news\n---\n", "utf-8")
    cfg = parse_config("title: x\nunits: [content/a.md]\ndigital: {url: ' https://t.example.cn/期刊/12?from=qr '}\n",
                       tmp_path / "booklet.yaml")
    assert cfg.digital.url == "https://t.example.cn/期刊/12?from=qr"
    assert parse_config("title: x\nunits: [content/a.md]\n", tmp_path / "booklet.yaml").digital.url == ""


def test_workers_must_be_a_count_of_processes(tmp_path):
    msg = err("title: x\nunits: [content/a.md]\noutput:\n  workers: -2\n", tmp_path)
    assert "booklet.yaml, line 4" in msg and "output.workers must be between 0 (one per core) and 256" in msg
    msg = err("title: x\nunits: [content/a.md]\noutput:\n  workers: many\n", tmp_path)
    assert "line 4" in msg and "'output.workers' must be a whole number" in msg
