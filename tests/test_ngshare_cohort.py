"""A cohort through ngshare, on a real JupyterHub set up with docs/deploy/z2jh/, as on Kubernetes.

What runs: JupyterHub (this venv's) as root on 127.0.0.1 with configurable-http-proxy and its
LocalProcessSpawner, three new Unix users (an instructor and two learners, made with
``useradd``, removed afterwards), ngshare-exchange from PyPI in every server, and ngshare from
PyPI in an environment of its own, as its chart runs it in a pod of its own
(tests/hub/ngshare_service.py). The hub registers ngshare from values.yaml's ``hub.services``;
ngshare gets the admins of ngshare-values.yaml; both get the token that Part A's ``helm --set``
flags put in the two files. Every server gets values.yaml's ``singleuser.extraEnv`` and reads
the nbgrader settings values.yaml mounts at /etc/jupyter/nbgrader_config.py, taken from the
YAML as written, with only ngshare's in-cluster address (``http://ngshare:8080``) changed to
the test's. There is no exchange folder: only ngshare carries work between people.

The term, in order: everyone logs in through the hub's form in headless Chromium. The
instructor does step 5 of docs/instructors/kubernetes.md in the browser (the hub's
``/services/ngshare/healthz`` page), then types every command of the guide's Part B in the
environment of their own server (as a terminal in their JupyterLab has it): clone the course,
turn on the grading tools, copy the instructor settings, ``python -m course.release``, create
the course in ngshare, add learner A with ``add_student`` and learner B with the guide's other
way, ``add_students`` and a CSV file. Then running-a-cohort.md's commands: a due date and
``release_assignment``. The learners fetch Module 1 from their Assignments panel, answer (saved
by the course's own AnswerStore in their fetched folder, run as the learner, as the notebook's
clicks save them) and submit from the panel. The instructor collects, autogrades, scores each
reflection (written to the gradebook as formgrader's API writes a score), makes and releases
feedback and exports grades; each learner fetches their feedback from the panel.

Proves: the documented nbgrader settings load in every server, and ngshare-course-management
finds ngshare through them; every command in Part B works as typed, in order; step 5's page
shows what the guide says; learners added by the guide's commands are in the gradebook with
their names; each submission collected is the answers the learner saved; every score is exact;
each learner fetches only their own feedback; the work passed through ngshare's own disk, which
no learner can read, and nbgrader's folder exchange was never used.

Not done here: Part A's ``docker build``/``docker push``, ``helm repo``/``helm install``/``helm
upgrade`` and ``kubectl`` need a cluster, a registry and Docker. Their ``--set`` flags are
applied to the values files as Helm would, and values.yaml is checked against the chart's
schema in tests/test_deploy_configs.py. The hub's login is the test's shared password, not the
organisation's login values.yaml leaves to fill in. The restart the guide asks for after step
6 is not done: no command-line step needs it (formgrader does).

Takes three to four minutes on two busy cores, over a minute of it the guide's
``python -m course.release``; the first run also makes ngshare's environment (about a minute).
"""

from __future__ import annotations

import csv
import html
import json
import re
import secrets
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from hub.learner import Learner, no_news_question
from hub.ngshare_service import Ngshare, running_ngshare
from hub.server import HERE as HUB_HERE
from hub.server import Hub, hub_from
from hub.unix_users import (
    UnixUser,
    python_reachable,
    unix_users,
    what_user_can_read,
    why_learners_cannot_run_the_course,
    why_not_possible,
)
from lab_server import chromium
from local_server import free_port
from nbgrader.api import Gradebook
from nbgrader.exchange.default.exchange import Exchange as FolderExchange
from playwright.sync_api import Page

