"""A real Jupyter server set up as a self-paced learner's (the course as an app), for tests.

It is ``jupyter lab`` with Voilà's server extension, started as ``scripts/open-course.sh``
starts it for a learner: the learner config folders of ``scripts/jupyter/`` first on
``JUPYTER_CONFIG_PATH`` and its Voilà template on ``JUPYTER_PATH``, the server's root a
temporary copy of ``modules/``. Unlike the script, it listens on a free port with no token
(the tests are the only client) and keeps its settings, workspaces and runtime files in the
temporary folder, with an empty user config folder, so nothing of this machine's own
Jupyter settings changes what the tests see.

``solutions/`` is copied beside ``modules/``, as in the course folder, so Check my work finds
its keys (``course.selfcheck`` looks two levels up from a module folder).

PYTEST_DONT_REWRITE: imported by test files before pytest could rewrite it; its few asserts
carry their own messages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lab_server import stop_lab
from local_server import free_port, jupyter_command, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "jupyter"
# The order open-course.sh uses: self-paced over what every learner gets over the app view.
CONFIG_PATH = [CONFIG / "self-paced", CONFIG / "learner", CONFIG / "app-view"]
DATA_PATH = [CONFIG / "share"]
HOME = "voila/render/home.ipynb"


@dataclass(frozen=True)
class AppServer:
    """Where the running server is, and the learner's course folder it serves from."""

    url: str
    course: Path  # holds modules/ (the server's root) and solutions/

    @property
    def root(self) -> Path:
        return self.course / "modules"

    def page(self, slug: str) -> str:
        """The app view of a module folder's notebook, or of the home page for "home"."""
        return f"{self.url}/{HOME}" if slug == "home" else f"{self.url}/voila/render/{slug}/{slug}.ipynb"


def learner_env(base: Path) -> dict[str, str]:
    """The environment of a learner's server: the course's config first, nothing of this user's."""
    env = {k: v for k, v in os.environ.items() if k not in ("NBGRADER_EXECUTION", "JUPYTER_PATH")}
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(map(str, CONFIG_PATH))
    env["JUPYTER_PATH"] = os.pathsep.join(map(str, DATA_PATH))
    env["JUPYTER_CONFIG_DIR"] = str(base / "user-config")
    env["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")
    return env


@contextmanager
def app_server(base: Path) -> Iterator[AppServer]:
    """Copy the course a learner has (modules/ and solutions/) under ``base`` and serve it."""
    course = base / "course"
    fresh = shutil.ignore_patterns("answers*.json", ".answers-*", ".ipynb_checkpoints", "check-*")
    for folder in ("modules", "solutions"):
        shutil.copytree(ROOT / folder, course / folder, ignore=fresh)
    (base / "user-config").mkdir()
    port = free_port()
    command = jupyter_command(
        "lab",
        course / 'modules',
        port,
        f"--LabApp.user_settings_dir={base / 'settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
    )
    log = base / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=course, env=learner_env(base), stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/status", process, log, "Jupyter server", timeout=60)
        yield AppServer(url=url, course=course)
    finally:
        stop_lab(process)
