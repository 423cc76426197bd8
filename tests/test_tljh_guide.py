"""A trainer sets up, runs and grades a cohort on a TLJH-style hub from the guide alone.

The hub is built the way docs/instructors/tljh.md's Part A leaves a Littlest JupyterHub
(tests/hub/tljh_hub_config.py): JupyterHub from this venv on 127.0.0.1 with
configurable-http-proxy, FirstUseAuthenticator (a user's first password becomes theirs; only
admins and users an admin added may log in), and JupyterHub's LocalProcessSpawner starting
each server as the Unix user ``jupyter-<hub name>``, made with useradd: an instructor who is
the hub's admin and a learner. Every server runs a stand-in for TLJH's user environment
(tests/hub/user_env.py). The instructor may use sudo, as TLJH's admins may (a sudoers rule
for this run only). TLJH's own folders are the test's: the set-up script's TLJH_* variables
point it at them, and the guide's other commands are typed with the test's folders in
place of /etc/jupyter, /opt/tljh/user and /opt/tljh/config.

Then, in headless Chromium, everything a trainer and a learner do:

- the instructor logs in, opens *File → New → Terminal*, and types every command of the guide
  (tljh.md from Part B on, running-a-cohort.md, and known-problems.md's feedback check) as it
  is written: the clone (from a copy of this repository, there being no network), the set-up
  script with sudo, ``python -m course.instructor_tools``, then a restart of their server from
  the Hub Control Panel, ``python -m course.release``, adding the learner's name to the
  gradebook, releasing Module 0, My progress and Module 1, collecting, autograding, making,
  releasing and checking feedback, and exporting grades;
- the instructor adds the learner in the hub's admin page and grades the reflection in
  formgrader, opened in its own tab as the guide says;
- the learner logs in, fetches Module 1 from the Assignments panel, answers, submits, and
  fetches their feedback; they also fetch My progress and see Module 1 counted.

Proves: each command ends well and does what the guide says it does (checked on disk, in the
gradebook and on screen); the set-up leaves nothing owned by root in the instructor's folder,
installs the course into the user environment, and makes the learner's home private; after
step 8 and a restart the instructor has formgrader (its page lists every module) and its menu
item and Create Assignment, and the learner has neither; feedback waits for the reflection to
be graded, as the guide says; the learner's score is exactly what their clicks earn plus the
reflection's points; every warning nbgrader prints on the way is one the guide explains; and
every command in those guides was typed (a command that only TLJH itself can run is named,
with the reason).

Skipped, saying why, when not root, without useradd, runuser or sudo, or when a new Unix
user cannot run this venv's Python. Takes three to four and a half minutes on a busy 2-core
machine, a minute and a half of it ``python -m course.release`` (every module); what a failed
run saw is kept in artifacts/tljh/ (the hub's log, screenshots, the terminal's screens, the
steps with their times).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT
from hub.learner import LETTERS, Learner, no_news_question
from hub.server import running_hub
from hub.terminal import PROMPT, Ran, Terminal, watch_commands
from hub.unix_users import (
    UnixUser,
    add_user,
    python_reachable,
    remove_user,
    unique_name,
    why_learners_cannot_run_the_course,
    why_not_possible,
)
from hub.user_env import make_user_env
from lab_server import chromium
from nbgrader.api import Gradebook
from playwright.sync_api import Browser, BrowserContext, Page, expect

from course import check_texts as say
from course.instructor_tools import FORMGRADER, LAB_PLUGINS
from course.items import all_modules, module_title

GUIDE = ROOT / "docs" / "instructors"
HUB_CONFIG = ROOT / "tests" / "hub" / "tljh_hub_config.py"
SLUG = "01-shared-lived-experience"
START_HERE = "00-start-here"
MY_PROGRESS = next(p.name for p in sorted((ROOT / "solutions").iterdir()) if p.name.endswith("-my-progress"))
MODULES = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))
COURSE_ID = "cps-course"  # the course's own, as a trainer's clone has it
REFLECTION = "I would share a short part of my story, then ask what has helped them so far."
REFLECTION_POINTS = 2
# TLJH's real places in the guide's commands, and the learner's name in its examples.
TLJH_PLACES = ("/etc/jupyter", "/opt/tljh/user", "/opt/tljh/config")
EXAMPLE_LEARNER = "arivera"
# Guide commands this hub cannot run, and why.
NOT_HERE = {
    "sudo tljh-config reload": "it restarts TLJH's own hub service; the test's hub is not TLJH's",
}
# What sudo keeps for the instructor: the variables that point the set-up at the test's folders.
KEPT_THROUGH_SUDO = ("TLJH_USER_ENV", "TLJH_EXCHANGE", "TLJH_ETC_JUPYTER", "TLJH_LOGIN_DEFS")
SERVER_START_MS = 120_000
ARTIFACTS = ROOT / "artifacts" / "tljh"


@dataclass(frozen=True)
class Places:
    """The test's stand-ins for TLJH's folders, and the course repository to clone."""

    user_env: Path
    exchange: Path
    etc_jupyter: Path
    login_defs: Path
    tljh_config: Path
    repository: Path

    def variables(self) -> dict[str, str]:
        return {
            "TLJH_USER_ENV": str(self.user_env),
            "TLJH_EXCHANGE": str(self.exchange),
            "TLJH_ETC_JUPYTER": str(self.etc_jupyter),
            "TLJH_LOGIN_DEFS": str(self.login_defs),
        }

    def instead_of(self) -> dict[str, str]:
        """TLJH's folder -> the test's, for the guide's commands."""
        return dict(
            zip(TLJH_PLACES, (str(self.etc_jupyter), str(self.user_env), str(self.tljh_config)), strict=True)
        )