GUIDE = ROOT / "docs" / "instructors" / "kubernetes.md"
Z2JH = ROOT / "docs" / "deploy" / "z2jh"
HUB_CONFIG = HUB_HERE / "ngshare_hub_config.py"
SLUG = "01-shared-lived-experience"
NOTEBOOK = SLUG  # the module's one notebook has the module's name
ROLES = ("a", "b")
NAMES = {"a": ("Ana", "Reyes"), "b": ("Sam", "Okafor")}
REFLECTIONS = {
    "a": "I would share a short part of my story about asking for help, then ask what helps them.",
    "b": "Sharing that I felt alone once could give hope. I keep it brief and turn back to them.",
}
REFLECTION_POINTS = {"a": 3.0, "b": 2.0}
REFLECTION_CELL = "m1-r1-grade"
# The placeholders values.yaml, ngshare-values.yaml and the guide leave for the instructor.
INSTRUCTOR_PLACEHOLDER = "REPLACE_WITH_INSTRUCTOR_USERNAME"
GUIDE_INSTRUCTOR = "YOUR-USER-NAME"
GUIDE_ADDRESS = "<the course repository's address>"
GUIDE_LEARNER = ("arivera", "Alex", "Rivera")
CSV_COMMAND = "ngshare-course-management add_students cps-course learners.csv"
# The folder nbgrader's own exchange would use: a Kubernetes pod has none, and nothing may use it.
FOLDER_EXCHANGE = Path(FolderExchange.root.default_value)


# --- the guide, as the instructor reads it ------------------------------------------------


def section(title: str) -> str:
    """The text of one ``## `` section of the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def bash_blocks(text: str) -> list[list[str]]:
    """The commands of each ```bash block, a line continued with ``\\`` joined to the next."""
    blocks = []
    for body in re.findall(r"```bash\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n\s*", "", body)
        blocks.append([line.strip() for line in joined.splitlines() if line.strip()])
    return blocks


def part_b_blocks() -> list[list[str]]:
    return bash_blocks(section("Part B: the instructor's first session"))


def as_typed(command: str, instructor: str, address: str, learner: tuple[str, str, str]) -> str:
    """A guide command with the instructor's own names in place of the guide's examples."""
    typed = command.replace(GUIDE_INSTRUCTOR, instructor).replace(GUIDE_ADDRESS, address)
    if "add_student " in typed:
        for example, own in zip(GUIDE_LEARNER, learner, strict=True):
            typed = re.sub(rf"(?<![\w-]){re.escape(example)}(?![\w-])", own, typed)
    return typed


# --- the deployment files, filled in as the guide says ----------------------------------------


def helm_sets() -> dict[str, list[str]]:
    """Part A's ``--set KEY="$TOKEN"`` flags, by the values file of the same helm command."""
    found: dict[str, list[str]] = {}
    for block in bash_blocks(section("Part A: set up (for the cluster's administrator)")):
        for command in block:
            named = re.search(r"--values docs/deploy/z2jh/(\S+)", command)
            if command.startswith("helm ") and named:
                found[named.group(1)] = re.findall(r'--set ([\w.]+)="\$TOKEN"', command)
    return found


def set_value(values: dict[str, Any], dotted: str, value: str) -> None:
    """What ``helm --set a.b.c=value`` does to a key the file already has (a placeholder)."""
    *path, last = dotted.split(".")
    place = values
    for key in path:
        place = place[key]
    assert last in place, f"--set {dotted}: the values file has no such key to set"
    place[last] = value


def filled(value: Any, instructor: str) -> Any:
    """The values with the instructor's user name where the file says to put it."""
    if isinstance(value, dict):
        return {key: filled(item, instructor) for key, item in value.items()}
    if isinstance(value, list):
        return [filled(item, instructor) for item in value]
    return instructor if value == INSTRUCTOR_PLACEHOLDER else value


@dataclass
class Deployment:
    """values.yaml and ngshare-values.yaml as the administrator installs them, for this test."""

    values: dict[str, Any]  # values.yaml
    ngshare_admins: list[str]
    token: str
    nbgrader_config: str  # the hub-wide nbgrader_config.py every server reads


def deployment(instructor: str, ngshare_url: str) -> Deployment:
    token = secrets.token_hex(32)  # the guide's `openssl rand -hex 32`
    files = {}
    for name, sets in helm_sets().items():
        values = yaml.safe_load((Z2JH / name).read_text(encoding="utf-8"))
        for key in sets:
            set_value(values, key, token)
        files[name] = filled(values, instructor)
    hub_values, ngshare_values = files["values.yaml"], files["ngshare-values.yaml"]
    assert ngshare_values["ngshare"]["hub_api_token"] == token, "the guide should --set ngshare's token"
    service = hub_values["hub"]["services"]["ngshare"]
    assert service["api_token"] == token, "the guide should --set the hub's token for ngshare"
    in_cluster = service["url"]
    service["url"] = ngshare_url
    config = hub_values["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"]
    assert config.count(in_cluster) == 1, f"the nbgrader settings should name ngshare at {in_cluster}"
    return Deployment(
        values=hub_values,
        ngshare_admins=ngshare_values["ngshare"]["admins"],
        token=token,
        nbgrader_config=config.replace(in_cluster, ngshare_url),
    )


