"""Mutation check: does a small bug in booklet/ fail a test?

    .venv/bin/python tests/mutation/run.py                 # the curated mutants (mutants.py)
    .venv/bin/python tests/mutation/run.py --only fetcher  # those whose name contains a word
    .venv/bin/python tests/mutation/run.py --auto booklet/importing/clean.py [--sample 80] [--seed 1]
    .venv/bin/python tests/mutation/run.py --auto booklet/render/document.py --function make_fetcher
    .venv/bin/python tests/mutation/run.py --auto booklet/importing/clean.py --rerun OUTPUT   # the survivors again
    .venv/bin/python tests/mutation/run.py --list

The repository is copied once into a temporary folder (fonts linked, not
copied); each mutant changes one line there, the tests named for it run
against the copy (PYTHONPATH puts the copy first, also for the `booklet`
command the tests start), and the line is put back. A mutant is *killed*
when a test fails (or the run times out), *survives* when they all pass.
The unmutated copy is tested first, so a failure is the mutant's.

`--auto` makes the mutants itself, the way mutmut does: every comparison
(< <= > >= == != in is), boolean operator, True/False, any/all, unary `not`
and `.resolve()` call of a module, one at a time, against the tests
mutants.TESTS_FOR names for it (or --tests).

Slow by nature (a test run per mutant): not part of the default pytest run.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutants import MUTANTS, TESTS_FOR, Mutant  # noqa: E402

COPIED = ("booklet", "tests", "content", "source", "booklet.yaml", "pyproject.toml")
SWAPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "and": "or", "or": "and",
         "True": "False", "False": "True", "in": "not in", "is": "is not", "any": "all", "all": "any"}


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
    (dest / "fonts").symlink_to(ROOT / "fonts")
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


def function_lines(source: str, names: list[str]) -> set[int]:
    """The line numbers of the functions (or classes) called *names*, nested ones included."""
    import ast
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def _loop_in(tokens, k: int) -> bool:
    """Is tokens[k] (an `in`) the one of a `for … in` (mutating it breaks the syntax)?"""
    row = tokens[k].start[0]
    for tok in reversed(tokens[:k]):
        if tok.start[0] != row and tok.type == tokenize.NL or tok.type == tokenize.NEWLINE:
            return False
        if tok.string == "for":
            return True
        if tok.string in ("if", "and", "or", "in", "elif", "while", "return", "=", "not", "assert"):
            return False
    return False


def auto_mutants(module: str, tests: tuple[str, ...], functions: list[str] | None = None) -> list[Mutant]:
    """One mutant per operator token of *module* (comparisons, and/or, True/False, not),
    only inside *functions* when given."""
    source = (ROOT / module).read_text("utf-8")
    keep = function_lines(source, functions) if functions else None
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    out = []
    for k, tok in enumerate(tokens):
        text = tok.string
        nxt = tokens[k + 1].string if k + 1 < len(tokens) else ""
        prev = tokens[k - 1].string if k else ""
        if tok.type not in (tokenize.OP, tokenize.NAME):
            continue
        line = lines[tok.start[0] - 1]
        if keep is not None and tok.start[0] not in keep:
            continue
        if "no mutate" in line or line.lstrip().startswith(("def ", "class ", "@", "import ", "from ")):
            continue
        start, end = offsets[tok.start[0] - 1] + tok.start[1], offsets[tok.end[0] - 1] + tok.end[1]
        if text == "resolve" and prev == "." and source[end:end + 2] == "()":
            new, start, end = "", start - 1, end + 2          # drop a .resolve() call
        elif text == "not" and nxt == "in" or text == "is" and nxt == "not":
            new, end = ("in" if text == "not" else "is"), offsets[tokens[k + 1].end[0] - 1] + tokens[k + 1].end[1]
        elif text == "not" and prev not in ("is",):
            new, end = "", end + 1 if source[end:end + 1] == " " else end
        elif text in SWAPS and not (text == "in" and (prev == "not" or _loop_in(tokens, k))) \
                and not (text == "is" and nxt == "not") \
                and not (text in ("any", "all") and nxt != "("):
            new = SWAPS[text]
        else:
            continue
        # Identify the mutant by a unique window of the source around the token.
        lo = max(0, start - 40)
        while source.count(source[lo:end + 10]) > 1 and lo > 0:
            lo = max(0, lo - 40)
        old = source[lo:end + 10]
        mutated = source[lo:start] + new + source[end:end + 10]
        if source.count(old) != 1:
            continue
        shown = " ".join(source[start:end].split()) if new in ("is", "in") and text in ("is", "not") else text
        out.append(Mutant(f"{module}:{tok.start[0]}:{tok.start[1]} {shown!r}→{new!r}", module, old, mutated, tests))
    return out


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
    ap.add_argument("--auto", metavar="MODULE", help="generate operator mutants for this file under booklet/")
    ap.add_argument("--function", nargs="*", default=None, help="with --auto: only inside these functions")
    ap.add_argument("--sample", type=int, default=0, help="with --auto: test a random sample of this many")
    ap.add_argument("--tests", nargs="*", default=None, help="with --auto: run these tests instead of TESTS_FOR's")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per mutant")
    ap.add_argument("--rerun", metavar="OUTPUT", help="only the mutants an earlier run's OUTPUT says survived")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = ap.parse_args()

    if args.auto:
        module = str(Path(args.auto))
        tests = tuple(args.tests) if args.tests else TESTS_FOR.get(module)
        if not tests:
            ap.error(f"no tests listed for {module} in mutants.TESTS_FOR")
        chosen = auto_mutants(module, tests, args.function)
        if args.sample and args.sample < len(chosen):
            chosen = sorted(random.Random(args.seed).sample(chosen, args.sample), key=lambda m: m.name)
    else:
        chosen = [m for m in MUTANTS if not args.only or any(w.lower() in m.name.lower() for w in args.only)]
    if args.rerun:
        survived = {line.split("survived: ", 1)[1].rsplit(" (", 1)[0]
                    for line in Path(args.rerun).read_text("utf-8").splitlines() if "] survived: " in line}
        where = {name.split(" ")[0] for name in survived} if args.auto else set()   # file:line:col
        chosen = [m for m in chosen if m.name in survived or m.name.split(" ")[0] in where]
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
        return 1 if any(o.status == "survived" for o in outcomes) and not args.auto else 0
    finally:
        shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
