"""`booklet watch`: rebuild on every save, never die on a user mistake.

Editors change a word or a margin dozens of times an hour; each rebuild
reuses the Builder's warm state, reports what changed (pages added or
removed, pages whose content changed, new warnings) and writes PNG
previews of the changed pages, then refreshes the EPUB and the web
edition (after the PDFs, which are what an editor is waiting for). A
mistake prints one message and the last good PDF stays in output/ (writes
are atomic). So does anything else that goes wrong in a rebuild, a preview
or the phone editions, a bug in booklet included: watch says so in one
line, keeps the traceback in output/watch-error.log for a bug report,
starts the next build afresh, and keeps watching.

watch listens from before its first build, so a save made while it builds
or writes previews is built next; each rebuild writes the digital PDF as
soon as it is made (only the page groups an edit changed are drawn again)
and the print PDF, preflight and previews after it. A save that comes in
once the digital PDF is out does not wait for the rest: the print edition,
previews and phone editions of the older save are left (the newer save's
build makes them all), and the newer save is built at once. An editor who
saves, looks and saves again sees each digital PDF as fast as the first.

Pages are counted as the reader sees them, in the laid-out (digital)
edition; the print edition has blank pages added before the back cover, so
a changed page there may have another number, which is said too.
"""

from __future__ import annotations

import gc
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import fsutil
from ..build import BuildResult, Builder, Superseded
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


def _refresh_reflow(builder: Builder, echo: Callable[[str], None], project: Path) -> None:
    """The EPUB and the web edition, after the PDFs are out and shown."""
    try:
        staged = builder.write_reflow()
    except BookletError as exc:
        echo(f"error: the EPUB and web edition were not refreshed: {exc}")
        return
    except Exception as exc:  # a bug in booklet: one line, keep watching
        _report_bug(project, echo, "the EPUB and web edition", exc)
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


def _print_behind(behind: list) -> str:
    return " (the print PDF is from an earlier save than the digital one: a newer save came in before it was made)" \
        if behind else ""


def _report_bug(project: Path, echo: Callable[[str], None], what: str, exc: BaseException) -> None:
    """One line for an error booklet did not expect; the traceback goes to a log for the bug report."""
    log = project / "output" / ERROR_LOG
    try:
        fsutil.write_text(log, f"{time.strftime('%Y-%m-%d %H:%M:%S')} {what}\n" + "".join(traceback.format_exception(exc)))
        where = f"; details in output/{ERROR_LOG}"
    except OSError:
        where = ""
    echo(f"internal error in {what} (a bug in booklet, please report it): {type(exc).__name__}: {exc}{where}")


def saved_names(found: set) -> list[str]:
    """The names of the files a batch of watchfiles changes touched, leaving out
    an editor's (or `sed -i`'s) temporary file: added and gone again in the same
    batch. A batch of nothing else needs no rebuild."""
    import watchfiles
    added = {p for change, p in found if change == watchfiles.Change.added}
    gone = {p for change, p in found if change == watchfiles.Change.deleted}
    transient = {p for p in added & gone if not Path(p).exists()}
    return sorted({Path(p).name for _, p in found if p not in transient})


def _watcher(project: Path, debounce_ms: int, stop) -> tuple:
    """Watch *project* in a thread from now on; returns (queue of change sets, thread).

    The watcher is running before this returns, so a save made during the
    first build, or while previews are written, is queued and rebuilt:
    watchfiles answers (empty-handed, after rust_timeout) once it is watching.
    """
    import queue
    import threading

    import watchfiles

    changes: queue.Queue = queue.Queue()
    listening = threading.Event()

    def pump():
        try:
            # step: a save is yielded once nothing more changed for this long (an editor's
            # write-then-rename comes at once); debounce caps how long changes are gathered.
            for found in watchfiles.watch(project, watch_filter=_relevant(project), debounce=debounce_ms,
                                          step=min(20, debounce_ms),
                                          stop_event=stop, raise_interrupt=False, yield_on_timeout=True,
                                          rust_timeout=100):
                listening.set()
                if found:
                    changes.put(found)
        finally:
            listening.set()

    thread = threading.Thread(target=pump, name="booklet-watch", daemon=True)
    thread.start()
    listening.wait()
    return changes, thread