# --- the people ----------------------------------------------------------------------------


@dataclass
class Typed:
    """One command as the instructor typed it, and what the terminal showed."""

    command: str
    returncode: int
    output: str
    seconds: float


@dataclass
class Term:
    instructor: UnixUser
    learners: dict[str, UnixUser]
    ngshare: Ngshare
    health: str = ""  # what the browser showed at step 5
    guide_lines_run: list[str] = field(default_factory=list)  # Part B's lines, as the guide has them
    typed: list[Typed] = field(default_factory=list)
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)  # role -> answers.json values
    feedback_fetched: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def course(self) -> Path:
        return self.instructor.home / "cps-course"

    def name(self, role: str) -> str:
        return self.learners[role].name

    def other(self, role: str) -> str:
        return next(r for r in ROLES if r != role)

    def output_of(self, command: str) -> str:
        """What the terminal showed for every typing that holds ``command``."""
        return "\n".join(t.output for t in self.typed if command in t.command)


def server_environment(user: UnixUser) -> dict[str, str]:
    """The environment of the user's running single-user server, as its terminals and kernels get it."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != user.uid:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
            if not any(part.endswith(b"jupyterhub-singleuser") for part in command):
                continue
            pairs = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
    raise AssertionError(f"{user.name} has no running server")


def in_terminal(user: UnixUser, script: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Commands as ``user`` types them in a terminal on their own server (bash, stop at an error)."""
    runuser = shutil.which("runuser") or "runuser"
    return subprocess.run(
        [runuser, "-u", user.name, "--", "bash", "-e", "-c", script],
        env=server_environment(user),
        cwd=cwd or user.home,
        capture_output=True,
        text=True,
        check=False,
    )


def instructor_types(term: Term, command: str, cwd: Path | None = None) -> str:
    """One command in the instructor's terminal; a command that fails stops the term, with its words."""
    started = time.monotonic()
    done = in_terminal(term.instructor, command, cwd)
    output = done.stdout + done.stderr
    term.typed.append(Typed(command, done.returncode, output, time.monotonic() - started))
    if done.returncode != 0:
        raise AssertionError(f"The instructor typed `{command}` and it failed:\n{output}")
    return output


def nbgrader(term: Term, *args: str) -> str:
    """A running-a-cohort.md command, typed in the course folder."""
    return instructor_types(term, " ".join(["nbgrader", *args]), cwd=term.course)


# --- the course repository the instructor clones ---------------------------------------------


def course_repository(folder: Path, owner: UnixUser) -> str:
    """This checkout's files as a git repository of their own (the course's address), the owner's.

    Tracked files as they are now in the working tree, so a change being tested is what the
    instructor clones.
    """
    repo = folder / "cps-course.git"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    who = ["-c", "user.name=Course", "-c", "user.email=course@example.org"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "The course"]):
        subprocess.run(["git", *who, *args], cwd=repo, capture_output=True, check=True)
    shutil.chown(folder, owner.name, owner.name)
    subprocess.run(["chown", "-R", f"{owner.name}:{owner.name}", str(repo)], check=True)
    return f"file://{repo}"


# --- the term ------------------------------------------------------------------------------


def check_the_hub_reaches_ngshare(page: Page, hub: Hub) -> str:
    """Step 5: ``https://<your hub>/services/ngshare/healthz`` shows ``{"success": true}``."""
    step = re.search(r"`https://<your hub>(/services/ngshare/\S+)`", section("Part A: set up"))
    assert step, "step 5 should give the address to open"
    page.goto(hub.url + step.group(1))
    return page.locator("body").inner_text()


def first_session(term: Term, address: str) -> None:
    """Every command of the guide's Part B, as the instructor types it."""
    learner_a = (term.name("a"), *NAMES["a"])
    for block in part_b_blocks():
        # One terminal per block: a `cd` holds for the lines after it, as it does on screen.
        typed = [as_typed(line, term.instructor.name, address, learner_a) for line in block]
        instructor_types(term, "\n".join(typed))
        term.guide_lines_run.extend(block)
    # Learner B the other way the guide gives: a CSV file and add_students.
    assert CSV_COMMAND in section("Part B: the instructor's first session")
    with (term.course / "learners.csv").open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["student_id", "first_name", "last_name", "email"])
        rows.writerow([term.name("b"), *NAMES["b"], ""])
    shutil.chown(term.course / "learners.csv", term.instructor.name, term.instructor.name)
    instructor_types(term, CSV_COMMAND, cwd=term.course)
    instructor_types(term, "ngshare-course-management --help")