@dataclass
class Term:
    """What happened, for the tests below to check."""

    instructor: UnixUser
    learner: UnixUser
    places: Places
    ran: list[Ran] = field(default_factory=list)
    guide_lines: dict[str, str] = field(default_factory=dict)  # guide line -> line typed
    seen: dict[str, Any] = field(default_factory=dict)

    @property
    def course(self) -> Path:
        return self.instructor.home / "cps-course"

    def hub_name(self, user: UnixUser) -> str:
        return user.name.removeprefix("jupyter-")


# --- The guide's commands ---------------------------------------------------------------


def code_blocks(markdown: str) -> list[str]:
    """The command lines of a page's fenced ```bash blocks (comments and blank lines left out)."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", markdown, re.S):
        lines += [
            line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")
        ]
    return lines


def guide_commands() -> list[str]:
    """Every command a trainer types on a TLJH hub: tljh.md from Part B on, running-a-cohort.md,
    and known-problems.md's check that feedback is clean."""
    tljh = (GUIDE / "tljh.md").read_text(encoding="utf-8")
    cohort = (GUIDE / "running-a-cohort.md").read_text(encoding="utf-8")
    known = (GUIDE / "known-problems.md").read_text(encoding="utf-8")
    feedback_check = [line for line in code_blocks(known) if "grep" in line and "feedback/" in line]
    return code_blocks(tljh[tljh.index("## Part B") :]) + code_blocks(cohort) + feedback_check


def as_typed(line: str, places: Places, learner: str) -> str:
    """A guide line as the test types it: the test's folders and names in place of the examples."""
    for real, ours in places.instead_of().items():
        line = line.replace(real, ours)
    line = line.replace("<the course repository's address>", str(places.repository))
    return line.replace(EXAMPLE_LEARNER, learner)


class Guide:
    """The guide's commands as the test types them, each with the line the guide has."""

    def __init__(self, places: Places, learner: str):
        self.places, self.learner = places, learner
        self.lines = {as_typed(line, places, learner): line for line in guide_commands()}

    def line(self, start: str) -> str:
        """The guide command (as typed) that is ``start``, or the one that starts with it."""
        if start in self.lines:
            return start
        found = [typed for typed in self.lines if typed.startswith(start)]
        assert len(found) == 1, f"the guide should have one command starting {start!r}: {found}"
        return found[0]


# --- The machine: users, folders, sudo, the hub ------------------------------------------


@contextmanager
def tljh_users() -> Iterator[tuple[UnixUser, UnixUser]]:
    """The instructor (``jupyter-cpsadm…``) and a learner (``jupyter-arivera…``), bash as their shell.

    The learner's home is made open to all (mode 0755), as Debian's useradd makes it before the
    set-up script runs, so the test can see the script make it private.
    """
    made: list[UnixUser] = []
    try:
        made.append(add_user(unique_name("jupyter-cpsadm"), shell="/bin/bash"))
        made.append(add_user(unique_name(f"jupyter-{EXAMPLE_LEARNER}"), shell="/bin/bash", home_mode=0o755))
        yield made[0], made[1]
    finally:
        problems = [p for p in (remove_user(user) for user in made) if p]
        if problems:
            raise RuntimeError("; ".join(problems))


@contextmanager
def sudo_for(user: UnixUser) -> Iterator[None]:
    """Passwordless sudo for the instructor, as TLJH gives its admins, for this run only.

    sudo keeps the TLJH_* variables, so the set-up script typed as the guide has it uses the
    test's folders.
    """
    rule = Path("/etc/sudoers.d") / f"cps-tljh-test-{secrets.token_hex(3)}"
    rule.write_text(
        f'Defaults:{user.name} env_keep += "{" ".join(KEPT_THROUGH_SUDO)}"\n'
        f"{user.name} ALL = (ALL) NOPASSWD: ALL\n",
        encoding="utf-8",
    )
    rule.chmod(0o440)
    try:
        checked = subprocess.run(["visudo", "-cf", str(rule)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        yield
    finally:
        rule.unlink(missing_ok=True)


def course_repository(folder: Path, owner: UnixUser) -> Path:
    """A bare git repository of this working tree (its committed and new files, as they are now).

    It belongs to the instructor: git refuses to read a repository another user owns.
    """
    work = folder / "work"
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / name)
    who = ["-c", "user.name=Course", "-c", "user.email=course@example.org"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "The course"]):
        subprocess.run(["git", *who, *args], cwd=work, check=True)
    bare = folder / "cps-course.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    for path in [bare, *bare.rglob("*")]:
        os.lchown(path, owner.uid, owner.gid)
    return bare


