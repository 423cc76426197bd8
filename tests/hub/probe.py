"""Run as a learner (tests/hub/unix_users.py): which of the paths on stdin can this user read?

Reads a JSON list of paths; prints a JSON object, path -> "read" (a file opened and read, a
folder listed), "denied" (the kernel said no), "missing" (nothing there this user can see),
or "error: ..." for anything else. Symlinks are followed, as a learner's ``open()`` would.
"""

from __future__ import annotations

import json
import os
import sys


def outcome(path: str) -> str:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(1)
    except PermissionError:
        return "denied"
    except FileNotFoundError:
        return "missing"
    except OSError as problem:
        return f"error: {problem}"
    return "read"


def main() -> None:
    paths = json.load(sys.stdin)
    json.dump({path: outcome(path) for path in paths}, sys.stdout)


if __name__ == "__main__":
    main()
