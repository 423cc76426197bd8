"""Can a learner save an answer? Asked of the course's own save, run as that learner.

On a hub every learner is a Unix user of their own, and what one account may do says little
about another's: a home folder given to the wrong owner, a cache folder opened to everyone by
a careless ``chmod``, and that learner's clicks are "not saved" while everyone else's are.
So ``python -m course.doctor`` runs the check *as the learner*: as root (or through
``sudo -n`` for an admin) it starts ``runuser -u NAME -- python -m course.doctor --save-check``,
which makes a temporary folder in the learner's home (where nbgrader fetches modules),
saves one answer there with :class:`course.store.AnswerStore` (the very code a click runs,
lock in the learner's private folder included), reads it back, and removes the folder. It
prints one line of JSON; the trainer's side turns it into plain words and a fix an admin can
type.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .private_dir import NoPrivateDir, private_dir
from .store import ANSWERS_FILE, AnswerStore, SaveFailed

# Any item of any module will do: the store checks only that the id belongs to the module.
MODULE, ITEM, VALUE = "m1", "m1.p1", "a"
RUNUSER_CANDIDATES = ("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")


@dataclass(frozen=True)
class SaveResult:
    """What happened when one account saved a test answer."""

    ok: bool
    step: str  # "saved", "home", "private", "save", "account", "python", "admin"
    detail: str = ""


def check_here() -> SaveResult:
    """Save and read back one answer as the current user, in a temporary folder of their home."""
    home = Path.home()
    try:
        folder = Path(tempfile.mkdtemp(prefix=".cps-course-save-check-", dir=home))
    except OSError as problem:
        return SaveResult(False, "home", f"{home}: {problem.strerror or problem}")
    try:
        try:
            private_dir("locks")
        except NoPrivateDir as problem:
            # "no private folder for course files; <folder>: <why>; ...": keep each why
            refusals = str(problem).split("; ")[1:]
            return SaveResult(False, "private", "; ".join(r.split(": ", 1)[-1] for r in refusals))
        try:
            AnswerStore(MODULE, folder, read_only=False).record(ITEM, VALUE)
        except SaveFailed as problem:
            return SaveResult(False, "save", str(problem))
        saved = AnswerStore(MODULE, folder, read_only=True).value(ITEM)
        mode = (folder / ANSWERS_FILE).stat().st_mode & 0o777
        if saved != VALUE:
            return SaveResult(False, "save", f"the answer read back was {saved!r}, not {VALUE!r}")
        if mode & 0o077:
            return SaveResult(False, "save", f"{ANSWERS_FILE} was saved readable by others (mode {mode:o})")
        return SaveResult(True, "saved", str(home))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_check_here() -> int:
    """``python -m course.doctor --save-check``: the learner's side, one line of JSON."""
    result = check_here()
    print(json.dumps({"ok": result.ok, "step": result.step, "detail": result.detail}))
    return 0 if result.ok else 1


def _runuser() -> str | None:
    return shutil.which("runuser") or next((p for p in RUNUSER_CANDIDATES if Path(p).exists()), None)


def _learner_env() -> dict[str, str]:
    """A small environment for the learner's side: this Python's folder first, and the course
    package's location when it is not installed (a developer's checkout)."""
    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin:/usr/bin:/bin"])}
    for name in ("LANG", "PYTHONPATH"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def check_as(name: str) -> SaveResult:
    """Run the check as the Unix user ``name``: directly as root, else through ``sudo -n``."""
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return SaveResult(False, "account", name)
    runuser = _runuser()
    if runuser is None:
        return SaveResult(False, "admin", "runuser is not installed on this machine")
    command = [runuser, "-u", name, "--", sys.executable, "-m", "course.doctor", "--save-check"]
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            return SaveResult(False, "admin", "sudo is not installed on this machine")
        command = ["sudo", "-n", *command]
    try:
        done = subprocess.run(
            command, env=_learner_env(), cwd="/", capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        return SaveResult(False, "save", "the check did not finish within two minutes")
    lines = done.stdout.strip().splitlines()
    try:
        said = json.loads(lines[-1])
        return SaveResult(bool(said["ok"]), str(said["step"]), str(said["detail"]))
    except (IndexError, ValueError, KeyError, TypeError):
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        if os.geteuid() != 0 and ("password" in done.stderr or "sudoers" in done.stderr):
            return SaveResult(False, "admin", last)
        return SaveResult(False, "python", last)