def release(term: Term) -> None:
    due = datetime.now(timezone.utc) + timedelta(days=7)
    nbgrader(term, "db", "assignment", "add", SLUG, f'--duedate="{due:%Y-%m-%d %H:%M:%S} UTC"')
    nbgrader(term, "release_assignment", SLUG)


def answer_as_the_notebook_does(term: Term, role: str, answers: dict[str, Any]) -> None:
    """The learner's answers, saved by the course's AnswerStore in their fetched folder, as them."""
    folder = term.learners[role].home / SLUG
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from course.store import AnswerStore\n"
        "store = AnswerStore('m1', Path(sys.argv[1]))\n"
        "for item, value in json.loads(sys.argv[2]).items():\n"
        "    assert store.record(item, value), item\n"
    )
    command = f"python -c {shlex.quote(script)} {shlex.quote(str(folder))} {shlex.quote(json.dumps(answers))}"
    done = in_terminal(term.learners[role], command, cwd=folder)
    assert done.returncode == 0, f"{term.name(role)}'s answers were not saved:\n{done.stderr}"
    entries = json.loads((folder / "answers.json").read_text(encoding="utf-8"))["answers"]
    term.saved[role] = {item: entry["value"] for item, entry in entries.items()}


def grade_reflections(term: Term) -> None:
    """The instructor scores each reflection as formgrader saves a score (its API's GradeHandler.put)."""
    script = (
        "import json, sys\n"
        "from nbgrader.api import Gradebook\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        "    for student, points in json.loads(sys.argv[1]).items():\n"
        f"        grade = gb.find_grade({REFLECTION_CELL!r}, {NOTEBOOK!r}, {SLUG!r}, student)\n"
        "        grade.manual_score = points\n"
        "        grade.needs_manual_grade = False\n"
        "    gb.db.commit()\n"
    )
    points = json.dumps({term.name(role): REFLECTION_POINTS[role] for role in ROLES})
    done = in_terminal(term.instructor, f"python -c {shlex.quote(script)} {shlex.quote(points)}", term.course)
    assert done.returncode == 0, done.stderr


def the_term(
    term: Term, hub: Hub, people: dict[str, Learner], plans: dict[str, dict[str, Any]], address: str
) -> None:
    """Everyone's work, in the order it happens."""
    teacher = people["instructor"]
    teacher.wait_for_lab()
    term.health = check_the_hub_reaches_ngshare(teacher.page, hub)
    first_session(term, address)
    release(term)
    for role in ROLES:
        learner = people[role]
        learner.wait_for_lab()
        learner.open_assignments()
        learner.fetch()
        answer_as_the_notebook_does(term, role, plans[role])
        learner.submit()
    nbgrader(term, "collect", SLUG)
    nbgrader(term, "autograde", SLUG)
    grade_reflections(term)
    nbgrader(term, "generate_feedback", SLUG)
    nbgrader(term, "release_feedback", SLUG)
    nbgrader(term, "export")
    for role in ROLES:
        people[role].fetch_feedback()
        term.feedback_fetched[role] = sorted((term.learners[role].home / SLUG / "feedback").rglob("*.html"))


def plans_for(m1: dict) -> dict[str, dict[str, Any]]:
    """What each learner answers: A every graded question right, B the first two wrong."""
    graded = [i for i in m1["items"] if i["kind"] == "graded"]
    right = {i["id"]: i["answer"] for i in graded}
    wrong = {i["id"]: next(k for k in i["options"] if k != i["answer"]) for i in graded[:2]}
    return {
        "a": {**right, "m1.r1": REFLECTIONS["a"]},
        "b": {**right, **wrong, "m1.r1": REFLECTIONS["b"]},
    }


def expected_score(m1: dict, answers: dict[str, Any], reflection: float) -> float:
    graded = [i for i in m1["items"] if i["kind"] == "graded"]
    return float(sum(i["points"] for i in graded if answers.get(i["id"]) == i["answer"])) + reflection


