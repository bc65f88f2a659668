"""Benchmark booklet in one run, so ratios compare like with like.

Reports, for the sample booklet (or PROJECT):
  * cold build in a new process (page groups laid out side by side from
    the previous build's plan) vs a bare WeasyPrint render of the same HTML,
    the cold build with 1 worker (in one piece) vs all cores, and a
    project's first build (no plan yet: laid out in one piece, its page
    groups drawn side by side);
  * warm rebuilds in one process (as `booklet watch` does) after one-line
    CSS edits (a colour, a rule for one part, a rule for every paragraph)
    and after a one-word content change;
  * `booklet watch` measured from outside: save a one-word edit, time until
    the digital PDF is replaced (and until the build line is printed);
  * the Typst baseline: the same text as a Typst document (bench/typst_doc.py)
    compiled from cold in a new process, if the optional `typst` package is
    installed (`pip install -e '.[bench]'`);
  * peak memory of each (worker processes included), and the EPUB and web
    edition's share of the cold build;
and with --large, a generated ~400-page volume (bench/make_large.py): cold
time with 1, 2 and all workers, time per page against the sample's, peak
memory; with --profile, the top entries of a cProfile of a warm word edit.

    .venv/bin/python bench/bench.py [PROJECT] [--large] [--profile] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# One-line stylesheet edits a designer makes, from cheapest to dearest for the
# layout: a colour (repainted, no layout), a rule that selects one part (only
# that part is laid out again), a rule that selects every paragraph (all).
EDITS = [
    ("css-colour", ".unit-title { color: #2a6; }"),
    ("css-scoped", ".roster-title { font-size: 26pt; }"),
    ("css-global", "p { text-indent: 1.5em; }"),
]

CHILD = r'''
import json, resource, sys, time
EDITS = %r
from pathlib import Path
project, mode = Path(sys.argv[1]), sys.argv[2]
out = {}
if mode in ("bare", "bare-typeset"):
    html = (project / "output" / "booklet.html").read_text("utf-8")
    t = time.perf_counter()             # from the same point as a cold build: before WeasyPrint is imported
    import weasyprint
    if mode == "bare-typeset":
        from booklet.render import typeset
        typeset.install()
    weasyprint.HTML(string=html, base_url=project.as_uri() + "/").write_pdf("/dev/null")
    out["seconds"] = time.perf_counter() - t
elif mode.startswith("cold"):
    workers = int(mode.split(":")[1]) if ":" in mode else None
    from booklet.render.incremental import PLAN_FILE
    plan = project / "output" / PLAN_FILE
    kept = plan.read_bytes() if mode.startswith("cold-first") else None
    if kept is not None:
        plan.unlink()                    # a project's first build: no plan of an earlier one
    t = time.perf_counter()
    from booklet.build import Builder
    b = Builder(project, workers=workers, parallel=True)
    try:
        r = b.build(write=False)
    finally:
        if kept is not None:
            plan.write_bytes(kept)
    out["seconds"], out["pages"], out["how"] = time.perf_counter() - t, r.pages, b.last_strategy
    out["reflow"] = r.reflow_seconds
    me = resource.getrusage(resource.RUSAGE_SELF)
    out["parent_cpu"], out["runs_cpu"] = me.ru_utime + me.ru_stime, b.last_runs
    out["beside_cpu"] = b.last_beside
elif mode == "typst":
    import typst
    t = time.perf_counter()
    pdf = typst.compile(str(project / "baseline.typ"), font_paths=[sys.argv[3]], ignore_system_fonts=True)
    out["seconds"] = time.perf_counter() - t
    import io, pikepdf
    out["pages"] = len(pikepdf.open(io.BytesIO(pdf)).pages)
elif mode == "profile":
    import cProfile, pstats, io
    from booklet.build import Builder
    b = Builder(project)
    b.build(write=False)
    unit = sorted((project / "content").glob("*.md"))[0]
    text = unit.read_text("utf-8")
    i = text.rfind("。")
    unit.write_text(text[:i] + "！" + text[i + 1:], "utf-8")
    prof = cProfile.Profile()
    prof.enable(); b.build(write=False); prof.disable()
    unit.write_text(text, "utf-8")
    s = io.StringIO(); pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(30)
    out["profile"] = s.getvalue()
elif mode == "warm":
    from booklet.build import Builder
    b = Builder(project)
    b.build(write=False)
    css = project / "layouts" / "booklet.css"
    original = css.read_text("utf-8")
    for name, line in EDITS:
        css.write_text(original + "\n" + line + "\n", "utf-8")
        t = time.perf_counter(); r = b.build(write=False); out[name] = time.perf_counter() - t
        out[name + ":how"] = r.how
        css.write_text(original, "utf-8")
        b.build(write=False)
    unit = sorted((project / "content").glob("*.md"))[0]
    text = unit.read_text("utf-8")
    i = text.rfind("。")
    unit.write_text(text[:i] + "！" + text[i + 1:], "utf-8")
    t = time.perf_counter(); r = b.build(write=False); out["word"] = time.perf_counter() - t
    out["word:how"] = r.how
    out["pages"] = r.pages
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
_self, _kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
out["cpu"] = _self.ru_utime + _self.ru_stime + _kids.ru_utime + _kids.ru_stime
out["workers_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(out))
'''


def run(project: Path, mode: str, *extra: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD % (EDITS,), str(project), mode, *extra], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"benchmark child '{mode}' failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def as_a_user_runs_it(project: Path) -> dict:
    """`booklet build` as a user runs it (a new process: set-up, both
    editions, EPUB and web, the typography audit, every file written)
    against a new process that imports WeasyPrint and writes the same HTML:
    wall seconds, from starting each process to its end. The first build's
    audit reads every page; after a one-word edit, the audit reads again
    only the pages whose content changed (pdf/audit/reading.py)."""
    out = {}
    bare = ("import sys, weasyprint; from pathlib import Path; p = Path(sys.argv[1]); "
            "weasyprint.HTML(string=(p / 'output' / 'booklet.html').read_text('utf-8'), "
            "base_url=p.as_uri() + '/').write_pdf('/dev/null')")
    build = [sys.executable, "-m", "booklet.cli", "build", "-p", str(project)]
    unit = sorted((project / "content").glob("*.md"))[len(list((project / "content").glob("*.md"))) // 2]
    original = unit.read_text("utf-8")
    shutil.rmtree(project / ".booklet-cache" / "audit", ignore_errors=True)

    def edit():
        i = original.rfind("。")
        unit.write_text(original[:i] + "！" + original[i + 1:], "utf-8")
    try:
        for name, args, before in (("bare", [sys.executable, "-c", bare, str(project)], None),
                                   ("no-audit", build[:4] + ["--no-audit"] + build[4:], None),
                                   ("build", build, None),
                                   ("edited", build, edit)):
            if before:
                before()
            t = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            out[name] = time.perf_counter() - t
    finally:
        unit.write_text(original, "utf-8")
    return out


def watch_latency(project: Path, edits: int, idle: bool = True) -> dict:
    """Start `booklet watch`, save one-word edits, time from each save until
    the digital PDF is replaced (a new file renamed over it) and until
    watch prints its build line: what the designer waits for, from outside.

    With *idle*, each save waits until watch has done all of the previous
    one (its EPUB and web edition refreshed): an edit after a look at the
    page. Without, each save comes 0.3 s after the previous build line,
    while watch still writes previews and the phone editions: quick saves."""
    import queue
    import threading
    from booklet.config import load_config
    cfg = load_config(project)
    digital = cfg.output_dir / cfg.output.digital
    proc = subprocess.Popen([sys.executable, "-m", "booklet.cli", "watch", "-p", str(project), "--debounce", "50"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for(needle: str, timeout: float = 600) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if needle in line:
                return line
        raise RuntimeError(f"watch printed no {needle!r}")

    unit = sorted((project / "content").glob("*.md"))[len(list((project / "content").glob("*.md"))) // 2]
    original = unit.read_text("utf-8")
    first, built, how = [], [], []
    try:
        wait_for("watching")
        for n in range(edits):
            before = os.stat(digital).st_ino
            i = original.rfind("。")
            unit.write_text(original[:i] + ("！" if n % 2 == 0 else "？") + original[i + 1:], "utf-8")
            saved = time.monotonic()
            while os.stat(digital).st_ino == before and time.monotonic() - saved < 120:
                time.sleep(0.002)
            first.append(time.monotonic() - saved)
            line = wait_for("built ")
            built.append(time.monotonic() - saved)
            how.append(line.split("(")[1].split(")")[0] if "(" in line else "")
            if idle:
                wait_for("EPUB and web edition refreshed")
            time.sleep(0.3)
    finally:
        unit.write_text(original, "utf-8")
        proc.terminate()
        proc.wait(timeout=30)
    return {"first_pdf": first, "built": built, "how": how}


def _burn(n: int) -> float:
    total = 0
    for i in range(n):
        total += i
    return float(total)


def parallel_capacity(workers: int, n: int = 20_000_000) -> float:
    """How many processes' worth of CPU *workers* processes get here now:
    *workers* on an idle machine, less when other work shares the cores.
    (The shared development machine gave 2 processes about 1 core's worth.)"""
    import multiprocessing
    t = time.perf_counter()
    _burn(n)
    alone = time.perf_counter() - t
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        t = time.perf_counter()
        pool.map(_burn, [n] * workers)
        together = time.perf_counter() - t
    return workers * alone / together


def idle_estimate(result: dict, workers: int) -> float:
    """Wall time on an idle machine: this process's CPU plus the busiest
    worker's (the shared machine's load stretches wall times, not CPU), plus
    what the process making the print edition beside this one took longer
    than this process's own work meanwhile (it waits for it)."""
    from booklet.parallel.pool import critical_path
    child, meanwhile = result.get("beside_cpu") or (0.0, 0.0)
    return (result["parent_cpu"] + max(0.0, child - meanwhile)
            + (critical_path(result["runs_cpu"], workers) if result.get("runs_cpu") else 0.0))


def spread(values: list[float]) -> str:
    s = sorted(values)
    return f"median {s[len(s) // 2]:.2f}s (range {s[0]:.2f}–{s[-1]:.2f})"


def scratch_copy(project: Path, into: Path) -> Path:
    """A copy we may edit, with the default stylesheet as an override to change."""
    dest = into / project.name
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("output", ".venv", ".git", "bench", "tests", "*.otf", "*.ttf",
                                                               ".booklet-cache"))
    (dest / "layouts").mkdir(exist_ok=True)
    shutil.copy(ROOT / "booklet" / "layouts" / "booklet.css", dest / "layouts" / "booklet.css")
    subprocess.run([sys.executable, "-m", "booklet.cli", "build", "--no-audit", "-p", str(dest)],
                   check=True, capture_output=True)
    return dest


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("project", nargs="?", default=str(ROOT))
    ap.add_argument("--large", action="store_true", help="also build a generated ~400-page volume")
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of a warm word edit")
    ap.add_argument("--repeat", type=int, default=5, help="saves timed in watch")
    args = ap.parse_args(argv[1:])
    sys.path.insert(0, str(ROOT))
    from booklet.build import default_workers
    cores = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        project = scratch_copy(Path(args.project).resolve(), Path(tmp))
        cold, bare, warm = run(project, "cold"), run(project, "bare"), run(project, "warm")
        one = run(project, "cold:1")
        first_build = run(project, "cold-first")
        typeset = run(project, "bare-typeset")
        print(f"sample: {cold['pages']} pages, {cores} cores; {cores} busy processes get "
              f"{parallel_capacity(cores):.2f} cores' worth of CPU here now (a pure-Python loop)")
        print(f"{'run':<40}{'seconds':>9}{'peak MB':>9}   (CPU seconds of the process and its workers)")
        print(f"{'cold build, all workers (new process)':<40}{cold['seconds']:>9.2f}{cold['peak_mb']:>9.0f}"
              f"   workers {cold['workers_peak_mb']:.0f} MB, CPU {cold['cpu']:.1f}s  ({cold['how'] or 'in one piece'})")
        print(f"{'cold build, 1 worker (new process)':<40}{one['seconds']:>9.2f}{one['peak_mb']:>9.0f}   CPU {one['cpu']:.1f}s")
        print(f"{'first build (no plan yet), all workers':<40}{first_build['seconds']:>9.2f}{first_build['peak_mb']:>9.0f}"
              f"   workers {first_build['workers_peak_mb']:.0f} MB, CPU {first_build['cpu']:.1f}s  "
              f"({first_build['how'] or 'in one piece'})")
        print(f"{'  idle-machine estimate, all / 1 worker':<40}{idle_estimate(cold, cores):>9.2f}{idle_estimate(one, 1):>9.2f}"
              "   (this process's CPU + the busiest worker's)")
        print(f"{'bare WeasyPrint, same HTML':<40}{bare['seconds']:>9.2f}{bare['peak_mb']:>9.0f}")
        print(f"{'WeasyPrint + booklet.render.typeset':<40}{typeset['seconds']:>9.2f}{typeset['peak_mb']:>9.0f}")
        print(f"{'  EPUB + web edition, in cold build':<40}{cold['reflow']:>9.2f}{'':>9}   {cold['reflow'] / cold['seconds']:.2f}x cold")
        labels = {"css-colour": "warm, CSS colour edit", "css-scoped": "warm, CSS edit in one part",
                  "css-global": "warm, CSS edit of every paragraph", "word": "warm, one-word content edit"}
        for key, label in labels.items():
            print(f"{label:<40}{warm[key]:>9.2f}{warm['peak_mb']:>9.0f}   {warm[key] / cold['seconds']:.2f}x cold  ({warm[key + ':how']})")
        user = as_a_user_runs_it(project)
        print(f"`booklet build` as a user runs it (new process, audit, files written): {user['build']:.2f}s the first "
              f"time (every page audited), {user['edited']:.2f}s after a one-word edit, {user['no-audit']:.2f}s with "
              f"--no-audit; a new process writing the same HTML with WeasyPrint {user['bare']:.2f}s: "
              f"{user['build'] / user['bare']:.2f}x, {user['edited'] / user['bare']:.2f}x, {user['no-audit'] / user['bare']:.2f}x")
        latency = watch_latency(project, args.repeat)
        first = sorted(latency["first_pdf"])[len(latency["first_pdf"]) // 2]
        print(f"watch, save → digital PDF replaced: {spread(latency['first_pdf'])}   (target ≤ 0.5 s)")
        print(f"watch, save → build line (print, preflight, previews done): {spread(latency['built'])}")
        quick = watch_latency(project, args.repeat, idle=False)
        print(f"watch, quick saves (0.3 s after the last build line) → digital PDF: {spread(quick['first_pdf'])}")
        ratios = (f"ratios: cold/bare {cold['seconds'] / bare['seconds']:.2f}x, PDFs only (EPUB and web left out) "
                  f"{(cold['seconds'] - cold['reflow']) / bare['seconds']:.2f}x (target ≤ 1.3x); 1 worker/bare "
                  f"{one['seconds'] / bare['seconds']:.2f}x; first build/bare {first_build['seconds'] / bare['seconds']:.2f}x   "
                  f"1 worker/all {one['seconds'] / cold['seconds']:.2f}x   typesetting layer {typeset['seconds'] / bare['seconds']:.2f}x")
        try:
            import typst  # noqa: F401
        except ImportError:
            typst_line = "Typst baseline: skipped (pip install -e '.[bench]' to measure it)"
        else:
            from typst_doc import typst_source
            (project / "baseline.typ").write_text(typst_source(project), "utf-8")
            from booklet.build import check_project
            fonts = sorted({str(f.path.parent) for f in check_project(project).faces})[0]
            ty = run(project, "typst", fonts)
            typst_line = (f"Typst baseline (same text, {ty['pages']} pages, new process): {ty['seconds']:.2f}s; "
                          f"watch save → PDF / Typst {first / ty['seconds']:.2f}x; cold build / Typst {cold['seconds'] / ty['seconds']:.2f}x")
        print(typst_line)
        print(ratios)
        if args.profile:
            print(run(project, "profile")["profile"])
        if args.large:
            from make_large import make_large
            large = make_large(project, Path(tmp) / "large", honourees=300, copies=6)
            subprocess.run([sys.executable, "-m", "booklet.cli", "build", "--no-audit", "-p", str(large)],
                           check=True, capture_output=True)        # the plan a later build starts from
            per_small = one["seconds"] / one["pages"]
            results = {}
            for workers in sorted({1, 2, cores}):
                results[workers] = big = run(large, f"cold:{workers}")
                print(f"large, {workers} worker(s): {big['pages']} pages in {big['seconds']:.1f}s, "
                      f"{big['seconds'] / big['pages'] * 1000:.0f} ms/page (sample, 1 worker: {per_small * 1000:.0f} ms/page), "
                      f"peak {big['peak_mb']:.0f} MB + workers {big['workers_peak_mb']:.0f} MB, CPU {big['cpu']:.1f}s  "
                      f"({big['how'] or 'in one piece'})")
            print(f"large: 1 worker / 2 workers {results[1]['seconds'] / results[2]['seconds']:.2f}x (target ≥ 1.7x); "
                  f"from CPU seconds (this process + the busiest worker, what an idle machine would take): "
                  f"{idle_estimate(results[1], 1):.1f}s / {idle_estimate(results[2], 2):.1f}s = "
                  f"{idle_estimate(results[1], 1) / idle_estimate(results[2], 2):.2f}x")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv))
