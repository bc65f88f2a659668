"""`booklet watch`: rebuild on every save, never die on a user mistake.

Editors change a word or a margin dozens of times an hour; each rebuild
reuses the Builder's warm state, reports what changed (pages added or
removed, pages whose content changed, new warnings) and writes PNG
previews of the changed pages. A mistake prints one message and the last
good PDF stays in output/ (writes are atomic). So does anything else that
goes wrong in a rebuild or a preview, a bug in booklet included: watch says
so in one line, keeps the traceback in output/watch-error.log for a bug
report, starts the next build afresh, and keeps watching.

Pages are counted as the reader sees them, in the laid-out (digital)
edition; the print edition has blank pages added before the back cover, so
a changed page there may have another number, which is said too.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import fsutil
from ..build import BuildResult, Builder
from ..errors import BookletError
from .preview import render_pages

ERROR_LOG = "watch-error.log"

WATCHED_DIRS = ("content", "layouts", "images", "fonts")
WATCHED_FILES = ("booklet.yaml",)
MAX_WARNINGS = 8          # a new project's 36 missing portraits should not bury the build line


@dataclass
class Change:
    pages_before: int             # pages of the laid-out (digital) edition
    pages_after: int
    changed_pages: list[int] = field(default_factory=list)     # numbered as in the digital edition
    new_warnings: list[str] = field(default_factory=list)
    print_pages: list[int] = field(default_factory=list)       # the same pages in the print edition

    def describe(self) -> str:
        parts = []
        delta = self.pages_after - self.pages_before
        if delta:
            parts.append(f"{abs(delta)} page(s) {'added' if delta > 0 else 'removed'} ({self.pages_before} → {self.pages_after})")
        if self.changed_pages:
            text = "changed pages: " + _ranges(self.changed_pages)
            if self.print_pages and self.print_pages != self.changed_pages:
                text += f" (print edition: {_ranges(self.print_pages)})"
            parts.append(text)
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
    """What changed between two builds, page by page of the laid-out edition."""
    b = after.fingerprints
    if before is None:
        changed, warnings, pages_before = list(range(1, len(b) + 1)), list(after.warnings), 0
    else:
        a = before.fingerprints
        changed = [i + 1 for i in range(len(b)) if i >= len(a) or a[i] != b[i]]
        old = set(before.warnings)
        warnings, pages_before = [w for w in after.warnings if w not in old], before.digital_pages
    in_print = [after.print_numbers[p - 1] for p in changed] if after.print_numbers else list(changed)
    return Change(pages_before, after.digital_pages, changed, warnings, in_print)


def _relevant(project: Path):
    out_dir = (project / "output").resolve()

    def accept(change, path: str) -> bool:
        p = Path(path).resolve()
        if p.is_relative_to(out_dir) or p.name.startswith(".") or p.name.endswith(("~", ".swp", ".tmp")):
            return False
        rel = p.relative_to(project.resolve()) if p.is_relative_to(project.resolve()) else p
        return rel.parts[:1] in [(d,) for d in WATCHED_DIRS] or str(rel) in WATCHED_FILES
    return accept


def _report_bug(project: Path, echo: Callable[[str], None], what: str, exc: BaseException) -> None:
    """One line for an error booklet did not expect; the traceback goes to a log for the bug report."""
    log = project / "output" / ERROR_LOG
    try:
        fsutil.write_text(log, f"{time.strftime('%Y-%m-%d %H:%M:%S')} {what}\n" + "".join(traceback.format_exception(exc)))
        where = f"; details in output/{ERROR_LOG}"
    except OSError:
        where = ""
    echo(f"internal error in {what} (a bug in booklet, please report it): {type(exc).__name__}: {exc}{where}")


def watch(project: Path, *, echo: Callable[[str], None] = print, debounce_ms: int = 300,
          previews: bool = True, stop_event=None, max_builds: int | None = None) -> None:
    import watchfiles

    builder = Builder(project)
    last: BuildResult | None = None
    builds = 0

    def rebuild(reason: str) -> None:
        nonlocal last, builds, builder
        builds += 1
        t0 = time.perf_counter()
        echo(f"[{time.strftime('%H:%M:%S')}] {reason}: building…")
        try:
            result = builder.build()
        except BookletError as exc:
            echo(f"error: {exc}")
            echo("the last good PDFs in output/ are unchanged; fix the file and save to rebuild")
            return
        except Exception as exc:  # a bug in booklet: say so in one line, keep watching
            _report_bug(project, echo, "the rebuild", exc)
            echo("the last good PDFs in output/ are unchanged; the next save builds afresh")
            builder = Builder(project)            # its kept state may be what went wrong
            last = None
            return
        change = compare(last, result)
        how = f" ({result.how})" if last is not None and result.how else ""
        pages = f"{result.digital_pages} pages" + (f" ({result.pages} in print)" if result.pages != result.digital_pages else "")
        echo(f"built {pages} in {time.perf_counter() - t0:.1f}s{how} — {change.describe()}")
        shown = change.new_warnings if len(change.new_warnings) <= MAX_WARNINGS else change.new_warnings[:MAX_WARNINGS - 1]
        for w in shown:
            echo(f"new warning: {w}")
        if len(shown) < len(change.new_warnings):
            echo(f"… and {len(change.new_warnings) - len(shown)} more new warnings (`booklet check` lists them all)")
        last = result
        if previews and change.changed_pages:
            try:
                render_pages(result.digital_pdf, project / "output" / "preview", change.changed_pages[:40])
            except BookletError as exc:
                echo(f"warning: previews not written: {exc}")
            except Exception as exc:
                _report_bug(project, echo, "the previews", exc)

    rebuild("start")
    # watchfiles starts watching when first asked for changes; it answers
    # (empty-handed after rust_timeout) once it is, and only then is a save seen.
    announced = False
    for changes in watchfiles.watch(project, watch_filter=_relevant(project), debounce=debounce_ms,
                                    step=50, stop_event=stop_event, raise_interrupt=False,
                                    yield_on_timeout=True, rust_timeout=250):
        if not announced:
            echo(f"watching {', '.join(WATCHED_DIRS)}/ and booklet.yaml (Ctrl-C to stop)")
            announced = True
        if not changes:
            continue
        if max_builds is not None and builds >= max_builds:
            break
        names = sorted({Path(p).name for _, p in changes})
        rebuild("changed " + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
        if max_builds is not None and builds >= max_builds:
            break
