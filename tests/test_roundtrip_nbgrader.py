"""Module 1 through nbgrader's own commands, with learners who try to game the grader.

In a temporary course folder: ``generate_assignment`` from solutions/, a cohort of
submissions, ONE ``nbgrader autograde`` for all of them, ``generate_feedback`` and ``export``.
One learner goes through the real exchange (``release_assignment``, ``submit`` with no
notebook, ``collect``). Every learner except the honest ones holds the same answers file:
2 of the 7 graded questions right. Each edits their notebook in another way: code that
replaces the scoring function, hides the hidden cell's result, fakes ``course.grading``,
hooks every cell to print the hidden keys, reads solutions/ and the gradebook, a
``<script>`` in markdown and a JavaScript output, a duplicated graded cell, renamed grade
ids, an unlocked graded cell turned into markdown, a notebook that is not JSON, a renamed
notebook, and no notebook at all.

Proves: every submission scores exactly what its answers.json earns (gradebook and export
agree); no autograded notebook or feedback page holds a key, a graded explanation, the
attack's output or the learner's script; answers files are never written; kind messages.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from helpers import error_outputs, grade_reflections, write_answers
from nbgrader.api import Gradebook

from course.cohort_hooks import OVERRIDE

SLUG = "01-shared-lived-experience"
MARK = "PWNED-7f3a"  # what every attack tries to get into a page

ATTACK_CODE = {
    "replace_score": "import course.grading as g\ng.score = lambda *a: 1.0\nprint('" + MARK + "')",
    "hide_results": "get_ipython().ast_node_interactivity = 'none'\nprint('" + MARK + "')",
    "fake_module": (
        "import builtins, types\nreal = builtins.__import__\n"
        "fake = types.ModuleType('course.grading'); fake.score = lambda *a: 1.0\n"
        "def imp(name, *a, **k):\n    return fake if name == 'course.grading' else real(name, *a, **k)\n"
        "builtins.__import__ = imp\nprint('" + MARK + "')"
    ),
    "hook_prints_keys": (
        "get_ipython().events.register('pre_run_cell', lambda info: print('" + MARK + "', info.raw_cell))"
    ),
    "reads_keys": (
        "import glob\nfor p in glob.glob('../../../solutions/*/*.ipynb')"
        " + glob.glob('../../../gradebook.db'):\n"
        "    print('" + MARK + "', open(p, errors='replace').read()[:100000])"
    ),
    "javascript_output": "from IPython.display import Javascript, display\ndisplay(Javascript('window.x=1'))",
}


# What generate_feedback said at each step of the cohort fixture, for the feedback-guard test.
FEEDBACK_RUNS: dict[str, str] = {}
REFLECTION_COMMENT = "Thank you for these thoughtful words."


def nbgrader(where: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["nbgrader", *args], cwd=where, capture_output=True, text=True, check=True)


def graded(m1: dict) -> list[dict]:
    return [i for i in m1["items"] if i["kind"] == "graded"]


def wrong_key(item: dict) -> str:
    return next(k for k in item["options"] if k != item["answer"])


def two_right(m1: dict) -> dict[str, str]:
    return {i["id"]: (i["answer"] if n < 2 else wrong_key(i)) for n, i in enumerate(graded(m1))}


def grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def released(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(course / "modules" / SLUG / f"{SLUG}.ipynb"), as_version=4)


def attacked(nb: nbformat.NotebookNode, attack: str) -> nbformat.NotebookNode | str | None:
    """The learner's notebook after their change (a str: raw file text; None: no notebook)."""
    first_graded = next(n for n, c in enumerate(nb.cells) if grade_id(c))
    if attack in ATTACK_CODE:
        nb.cells.insert(first_graded, nbformat.v4.new_code_cell(ATTACK_CODE[attack]))
        if attack == "javascript_output":
            nb.cells[first_graded].outputs = [
                nbformat.v4.new_output(
                    "display_data", data={"application/javascript": f"document.title='{MARK}'"}
                ),
                nbformat.v4.new_output("display_data", data={"text/html": f"<script>'{MARK}'</script>"}),
            ]
    elif attack == "script_markdown":
        script = f"<script>document.title='{MARK}'</script>"
        nb.cells.insert(first_graded, nbformat.v4.new_markdown_cell(script))
    elif attack == "duplicated_cell":
        nb.cells.insert(first_graded, nbformat.from_dict(json.loads(json.dumps(nb.cells[first_graded]))))
    elif attack == "renamed_ids":
        for cell in nb.cells:
            if grade_id(cell):
                cell.metadata.nbgrader["grade_id"] += "-x"
    elif attack == "unlocked_converted":
        cell = nb.cells[first_graded]
        cell.metadata.nbgrader["locked"] = False
        nb.cells[first_graded] = nbformat.v4.new_markdown_cell("1.0", metadata=cell.metadata)
    elif attack == "not_json":
        return "{this is not a notebook"
    elif attack == "no_notebook":
        return None
    return nb


PLANS = [
    *ATTACK_CODE,
    "script_markdown",
    "duplicated_cell",
    "renamed_ids",
    "unlocked_converted",
    "not_json",
    "renamed_notebook",
]


