"""nbgrader's Validate (the learner's button; here its command) says what it checks.

A learner's copy holds no keys, so Validate cannot grade; without the course's words it
would say "Success! Your notebook passes all the tests" for a notebook that scores 4 of 7.
Proves, with the real ``nbgrader validate`` on a released Module 1 and its answers file:
every question answered (4 right) gets "What Validate checked: 7 of 7 …" and never "passes
all the tests"; an unanswered question is named; the answers file is not written.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import ROOT
from helpers import write_answers

from course import texts

SLUG = "01-shared-lived-experience"


def validate(folder: Path) -> str:
    done = subprocess.run(
        ["nbgrader", "validate", f"{SLUG}.ipynb"], cwd=folder, capture_output=True, text=True, timeout=300
    )
    return done.stdout + done.stderr


def test_validate_never_claims_all_tests_pass(tmp_path: Path, m1: dict) -> None:
    folder = tmp_path / SLUG
    shutil.copytree(ROOT / "modules" / SLUG, folder)
    graded = [i for i in m1["items"] if i["kind"] == "graded"]
    four_right = {
        i["id"]: (i["answer"] if n < 4 else next(k for k in i["options"] if k != i["answer"]))
        for n, i in enumerate(graded)
    }
    answers = write_answers(folder, "m1", four_right)
    before = answers.read_bytes()
    said = " ".join(validate(folder).split())
    assert "passes all the tests" not in said
    assert texts.VALIDATE_CHECKED.format(answered=7, total=7)[:60] in said
    assert answers.read_bytes() == before

    write_answers(folder, "m1", {k: v for k, v in four_right.items() if k != graded[-1]["id"]})
    said = " ".join(validate(folder).split())
    assert texts.VALIDATE_UNANSWERED.format(label="Graded question 7") in said
    assert "passes all the tests" not in said
