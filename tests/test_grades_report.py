"""``python -m course.grades``: every learner's status and score, who is missing, Canvas and Moodle files.

A real nbgrader course in a temporary home (``~/cps-course``, a trainer's clone cut down to
Module 1, Module 2 and My progress): nbgrader's own generate_assignment for all three and
release_assignment for Module 1 and My progress (Module 2 stays unreleased), a due date two
days from now, learners added to the gradebook with names and emails. The cohort:

* ana submits on time, is autograded, and her reflection is scored (as formgrader's grade
  form does it, through the Gradebook API): **graded**; then she submits again through the
  exchange (nbgrader submit), after it was collected;
* ben submits after the due date, two answers wrong, reflection scored: **graded, late**;
* cai submits on time and is autograded, reflection not scored: **needs hand grading**;
* dee never submits: **not submitted**; so does the learner the guide adds;
* fay's late submission is collected but not autograded: **submitted late, not graded yet**;
* gus fetches and submits through the exchange (nbgrader fetch_assignment and submit), not
  collected: **submitted, not graded yet**.

Proves, row by row and status by status, what grades.csv says; that Module 2 (unreleased)
and My progress (no grades) get no column; who not-submitted.csv lists, with the due date in
the course's zone; the Canvas file column by column as Canvas's importer reads it (only final
scores, blank otherwise, a Points Possible row) and the Moodle file (only learners with an
email, "-" for no grade); the summary a trainer reads; that the report only reads the
gradebook; and that git leaves the files out. As root, a learner with an account who has not
fetched the module is "not fetched", and "not submitted" once they fetch it.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT
from helpers import nbgrader_api, succeeded, write_answers
from hub.unix_users import python_reachable, unix_users, why_not_possible
from nbgrader.api import Gradebook
from trainer_guide import (
    ADD_LEARNER,
    DOCTOR,
    DOCTOR_LEARNER,
    GO_TO_COURSE,
    GRADES,
    GUIDE_LEARNER_ADDED,
    SET_ZONE,
    course_clone,
    guide_commands,
    trainer_folders,
    type_in_terminal,
)

from course import contract

SLUG = "01-shared-lived-experience"
UNRELEASED = "02-building-community"
PROGRESS = contract.PROGRESS_SLUG
COURSE_ID = "cps-course"
ZONE = ZoneInfo("America/Chicago")
REFLECTION_CELL = "m1-r1-grade"
STAMP = "%Y-%m-%d %H:%M:%S.%f UTC"
PEOPLE = {
    "ana": ("Ana", "Alvarez", "ana@example.org", "101"),
    "ben": ("Ben", "Brown", "ben@example.org", "102"),
    "cai": ("Cai", "Chen", "cai@example.org", ""),
    "dee": ("Dee", "Diaz", "dee@example.org", ""),
}


@dataclass
class Cohort:
    home: Path
    course: Path
    exchange: Path
    due: datetime  # UTC
    out: str = ""  # what python -m course.grades printed

    @property
    def report(self) -> Path:
        return self.course / "grades-report"

    def rows(self, name: str) -> list[list[str]]:
        with (self.report / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.reader(handle))


def shown(moment: datetime) -> str:
    """The due date as a trainer in Chicago writes it, worked out here with strftime."""
    return moment.astimezone(ZONE).strftime("%a %-d %b %Y, %-I:%M %p %Z")


def nbgrader(folder: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def submit(course: Path, student: str, when: datetime, answers: dict[str, str]) -> None:
    """A submission in submitted/, as nbgrader collect leaves it: notebook, answers file, time."""
    folder = course / "submitted" / student / SLUG
    folder.mkdir(parents=True)
    shutil.copy(course / "modules" / SLUG / f"{SLUG}.ipynb", folder)
    write_answers(folder, "m1", {**answers, "m1.r1": f"{student}'s reflection on sharing my story."})
    (folder / "timestamp.txt").write_text(when.strftime(STAMP), encoding="utf-8")


def grade_reflection(course: Path, student: str, points: float) -> None:
    """Score a reflection as formgrader's grade form does: manual score set, no longer waiting."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        grade = gradebook.find_grade(REFLECTION_CELL, SLUG, SLUG, student)
        grade.manual_score = points
        grade.needs_manual_grade = False
        gradebook.db.commit()


def answers(m1: dict, wrong: int = 0) -> dict[str, str]:
    """Every graded item right, except the first ``wrong`` ones."""
    graded = [i for i in m1["items"] if i["kind"] == "graded"]
    return {
        i["id"]: (next(k for k in i["options"] if k != i["answer"]) if n < wrong else i["answer"])
        for n, i in enumerate(graded)
    }


