"""Mutation check: does a small bug in booklet/ fail a test?

    .venv/bin/python tests/mutation/run.py                 # the curated mutants (mutants.py)
    .venv/bin/python tests/mutation/run.py --only fetcher  # those whose name contains a word
    .venv/bin/python tests/mutation/run.py --rerun OUTPUT      # the survivors of an earlier run again
    .venv/bin/python tests/mutation/run.py --list

The repository is copied once into a temporary folder (fonts linked, not
copied); each mutant changes one line there, the tests named for it run
against the copy (PYTHONPATH puts the copy first, also for the `booklet`
command the tests start), and the line is put back. A mutant is *killed*
when a test fails (or the run times out), *survives* when they all pass.
The unmutated copy is tested first, so a failure is the mutant's.

These are named regressions: the bugs issue reviews planted, each with the
tests meant to catch it. The mutation *score* of a module (mutants made by
a tool, sampled) is `score.py`'s, with cosmic-ray.

Slow by nature (a test run per mutant): not part of the default pytest run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutants import MUTANTS, Mutant  # noqa: E402

COPIED = ("booklet", "tests", "content", "source", "booklet.yaml", "pyproject.toml")
LINKED = ("fonts", "profiles")      # installed by setup.sh, large, never mutated


@dataclass
class Outcome:
    mutant: Mutant
    status: str          # killed | survived | timeout | does not apply
    seconds: float
    failed: str = ""     # the first failing test


def make_copy() -> Path:
    dest = Path(tempfile.mkdtemp(prefix="booklet-mutants-"))
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache", "output", "*.egg-info")
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    for name in LINKED:
        (dest / name).symlink_to(ROOT / name)
    return dest


def run_tests(copy: Path, tests: tuple[str, ...], timeout: float) -> tuple[int | None, str]:
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    env.pop("SOURCE_DATE_EPOCH", None)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--hypothesis-seed=0", *tests]
    try:
        proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, ""
    return proc.returncode, proc.stdout + proc.stderr


def apply(copy: Path, m: Mutant) -> str | None:
    """Write the mutant into the copy; return the original text, or None if it does not apply."""
    path = copy / m.file
    text = path.read_text("utf-8")
    count = text.count(m.old)
    if count == 0 or (count > 1 and not m.nth):
        return None
    at = -1
    for _ in range(m.nth + 1 if count > 1 else 1):
        at = text.index(m.old, at + 1)
    path.write_text(text[:at] + m.new + text[at + len(m.old):], "utf-8")
    return text


def check(copy: Path, m: Mutant, timeout: float) -> Outcome:
    start = time.monotonic()
    original = apply(copy, m)
    if original is None:
        return Outcome(m, "does not apply", 0.0)
    try:
        code, out = run_tests(copy, m.tests, timeout)
    finally:
        (copy / m.file).write_text(original, "utf-8")
    seconds = time.monotonic() - start
    if code is None:
        return Outcome(m, "timeout", seconds)
    failed = next((line.split(" ")[1] for line in out.splitlines() if line.startswith(("FAILED ", "ERROR "))), "")
    return Outcome(m, "survived" if code == 0 else "killed", seconds, failed)


def report(outcomes: list[Outcome]) -> None:
    by_module: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_module.setdefault(o.mutant.file, []).append(o)
    width = max(len(o.mutant.name) for o in outcomes)
    for o in outcomes:
        print(f"{o.status:>14}  {o.mutant.name:<{width}}  {o.seconds:6.1f}s  {o.failed}")
    print()
    total_k = total = 0
    for module, items in sorted(by_module.items()):
        counted = [o for o in items if o.status != "does not apply"]
        killed = sum(o.status in ("killed", "timeout") for o in counted)
        total_k, total = total_k + killed, total + len(counted)
        stale = len(items) - len(counted)
        print(f"{module:<36} {killed:>3}/{len(counted):<3} killed"
              + (f" ({100 * killed / len(counted):.0f} %)" if counted else "") + (f", {stale} do not apply" if stale else ""))
    if total:
        print(f"{'all':<36} {total_k:>3}/{total:<3} killed ({100 * total_k / total:.0f} %)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", default=[], help="mutants whose name contains one of these words")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per mutant")
    ap.add_argument("--rerun", metavar="OUTPUT", help="only the mutants an earlier run's OUTPUT says survived")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = ap.parse_args()

    chosen = [m for m in MUTANTS if not args.only or any(w.lower() in m.name.lower() for w in args.only)]
    if args.rerun:
        survived = {line.split("survived: ", 1)[1].rsplit(" (", 1)[0]
                    for line in Path(args.rerun).read_text("utf-8").splitlines() if "] survived: " in line}
        chosen = [m for m in chosen if m.name in survived]
    if args.list:
        for m in chosen:
            text = (ROOT / m.file).read_text("utf-8")
            applies = text.count(m.old) == 1 or (m.nth and text.count(m.old) > m.nth)
            print(f"{m.name}  [{m.file}]  → {' '.join(m.tests)}" + ("" if applies else "  (DOES NOT APPLY)"))
        return 0

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))     # remove the copy when stopped
    copy = make_copy()
    try:
        for tests in sorted({m.tests for m in chosen}):
            code, out = run_tests(copy, tests, args.timeout)
            if code != 0:
                print(f"the unmutated code fails {' '.join(tests)}; fix that first:\n{out[-3000:]}")
                return 2
        outcomes = []
        for i, m in enumerate(chosen, 1):
            o = check(copy, m, args.timeout)
            print(f"[{i}/{len(chosen)}] {o.status}: {m.name} ({o.seconds:.0f}s) {o.failed}", flush=True)
            outcomes.append(o)
        print()
        report(outcomes)
        return 1 if any(o.status == "survived" for o in outcomes) else 0
    finally:
        shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
