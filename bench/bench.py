"""Benchmark: cold build, warm rebuild, and a bare WeasyPrint render, in one run.

Absolute times depend on the machine, so we report ratios measured in the
same run (and peak RSS of each child process). Usage:

    .venv/bin/python bench/bench.py [PROJECT]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r'''
import json, resource, sys, time
from pathlib import Path
project, mode = Path(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
if mode == "bare":
    import weasyprint
    html = (project / "output" / "booklet.html").read_text("utf-8")
    weasyprint.HTML(string=html, base_url=project.as_uri() + "/").write_pdf("/dev/null")
    times = [time.perf_counter() - t0]
else:
    from booklet.build import build
    times = []
    for _ in range(2 if mode == "warm" else 1):
        t = time.perf_counter()
        r = build(project, write=False)
        times.append(time.perf_counter() - t)
    pages = r.pages
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "peak_mb": peak}))
'''


def run(project: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(project), mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    project = Path(argv[1]).resolve() if len(argv) > 1 else ROOT
    if not (project / "output" / "booklet.html").is_file():
        subprocess.run([sys.executable, "-m", "booklet.cli", "build", "--no-audit", "-p", str(project)], check=True)
    cold = run(project, "cold")
    warm = run(project, "warm")
    bare = run(project, "bare")
    cold_t, warm_t, bare_t = cold["times"][0], warm["times"][1], bare["times"][0]
    print(f"project: {project.name}")
    print(f"{'run':<28}{'seconds':>9}{'peak MB':>10}")
    print(f"{'cold build (new process)':<28}{cold_t:>9.2f}{cold['peak_mb']:>10.0f}")
    print(f"{'warm rebuild (same process)':<28}{warm_t:>9.2f}{warm['peak_mb']:>10.0f}")
    print(f"{'bare WeasyPrint, same HTML':<28}{bare_t:>9.2f}{bare['peak_mb']:>10.0f}")
    print(f"ratios: cold/bare {cold_t / bare_t:.2f}x   warm/cold {warm_t / cold_t:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
