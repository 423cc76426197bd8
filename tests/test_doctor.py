"""``python -m course.doctor``: a trainer's one check finds each problem and says how to fix it.

The course is set up as a trainer has it on a hub, in a temporary home folder: a copy of the
repository at ``~/cps-course`` (the course package, Module 1's solutions, the settings), the
trainer's own ``~/.jupyter/nbgrader_config.py`` made from ``docs/deploy`` (with the exchange
folder a hub-wide file would name), an exchange folder open to everyone, the time zone set
with the guide's own command, ``python -m course.release`` (nbgrader's generate_assignment)
and a due date given as ``nbgrader db assignment add`` takes it. A real Jupyter server with
nbgrader's formgrader runs for the trainer on 127.0.0.1 under ``/user/trainer/`` with a token,
as a hub starts one, and the doctor runs with the variables a hub puts in a JupyterLab
terminal. Learners are real Unix users (useradd), checked through runuser as themselves.

Proves: the clean course passes (exit 0, "All is well."): formgrader really answered with
the course's module, a learner saved as themself, the due date (23:00 UTC in the gradebook)
shows as 5:00 PM CST. Then planted problems are each found with a fix, and typing the fix's
command (as root, so without "sudo") makes the check pass again: an exchange closed to
learners, formgrader turned off for the trainer, no time zone, a learner whose private folder
cannot be made, a learner who cannot save in their home. Also found: a missing exchange (its
fix makes it as nbgrader needs), an unknown learner, a server out of reach, an
``Exchange.timezone`` that shifts submission times; formgrader off and so absent from a
freshly started server; settings missing, broken on a line, pointing to a moved course, or
unreadable for a trainer who does not own them; ngshare answering and not answering.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT
from hub.ngshare_service import ngshare_python
from hub.unix_users import (
    UnixUser,
    add_user,
    python_reachable,
    remove_user,
    unix_users,
    why_learners_cannot_run_the_course,
    why_not_possible,
)
from lab_server import stop_lab
from local_server import free_port, jupyter_command, wait_until_up
from nbgrader.api import Gradebook
from trainer_guide import (
    DOCTOR,
    DOCTOR_LEARNER,
    GO_TO_COURSE,
    GUIDE_LEARNER,
    SET_ZONE,
    course_clone,
    trainer_env,
    trainer_folders,
    type_in_terminal,
)

SLUG = "01-shared-lived-experience"
PREFIX = "/user/trainer/"
FORMGRADER = "nbgrader.server_extensions.formgrader"
DUE = "2026-12-04 17:00:00 America/Chicago"


@dataclass
class Finding:
    kind: str
    text: str
    fix: str = ""
    command: str = ""


@dataclass
class Said:
    """What the doctor printed, read back into its findings."""

    returncode: int
    out: str
    findings: list[Finding] = field(default_factory=list)

    def of(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def problem(self, words: str) -> Finding:
        found = [f for f in self.of("PROBLEM") if words in f.text]
        assert len(found) == 1, f"expected one problem saying {words!r}:\n{self.out}"
        return found[0]


_KIND = re.compile(r"^  (ok|PROBLEM|note)\s+(.*)$")


def read_report(returncode: int, out: str) -> Said:
    said = Said(returncode, out)
    current: Finding | None = None
    in_fix = False
    for line in out.splitlines():
        start = _KIND.match(line)
        if start:
            current = Finding(start[1], start[2])
            said.findings.append(current)
            in_fix = False
        elif current and line.startswith(" " * 15) and in_fix:
            current.command = line.strip()
        elif current and line.startswith(" " * 11):
            body = line.strip()
            if body.startswith("What to do: "):
                in_fix, current.fix = True, body.removeprefix("What to do: ")
            elif in_fix:
                current.fix += " " + body
            else:
                current.text += " " + body
        else:
            current = None
    return said


def as_admin(command: str) -> str:
    """A fix as root types it: the same command without "sudo" (root needs none)."""
    return re.sub(r"(^|&& )sudo ", r"\1", command)


@dataclass
class Trainer:
    """The trainer's home, course and exchange, and how to run the doctor there."""

    base: Path
    home: Path
    course: Path
    exchange: Path

    @property
    def settings_file(self) -> Path:
        return self.home / ".jupyter" / "nbgrader_config.py"

    def doctor(
        self,
        *args: str,
        home: Path | None = None,
        cwd: Path | None = None,
        terminal: dict[str, str] | None = None,
    ) -> Said:
        done = subprocess.run(
            [sys.executable, "-m", "course.doctor", *args],
            cwd=cwd or self.course,
            env={**trainer_env(home or self.home), **(terminal or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
        return read_report(done.returncode, done.stdout)

    def fix(self, finding: Finding) -> None:
        """Type a problem's command as an admin would, in the trainer's home."""
        assert finding.command, f"no command to type for: {finding.text}"
        done = type_in_terminal(self.home, as_admin(finding.command))
        assert done.returncode == 0, f"{finding.command}\n{done.stdout}{done.stderr}"


def trainer_settings(course: Path, exchange: Path) -> str:
    """The instructor's ~/.jupyter/nbgrader_config.py from docs/deploy, pointed at this course,
    plus the exchange folder a hub-wide /etc/jupyter/nbgrader_config.py names."""
    text = (ROOT / "docs" / "deploy" / "instructor_nbgrader_config.py").read_text(encoding="utf-8")
    text = text.replace('COURSE = Path.home() / "cps-course"', f"COURSE = Path({str(course)!r})")
    assert str(course) in text, "the instructor settings no longer have a COURSE line to point"
    return text + f"\nc.Exchange.root = {str(exchange)!r}\n"


def must(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def trainer() -> Iterator[Trainer]:
    base, home, exchange = trainer_folders("trainer-doctor-test-")  # a trainer who is not root reaches them
    try:
        course = course_clone(home, [SLUG])
        setup = Trainer(base, home, course, exchange)
        setup.settings_file.parent.mkdir()
        setup.settings_file.write_text(trainer_settings(course, exchange), encoding="utf-8")
        must(type_in_terminal(home, SET_ZONE))
        must(type_in_terminal(home, GO_TO_COURSE, "python -m course.release"))
        must(type_in_terminal(home, GO_TO_COURSE, f'nbgrader db assignment add {SLUG} --duedate="{DUE}"'))
        yield setup
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def jupyter_server(home: Path, log: Path) -> Iterator[dict[str, str]]:
    """The trainer's own server, as a hub starts it: base URL /user/trainer/, a token, the
    trainer's settings. Yields what a hub puts in the environment of its terminals."""
    port, token = free_port(), secrets.token_hex(16)
    command = [
        f"--IdentityProvider.token={token}" if part == "--IdentityProvider.token=" else part
        for part in jupyter_command("server", home, port, f"--ServerApp.base_url={PREFIX}")
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=home, env=trainer_env(home), stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}{PREFIX}"
    try:
        wait_until_up(f"{url}api/status?token={token}", process, log, "Jupyter server", timeout=90)
        yield {
            "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
            "JUPYTERHUB_API_TOKEN": token,
            "JUPYTER_SERVER_URL": url,
            "JUPYTERHUB_USER": "trainer",
            "JUPYTER_SERVER_ROOT": str(home),
        }
    finally:
        stop_lab(process)


@pytest.fixture(scope="module")
def terminal(trainer: Trainer) -> Iterator[dict[str, str]]:
    with jupyter_server(trainer.home, trainer.base / "server.log") as env:
        yield env


@pytest.fixture(scope="module")
def learners() -> Iterator[dict[str, UnixUser]]:
    """Three learners: one whose saves work, and two to plant problems on."""
    why = why_not_possible()
    if why:
        pytest.skip(why)
    with python_reachable(), unix_users(["cpsdoc_ok", "cpsdoc_priv", "cpsdoc_home"]) as made:
        cannot = why_learners_cannot_run_the_course(made[0])
        if cannot:
            pytest.skip(cannot)
        yield dict(zip(("ok", "private", "home"), made, strict=True))


def test_a_course_set_up_cleanly_passes_every_check(
    trainer: Trainer, terminal: dict[str, str], learners: dict[str, UnixUser]
) -> None:
    said = trainer.doctor("--learner", learners["ok"].name, terminal=terminal)
    assert said.returncode == 0 and said.of("PROBLEM") == [], said.out
    assert said.out.rstrip().endswith("All is well.")
    ok = " | ".join(f.text for f in said.of("ok"))
    assert 'course "cps-course", 1 module(s) in solutions/' in ok
    assert "The gradebook opens: 1 module(s) recorded" in ok
    assert "Formgrader is turned on for you (root)" in ok
    assert "Formgrader opens in your server and shows 1 of the course's 1 module(s)" in ok
    assert f"The exchange folder {trainer.exchange} is there and open to everyone" in ok
    assert f"{learners['ok'].name} can save an answer" in ok and str(learners["ok"].home) in ok
    assert "Times are shown in America/Chicago" in ok
    with Gradebook(f"sqlite:///{trainer.course / 'gradebook.db'}", "cps-course") as gradebook:
        stored = gradebook.find_assignment(SLUG).duedate
    assert (stored.hour, stored.minute) == (23, 0), "nbgrader keeps the due date in UTC"
    assert f"{SLUG}: Fri 4 Dec 2026, 5:00 PM CST" in ok
    leftovers = [p for p in learners["ok"].home.iterdir() if p.name.startswith(".cps-course-save-check")]
    assert leftovers == [], "the learner's test folder is removed again"


def _close_exchange(trainer: Trainer) -> Callable[[], None]:
    trainer.exchange.chmod(0o755)
    return lambda: trainer.exchange.chmod(0o777)


def formgrader_off(home: Path) -> Callable[[], None]:
    """The trainer's own setting turning formgrader off, as ``jupyter server extension disable
    --user`` means to write it (that command writes nothing when the setting is not there yet)."""
    switch = home / ".jupyter" / "jupyter_server_config.d" / f"{FORMGRADER}.json"
    switch.parent.mkdir(parents=True, exist_ok=True)
    switch.write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {FORMGRADER: False}}}), encoding="utf-8"
    )
    return lambda: switch.unlink(missing_ok=True)


