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
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

ANSWERS_FILE = "answers.json"
FORMAT_VERSION = 1
# An entry as the file stores it: "m1.g3": {"value": ..., "first": ..., "changes": 2, ...}.
# Used to rescue entries from a file that is no longer valid JSON as a whole.
_ENTRY = re.compile(r'"((?:m\d+|exam)\.[a-z]\d+)"\s*:\s*(\{[^{}]*\})')


def grading_now() -> bool:
    """True while nbgrader executes the notebook (autograde or validate): then nothing writes."""
    return os.environ.get("NBGRADER_EXECUTION", "") in {"autograde", "validate"}


def module_name(module: object) -> str:
    """How a learner knows a module: "m2" -> "Module 2", "exam" -> "the practice exam"."""
    if module == "exam":
        return "the practice exam"
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


def parse(text: str, module: str) -> Loaded:
    """Read the text of an answers file, rescuing what can be rescued."""
    if not text.strip():
        return Loaded(problems=["answers.json was empty."], keep_copy=False)
    try:
        data = json.loads(text)
    except ValueError:
        rescued: dict[str, Any] = {}
        for match in _ENTRY.finditer(text):
            try:
                rescued[match.group(1)] = json.loads(match.group(2))
            except ValueError:
                continue
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
    return Loaded(entries=entries, problems=problems, keep_copy=keep_copy or bool(problems), seed=seed)


def _lock_for(path: Path) -> FileLock:
    """A lock kept outside the notebook folder, so it is never submitted or committed."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    lock_dir = Path(tempfile.gettempdir()) / "cps-course-locks"
    lock_dir.mkdir(exist_ok=True)
    return FileLock(str(lock_dir / f"{digest}.lock"), timeout=10)


class AnswerStore:
    """The answers of one module, in ``answers.json`` of one folder."""

    def __init__(self, module: str, folder: Path | None = None, read_only: bool | None = None):
        self.module = module
        self.path = (folder or Path.cwd()) / ANSWERS_FILE
        self.read_only = grading_now() if read_only is None else read_only

    def load(self) -> Loaded:
        """Read the file; a missing file is simply an empty one."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Loaded()
        except (OSError, UnicodeDecodeError):
            return Loaded(problems=["answers.json could not be opened as text."], keep_copy=True)
        return parse(text, self.module)

    def value(self, item_id: str) -> Any:
        """The learner's current answer to an item, or None."""
        entry = self.load().entries.get(item_id)
        return None if entry is None else entry.get("value")

    def seed(self) -> int:
        """A number fixed per learner and module (for the exam's own order of items).

        Drawn from the hub user name, so an instructor can reproduce a learner's order, and
        stored in the file with the first answer, so grading elsewhere shows the same order.
        """
        loaded = self.load()
        return loaded.seed if loaded.seed is not None else self._first_seed()

    def _first_seed(self) -> int:
        who = os.environ.get("JUPYTERHUB_USER") or os.environ.get("USER") or "learner"
        return int(hashlib.sha256(f"{who}/{self.module}".encode()).hexdigest()[:8], 16)

    def record(self, item_id: str, value: Any) -> bool:
        """Save one answer at once. Returns False (and writes nothing) while grading."""
        if self.read_only:
            return False
        now = time.strftime("%Y-%m-%dT%H:%M:%S")

        def change(entries: dict[str, dict[str, Any]]) -> None:
            old = entries.get(item_id)
            if old is None:
                entries[item_id] = {"value": value, "first": value, "changes": 1, "updated": now}
            elif old.get("value") != value:
                old.update(value=value, changes=int(old.get("changes", 0)) + 1, updated=now)

        self._update(change)
        return True

    def _update(self, change: Any) -> None:
        """Read, change and write back under the lock, so no other kernel's answer is lost."""
        with _lock_for(self.path):
            loaded = self.load()
            if loaded.keep_copy and self.path.exists():
                stamp = time.strftime("%Y%m%d-%H%M%S")
                self.path.replace(self.path.with_name(f"answers.damaged-{stamp}.json"))
            change(loaded.entries)
            payload = {
                "format": FORMAT_VERSION,
                "module": self.module,
                "seed": loaded.seed if loaded.seed is not None else self._first_seed(),
                "answers": dict(sorted(loaded.entries.items())),
            }
            _write_atomically(self.path, json.dumps(payload, indent=1, ensure_ascii=False))


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
