"""Mutation score per module, with cosmic-ray: how many small bugs do the tests catch?

    .venv/bin/pip install -e '.[mutation]'
    .venv/bin/python tests/mutation/score.py                       # every module below, 40 mutants each
    .venv/bin/python tests/mutation/score.py clean fetcher --sample 80
    .venv/bin/python tests/mutation/score.py --rev v0.9            # the same mutants against an older suite
    .venv/bin/python tests/mutation/score.py typeset --sample 0    # all of a module's mutants (slow)

cosmic-ray makes the mutants (one operator at a time: comparisons, and/or,
not, True/False, numbers, arithmetic, break/continue, loops that never run,
exceptions) and runs the module's tests against each in a copy of the
repository (`run.py` makes it; the `booklet` command the tests start runs
the copy too). A module's full set runs to hundreds of mutants and a test
run each, so a seeded sample is drawn: the same seed picks the same
mutants of an unchanged function, which is what makes `--rev` (the tests
and code of an older revision, e.g. before a round of test work) a fair
"before". A mutant is killed when a test fails or the run times out;
incompetent mutants (the module no longer imports) count as killed, as
cosmic-ray counts them.

Not part of the default pytest run: it takes a test run per mutant.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import io
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import COPIED, LINKED, make_copy  # noqa: E402


@dataclass(frozen=True)
class Target:
    path: str                       # the module under booklet/
    tests: tuple[str, ...]          # test files meant to guard it (missing ones are left out)
    functions: tuple[str, ...] = ()  # only mutate inside these (all of the module when empty)


TARGETS = {
    "clean": Target("booklet/importing/clean.py", ("tests/test_clean_rules.py", "tests/test_clean.py")),
    "segment": Target("booklet/importing/segment.py",
                      ("tests/test_people_rules.py", "tests/test_segment.py", "tests/test_import.py",
                       "tests/test_unseen.py", "tests/test_seed_reimport.py")),
    "typeset": Target("booklet/render/typeset.py", ("tests/test_typeset.py", "tests/test_justification.py")),
    "fetcher": Target("booklet/render/document.py", ("tests/test_fetcher.py", "tests/test_build.py"),
                      ("make_fetcher",)),
    "pdf": Target("booklet/pdf/editions.py", ("tests/test_print.py", "tests/test_digital.py")),
}

# The operators of mutmut's and cosmic-ray's usual sets that make plausible slips;
# the rest of cosmic-ray's binary-operator matrix (a + b → a ^ b, a << b ...) mostly
# makes code that cannot run, which says little about the tests.
OPERATORS = ("core/ReplaceComparisonOperator_", "core/ReplaceAndWithOr", "core/ReplaceOrWithAnd",
             "core/ReplaceTrueWithFalse", "core/ReplaceFalseWithTrue", "core/AddNot",
             "core/ReplaceUnaryOperator_Delete_Not", "core/ReplaceUnaryOperator_USub_UAdd",
             "core/NumberReplacer", "core/ReplaceBreakWithContinue", "core/ReplaceContinueWithBreak",
             "core/ZeroIterationForLoop", "core/ExceptionReplacer",
             "core/ReplaceBinaryOperator_Add_Sub", "core/ReplaceBinaryOperator_Sub_Add",
             "core/ReplaceBinaryOperator_Mul_Div", "core/ReplaceBinaryOperator_Div_Mul",
             "core/ReplaceBinaryOperator_FloorDiv_Div")


def copy_of(rev: str | None) -> Path:
    """The working tree (or the tree of git revision *rev*) in a temporary folder."""
    if rev is None:
        return make_copy()
    dest = Path(tempfile.mkdtemp(prefix="booklet-mutants-"))
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, *COPIED], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(dest, filter="data")
    for name in LINKED:
        (dest / name).symlink_to(ROOT / name)
    return dest


def function_span(source: str, names: tuple[str, ...]) -> tuple[int, int] | None:
    """First and last line of the first function called one of *names*."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            return node.lineno, node.end_lineno
    return None