def prepare_places(shared: Path, instructor: UnixUser) -> Places:
    login_defs = shared / "login.defs"
    shutil.copy("/etc/login.defs", login_defs)
    tljh_config = shared / "opt-tljh-config"
    (tljh_config / "jupyterhub_config.d").mkdir(parents=True)
    return Places(
        user_env=make_user_env(shared / "opt-tljh-user"),
        exchange=shared / "srv-nbgrader-exchange",
        etc_jupyter=shared / "etc-jupyter",
        login_defs=login_defs,
        tljh_config=tljh_config,
        repository=course_repository(shared / "repository", instructor),
    )


def prepare_home(user: UnixUser) -> None:
    no_news_question(user.home)
    watch_commands(user.home)


# --- The browser --------------------------------------------------------------------------


class Person:
    """Someone at their own browser window: log in, JupyterLab, the Hub Control Panel."""

    def __init__(self, browser: Browser, hub_url: str, user: UnixUser):
        self.browser, self.hub_url, self.user = browser, hub_url, user
        self.name = user.name.removeprefix("jupyter-")
        self.password = secrets.token_urlsafe(12)
        self.context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(60_000)

    def log_in(self) -> None:
        """The hub's login form; with FirstUseAuthenticator the first password becomes theirs."""
        self.page.goto(f"{self.hub_url}/hub/login")
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", self.password)
        self.page.click("#login_submit")

    def wait_for_lab(self) -> None:
        self.page.wait_for_url(f"**/user/{self.name}/lab**", timeout=SERVER_START_MS)
        self.page.wait_for_selector("#jp-main-dock-panel .lm-TabBar-tab", timeout=60_000)

    def menu_commands(self, top: str) -> list[str]:
        """The commands of one JupyterLab menu that it shows (a plugin turned off leaves none)."""
        self.page.locator(f'#jp-menu-panel .lm-MenuBar-itemLabel:text-is("{top}")').click()
        shown = self.page.locator(".lm-Menu li[data-command]:visible")
        expect(shown.first).to_be_visible()
        commands = [item.get_attribute("data-command", timeout=10_000) or "" for item in shown.all()]
        self.page.keyboard.press("Escape")
        return commands

    def plugins_off(self) -> set[str]:
        """The JupyterLab plugins this user's page is told to leave off (its page config)."""
        config = json.loads(self.page.locator("#jupyter-config-data").text_content() or "{}")
        off = config.get("disabledExtensions", [])
        return {name for name, value in off.items() if value} if isinstance(off, dict) else set(off)

    def restart_server(self) -> None:
        """*File → Hub Control Panel → Stop My Server*, then *Start My Server*, as the guide says."""
        self.page.locator('#jp-menu-panel .lm-MenuBar-itemLabel:text-is("File")').click()
        with self.context.expect_page() as opened:
            self.page.locator('.lm-Menu li[data-command="hub:control-panel"]').click()
        panel = opened.value
        # The buttons work once the page's scripts have loaded; until the server has stopped,
        # the other button says "My Server" and opens the old one.
        panel.wait_for_load_state("networkidle")
        panel.locator("#stop").click()
        expect(panel.locator("#start")).to_have_text(re.compile("Start My Server"), timeout=SERVER_START_MS)
        panel.locator("#start").click()
        panel.wait_for_url(f"**/user/{self.name}/lab**", timeout=SERVER_START_MS)
        panel.close()
        self.page.reload()
        self.wait_for_lab()

    def status_of(self, path: str) -> int:
        """The HTTP status this user's browser gets for a page of their own server."""
        reply = self.context.request.get(f"{self.hub_url}/user/{self.name}/{path}")
        return reply.status

    def screenshot(self, folder: Path) -> Path:
        path = folder / f"{self.name}.png"
        with suppress(Exception):
            self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()


def add_user_in_admin_page(instructor: Person, name: str) -> None:
    """*Hub Control Panel → Admin → Add Users*: one name, *Admin* left unticked."""
    page = instructor.context.new_page()
    page.goto(f"{instructor.hub_url}/hub/admin#/add-users")
    page.locator("textarea").fill(name)
    page.get_by_role("button", name="Add Users").click()
    expect(page.get_by_test_id(f"user-name-div-{name}")).to_be_visible()
    page.close()


def formgrader_modules(instructor: Person) -> list[str]:
    """The modules formgrader's *Manage Assignments* lists, opened in its own tab."""
    page = instructor.context.new_page()
    page.goto(f"{instructor.hub_url}/user/{instructor.name}/formgrader")
    rows = page.locator("table tbody tr td:first-child a")
    expect(rows.first).to_be_visible(timeout=30_000)
    names = [text.strip() for text in rows.all_inner_texts()]
    page.close()
    return names


