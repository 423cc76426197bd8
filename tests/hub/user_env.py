"""A stand-in for TLJH's user environment (/opt/tljh/user), made in a second for one test run.

On TLJH every learner's server runs the Python in /opt/tljh/user, and the course's set-up
script installs the course there and writes that environment's Jupyter settings (its
``etc/jupyter``). The stand-in is a real virtual environment of its own with this venv's
packages reachable through one ``.pth`` line, so the script's ``pip install`` of the course
finds every dependency already there and needs no network, and whatever the script writes
(the course package, the settings that hide the instructor tools) lands in the stand-in, never
in this venv that other tests use:

- ``bin/``: a copy of each of this venv's commands (jupyter, nbgrader, jupyterhub-singleuser…)
  that runs the stand-in's Python, so ``sys.prefix``, and with it every ``--sys-prefix`` setting,
  is the stand-in's;
- ``etc/jupyter``: a copy of this venv's, as pip leaves it after installing the same packages;
- ``share/jupyter``: a copy of this venv's, less JupyterLab's own built files, which are linked
  (the set-up never writes there).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

VENV = Path(sys.prefix)
# Read-only for the set-up script and the guide: linked rather than copied (about 20 MB).
LINKED = {"lab", "nbextensions"}


def _site_packages(prefix: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))


def _copy_commands(into: Path) -> None:
    """Each of this venv's Python commands, made to run the stand-in's Python."""
    ours = f"#!{VENV / 'bin' / 'python'}"
    for script in sorted((VENV / "bin").iterdir()):
        target = into / "bin" / script.name
        if target.exists() or script.is_symlink() or not script.is_file():
            continue
        text = script.read_bytes()
        first, _, rest = text.partition(b"\n")
        if first.decode(errors="replace").strip() in (ours, f"{ours}3"):
            target.write_bytes(f"#!{into / 'bin' / 'python'}\n".encode() + rest)
            target.chmod(0o755)


def make_user_env(where: Path) -> Path:
    """A new user environment at ``where``, readable and runnable by every user."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    (_site_packages(where) / "reach-the-test-venv.pth").write_text(
        f"{_site_packages(VENV)}\n", encoding="utf-8"
    )
    _copy_commands(where)
    shutil.copytree(VENV / "etc" / "jupyter", where / "etc" / "jupyter")
    share = where / "share" / "jupyter"
    share.mkdir(parents=True)
    for entry in sorted((VENV / "share" / "jupyter").iterdir()):
        if entry.name in LINKED:
            (share / entry.name).symlink_to(entry, target_is_directory=True)
        else:
            shutil.copytree(entry, share / entry.name, symlinks=True)
    for path in [where, *where.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o100 else 0o644)
    return where