@pytest.fixture(scope="module")
def cohort(m1: dict) -> Iterator[Cohort]:
    base, home, exchange = trainer_folders("trainer-grades-test-")  # a learner's account reaches the exchange
    try:
        course = course_clone(home, [SLUG, UNRELEASED, PROGRESS])
        with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
            config.write(
                f'\nc.Exchange.root = {str(exchange)!r}\nc.NbGraderAPI.timezone = "America/Chicago"\n'
            )
        due = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        api = nbgrader_api(course)
        for module in (SLUG, UNRELEASED, PROGRESS):
            succeeded(api.generate_assignment(module))
        for module in (SLUG, PROGRESS):
            succeeded(api.release_assignment(module))
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
            gradebook.update_or_create_assignment(SLUG, duedate=due.replace(tzinfo=None))
            for student, (first, last, email, lms) in PEOPLE.items():
                gradebook.update_or_create_student(
                    student, first_name=first, last_name=last, email=email, lms_user_id=lms or None
                )
        on_time, late = due - timedelta(days=3), due + timedelta(hours=2, minutes=30)
        submit(course, "ana", on_time, answers(m1))
        submit(course, "ben", late, answers(m1, wrong=2))
        submit(course, "cai", on_time, answers(m1))
        graded = nbgrader(course, "autograde", SLUG)
        assert "[course] ben: 5 of 10 points so far" in graded, graded
        grade_reflection(course, "ana", 2)
        grade_reflection(course, "ben", 3)
        submit(course, "fay", due + timedelta(hours=1), answers(m1))
        learner = base / "learner"
        learner.mkdir()
        where = [f"--Exchange.root={exchange}", f"--course={COURSE_ID}"]
        nbgrader(learner, "fetch_assignment", SLUG, *where)
        for student in ("gus", "ana"):
            nbgrader(learner, "submit", SLUG, f"--student={student}", *where)
        yield Cohort(home, course, exchange, due)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def reported(cohort: Cohort) -> Cohort:
    """The guide's commands, typed as written: add a learner, then make the report."""
    added = type_in_terminal(cohort.home, GO_TO_COURSE, ADD_LEARNER)
    assert added.returncode == 0, added.stdout + added.stderr
    gradebook = (cohort.course / "gradebook.db").read_bytes()
    done = type_in_terminal(cohort.home, GO_TO_COURSE, GRADES)
    assert done.returncode == 0 and "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert (cohort.course / "gradebook.db").read_bytes() == gradebook, (
        "the report must only read the gradebook"
    )
    cohort.out = done.stdout
    return cohort


def test_one_row_per_learner_with_each_status_and_score(reported: Cohort) -> None:
    rows = reported.rows("grades.csv")
    assert rows[0] == [
        "Learner",
        "First name",
        "Last name",
        "Email",
        f"{SLUG} status",
        f"{SLUG} score (out of 10)",
    ], "one column pair for the released module; none for Module 2 (unreleased) or My progress (no grades)"
    assert rows[1:] == [
        ["ana", "Ana", "Alvarez", "ana@example.org", "graded", "9"],
        ["ben", "Ben", "Brown", "ben@example.org", "graded, late", "8"],
        ["cai", "Cai", "Chen", "cai@example.org", "needs hand grading", "7"],
        ["dee", "Dee", "Diaz", "dee@example.org", "not submitted", ""],
        ["fay", "", "", "", "submitted late, not graded yet", ""],
        ["gus", "", "", "", "submitted, not graded yet", ""],
        [GUIDE_LEARNER_ADDED, "Linh", "Nguyen", "lnguyen@example.org", "not submitted", ""],
    ]


def test_who_has_not_submitted_with_the_due_date_in_the_course_zone(reported: Cohort) -> None:
    due = shown(reported.due)
    assert reported.rows("not-submitted.csv") == [
        ["Module", "Due (America/Chicago)", "Learner", "First name", "Last name", "Email", "Status"],
        [SLUG, due, "dee", "Dee", "Diaz", "dee@example.org", "not submitted"],
        [SLUG, due, GUIDE_LEARNER_ADDED, "Linh", "Nguyen", "lnguyen@example.org", "not submitted"],
    ]


def test_canvas_file_column_by_column(reported: Cohort) -> None:
    """Canvas's importer (app/models/gradebook_importer.rb) wants "Student" then "ID", then "SIS
    User ID" and "SIS Login ID", and "Section" last of the learner columns; a row starting
    "Points Possible"; a blank cell changes nothing. Only finished scores are sent."""
    header, points, *learners = reported.rows("canvas.csv")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", SLUG]
    assert points == ["Points Possible", "", "", "", "", "10"]
    by_name = {row[0]: row[1:] for row in learners}
    assert by_name == {
        "Alvarez, Ana": ["101", "", "ana@example.org", "", "9"],
        "Brown, Ben": ["102", "", "ben@example.org", "", "8"],
        "Chen, Cai": ["", "", "cai@example.org", "", ""],
        "Diaz, Dee": ["", "", "dee@example.org", "", ""],
        "fay": ["", "", "", "", ""],
        "gus": ["", "", "", "", ""],
        "Nguyen, Linh": ["", "", "lnguyen@example.org", "", ""],
    }
    assert len(learners) == len(by_name) == 7


