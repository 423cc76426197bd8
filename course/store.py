"""The answers file: one JSON file beside each module notebook.

A click in a widget leaves no trace in the .ipynb once the kernel is gone, and nbgrader grades
what the kernel computes when it re-runs a submitted notebook. So every answer is written, the
moment it changes, to ``answers.json`` in the notebook's folder; that file travels with the
submission and is the only thing the graded cells read.

Three promises shape this module:

* **Nothing is lost.** A file that cannot be read in full is salvaged entry by entry, and a
  copy of it is kept before it is first rewritten.
* **Nothing half-written is ever seen.** Writes go to a temporary file that replaces the old
  one in a single rename, under a lock, so two kernels never interleave or drop each other's
  answers.
* **Grading never writes.** While nbgrader autogrades or validates, the store is read-only.

And one more, for a shared machine (JupyterHub): **a failed save is never silent.** Locks live
in a folder private to the learner (see :mod:`course.private_dir`), and any save that cannot
finish raises :class:`SaveFailed` with words for the learner, leaving the old file whole.

In a web browser only (the static site, :mod:`course.browser`) there are no locks: each page's
Python has its own file system in memory and no other user, so a lock file there would keep
nothing apart. The write is still atomic (a temporary file renamed over the old one).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import texts
from .browser import IN_BROWSER
from .contract import grading_now
from .private_dir import NoPrivateDir, private_dir

ANSWERS_FILE = "answers.json"
FORMAT_VERSION = 1
# The key of an entry as the file stores it: "m1.g3": {"value": ..., "first": ..., ...}.
# Used to find entries in a file that is no longer valid JSON as a whole; each value is then
# decoded as JSON from where it starts, so braces inside a reflection do not matter.
_ENTRY_KEY = re.compile(r'"((?:m\d+|exam|short)\.[a-z]\d+)"\s*:\s*')


class SaveFailed(Exception):
    """An answer could not be saved. ``str()`` of it is a plain message for the learner."""


def module_name(module: object) -> str:
    """How a learner knows a module: "m2" -> "Module 2", "exam" -> "the practice exam"."""
    if module == "exam":
        return "the practice exam"
    if module == "short":
        return "the short practice exam"
    if isinstance(module, str) and module[1:].isdigit():
        return f"Module {module[1:]}"
    return "another course"


def is_answered(value: Any) -> bool:
    """Whether a saved value counts as an answer (an empty text or an empty sort does not)."""
    return value not in (None, "", {})


def module_of(item_id: str) -> str:
    """The module an item belongs to: "m1.g3" -> "m1"."""
    return item_id.split(".", 1)[0]


@dataclass
class Loaded:
    """What was read from an answers file, and what the learner should be told about it."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # The file exists but was not fully ours to rewrite (damaged, or another module's):
    # keep a copy of it before the first write.
    keep_copy: bool = False
    seed: int | None = None
    # The file is there but could not be read at all: it must never be overwritten.
    unreadable: bool = False
    # The bytes as read, so the copy kept aside is exactly the old file.
    raw: bytes = b""
    # Seconds on the practice exam's clock when the learner last paused or answered.
    clock: int | None = None