def _no_time_zone(trainer: Trainer) -> Callable[[], None]:
    before = trainer.settings_file.read_text(encoding="utf-8")
    trainer.settings_file.write_text(before.replace("c.NbGraderAPI.timezone", "# c.NbGraderAPI.timezone"))
    return lambda: trainer.settings_file.write_text(before, encoding="utf-8")


def _cache_open_to_all(learner: UnixUser) -> Callable[[], None]:
    """A careless ``chmod 777`` on the learner's ~/.cache: the course will not keep locks there."""
    cache = learner.home / ".cache"
    cache.mkdir(exist_ok=True)
    os.chown(cache, learner.uid, learner.gid)
    cache.chmod(0o777)
    return lambda: cache.chmod(0o700)


def _home_taken_by_root(learner: UnixUser) -> Callable[[], None]:
    """An admin's copy left the learner's home owned by root: the learner cannot write in it."""
    os.chown(learner.home, 0, 0)
    learner.home.chmod(0o755)

    def undo() -> None:
        os.chown(learner.home, learner.uid, learner.gid)
        learner.home.chmod(0o700)

    return undo


def test_planted_problems_are_each_found_with_a_fix_that_works(
    trainer: Trainer, terminal: dict[str, str], learners: dict[str, UnixUser]
) -> None:
    private, home = learners["private"], learners["home"]
    args = ("--learner", private.name, "--learner", home.name)
    with ExitStack() as undo:
        for plant in (
            lambda: _close_exchange(trainer),
            lambda: formgrader_off(trainer.home),
            lambda: _no_time_zone(trainer),
            lambda: _cache_open_to_all(private),
            lambda: _home_taken_by_root(home),
        ):
            undo.callback(plant())
        said = trainer.doctor(*args, terminal=terminal)
        assert said.returncode == 1, said.out
        assert len(said.of("PROBLEM")) == 5, said.out
        closed = said.problem("Learners cannot use the exchange folder")
        assert "drwxr-xr-x" in closed.text and closed.command == f"sudo chmod 0777 {trainer.exchange}"
        off = said.problem("Formgrader is turned off for you (root)")
        assert (
            off.command.startswith("mkdir -p ~/.jupyter/jupyter_server_config.d && echo ")
            and "restart" in off.fix
        )
        zone = said.problem("No time zone is set for the course")
        assert zone.command == SET_ZONE
        cache = said.problem(f"{private.name}'s private folder for the course cannot be made")
        assert f"others can change {private.home}/.cache" in cache.text
        assert (
            cache.command
            == f"sudo chown -R {private.name}: {private.home}/.cache && sudo chmod 700 {private.home}/.cache"
        )
        taken = said.problem(f"{home.name} cannot save in their home folder")
        assert taken.command == f"sudo chown {home.name}: {home.home} && sudo chmod 700 {home.home}"
        for finding in said.of("PROBLEM"):
            trainer.fix(finding)
        again = trainer.doctor(*args, terminal=terminal)
        assert again.returncode == 0 and again.of("PROBLEM") == [], again.out
        assert stat.S_IMODE(trainer.exchange.stat().st_mode) == 0o777


