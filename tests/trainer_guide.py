"""The trainer's guide to the check and the grades, as the tests type it.

``docs/instructors/checks-and-grades.md`` gives a trainer a handful of commands in ``bash``
blocks. Each one is run by a test exactly as written, in a shell whose home folder holds the
test's course at ``~/cps-course``: the doctor's in ``test_doctor.py``, the grades' in
``test_grades_report.py``. ``test_the_guide_gives_only_commands_the_tests_run`` holds the
guide to that list, so a command added to the guide without a test fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from conftest import ROOT

GUIDE = ROOT / "docs" / "instructors" / "checks-and-grades.md"
GO_TO_COURSE = "cd ~/cps-course"
DOCTOR = "python -m course.doctor"
DOCTOR_LEARNER = "python -m course.doctor --learner jupyter-arivera"
SET_ZONE = (
    "mkdir -p ~/.jupyter && echo 'c.NbGraderAPI.timezone = \"America/Chicago\"' "
    ">> ~/.jupyter/nbgrader_config.py"
)
ADD_LEARNER = (
    "nbgrader db student add jupyter-lnguyen --first-name=Linh --last-name=Nguyen --email=lnguyen@example.org"
)
GRADES = "python -m course.grades"
GUIDE_LEARNER = "jupyter-arivera"  # the learner whose saves the guide checks
GUIDE_LEARNER_ADDED = "jupyter-lnguyen"  # the learner the guide adds to the gradebook (another name,
# so the two test files, which may run at once, never see each other's learner)


def trainer_folders(prefix: str) -> tuple[Path, Path, Path]:
    """(base, home, exchange) for a test's trainer: a base others may enter (0755), in /tmp but
    not named like the course's own folders, a home in it, and an exchange everyone may write."""
    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    base.chmod(0o755)
    home, exchange = base / "home", base / "exchange"
    home.mkdir()
    exchange.mkdir()
    exchange.chmod(0o777)
    return base, home, exchange


def guide_commands() -> list[str]:
    """Every line of every ``bash`` block of the guide, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    return [
        line for block in re.findall(r"```bash\n(.*?)```", text, re.S) for line in block.splitlines() if line
    ]


def trainer_env(home: Path) -> dict[str, str]:
    """A trainer's terminal: this venv's tools first, this checkout's course package, their home.

    Nothing of the test runner's Jupyter or nbgrader settings leaks in: ~ is the test's home.
    The trainer's own settings (~/.jupyter) come before the Python environment's, as on a hub,
    where the environment belongs to root; Jupyter would put this root-owned venv's first.
    """
    env = {
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        ),
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "USER": "root",
        "JUPYTER_PREFER_ENV_PATH": "0",
    }
    return env


def type_in_terminal(
    home: Path, *commands: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Type the commands, one line each, in a bash shell opened in ``home``; stop at the first failure."""
    script = "\n".join(["set -e", *commands])
    return subprocess.run(
        ["bash", "-c", script],
        cwd=home,
        env={**trainer_env(home), **(extra or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def course_clone(home: Path, modules: Iterable[str]) -> Path:
    """A trainer's clone of the course at ``~/cps-course``, cut down to some modules: the course
    package (so ``python -m course.release`` run there works on this copy, as in a real clone),
    those modules' solutions, the settings and ``docs/deploy``."""
    course = home / "cps-course"
    shutil.copytree(ROOT / "course", course / "course", ignore=shutil.ignore_patterns("__pycache__"))
    for module in modules:
        shutil.copytree(ROOT / "solutions" / module, course / "solutions" / module)
    shutil.copytree(ROOT / "docs" / "deploy", course / "docs" / "deploy")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    return course
