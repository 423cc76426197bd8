"""Start a real JupyterHub on 127.0.0.1 for a test, and stop everything it started.

The hub runs as root and starts each learner's server as that learner's Unix user, in their
home (tests/hub/jupyterhub_config.py). The hub, its proxy, every learner's server and every
kernel are ended by process id at the end, even when the test fails: the ids are gathered from
/proc before the hub is asked to stop, since the servers run in their own sessions and would
outlive a hub that dies first.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from local_server import free_port, wait_until_up

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "jupyterhub_config.py"
REPO = HERE.parent.parent
BIN = Path(sys.executable).parent
LOCAL_PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"


@dataclass(frozen=True)
class Hub:
    url: str
    log: Path
    # Where the hub's REST API listens, for services the test starts itself (tests/hub/ngshare_service.py).
    api_url: str = ""

    def home(self, user: str) -> Path:
        """The learner's Unix home, where their server runs and nbgrader fetches to."""
        return Path(pwd.getpwnam(user).pw_dir)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def proxy_command() -> str:
    """configurable-http-proxy from the repo's node_modules, else from PATH (scripts/run-tests.sh)."""
    if LOCAL_PROXY.exists():
        return str(LOCAL_PROXY)
    found = shutil.which("configurable-http-proxy")
    if found is None:
        raise RuntimeError("configurable-http-proxy is missing: run `npm ci` in the repository folder.")
    return found


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a process, so a reused process id is never mistaken for ours."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def descendants(root: int) -> list[tuple[int, str]]:
    """Every process below ``root`` (children first found, grandchildren after), with start times."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found: list[tuple[int, str]] = []
    queue = [root]
    while queue:
        for child in parents.get(queue.pop(), []):
            started = _start_time(child)
            if started is not None:
                found.append((child, started))
                queue.append(child)
    return found


def _stop(process: subprocess.Popen, others: list[tuple[int, str]], grace: float = 20) -> None:
    """Ask the hub to stop (it stops the servers and proxy it started), then end any survivor."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid, started in others:
        if _start_time(pid) == started:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@contextmanager
def running_hub(
    folder: Path,
    users: list[str],
    password: str,
    exchange: Path,
    course_id: str,
    config: Path = CONFIG,
    more_env: dict[str, str] | None = None,
) -> Iterator[Hub]:
    """A hub from ``config`` (tests/hub/jupyterhub_config.py) for these Unix users, with nbgrader's
    folder exchange; ``more_env`` adds to what the config reads (tests/hub/tljh_hub_config.py's)."""
    settings = {"CPS_EXCHANGE": str(exchange), "CPS_COURSE_ID": course_id, **(more_env or {})}
    with hub_from(config, folder, users, password, settings) as hub:
        yield hub


@contextmanager
def hub_from(
    config: Path, folder: Path, users: list[str], password: str, settings: dict[str, str]
) -> Iterator[Hub]:
    """A hub from ``config`` (which reads ``settings`` from its environment); state and log in ``folder``."""
    state = folder / "hub-state"
    state.mkdir()
    port, api_port = free_port(), free_port()
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(LOCAL_PROXY.parent), str(BIN), os.environ["PATH"]]),
        "CPS_HUB_PORT": str(port),
        "CPS_HUB_API_PORT": str(api_port),
        "CPS_PROXY_API_PORT": str(free_port()),
        "CPS_PROXY_COMMAND": proxy_command(),
        "CPS_HUB_STATE": str(state),
        "CPS_HUB_PASSWORD": password,
        "CPS_HUB_USERS": ",".join(users),
        **settings,
    }
    log = folder / "jupyterhub.log"
    hub = Hub(url=f"http://127.0.0.1:{port}", log=log, api_url=f"http://127.0.0.1:{api_port}/hub/api")
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=state,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"{hub.url}/hub/login", process, log, "JupyterHub", timeout=90)
            yield hub
        finally:
            _stop(process, descendants(process.pid))