def test_a_missing_exchange_an_unknown_learner_a_lost_server_and_a_shifting_zone_are_named(
    trainer: Trainer,
) -> None:
    away = trainer.exchange.with_name("exchange-moved")
    trainer.exchange.rename(away)
    before = trainer.settings_file.read_text(encoding="utf-8")
    trainer.settings_file.write_text(before + 'c.Exchange.timezone = "America/Chicago"\n', encoding="utf-8")
    lost = {
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
        "JUPYTERHUB_API_TOKEN": "no-server-here",
        "JUPYTER_SERVER_URL": f"http://127.0.0.1:{free_port()}{PREFIX}",
    }
    nobody = f"cpsdoc_nobody{secrets.token_hex(3)}"
    try:
        said = trainer.doctor("--learner", nobody, terminal=lost)
        assert said.returncode == 1 and len(said.of("PROBLEM")) == 4, said.out
        missing = said.problem(f"The exchange folder {trainer.exchange} does not exist")
        assert missing.command == f"sudo install -d -m 0777 {trainer.exchange}"
        assert "jupyter-arivera" in said.problem(f"There is no account called {nobody}").fix
        assert "Could not reach your Jupyter server" in said.problem(PREFIX).text
        shifted = said.problem("Exchange.timezone = 'America/Chicago'")
        assert re.search(r" C[SD]T\", .* [56] hour\(s\) wrong", shifted.text), shifted.text
        assert "delete that line" in shifted.fix
        trainer.fix(missing)
        assert stat.S_IMODE(trainer.exchange.stat().st_mode) == 0o777
        trainer.exchange.rmdir()
    finally:
        trainer.settings_file.write_text(before, encoding="utf-8")
        if not trainer.exchange.exists():
            away.rename(trainer.exchange)


