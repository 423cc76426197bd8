"""Wait until the course's Jupyter server answers, then print the address a learner opens.

``open-course.sh`` starts the server in the background, with its log in a file so the window
shows only what a learner needs, and runs this with the server's process id and the page to
open. Jupyter picks a free port (8888 if it can) and a secret token, and writes both to
``jpserver-<pid>.json`` in its runtime folder once it listens; this reads that file, waits
until the server answers, and prints ``<server URL><page>?token=<token>``: the one address
that opens the page, already signed in.

Exit status: 0 with the address printed; 1 if the server stopped or did not answer in time;
130 if the learner pressed Ctrl+C while waiting (the script then stops the server).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_runtime_dir

POLL_SECONDS = 0.25


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def server_info(pid: int) -> dict[str, Any] | None:
    """What the server wrote about itself, once it has (a half-written file is not yet)."""
    path = Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def answers(info: dict[str, Any]) -> bool:
    url = f"{info['url']}api/status?token={info.get('token', '')}"
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def address(info: dict[str, Any], page: str) -> str:
    token = info.get("token") or ""
    return f"{info['url']}{page}" + (f"?token={token}" if token else "")


def wait_for(pid: int, page: str, timeout: float) -> str | None:
    """The page's address once the server answers; None if it stops or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running(pid):
        info = server_info(pid)
        if info and answers(info):
            return address(info, page)
        time.sleep(POLL_SECONDS)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pid", type=int, help="the Jupyter server's process id")
    parser.add_argument("page", help="the page to open, from the server's root (voila/render/home.ipynb)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait (default: 120)")
    args = parser.parse_args(argv)
    try:
        found = wait_for(args.pid, args.page, args.timeout)
    except KeyboardInterrupt:
        return 130
    if found is None:
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
