"""The README's list of instructor commands works as written, from the course folder.

Each line of the README's instructor block (the ```bash block under "For instructors") is run
as typed, in order, in a copy of this repository with an exchange folder of its own; between
``release_assignment`` and ``collect`` a learner submits Module 1 through that exchange, and
before ``generate_feedback`` their reflection is graded (as in formgrader: feedback waits for
it). Proves: every command succeeds and does what its comment says (the doctor checks the
course, autograde says one line per learner and a summary, feedback is made, the grades
report has the learner's score), with no traceback anywhere.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, module_sources
from helpers import grade_reflections, write_answers

README = (ROOT / "README.md").read_text(encoding="utf-8")
SLUG = "01-shared-lived-experience"
LEARNER = "jupyter-arivera"


def readme_commands() -> list[str]:
    """The instructor block's commands, comments taken off."""
    block = README.split("## For instructors", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


@dataclass
class Ran:
    """The course folder the README's commands ran in, and what each printed."""

    course: Path
    said: dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    base = tmp_path_factory.mktemp("readme-instructor")
    course, exchange, learner = base / "cps-course", base / "exchange", base / "learner"
    exchange.mkdir(mode=0o777)
    # A clone of the course, as an instructor has one: `python -m` runs the clone's own package.
    for part in ("course", "solutions", "modules", "content"):
        shutil.copytree(ROOT / part, course / part, ignore=shutil.ignore_patterns("__pycache__"))
    settings = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(settings + f"\nc.Exchange.root = {str(exchange)!r}\n")
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    m1 = module_sources()["m1"]
    answers = {i["id"]: i["answer"] for i in m1["items"] if i["kind"] == "graded"}
    said: dict[str, subprocess.CompletedProcess[str]] = {}
    for command in readme_commands():
        if command.startswith("nbgrader collect"):  # a learner submits first, through the exchange
            (learner / SLUG).mkdir(parents=True)
            shutil.copy(course / "modules" / SLUG / f"{SLUG}.ipynb", learner / SLUG)
            write_answers(learner / SLUG, "m1", {**answers, "m1.r1": "I would share a little, then ask."})
            submit = ["nbgrader", "submit", SLUG, "--course", "cps-course", f"--Exchange.root={exchange}"]
            submit.append(f"--CourseDirectory.student_id={LEARNER}")
            done = subprocess.run(submit, cwd=learner, env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        if command.startswith("nbgrader generate_feedback"):  # the reflection is graded in formgrader
            grade_reflections(course, SLUG, 2.0, "Thank you.")
        typed = ["bash", "-c", command]
        said[command] = subprocess.run(typed, cwd=course, env=env, capture_output=True, text=True)
    return Ran(course, said)


def test_the_readme_names_the_commands_a_trainer_runs() -> None:
    commands = readme_commands()
    assert commands[:2] == ["python -m course.doctor", f"python -m course.release {SLUG}"]
    assert commands[-1] == "python -m course.grades"
    assert [c.split()[1] for c in commands if c.startswith("nbgrader")] == [
        "release_assignment",
        "collect",
        "autograde",
        "generate_feedback",
        "release_feedback",
    ]


def test_every_command_runs_as_written(ran: Ran) -> None:
    for command, done in ran.said.items():
        assert "Traceback" not in done.stdout + done.stderr, f"{command}:\n{done.stderr[-2000:]}"
        if command != "python -m course.doctor":  # the doctor's status says whether all is well
            assert done.returncode == 0, f"{command}:\n{done.stdout[-1000:]}\n{done.stderr[-2000:]}"


def test_each_command_does_what_its_comment_says(ran: Ran) -> None:
    doctor = ran.said["python -m course.doctor"].stdout
    assert "Checking the course in" in doctor and 'course "cps-course"' in doctor
    autograde = ran.said[f"nbgrader autograde {SLUG}"].stdout
    assert f"[course] {LEARNER}: 7 of 10 points so far; reflection to grade in formgrader" in autograde
    assert "[course] Autograde finished: 1 submission(s) graded from their answers files." in autograde
    made = ran.said[f"nbgrader generate_feedback {SLUG}"].stdout
    assert f"[course] {LEARNER}: feedback made (9 of 10)." in made
    assert (ran.course / "feedback" / LEARNER / SLUG / f"{SLUG}.html").is_file()


def test_the_grades_report_has_the_learners_score(ran: Ran) -> None:
    with (ran.course / "grades-report" / "grades.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    mine = next(r for r in rows if LEARNER in r.values())
    assert any("9" in value for value in mine.values()), mine
