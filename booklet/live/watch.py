"""`booklet watch`: rebuild on every save, never die on a user mistake.

Editors change a word or a margin dozens of times an hour; each rebuild
reuses the Builder's warm state, reports what changed (pages added or
removed, pages whose content changed, new warnings) and writes PNG
previews of the changed pages, then refreshes the EPUB and the web
edition (after the PDFs, which are what an editor is waiting for). A
mistake prints one message and the last good PDF stays in output/ (writes
are atomic).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..build import BuildResult, Builder
from ..errors import BookletError
from .preview import render_pages

WATCHED_DIRS = ("content", "layouts", "images", "fonts")
WATCHED_FILES = ("booklet.yaml",)
MAX_WARNINGS = 8          # a new project's 36 missing portraits should not bury the build line


@dataclass
class Change:
    pages_before: int
    pages_after: int
    changed_pages: list[int] = field(default_factory=list)
    new_warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = []
        delta = self.pages_after - self.pages_before
        if delta:
            parts.append(f"{abs(delta)} page(s) {'added' if delta > 0 else 'removed'} ({self.pages_before} → {self.pages_after})")
        if self.changed_pages:
            parts.append("changed pages: " + _ranges(self.changed_pages))
        if not parts:
            parts.append("no visible change")
        return "; ".join(parts)


def _ranges(pages: list[int]) -> str:
    out, start, prev = [], None, None
    for p in pages + [None]:
        if start is None:
            start = prev = p
        elif p is not None and p == prev + 1:
            prev = p
        else:
            out.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = prev = p
    return ", ".join(out)


def compare(before: BuildResult | None, after: BuildResult) -> Change:
    if before is None:
        return Change(0, after.pages, list(range(1, after.pages + 1)), list(after.warnings))
    a, b = before.fingerprints, after.fingerprints
    changed = [i + 1 for i in range(len(b)) if i >= len(a) or a[i] != b[i]]
    old = set(before.warnings)
    return Change(before.pages, after.pages, changed, [w for w in after.warnings if w not in old])


def _refresh_reflow(builder: Builder, echo: Callable[[str], None]) -> None:
    """The EPUB and the web edition, after the PDFs are out and shown."""
    try:
        staged = builder.write_reflow()
    except BookletError as exc:
        echo(f"error: the EPUB and web edition were not refreshed: {exc}")
        return
    except Exception:  # a bug in booklet: say so, keep watching
        echo("internal error in the EPUB or web edition (please report):\n" + traceback.format_exc())
        return
    echo(f"EPUB and web edition refreshed in {staged.seconds:.1f}s")


def _relevant(project: Path):
    out_dir = (project / "output").resolve()

    def accept(change, path: str) -> bool:
        p = Path(path).resolve()
        if p.is_relative_to(out_dir) or p.name.startswith(".") or p.name.endswith(("~", ".swp", ".tmp")):
            return False
        rel = p.relative_to(project.resolve()) if p.is_relative_to(project.resolve()) else p
        return rel.parts[:1] in [(d,) for d in WATCHED_DIRS] or str(rel) in WATCHED_FILES
    return accept


def watch(project: Path, *, echo: Callable[[str], None] = print, debounce_ms: int = 300,
          previews: bool = True, stop_event=None, max_builds: int | None = None, reflow: bool = True) -> None:
    import watchfiles

    builder = Builder(project)
    last: BuildResult | None = None
    builds = 0

    def rebuild(reason: str) -> None:
        nonlocal last, builds
        builds += 1
        t0 = time.perf_counter()
        echo(f"[{time.strftime('%H:%M:%S')}] {reason}: building…")
        try:
            result = builder.build(reflow=False)     # the PDFs first: that is what an editor is looking at
        except BookletError as exc:
            echo(f"error: {exc}")
            echo("the last good PDFs in output/ are unchanged; fix the file and save to rebuild")
            return
        except Exception:  # a bug in booklet: say so, keep watching
            echo("internal error (please report):\n" + traceback.format_exc())
            return
        change = compare(last, result)
        how = f" ({result.how})" if last is not None and result.how else ""
        echo(f"built {result.pages} pages in {time.perf_counter() - t0:.1f}s{how} — {change.describe()}")
        shown = change.new_warnings if len(change.new_warnings) <= MAX_WARNINGS else change.new_warnings[:MAX_WARNINGS - 1]
        for w in shown:
            echo(f"new warning: {w}")
        if len(shown) < len(change.new_warnings):
            echo(f"… and {len(change.new_warnings) - len(shown)} more new warnings (`booklet check` lists them all)")
        if previews and change.changed_pages:
            try:
                render_pages(result.digital_pdf, project / "output" / "preview", change.changed_pages[:40])
            except (BookletError, OSError) as exc:
                echo(f"warning: previews not written: {exc}")
        last = result
        if reflow:
            _refresh_reflow(builder, echo)

    rebuild("start")
    echo(f"watching {', '.join(WATCHED_DIRS)}/ and booklet.yaml (Ctrl-C to stop)")
    for changes in watchfiles.watch(project, watch_filter=_relevant(project), debounce=debounce_ms,
                                    step=50, stop_event=stop_event, raise_interrupt=False):
        if max_builds is not None and builds >= max_builds:
            break
        names = sorted({Path(p).name for _, p in changes})
        rebuild("changed " + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
        if max_builds is not None and builds >= max_builds:
            break