def place(folder: Path, nb: nbformat.NotebookNode | str | None, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, str):
        (folder / name).write_text(nb, encoding="utf-8")
    elif nb is not None:
        nbformat.write(nb, str(folder / name))


def broken_answers_files(m1: dict) -> list[tuple[str, str, float]]:
    """(learner, answers file text, score): a truncated file, another module's, an unknown option."""
    first_two = {i["id"]: {"value": i["answer"]} for i in graded(m1)[:2]}
    text = json.dumps({"format": 1, "module": "m1", "answers": {**first_two, "m1.g9": {"value": "a"}}})
    other = json.dumps({"format": 1, "module": "m2", "answers": {"m2.g1": {"value": "a"}}})
    answers = {i["id"]: {"value": i["answer"]} for i in graded(m1)} | {graded(m1)[0]["id"]: {"value": "z"}}
    unknown = json.dumps({"format": 1, "module": "m1", "answers": answers})
    points = [float(i["points"]) for i in graded(m1)]
    return [
        ("corrupt", text[: text.rindex("m1.g9") + 12], sum(points[:2])),
        ("other_module", other, 0.0),
        ("unknown_option", unknown, sum(points[1:])),
    ]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory, m1: dict) -> tuple[Path, dict[str, float]]:
    course = tmp_path_factory.mktemp("course")
    exchange = tmp_path_factory.mktemp("exchange")
    exchange.chmod(0o777)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    (course / "nbgrader_config.py").write_text(
        (ROOT / "nbgrader_config.py").read_text() + f"\nc.Exchange.root = {str(exchange)!r}\n"
    )
    nbgrader(course, "generate_assignment", SLUG, "--force")
    everything = {i["id"]: i["answer"] for i in graded(m1)}
    full = float(sum(i["points"] for i in graded(m1)))
    expected: dict[str, float] = {"honest": full, "honest_blank": 0.0}
    place(course / "submitted" / "honest" / SLUG, released(course), f"{SLUG}.ipynb")
    write_answers(course / "submitted" / "honest" / SLUG, "m1", {**everything, "m1.r1": "I share a little."})
    place(course / "submitted" / "honest_blank" / SLUG, released(course), f"{SLUG}.ipynb")
    for plan in PLANS:
        folder = course / "submitted" / plan / SLUG
        name = f"{SLUG}-Copy1.ipynb" if plan == "renamed_notebook" else f"{SLUG}.ipynb"
        place(folder, attacked(released(course), plan), name)
        write_answers(folder, "m1", two_right(m1))
        expected[plan] = 2.0
    for student, text, score in broken_answers_files(m1):
        place(course / "submitted" / student / SLUG, released(course), f"{SLUG}.ipynb")
        (course / "submitted" / student / SLUG / "answers.json").write_text(text, encoding="utf-8")
        expected[student] = score
    # The learner whose notebook is gone submits through the real exchange.
    nbgrader(course, "release_assignment", SLUG)
    learner = tmp_path_factory.mktemp("learner")
    (learner / SLUG).mkdir()
    write_answers(learner / SLUG, "m1", two_right(m1))
    nbgrader(
        learner, "submit", SLUG, "--course", "cps-course", f"--Exchange.root={exchange}",
        "--CourseDirectory.student_id=no_notebook",
    )
    nbgrader(course, "collect", SLUG)
    expected["no_notebook"] = 2.0
    nbgrader(course, "autograde", SLUG)
    # Feedback waits for hand grading: first nobody's reflection is graded, then all but one.
    before = ["generate_feedback", SLUG, "--student", "honest"]  # one learner: a whole run costs 20 s
    FEEDBACK_RUNS["before grading"] = nbgrader(course, *before).stdout
    FEEDBACK_RUNS["pages before grading"] = str(len(list((course / "feedback").rglob("*.html"))))
    grade_reflections(course, SLUG, 0.0, REFLECTION_COMMENT, only=set(expected) - {"honest_blank"})
    FEEDBACK_RUNS["after grading"] = nbgrader(course, "generate_feedback", SLUG).stdout
    FEEDBACK_RUNS["held page"] = str((course / "feedback" / "honest_blank" / SLUG / f"{SLUG}.html").exists())
    # The trainer's way to send it anyway (docs/instructors/running-a-cohort.md).
    env = {**os.environ, OVERRIDE: "yes"}
    subprocess.run(
        ["nbgrader", "generate_feedback", SLUG, "--student", "honest_blank"], cwd=course, env=env, check=True
    )
    nbgrader(course, "export")
    return course, expected


