"""Shared fixtures: a small project with every page type, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


def copy_project(dest: Path) -> Path:
    shutil.copytree(MINI, dest, ignore=shutil.ignore_patterns("output"))
    return dest


def sample_copy(parent: Path) -> Path:
    """A writable copy of the repository's sample booklet in *parent*/sample."""
    dest = parent / "sample"
    dest.mkdir()
    shutil.copy(ROOT / "booklet.yaml", dest)
    shutil.copytree(ROOT / "content", dest / "content")
    if (ROOT / "images").is_dir():
        shutil.copytree(ROOT / "images", dest / "images")
    return dest


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh, writable copy of the mini project."""
    return copy_project(tmp_path / "mini")


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory) -> tuple[Path, object]:
    """The mini project built once; tests only read its PDFs."""
    from booklet.build import build
    project = copy_project(tmp_path_factory.mktemp("built") / "mini")
    return project, build(project)


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory):
    """The repository's sample booklet (the whole seed issue), built once."""
    from booklet.build import build
    dest = sample_copy(tmp_path_factory.mktemp("sample"))
    return dest, build(dest)


#: Paragraphs of our own (not the sample's) long enough to fill several
#: justified lines, so the audit of a new project measures something.
ARTICLE = """---
kind: article
title: 在平凡的岗位上守护万家灯火
author: 市供电公司工会
section: 学习体会
---
凌晨三点的变电站里，值班员一遍又一遍地核对着仪表上的读数。窗外寒风呼啸，屋里只有设备低沉的嗡鸣声和记录本上沙沙的笔迹。这样的夜晚，他们已经度过了二十多个年头，从青丝到白发，从未让一盏灯因为自己的疏忽而熄灭。

抢修班的师傅们常说，电网就像城市的血管，哪里出了毛病，哪里就要有人第一时间赶到。去年夏天的一场暴雨中，线路多处受损，他们冒雨奋战十四个小时，在天亮之前恢复了全部居民用户的供电，没有一个人叫苦喊累。

我们学习劳模，就是要学习这种把小事做细、把细事做实的韧劲。岗位有高低，责任无大小，每一次巡检、每一张工作票、每一回耐心的解释，都是对“人民电业为人民”这句话最朴素的注解。
"""


def write_own_article(project: Path) -> None:
    """Replace the scaffold's one-line article by ARTICLE (several full lines)."""
    (project / "content" / "03-article.md").write_text(ARTICLE, "utf-8")


@pytest.fixture(scope="session")
def scaffold_built(tmp_path_factory):
    """`booklet new` then `booklet build` (audit on), both run as a user runs
    them, once per session: (project, the build's CompletedProcess)."""
    from userrun import booklet
    home = tmp_path_factory.mktemp("user")
    made = booklet("new", "issue", cwd=home)
    assert made.returncode == 0, made.stderr
    project = home / "issue"
    write_own_article(project)
    built = booklet("build", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    return project, built


@pytest.fixture(scope="session")
def phone_built(tmp_path_factory):
    """The phonebook project (photos, other groups; tests/phonebook.py) built once."""
    from booklet.build import build
    from phonebook import make_project
    project = make_project(tmp_path_factory.mktemp("phone") / "teachers")
    return project, build(project)
