"""A cohort on a real JupyterHub: two learners with Unix users of their own and an instructor.

The test makes two Unix users (``useradd -m``, unique names, removed with ``userdel -r``
afterwards, also on failure). JupyterHub (from PyPI) runs as root on 127.0.0.1 with
configurable-http-proxy, a shared-password login form and its default LocalProcessSpawner,
which starts each learner's JupyterLab as that learner, in their home. nbgrader's filesystem
exchange is a folder in the shared /tmp that everyone may write to (mode 1777). The
instructor works as root in a course folder only root can enter (mode 0700: solutions/,
gradebook.db), with nbgrader's own commands. Before anyone answers, learner A makes the
folders the course once kept in /tmp (``/tmp/cps-course-locks``, ``/tmp/cps-course-selfcheck``),
as any learner on a shared machine could. Two learners then log in through the hub's form in
headless Chromium, fetch Module 1 from JupyterLab's Assignments panel, run the notebook, click
their answers, write a reflection and submit from the panel; learner A submits twice, learner
B after the due date has passed. The instructor collects, autogrades, makes and releases
feedback and exports grades; each learner fetches their feedback from the panel.

Proves: every click lands in the learner's own answers.json (B's too, with A holding the old
/tmp names) and no question says "not saved"; every score is exactly what m1.yaml's keys give
for the answers clicked; the second of A's submissions is the one graded; B's submission is
recorded as late and A's is not; each learner's feedback is their own (the same file the
instructor made for them, naming their answers, with none of the other learner's words and no
answer key). And, asked of the kernel as each learner: neither can read the other's
answers.json, nor any file in the other's home that holds the other's words (their feedback
page quotes their reflection and names their answers), nor the instructor's solutions/
notebooks or gradebook, nor anything under /tmp named ``cps*`` that they do not own; the
course's own working folders (``~/.cache/cps-course`` or ``$XDG_RUNTIME_DIR/cps-course``)
belong to their learner and are mode 0700. The homes are as ``useradd -m`` makes them here
(Debian: 0755, readable by all), so privacy cannot lean on the home's mode.

Skipped, saying why, when not run as root, without useradd/userdel/runuser, or when a new
Unix user cannot run this venv's Python and import the course (a venv or repository that only
root can reach).
"""

from __future__ import annotations

import csv
import html
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import ROOT
from helpers import grade_reflections
from hub.learner import LETTERS, Learner, no_news_question
from hub.server import running_hub
from hub.unix_users import (
    UnixUser,
    make_folder_as,
    python_reachable,
    unix_users,
    what_user_can_read,
    why_learners_cannot_run_the_course,
    why_not_possible,
)
from lab_server import chromium
from nbgrader.api import Gradebook

SLUG = "01-shared-lived-experience"
COURSE_ID = "cps-cohort-test"
ROLES = ("a", "b")
REFLECTIONS = {
    "a": "I would share a short part of my story about asking for help, then ask what helps them.",
    "b": "Sharing that I felt alone once could give hope. I keep it brief and turn back to them.",
}
SHARED_TMP = Path("/tmp")
# Fixed names the course once used for its working files in the shared /tmp: whoever makes
# them first owns them, and then no one else can save there.
OLD_TMP_NAMES = (SHARED_TMP / "cps-course-locks", SHARED_TMP / "cps-course-selfcheck")
# The course's own folder for working files, private to each learner (course/private_dir.py).
PRIVATE_FOLDER = "cps-course"


@dataclass
class Plan:
    """What one submission answers (item id -> option key) and the points m1.yaml gives it."""

    answers: dict[str, str]
    score: float