def grade_reflection_in_formgrader(instructor: Person, points: int) -> None:
    """*Manual Grading*, the module, the notebook, the one submission: the reflection's points.

    The field waiting for a score is marked ``needs_manual_grade``; once formgrader has saved the
    score, the mark goes.
    """
    page = instructor.context.new_page()
    page.goto(f"{instructor.hub_url}/user/{instructor.name}/formgrader/gradebook/{SLUG}/{SLUG}")
    page.get_by_role("link", name="Submission #1").click()
    waiting = page.locator("input.score.needs_manual_grade")
    expect(waiting).to_have_count(1, timeout=30_000)
    field = waiting.first
    field_id = field.get_attribute("id")
    field.fill(str(points))
    field.press("Tab")
    expect(page.locator(f"input.score#{field_id}")).not_to_have_class(
        re.compile("needs_manual_grade"), timeout=30_000
    )
    page.close()


# --- The term ------------------------------------------------------------------------------


def note(what: str) -> None:
    """One line in artifacts/tljh/steps.txt, with the time: where a slow or stuck run got to."""
    with (ARTIFACTS / "steps.txt").open("a", encoding="utf-8") as steps:
        steps.write(f"{time.strftime('%H:%M:%S')} {what}\n")


class Trainer:
    """The instructor at their terminal, typing the guide's commands in the guide's order."""

    def __init__(self, term: Term, guide: Guide, terminal: Terminal):
        self.term, self.guide, self.terminal = term, guide, terminal

    def start(self, start: str) -> tuple[str, int]:
        """Type the guide's command that starts so, and press Enter."""
        line = self.guide.line(start)
        self.term.guide_lines[self.guide.lines[line]] = line
        note(f"typing: {line}")
        return self.terminal.start(line)

    def finish(self, started: tuple[str, int], timeout: float = 120) -> Ran:
        """Wait for it; stop at once, with the screen, if it did not end well.

        grep ends with status 1 when it finds nothing, which is what the guide's check wants.
        """
        ran = self.terminal.finish(started, timeout)
        note(f"done, status {ran.status}: {ran.line}")
        self.term.ran.append(ran)
        wanted = 1 if ran.line.startswith("cd ~/cps-course && grep") else 0
        assert ran.status == wanted, f"{ran.line!r} ended with status {ran.status}; the screen:\n{ran.screen}"
        return ran

    def type(self, *starts: str, timeout: float = 120) -> None:
        for start in starts:
            self.finish(self.start(start), timeout)


def graded_items(m1: dict) -> list[dict]:
    return [i for i in m1["items"] if i["kind"] == "graded"]


def learners_answers(m1: dict) -> dict[str, str]:
    """Every graded question right except the first, which gets the first wrong option."""
    items = graded_items(m1)
    answers = {i["id"]: i["answer"] for i in items}
    answers[items[0]["id"]] = next(k for k in items[0]["options"] if k != items[0]["answer"])
    return answers


def option(m1: dict, item_id: str, key: str) -> tuple[str, str]:
    item = next(i for i in m1["items"] if i["id"] == item_id)
    return LETTERS[list(item["options"]).index(key)], item["options"][key]["text"]


def set_up_the_hub(term: Term, trainer: Trainer, instructor: Person) -> None:
    """tljh.md steps 6 to 8, and the server restart step 8 asks for."""
    trainer.type("git clone", "cd ~/cps-course && sudo bash", timeout=300)
    course = [term.course, *term.course.rglob("*")]
    term.seen["root_owned"] = [str(p.relative_to(term.course)) for p in course if p.lstat().st_uid == 0]
    term.seen["learner_home_mode"] = stat.S_IMODE(term.learner.home.stat().st_mode)
    trainer.type("cd ~/cps-course && python -m course.instructor_tools")
    note("the instructor restarts their server")
    instructor.restart_server()