def test_feedback_waits_until_the_reflection_is_graded(cohort: tuple[Path, dict]) -> None:
    """No learner reads "0 points" for a reflection nobody has read: generate_feedback makes no
    page for them and says so; once the reflection is graded, the page shows the points and the
    instructor's comment; FEEDBACK_BEFORE_HAND_GRADING=yes sends one anyway."""
    course, expected = cohort
    assert FEEDBACK_RUNS["pages before grading"] == "0", FEEDBACK_RUNS["before grading"]
    held = "[course] honest: no feedback yet; their reflection still needs grading."
    assert held in FEEDBACK_RUNS["before grading"]
    after = FEEDBACK_RUNS["after grading"]
    assert "[course] honest_blank: no feedback yet" in after and FEEDBACK_RUNS["held page"] == "False"
    assert f"Feedback made for {len(expected) - 1} learner(s)." in after
    page = pages(course, "honest")["feedback"]
    assert REFLECTION_COMMENT in page and "Reflection 1: 0 of 3" in page
    assert "Reflection 1: not graded yet" in pages(course, "honest_blank")["feedback"]


def test_generate_assignment_makes_the_committed_learner_notebook(cohort: tuple[Path, dict]) -> None:
    course, _ = cohort
    made = json.loads((course / "modules" / SLUG / f"{SLUG}.ipynb").read_text())
    committed = json.loads((ROOT / "modules" / SLUG / f"{SLUG}.ipynb").read_text())
    assert made == committed


def test_every_submission_scores_what_its_answers_earn(cohort: tuple[Path, dict]) -> None:
    course, expected = cohort
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(SLUG, s).score for s in expected}
    assert scores == expected


def test_export_agrees_with_the_gradebook(cohort: tuple[Path, dict]) -> None:
    course, expected = cohort
    with open(course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}
    assert rows == expected


def pages(course: Path, student: str) -> dict[str, str]:
    """The learner's feedback page (entities decoded) and the autograded notebook, as text."""
    notebook = course / "autograded" / student / SLUG / f"{SLUG}.ipynb"
    page = course / "feedback" / student / SLUG / f"{SLUG}.html"
    return {
        "autograded": notebook.read_text(encoding="utf-8"),
        # Words as a reader meets them: long lines are wrapped on the page.
        "feedback": " ".join(html.unescape(page.read_text(encoding="utf-8")).split()),
    }


def test_no_page_holds_a_key_an_attack_or_a_script(cohort: tuple[Path, dict], m1: dict) -> None:
    course, expected = cohort
    keys = [f'score("{i["id"]}", "{i["answer"]}")' for i in graded(m1)]
    explanations = [o["feedback"] for i in graded(m1) for o in i["options"].values()]
    for student in expected:
        for kind, text in pages(course, student).items():
            where = f"{student}'s {kind}"
            assert MARK not in text, f"{where} holds the attack's output or script"
            assert not [k for k in keys if k in text], f"{where} holds an answer key"
            assert "HIDDEN TESTS" not in text, where
            # The rubric stays in the instructor's copy (formgrader shows it beside the reflection).
            assert kind == "autograded" or "MARK SCHEME" not in text, where
            assert not [e for e in explanations if e in text], f"{where} holds a graded explanation"
            assert "application/javascript" not in text, where


def test_blank_submission_feedback_says_kindly_what_was_missed(cohort: tuple[Path, dict], m1: dict) -> None:
    course, _ = cohort
    page = pages(course, "honest_blank")["feedback"]
    for item in graded(m1):
        number = int(item["id"].split(".g")[1])
        assert f"you did not answer question {number}." in page


def test_feedback_shows_the_learners_answers_and_reflection(cohort: tuple[Path, dict]) -> None:
    course, _ = cohort
    page = pages(course, "honest")["feedback"]
    assert "I share a little." in page
    assert page.count(": correct.") == 7


def test_broken_answers_files_are_explained_not_crashed(cohort: tuple[Path, dict]) -> None:
    course, _ = cohort
    assert "answers.json was damaged" in pages(course, "corrupt")["feedback"]
    assert "we kept the 2 answer(s) we could read" in pages(course, "corrupt")["feedback"]
    other, unknown = pages(course, "other_module")["feedback"], pages(course, "unknown_option")["feedback"]
    assert "answers.json was made for Module 2, not Module 1." in other
    assert "is not one of the choices, so it could not be scored" in unknown


def test_no_autograded_notebook_shows_an_error(cohort: tuple[Path, dict]) -> None:
    course, expected = cohort
    for student in expected:
        nb = nbformat.read(str(course / "autograded" / student / SLUG / f"{SLUG}.ipynb"), as_version=4)
        assert error_outputs(nb) == [], student


def test_autograde_never_writes_to_answers(cohort: tuple[Path, dict]) -> None:
    course, _ = cohort
    submitted = (course / "submitted" / "not_json" / SLUG / "answers.json").read_bytes()
    autograded = (course / "autograded" / "not_json" / SLUG / "answers.json").read_bytes()
    assert submitted == autograded
    assert not list((course / "autograded" / "not_json" / SLUG).glob("answers.damaged-*"))


def test_feedback_pages_load_nothing_from_outside(cohort: tuple[Path, dict]) -> None:
    """A page may link to sources, but fetch nothing (scripts, styles, images) from elsewhere."""
    course, expected = cohort
    fetching = re.compile(r"<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.I)
    for student in expected:
        page = (course / "feedback" / student / SLUG / f"{SLUG}.html").read_text(encoding="utf-8")
        assert not fetching.findall(page), f"{student}'s feedback fetches {fetching.findall(page)[:2]}"
