"""Starting a real server on 127.0.0.1 for a test: a free port, and waiting until it answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, name: str, timeout: float) -> None:
    """Poll ``url`` until it answers 200; fail with the server's log if it dies or never answers."""

    def tail() -> str:
        return log.read_text(errors="replace")[-3000:]

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{name} did not answer within {timeout:g} s:\n{log.read_text(errors='replace')[-3000:]}"
    )


def jupyter_command(app: str, root: Path, port: int, *extra: str) -> list[str]:
    """``jupyter <app>`` serving ``root`` on 127.0.0.1 only, for a test: no token, password or
    xsrf check (the browser is the test's own), and allowed to run as root, as CI does."""
    return [
        sys.executable, "-m", "jupyter", app,
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        *extra,
    ]  # fmt: skip
