"""Turn on the grading tools for one instructor: ``python -m course.instructor_tools``.

On a hub the set-up turns nbgrader's formgrader and Create Assignment off for everyone and
locks them (docs/deploy/tljh/setup-course.sh), so no learner meets them. Jupyter's own
commands cannot turn them back on for one person: ``jupyter labextension enable --level=user``
refuses a plugin locked at a higher level, and ``jupyter server extension enable --user``
(jupyter_server 2) only changes extensions already named in the user's own settings, so for
formgrader it says "Validation failed … could not be found" and writes nothing. Yet Jupyter
reads each user's own settings first, above those of an environment the user does not own
(TLJH's belongs to root). So this writes the instructor's own settings, in their
``~/.jupyter``, with Jupyter's own functions:

- the formgrader server extension on (``jupyter_server_config.d/``);
- the Formgrader menu item and Create Assignment on in JupyterLab (``labconfig/page_config.json``);
- ``nbgrader_config.py`` that reads the course's settings (docs/deploy/instructor_nbgrader_config.py),
  so the formgrader, which runs in the home folder, finds the course and strips answer keys
  from feedback.

Run it from the course folder, as yourself (not with sudo), then restart your server.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_config_dir
from jupyter_server.extension.serverextension import toggle_server_extension_python
from jupyterlab_server.config import get_static_page_config, write_page_config

ROOT = Path(__file__).resolve().parent.parent
FORMGRADER = "nbgrader.server_extensions.formgrader"
LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
INSTRUCTOR_CONFIG = Path("docs") / "deploy" / "instructor_nbgrader_config.py"
# The line of INSTRUCTOR_CONFIG that says where the course is; rewritten for another folder.
COURSE_LINE = 'COURSE = Path.home() / "cps-course"'


class NotPossible(Exception):
    """Something the instructor must change first; the message says what, in plain words."""


def check_course_folder(course: Path) -> None:
    needed = [course / "nbgrader_config.py", course / "solutions", course / INSTRUCTOR_CONFIG]
    if not all(path.exists() for path in needed):
        raise NotPossible(
            f"{course} is not the course folder. Go into your copy of the course first "
            "(cd ~/cps-course), then type: python -m course.instructor_tools"
        )


def turn_on_formgrader() -> Path:
    """The formgrader server extension on in the user's own Jupyter settings."""
    toggle_server_extension_python(FORMGRADER, enabled=True, user=True)
    return Path(jupyter_config_dir()) / "jupyter_server_config.d" / f"{FORMGRADER}.json"


def turn_on_lab_plugins() -> Path:
    """The Formgrader menu item and Create Assignment on in the user's own page settings.

    JupyterLab merges every level's ``disabledExtensions`` with the user's on top; a lock only
    stops the Plugin Manager and ``jupyter labextension`` from changing a level below it.
    """
    page_config = get_static_page_config(level="user")
    disabled = page_config.get("disabledExtensions") or {}
    if isinstance(disabled, list):  # the format of jupyterlab_server before 2.10
        disabled = dict.fromkeys(disabled, True)
    disabled.update(dict.fromkeys(LAB_PLUGINS, False))
    page_config["disabledExtensions"] = disabled
    write_page_config(page_config, level="user")
    return Path(jupyter_config_dir()) / "labconfig" / "page_config.json"


def instructor_config_text(course: Path) -> str:
    """docs/deploy/instructor_nbgrader_config.py, pointing at ``course``."""
    text = (course / INSTRUCTOR_CONFIG).read_text(encoding="utf-8")
    if course == (Path.home() / "cps-course").resolve():
        return text
    if COURSE_LINE not in text:
        raise NotPossible(f"{course / INSTRUCTOR_CONFIG} has no line {COURSE_LINE!r} to point at {course}.")
    return text.replace(COURSE_LINE, f"COURSE = Path({str(course)!r})")


def give_formgrader_the_course_settings(course: Path) -> tuple[Path, Path | None]:
    """Write ~/.jupyter/nbgrader_config.py; a different one already there is kept as ``.old``."""
    target = Path(jupyter_config_dir()) / "nbgrader_config.py"
    text = instructor_config_text(course)
    kept = None
    if target.exists() and target.read_text(encoding="utf-8") != text:
        kept = target.with_name("nbgrader_config.py.old")
        target.replace(kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target, kept


def turn_on(course: Path) -> list[str]:
    """Every setting, and what to tell the instructor (one line each)."""
    if os.geteuid() == 0:
        raise NotPossible(
            "Type this as yourself, without sudo: it turns the tools on in your own settings only."
        )
    check_course_folder(course)
    formgrader = turn_on_formgrader()
    lab = turn_on_lab_plugins()
    config, kept = give_formgrader_the_course_settings(course)
    lines = [
        "Your grading tools are on, for you only:",
        f"  formgrader, the grading pages: {formgrader}",
        f"  Formgrader and Create Assignment in JupyterLab: {lab}",
        f"  your formgrader reads the course's settings in {course}: {config}",
    ]
    if kept:
        lines.append(f"  (the nbgrader_config.py that was there is kept as {kept})")
    lines.append("Now restart your server: File > Hub Control Panel > Stop My Server, then Start My Server.")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", type=Path, default=ROOT, help="the course folder (default: this one)")
    args = parser.parse_args(argv)
    try:
        lines = turn_on(args.course.resolve())
    except NotPossible as problem:
        print(problem, file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