def run_the_term(term: Term, browser: Browser, hub_url: str, shots: Path, m1: dict) -> None:
    """Everything the trainer and the learner do, in the guide's order."""
    instructor = Person(browser, hub_url, term.instructor)
    learner = Person(browser, hub_url, term.learner)
    terminal = Terminal(instructor.page, term.instructor.home)
    trainer = Trainer(term, Guide(term.places, learner.name), terminal)
    try:
        note("the instructor logs in")
        instructor.log_in()
        instructor.wait_for_lab()
        terminal.open()
        set_up_the_hub(term, trainer, instructor)
        terminal.open()
        term.seen["instructor_menu"] = instructor.menu_commands("Nbgrader")
        term.seen["instructor_plugins_off"] = instructor.plugins_off()
        # Step 9 takes a minute or two: meanwhile the instructor adds the learner (Part C),
        # who logs in and finds no grading tools, and then formgrader is checked (step 10).
        release = trainer.start("cd ~/cps-course && python -m course.release")
        note("the instructor adds the learner; the learner logs in")
        add_user_in_admin_page(instructor, learner.name)
        learner.log_in()
        learner.wait_for_lab()
        term.seen["learner_menu"] = learner.menu_commands("Nbgrader")
        term.seen["learner_plugins_off"] = learner.plugins_off()
        term.seen["learner_formgrader_status"] = learner.status_of("formgrader")
        trainer.finish(release, timeout=600)
        note("the instructor opens formgrader")
        term.seen["formgrader_lists"] = formgrader_modules(instructor)
        write_learners_csv(term)
        trainer.type("cd ~/cps-course", "nbgrader db student add", "nbgrader db student import")
        trainer.type(
            "sudo install -m 0644 ~/cps-course/scripts",
            "sudo cp -r",
            "sudo install -m 0644 ~/cps-course/docs",
        )
        # running-a-cohort.md
        trainer.type(
            f"nbgrader release_assignment {START_HERE}",
            f"nbgrader release_assignment {MY_PROGRESS}",
            "nbgrader db assignment add",
            "nbgrader generate_assignment",
            f"nbgrader release_assignment {SLUG}",
        )
        note("the learner takes Module 1")
        take_module_1(term, learner, m1)
        trainer.type("nbgrader collect", "nbgrader autograde", f"nbgrader generate_feedback {SLUG}")
        term.seen["feedback_held"] = feedback_page(term).exists()
        trainer.type("FEEDBACK_BEFORE_HAND_GRADING=yes")
        term.seen["feedback_before_grading"] = feedback_page(term).read_text(encoding="utf-8")
        note("the instructor grades the reflection in formgrader")
        grade_reflection_in_formgrader(instructor, REFLECTION_POINTS)
        trainer.type(
            f"nbgrader generate_feedback {SLUG} --force",
            "nbgrader release_feedback",
            "nbgrader export",
            "cd ~/cps-course && grep",
        )
        note("the learner fetches feedback")
        as_learner(learner).fetch_feedback()
    except Exception as problem:
        shots.mkdir(parents=True, exist_ok=True)
        pictures = [person.screenshot(shots) for person in (instructor, learner)]
        raise RuntimeError(f"Screens: {pictures}") from problem
    finally:
        for person in (instructor, learner):
            person.close()


def feedback_page(term: Term) -> Path:
    return term.course / "feedback" / term.learner.name / SLUG / f"{SLUG}.html"


def write_learners_csv(term: Term) -> None:
    """The CSV file Part C's last command imports: the learner's names and email."""
    path = term.course / "learners.csv"
    path.write_text(f"id,first_name,last_name,email\n{term.learner.name},Alex,Rivera,alex@example.org\n")
    os.chown(path, term.instructor.uid, term.instructor.gid)


def as_learner(person: Person) -> Learner:
    """The cohort test's learner moves (tests/hub/learner.py), in this person's window."""
    return Learner(person.browser, person.hub_url, person.name, COURSE_ID, SLUG, page=person.page)


def take_module_1(term: Term, person: Person, m1: dict) -> None:
    """The learner fetches Module 1 from the Assignments panel, answers it and submits it."""
    learner = as_learner(person)
    learner.open_assignments()
    learner.fetch()
    learner.open_notebook(expected_items=len(m1["items"]))
    for item_id, key in learners_answers(m1).items():
        learner.choose(item_id, *option(m1, item_id, key))
    learner.write("m1.r1", REFLECTION)
    learner.submit()
    term.seen["saved"] = json.loads((term.learner.home / SLUG / "answers.json").read_text(encoding="utf-8"))
    term.seen["my_progress_row"] = my_progress_row(person)


