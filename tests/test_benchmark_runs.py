"""The benchmark script runs end to end and prints every figure it promises.

``benchmarks/bench.py --quick --no-browser`` measures with tiny sizes (one module for Run All,
1 and 2 submissions for the marginal autograde cost, three learners in the cohort, one
repeat), so its values mean nothing and are not checked; what is checked is that every
measurement ran (real notebooks, real ``nbgrader generate_assignment`` and ``autograde`` of
the course and of a bare one-cell nbgrader course, Check my work in-process and cold) and
printed its line, with the machine on top.
"""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

from course.items import all_modules

SLUG = "01-shared-lived-experience"
# What --quick grades: one module and the full practice exam (the whole course takes minutes).
MODULES = [SLUG, "13-practice-exam"]
MACHINE = ["CPU:", "cores:", "Python:", "packages:", "load:"]
FIGURES = [
    f"Run All on a fresh kernel: {SLUG}",
    "import course in a fresh interpreter",
    f"autograde {SLUG}, 1 submission(s)",
    f"autograde {SLUG}, 2 submission(s)",
    "autograde, marginal cost per extra submission (1 -> 2)",
    f"cohort autograde, total (3 learners x {len(MODULES)} modules)",
    "cohort autograde, per submission (vs bare marginal)",
    *(f"Check my work, in-process: {slug}" for slug in MODULES),
    *(f"Check my work, cold subprocess: {slug}" for slug in MODULES),
]
# Every figure line carries a value in seconds (a noisy quick marginal may dip below zero).
NUMBER = r"\s+-?\d+\.\d{3} s"
TARGETS = {  # the goals printed beside the new figures
    "autograde, marginal cost per extra submission": "<= 0.2x",
    "Check my work, in-process": "< 1.0 s",
    "Check my work, cold subprocess": "< 1.0 s",
}


def test_quick_benchmark_prints_the_machine_and_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/bench.py", "--quick", "--no-browser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert set(MODULES) <= {m.slug for m in all_modules().values()}
    for start in MACHINE:
        assert any(line.startswith(start) for line in lines), f"no {start!r} line"
    for label in FIGURES:
        assert any(re.match(re.escape(label) + NUMBER, line) for line in lines), f"no figure {label!r}"
    for label, target in TARGETS.items():
        found = [line for line in lines if line.startswith(label)]
        assert found and all(target in line for line in found), f"no goal {target!r} beside {label!r}"
    assert "browser figures: skipped (--no-browser)" in lines
