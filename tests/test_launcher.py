"""README command 1 works for a new learner: a fresh clone, ``bash scripts/open-course.sh``, the app.

The slow test of the suite (it installs the course into a new ``.venv``, as a newcomer's first
run does; pip's cache and the machine's wheel folders make it a few minutes at most). It
proves, from a ``git clone`` of this repository with the working tree's changes on top (the
files a commit would hold), run with ``CPS_NO_BROWSER=1`` and a free ``CPS_PORT``:

* the window shows only a learner's words: "Installing the course, about 2 minutes…",
  "Starting the course…", then one line with the address and "Keep this window open; press
  Ctrl+C to stop" (no pip output and no server log lines, which go to a file);
* that address is the home page in Voilà, listing the modules;
* the server shows only the module folders and the home page (no ``solutions/``, tests or
  build files), and JupyterLab's ``/lab`` is there for those who want it;
* Ctrl+C (SIGINT) stops it, with a kind last line, and the server is gone;
* a second run installs nothing, and ``--instructor`` opens JupyterLab on the whole course
  folder with nbgrader's formgrader, as before the app view.

It prints the time from the command to the first page, for the README and the lead.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT
from local_server import free_port

pytestmark = pytest.mark.slow

INSTALLING = "Installing the course, about 2 minutes…"
STARTING = "Starting the course…"
OPEN = re.compile(
    r"^The course is open at (http://127\.0\.0\.1:\d+/(voila/render/home\.ipynb|lab/tree/\S+)\?token=\w+)"
    r"  Keep this window open; press Ctrl\+C to stop\.$"
)
STOPPED = "The course has stopped. Your answers are saved."
FIRST_RUN_SECONDS = 900  # a new .venv: every package, from pip's cache at best
LATER_RUN_SECONDS = 120
MODULE_FOLDERS = sorted(p.name for p in (ROOT / "modules").iterdir() if p.is_dir())


def fresh_clone(where: Path) -> Path:
    """``git clone`` of this repository, then the working tree's own files over it: what the
    next commit would hold (tracked and new files git does not ignore; deletions too)."""
    clone = where / "cps-course"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)

    def listed(*args: str) -> list[str]:
        done = subprocess.run(["git", "ls-files", "-z", *args], cwd=ROOT, check=True, capture_output=True)
        return [name for name in done.stdout.decode().split("\0") if name]

    for name in listed("--deleted"):
        (clone / name).unlink(missing_ok=True)
    for name in listed("--cached", "--others", "--exclude-standard"):
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


def learner_env(where: Path, port: int) -> dict[str, str]:
    """A new learner's shell: no course .venv on PATH, no Jupyter settings of their own yet."""
    ours = (str(ROOT / ".venv"), str(ROOT / "node_modules"))
    path = [p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith(ours)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV", "NBGRADER"))}
    env.update(PATH=os.pathsep.join(path), CPS_NO_BROWSER="1", CPS_PORT=str(port))
    env.update(JUPYTER_CONFIG_DIR=str(where / "home-jupyter"), JUPYTER_RUNTIME_DIR=str(where / "runtime"))
    return env


@dataclass
class Run:
    """``bash scripts/open-course.sh`` running in the clone, and the lines it has printed."""

    process: subprocess.Popen
    lines: queue.Queue[str | None]
    started: float

    def _read(self, pattern: re.Pattern[str] | None, timeout: float) -> tuple[list[str], bool]:
        """Lines printed until one matches ``pattern`` (True) or the script ends (False)."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                return seen, False
            seen.append(line)
            if pattern is not None and pattern.search(line):
                return seen, True
        raise AssertionError(f"the script neither matched nor ended in {timeout:.0f} s; it printed: {seen}")

    def read_until(self, pattern: re.Pattern[str], timeout: float) -> list[str]:
        """Every line printed until one matches (it is the last), or fail with what was printed."""
        seen, matched = self._read(pattern, timeout)
        if not matched:
            raise AssertionError(f"no line matching {pattern.pattern!r}; the script printed: {seen}")
        return seen

    def rest(self, timeout: float) -> list[str]:
        """The lines printed until the script ends."""
        return self._read(None, timeout)[0]


def launch(clone: Path, env: dict[str, str], *args: str) -> Run:
    process = subprocess.Popen(
        ["bash", "scripts/open-course.sh", *args],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in process.stdout or ():
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return Run(process, lines, time.monotonic())


@pytest.fixture()
def stop_at_the_end() -> Iterator[list[subprocess.Popen]]:
    """Whatever a failed test left running is stopped."""
    running: list[subprocess.Popen] = []
    yield running
    for process in running:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=60) as reply:
        return reply.status, reply.url, reply.read().decode("utf-8", "replace")


def stop(run: Run) -> list[str]:
    run.process.send_signal(signal.SIGINT)
    after = run.rest(timeout=60)
    assert run.process.wait(timeout=10) == 0
    return after


def test_a_new_learner_opens_the_course_with_readme_command_1(
    tmp_path: Path, stop_at_the_end: list[subprocess.Popen]
) -> None:
    clone = fresh_clone(tmp_path)
    assert not (clone / ".venv").exists()
    port = free_port()
    env = learner_env(tmp_path, port)

    run = launch(clone, env)
    stop_at_the_end.append(run.process)
    printed = run.read_until(OPEN, timeout=FIRST_RUN_SECONDS)
    assert printed[:2] == [INSTALLING, STARTING] and len(printed) == 3, printed
    address = OPEN.match(printed[-1]).group(1)  # type: ignore[union-attr]
    status, where, page = get(address)
    first_page = time.monotonic() - run.started
    print(f"\nREADME command 1 in a fresh clone: {first_page:.0f} s from the command to the first page")
    assert status == 200 and where.startswith(f"http://127.0.0.1:{port}/voila/render/home.ipynb")
    assert 'data-voila="voila"' in page, "the address is not a Voilà page"
    assert "Open Module 1" in page and "Open My progress" in page, "the home page shows no modules"
    assert "Installing" not in "\n".join(printed[1:]) and (clone / ".venv" / "open-course.log").exists()

    token = address.split("token=")[1]
    base = f"http://127.0.0.1:{port}"
    _, _, listing = get(f"{base}/api/contents?token={token}")
    names = sorted(entry["name"] for entry in json.loads(listing)["content"])
    assert names == sorted([*MODULE_FOLDERS, "home.ipynb"]), names
    assert get(f"{base}/lab?token={token}")[0] == 200

    assert stop(run) == [STOPPED]
    with pytest.raises(urllib.error.URLError):
        get(f"{base}/api/status")

    again = launch(clone, env, "--instructor")
    stop_at_the_end.append(again.process)
    printed = again.read_until(OPEN, timeout=LATER_RUN_SECONDS)
    assert printed[:-1] == [STARTING], printed
    print(f"a second run (--instructor): {time.monotonic() - again.started:.0f} s to the address")
    address = OPEN.match(printed[-1]).group(1)  # type: ignore[union-attr]
    assert "/lab/tree/modules/00-start-here/" in address
    token = address.split("token=")[1]
    _, _, listing = get(f"{base}/api/contents?token={token}")
    everything = {entry["name"] for entry in json.loads(listing)["content"]}
    assert {"modules", "solutions", "nbgrader_config.py"} <= everything, everything
    assert get(f"{base}/formgrader?token={token}")[0] == 200
    assert stop(again) == [STOPPED]