def my_progress_row(person: Person) -> str:
    """The learner fetches My progress, runs it, and reads its row for Module 1."""
    progress = Learner(person.browser, person.hub_url, person.name, COURSE_ID, MY_PROGRESS, page=person.page)
    progress.tab("Assignments")
    progress.fetch()
    page = person.page
    page.locator("#fetched_assignments_list > .list_item", has_text=MY_PROGRESS).locator(
        "a.assignment-notebooks-link"
    ).click()
    page.locator(f'#nbgrader-{COURSE_ID}-{MY_PROGRESS} .item_name a:text-is("{MY_PROGRESS}")').click()
    # The status bar speaks of the notebook on show: Module 1's, until My progress's tab is.
    expect(page.locator(".jp-StatusBar-TextItem", has_text=f"{MY_PROGRESS}.ipynb")).to_have_count(1)
    progress.wait_for_kernel()
    progress.menu("Run", "runmenu:run-all")
    table = page.locator(".jp-NotebookPanel:visible table", has_text=say.PROGRESS_TABLE_CAPTION)
    row = table.locator("tr", has_text=module_title(all_modules()["m1"]))
    expect(row).to_be_visible(timeout=90_000)
    return row.inner_text()


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def term(tmp_path_factory: pytest.TempPathFactory, m1: dict) -> Iterator[Term]:
    reason = why_not_possible() or (None if shutil.which("sudo") else "sudo is not installed")
    if reason:
        pytest.skip(reason)
    private = tmp_path_factory.mktemp("tljh")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "steps.txt").write_text("", encoding="utf-8")
    shared = Path(tempfile.mkdtemp(prefix="tljh-guide-", dir="/tmp"))
    try:
        shared.chmod(0o755)
        with python_reachable(), tljh_users() as (instructor, learner), sudo_for(instructor):
            reason = why_learners_cannot_run_the_course(learner)
            if reason:
                pytest.skip(reason)
            for user in (instructor, learner):
                prepare_home(user)
            places = prepare_places(shared, instructor)
            record = Term(instructor, learner, places)
            try:
                # In a thread of its own, so a Playwright another test file keeps open cannot clash.
                with ThreadPoolExecutor(1) as pool:
                    pool.submit(run_with_hub, record, private, places.variables(), m1).result()
            finally:
                write_transcript(record)
            yield record
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def write_transcript(record: Term) -> None:
    """Every line typed, its status and the screen after it, in artifacts/tljh/terminal.txt."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    parts = [f"$ {ran.line}\n(status {ran.status})\n{ran.screen}\n" for ran in record.ran]
    (ARTIFACTS / "terminal.txt").write_text("\n".join(parts), encoding="utf-8")


def run_with_hub(record: Term, private: Path, more_env: dict[str, str], m1: dict) -> None:
    """The hub and the browser for the whole term; on a failure, their last words and pictures
    are kept in artifacts/tljh/ (git-ignored)."""
    admin = record.hub_name(record.instructor)
    hub_args = (private, [admin], "unused", record.places.exchange, COURSE_ID, HUB_CONFIG, more_env)
    with running_hub(*hub_args) as hub, chromium() as browser:
        try:
            run_the_term(record, browser, hub.url, ARTIFACTS, m1)
        except Exception as problem:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(hub.log, ARTIFACTS / "jupyterhub.log")
            raise RuntimeError(
                f"JupyterHub's log (all of it in {ARTIFACTS}) ends:\n{hub.log_tail()}"
            ) from problem


# --- What the trainer and the learner saw ------------------------------------------------------


def screen_of(term: Term, start: str) -> str:
    """What the terminal showed after the typed line that is ``start``, or else the last that starts so."""
    found = [ran for ran in term.ran if ran.line == start] or [
        ran for ran in term.ran if ran.line.startswith(start)
    ]
    assert found, f"nothing typed starts {start!r}: {[ran.line for ran in term.ran]}"
    return found[-1].screen


def guide_line(term: Term, start: str) -> str:
    """The guide command, as typed, that starts so."""
    found = [typed for typed in term.guide_lines.values() if typed.startswith(start)]
    assert len(found) == 1, found
    return found[0]


def printed(screen: str) -> list[str]:
    """The lines a command printed: the screen less its prompt lines."""
    return [row.strip() for row in screen.splitlines() if row.strip() and not PROMPT.match(row)]


def test_every_command_in_the_guide_was_typed_as_written(term: Term) -> None:
    left = [line for line in guide_commands() if line not in term.guide_lines and line not in NOT_HERE]
    assert left == []
    for line, as_run in term.guide_lines.items():
        assert as_run == as_typed(line, term.places, term.hub_name(term.learner))
        assert as_run in [ran.line for ran in term.ran], line


def test_the_guide_names_what_it_cannot_run_here() -> None:
    assert set(NOT_HERE) <= set(guide_commands())


def test_setup_script_says_each_step_and_skips_tljh_config_kindly(term: Term) -> None:
    said = printed(screen_of(term, "cd ~/cps-course && sudo bash"))
    steps = [line for line in said if re.match(r"\d\. ", line)]
    assert [line[0] for line in steps] == list("123456"), said
    assert any("tljh-config is not on this server" in line for line in said), said
    assert said[-1].startswith("Done. Next, step 8"), said


def test_setup_leaves_nothing_owned_by_root_in_the_course_folder(term: Term) -> None:
    assert term.seen["root_owned"] == []


def test_setup_installs_the_course_for_every_learner(term: Term) -> None:
    installed = list((term.places.user_env / "lib").glob("python3*/site-packages/course/instructor_tools.py"))
    assert len(installed) == 1
    assert installed[0].read_bytes() == (ROOT / "course" / "instructor_tools.py").read_bytes()


def test_setup_makes_the_exchange_and_the_hub_wide_settings(term: Term) -> None:
    exchange = term.places.exchange
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o1777
    assert (exchange / COURSE_ID / "outbound" / SLUG).is_dir()
    settings = (term.places.etc_jupyter / "nbgrader_config.py").read_text(encoding="utf-8")
    assert f'c.Exchange.root = "{exchange}"' in settings
    assert 'c.CourseDirectory.course_id = "cps-course"' in settings


def test_setup_makes_learners_homes_private_now_and_later(term: Term) -> None:
    assert term.seen["learner_home_mode"] == 0o700
    assert re.search(r"^HOME_MODE\s+0700$", term.places.login_defs.read_text(), re.M)


def test_setup_hides_and_locks_the_tools_for_everyone(term: Term) -> None:
    etc = term.places.user_env / "etc" / "jupyter"
    server = json.loads((etc / "jupyter_server_config.d" / f"{FORMGRADER}.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {FORMGRADER: False}
    page = json.loads((etc / "labconfig" / "page_config.json").read_text())
    for plugin in LAB_PLUGINS:
        assert page["disabledExtensions"][plugin] is True
        assert page["lockedExtensions"][plugin] is True


def test_step_8_gives_the_instructor_formgrader_and_create_assignment(term: Term) -> None:
    said = printed(screen_of(term, "cd ~/cps-course && python -m course.instructor_tools"))
    assert said[0] == "Your grading tools are on, for you only:", said
    assert "restart your server" in said[-1]
    menu = term.seen["instructor_menu"]
    assert "nbgrader:open-formgrader" in menu and "nbgrader:open-create-assignment" in menu, menu
    assert not set(LAB_PLUGINS) & term.seen["instructor_plugins_off"]


def test_formgrader_lists_every_module(term: Term) -> None:
    assert [name for name in term.seen["formgrader_lists"] if not name.startswith("Add new")] == MODULES


def test_learners_have_no_formgrader_and_no_create_assignment(term: Term) -> None:
    assert term.seen["learner_formgrader_status"] == 404
    assert set(LAB_PLUGINS) <= term.seen["learner_plugins_off"]
    menu = term.seen["learner_menu"]
    assert "nbgrader:open-assignment-list" in menu
    assert not {"nbgrader:open-formgrader", "nbgrader:open-create-assignment"} & set(menu), menu


def test_release_says_one_line_per_module(term: Term) -> None:
    said = printed(screen_of(term, "cd ~/cps-course && python -m course.release"))
    for number, name in enumerate(MODULES, start=1):
        assert f"Releasing {name} ({number} of {len(MODULES)})…" in said
    assert said[-1].startswith(f"Done: {len(MODULES)} module(s)")


def test_names_and_due_date_reach_the_gradebook(term: Term) -> None:
    due = re.search(r'--duedate="([^"]+) (\S+)"', guide_line(term, "nbgrader db assignment add"))
    assert due
    expected = datetime.fromisoformat(due.group(1)).replace(tzinfo=ZoneInfo(due.group(2)))
    with Gradebook(f"sqlite:///{term.course / 'gradebook.db'}", COURSE_ID) as gradebook:
        student = gradebook.find_student(term.learner.name)
        assert (student.first_name, student.last_name, student.email) == (
            "Alex",
            "Rivera",
            "alex@example.org",
        )
        stored = gradebook.find_assignment(SLUG).duedate
    assert stored.replace(tzinfo=ZoneInfo("UTC")) == expected


def test_start_here_my_progress_and_module_1_are_released(term: Term) -> None:
    outbound = term.places.exchange / COURSE_ID / "outbound"
    assert sorted(p.name for p in outbound.iterdir()) == sorted([START_HERE, MY_PROGRESS, SLUG])
    assert f"`{MY_PROGRESS}`" in (GUIDE / "running-a-cohort.md").read_text(encoding="utf-8")


def test_my_progress_on_the_hub_counts_the_learners_module_1_answers(term: Term, m1: dict) -> None:
    questions = [i for i in m1["items"] if i["kind"] in ("practice", "graded", "reflection")]
    answered = len(learners_answers(m1)) + 1  # and the reflection
    assert say.PROGRESS_COUNT.format(done=answered, total=len(questions)) in term.seen["my_progress_row"]


def test_every_click_of_the_learner_was_saved_and_collected(term: Term, m1: dict) -> None:
    saved = {item: entry["value"] for item, entry in term.seen["saved"]["answers"].items()}
    assert {k: saved.get(k) for k in learners_answers(m1)} == learners_answers(m1)
    assert saved["m1.r1"] == REFLECTION
    collected = json.loads(
        (term.course / "submitted" / term.learner.name / SLUG / "answers.json").read_text()
    )
    assert collected["answers"] == term.seen["saved"]["answers"]


def clicked_points(m1: dict) -> int:
    answers = learners_answers(m1)
    return sum(i["points"] for i in graded_items(m1) if answers[i["id"]] == i["answer"])


def total_points(m1: dict) -> int:
    return sum(i["points"] for i in m1["items"] if i["kind"] in ("graded", "reflection"))


def test_autograde_says_one_course_line_for_the_learner(term: Term, m1: dict) -> None:
    said = printed(screen_of(term, "nbgrader autograde"))
    mine = f"[course] {term.learner.name}: {clicked_points(m1)} of {total_points(m1)} points so far"
    assert any(line.startswith(mine) and "reflection to grade in formgrader" in line for line in said), said
    assert "[course] Autograde finished: 1 submission(s) graded from their answers files." in said


def test_feedback_waits_for_the_reflection_as_the_guide_says(term: Term, m1: dict) -> None:
    held = printed(screen_of(term, f"nbgrader generate_feedback {SLUG}"))
    assert f"[course] {term.learner.name}: no feedback yet; their reflection still needs grading." in held
    assert term.seen["feedback_held"] is False
    early = printed(screen_of(term, "FEEDBACK_BEFORE_HAND_GRADING=yes"))
    assert (
        f"[course] {term.learner.name}: feedback made ({clicked_points(m1)} of {total_points(m1)})." in early
    )
    early_page = " ".join(html.unescape(term.seen["feedback_before_grading"]).split())
    assert f"Reflection 1: {say.FEEDBACK_NOT_GRADED}" in early_page, "the page says it is not graded, not 0"


def test_feedback_after_grading_has_the_reflections_points(term: Term, m1: dict) -> None:
    total = clicked_points(m1) + REFLECTION_POINTS
    said = printed(screen_of(term, f"nbgrader generate_feedback {SLUG} --force"))
    assert f"[course] {term.learner.name}: feedback made ({total} of {total_points(m1)})." in said


def test_the_learner_fetches_their_own_feedback(term: Term) -> None:
    pages = sorted((term.learner.home / SLUG / "feedback").rglob("*.html"))
    assert len(pages) == 1
    made = term.course / "feedback" / term.learner.name / SLUG / f"{SLUG}.html"
    assert pages[0].read_bytes() == made.read_bytes()
    text = " ".join(html.unescape(pages[0].read_text(encoding="utf-8")).split())
    assert " ".join(REFLECTION.split()) in text
    assert f"Reflection 1: {REFLECTION_POINTS:g} of 3" in text
    assert not [words for words in ("score(", "MARK SCHEME", "Test cell", "Out[") if words in text]


def test_known_problems_feedback_check_prints_nothing(term: Term) -> None:
    assert printed(screen_of(term, "cd ~/cps-course && grep")) == []


def test_export_has_the_learners_grade_and_name(term: Term, m1: dict) -> None:
    with open(term.course / "grades.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["student_id"] == term.learner.name]
    graded = next(row for row in rows if row["assignment"] == SLUG)
    assert float(graded["score"]) == clicked_points(m1) + REFLECTION_POINTS
    assert (graded["first_name"], graded["last_name"]) == ("Alex", "Rivera")
    progress = next(row for row in rows if row["assignment"] == MY_PROGRESS)
    assert float(progress["max_score"]) == 0


def test_app_view_settings_land_where_the_guide_puts_them(term: Term) -> None:
    shipped = ROOT / "scripts" / "jupyter" / "app-view" / "jupyter_server_config.json"
    assert (term.places.etc_jupyter / "jupyter_server_config.json").read_bytes() == shipped.read_bytes()
    assert (term.places.user_env / "share" / "jupyter" / "voila" / "templates" / "cps-course").is_dir()
    app_view = term.places.tljh_config / "jupyterhub_config.d" / "app-view.py"
    assert app_view.read_bytes() == (ROOT / "docs" / "deploy" / "tljh" / "app-view.py").read_bytes()


NBGRADER_LINE = re.compile(r"\[[A-Za-z]+App \| ([A-Z]+)\]")


def harmless_messages() -> list[str]:
    """What running-a-cohort.md calls harmless: its examples of nbgrader's lines, each up to its "…"."""
    text = (GUIDE / "running-a-cohort.md").read_text(encoding="utf-8")
    section = text[text.index("### nbgrader's own messages that are harmless") :]
    section = section[: section.index("\n## ")]
    examples = re.findall(r"`(\[[A-Za-z]+App \| [A-Z]+\][^`]*)`", re.sub(r"\s*\n\s*", " ", section))
    return [example.split("…")[0].strip() for example in examples]


