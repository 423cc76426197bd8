"""My progress counts exactly what a learner's files hold, and shows it without errors.

Answers files and check results are written as the course writes them (first answers that
changed later, a damaged file, a missing module folder, a practice exam checked by topic);
the figures, the topics to review and the chart values are compared with numbers worked out
by hand from the item sources. Folders with nothing in them give the kind empty message, and
the released "My progress" notebook runs top to bottom in a real kernel with no error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import error_outputs, execute

from course import check_texts as say
from course.check_results import RESULTS_FILE, record
from course.items import load_module
from course.order import item_order
from course.progress import (
    chart_values,
    competency_progress,
    course_progress,
    my_progress,
    progress_table,
    topics_to_review,
)
from course.selfcheck import Outcome, Part

SLUG = "14-my-progress"
SEED = 4242  # the learner's seed: it draws their practice exam form
FORM = item_order(load_module("exam"), SEED)  # their full-length practice exam


def entry(first: object, value: object) -> dict:
    return {"value": value, "first": first, "changes": 1 if first == value else 2}


def write(folder: Path, module: str, entries: dict[str, dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"format": 1, "module": module, "seed": SEED, "answers": entries}
    (folder / "answers.json").write_text(json.dumps(payload), encoding="utf-8")


def checked(folder: Path, module: str, parts: list[tuple[str, str, float | None, float]]) -> None:
    """A check-results.json written by the same code a real check uses."""
    made = tuple(Part(i, kind, i, earned, possible, "", "") for i, kind, earned, possible in parts)
    outcome = Outcome("checked", "", load_module(module), made, None, "2026-11-20T10:00:00")
    (folder / RESULTS_FILE).write_text(json.dumps(record(outcome)), encoding="utf-8")


def key(items: dict[str, dict], item_id: str, right: bool = True) -> str:
    item = items[item_id]
    return item["answer"] if right else next(k for k in item["options"] if k != item["answer"])


@pytest.fixture()
def learner(tmp_path: Path, sources: dict) -> Path:
    """Module folders as a learner leaves them; returns the folder that holds them."""
    m1 = {i["id"]: i for i in sources["m1"]["items"]}
    write(
        tmp_path / "01-shared-lived-experience",
        "m1",
        {
            "m1.p1": entry(key(m1, "m1.p1"), key(m1, "m1.p1")),
            "m1.p2": entry(key(m1, "m1.p2", False), key(m1, "m1.p2")),  # right only on a later try
            "m1.p3": entry(key(m1, "m1.p3"), key(m1, "m1.p3", False)),  # right first, changed later
            "m1.g1": entry(key(m1, "m1.g1"), key(m1, "m1.g1")),
            "m1.g2": entry(key(m1, "m1.g2", False), key(m1, "m1.g2", False)),
            "m1.r1": entry("My words.", "My words."),
        },
    )
    m1_parts = [("m1.g1", "item", 1.0, 1.0), ("m1.g2", "item", 0.0, 1.0), ("m1.g3", "item", 0.0, 1.0)]
    checked(tmp_path / "01-shared-lived-experience", "m1", [*m1_parts, ("m1.r1", "reflection", None, 3.0)])
    m2 = {i["id"]: i for i in sources["m2"]["items"]}
    folder = tmp_path / "02-building-community"
    write(folder, "m2", {"m2.p1": entry(key(m2, "m2.p1", False), key(m2, "m2.p1")), "m2.p2": entry("b", "b")})
    text = (folder / "answers.json").read_text(encoding="utf-8")
    (folder / "answers.json").write_text(text[: text.index('"m2.p2"')], encoding="utf-8")  # a crash mid-write
    exam = tmp_path / "13-practice-exam"
    write(exam, "exam", {item_id: entry("a", "a") for item_id in FORM[:4]})
    areas = [("crisis-management", 7.0), ("advocacy", 13.0), ("recovery-support", 9.0)]  # out of 15 each
    checked(exam, "exam", [(area, "topic", earned, 15.0) for area, earned in areas])
    (tmp_path / SLUG).mkdir()
    return tmp_path


def questions(module: dict) -> int:
    return sum(1 for i in module["items"] if i["kind"] in ("practice", "graded", "reflection"))


def test_figures_per_module_are_exact(learner: Path, sources: dict) -> None:
    rows = {r.module.id: r for r in course_progress(learner)}
    figures = {
        mid: (r.answered, r.questions, r.practice_tried, r.practice_right_first, r.missed_practice)
        for mid, r in rows.items()
    }
    untouched = {mid: (0, questions(module), 0, 0, ()) for mid, module in sources.items()}
    assert figures == {
        **untouched,
        "m1": (6, questions(sources["m1"]), 3, 2, ("m1.p2",)),
        "m2": (1, questions(sources["m2"]), 1, 0, ("m2.p1",)),  # what survived the damaged file
        "exam": (4, len(FORM), 0, 0, ()),  # this learner's own form of 120
        "short": (0, len(item_order(load_module("short"), SEED)), 0, 0, ()),
    }
    assert (rows["m1"].check["earned"], rows["m1"].check["possible"]) == (1.0, 3.0)
    assert rows["m0"].check is None and not rows["m0"].started


def test_topics_to_review_are_exactly_the_missed_ones(learner: Path, sources: dict) -> None:
    reviews = topics_to_review(course_progress(learner))
    m1 = {i["id"]: i for i in sources["m1"]["items"]}
    m2_topic = next(i["topic"] for i in sources["m2"]["items"] if i["id"] == "m2.p1")
    exam = sources["exam"]
    trust = m1["m1.p2"]["topic"].replace("-", " ").capitalize()
    expected = {
        (m2_topic.replace("-", " ").capitalize(), "02-building-community"): (
            say.REVIEW_PRACTICE.format(label="Practice question 1"),
        ),
        (trust, "01-shared-lived-experience"): (
            say.REVIEW_PRACTICE.format(label="Practice question 2"),
            say.REVIEW_GRADED.format(label="Graded question 2", section=m1["m1.g2"]["review"]),
        ),
    }
    # An exam area under 70 % is worth a review in every module that teaches it.
    for area, earned in (("crisis-management", 7), ("recovery-support", 9)):
        why = (say.REVIEW_EXAM_TOPIC.format(earned=earned, possible=15),)
        for slug in exam["review_module"][area]:
            expected[(exam["topic_names"][area], slug)] = why
    assert m1["m1.g2"]["topic"] == m1["m1.p2"]["topic"], "the fixture puts both misses in one topic"
    assert {(r.topic, r.module.slug): r.why for r in reviews} == expected
    assert len(reviews) == len(expected)
    numbers = [r.module.number for r in reviews]
    assert numbers == sorted(numbers), "topics come in course order"


def test_chart_values_say_what_the_bars_show(learner: Path, sources: dict) -> None:
    rows = course_progress(learner)
    answered, practice, graded = chart_values(rows)
    exam = [r.module.id for r in rows].index("exam")
    m1_questions = questions(sources["m1"])
    assert answered[1] == (100 * 6 / m1_questions, f"6 of {m1_questions}")
    assert practice[1] == (100 * 2 / 3, "2 of 3 tried")
    assert practice[0] == (0.0, say.PROGRESS_NONE_TRIED) and practice[exam] == (0.0, say.PROGRESS_NO_PRACTICE)
    assert graded[1] == (100 / 3, "1 of 3") and graded[exam] == (100 * 29 / 45, "29 of 45")
    assert graded[0] == (0.0, say.PROGRESS_NOT_CHECKED)


def test_each_competency_counts_its_own_questions(learner: Path, sources: dict) -> None:
    """Worked out from the item files: the learner answered six Module 1 questions and one of
    Module 2; they tried four practice questions and got two right the first time."""
    answered = {"m1.p1", "m1.p2", "m1.p3", "m1.g1", "m1.g2", "m1.r1", "m2.p1"}
    tried, missed = {"m1.p1", "m1.p2", "m1.p3", "m2.p1"}, {"m1.p2", "m2.p1"}
    items = [i for m in sources.values() if not m.get("shuffle") for i in m["items"] if i["kind"] != "sort"]
    found = {c.number: c for c in competency_progress(course_progress(learner))}
    assert sorted(found) == list(range(1, 18))
    for number, c in found.items():
        mine = {i["id"] for i in items if number in i.get("competencies", [])}
        assert c.questions == len(mine), number
        assert c.answered == len(mine & answered), number
        assert (c.practice_tried, c.practice_right_first) == (len(mine & tried), len(mine & tried - missed))
        taught = {i["id"].split(".")[0] for i in items if i["id"] in mine}
        assert {m.id for m in c.modules} == taught, number


def test_nothing_answered_gets_a_kind_word_and_no_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / SLUG).mkdir()
    (tmp_path / "03-why-lived-experience-matters").mkdir()  # an empty module folder
    (tmp_path / "05-emotional-support").mkdir()
    (tmp_path / "05-emotional-support" / RESULTS_FILE).write_text("{ damaged", encoding="utf-8")
    rows = course_progress(tmp_path)
    assert [r.answered for r in rows] == [0] * len(rows) and not any(r.started for r in rows)
    assert topics_to_review(rows) == []
    my_progress(tmp_path / SLUG)
    assert capsys.readouterr().out == say.PROGRESS_EMPTY + "\n"


def test_a_hand_edited_check_file_does_not_break_the_table(learner: Path) -> None:
    results = learner / "01-shared-lived-experience" / RESULTS_FILE
    text = results.read_text(encoding="utf-8")
    results.write_text(text.replace("2026-11-20T10:00:00", "last week"), encoding="utf-8")
    assert "<td>1 of 3 (33%), checked ?</td>" in progress_table(course_progress(learner))


def test_the_progress_notebook_is_released_without_graded_cells() -> None:
    for folder in ("solutions", "modules"):
        nb = json.loads((ROOT / folder / SLUG / f"{SLUG}.ipynb").read_text(encoding="utf-8"))
        assert not [c for c in nb["cells"] if "nbgrader" in c["metadata"]], folder
        assert any("my_progress()" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_the_progress_notebook_runs_end_to_end(learner: Path, sources: dict) -> None:
    shutil.copy(ROOT / "modules" / SLUG / f"{SLUG}.ipynb", learner / SLUG)
    nb = execute(learner / SLUG / f"{SLUG}.ipynb")
    assert error_outputs(nb) == []
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert f"<td>6 of {questions(sources['m1'])}</td><td>2 of 3 tried</td>" in html
    assert "<td>1 of 3 (33%), checked 20 November 2026</td>" in html
    assert '<img alt="' in html and "data:image/png;base64," in html
    assert say.PROGRESS_REVIEW_HEADING in html