def cosmic(copy: Path, *args: str, env: dict | None = None) -> None:
    subprocess.run([str(Path(sys.executable).with_name("cosmic-ray")), *args], cwd=copy, check=True,
                   stdout=subprocess.DEVNULL, env=env)


def score(name: str, target: Target, copy: Path, sample: int, seed: int, timeout: float) -> tuple[int, int, list]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    tests = [t for t in target.tests if (copy / t).is_file()]
    if not tests:
        raise SystemExit(f"{name}: none of {', '.join(target.tests)} exists in this revision")
    python = sys.executable
    config = copy / f"mutation-{name}.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{target.path}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{python} -m pytest -x -q -p no:cacheprovider -p no:randomly --hypothesis-seed=0 '
        + " ".join(tests) + '"\n\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n', "utf-8")
    session = copy / f"mutation-{name}.sqlite"
    cosmic(copy, "init", config.name, session.name)

    span = function_span((copy / target.path).read_text("utf-8"), target.functions) if target.functions else None
    with use_db(str(session), WorkDB.Mode.open) as db:
        keep = []
        for item in db.pending_work_items:
            m = item.mutations[0]
            inside = span is None or span[0] <= m.start_pos[0] <= span[1]
            if inside and m.operator_name.startswith(OPERATORS):
                line = m.start_pos[0] - (span[0] if span else 0)
                # job ids are random: order by place and operator (occurrence, which counts
                # from the top of the module, only orders the mutants of one token)
                keep.append(((line, m.start_pos[1], m.operator_name, m.occurrence), item.job_id))
        keep.sort(key=lambda k: k[0])
        chosen = {job for _, job in (random.Random(seed).sample(keep, sample) if 0 < sample < len(keep) else keep)}
        skipped = [item.job_id for item in db.pending_work_items if item.job_id not in chosen]
        if skipped:
            db.set_multiple_results(skipped, WorkResult(output="not in the sample",
                                                        worker_outcome=WorkerOutcome.SKIPPED))

    env = dict(os.environ, PYTHONPATH=str(copy))
    env.pop("SOURCE_DATE_EPOCH", None)
    base = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=copy, env=env, capture_output=True, text=True)
    if base.returncode:
        raise SystemExit(f"{name}: the unmutated code fails its tests; fix that first:\n{base.stdout[-2000:]}")
    cosmic(copy, "exec", config.name, session.name, env=env)

    killed = total = 0
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            total += 1
            if result.test_outcome == TestOutcome.SURVIVED:
                survivors.append((item.mutations[0], result.diff or ""))
            else:
                killed += 1
    return killed, total, sorted(survivors, key=lambda s: s[0].start_pos)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("modules", nargs="*", metavar="MODULE", help=f"some of: {', '.join(TARGETS)} (default: all)")
    ap.add_argument("--sample", type=int, default=40, help="mutants per module (0: all of them)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600, help="seconds per test run")
    ap.add_argument("--rev", help="score the tests and code of this git revision instead of the working tree")
    ap.add_argument("--diffs", action="store_true", help="print each survivor's diff")
    args = ap.parse_args()
    if unknown := [m for m in args.modules if m not in TARGETS]:
        ap.error(f"unknown module {', '.join(unknown)}: choose from {', '.join(TARGETS)}")
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        ap.error("cosmic-ray is not installed: .venv/bin/pip install -e '.[mutation]'")

    copy = copy_of(args.rev)
    rows = []
    try:
        for name in args.modules or list(TARGETS):
            killed, total, survivors = score(name, TARGETS[name], copy, args.sample, args.seed, args.timeout)
            rows.append((name, TARGETS[name].path, killed, total))
            print(f"\n{name} ({TARGETS[name].path}): {killed}/{total} killed", flush=True)
            for m, diff in survivors:
                print(f"  survived: line {m.start_pos[0]} {m.operator_name}")
                if args.diffs:
                    print("    " + "\n    ".join(line for line in diff.splitlines() if line[:1] in "+-"
                                               and not line.startswith(("+++", "---"))))
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    print()
    for name, path, killed, total in rows:
        print(f"{name:<8} {path:<36} {killed:>3}/{total:<3} killed ({100 * killed / max(total, 1):.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