def test_formgrader_turned_off_is_not_in_a_server_started_after(trainer: Trainer) -> None:
    """A trainer who never turned formgrader on (TLJH's setup turns it off for everyone)."""
    home = trainer.base / "home-off"
    (home / ".jupyter").mkdir(parents=True)
    shutil.copy(trainer.settings_file, home / ".jupyter" / "nbgrader_config.py")
    formgrader_off(home)
    with jupyter_server(home, trainer.base / "server-off.log") as off:
        said = trainer.doctor(home=home, terminal=off)
    assert said.returncode == 1 and len(said.of("PROBLEM")) == 2, said.out
    said.problem("Formgrader is turned off for you")
    assert said.problem("Formgrader does not open in your server (http://127.0.0.1:").text.endswith(
        f"{PREFIX}formgrader)."
    )


def test_course_settings_that_cannot_be_read_are_named(trainer: Trainer) -> None:
    nowhere = trainer.base / "not-the-course"
    nowhere.mkdir(exist_ok=True)
    missing = trainer.doctor(cwd=nowhere).problem(f"There is no nbgrader_config.py in {nowhere}")
    assert missing.command == "cd ~/cps-course"

    broken = trainer.base / "broken"
    shutil.copytree(trainer.course, broken, ignore=shutil.ignore_patterns("gradebook.db", "modules"))
    config = broken / "nbgrader_config.py"
    lines = config.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith("c.CourseDirectory.root"))
    lines[line - 1] = "c.CourseDirectory.root = str(HERE"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    said = trainer.doctor(cwd=broken)
    assert said.returncode == 1
    mistake = said.problem(f"{config} has a mistake on line {line}")
    assert mistake.command == "git checkout nbgrader_config.py"

    moved = trainer.base / "home-moved"
    (moved / ".jupyter").mkdir(parents=True)
    settings = trainer_settings(trainer.base / "cps-course-gone", trainer.exchange)
    (moved / ".jupyter" / "nbgrader_config.py").write_text(settings, encoding="utf-8")
    stopped = trainer.doctor(home=moved).problem("stopped with this message")
    assert f"The course's nbgrader_config.py is not at {trainer.base / 'cps-course-gone'}" in stopped.text


