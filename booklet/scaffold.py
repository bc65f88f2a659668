"""`booklet new`: a project that builds at once and shows every unit kind."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import BookletError

TEMPLATE = Path(__file__).parent / "scaffold"
LAYOUTS = Path(__file__).parent / "layouts"


def new_project(folder: Path, *, copy_layouts: bool = False) -> Path:
    if folder.exists() and any(folder.iterdir()):
        raise BookletError(f"{folder} already exists and is not empty", hint="choose a new folder name")
    shutil.copytree(TEMPLATE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    if copy_layouts:
        shutil.copytree(LAYOUTS, folder / "layouts", dirs_exist_ok=True)
    (folder / "output").mkdir(exist_ok=True)
    return folder
