"""Every module, the practice exam included, through nbgrader's own converters.

One temporary course; for each assignment three learners submit: one with every graded item
right, one with exactly the first half right (by the learner's own order in the exam), and
one with a seeded mix of right, wrong, unknown and blank answers. After one ``autograde`` per
assignment, the gradebook holds exactly the expected scores, the exam's feedback carries its
chart by topic and names the modules to review, and Check my work on the same answers gives
exactly the gradebook's points on every graded cell of every module.
"""

from __future__ import annotations

import html
import random
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, module_sources
from helpers import error_outputs, nbgrader_api, succeeded, write_answers
from nbgrader.api import Gradebook

from course.contract import item_cell, topic_cell
from course.items import load_module
from course.order import item_order
from course.selfcheck import check
from course.store import seed_for

MODULES = module_sources()
EXAM = MODULES["exam"]["slug"]


def graded(module: dict) -> list[dict]:
    return [i for i in module["items"] if i["kind"] == "graded"]


def asked(module: dict, student: str) -> list[dict]:
    """The graded items this learner meets: all of a module's, or their own practice exam form,
    drawn from their seed, in their order."""
    if not module.get("draw"):
        return graded(module)
    by_id = {i["id"]: i for i in graded(module)}
    return [by_id[i] for i in item_order(load_module(module["module"]), seed_for(student))]


def mixed(items: list[dict], seed: str) -> tuple[dict[str, str], float]:
    """A seeded mix of right, wrong, unknown ("z") and blank answers, and what it earns."""
    pick = random.Random(seed)
    answers, earned = {}, 0.0
    for item in items:
        kind = pick.choice(["right", "wrong", "unknown", "blank"])
        if kind == "right":
            answers[item["id"]], earned = item["answer"], earned + item["points"]
        elif kind == "wrong":
            answers[item["id"]] = pick.choice([k for k in item["options"] if k != item["answer"]])
        elif kind == "unknown":
            answers[item["id"]] = "z"
    return answers, earned


def plans(module: dict) -> dict[str, tuple[dict[str, str], float]]:
    """Per learner, their answers and the points they earn (the first half right: of their own
    order, in a practice exam)."""
    out = {"mixed": mixed(asked(module, "mixed"), module["module"])}
    items = asked(module, "all_right")
    out["all_right"] = ({i["id"]: i["answer"] for i in items}, float(sum(i["points"] for i in items)))
    items = asked(module, "half_right")
    half = items[: len(items) // 2]
    wrong = {i["id"]: next(k for k in i["options"] if k != i["answer"]) for i in items}
    earned = float(sum(i["points"] for i in half))
    out["half_right"] = ({**wrong, **{i["id"]: i["answer"] for i in half}}, earned)
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", root / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    api = nbgrader_api(root)
    for module in MODULES.values():
        slug = module["slug"]
        succeeded(api.generate_assignment(slug, force=True))
        for student, (answers, _) in plans(module).items():
            folder = root / "submitted" / student / slug
            folder.mkdir(parents=True)
            shutil.copy(root / "modules" / slug / f"{slug}.ipynb", folder)
            write_answers(folder, module["module"], answers, seed_for(student))
            succeeded(api.autograde(slug, student, force=True, create=True))
    for student in ("all_right", "half_right"):
        succeeded(api.generate_feedback(EXAM, student, force=True))
    return root


@pytest.mark.parametrize("mid", list(MODULES))
def test_module_scores_are_exact(course: Path, mid: str) -> None:
    module = MODULES[mid]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, (_, expected) in plans(module).items():
            assert gb.find_submission(module["slug"], student).score == expected, student
            autograded = course / "autograded" / student / module["slug"] / f"{module['slug']}.ipynb"
            assert error_outputs(nbformat.read(str(autograded), as_version=4)) == []


def test_exam_is_scored_by_area_in_the_gradebook(course: Path) -> None:
    """One graded cell per area, worth 15 points, counting only the learner's own 15 items."""
    exam = MODULES["exam"]
    answers, _ = plans(exam)["half_right"]
    mine = asked(exam, "half_right")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for area in exam["topics"]:
            right = sum(1 for i in mine if i["topic"] == area and answers[i["id"]] == i["answer"])
            grade = gb.find_grade(f"exam-{area}", EXAM, EXAM, "half_right")
            assert (grade.score, grade.max_score) == (right, 15), area


def feedback(course: Path, student: str) -> str:
    page = course / "feedback" / student / EXAM / f"{EXAM}.html"
    return " ".join(html.unescape(page.read_text(encoding="utf-8")).split())


def test_exam_feedback_has_a_chart_and_modules_to_review(course: Path) -> None:
    page = feedback(course, "half_right")
    assert "data:image/png;base64" in page
    assert "Worth a review: Module" in page
    full = feedback(course, "all_right")
    assert "Worth a review" not in full and full.count("15 of 15 right.") == 8


def test_exam_feedback_numbers_questions_in_the_learners_own_order(course: Path) -> None:
    nb = nbformat.read(str(course / "autograded" / "all_right" / EXAM / f"{EXAM}.ipynb"), 4)
    questions = next(c for c in nb.cells if "ask_all(" in c.source)
    shown = "".join(o.get("text", "") for o in questions.outputs)
    order = [line.split("(")[1].split(")")[0] for line in shown.splitlines() if line.startswith("Question ")]
    mine = [i["id"] for i in asked(MODULES["exam"], "all_right")]
    assert order == mine, "their own form, in their own order"
    assert len(order) == 120 and order != sorted(order)


@pytest.mark.parametrize("mid", list(MODULES))
def test_check_my_work_gives_the_gradebooks_points_on_every_cell(
    course: Path, mid: str, tmp_path: Path
) -> None:
    module = MODULES[mid]
    slug = module["slug"]
    shutil.copytree(course / "solutions", tmp_path / "solutions")
    for student, (answers, _) in plans(module).items():
        folder = tmp_path / student / "modules" / slug
        shutil.copytree(ROOT / "modules" / slug, folder)
        write_answers(folder, mid, answers, seed_for(student))
        outcome = check(folder, solutions=tmp_path / "solutions")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            grades = {g.name: g.score for g in gb.find_submission_notebook(slug, slug, student).grades}
        checked = {
            (topic_cell(mid, p.id) if p.kind == "topic" else item_cell(p.id)): p.earned
            for p in outcome.parts
            if p.earned is not None
        }
        assert checked == {name: score for name, score in grades.items() if name in checked}, student
        assert set(grades) - set(checked) == {n for n in grades if n.endswith("-grade")}, student
        # Item by item (the exam's cells hold a topic each): the same sentence for every item.
        autograded = nbformat.read(str(course / "autograded" / student / slug / f"{slug}.ipynb"), 4)
        said = {
            cell.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") for o in cell.outputs)
            for cell in autograded.cells
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code"
        }
        for part in outcome.parts:
            if part.earned is None:
                continue
            cell = topic_cell(mid, part.id) if part.kind == "topic" else item_cell(part.id)
            # A module's graded cell shows the question first; the marking sentences end it.
            assert " ".join(said[cell].split()).endswith(" ".join(part.feedback.split())), (student, cell)
