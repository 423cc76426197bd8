"""The benchmark script runs end to end and prints every figure it promises.

``benchmarks/bench.py --quick --no-browser`` measures with tiny sizes (one module, two
learners, one repeat), so its values mean nothing and are not checked; what is checked is
that every measurement ran (real notebooks, real ``nbgrader generate_assignment`` and
``autograde``, a real two-process cohort) and printed its line, with the machine on top.
"""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

SLUG = "01-shared-lived-experience"
MACHINE = ["CPU:", "cores:", "Python:", "packages:", "load:"]
FIGURES = [
    f"Run All on a fresh kernel: {SLUG}",
    "import course in a fresh interpreter",
    f"autograde one submission: {SLUG}",
    "cohort autograde, total (2 learners x 1 modules, 2 processes)",
    "cohort autograde, per submission (vs one alone)",
]
NUMBER = r"\s+\d+\.\d{3} s"  # every figure line carries a value in seconds


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
    for start in MACHINE:
        assert any(line.startswith(start) for line in lines), f"no {start!r} line"
    for label in FIGURES:
        assert any(re.match(re.escape(label) + NUMBER, line) for line in lines), f"no figure {label!r}"
    assert "browser figures: skipped (--no-browser)" in lines