def _collect_while_idle() -> None:
    """Collect garbage between rebuilds, then freeze what is left.

    The Builder keeps every laid-out page (hundreds of thousands of Python
    objects); a full garbage collection walks them all, 0.1 s each time one
    falls inside a rebuild. Collected here, after the rebuild's output is
    out, and frozen (gc.freeze), the kept pages are left out of the
    collections a rebuild sets off; the next idle moment collects anything
    among them that was let go."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def watch(project: Path, *, echo: Callable[[str], None] = print, debounce_ms: int = 300,
          previews: bool = True, stop_event=None, max_builds: int | None = None, reflow: bool = True,
          workers: int | None = None) -> None:
    import queue
    import threading

    builder = Builder(project, workers=workers)
    last: BuildResult | None = None
    builds = 0
    stop = stop_event if stop_event is not None else threading.Event()
    held: set = set()            # changes taken from the queue to see whether a save waits
    owed: set[int] = set()       # pages whose previews a superseded build left to the next
    behind: list = []            # a superseded build wrote a digital PDF newer than the print PDF

    def newer_save() -> bool:
        """Whether a real save (not an editor's temporary file) is waiting."""
        while True:
            try:
                held.update(changes.get_nowait())
            except queue.Empty:
                break
        return bool(saved_names(held))

    def rebuild(reason: str) -> None:
        try:
            build_and_show(reason)
        finally:
            gc.enable()
            if not newer_save():     # a full collection takes 0.1 s: not while a save waits
                _collect_while_idle()

    def build_and_show(reason: str) -> None:
        nonlocal last, builds, builder
        builds += 1
        t0 = time.perf_counter()
        echo(f"[{time.strftime('%H:%M:%S')}] {reason}: building…")

        def digital_out(path: Path) -> None:
            gc.enable()
            if last is not None:
                echo(f"digital PDF updated in {time.perf_counter() - t0:.2f}s")
        if last is not None:
            # No cyclic GC until the digital PDF is out (4% of a one-word edit's time);
            # the collection after the rebuild (_collect_while_idle) takes what it left.
            gc.disable()
        try:
            result = builder.build(reflow=False, digital_first=digital_out,    # the PDFs first: that is what an editor is looking at
                                   give_way=newer_save if last is not None else None)
        except Superseded:
            echo("a newer save came in: building it before the print edition")
            behind.append(True)
            return
        except BookletError as exc:
            echo(f"error: {exc}")
            echo(f"the last good PDFs in output/ are unchanged{_print_behind(behind)}; fix the file and save to rebuild")
            return
        except Exception as exc:  # a bug in booklet: say so in one line, keep watching
            _report_bug(project, echo, "the rebuild", exc)
            echo(f"the last good PDFs in output/ are unchanged{_print_behind(behind)}; the next save builds afresh")
            builder = Builder(project, workers=workers)   # its kept state may be what went wrong
            last = None
            return
        behind.clear()
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
        to_preview = sorted(p for p in owed | set(change.changed_pages) if p <= result.digital_pages)
        owed.clear()
        if previews and to_preview:
            if newer_save():
                owed.update(to_preview)
                return
            try:
                render_pages(result.digital_pdf, project / "output" / "preview", to_preview[:40])
            except BookletError as exc:
                echo(f"warning: previews not written: {exc}")
            except Exception as exc:
                _report_bug(project, echo, "the previews", exc)
        if reflow and not newer_save():
            _refresh_reflow(builder, echo, project)

    changes, thread = _watcher(project, debounce_ms, stop)
    try:
        rebuild("start")
        echo(f"watching {', '.join(WATCHED_DIRS)}/ and booklet.yaml (Ctrl-C to stop)")
        while not stop.is_set() and (max_builds is None or builds < max_builds):
            if held:
                found = set(held)
                held.clear()
            else:
                try:
                    found = changes.get(timeout=0.2)
                except queue.Empty:
                    if not thread.is_alive():
                        break
                    continue
            while True:                      # saves made while we were building: one rebuild for all
                try:
                    found |= changes.get_nowait()
                except queue.Empty:
                    break
            names = saved_names(found)
            if names:
                rebuild("changed " + ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
