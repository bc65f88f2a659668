"""Keep booklet.yaml's `units:` list in step with an import, safely.

The order of the units lives in booklet.yaml, which an editor also edits
by hand (comments, reordering). An import rewrites that list only when it
is still what the previous import produced (or when the file has none);
otherwise the editor's order wins and the import says what differs.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .. import fsutil
from ..config import CONFIG_NAME


def _units_node(text: str):
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return None, None
    for key, value in root.value:
        if key.value == "units":
            return key, value
    return None, None


def update_units(project: Path, new_units: list[str], previous: list[str] | None, *, title: str = "") -> str:
    """Update or create booklet.yaml's units; returns a sentence for the user."""
    path = project / CONFIG_NAME
    block = "units:\n" + "".join(f"  - {u}\n" for u in new_units)
    if not path.is_file():
        fsutil.write_text(path, f"# Created by booklet import; see docs/content-format.md.\ntitle: {title or '未命名特辑'}\n{block}")
        return f"created {CONFIG_NAME} with {len(new_units)} units"
    text = path.read_text("utf-8")
    key, value = _units_node(text)
    current = yaml.safe_load(yaml.serialize(value)) if value is not None else None
    if current == new_units:
        return f"{CONFIG_NAME} already lists these {len(new_units)} units"
    if value is None:
        fsutil.write_text(path, text.rstrip("\n") + "\n" + block)
        return f"added the {len(new_units)} units to {CONFIG_NAME}"
    if current != previous and previous is not None:
        added = [u for u in new_units if u not in (current or [])]
        gone = [u for u in (current or []) if u not in new_units]
        return (f"{CONFIG_NAME} keeps its own unit order (it was edited); the import's order is in content/units.yaml"
                + (f"; new units not listed: {', '.join(added)}" if added else "")
                + (f"; listed units the import no longer makes: {', '.join(gone)}" if gone else ""))
    lines = text.splitlines(keepends=True)
    start, end = key.start_mark.line, value.end_mark.line
    if value.end_mark.column > 0:
        end += 1
    fsutil.write_text(path, "".join(lines[:start]) + block + "".join(lines[end:]))
    return f"updated the units in {CONFIG_NAME} ({len(new_units)} units)"
