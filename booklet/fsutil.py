"""Files: atomic writes, and telling one version of a file from the next.

A failed or interrupted build must leave the previous output untouched, so
every file we produce is written to a temporary file in the same folder and
then renamed over the target (rename is atomic on POSIX within a folder).
mkstemp makes that file readable by its owner only (0600), which is right for
a temporary file but not for a PDF someone else will open or a web server will
serve: the result gets the mode any new file would, 0666 less the umask.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside *target*; rename it over *target* on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~current_umask())
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows
    (os.umask can only be read by setting it, which races with threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: str | os.PathLike, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def file_stamp(path: Path) -> tuple:
    """What tells a file apart from its previous version, without reading it."""
    try:
        st = Path(path).stat()
    except OSError:
        return ("missing",)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def url_stamp(url: str):
    """file_stamp for a file: URL (None for other URLs)."""
    from urllib.parse import unquote, urlparse
    if not url.startswith("file:"):
        return None
    return file_stamp(Path(unquote(urlparse(url).path)))