def _clean_entries(raw: Any, module: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    """Keep the well-formed entries of this module; say what was dropped and why."""
    if not isinstance(raw, dict):
        problems.append("The list of answers inside answers.json was not in the expected form.")
        return {}
    kept: dict[str, dict[str, Any]] = {}
    other = 0
    for item_id, entry in raw.items():
        if not isinstance(item_id, str) or module_of(item_id) != module:
            other += 1
            continue
        if isinstance(entry, dict) and "value" in entry:
            kept[item_id] = entry
        else:
            problems.append(f"The saved answer for {item_id} could not be read.")
    if other:
        problems.append(f"{other} saved answer(s) belong to another module and were not used here.")
    return kept


def _salvage(text: str) -> dict[str, Any]:
    """Every entry whose value still decodes as JSON, from a file that does not as a whole.

    A key found inside an entry already decoded is part of that entry, not a new one.
    """
    decoder = json.JSONDecoder()
    rescued: dict[str, Any] = {}
    decoded_to = 0
    for match in _ENTRY_KEY.finditer(text):
        if match.start() < decoded_to:
            continue
        try:
            value, decoded_to = decoder.raw_decode(text, match.end())
        except ValueError:
            continue
        rescued[match.group(1)] = value
    return rescued


def decode(raw: bytes, module: str) -> Loaded:
    """Read the bytes of an answers file; a few bad bytes must not cost the other answers."""
    try:
        return parse(raw.decode("utf-8"), module)
    except UnicodeDecodeError:
        loaded = parse(raw.decode("utf-8", errors="replace"), module)
    loaded.problems.insert(0, texts.FILE_BAD_CHARACTERS)
    loaded.keep_copy = True
    return loaded


def parse(text: str, module: str) -> Loaded:
    """Read the text of an answers file, rescuing what can be rescued."""
    if not text.strip():
        return Loaded(problems=["answers.json was empty."], keep_copy=False)
    try:
        data = json.loads(text)
    except ValueError:
        rescued = _salvage(text)
        problems = ["answers.json was damaged (it is not complete JSON)."]
        entries = _clean_entries(rescued, module, problems)
        return Loaded(entries=entries, problems=problems, keep_copy=True)
    if not isinstance(data, dict):
        return Loaded(problems=["answers.json did not hold answers."], keep_copy=True)
    problems: list[str] = []
    owner = data.get("module")
    keep_copy = False
    if owner != module:
        problems.append(f"answers.json was made for {module_name(owner)}, not {module_name(module)}.")
        keep_copy = True
    entries = _clean_entries(data.get("answers", {}), module, problems)
    seed = data.get("seed") if isinstance(data.get("seed"), int) else None
    clock = data.get("clock")
    clock = clock if isinstance(clock, int) and not isinstance(clock, bool) and clock >= 0 else None
    keep = keep_copy or bool(problems)
    return Loaded(entries=entries, problems=problems, keep_copy=keep, seed=seed, clock=clock)


def _lock_for(path: Path) -> contextlib.AbstractContextManager[Any]:
    """A lock kept outside the notebook folder, so it is never submitted or committed.

    It lives in this user's private folder, never in a shared ``/tmp``: there another user
    could own the folder and make every save fail, or read and plant files in it. Two kernels
    of one user share the lock, which is all that is needed: only the folder's owner can write
    the answers file. In a web browser only there is nothing to lock against (see the module's
    docstring), and filelock would only warn that it has no real lock there.
    """
    if IN_BROWSER:
        return contextlib.nullcontext()
    from filelock import FileLock

    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    return FileLock(str(private_dir("locks") / f"{digest}.lock"), timeout=10, mode=0o600)


def _lock_timed_out(error: OSError) -> bool:
    """Whether a lock never came free (filelock is only loaded where locks are used)."""
    filelock = sys.modules.get("filelock")
    return filelock is not None and isinstance(error, filelock.Timeout)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes. A file the learner owns but cannot read (say, after a stray
    ``chmod``) is opened up for its owner once, so the answers in it are not lost."""
    try:
        return path.read_bytes()
    except PermissionError:
        info = os.stat(path)
        if IN_BROWSER or info.st_uid != os.geteuid():  # the browser's Python has no users
            raise
        os.chmod(path, stat.S_IMODE(info.st_mode) | stat.S_IRUSR | stat.S_IWUSR)
        return path.read_bytes()


def _reason(error: OSError) -> str:
    """Plain words for why a save failed, for the learner and whoever helps them."""
    if isinstance(error, NoPrivateDir):
        return texts.SAVE_NO_PRIVATE_PLACE
    if _lock_timed_out(error):
        return texts.SAVE_BUSY
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return texts.SAVE_DISK_FULL
    if isinstance(error, PermissionError) or error.errno == errno.EROFS:
        return texts.SAVE_NOT_WRITABLE
    return texts.SAVE_OTHER


def _failed(reason: str) -> SaveFailed:
    return SaveFailed(texts.SAVE_FAILED.format(reason=reason))


def seed_for(who: str) -> int:
    """The seed of a learner (their hub user name): the autograder uses it too, for an answers
    file saved before it held a seed. One seed for every form of the practice exam, so each form
    takes its own slice of the learner's one shuffle of the bank (``course.order.drawn``)."""
    return int(hashlib.sha256(f"{who}/practice-exam".encode()).hexdigest()[:8], 16)


class AnswerStore:
    """The answers of one module, in ``answers.json`` of one folder."""

    def __init__(self, module: str, folder: Path | None = None, read_only: bool | None = None):
        self.module = module
        self.path = (folder or Path.cwd()) / ANSWERS_FILE
        self.read_only = grading_now() if read_only is None else read_only

    def load(self) -> Loaded:
        """Read the file; a missing file is simply an empty one."""
        try:
            raw = _read_bytes(self.path)
        except FileNotFoundError:
            return Loaded()
        except OSError:
            return Loaded(problems=[texts.FILE_UNREADABLE], keep_copy=True, unreadable=True)
        loaded = decode(raw, self.module)
        loaded.raw = raw
        return loaded

    def value(self, item_id: str) -> Any:
        """The learner's current answer to an item, or None."""
        entry = self.load().entries.get(item_id)
        return None if entry is None else entry.get("value")

    def seed(self, loaded: Loaded | None = None) -> int:
        """A number fixed per learner (for the practice exam's form and order of items).

        Drawn from the hub user name, so an instructor can reproduce a learner's order, and
        stored in the file with the first answer, so grading elsewhere shows the same order.
        ``loaded`` saves reading the file again when the caller has just read it.
        """
        loaded = loaded or self.load()
        return loaded.seed if loaded.seed is not None else self._first_seed()

    def _first_seed(self) -> int:
        who = os.environ.get("JUPYTERHUB_USER") or os.environ.get("USER") or "learner"
        return seed_for(who)

    def record(self, item_id: str, value: Any) -> bool:
        """Save one answer at once. Returns False (and writes nothing) while grading.

        Raises :class:`SaveFailed` when the answer could not be saved (disk full, a folder
        that cannot be written, a lock that never came free...), so the question can say so
        instead of the learner believing it is kept. The file on disk is then unchanged.
        """
        if self.read_only:
            return False
        now = time.strftime("%Y-%m-%dT%H:%M:%S")

        def change(loaded: Loaded) -> None:
            old = loaded.entries.get(item_id)
            if old is None:
                loaded.entries[item_id] = {"value": value, "first": value, "changes": 1, "updated": now}
            elif old.get("value") != value:
                old.update(value=value, changes=int(old.get("changes", 0)) + 1, updated=now)

        return self._save(change)

    def record_clock(self, seconds: int) -> bool:
        """Save the practice exam's clock (seconds used), so it goes on where the learner left
        it after a pause, a reload or another day. Returns False (and writes nothing) while
        grading; raises :class:`SaveFailed` like :meth:`record`."""
        if self.read_only:
            return False

        def change(loaded: Loaded) -> None:
            loaded.clock = max(0, int(seconds))

        return self._save(change)

    def update(self, change: Callable[[Loaded], None]) -> bool:
        """Change the file as a whole under the lock, as :meth:`record` does for one answer:
        ``change`` gets what the file holds now (its entries, seed and clock) and changes it in
        place, and the file is written anew. Loading a downloaded answers file back
        (:mod:`course.keep_answers`) merges it this way. Returns False (and writes nothing)
        while grading; raises :class:`SaveFailed` like :meth:`record`."""
        if self.read_only:
            return False
        return self._save(change)

    def _save(self, change: Callable[[Loaded], None]) -> bool:
        try:
            self._update(change)
        except OSError as error:
            raise _failed(_reason(error)) from error
        return True

    def _update(self, change: Callable[[Loaded], None]) -> None:
        """Read, change and write back under the lock, so no other kernel's answer is lost.

        The old file is only ever replaced whole, by the new one: a damaged file is copied
        aside first (if that fails, nothing is written), and a file that could not be read
        at all is never written over.
        """
        with _lock_for(self.path):
            loaded = self.load()
            if loaded.unreadable:
                raise _failed(texts.SAVE_UNREADABLE)
            if loaded.keep_copy and loaded.raw:
                _copy_aside(self.path, loaded.raw)
            change(loaded)
            payload: dict[str, Any] = {
                "format": FORMAT_VERSION,
                "module": self.module,
                "seed": loaded.seed if loaded.seed is not None else self._first_seed(),
                "answers": dict(sorted(loaded.entries.items())),
            }
            if loaded.clock is not None:
                payload["clock"] = loaded.clock
            _write_atomically(self.path, json.dumps(payload, indent=1, ensure_ascii=False))


def _copy_aside(path: Path, raw: bytes) -> Path:
    """Keep the old file's exact bytes as answers.damaged-<date>.json, on disk, before any
    rewrite. A copy, never a rename: if the new file then cannot be written, the old one is
    still there, whole. An existing copy is never written over."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 1
    while True:
        copy = path.with_name(f"answers.damaged-{stamp}{'' if n == 1 else f'-{n}'}.json")
        try:
            _write_new(copy, raw)
        except FileExistsError:
            n += 1
            continue
        return copy


def _write_new(path: Path, raw: bytes) -> None:
    """Write a file that must not exist yet; a write that fails (disk full) leaves no part.

    Readable by its owner only, like answers.json itself (``mkstemp`` makes it so): on a
    shared machine other learners must not read someone's answers.
    """
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        try:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename over it: readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(prefix=".answers-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
