"""Release learner notebooks: ``python -m course.release`` (run ``course.build`` first).

Runs nbgrader's own ``generate_assignment`` for every module in ``solutions/``, so each
module folder in ``modules/`` is exactly what nbgrader makes and what a cohort on a hub
receives. Then it writes ``modules/home.ipynb``, the self-paced learner's home page: not an
assignment (it has nothing to grade), so nbgrader has no source for it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from .build import home_notebook

ROOT = Path(__file__).resolve().parent.parent
HOME = "home.ipynb"


def assignments(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "solutions").iterdir() if p.is_dir() and not p.name.startswith("."))


def stray_answer_files(root: Path) -> list[Path]:
    """Answers files in solutions/ would be handed to every learner: refuse to release them."""
    return sorted((root / "solutions").glob("*/answers*.json"))


def release(root: Path = ROOT) -> None:
    stray = stray_answer_files(root)
    if stray:
        names = ", ".join(str(p.relative_to(root)) for p in stray)
        raise SystemExit(f"Not releasing: remove the answers files in solutions/ first ({names}).")
    nbgrader = shutil.which("nbgrader") or "nbgrader"
    for name in assignments(root):
        subprocess.run(
            [nbgrader, "generate_assignment", name, "--force", "--log-level=ERROR"],
            cwd=root,
            check=True,
        )
    write_home(root / "modules")


def write_home(modules: Path) -> Path:
    path = modules / HOME
    nbformat.write(home_notebook(), str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="course folder (default: this repo)")
    args = parser.parse_args(argv)
    release(args.root.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
