"""ngshare (from PyPI) for a test, started as the ngshare Helm chart starts its pod, on 127.0.0.1.

ngshare runs from an environment of its own, as it runs from an image of its own in its pod:
``ngshare-service`` in this venv's folder, made once from tests/hub/ngshare-requirements.txt
(which says why it cannot share the course's packages). The chart
(``helmchart/ngshare/templates/deployment.yaml`` in LibreTexts/ngshare, the chart that
docs/deploy/z2jh/ngshare-values.yaml configures) runs ngshare with ``--admins`` from its values
and the environment below, which tells ngshare its token, the hub's API and the prefix the
hub's proxy gives it (``/services/ngshare/``). The test gives the same, with the hub on
127.0.0.1 and ngshare's database and files (the chart's ``/srv/ngshare`` disk) in a folder only
root can read. ngshare is stopped by process id at the end, even when the test fails.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from local_server import wait_until_up

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "ngshare_loopback.py"
REQUIREMENTS = HERE / "ngshare-requirements.txt"
ENVIRONMENT = Path(sys.prefix) / "ngshare-service"
NAME = "ngshare"


@dataclass(frozen=True)
class Ngshare:
    url: str  # what the hub's service entry points at (the chart's http://ngshare:8080)
    storage: Path  # every file that passes through the exchange
    database: Path
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def ngshare_python() -> Path:
    """The Python of ngshare's own environment; made again (half a minute) when the requirements change."""
    python = ENVIRONMENT / "bin" / "python"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = ENVIRONMENT / "requirements.sha256"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    make = [sys.executable, "-m", "venv", "--clear", str(ENVIRONMENT)]
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for step in (make, [*pip, "-r", str(REQUIREMENTS)]):
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            said = done.stderr[-3000:]
            raise RuntimeError(f"Could not make ngshare's environment with `{' '.join(step)}`:\n{said}")
    stamp.write_text(wanted)
    return python


def chart_environment(port: int, hub_api_url: str, token: str) -> dict[str, str]:
    """The environment the ngshare chart gives its pod (``env:`` in its deployment.yaml)."""
    return {
        "JUPYTERHUB_SERVICE_NAME": NAME,
        "JUPYTERHUB_API_TOKEN": token,
        "JUPYTERHUB_API_URL": hub_api_url,
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_SERVICE_PREFIX": f"/services/{NAME}/",
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}/",
        "JUPYTERHUB_CLIENT_ID": f"service-{NAME}",
    }


@contextmanager
def running_ngshare(
    folder: Path, port: int, hub_api_url: str, token: str, admins: list[str]
) -> Iterator[Ngshare]:
    """ngshare on 127.0.0.1:``port``, its disk in ``folder`` (which must be root's alone)."""
    service = Ngshare(
        url=f"http://127.0.0.1:{port}",
        storage=folder / "files",
        database=folder / "ngshare.db",
        log=folder / "ngshare.log",
    )
    python = ngshare_python()
    env = {
        "PATH": os.pathsep.join([str(python.parent), "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
        **chart_environment(port, hub_api_url, token),
    }
    options = ["--admins", ",".join(admins), "--database", f"sqlite:///{service.database}"]
    command = [str(python), str(LAUNCHER), *options, "--storage", f"{service.storage}/"]
    with service.log.open("w") as out:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_up(f"{service.url}/healthz", process, service.log, "ngshare", timeout=60)
            yield service
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