def test_every_nbgrader_message_on_screen_is_one_the_guide_explains(term: Term) -> None:
    """INFO lines (the guide says all of them are harmless), and each WARNING the guide names."""
    explained = harmless_messages()
    assert "| INFO]" in " ".join(explained)
    lines = [line for ran in term.ran for line in printed(ran.screen)]
    shown = [(line, level) for line in lines if (level := next(iter(NBGRADER_LINE.findall(line)), None))]
    assert {level for _, level in shown} <= {"INFO", "WARNING"}, shown
    warnings = [line for line, level in shown if level == "WARNING"]
    assert warnings, "the guide's --force commands should have shown nbgrader's warnings"
    assert [line for line in warnings if not line.startswith(tuple(explained))] == []
    assert not [line for line in lines if "Traceback" in line]


def test_the_guides_course_lines_are_the_ones_printed(term: Term) -> None:
    """Each kind of [course] line the guide shows (names and numbers aside) is what a command printed."""
    text = (GUIDE / "running-a-cohort.md").read_text(encoding="utf-8")
    shown = [line for ran in term.ran for line in printed(ran.screen) if line.startswith("[course]")]
    generic = {re.sub(r"\d+", "N", line.replace(term.learner.name, "jupyter-arivera")) for line in shown}
    for example in re.findall(r"`(\[course\] [^`…]+)`", text):
        assert re.sub(r"\d+", "N", example) in generic, example


def test_step_8_typed_with_sudo_says_to_type_it_as_yourself() -> None:
    """Run as root, as a trainer who puts sudo in front would: a plain sentence, nothing written."""
    done = subprocess.run(
        [sys.executable, "-m", "course.instructor_tools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "without sudo" in done.stderr and "Traceback" not in done.stderr