@dataclass
class Cohort:
    course: Path
    users: dict[str, UnixUser]  # role ("a", "b") -> the learner's Unix user
    plans: dict[str, Plan]  # role -> the submission that is graded
    first_of_a: Plan
    due: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    # The old /tmp names when B began, and who owned them (A, unless they were there already).
    taken: dict[Path, str] = field(default_factory=dict)
    # role -> answers.json (item id -> value) and "not saved" messages, after the last clicks.
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_saved: dict[str, list[str]] = field(default_factory=dict)
    submitted_at: dict[str, list[str]] = field(default_factory=dict)

    def name(self, role: str) -> str:
        """The learner's Unix user name, which is also their hub name and nbgrader student id."""
        return self.users[role].name

    def other(self, role: str) -> str:
        return next(r for r in ROLES if r != role)

    def made_by_the_test(self) -> set[Path]:
        """The /tmp folders the test made as learner A (not the course's doing)."""
        return {path for path, owner in self.taken.items() if owner == self.name("a")}


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
    """The instructor's folder: this repo's solutions/ and nbgrader_config.py, for the test course.

    Mode 0700, as an instructor's home is: the keys and the gradebook are root's alone.
    """
    course = folder / "course"
    course.mkdir(mode=0o700)
    course.chmod(0o700)  # whatever the umask
    shutil.copytree(ROOT / "solutions", course / "solutions")
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    config += (
        "\n# The cohort test's course and exchange.\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )
    (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
    return course


def shared_exchange(folder: Path) -> Path:
    """nbgrader's exchange root as its docs ask: everyone may write, only owners remove (1777)."""
    exchange = folder / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    return exchange


def owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def owner_uid(path: Path) -> int | None:
    """Who owns ``path``, or None once it is gone (other test runs share /tmp)."""
    try:
        return path.lstat().st_uid
    except FileNotFoundError:
        return None


def describe(path: Path) -> str:
    """A path with its mode, owner and last change, so a leftover from an older run stands out."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return f"{path} (gone since)"
    owner = owner_name(info.st_uid)
    when = datetime.fromtimestamp(info.st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M")
    return f"{path} ({stat.filemode(info.st_mode)} {owner}, changed {when} UTC)"


def take_old_tmp_names(a: UnixUser, b: UnixUser) -> dict[Path, str]:
    """Learner A makes the /tmp folders the course once used (mode 0755), before B clicks.

    A name that is there already (left by an older version of the course) is as good a trap,
    as long as B cannot write in it. Returns each name's owner.
    """
    taken = {}
    for path in OLD_TMP_NAMES:
        make_folder_as(a, path, 0o755)
        info = path.lstat()
        open_to_b = info.st_uid == b.uid or info.st_mode & stat.S_IWOTH
        assert not open_to_b, f"{path} ({stat.filemode(info.st_mode)}) lets learner B write in it"
        taken[path] = owner_name(info.st_uid)
    return taken


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
    """The instructor's end of the week: collect, autograde, the reflections read and scored (as
    in formgrader; feedback waits for them), feedback out, grades exported."""
    for step in ("collect", "autograde"):
        nbgrader(course, step, SLUG)
    grade_reflections(course, SLUG, 0.0, "Thank you for sharing your thinking.")
    for step in ("generate_feedback", "release_feedback"):
        nbgrader(course, step, SLUG)
    nbgrader(course, "export")


def questions_shown(slug: str) -> int:
    """How many question widgets the learner's notebook shows: one per ``ask(...)`` cell."""
    notebook = nbformat.read(str(ROOT / "modules" / slug / f"{slug}.ipynb"), as_version=4)
    return sum(cell.source.count("ask(") for cell in notebook.cells if cell.cell_type == "code")


def answers_file(user: UnixUser) -> Path:
    """The answers.json of the learner's fetched Module 1 (nbgrader fetches into the home)."""
    return user.home / SLUG / "answers.json"


def saved_values(user: UnixUser) -> dict[str, Any]:
    """What the learner's answers.json holds, item id -> value, read as root."""
    entries = json.loads(answers_file(user).read_text(encoding="utf-8"))["answers"]
    return {item_id: entry["value"] for item_id, entry in entries.items()}


def take_module(learner: Learner, m1: dict, answers: dict[str, str], reflection: str) -> None:
    """Fetch Module 1, run it, click the answers and write the reflection."""
    learner.wait_for_lab()
    learner.open_assignments()
    learner.fetch()
    learner.open_notebook(questions_shown(SLUG))
    click_answers(learner, m1, answers, {})
    learner.write("m1.r1", reflection)


def note_what_was_saved(cohort: Cohort, role: str, learner: Learner) -> None:
    """After a learner's last clicks: their answers.json, and any "not saved" on their page."""
    cohort.saved[role] = saved_values(cohort.users[role])
    cohort.not_saved[role] = learner.not_saved_messages()


def the_term(cohort: Cohort, learners: dict[str, Learner], m1: dict, released: Future[None]) -> None:
    """Both learners' work and the instructor's, in the order it happens."""
    a, b = learners["a"], learners["b"]
    released.result()
    take_module(a, m1, cohort.first_of_a.answers, REFLECTIONS["a"])
    a.submit()
    a.tab(SLUG)
    click_answers(a, m1, cohort.plans["a"].answers, cohort.first_of_a.answers)
    note_what_was_saved(cohort, "a", a)
    a.submit()
    # The deadline passes between A's submissions and B's.
    cohort.due = datetime.now(timezone.utc)
    nbgrader(cohort.course, "db", "assignment", "add", SLUG, f"--duedate={nbgrader_time(cohort.due)}")
    take_module(b, m1, cohort.plans["b"].answers, REFLECTIONS["b"])
    note_what_was_saved(cohort, "b", b)
    b.submit()
    grade(cohort.course)
    a.fetch_feedback()
    b.fetch_feedback()


def run_cohort(private: Path, shared: Path, users: dict[str, UnixUser], m1: dict) -> Cohort:
    """The whole term. Playwright runs in this (worker) thread only.

    ``private`` (root's alone) holds the hub's state and log; ``shared`` (in /tmp, open to
    all) holds the exchange and the instructor's 0700 course folder.
    """
    exchange = shared_exchange(shared)
    course = course_folder(shared, exchange)
    first_a, second_a, only_b = plans(m1)
    hub_users = [users[role].name for role in ROLES]
    password = secrets.token_urlsafe(16)
    taken = take_old_tmp_names(users["a"], users["b"])

    # The instructor releases while the hub and the learners' servers start.
    with ThreadPoolExecutor(1) as instructor:
        released = instructor.submit(release, course)
        with running_hub(private, hub_users, password, exchange, COURSE_ID) as hub, chromium() as browser:
            cohort = Cohort(course, users, {"a": second_a, "b": only_b}, first_a, taken=taken)
            learners = {}
            for role in ROLES:
                no_news_question(users[role].home)
                learners[role] = Learner(browser, hub.url, users[role].name, COURSE_ID, SLUG)
                learners[role].log_in(password)  # both servers start at once
            try:
                the_term(cohort, learners, m1, released)
            except Exception as problem:
                shots = [learner.screenshot(private) for learner in learners.values()]
                raise RuntimeError(f"Screens: {shots}. JupyterHub's log ends:\n{hub.log_tail()}") from problem
            finally:
                for learner in learners.values():
                    learner.close()
    cohort.submitted_at = {role: submission_times(exchange, users[role].name) for role in ROLES}
    return cohort


@pytest.fixture(scope="module")
def users() -> Iterator[dict[str, UnixUser]]:
    """Two new Unix users, one per learner (``cpslearn_a`` + 6 hex digits, ...), removed after."""
    reason = why_not_possible()
    if reason:
        pytest.skip(reason)
    with python_reachable(), unix_users(f"cpslearn_{role}" for role in ROLES) as made:
        reason = why_learners_cannot_run_the_course(made[0])
        if reason:
            pytest.skip(reason)
        yield dict(zip(ROLES, made, strict=True))


@pytest.fixture(scope="module")
def cohort(
    tmp_path_factory: pytest.TempPathFactory, m1: dict, users: dict[str, UnixUser]
) -> Iterator[Cohort]:
    # pytest's own temporary folders are root's alone; the learners must reach the exchange.
    shared = Path(tempfile.mkdtemp(prefix="hub-cohort-", dir=SHARED_TMP))
    try:
        shared.chmod(0o755)
        # In a thread of its own, so a Playwright another test file keeps open cannot clash with it.
        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(run_cohort, tmp_path_factory.mktemp("cohort"), shared, users, m1).result()
        yield done
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def parse_time(text: str) -> datetime:
    return datetime.strptime(text.replace(" UTC", ""), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)


def fetched_feedback(cohort: Cohort, role: str) -> list[Path]:
    return sorted((cohort.users[role].home / SLUG / "feedback").rglob("*.html"))


def scores_by_name(cohort: Cohort) -> dict[str, float]:
    return {cohort.name(role): plan.score for role, plan in cohort.plans.items()}


def test_the_plans_differ_so_scores_tell_submissions_apart(m1: dict) -> None:
    first_a, second_a, only_b = plans(m1)
    assert len({first_a.score, second_a.score, only_b.score}) == 3
    assert 0 < first_a.score < second_a.score < sum(i["points"] for i in graded(m1))


def test_every_click_lands_in_the_learners_own_answers_file(cohort: Cohort) -> None:
    for role in ROLES:
        user = cohort.users[role]
        # Written by the learner's own kernel, so their server really ran as their Unix user.
        assert answers_file(user).stat().st_uid == user.uid, answers_file(user)
        saved = cohort.saved[role]
        expected = cohort.plans[role].answers
        assert {k: saved.get(k) for k in expected} == expected, (cohort.name(role), saved)
        assert saved.get("m1.r1") == REFLECTIONS[role], cohort.name(role)


def test_no_question_says_not_saved(cohort: Cohort) -> None:
    assert cohort.not_saved == {role: [] for role in ROLES}


def test_every_score_is_exact(cohort: Cohort) -> None:
    with Gradebook(f"sqlite:///{cohort.course / 'gradebook.db'}") as gb:
        scores = {cohort.name(r): gb.find_submission(SLUG, cohort.name(r)).score for r in ROLES}
    assert scores == scores_by_name(cohort)


def test_export_agrees_with_the_gradebook(cohort: Cohort) -> None:
    with open(cohort.course / "grades.csv", newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert {s: float(r["score"]) for s, r in rows.items()} == scores_by_name(cohort)
    a, b = rows[cohort.name("a")], rows[cohort.name("b")]
    assert parse_time(b["timestamp"]) > parse_time(b["duedate"])
    assert parse_time(a["timestamp"]) < parse_time(a["duedate"])


def test_second_submission_of_a_is_the_one_graded(cohort: Cohort) -> None:
    times = cohort.submitted_at["a"]
    assert len(times) == 2 and len(cohort.submitted_at["b"]) == 1
    submitted = cohort.course / "submitted" / cohort.name("a") / SLUG
    assert (submitted / "timestamp.txt").read_text().strip() == times[-1]
    saved = json.loads((submitted / "answers.json").read_text(encoding="utf-8"))["answers"]
    expected = cohort.plans["a"].answers
    assert {k: saved[k]["value"] for k in expected} == expected
    assert cohort.first_of_a.score != cohort.plans["a"].score


def test_late_submission_is_marked_late(cohort: Cohort) -> None:
    with Gradebook(f"sqlite:///{cohort.course / 'gradebook.db'}") as gb:
        late = {r: gb.find_submission(SLUG, cohort.name(r)).total_seconds_late for r in ROLES}
    assert late["b"] > 0
    assert late["a"] == 0
    assert parse_time(cohort.submitted_at["b"][0]) > cohort.due > parse_time(cohort.submitted_at["a"][-1])


def test_each_learner_fetches_only_their_own_feedback(cohort: Cohort) -> None:
    for role in ROLES:
        pages = fetched_feedback(cohort, role)
        assert len(pages) == 1, f"{cohort.name(role)} has feedback files {pages}"
        made_for_them = cohort.course / "feedback" / cohort.name(role) / SLUG / f"{SLUG}.html"
        assert pages[0].read_bytes() == made_for_them.read_bytes()
        text = html.unescape(pages[0].read_text(encoding="utf-8"))
        assert REFLECTIONS[role] in text
        assert REFLECTIONS[cohort.other(role)] not in text
        assert "score(" not in text and "MARK SCHEME" not in text


def test_feedback_names_each_learners_own_answers(cohort: Cohort, m1: dict) -> None:
    for role, plan in cohort.plans.items():
        text = html.unescape(fetched_feedback(cohort, role)[0].read_text(encoding="utf-8"))
        for item in graded(m1):
            number = int(item["id"].split(".g")[1])
            right = plan.answers.get(item["id"]) == item["answer"]
            mark = ": correct." if right else ": your answer"
            assert f"Graded question {number}{mark}" in text, (cohort.name(role), item["id"])


def test_no_home_holds_the_other_learners_words(cohort: Cohort) -> None:
    for role in ROLES:
        other = cohort.other(role)
        for path in cohort.users[role].home.rglob("*"):
            if path.is_file() and path.suffix in (".json", ".html", ".ipynb"):
                assert REFLECTIONS[other] not in path.read_text(encoding="utf-8", errors="replace"), path


def test_no_learner_can_read_the_other_learners_answers(cohort: Cohort) -> None:
    for role in ROLES:
        reader, owner = cohort.users[role], cohort.users[cohort.other(role)]
        answers = answers_file(owner)
        assert answers.is_file(), answers
        seen = what_user_can_read(reader, [answers, answers.parent])
        assert seen[answers] == "denied", f"{reader.name} reading {answers}: {seen}"


def holding(home: Path, words: str) -> list[Path]:
    """Every file under ``home`` whose text holds ``words`` (read as root)."""
    return [
        path
        for path in sorted(home.rglob("*"))
        if path.is_file() and words in path.read_text(encoding="utf-8", errors="replace")
    ]


def test_no_learner_can_read_anything_holding_the_other_learners_words(cohort: Cohort) -> None:
    """Not their answers.json, nor the feedback page that quotes their reflection and answers."""
    for role in ROLES:
        reader, owner = cohort.users[role], cohort.users[cohort.other(role)]
        files = holding(owner.home, REFLECTIONS[cohort.other(role)])
        assert answers_file(owner) in files, files
        seen = what_user_can_read(reader, files)
        readable = [describe(path) for path, outcome in seen.items() if outcome != "denied"]
        assert readable == [], f"{reader.name} can read {owner.name}'s words; home: {describe(owner.home)}"


def test_no_learner_can_read_the_instructors_keys(cohort: Cohort) -> None:
    keys = [*sorted((cohort.course / "solutions").rglob("*.ipynb")), cohort.course / "gradebook.db"]
    assert len(keys) > 1 and all(path.is_file() for path in keys), keys
    for user in cohort.users.values():
        seen = what_user_can_read(user, [cohort.course, *keys])
        readable = {str(path): outcome for path, outcome in seen.items() if outcome != "denied"}
        assert readable == {}, f'{user.name} can get at these (only "denied" will do)'


def course_things_in_tmp() -> list[Path]:
    """Everything under /tmp whose top-level name starts with "cps", folders walked (as root)."""
    found: list[Path] = []
    for top in sorted(SHARED_TMP.glob("cps*")):
        found.append(top)
        if top.is_dir() and not top.is_symlink():
            for folder, dirs, files in os.walk(top):
                found.extend(Path(folder) / name for name in dirs + files)
    return found


def test_nothing_named_cps_in_tmp_is_readable_by_a_learner_who_does_not_own_it(cohort: Cohort) -> None:
    things = [p for p in course_things_in_tmp() if p not in cohort.made_by_the_test()]
    for user in cohort.users.values():
        others = [p for p in things if owner_uid(p) not in (user.uid, None)]
        seen = what_user_can_read(user, others)
        readable = [describe(path) for path, outcome in seen.items() if outcome == "read"]
        assert readable == [], f"{user.name} can read these, which they do not own"


def private_folders(user: UnixUser) -> list[Path]:
    """The course's own working folders for this learner, wherever the course put them."""
    places = [user.home / ".cache" / PRIVATE_FOLDER, Path(f"/run/user/{user.uid}") / PRIVATE_FOLDER]
    return [place for place in places if place.exists()]


def not_private(user: UnixUser, top: Path) -> list[str]:
    """Folders under ``top`` that are not ``user``'s with mode 0700, files others may open."""
    wrong: list[str] = []
    for folder, _dirs, files in os.walk(top):
        info = os.lstat(folder)
        if info.st_uid != user.uid or stat.S_IMODE(info.st_mode) != 0o700:
            wrong.append(describe(Path(folder)))
        for name in files:
            info = os.lstat(Path(folder) / name)
            if info.st_uid != user.uid or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                wrong.append(describe(Path(folder) / name))
    return wrong


def test_each_learners_working_folders_are_theirs_alone(cohort: Cohort) -> None:
    for user in cohort.users.values():
        folders = private_folders(user)
        assert folders, f"no {PRIVATE_FOLDER} folder in {user.home}/.cache or /run/user/{user.uid}"
        for top in folders:
            assert not_private(user, top) == [], f"{top} is not {user.name}'s alone"
