"""A folder that only the current Unix user can reach, for the course's own working files.

On a JupyterHub many learners share one machine and one ``/tmp``. A fixed name in ``/tmp``
belongs to whoever makes it first: every other learner then cannot write there (so their
saves fail), and its owner can read, replace or plant files in it (a symlink aimed at
someone's work). So the course keeps its working files (answer locks, self-check caches) in a
folder of this user's own, and checks the folder every time before trusting it.

Two places are tried, in order:

* the user's runtime folder, ``$XDG_RUNTIME_DIR/cps-course/<purpose>``: private by design and
  emptied at logout, when it is set, exists, belongs to this user and lets no one else in;
* the user's cache folder, ``platformdirs.user_cache_dir("cps-course")/<purpose>``, under the
  user's home.

A folder we made, or made before, that lets others in is closed again (``chmod 700``). A
folder that belongs to someone else, or is a symlink, is never used. When neither place is
safe, :class:`NoPrivateDir` is raised and the caller says so plainly instead of going on.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import platformdirs

COURSE = "cps-course"
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


class NoPrivateDir(PermissionError):
    """Neither the runtime folder nor the cache folder could be made private to this user."""


def private_dir(purpose: str) -> Path:
    """A folder for ``purpose`` (such as "locks") that belongs to this user and no one else.

    Raises :class:`NoPrivateDir` when no safe folder can be found or made: a caller that
    cannot keep its files private must stop and say so, never fall back to a shared place.
    """
    refused: list[str] = []
    for base, owned_base in _candidates():
        try:
            return _private_chain(base, owned_base, purpose)
        except OSError as problem:
            refused.append(f"{base}: {problem}")
    raise NoPrivateDir("no private folder for course files; " + "; ".join(refused))


def _candidates() -> list[tuple[Path, bool]]:
    """(folder holding the course's folder, whether that folder must itself be private).

    The runtime folder is only worth using if it really is the user's private one; the cache
    folder's parent (``~/.cache``) is usually readable by others, which is fine as long as
    only its owner can add or rename things in it.
    """
    found = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_absolute():
        found.append((Path(runtime), True))
    found.append((Path(platformdirs.user_cache_dir(COURSE)).parent, False))
    return found


def _private_chain(base: Path, owned_base: bool, purpose: str) -> Path:
    """Check the base folder, then make (or fix) ``base/cps-course/purpose`` for this user."""
    info = os.lstat(base) if owned_base else _existing_or_made(base)
    me = os.geteuid()
    if owned_base and (info.st_uid != me or info.st_mode & _OTHERS or not stat.S_ISDIR(info.st_mode)):
        raise PermissionError(f"{base} is not a private folder of this user")
    if not owned_base and (info.st_uid not in (me, 0) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        raise PermissionError(f"others can change {base}")
    folder = base
    for part in (COURSE, purpose):
        folder = folder / part
        _make_private(folder)
    return folder


def _existing_or_made(folder: Path) -> os.stat_result:
    """The cache's parent folder (``~/.cache``) may not exist yet on a new account."""
    folder.mkdir(parents=True, exist_ok=True)
    return os.stat(folder)


def _make_private(folder: Path) -> None:
    """Make ``folder`` with mode 700, or close an existing one; refuse one that is not ours.

    ``lstat`` so a symlink planted under the name is refused rather than followed.
    """
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise PermissionError(f"{folder} is not a plain folder")
    if info.st_uid != os.geteuid():
        raise PermissionError(f"{folder} belongs to someone else")
    if info.st_mode & _OTHERS:
        os.chmod(folder, 0o700)
