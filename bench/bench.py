"""Benchmark booklet in one run, so ratios compare like with like.

Reports, for the sample booklet (or PROJECT):
  * cold build in a new process vs a bare WeasyPrint render of the same HTML;
  * warm rebuilds in one process (as `booklet watch` does) after one-line
    CSS edits (a colour, a rule for one part, a rule for every paragraph)
    and after a one-word content change;
  * peak memory of each, and the EPUB and web edition's share of the cold build;
and with --large, a generated ~400-page volume (bench/make_large.py): total
time, time per page against the sample's, and peak memory; with --profile,
the top entries of a cProfile of the cold build.

    .venv/bin/python bench/bench.py [PROJECT] [--large] [--profile]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
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
    import weasyprint
    if mode == "bare-typeset":
        from booklet.render import typeset
        typeset.install()
    html = (project / "output" / "booklet.html").read_text("utf-8")
    t = time.perf_counter()
    weasyprint.HTML(string=html, base_url=project.as_uri() + "/").write_pdf("/dev/null")
    out["seconds"] = time.perf_counter() - t
elif mode == "cold":
    t = time.perf_counter()
    from booklet.build import build
    r = build(project, write=False)
    out["seconds"], out["pages"] = time.perf_counter() - t, r.pages
    out["reflow"] = r.reflow_seconds
elif mode == "profile":
    import cProfile, pstats, io
    from booklet.build import build
    prof = cProfile.Profile()
    prof.enable(); build(project, write=False); prof.disable()
    s = io.StringIO(); pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(25)
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
print(json.dumps(out))
'''


def run(project: Path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD % (EDITS,), str(project), mode], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"benchmark child '{mode}' failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def scratch_copy(project: Path, into: Path) -> Path:
    """A copy we may edit, with the default stylesheet as an override to change."""
    dest = into / project.name
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("output", ".venv", ".git", "bench", "tests", "*.otf", "*.ttf"))
    (dest / "layouts").mkdir(exist_ok=True)
    shutil.copy(ROOT / "booklet" / "layouts" / "booklet.css", dest / "layouts" / "booklet.css")
    subprocess.run([sys.executable, "-m", "booklet.cli", "build", "--no-audit", "-p", str(dest)],
                   check=True, capture_output=True)
    return dest


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("project", nargs="?", default=str(ROOT))
    ap.add_argument("--large", action="store_true", help="also build a generated ~400-page volume")
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of the cold build")
    args = ap.parse_args(argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        project = scratch_copy(Path(args.project).resolve(), Path(tmp))
        cold, bare, warm = run(project, "cold"), run(project, "bare"), run(project, "warm")
        typeset = run(project, "bare-typeset")
        print(f"sample: {cold['pages']} pages")
        print(f"{'run':<36}{'seconds':>9}{'peak MB':>9}")
        print(f"{'cold build (new process)':<36}{cold['seconds']:>9.2f}{cold['peak_mb']:>9.0f}")
        print(f"{'bare WeasyPrint, same HTML':<36}{bare['seconds']:>9.2f}{bare['peak_mb']:>9.0f}")
        print(f"{'WeasyPrint + booklet.render.typeset':<36}{typeset['seconds']:>9.2f}{typeset['peak_mb']:>9.0f}")
        print(f"{'  EPUB + web edition, in cold build':<36}{cold['reflow']:>9.2f}{'':>9}   {cold['reflow'] / cold['seconds']:.2f}x cold")
        labels = {"css-colour": "warm, CSS colour edit", "css-scoped": "warm, CSS edit in one part",
                  "css-global": "warm, CSS edit of every paragraph", "word": "warm, one-word content edit"}
        for key, label in labels.items():
            print(f"{label:<36}{warm[key]:>9.2f}{warm['peak_mb']:>9.0f}   {warm[key] / cold['seconds']:.2f}x cold  ({warm[key + ':how']})")
        print(f"ratios: typesetting layer {typeset['seconds'] / bare['seconds']:.2f}x   cold/bare {cold['seconds'] / bare['seconds']:.2f}x   "
              + "   ".join(f"{k}/cold {warm[k] / cold['seconds']:.2f}x" for k in labels))
        if args.profile:
            print(run(project, "profile")["profile"])
        if args.large:
            sys.path.insert(0, str(ROOT / "bench"))
            from make_large import make_large
            large = make_large(project, Path(tmp) / "large", honourees=300, copies=6)
            big = run(large, "cold")
            per_small, per_large = cold["seconds"] / cold["pages"], big["seconds"] / big["pages"]
            print(f"large: {big['pages']} pages in {big['seconds']:.1f}s, {per_large * 1000:.0f} ms/page "
                  f"(sample {per_small * 1000:.0f} ms/page, ratio {per_large / per_small:.2f}x), peak {big['peak_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