def test_moodle_file_column_by_column(reported: Cohort) -> None:
    """Moodle's CSV import maps one column to the user's email and stops the whole import at a row
    whose user it cannot find, so every row has an email; "-" is no grade."""
    header, *learners = reported.rows("moodle.csv")
    assert header == ["Email address", "First name", "Last name", SLUG]
    assert learners == [
        ["ana@example.org", "Ana", "Alvarez", "9"],
        ["ben@example.org", "Ben", "Brown", "8"],
        ["cai@example.org", "Cai", "Chen", "-"],
        ["dee@example.org", "Dee", "Diaz", "-"],
        ["lnguyen@example.org", "Linh", "Nguyen", "-"],
    ]


def test_the_summary_a_trainer_reads(reported: Cohort) -> None:
    out = reported.out
    assert out.startswith(
        "Grades for cps-course: 7 learner(s), 1 released module(s). Times are in America/Chicago."
    )
    assert f"{SLUG}, due {shown(reported.due)} (out of 10 points)" in out
    counts = "2 graded; 1 needs hand grading; 2 submitted, not graded yet; 2 not submitted."
    assert f"{counts} 2 came in after the due date." in out
    assert f"Not submitted: Dee Diaz (dee), Linh Nguyen ({GUIDE_LEARNER_ADDED})." in out
    assert (
        f"Submitted again since you collected: ana. To grade the newer work: nbgrader collect --update {SLUG}"
        in out
    )
    assert "moodle.csv leaves out 2 learner(s) with no email in the gradebook: fay, gus." in out
    assert "Saved in grades-report/" in out and len(out.splitlines()) < 20, "short and quiet"


def test_git_leaves_out_the_reports_and_learner_lists() -> None:
    paths = ["grades-report/grades.csv", "grades-report/canvas.csv", "grades.csv", "learners.csv"]
    done = subprocess.run(
        ["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == paths


def test_a_learner_who_never_fetched_is_told_apart_when_root_can_look(cohort: Cohort) -> None:
    why = why_not_possible()
    if why:
        pytest.skip(why)
    out = cohort.home / "eve-report"
    with python_reachable(), unix_users(["cpsgr_eve"]) as (eve,):
        with Gradebook(f"sqlite:///{cohort.course / 'gradebook.db'}", COURSE_ID) as gradebook:
            gradebook.update_or_create_student(eve.name, first_name="Eve", last_name="Evans")
        try:
            before = status_of(cohort, eve.name, out)
            runuser = shutil.which("runuser") or "runuser"
            env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8"}
            where = f"--course={COURSE_ID} --Exchange.root={cohort.exchange}"
            fetch = f"cd ~ && nbgrader fetch_assignment {SLUG} {where}"
            done = subprocess.run(
                [runuser, "-u", eve.name, "--", "bash", "-c", fetch],
                env=env, cwd="/", capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert done.returncode == 0 and (eve.home / SLUG).is_dir(), done.stdout + done.stderr
            after = status_of(cohort, eve.name, out)
        finally:
            with Gradebook(f"sqlite:///{cohort.course / 'gradebook.db'}", COURSE_ID) as gradebook:
                gradebook.remove_student(eve.name)
    assert (before, after) == ("not fetched", "not submitted")


def run_grades(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m course.grades`` in ``folder``, as a trainer whose home is ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "course.grades", *args],
        cwd=folder,
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "HOME": str(home),
        },
        capture_output=True,
        text=True,
        check=False,
    )


def status_of(cohort: Cohort, learner: str, out: Path) -> str:
    done = run_grades(cohort.course, cohort.home, "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    with (out / "grades.csv").open(newline="", encoding="utf-8") as handle:
        return next(row[4] for row in csv.reader(handle) if row[0] == learner)


def test_no_gradebook_is_said_in_words(tmp_path: Path) -> None:
    (tmp_path / "nbgrader_config.py").write_text(
        'c.CourseDirectory.course_id = "cps-course"\n', encoding="utf-8"
    )
    done = run_grades(tmp_path, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.startswith(f"There is no gradebook yet ({tmp_path / 'gradebook.db'})")
    assert not (tmp_path / "gradebook.db").exists(), "reading must never create a gradebook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbgrader_config.py"]


def test_the_guide_gives_only_commands_the_tests_run() -> None:
    """Every command in docs/instructors/checks-and-grades.md is typed as written by a test:
    the check's in test_doctor.py, the grades' here."""
    assert guide_commands() == [GO_TO_COURSE, DOCTOR, DOCTOR_LEARNER, SET_ZONE, ADD_LEARNER, GRADES]


def test_a_folder_that_cannot_be_written_is_said_in_words(reported: Cohort) -> None:
    taken = reported.course / "nbgrader_config.py"  # a file where the report's folder would go
    done = run_grades(reported.course, reported.home, "--out", str(taken))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith(f"Could not write the files in {taken} (")
    assert done.stdout.rstrip().endswith("Give another folder with --out.")