def run_term(private: Path, shared: Path, users: dict[str, UnixUser], m1: dict) -> Term:
    """The whole term. Playwright runs in this (worker) thread only.

    ``private`` (root's alone) holds the hub's state and ngshare's disk; ``shared`` holds the
    hub-wide nbgrader settings every server reads and the course repository the instructor clones.
    """
    instructor = users["instructor"]
    learners = {role: users[role] for role in ROLES}
    ngshare_port = free_port()
    ngshare_url = f"http://127.0.0.1:{ngshare_port}"
    setup = deployment(instructor.name, ngshare_url)
    etc = shared / "etc-jupyter"
    etc.mkdir()
    (etc / "nbgrader_config.py").write_text(setup.nbgrader_config, encoding="utf-8")
    address = course_repository(shared / "repository", instructor)
    password, admin_password = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
    names = [user.name for user in users.values()]
    settings = {
        "CPS_Z2JH_VALUES": json.dumps(setup.values),
        "CPS_NBGRADER_CONFIG_DIR": str(etc),
        "CPS_HUB_ADMIN_PASSWORD": admin_password,
    }
    ngshare_disk = private / "ngshare"
    ngshare_disk.mkdir(mode=0o700)
    plans = plans_for(m1)
    with (
        hub_from(HUB_CONFIG, private, names, password, settings) as hub,
        running_ngshare(ngshare_disk, ngshare_port, hub.api_url, setup.token, setup.ngshare_admins) as ng,
        chromium() as browser,
    ):
        term = Term(instructor, learners, ng)
        people: dict[str, Learner] = {}
        for role, user in users.items():
            no_news_question(user.home)
            people[role] = Learner(browser, hub.url, user.name, "cps-course", SLUG)
            people[role].log_in(admin_password if role == "instructor" else password)  # all start at once
        try:
            the_term(term, hub, people, plans, address)
        except Exception as problem:
            shots = [person.screenshot(private) for person in people.values()]
            last = term.typed[-3:]
            typed = "\n".join(f"$ {t.command} ({t.seconds:.0f} s)\n{t.output[-1500:]}" for t in last)
            raise RuntimeError(
                f"Screens: {shots}.\nThe instructor's last commands:\n{typed}\n"
                f"JupyterHub's log ends:\n{hub.log_tail()}\nngshare's log ends:\n{ng.log_tail()}"
            ) from problem
        finally:
            for person in people.values():
                person.close()
    return term


@pytest.fixture(scope="module")
def users() -> Iterator[dict[str, UnixUser]]:
    """An instructor and two learners, new Unix users (``cpsteach`` + 6 hex digits, ...), removed after."""
    reason = why_not_possible()
    if reason:
        pytest.skip(reason)
    prefixes = ["cpsteach", *(f"cpsngs_{role}" for role in ROLES)]
    with python_reachable(), unix_users(prefixes) as made:
        reason = why_learners_cannot_run_the_course(made[0])
        if reason:
            pytest.skip(reason)
        yield dict(zip(["instructor", *ROLES], made, strict=True))


@pytest.fixture(scope="module")
def term(tmp_path_factory: pytest.TempPathFactory, m1: dict, users: dict[str, UnixUser]) -> Iterator[Term]:
    # Readable by every server (the settings) and the instructor (the repository), in /tmp.
    shared = Path(tempfile.mkdtemp(prefix="ngshare-cohort-"))
    try:
        shared.chmod(0o755)
        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(run_term, tmp_path_factory.mktemp("ngshare"), shared, users, m1).result()
        yield done
    finally:
        shutil.rmtree(shared, ignore_errors=True)


# --- what the term shows -------------------------------------------------------------------


def gradebook(term: Term) -> Gradebook:
    return Gradebook(f"sqlite:///{term.course / 'gradebook.db'}")


def test_step_5_shows_the_hub_reaches_ngshare(term: Term) -> None:
    assert json.loads(term.health) == {"success": True}
    assert '`{"success": true}`' in section("Part A: set up")


def test_every_command_of_part_b_was_typed_as_the_guide_gives_it(term: Term) -> None:
    in_guide = [line for block in part_b_blocks() for line in block]
    needed = ("python -m course.instructor_tools", "python -m course.release", "create_course", "add_student")
    for words in needed:
        assert any(words in line for line in in_guide), f"Part B does not say {words!r}: {in_guide}"
    assert term.guide_lines_run == in_guide
    assert all(typed.returncode == 0 for typed in term.typed)


