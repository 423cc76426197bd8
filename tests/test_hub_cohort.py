"""A cohort on a real JupyterHub: two learners and an instructor, through nbgrader's exchange.

JupyterHub (from PyPI) runs on 127.0.0.1 with configurable-http-proxy, a shared-password login
form and SimpleLocalProcessSpawner (one temporary home per learner), with nbgrader's
filesystem exchange in a temporary folder. The instructor works in a temporary course folder
(solutions/ and nbgrader_config.py from this repo) with nbgrader's own commands. Two learners
log in through the hub's form in headless Chromium, fetch Module 1 from JupyterLab's
Assignments panel, run the notebook, click their answers, write a reflection and submit from
the panel; learner A submits twice, learner B after the due date has passed. The instructor
collects, autogrades, makes and releases feedback and exports grades; each learner fetches
their feedback from the panel.

Proves: every score is exactly what m1.yaml's keys give for the answers clicked; the second of
A's submissions is the one graded; B's submission is recorded as late and A's is not; each
learner's feedback is their own (the same file the instructor made for them, naming their
answers, with none of the other learner's words and no answer key).
"""

from __future__ import annotations

import csv
import html
import json
import secrets
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from hub.learner import LETTERS, Learner, no_news_question
from hub.server import Hub, running_hub
from lab_server import chromium
from nbgrader.api import Gradebook

SLUG = "01-shared-lived-experience"
COURSE_ID = "cps-cohort-test"
A, B = "learner-a", "learner-b"
REFLECTIONS = {
    A: "I would share a short part of my story about asking for help, then ask what helps them.",
    B: "Sharing that I felt alone once could give hope. I keep it brief and turn back to them.",
}


@dataclass
class Plan:
    """What one submission answers (item id -> option key) and the points m1.yaml gives it."""

    answers: dict[str, str]
    score: float


@dataclass
class Cohort:
    course: Path
    hub: Hub
    plans: dict[str, Plan]
    first_of_a: Plan
    due: datetime
    submitted_at: dict[str, list[str]] = field(default_factory=dict)


def graded(m1: dict) -> list[dict]:
    return [i for i in m1["items"] if i["kind"] == "graded"]


def wrong(item: dict) -> str:
    return next(k for k in item["options"] if k != item["answer"])


def plans(m1: dict) -> tuple[Plan, Plan, Plan]:
    """A's first and second submissions and B's: different answers, so different exact scores."""
    items = graded(m1)

    def plan(answers: dict[str, str]) -> Plan:
        points = sum(i["points"] for i in items if answers.get(i["id"]) == i["answer"])
        return Plan(answers, float(points))

    right = {i["id"]: i["answer"] for i in items}
    last = items[-1]["id"]
    # A answers the first three and the last one right, then adds three more right answers and
    # changes the last one to a wrong answer before submitting again.
    first_a = plan({i["id"]: right[i["id"]] for i in items[:3] + items[-1:]})
    second_a = plan({**right, last: wrong(items[-1])})
    only_b = plan({**right, **{i["id"]: wrong(i) for i in items[:2]}})
    return first_a, second_a, only_b


