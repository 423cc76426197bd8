"""Item analysis gives instructors the right numbers, for cohorts of 0, 1, 4 and 100 learners.

The statistics are checked on generated cohorts whose answers are built to known figures:
difficulty exactly k/N, discrimination equal to numpy's correlation of the item with the rest
score (computed here, independently), its sign set by who answers right (top or bottom
scorers), option counts and flags exactly. Then a small cohort goes through real nbgrader
(``generate_assignment`` and ``autograde`` of Module 1 in a temporary course) and is analysed
from the gradebook: by the function, by the command line and by the instructor notebook,
with a tampered answers file caught, and nobody-graded-yet reported as an empty report.
"""

from __future__ import annotations

import csv
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import ROOT
from helpers import error_outputs, execute, outputs_text, write_answers
from nbgrader.api import Gradebook

from course import item_analysis as ia

SLUG = "01-shared-lived-experience"
ITEMS = ROOT / "content" / "items"


def key(item_id: str, answer: str, options: str = "abcd") -> ia.Key:
    return ia.Key(item_id, "t", "stem", tuple(options), answer, 1.0, item_id.replace(".", "-"))


def expected_discrimination(keys: list[ia.Key], responses: dict[str, dict], item_id: str) -> float:
    """numpy's Pearson correlation of the item's 0/1 with the score on the other items."""
    students = sorted(responses)
    marks = {k.id: np.array([responses[s].get(k.id) == k.answer for s in students], float) for k in keys}
    rest = sum(marks[k.id] for k in keys if k.id != item_id)
    return float(np.corrcoef(marks[item_id], rest)[0, 1])


# ---------------------------------------------------------------- 100 generated learners

N = 100
ANCHORS = [key(f"x.a{j}", "a") for j in range(1, 5)]
TOP = key("x.top", "a")  # right for the 40 strongest learners
BOTTOM = key("x.bottom", "b")  # right for the 20 weakest only
EXACT = key("x.exact", "c")  # right for exactly 37: the 37 highest-numbered learners
EASY = key("x.easy", "d")  # right for 97; three of the weakest leave it blank
ALL = key("x.all", "a", "abc")  # everyone right
HUNDRED_KEYS = [*ANCHORS, TOP, BOTTOM, EXACT, EASY, ALL]


def hundred() -> dict[str, dict[str, str | None]]:
    """Learner i has strength i // 20 (0..4) and answers anchor j right iff strength >= j."""
    cohort = {}
    for i in range(N):
        strength = i // 20
        answers: dict[str, str | None] = {}
        for j, anchor in enumerate(ANCHORS, start=1):
            answers[anchor.id] = "a" if strength >= j else "bcd"[i % 3]
        answers[TOP.id] = "a" if strength >= 3 else "bc"[i % 2]  # nobody chooses d
        answers[BOTTOM.id] = "b" if strength == 0 else "acd"[i % 3]
        answers[EXACT.id] = "c" if i >= N - 37 else ("z" if i % 10 == 0 else "abd"[i % 3])
        answers[EASY.id] = None if i in (1, 2, 3) else "d"
        answers[ALL.id] = "a"
        cohort[f"s{i:03d}"] = answers
    return cohort


@pytest.fixture(scope="module")
def stats100() -> dict[str, ia.ItemStats]:
    return {s.key.id: s for s in ia.analyse(HUNDRED_KEYS, hundred())}


def test_difficulty_is_the_share_right(stats100: dict[str, ia.ItemStats]) -> None:
    got = {item_id: (s.right, s.difficulty) for item_id, s in stats100.items()}
    assert got == {
        "x.a1": (80, 0.8),
        "x.a2": (60, 0.6),
        "x.a3": (40, 0.4),
        "x.a4": (20, 0.2),
        "x.top": (40, 0.4),
        "x.bottom": (20, 0.2),
        "x.exact": (37, 0.37),
        "x.easy": (97, 0.97),
        "x.all": (100, 1.0),
    }


def test_discrimination_matches_numpy_on_the_rest_score(stats100: dict[str, ia.ItemStats]) -> None:
    responses = hundred()
    for item_id, s in stats100.items():
        if item_id == ALL.id:
            continue
        want = expected_discrimination(HUNDRED_KEYS, responses, item_id)
        assert s.discrimination == pytest.approx(want, abs=1e-12), item_id


