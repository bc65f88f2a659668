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
    dest = tmp_path_factory.mktemp("sample") / "sample"
    dest.mkdir()
    shutil.copy(ROOT / "booklet.yaml", dest)
    shutil.copytree(ROOT / "content", dest / "content")
    if (ROOT / "images").is_dir():
        shutil.copytree(ROOT / "images", dest / "images")
    return dest, build(dest)


@pytest.fixture(scope="session")
def phone_built(tmp_path_factory):
    """The phonebook project (photos, other groups; tests/phonebook.py) built once."""
    from booklet.build import build
    from phonebook import make_project
    project = make_project(tmp_path_factory.mktemp("phone") / "teachers")
    return project, build(project)
