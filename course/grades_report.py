"""Grades a trainer can use: ``python -m course.grades``, from the course folder.

``nbgrader export`` writes one line per learner and module, with scores and UTC times, and
nothing about who is missing. This report reads nbgrader's gradebook and exchange and writes,
into ``grades-report/`` (git-ignored: it holds names and emails):

* ``grades.csv``: one row per learner, one status and one score per *released* module (a
  module never released, and "My progress", which has no grades, get no column). A status is
  ``not fetched`` (only when the learner's home folder can be looked into, as root can),
  ``not submitted``, ``submitted, not graded yet`` (in the exchange or collected, not
  autograded), ``needs hand grading`` (the reflection waits in formgrader) or ``graded``,
  with ", late" (or "submitted late") when it came after the due date;
* ``not-submitted.csv``: who has not submitted, module by module, with the due date;
* ``canvas.csv``: Canvas's gradebook import format, as Canvas's importer
  (``app/models/gradebook_importer.rb``) reads it: a header ``Student, ID, SIS User ID,
  SIS Login ID, Section`` then one column per module, a ``Points Possible`` row, learners
  matched by Canvas ID (nbgrader's ``lms_user_id``), else SIS Login ID (the email), else
  name ("Last, First");
* ``moodle.csv``: for Moodle's CSV grade import, where the trainer maps the ``Email address``
  column to the user's email and each module column to a grade item. Moodle stops the whole
  import at a row whose user it cannot find, so learners without an email are left out
  (and named); ``-`` means no grade, as Moodle's importer reads it (it empties that grade in
  an existing grade item, which the trainer's guide says).

Only finished grades go to Canvas and Moodle: a score still waiting for hand grading is left
blank there. Due dates and times are shown in the course's time zone (NbGraderAPI.timezone;
nbgrader stores UTC).
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import pwd
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import nbgrader_settings as ns
from .nbgrader_settings import Settings, SettingsProblem

REPORT_FOLDER = "grades-report"
NOT_FETCHED = "not fetched"
NOT_SUBMITTED = "not submitted"
WAITING = "submitted, not graded yet"
HAND_GRADING = "needs hand grading"
GRADED = "graded"
_LATE = {
    GRADED: "graded, late",
    HAND_GRADING: "needs hand grading, late",
    WAITING: "submitted late, not graded yet",
}
MISSING = (NOT_FETCHED, NOT_SUBMITTED)
CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
SHOWN_BY_NAME = 10  # longer "not submitted" lists are left to not-submitted.csv


@dataclass(frozen=True)
class Learner:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""

    @property
    def name(self) -> str:
        """The learner as the summary names them: full name and account, or the account alone."""
        full = f"{self.first_name} {self.last_name}".strip()
        return f"{full} ({self.id})" if full else self.id

    @property
    def sortable(self) -> str:
        """Last name, comma, first name: how Canvas sorts and matches names."""
        if self.first_name and self.last_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.first_name or self.id


@dataclass(frozen=True)
class Module:
    name: str
    due: datetime | None  # UTC, naive, as the gradebook keeps it
    max_score: float


@dataclass(frozen=True)
class Cell:
    """One learner's standing in one module."""

    status: str
    score: float | None = None
    late: bool = False

    @property
    def label(self) -> str:
        return _LATE.get(self.status, self.status) if self.late else self.status

    @property
    def final(self) -> float | None:
        """The score to send to an LMS: only once nothing waits to be graded."""
        return self.score if self.status == GRADED else None


@dataclass
class Report:
    settings: Settings
    modules: list[Module]
    learners: list[Learner]
    cells: dict[tuple[str, str], Cell]
    resubmitted: dict[str, list[str]] = field(default_factory=dict)  # module -> learners with newer work
    notes: list[str] = field(default_factory=list)

    def missing(self, module: str) -> list[Learner]:
        return [x for x in self.learners if self.cells[x.id, module].status in MISSING]


class NoGradebook(Exception):
    """There is no gradebook to report on."""


# ----------------------------------------------------------------------- reading


@dataclass
class _Graded:
    score: float
    needs_hand_grading: bool
    late: bool
    timestamp: datetime | None


