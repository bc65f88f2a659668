"""`booklet new`: a project that builds at once.

Without ``--from`` the project shows one unit of each kind (the scaffold's
examples). With ``--from RAW.txt`` its content is the import of that raw
text and nothing of the scaffold's examples is left: no example units or
people, booklet.yaml's ``units:`` is the import's, and its title, subtitle,
issue, date and publisher are the ones the raw text prints on its masthead
(guessed or left empty where it prints none, as the import report says).
Settings that only hold the scaffold's example words (``ornaments:``) are
left out.

The project is made in a temporary folder beside FOLDER and moved into
place only when the import succeeded, so a raw file the import refuses
leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from . import fsutil
from .errors import BookletError

TEMPLATE = Path(__file__).parent / "scaffold"
#: settings of the scaffold that only hold its examples' words (left out of a project made from raw text)
EXAMPLE_ONLY = {"ornaments"}
LAYOUTS = Path(__file__).parent / "layouts"
#: what a project's own git repository should not hold: what a build makes again
#: (written by code: a package's data globs leave dot-files out)
GITIGNORE = """\
# made again by `booklet build`
output/
.booklet-cache/
"""


def new_project(folder: Path, *, copy_layouts: bool = False) -> Path:
    """A project with the scaffold's examples; returns its folder."""
    _create(Path(folder), copy_layouts, None)
    return Path(folder)


def new_project_from(folder: Path, raw: Path, *, copy_layouts: bool = False):
    """A project whose content is the import of ``raw``; returns the ImportResult."""
    folder = Path(folder)
    result = _create(folder, copy_layouts, lambda tmp: _import_into(tmp, Path(raw), folder.name))
    # the import's paths point into the temporary folder: point them at the project
    result.report = folder / result.report.relative_to(result.report.parents[1])
    return result


def _create(folder: Path, copy_layouts: bool, fill):
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BookletError(f"{folder} already exists and is not empty", hint="choose a new folder name")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".new", dir=folder.parent))
    try:
        shutil.copytree(TEMPLATE, tmp, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        if copy_layouts:
            shutil.copytree(LAYOUTS, tmp / "layouts", dirs_exist_ok=True)
        (tmp / "output").mkdir(exist_ok=True)
        (tmp / ".gitignore").write_text(GITIGNORE, "utf-8")
        tmp.chmod(0o777 & ~_umask())
        result = fill(tmp) if fill else None
        if folder.exists():
            folder.rmdir()
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _import_into(project: Path, raw: Path, name: str):
    from .importing.importer import import_raw
    content = project / "content"
    for example in list(content.glob("*.md")) + [content / "honourees.yaml"]:
        with contextlib.suppress(FileNotFoundError):
            example.unlink()
    result = import_raw(raw, project, issue_meta=True)
    if result.meta is not None and not result.meta.title:
        result.meta.title = name
        result.meta.guessed["title"] = "not printed, and the text has no title to take: the folder's name"
    config = project / "booklet.yaml"
    fsutil.write_text(config, fill_config(config.read_text("utf-8"), result))
    return result


def _scalar(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_style=None, width=10_000).strip().removesuffix("...").strip()


def fill_config(text: str, result) -> str:
    """The scaffold's booklet.yaml with the import's issue data and units
    (comments and every other setting kept)."""
    meta = result.meta
    groups = list(dict.fromkeys(h.group for h in result.document.honourees if h.group)) if result.document else []
    values: dict[str, str] = {}
    notes: dict[str, str] = {}
    for key in ("title", "subtitle", "issue", "date", "publisher"):
        values[key] = _scalar(getattr(meta, key) or "") if meta else '""'
        if meta and key in meta.guessed:
            notes[key] = f"  # {meta.guessed[key]}: check it (see output/import-report.html)"
    values["keywords"] = "[" + ", ".join(_scalar(g) for g in groups) + "]"
    m = re.match(r"(\d{4})年(\d{1,2})月", meta.date if meta else "")
    if m:
        values["source_date"] = _scalar(f"{m.group(1)}-{int(m.group(2)):02d}-01T00:00:00Z")
    lines = text.split("\n")
    out: list[str] = []
    seen: set[str] = set()
    skip_list = False
    for line in lines:
        key = line.split(":", 1)[0] if re.match(r"^[a-z_]+:", line) else None
        if skip_list:
            if line.startswith((" ", "-")) and not key:
                continue
            skip_list = False
        if key in values:
            out.append(f"{key}: {values[key]}{notes.get(key, '')}")
            seen.add(key)
        elif key in EXAMPLE_ONLY:
            skip_list = True            # the scaffold's example words: not this issue's
            while out and out[-1].startswith("#"):
                out.pop()               # with the comment above them
            if out and not out[-1].strip():
                out.pop()
        elif key == "units":
            out.append("units:")
            out.extend(f"  - {u}" for u in result.units_list)
            seen.add(key)
            skip_list = True
        else:
            out.append(line)
    missing = [f"{k}: {values[k]}{notes.get(k, '')}" for k in values if k not in seen]
    if missing:
        at = next((i + 1 for i, l in enumerate(out) if l.startswith("title:")), 0)
        out[at:at] = missing
    if "units" not in seen:
        out += ["units:"] + [f"  - {u}" for u in result.units_list]
    return "\n".join(out).rstrip("\n") + "\n"