def nbgrader(course: Path, *args: str) -> str:
    """A real nbgrader command in the instructor's course folder."""
    done = subprocess.run(["nbgrader", *args], cwd=course, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def course_folder(folder: Path, exchange: Path) -> Path:
    """The instructor's folder: this repo's solutions/ and nbgrader_config.py, for the test course."""
    course = folder / "course"
    course.mkdir()
    shutil.copytree(ROOT / "solutions", course / "solutions")
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    config += (
        "\n# The cohort test's course and exchange.\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "# Every learner's server runs as one Unix user here, so the owner cannot match the name.\n"
        "c.ExchangeCollect.check_owner = False\n"
    )
    (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
    return course


def nbgrader_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def option(m1: dict, item_id: str, key: str) -> tuple[str, str]:
    """The letter and text a learner sees for an option (Module 1 shows options in file order)."""
    item = next(i for i in m1["items"] if i["id"] == item_id)
    return LETTERS[list(item["options"]).index(key)], item["options"][key]["text"]


def click_answers(learner: Learner, m1: dict, answers: dict[str, str], before: dict[str, str]) -> None:
    for item_id, key in answers.items():
        if before.get(item_id) != key:
            learner.choose(item_id, *option(m1, item_id, key))


def submission_times(exchange: Path, student: str) -> list[str]:
    """Timestamps of a learner's submissions, as the exchange's inbound folder names them."""
    inbound = exchange / COURSE_ID / "inbound"
    return sorted(p.name.split("+")[2] for p in inbound.glob(f"{student}+{SLUG}+*"))


def release(course: Path) -> None:
    """The instructor releases Module 1, due in a week."""
    a_week_away = datetime.now(timezone.utc) + timedelta(days=7)
    nbgrader(course, "db", "assignment", "add", SLUG, f"--duedate={nbgrader_time(a_week_away)}")
    nbgrader(course, "generate_assignment", SLUG, "--force")
    nbgrader(course, "release_assignment", SLUG)


def grade(course: Path) -> None:
    """The instructor's end of the week: collect, autograde, feedback out, grades exported."""
    for step in ("collect", "autograde", "generate_feedback", "release_feedback"):
        nbgrader(course, step, SLUG)
    nbgrader(course, "export")


def questions_shown(slug: str) -> int:
    """How many question widgets the learner's notebook shows: one per ``ask(...)`` cell."""
    notebook = nbformat.read(str(ROOT / "modules" / slug / f"{slug}.ipynb"), as_version=4)
    return sum(cell.source.count("ask(") for cell in notebook.cells if cell.cell_type == "code")


def take_module(learner: Learner, m1: dict, answers: dict[str, str], reflection: str) -> None:
    """Fetch Module 1, run it, click the answers, write the reflection, submit."""
    learner.wait_for_lab()
    learner.open_assignments()
    learner.fetch()
    learner.open_notebook(questions_shown(SLUG))
    click_answers(learner, m1, answers, {})
    learner.write("m1.r1", reflection)
    learner.submit()


def run_cohort(folder: Path, m1: dict) -> Cohort:
    """The whole term, in the order it happens. Playwright runs in this (worker) thread only."""
    exchange = folder / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    course = course_folder(folder, exchange)
    first_a, second_a, only_b = plans(m1)
    password = secrets.token_urlsafe(16)

    # The instructor releases while the hub and the learners' servers start.
    with ThreadPoolExecutor(1) as instructor:
        released = instructor.submit(release, course)
        with running_hub(folder, [A, B], password, exchange, COURSE_ID) as hub, chromium() as browser:
            learners = {}
            for name in (A, B):
                no_news_question(hub.home(name))
                learners[name] = Learner(browser, hub.url, name, COURSE_ID, SLUG)
                learners[name].log_in(password)  # both servers start at once
            try:
                released.result()
                a, b = learners[A], learners[B]
                take_module(a, m1, first_a.answers, REFLECTIONS[A])
                a.tab(SLUG)
                click_answers(a, m1, second_a.answers, first_a.answers)
                a.submit()
                # The deadline passes between A's submissions and B's.
                due = datetime.now(timezone.utc)
                nbgrader(course, "db", "assignment", "add", SLUG, f"--duedate={nbgrader_time(due)}")
                take_module(b, m1, only_b.answers, REFLECTIONS[B])
                grade(course)
                a.fetch_feedback()
                b.fetch_feedback()
            except Exception as problem:
                shots = [learner.screenshot(folder) for learner in learners.values()]
                raise RuntimeError(f"Screens: {shots}. JupyterHub's log ends:\n{hub.log_tail()}") from problem
            finally:
                for learner in learners.values():
                    learner.close()
    cohort = Cohort(course, hub, {A: second_a, B: only_b}, first_a, due)
    cohort.submitted_at = {name: submission_times(exchange, name) for name in (A, B)}
    return cohort


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory, m1: dict) -> Cohort:
    # In a thread of its own, so a Playwright another test file keeps open cannot clash with it.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run_cohort, tmp_path_factory.mktemp("cohort"), m1).result()


def parse_time(text: str) -> datetime:
    return datetime.strptime(text.replace(" UTC", ""), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)


def fetched_feedback(cohort: Cohort, student: str) -> list[Path]:
    return sorted((cohort.hub.home(student) / SLUG / "feedback").rglob("*.html"))


def test_the_plans_differ_so_scores_tell_submissions_apart(m1: dict) -> None:
    first_a, second_a, only_b = plans(m1)
    assert len({first_a.score, second_a.score, only_b.score}) == 3
    assert 0 < first_a.score < second_a.score < sum(i["points"] for i in graded(m1))


def test_every_score_is_exact(cohort: Cohort) -> None:
    with Gradebook(f"sqlite:///{cohort.course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(SLUG, s).score for s in cohort.plans}
    assert scores == {s: p.score for s, p in cohort.plans.items()}


def test_export_agrees_with_the_gradebook(cohort: Cohort) -> None:
    with open(cohort.course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert {s: float(r["score"]) for s, r in rows.items()} == {s: p.score for s, p in cohort.plans.items()}
    assert parse_time(rows[B]["timestamp"]) > parse_time(rows[B]["duedate"])
    assert parse_time(rows[A]["timestamp"]) < parse_time(rows[A]["duedate"])


def test_second_submission_of_a_is_the_one_graded(cohort: Cohort) -> None:
    times = cohort.submitted_at[A]
    assert len(times) == 2 and len(cohort.submitted_at[B]) == 1
    submitted = cohort.course / "submitted" / A / SLUG
    assert (submitted / "timestamp.txt").read_text().strip() == times[-1]
    saved = json.loads((submitted / "answers.json").read_text(encoding="utf-8"))["answers"]
    expected = cohort.plans[A].answers
    assert {k: saved[k]["value"] for k in expected} == expected
    assert cohort.first_of_a.score != cohort.plans[A].score


def test_late_submission_is_marked_late(cohort: Cohort) -> None:
    with Gradebook(f"sqlite:///{cohort.course / 'gradebook.db'}") as gb:
        late = {s: gb.find_submission(SLUG, s).total_seconds_late for s in (A, B)}
    assert late[B] > 0
    assert late[A] == 0
    assert parse_time(cohort.submitted_at[B][0]) > cohort.due > parse_time(cohort.submitted_at[A][-1])


def test_each_learner_fetches_only_their_own_feedback(cohort: Cohort) -> None:
    for student, other in ((A, B), (B, A)):
        pages = fetched_feedback(cohort, student)
        assert len(pages) == 1, f"{student} has feedback files {pages}"
        made_for_them = cohort.course / "feedback" / student / SLUG / f"{SLUG}.html"
        assert pages[0].read_bytes() == made_for_them.read_bytes()
        text = html.unescape(pages[0].read_text(encoding="utf-8"))
        assert REFLECTIONS[student] in text
        assert REFLECTIONS[other] not in text
        assert "score(" not in text and "MARK SCHEME" not in text


def test_feedback_names_each_learners_own_answers(cohort: Cohort, m1: dict) -> None:
    for student, plan in cohort.plans.items():
        text = html.unescape(fetched_feedback(cohort, student)[0].read_text(encoding="utf-8"))
        for item in graded(m1):
            number = int(item["id"].split(".g")[1])
            right = plan.answers.get(item["id"]) == item["answer"]
            mark = ": correct." if right else ": your answer"
            assert f"Graded question {number}{mark}" in text, (student, item["id"])


def test_no_home_holds_the_other_learners_words(cohort: Cohort) -> None:
    for student, other in ((A, B), (B, A)):
        home = cohort.hub.home(student)
        for path in home.rglob("*"):
            if path.is_file() and path.suffix in (".json", ".html", ".ipynb"):
                assert REFLECTIONS[other] not in path.read_text(encoding="utf-8", errors="replace"), path