def test_discrimination_sign_follows_who_answers_right(stats100: dict[str, ia.ItemStats]) -> None:
    assert stats100["x.top"].discrimination > 0.5
    assert stats100["x.bottom"].discrimination < -0.3
    assert all(stats100[a.id].discrimination > 0.3 for a in ANCHORS)


def test_discrimination_is_undefined_without_variance(stats100: dict[str, ia.ItemStats]) -> None:
    assert stats100["x.all"].discrimination is None
    assert ia.point_biserial([1.0, 0.0, 1.0], [2.0, 2.0, 2.0]) is None  # rest the same for all
    assert ia.point_biserial([1.0], [3.0]) is None


def test_option_counts_include_blank_and_unknown_values(stats100: dict[str, ia.ItemStats]) -> None:
    assert stats100["x.top"].counts == {"a": 40, "b": 30, "c": 30, "d": 0, "blank": 0, "other": 0}
    assert stats100["x.easy"].counts == {"a": 0, "b": 0, "c": 0, "d": 97, "blank": 3, "other": 0}
    # Learners 0..62 are wrong: the 7 multiples of 10 saved "z", the rest cycle through a, b, d.
    exact = stats100["x.exact"].counts
    assert exact == {"a": 18, "b": 19, "c": 37, "d": 19, "blank": 0, "other": 7}
    assert sum(exact.values()) == N


def test_flags_say_exactly_what_is_worth_a_second_look(stats100: dict[str, ia.ItemStats]) -> None:
    flags = {item_id: s.flags for item_id, s in stats100.items()}
    assert flags["x.top"] == ["distractor nobody chose: d"]
    assert flags["x.bottom"] == ["too hard", "negative discrimination"]
    assert flags["x.exact"] == []
    assert flags["x.easy"] == ["too easy", "distractor nobody chose: a, b, c"]
    assert flags["x.all"] == ["too easy", "distractor nobody chose: b, c"]
    assert flags["x.a1"] == [] and flags["x.a4"] == ["too hard"]


def test_thresholds_sit_on_the_boundary_as_documented() -> None:
    """0.9 right is not flagged too easy, 0.3 is not too hard: the flags need to go past them."""
    keys = [key("x.q", "a"), key("x.r", "a")]
    ten = {f"s{i}": {"x.q": "a" if i < 9 else "b", "x.r": "a" if i < 3 else "b"} for i in range(10)}
    got = {s.key.id: (s.difficulty, s.flags) for s in ia.analyse(keys, ten)}
    assert got["x.q"][0] == ia.TOO_EASY_ABOVE and "too easy" not in got["x.q"][1]
    assert got["x.r"][0] == ia.TOO_HARD_BELOW and "too hard" not in got["x.r"][1]


# ------------------------------------------------------------- 0 and 1 learners, the exam


def test_one_learner_has_no_discrimination_and_says_so() -> None:
    keys = [key("x.q", "a"), key("x.r", "b")]
    (q, r) = ia.analyse(keys, {"only": {"x.q": "a", "x.r": "c"}})
    assert (q.difficulty, q.discrimination, r.difficulty, r.discrimination) == (1.0, None, 0.0, None)
    cohort = ia.Cohort("x", "x", keys, {"only": {}}, {"only": 1.0}, max_score=2.0)
    assert any("one learner, discrimination is undefined" in line for line in ia.summary_lines(cohort))
    assert "undefined" in ia.table_html([q, r])


def test_no_learners_gives_an_empty_report_and_a_clear_message(tmp_path: Path) -> None:
    report = ia.run("m2", course=tmp_path)
    assert report.stats == [] and report.images == []
    assert not (tmp_path / "gradebook.db").exists(), "reading must never create a gradebook"
    page = report.html.read_text(encoding="utf-8")
    assert "There is no gradebook" in page and "The report is empty." in page
    assert report.csv.read_text(encoding="utf-8").count("\n") == 1  # the header only


def test_every_key_names_a_graded_cell_of_its_built_notebook() -> None:
    """Modules score one item per cell, the exam one topic per cell: the gradebook check relies on it."""
    for items_file in sorted(ITEMS.glob("*.yaml")):
        _, slug, keys = ia.read_keys(items_file)
        nb = nbformat.read(str(ROOT / "solutions" / slug / f"{slug}.ipynb"), as_version=4)
        graded = {
            c.metadata["nbgrader"]["grade_id"]
            for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
        }
        assert {k.cell for k in keys} == graded, slug