def test_course_management_finds_ngshare_through_the_documented_settings(term: Term) -> None:
    said = term.output_of("ngshare-course-management")
    assert "Cannot determine ngshare URL" not in said
    assert "Successfully created cps-course" in said
    # What the guide says add_student answers, and add_students for the CSV file's learner.
    assert f"Successfully added/updated {term.name('a')} on cps-course" in said
    assert f"{term.name('b')} was successfully added to cps-course" in said
    assert "add_instructor" in term.output_of("ngshare-course-management --help")


def test_learners_added_by_the_guides_commands_are_in_the_gradebook_with_their_names(term: Term) -> None:
    with gradebook(term) as gb:
        for role in ROLES:
            student = gb.find_student(term.name(role))
            assert (student.first_name, student.last_name) == NAMES[role]


def test_release_made_every_module_and_ngshare_carried_module_1(term: Term) -> None:
    """``python -m course.release`` prints one line per module, as step 6 says; each learner's
    fetched notebook is the one it made."""
    modules = sorted(p.name for p in (term.course / "solutions").iterdir() if p.is_dir())
    said = term.output_of("python -m course.release")
    for number, name in enumerate(modules, start=1):
        assert f"Releasing {name} ({number} of {len(modules)})" in said
    for role in ROLES:
        fetched = term.learners[role].home / SLUG / f"{NOTEBOOK}.ipynb"
        assert fetched.read_bytes() == (term.course / "modules" / SLUG / f"{NOTEBOOK}.ipynb").read_bytes()


def test_each_submission_is_the_answers_the_learner_saved(term: Term) -> None:
    for role in ROLES:
        submitted = term.course / "submitted" / term.name(role) / SLUG / "answers.json"
        entries = json.loads(submitted.read_text(encoding="utf-8"))["answers"]
        assert {item: entry["value"] for item, entry in entries.items()} == term.saved[role]
        assert term.saved[role]["m1.r1"] == REFLECTIONS[role]


def test_every_score_is_exact(term: Term, m1: dict) -> None:
    plans = plans_for(m1)
    with gradebook(term) as gb:
        for role in ROLES:
            found = gb.find_submission(SLUG, term.name(role))
            assert found.score == expected_score(m1, plans[role], REFLECTION_POINTS[role]), term.name(role)
            assert not found.needs_manual_grade


def test_export_lists_each_learner_once_with_their_score(term: Term) -> None:
    with (term.course / "grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["assignment"] == SLUG]
    with gradebook(term) as gb:
        scores = {term.name(r): gb.find_submission(SLUG, term.name(r)).score for r in ROLES}
    assert {row["student_id"]: float(row["score"]) for row in rows} == scores


def test_feedback_is_made_for_each_learner_once_their_reflection_is_graded(term: Term) -> None:
    said = term.output_of("nbgrader generate_feedback")
    for role in ROLES:
        assert f"[course] {term.name(role)}: feedback made" in said, said
    assert "Held back" not in said


def test_each_learner_fetches_only_their_own_feedback(term: Term) -> None:
    for role in ROLES:
        pages = term.feedback_fetched[role]
        assert len(pages) == 1, f"{term.name(role)} has feedback files {pages}"
        made_for_them = term.course / "feedback" / term.name(role) / SLUG / f"{NOTEBOOK}.html"
        assert pages[0].read_bytes() == made_for_them.read_bytes()
        text = html.unescape(pages[0].read_text(encoding="utf-8"))
        assert REFLECTIONS[role] in text
        assert REFLECTIONS[term.other(role)] not in text
        assert "score(" not in text and "MARK SCHEME" not in text


def test_the_work_passed_through_ngshares_disk_and_no_exchange_folder(term: Term) -> None:
    stored = [p for p in term.ngshare.storage.rglob("*") if p.is_file()]
    for role in ROLES:
        holding = [p for p in stored if REFLECTIONS[role].encode() in p.read_bytes()]
        assert holding, f"{term.name(role)}'s submission should be on ngshare's disk"
        seen = what_user_can_read(term.learners[role], [term.ngshare.storage, term.ngshare.database])
        assert set(seen.values()) == {"denied"}, seen
    if FOLDER_EXCHANGE.exists():  # another test's exchange may be here; nothing of this term's is
        names = [term.name(role) for role in ROLES]
        used = [p for p in FOLDER_EXCHANGE.rglob("*") if any(name in p.name for name in names)]
        assert used == [], used

