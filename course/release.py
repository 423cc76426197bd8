"""Release learner notebooks: ``python -m course.release [module ...]`` (run ``course.build`` first).

Runs nbgrader's own ``generate_assignment`` (through nbgrader's API, in this one process) for
every module in ``solutions/`` (or the ones named), so each module folder in ``modules/`` is
exactly what nbgrader makes and what a cohort on a hub receives (one process: nbgrader's
start-up is paid once, not once per module). Then it writes ``modules/home.ipynb``, the
self-paced learner's home page: not an assignment (it has nothing to grade), so nbgrader has no
source for it.

It says one line per module as it goes, so a trainer sees it working.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import nbformat

from .build import home_notebook

ROOT = Path(__file__).resolve().parent.parent
HOME = "home.ipynb"


def assignments(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))


def stray_answer_files(root: Path) -> list[Path]:
    """Answers files in solutions/ would be handed to every learner: refuse to release them."""
    return sorted((root / "solutions").glob("*/answers*.json"))


def nbgrader_env() -> dict[str, str]:
    """The environment with this Python's scripts first: nbgrader runs ``alembic`` by name, so
    ``python -m course.release`` works from a virtual environment that is not activated."""
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])}


def nbgrader_api(root: Path) -> Any:
    """nbgrader's own API (what formgrader and the command line call) for the course folder,
    with the course's settings: one process for every module, not nbgrader's start-up each time."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def release(root: Path = ROOT, names: list[str] | None = None) -> None:
    stray = stray_answer_files(root)
    if stray:
        listed = ", ".join(str(p.relative_to(root)) for p in stray)
        raise SystemExit(f"Not releasing: remove the answers files in solutions/ first ({listed}).")
    known = assignments(root)
    unknown = sorted(set(names or []) - set(known))
    if unknown:
        raise SystemExit(f"No module called {', '.join(unknown)} in solutions/. Modules: {', '.join(known)}")
    chosen = names or known
    os.environ["PATH"] = nbgrader_env()["PATH"]  # nbgrader runs alembic by name
    api = nbgrader_api(root)
    for number, name in enumerate(chosen, start=1):
        print(f"Releasing {name} ({number} of {len(chosen)})…", flush=True)
        done = api.generate_assignment(name, force=True)
        if not done["success"]:
            problem = (done.get("error") or done.get("log") or "").strip().splitlines()[-15:]
            raise SystemExit(f"nbgrader could not release {name}:\n" + "\n".join(problem))
    write_home(root / "modules")
    print(f"Done: {len(chosen)} module(s) in {root / 'modules'}, and the home page.")


def write_home(modules: Path) -> Path:
    path = modules / HOME
    nbformat.write(home_notebook(), str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module folder names (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="course folder (default: this repo)")
    args = parser.parse_args(argv)
    release(args.root.resolve(), args.modules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