def test_a_practice_exam_counts_each_question_for_the_learners_who_met_it() -> None:
    """Each learner's form holds 15 of an area's items: an item's figures count only the
    learners whose form held it, and the gradebook check adds up only their own 120."""
    module, slug, keys = ia.read_keys(ia.module_file("exam", ITEMS))
    assert (module, slug, len(keys)) == ("exam", "13-practice-exam", 192)
    asked = {f"s{i}": ia.asked_items("exam", 100 + i, f"s{i}") for i in range(3)}
    assert all(len(form) == 120 for form in asked.values())
    responses = {s: {k.id: k.answer for k in keys} for s in asked}  # right on every item of the bank
    missed = next(k for k in keys if k.id in asked["s0"])
    responses["s0"][missed.id] = next(o for o in missed.options if o != missed.answer)
    stats = {st.key.id: st for st in ia.analyse(keys, responses, asked)}
    for k in keys:
        met = sum(k.id in form for form in asked.values())
        assert (stats[k.id].learners, stats[k.id].right) == (met, met - (k.id == missed.id)), k.id
    cells = ia.cell_scores(keys, responses["s0"], asked["s0"])
    assert len(cells) == 8 and sum(cells.values()) == 119 and set(cells.values()) == {14.0, 15.0}


# ------------------------------------------------------------------ through real nbgrader


def nbgrader(course: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=ERROR"],
        cwd=course,
        capture_output=True,
        check=True,
    )


def plans(m1: dict) -> dict[str, dict[str, str] | None]:
    """Four learners: all right, most right, two right, and one who sent no answers file."""
    graded = [i for i in m1["items"] if i["kind"] == "graded"]
    wrong = {i["id"]: next(k for k in i["options"] if k != i["answer"]) for i in graded}
    right = {i["id"]: i["answer"] for i in graded}
    ids = list(right)
    return {
        "ana": right,
        "ben": {**right, ids[5]: wrong[ids[5]], ids[6]: wrong[ids[6]]},
        "cai": {ids[0]: right[ids[0]], ids[1]: wrong[ids[1]], ids[2]: right[ids[2]]},
        "dee": None,
    }


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory, m1: dict) -> Path:
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", SLUG, "--force")
    for student, answers in plans(m1).items():
        folder = course / "submitted" / student / SLUG
        folder.mkdir(parents=True)
        shutil.copy(course / "modules" / SLUG / f"{SLUG}.ipynb", folder)
        if answers is not None:
            write_answers(folder, "m1", answers)
    nbgrader(course, "autograde", SLUG)
    return course


def test_cohort_from_the_gradebook_matches_what_was_submitted(graded_course: Path, m1: dict) -> None:
    gradebook_before = (graded_course / "gradebook.db").read_bytes()
    report = ia.run(SLUG, course=graded_course)
    assert (graded_course / "gradebook.db").read_bytes() == gradebook_before, "analysis must only read"
    cohort, learners = report.cohort, plans(m1)
    assert sorted(cohort.responses) == sorted(learners)
    assert cohort.no_answers_file == 1 and cohort.mismatches == []
    with Gradebook(f"sqlite:///{graded_course / 'gradebook.db'}") as gb:
        assert cohort.scores == {s: gb.find_submission(SLUG, s).score for s in learners}
    responses = {s: a or {} for s, a in learners.items()}
    for s in report.stats:
        right = sum(1 for a in responses.values() if a.get(s.key.id) == s.key.answer)
        assert (s.learners, s.right, s.difficulty) == (4, right, right / 4)
        if s.discrimination is not None:
            want = expected_discrimination(cohort.keys, responses, s.key.id)
            assert s.discrimination == pytest.approx(want, abs=1e-12)
        assert s.counts["blank"] == sum(1 for a in responses.values() if s.key.id not in a)


def test_report_files_are_written_with_plots(graded_course: Path) -> None:
    report = ia.run(SLUG, course=graded_course)
    assert [p.name for p in report.images] == ["difficulty-discrimination.png", "options.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in report.images)
    page = report.html.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2 and "4 graded learner(s)" in page
    with report.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["item"] for r in rows] == [s.key.id for s in report.stats]
    assert [r["difficulty"] for r in rows] == [f"{s.difficulty:.3f}" for s in report.stats]