def _read_gradebook(
    settings: Settings,
) -> tuple[list[Module], dict[str, Learner], dict[tuple[str, str], _Graded]]:
    from nbgrader.api import Gradebook

    if settings.gradebook is not None and not settings.gradebook.exists():
        raise NoGradebook(str(settings.gradebook))
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        modules = [Module(a.name, a.duedate, float(a.max_score)) for a in gradebook.assignments]
        learners = {
            s.id: Learner(s.id, s.first_name or "", s.last_name or "", s.email or "", s.lms_user_id or "")
            for s in gradebook.students
        }
        graded = {
            (s.student.id, a.name): _Graded(
                float(s.score), bool(s.needs_manual_grade), (s.total_seconds_late or 0) > 0, s.timestamp
            )
            for a in gradebook.assignments
            for s in a.submissions
        }
    return modules, learners, graded


def _quiet_log() -> logging.Logger:
    """A logger for nbgrader's exchange classes that keeps their warnings off the trainer's screen."""
    log = logging.getLogger("course.grades.exchange")
    log.propagate = False
    log.addHandler(logging.NullHandler())
    return log


def _exchange_listing(settings: Settings, inbound: bool) -> list[dict[str, Any]]:
    """nbgrader's own listing of the exchange, as ``nbgrader list`` (``--inbound``) gives it."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    config = settings.config
    coursedir = CourseDirectory(config=config, root=str(settings.folder))
    lister = ExchangeFactory(config=config).List(
        coursedir=coursedir, authenticator=Authenticator(config=config), config=config, log=_quiet_log()
    )
    lister.inbound = inbound
    return list(lister.start() or [])


def _utc(stamp: str) -> datetime | None:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(stamp)
    except (ValueError, OverflowError):
        return None


def _collected_not_graded(settings: Settings, names: Iterable[str]) -> dict[tuple[str, str], datetime | None]:
    """Submissions in ``submitted/`` (collected), with their time, by (learner, module)."""
    found: dict[tuple[str, str], datetime | None] = {}
    if not settings.submitted.is_dir():
        return found
    wanted = set(names)
    for student in settings.submitted.iterdir():
        for module in wanted:
            folder = student / module
            if folder.is_dir():
                stamp = folder / "timestamp.txt"
                found[student.name, module] = _utc(stamp.read_text().strip()) if stamp.is_file() else None
    return found


def _fetched(settings: Settings, learner: str, module: str) -> bool | None:
    """Whether the learner has the module in their home (nbgrader's exchange fetches it there);
    None when that cannot be known (another exchange, no such account, a home closed to us)."""
    if settings.exchange_kind != ns.FILESYSTEM or os.path.isabs(settings.assignment_dir):
        return None
    try:
        home = Path(pwd.getpwnam(learner).pw_dir)
    except KeyError:
        return None
    if not os.access(home, os.R_OK | os.X_OK):
        return None
    base = home / settings.assignment_dir
    if settings.path_includes_course:
        base = base / settings.course_id
    return (base / module).is_dir()


def _exchange(settings: Settings) -> tuple[set[str], list[dict[str, Any]], list[str]]:
    """(released modules, submissions waiting in the exchange, notes); notes say why none were read."""
    try:
        released = {info["assignment_id"] for info in _exchange_listing(settings, inbound=False)}
        return released, _exchange_listing(settings, inbound=True), []
    except Exception as failure:  # noqa: BLE001 - any exchange error: report from the gradebook alone
        return (
            set(),
            [],
            [
                f"The exchange could not be read ({failure}), so modules are shown once they have "
                "submissions and work not collected yet is not counted. python -m course.doctor says why."
            ],
        )


def _newest(inbound: list[dict[str, Any]]) -> dict[tuple[str, str], datetime | None]:
    """The newest submission time in the exchange, by (learner, module). nbgrader lists one entry
    per learner and module, with their submissions inside."""
    newest: dict[tuple[str, str], datetime | None] = {}
    for info in inbound:
        key = (str(info["student_id"]), str(info["assignment_id"]))
        times = [_utc(str(each.get("timestamp", ""))) for each in info.get("submissions", [info])]
        newest[key] = max((t for t in (newest.get(key), *times) if t), default=None)
    return newest


def _cell(
    settings: Settings,
    module: Module,
    learner: str,
    mark: _Graded | None,
    waiting: bool,
    since: datetime | None,
) -> Cell:
    """One learner's standing in one module, from the gradebook first, then what waits."""
    if mark is not None:
        return Cell(HAND_GRADING if mark.needs_hand_grading else GRADED, mark.score, mark.late)
    if waiting:
        return Cell(WAITING, None, bool(module.due and since and since > module.due))
    fetched = _fetched(settings, learner, module.name)
    return Cell(NOT_FETCHED if fetched is False else NOT_SUBMITTED)


def build(settings: Settings) -> Report:
    """Everything the files and the summary say, read from the gradebook and the exchange."""
    modules, learners, graded = _read_gradebook(settings)
    released, inbound, notes = _exchange(settings)
    collected = _collected_not_graded(settings, [m.name for m in modules])
    in_exchange = _newest(inbound)
    with_work = {module for _, module in [*graded, *collected, *in_exchange]}
    shown = [
        m
        for m in sorted(modules, key=lambda m: m.name)
        if m.max_score > 0 and (m.name in released or m.name in with_work)
    ]
    names = {m.name for m in shown}
    everyone = dict(learners)
    for student, module in [*graded, *collected, *in_exchange]:
        if module in names:
            everyone.setdefault(student, Learner(student))
    ordered = sorted(everyone.values(), key=lambda x: (x.sortable.lower(), x.id))
    cells: dict[tuple[str, str], Cell] = {}
    resubmitted: dict[str, list[str]] = {}
    for module in shown:
        for learner in ordered:
            key = (learner.id, module.name)
            mark, newer = graded.get(key), in_exchange.get(key)
            waiting = key in collected or key in in_exchange
            cells[key] = _cell(settings, module, learner.id, mark, waiting, collected.get(key) or newer)
            if mark and mark.timestamp and newer and newer > mark.timestamp:
                resubmitted.setdefault(module.name, []).append(learner.id)
    return Report(settings, shown, ordered, cells, resubmitted, notes)


# ----------------------------------------------------------------------- writing


def _number(value: float | None, blank: str = "") -> str:
    return blank if value is None else f"{value:g}"


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def grades_rows(report: Report) -> list[list[str]]:
    header = ["Learner", "First name", "Last name", "Email"]
    for m in report.modules:
        header += [f"{m.name} status", f"{m.name} score (out of {m.max_score:g})"]
    rows = [header]
    for x in report.learners:
        row = [x.id, x.first_name, x.last_name, x.email]
        for m in report.modules:
            cell = report.cells[x.id, m.name]
            row += [cell.label, _number(cell.score)]
        rows.append(row)
    return rows


def not_submitted_rows(report: Report) -> list[list[str]]:
    rows = [
        [
            "Module",
            f"Due ({report.settings.zone().key})",
            "Learner",
            "First name",
            "Last name",
            "Email",
            "Status",
        ]
    ]
    for m in report.modules:
        due = report.settings.show(m.due)
        for x in report.missing(m.name):
            rows.append(
                [m.name, due, x.id, x.first_name, x.last_name, x.email, report.cells[x.id, m.name].label]
            )
    return rows


def canvas_rows(report: Report) -> list[list[str]]:
    """Canvas's gradebook import: student columns, a Points Possible row, one column per module."""
    rows = [CANVAS_STUDENT_COLUMNS + [m.name for m in report.modules]]
    rows.append(["Points Possible", "", "", "", ""] + [f"{m.max_score:g}" for m in report.modules])
    for x in report.learners:
        scores = [_number(report.cells[x.id, m.name].final) for m in report.modules]
        rows.append([x.sortable, x.lms_user_id, "", x.email, "", *scores])
    return rows


def moodle_rows(report: Report) -> list[list[str]]:
    """Moodle's CSV grade import: an email to match each learner, one column per module."""
    rows = [["Email address", "First name", "Last name"] + [m.name for m in report.modules]]
    for x in report.learners:
        if x.email:
            scores = [_number(report.cells[x.id, m.name].final, "-") for m in report.modules]
            rows.append([x.email, x.first_name, x.last_name, *scores])
    return rows


def write(report: Report, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {
        "grades.csv": _write(out / "grades.csv", grades_rows(report)),
        "not-submitted.csv": _write(out / "not-submitted.csv", not_submitted_rows(report)),
        "canvas.csv": _write(out / "canvas.csv", canvas_rows(report)),
        "moodle.csv": _write(out / "moodle.csv", moodle_rows(report)),
    }


# ----------------------------------------------------------------------- the summary


def _count(report: Report, module: str) -> str:
    """One module in numbers: graded, waiting for hand grading, not graded yet, missing, late."""
    cells = [report.cells[x.id, module] for x in report.learners]
    graded = sum(c.status == GRADED for c in cells)
    hand = sum(c.status == HAND_GRADING for c in cells)
    waiting = sum(c.status == WAITING for c in cells)
    missing = sum(c.status in MISSING for c in cells)
    late = sum(c.late for c in cells)
    text = (
        f"{graded} graded; {hand} {'needs' if hand == 1 else 'need'} hand grading; "
        f"{waiting} submitted, not graded yet; {missing} not submitted."
    )
    return text + (f" {late} came in after the due date." if late else "")


def summary(report: Report, out: Path) -> list[str]:
    settings = report.settings
    zone = settings.display_zone if settings.display_zone and ns.is_zone(settings.display_zone) else None
    lines = [
        f"Grades for {settings.course_id}: {len(report.learners)} learner(s), {len(report.modules)} released "
        f"module(s). Times are in {zone or 'UTC'}."
    ]
    if not zone:
        lines.append("No time zone is set for the course; python -m course.doctor says how to set yours.")
    lines += report.notes
    if not report.modules:
        lines.append("No module has been released yet, so there are no grades to show.")
    for m in report.modules:
        due = f"due {settings.show(m.due)}" if m.due else "no due date"
        lines += ["", f"{m.name}, {due} (out of {m.max_score:g} points)"]
        lines.append(f"  {_count(report, m.name)}")
        missing = report.missing(m.name)
        if missing:
            names = ", ".join(x.name for x in missing[:SHOWN_BY_NAME])
            more = f" and {len(missing) - SHOWN_BY_NAME} more" if len(missing) > SHOWN_BY_NAME else ""
            lines.append(f"  Not submitted: {names}{more}.")
        again = report.resubmitted.get(m.name)
        if again:
            lines.append(
                f"  Submitted again since you collected: {', '.join(again)}. "
                f"To grade the newer work: nbgrader collect --update {m.name}, "
                f"then nbgrader autograde {m.name}."
            )
    no_email = [x.id for x in report.learners if not x.email]
    where = out.relative_to(settings.folder) if out.is_relative_to(settings.folder) else out
    lines += [
        "",
        f"Saved in {where}/ (it holds names and emails, so git leaves it out):",
        "  grades.csv          every learner: each module's status and score",
        "  not-submitted.csv   who has not submitted, module by module",
        "  canvas.csv          for Canvas: Grades, then Import",
        "  moodle.csv          for Moodle: Grades, then Import, then CSV file",
        "Scores still waiting for hand grading are left out of canvas.csv and moodle.csv until you "
        "grade them.",
    ]
    if no_email:
        lines.append(
            f"moodle.csv leaves out {len(no_email)} learner(s) with no email in the gradebook: "
            f"{', '.join(no_email[:SHOWN_BY_NAME])}{' …' if len(no_email) > SHOWN_BY_NAME else ''}."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.grades", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--course", type=Path, default=Path.cwd(), help="the course folder (default: this folder)"
    )
    parser.add_argument(
        "--out", type=Path, help=f"where to write the files (default: <course>/{REPORT_FOLDER})"
    )
    args = parser.parse_args(argv)
    try:
        settings = ns.load(args.course)
        report = build(settings)
    except SettingsProblem as unreadable:
        print(f"{unreadable.what}\nWhat to do: {unreadable.fix}")
        if unreadable.command:
            print(f"    {unreadable.command}")
        return 1
    except NoGradebook as missing:
        print(
            f"There is no gradebook yet ({missing}), so there are no grades. "
            "python -m course.release makes it."
        )
        return 1
    except Exception as failure:  # noqa: BLE001 - a damaged gradebook can raise anything; say so
        print(f"The gradebook could not be read ({failure}). python -m course.doctor checks it and says why.")
        return 1
    out = (args.out or settings.folder / REPORT_FOLDER).resolve()
    try:
        write(report, out)
    except OSError as refused:
        print(
            f"Could not write the files in {out} ({refused.strerror or refused}). "
            "Give another folder with --out."
        )
        return 1
    print("\n".join(summary(report, out)))
    return 0
