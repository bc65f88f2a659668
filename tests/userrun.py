"""Running `booklet` as a user does: the installed command, in a project folder.

Tests of commands and of error paths share these helpers: a subprocess (so a
traceback, an exit code or a stray print is seen exactly as a user sees it),
a snapshot of a folder tree (to prove a failed command changed nothing), and
the check that a failure is one message naming the file and line.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_SCRIPT = Path(sys.executable).with_name("booklet")
COMMAND = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "booklet.cli"]


def user_env(**extra: str | None) -> dict[str, str]:
    """The environment of a user's shell: no build date pinned unless asked."""
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "BOOKLET_FONT_DIR")}
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def booklet(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """`booklet ARGS…` run in *cwd*; stdout and stderr captured as text."""
    return subprocess.run([*COMMAND, *map(str, args)], cwd=cwd, env=env or user_env(), capture_output=True,
                          text=True, timeout=timeout)


def snapshot(root: Path, *folders: str) -> dict[str, str]:
    """{path: sha256} of every file under root/FOLDER…, to compare before and after."""
    out = {}
    for folder in folders:
        base = root / folder
        if base.is_file():
            out[folder] = hashlib.sha256(base.read_bytes()).hexdigest()
            continue
        for path in sorted(base.rglob("*")) if base.is_dir() else ():
            if path.is_file():
                out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def copy_project(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True)
    return dest


def assert_user_error(proc: subprocess.CompletedProcess, where: str, *words: str) -> str:
    """Exit status 1, no traceback, exactly one `error:` message, and that
    message names *where* (a regular expression: the file and line) and
    contains every one of *words*. Returns the message."""
    both = proc.stdout + proc.stderr
    assert proc.returncode == 1, f"exit status {proc.returncode}\n{both}"
    assert "Traceback" not in both and "internal error" not in both, both
    errors = [line for line in both.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, both
    message = both[both.index("error:"):]
    assert re.search(where, message), f"{where!r} not in:\n{message}"
    for word in words:
        assert word in message, f"{word!r} not in:\n{message}"
    return message