def test_command_line_prints_the_summary(graded_course: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "course.item_analysis",
            "m1",
            "--course",
            str(graded_course),
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "4 graded learner(s) of 01-shared-lived-experience, 7 graded item(s)." in done.stdout
    assert "1 learner(s) had no answers file" in done.stdout
    assert (tmp_path / "report.html").is_file() and (tmp_path / "options.png").is_file()


def test_unknown_assignment_is_named_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert ia.main(["07-no-such-module", "--course", str(ROOT)]) == 2
    assert "No module called '07-no-such-module'" in capsys.readouterr().err


def test_answers_changed_after_grading_are_pointed_out(graded_course: Path, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(graded_course, course)
    answers = course / "autograded" / "ana" / SLUG / "answers.json"
    data = json.loads(answers.read_text(encoding="utf-8"))
    data["answers"]["m1.g1"]["value"] = "d"
    answers.write_text(json.dumps(data), encoding="utf-8")
    cohort = ia.run(SLUG, course=course).cohort
    assert cohort.mismatches == ["ana: cell m1-g1 scored 1 in the gradebook, 0 from the answers file"]


def test_assignment_nobody_was_graded_on_gives_an_empty_report(graded_course: Path, tmp_path: Path) -> None:
    report = ia.run("02-building-community", course=graded_course, out=tmp_path)
    assert report.stats == [] and report.images == []
    assert "No graded submissions of 02-building-community" in report.html.read_text(encoding="utf-8")


def test_a_hub_install_finds_the_items_in_the_course_folder(graded_course: Path, tmp_path: Path) -> None:
    """On a hub the course package is installed in the servers' Python, with no content/ beside
    it; the instructor runs the command in their course folder, and the items are found there."""
    installed = tmp_path / "site-packages"
    shutil.copytree(ROOT / "course", installed / "course", ignore=shutil.ignore_patterns("__pycache__"))
    course = tmp_path / "cps-course"
    shutil.copytree(graded_course, course)
    shutil.copytree(ROOT / "content", course / "content")
    env = {**os.environ, "PYTHONPATH": str(installed)}
    where = [sys.executable, "-c", "import course, sys; print(course.__file__)"]
    assert subprocess.run(where, cwd=tmp_path, env=env, capture_output=True, text=True).stdout.startswith(
        str(installed)
    )
    command = [sys.executable, "-m", "course.item_analysis", SLUG]
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "4 graded learner(s) of 01-shared-lived-experience" in done.stdout
    assert (course / "item-analysis" / SLUG / "report.html").is_file()
    elsewhere = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert elsewhere.returncode == 2 and "Run this from your course folder" in elsewhere.stderr


def test_the_report_shows_whole_questions_and_whole_counts(graded_course: Path, m1: dict) -> None:
    report = ia.run(SLUG, course=graded_course)
    page = html.unescape(report.html.read_text(encoding="utf-8"))
    for item in (i for i in m1["items"] if i["kind"] == "graded"):
        assert " ".join(item["stem"].split()) in page, f"{item['id']}'s question is cut"
    crowded = [
        ia.ItemStats(key(f"x.q{n}", "a"), 10, 5, 0.5 + n / 1000, 0.2, {}, ["too hard"] if n == 3 else [])
        for n in range(6)
    ]
    named = ia.labels_apart(crowded)
    assert [s.key.id for s, _ in named] == ["x.q3"], "one label where six points sit on each other"


def test_instructor_notebook_runs_and_shows_the_plots(graded_course: Path, tmp_path: Path) -> None:
    nb = nbformat.read(str(ROOT / "docs" / "instructors" / "item-analysis.ipynb"), as_version=4)
    (params,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    params.source = f"from pathlib import Path\nCOURSE = Path({str(graded_course)!r})\nASSIGNMENT = {SLUG!r}"
    nbformat.write(nb, str(tmp_path / "item-analysis.ipynb"))
    ran = execute(tmp_path / "item-analysis.ipynb")
    assert error_outputs(ran) == []
    pngs = [o for c in ran.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(pngs) == 2
    assert "4 graded learner(s)" in outputs_text(ran)
    tables = [
        o["data"]["text/html"]
        for c in ran.cells
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
    ]
    assert any("m1.g7" in t for t in tables)
