"""What a trainer sees while nbgrader grades a cohort, and a guard on feedback sent too soon.

nbgrader's own log is written for developers: a dozen lines per learner, SQLAlchemy warnings,
and no word of anyone's score. The course sets ``autograde`` and ``generate_feedback`` to log
only warnings (``nbgrader_config.py``) and prints, through nbgrader's post-convert hooks, one
plain line per learner as each is done, then a short summary when the command ends.

Feedback is held back for a learner whose reflection is not graded yet: nbgrader would send
"Score: 0.0 / 3.0" and no comment for a reflection nobody has read. The feedback page nbgrader
just wrote for them is removed again and the trainer is told why. A trainer who means to send it
anyway (say, to a learner who is leaving) runs the command with ``FEEDBACK_BEFORE_HAND_GRADING=yes``
in front of it (docs/instructors/running-a-cohort.md).

The hooks never raise: nbgrader would only log a failed hook, and a report that cannot be made
must not stop a cohort's grading.
"""

from __future__ import annotations

import atexit
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OVERRIDE = "FEEDBACK_BEFORE_HAND_GRADING"


@dataclass(frozen=True)
class Submission:
    """One learner's graded submission, as the gradebook has it."""

    student: str
    assignment: str
    score: float
    max_score: float
    needs_hand_grading: bool
    seconds_late: float


def _where(notebooks: list[str]) -> tuple[str, str] | None:
    """(student, assignment) of a submission, from its notebooks' paths: <stage>/<student>/<assignment>/."""
    if not notebooks:
        return None
    folder = Path(notebooks[0]).parent
    return folder.parent.name, folder.name


def find_submission(db: Path, course_id: str, student: str, assignment: str) -> Submission | None:
    """The gradebook's record of a submission, or None when there is none (or no gradebook)."""
    if not db.is_file():
        return None
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{db}", course_id) as gradebook:
        try:
            found = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return None
        return Submission(
            student,
            assignment,
            float(found.score),
            float(found.max_score),
            bool(found.needs_manual_grade),
            float(found.total_seconds_late or 0),
        )


@dataclass
class Tally:
    """What one command did, for its closing summary."""

    done: list[Submission] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    registered: bool = False


TALLY = Tally()


def _late(seconds: float) -> str:
    if seconds <= 0:
        return ""
    hours = seconds / 3600
    return f", {hours:.0f} hour(s) late" if hours >= 1 else ", a few minutes late"


def _at_exit(summary: Any) -> None:
    if not TALLY.registered:
        TALLY.registered = True
        atexit.register(summary)


def autograde_summary(db: Path, course_id: str, notebooks: list[str], **_: Any) -> None:
    """Autograde's post-convert hook: one line per learner, then a summary at the end."""
    try:
        where = _where(notebooks)
        found = find_submission(db, course_id, *where) if where else None
    except Exception as problem:  # noqa: BLE001 - a report must never stop grading
        print(f"[course] could not read the gradebook for a summary: {problem}")
        return
    if found is None:
        return
    TALLY.done.append(found)
    waiting = "; reflection to grade in formgrader" if found.needs_hand_grading else ""
    print(
        f"[course] {found.student}: {found.score:g} of {found.max_score:g} points so far"
        f"{waiting}{_late(found.seconds_late)}",
        flush=True,
    )
    _at_exit(_autograde_done)


def _autograde_done() -> None:
    done = TALLY.done
    waiting = [s.student for s in done if s.needs_hand_grading]
    late = [s.student for s in done if s.seconds_late > 0]
    print(f"[course] Autograde finished: {len(done)} submission(s) graded from their answers files.")
    if waiting:
        print(f"[course] {len(waiting)} reflection(s) to grade by hand in formgrader: {', '.join(waiting)}.")
    if late:
        print(f"[course] Submitted after the due date: {', '.join(late)}.")


def hold_back_ungraded(db: Path, course_id: str, notebooks: list[str], **_: Any) -> None:
    """generate_feedback's post-convert hook: take back the page of a learner whose reflection
    still needs grading (unless the trainer asked for it with FEEDBACK_BEFORE_HAND_GRADING=yes)."""
    try:
        where = _where(notebooks)
        found = find_submission(db, course_id, *where) if where else None
    except Exception as problem:  # noqa: BLE001 - a report must never stop the command
        print(f"[course] could not read the gradebook to check hand grading: {problem}")
        return
    if found is None:
        return
    _at_exit(_feedback_done)
    if not found.needs_hand_grading or os.environ.get(OVERRIDE, "").lower() in ("1", "yes", "true"):
        TALLY.done.append(found)
        points = f"{found.score:g} of {found.max_score:g}"
        print(f"[course] {found.student}: feedback made ({points}).", flush=True)
        return
    # The whole folder goes: nbgrader skips a learner whose feedback folder looks up to date,
    # so the next run, after the reflection is graded, makes their page.
    shutil.rmtree(db.parent / "feedback" / found.student / found.assignment, ignore_errors=True)
    TALLY.held.append(found.student)
    print(f"[course] {found.student}: no feedback yet; their reflection still needs grading.", flush=True)


def _feedback_done() -> None:
    print(f"[course] Feedback made for {len(TALLY.done)} learner(s).")
    if TALLY.held:
        print(
            f"[course] Held back for {len(TALLY.held)} learner(s) whose reflection is not graded yet: "
            f"{', '.join(TALLY.held)}. Grade them in formgrader (a score of 0 counts), then run this again."
        )