def test_a_trainer_who_is_not_an_admin_is_told_what_they_cannot_read_or_check(trainer: Trainer) -> None:
    """A trainer who is not root, in a course copy whose settings file only root may read,
    asking about a learner's saves (which needs admin rights: sudo, missing or refused)."""
    why = why_not_possible()
    if why:
        pytest.skip(why)
    course = trainer.base / "shared-course"
    shutil.copytree(trainer.course, course, ignore=shutil.ignore_patterns("gradebook.db"))
    for folder in (course, *course.rglob("*")):
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    (course / "nbgrader_config.py").chmod(0o600)
    with python_reachable(), unix_users(["cpsdoc_trainer", "cpsdoc_learner"]) as (other, learner):
        runuser = shutil.which("runuser") or "runuser"
        doctor = [sys.executable, "-m", "course.doctor", "--course", str(course), "--learner", learner.name]
        done = subprocess.run(
            [runuser, "-u", other.name, "--", *doctor],
            cwd="/",
            env={k: v for k, v in trainer_env(other.home).items() if k != "USER"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    said = read_report(done.returncode, done.stdout)
    unreadable = said.problem(f"You ({other.name}) cannot read {course / 'nbgrader_config.py'}")
    assert "-rw-------, owned by root" in unreadable.text
    assert unreadable.command == f"sudo chown -R {other.name} {course}"
    refused = said.problem(
        f"Could not check {learner.name}: checking someone else's saves needs admin rights"
    )
    assert refused.fix == "ask an admin of the hub to run this same command."
    assert said.returncode == 1 and len(said.of("PROBLEM")) == 2


@contextmanager
def guide_learner() -> Iterator[UnixUser]:
    """The learner the guide names, made for the test and removed after; never someone else's."""
    try:
        import pwd

        pwd.getpwnam(GUIDE_LEARNER)
    except KeyError:
        pass
    else:
        pytest.skip(f"an account called {GUIDE_LEARNER} exists already on this machine")
    made = add_user(GUIDE_LEARNER)
    try:
        yield made
    finally:
        remove_user(made)


def test_the_guides_check_commands_run_as_written(trainer: Trainer, terminal: dict[str, str]) -> None:
    why = why_not_possible()
    if why:
        pytest.skip(why)
    with python_reachable(), guide_learner() as learner:
        done = type_in_terminal(trainer.home, GO_TO_COURSE, DOCTOR, DOCTOR_LEARNER, extra=terminal)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = done.stdout.split("Checking the course in ")
    assert len(runs) == 3 and all(run.rstrip().endswith("All is well.") for run in runs[1:]), done.stdout
    assert "No learner was checked" in runs[1]
    assert f"{learner.name} can save an answer" in runs[2]


def test_ngshare_answering_and_not_answering(trainer: Trainer) -> None:
    """ngshare runs from its own environment, as on Kubernetes (tests/hub/ngshare_service.py)."""
    home = trainer.base / "home-ngshare"
    (home / ".jupyter").mkdir(parents=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/services/ngshare"
    settings = trainer_settings(trainer.course, trainer.exchange) + (
        'c.ExchangeFactory.exchange = "ngshare_exchange.Exchange"\n'
        f"c.Exchange._ngshare_url = {url!r}\n"
        'c.NbGraderAPI.timezone = "America/Chicago"\n'
    )
    (home / ".jupyter" / "nbgrader_config.py").write_text(settings, encoding="utf-8")
    down = trainer.doctor(home=home)
    assert f"ngshare does not answer at {url}" in down.problem("ngshare does not answer").text
    storage = trainer.base / "ngshare"
    storage.mkdir()
    log = trainer.base / "ngshare.log"
    command = [
        str(ngshare_python()), "-m", "ngshare", "--vngshare", "--host", "127.0.0.1", "--port", str(port),
        "--database", f"sqlite:///{storage / 'ngshare.db'}", "--storage", str(storage / "files"),
    ]  # fmt: skip
    with log.open("wb") as out:
        # What a hub gives its ngshare service; vngshare logs people in itself, but reads them at start.
        hub = {
            "JUPYTERHUB_API_URL": "http://127.0.0.1:9/hub/api",
            "JUPYTERHUB_API_TOKEN": secrets.token_hex(16),
            "JUPYTERHUB_CLIENT_ID": "service-ngshare",
            "JUPYTERHUB_SERVICE_PREFIX": "/services/ngshare/",
        }
        process = subprocess.Popen(
            command, env={**trainer_env(home), **hub}, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(f"{url}/healthz", process, log, "ngshare", timeout=60)
        up = trainer.doctor(home=home)
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert up.of("PROBLEM") == [], up.out
    assert f"ngshare answers at {url}." in [f.text for f in up.of("ok")]
