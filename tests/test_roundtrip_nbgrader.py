"""Module 1 through nbgrader's own commands, as a cohort's instructor runs them.

In a temporary course folder: ``generate_assignment`` from solutions/, learners' submissions
(answers files of every kind, a deleted and an edited graded cell), one ``autograde`` for
all of them, ``generate_feedback`` and ``export``. Proves that clicked answers are graded
exactly, that broken submissions are graded rather than crashing the run, that the messages
learners get are the kind ones, and that no answer key reaches their feedback.
"""

from __future__ import annotations

import csv
import html
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from helpers import error_outputs, write_answers
from nbgrader.api import Gradebook

SLUG = "01-shared-lived-experience"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["nbgrader", *args], cwd=course, capture_output=True, text=True, check=True)


def graded(m1: dict) -> list[dict]:
    return [i for i in m1["items"] if i["kind"] == "graded"]


def wrong_key(item: dict) -> str:
    return next(k for k in item["options"] if k != item["answer"])


def submissions(m1: dict) -> dict[str, dict]:
    """Each learner's answers, and the notebook change they made, with the score they earn."""
    items = graded(m1)
    everything = {i["id"]: i["answer"] for i in items}
    half = len(items) // 2
    reflection = next(i["id"] for i in m1["items"] if i["kind"] == "reflection")
    return {
        "all_right": {
            "answers": {**everything, reflection: "I would share a little and ask about them."},
            "score": sum(i["points"] for i in items),
        },
        "nothing": {"answers": None, "score": 0},
        "half_right": {
            "answers": {i["id"]: (i["answer"] if n < half else wrong_key(i)) for n, i in enumerate(items)},
            "score": sum(i["points"] for i in items[:half]),
        },
        "corrupt": {"answers": "truncated", "score": sum(i["points"] for i in items[:2])},
        "other_module": {"answers": "m2", "score": 0},
        "unknown_option": {
            "answers": {**everything, items[0]["id"]: "z"},
            "score": sum(i["points"] for i in items[1:]),
        },
        "deleted_cell": {
            "answers": everything,
            "delete": items[2]["id"],
            "score": sum(i["points"] for i in items),
        },
        "edited_cell": {
            "answers": everything,
            "edit": items[1]["id"],
            "score": sum(i["points"] for i in items),
        },
    }


def submit(course: Path, student: str, plan: dict, m1: dict) -> None:
    folder = course / "submitted" / student / SLUG
    folder.mkdir(parents=True)
    nb = nbformat.read(str(course / "modules" / SLUG / f"{SLUG}.ipynb"), as_version=4)
    grade_id = lambda cell: cell.metadata.get("nbgrader", {}).get("grade_id")  # noqa: E731
    if "delete" in plan:
        nb.cells = [c for c in nb.cells if grade_id(c) != plan["delete"].replace(".", "-")]
    if "edit" in plan:
        for cell in nb.cells:
            if grade_id(cell) == plan["edit"].replace(".", "-"):
                cell.source = "print('I changed this cell')\n1"
    nbformat.write(nb, str(folder / f"{SLUG}.ipynb"))
    answers = plan["answers"]
    if isinstance(answers, dict):
        write_answers(folder, "m1", answers)
    elif answers == "truncated":
        first_two = {i["id"]: i["answer"] for i in graded(m1)[:2]}
        text = json.dumps(
            {
                "format": 1,
                "module": "m1",
                "answers": {**{k: {"value": v} for k, v in first_two.items()}, "m1.g9": {"value": "a"}},
            }
        )
        (folder / "answers.json").write_text(text[: text.rindex("m1.g9") + 12], encoding="utf-8")
    elif answers == "m2":
        write_answers(folder, "m2", {"m2.g1": "a"})


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory, m1: dict) -> tuple[Path, dict]:
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    plans = submissions(m1)
    for student, plan in plans.items():
        submit(course, student, plan, m1)
    nbgrader(course, "autograde", SLUG)
    nbgrader(course, "generate_feedback", SLUG)
    nbgrader(course, "export")
    return course, plans


def test_generate_assignment_makes_the_committed_learner_notebook(cohort: tuple[Path, dict]) -> None:
    course, _ = cohort
    made = json.loads((course / "modules" / SLUG / f"{SLUG}.ipynb").read_text())
    committed = json.loads((ROOT / "modules" / SLUG / f"{SLUG}.ipynb").read_text())
    assert made == committed


def test_every_submission_gets_exactly_its_score(cohort: tuple[Path, dict]) -> None:
    course, plans = cohort
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(SLUG, s).score for s in plans}
    assert scores == {s: float(p["score"]) for s, p in plans.items()}


def test_export_agrees_with_the_gradebook(cohort: tuple[Path, dict]) -> None:
    course, plans = cohort
    with open(course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}
    assert rows == {s: float(p["score"]) for s, p in plans.items()}


def feedback(course: Path, student: str) -> str:
    """The feedback page's text as a learner reads it (HTML entities decoded)."""
    return html.unescape((course / "feedback" / student / SLUG / f"{SLUG}.html").read_text(encoding="utf-8"))


def test_blank_submission_feedback_says_kindly_what_was_missed(cohort: tuple[Path, dict], m1: dict) -> None:
    course, _ = cohort
    page = feedback(course, "nothing")
    for item in graded(m1):
        number = int(item["id"].split(".g")[1])
        assert f"you did not answer question {number}." in page


def test_no_submission_shows_an_error_or_traceback(cohort: tuple[Path, dict]) -> None:
    course, plans = cohort
    for student in plans:
        nb = nbformat.read(str(course / "autograded" / student / SLUG / f"{SLUG}.ipynb"), as_version=4)
        assert error_outputs(nb) == [], student


def test_broken_answers_files_are_explained_not_crashed(cohort: tuple[Path, dict]) -> None:
    course, _ = cohort
    assert "answers.json was damaged" in feedback(course, "corrupt")
    assert "we kept the 2 answer(s) we could read" in feedback(course, "corrupt")
    assert "answers.json was made for Module 2, not Module 1." in feedback(course, "other_module")
    assert "is not one of the choices, so it could not be scored" in feedback(course, "unknown_option")


def test_deleted_graded_cell_is_put_back(cohort: tuple[Path, dict], m1: dict) -> None:
    course, _plans = cohort
    page = feedback(course, "deleted_cell")
    assert "was missing from the submission" in page
    assert page.count(": correct.") == len(graded(m1))


def test_feedback_shows_no_answer_key(cohort: tuple[Path, dict], m1: dict) -> None:
    course, plans = cohort
    explanations = [o["feedback"] for i in graded(m1) for o in i["options"].values()]
    for student in plans:
        page = feedback(course, student)
        assert "score(" not in page and "HIDDEN TESTS" not in page and "MARK SCHEME" not in page
        leaked = [text for text in explanations if text in page]
        assert not leaked, f"{student}'s feedback shows graded explanations: {leaked[:1]}"


def test_autograde_never_writes_to_submitted_answers(cohort: tuple[Path, dict]) -> None:
    course, _ = cohort
    submitted = (course / "submitted" / "corrupt" / SLUG / "answers.json").read_bytes()
    autograded = (course / "autograded" / "corrupt" / SLUG / "answers.json").read_bytes()
    assert submitted == autograded
    assert not list((course / "autograded" / "corrupt" / SLUG).glob("answers.damaged-*"))
