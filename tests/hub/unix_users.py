"""Real Unix users for the cohort test, made for one run and removed afterwards, even on failure.

Each learner gets an account of their own (``useradd -m``, a home under /home), as on a real
JupyterHub where every single-user server runs as its learner. Commands run as a learner go
through ``runuser``; what a learner can read is asked of the kernel itself, by running
``tests/hub/probe.py`` as that learner, never worked out from mode bits.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROBE = HERE / "probe.py"
BIN = Path(sys.executable).parent
TOOLS = ("useradd", "userdel", "runuser")


@dataclass(frozen=True)
class UnixUser:
    name: str
    uid: int
    gid: int
    home: Path


def why_not_possible() -> str | None:
    """Why this machine cannot make test users (not root, tools missing), or None."""
    if os.geteuid() != 0:
        return "making Unix users for the learners needs root"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not found: cannot make Unix users for the learners"
    return None


def unique_name(prefix: str) -> str:
    """``prefix`` and six hex digits: a name no earlier or parallel run has used."""
    return f"{prefix}{secrets.token_hex(3)}"


def _run(
    command: list[str], stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run from / (so the caller's folder does not matter), capturing what it says."""
    return subprocess.run(command, input=stdin, env=env, cwd="/", capture_output=True, text=True, check=False)


def add_user(name: str, shell: str = "/bin/sh", home_mode: int = 0o700) -> UnixUser:
    # Homes private to their owner, as a hub must make them (docs/instructors/known-problems.md):
    # Debian's default leaves them 0755, so a learner could read another's fetched feedback.
    # A test of the set-up that makes them private asks for 0755.
    done = _run(["useradd", "-m", "-K", f"HOME_MODE={home_mode:04o}", "-s", shell, name])
    if done.returncode != 0:
        raise RuntimeError(f"useradd {name} failed: {done.stderr.strip()}")
    entry = pwd.getpwnam(name)
    return UnixUser(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))


def processes_of(uid: int) -> list[int]:
    """Ids of the processes running as ``uid`` (a user this run made, so every one is ours)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
    return found


def _end_processes(user: UnixUser, grace: float = 5) -> None:
    for pid in processes_of(user.uid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while processes_of(user.uid) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in processes_of(user.uid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _remove_from_tmp(user: UnixUser) -> None:
    """What the user left at the top of the shared /tmp (``userdel -r`` only clears the home)."""
    for path in Path("/tmp").iterdir():
        with suppress(FileNotFoundError):
            if path.lstat().st_uid != user.uid:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()


def remove_user(user: UnixUser) -> str | None:
    """End the user's processes, clear their /tmp entries, ``userdel -r``; a problem, or None."""
    _end_processes(user)
    _remove_from_tmp(user)
    done = _run(["userdel", "-r", user.name])
    if done.returncode != 0:
        return f"userdel -r {user.name} failed: {done.stderr.strip()}"
    return None


@contextmanager
def unix_users(prefixes: Iterable[str]) -> Iterator[list[UnixUser]]:
    """One new user per prefix (``cpslearn_a`` -> ``cpslearn_a3f9c1``), all removed at the end."""
    made: list[UnixUser] = []
    try:
        for prefix in prefixes:
            made.append(add_user(unique_name(prefix)))
        yield made
    finally:
        problems = [p for p in (remove_user(user) for user in made) if p]
        if problems:
            raise RuntimeError("; ".join(problems))


def learner_env() -> dict[str, str]:
    """A small, fixed environment for commands run as a learner (runuser adds HOME and USER)."""
    return {"PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def run_as(user: UnixUser, *command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``command`` as ``user``, with the learner's small environment."""
    runuser = shutil.which("runuser") or "runuser"  # found on root's PATH, not the learner's
    return _run([runuser, "-u", user.name, "--", *command], stdin=stdin, env=learner_env())


def _blocked_step(path: Path) -> str | None:
    """The first folder on the way to ``path`` (symlinks followed) that others cannot enter."""
    for folder in [*reversed(path.resolve().parents)]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            return f"{folder} is mode {stat.filemode(mode)}"
    return None


# Which test processes use python_reachable() now, and the modes to put back after the last one
# (the hub tests run side by side in CI, one per pytest worker). Root's, in the venv's folder.
REACHABLE_STATE = Path(sys.prefix) / ".python-reachable.json"


@contextmanager
def _reachable_state() -> Iterator[dict]:
    """The shared state, read and written under an exclusive lock."""
    with open(f"{REACHABLE_STATE}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(REACHABLE_STATE.read_text()) if REACHABLE_STATE.exists() else {}
        except ValueError:
            state = {}
        state.setdefault("pids", [])
        state.setdefault("changed", [])
        # A process that died without leaving (killed) must not keep the modes changed forever.
        state["pids"] = [pid for pid in state["pids"] if Path(f"/proc/{pid}").exists()]
        yield state
        REACHABLE_STATE.write_text(json.dumps(state))


@contextmanager
def python_reachable() -> Iterator[None]:
    """Let every user pass through the folders on the way to this Python, for the test only.

    A machine whose Python lives under root's home (pyenv in /root, mode 0700) keeps learners
    from running it; a real hub installs Python where all users reach it. Only the "pass
    through" bit is added (no listing), and each folder's mode is put back when the last test
    process that needs it is done: the hub tests run side by side, and one finishing must not
    lock the other's learners out.
    """
    with _reachable_state() as state:
        if not state["pids"]:
            state["changed"] = []
            for folder in [*reversed(Path(sys.executable).resolve().parents)]:
                mode = folder.stat().st_mode
                if not mode & stat.S_IXOTH:
                    folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                    state["changed"].append([str(folder), stat.S_IMODE(mode)])
        state["pids"].append(os.getpid())
    try:
        yield
    finally:
        with _reachable_state() as state:
            if os.getpid() in state["pids"]:
                state["pids"].remove(os.getpid())
            if not state["pids"]:
                for folder, mode in reversed(state["changed"]):
                    Path(folder).chmod(mode)
                state["changed"] = []


def why_learners_cannot_run_the_course(user: UnixUser) -> str | None:
    """Why a learner's server could not start here (the venv or the repo out of reach), or None.

    The single-user servers run the venv's python as the learner, and the course package is
    installed editable from this repository, so both must be readable by every user.
    """
    done = run_as(user, sys.executable, "-c", "import course, nbgrader, jupyterhub, jupyterlab")
    if done.returncode == 0:
        return None
    where = _blocked_step(Path(sys.executable)) or _blocked_step(REPO / "course" / "__init__.py")
    blocked = f" ({sys.executable} resolves to {Path(sys.executable).resolve()}; {where})" if where else ""
    return (
        f"a learner's Unix user cannot run the venv's Python and import the course{blocked}: "
        f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
    )


def what_user_can_read(user: UnixUser, paths: Iterable[Path]) -> dict[Path, str]:
    """For each path: "read", "denied", "missing" or an error, as ``user`` finds it."""
    wanted = [str(p) for p in paths]
    done = run_as(user, sys.executable, str(PROBE), stdin=json.dumps(wanted))
    if done.returncode != 0:
        raise RuntimeError(f"the probe failed as {user.name}:\n{done.stderr}")
    return {Path(p): outcome for p, outcome in json.loads(done.stdout).items()}


def make_folder_as(user: UnixUser, path: Path, mode: int) -> bool:
    """``mkdir -m`` as ``user``; False when the name was taken already (or could not be made)."""
    return run_as(user, "mkdir", "-m", f"{mode:o}", str(path)).returncode == 0
