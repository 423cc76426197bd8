"""Item analysis for instructors: ``python -m course.item_analysis <assignment>``.

After ``nbgrader autograde``, this tells an instructor which graded questions of a module (or
of the practice exam) did their job: how many learners got each one right, whether the
learners who did well elsewhere in the module were the ones who got it right, and which
options were chosen. It writes ``report.html`` (plots embedded, in the style of the learners'
results pages: ``templates/pages/item-analysis.html.j2``), ``items.csv`` and the plots as PNG
files into ``<course>/item-analysis/<assignment>/``.

Who was graded and with what score comes from nbgrader's gradebook; what each learner chose
comes from the answers file nbgrader graded (``autograded/``, else ``submitted/``), read with
the same tolerant parser the grading cells use, so a damaged file counts here exactly as it
counted for the grade. The keys come from the course folder's ``content/items/<module>.yaml``
(and ``content/exam-bank/`` for the practice exams): the learner-safe data in ``course/data``
has none, and on a hub the installed package has no content/ beside it. In a practice exam
each learner met only their own form, so each question counts the learners who were asked it.
The report holds no student names, only counts, except the list of submissions whose gradebook
score disagrees with their answers file.
"""

from __future__ import annotations

import argparse
import base64
import csv
import math
import sqlite3
import sys
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import contract
from .items import load_module
from .order import item_order
from .pages import parts, render
from .store import ANSWERS_FILE, parse, seed_for

ROOT = Path(__file__).resolve().parent.parent

# Thresholds for "worth a second look". They are conventions of classroom test analysis,
# meant to start a conversation about an item, not to condemn it.
# Nearly everyone right: the item tells the instructor little about who has learned what
# (it may still be a fine confidence builder early in a module).
TOO_EASY_ABOVE = 0.9
# Fewer than three in ten right, with four options: close to guessing. The key may be wrong,
# the stem ambiguous, or the module may not teach the point.
TOO_HARD_BELOW = 0.3
# Learners who did worse on the rest of the module got this item right more often than
# those who did better: often a wrong key or a distractor that is defensible.
NEGATIVE_DISCRIMINATION_BELOW = 0.0
# Under this many learners a handful of answers moves every figure: the report says so.
FEW_LEARNERS = 20

BLANK = "blank"  # no answer saved
OTHER = "other"  # a saved value that is not one of the options (graded as wrong)


@dataclass(frozen=True)
class Key:
    """A graded item as the instructor wrote it, with the gradebook cell that scores it."""

    id: str
    topic: str
    stem: str
    options: tuple[str, ...]
    answer: str
    points: float
    cell: str


@dataclass
class ItemStats:
    """What one item's answers say, for the table, the CSV and the plots."""

    key: Key
    learners: int
    right: int
    difficulty: float | None  # share right; None with no learners
    discrimination: float | None  # None when undefined (fewer than 2 learners, no variance)
    counts: dict[str, int]  # option key -> learners who chose it, then BLANK, OTHER
    flags: list[str] = field(default_factory=list)


@dataclass
class Cohort:
    """The graded learners of one assignment and what they chose."""

    assignment: str
    module: str
    keys: list[Key]
    responses: dict[str, dict[str, Any]]  # student -> item id -> saved value
    scores: dict[str, float]  # student -> gradebook total (reflections included)
    asked: dict[str, set[str] | None] = field(default_factory=dict)  # a practice exam: each form
    max_score: float = 0.0
    no_answers_file: int = 0
    mismatches: list[str] = field(default_factory=list)
    note: str = ""  # why there is nobody to analyse, when that is so


# ----------------------------------------------------------------------------- keys


class UnknownAssignment(LookupError):
    """An assignment name no items file carries; the message says where we looked."""


def module_file(assignment: str, items_dir: Path) -> Path:
    """The items file of an assignment, named by slug ("01-shared-lived-experience") or id ("m1")."""
    for path in sorted(items_dir.glob("*.yaml")):
        head = yaml.safe_load(path.read_text(encoding="utf-8"))
        if assignment in (head.get("slug"), head.get("module")):
            return path
    raise UnknownAssignment(f"No module called {assignment!r} in {items_dir}.")


def _cell_of(module: str, item: dict[str, Any], shuffled: bool) -> str:
    """The grade cell that scores an item: its own, or in the practice exam its topic's."""
    return contract.topic_cell(module, item["topic"]) if shuffled else contract.item_cell(item["id"])


def read_keys(path: Path) -> tuple[str, str, list[Key]]:
    """(module id, slug, graded items) of an items file, read as the build reads it: a practice
    exam form gets its items from the bank, each in its area.

    Modules grade each item in its own cell (``m1-g3``); a practice exam grades one cell per
    area (``exam-crisis-management``), as ``course.build`` writes them.
    """
    from .build import read_module  # instructor-side only, like nbgrader below

    data = read_module(path)
    module = data["module"]
    keys = [
        Key(
            id=item["id"],
            topic=item.get("topic", ""),
            stem=" ".join(str(item.get("stem", "")).split()),
            options=tuple(item["options"]),
            answer=item["answer"],
            points=float(item.get("points", 1)),
            cell=_cell_of(module, item, bool(data.get("shuffle"))),
        )
        for item in data["items"]
        if item["kind"] == "graded"
    ]
    return module, data["slug"], keys


def asked_items(module: str, answers_seed: int | None, student: str) -> set[str] | None:
    """The items a learner was asked: their own form of a practice exam (drawn from their seed,
    as their notebook drew it), or None for a module, where everyone is asked everything."""
    found = load_module(module)
    if found.draw is None:
        return None
    seed = answers_seed if answers_seed is not None else seed_for(student)
    return set(item_order(found, seed))


# ----------------------------------------------------------------------- statistics


def choice_of(value: Any, key: Key) -> str:
    """Which bar of the option chart a saved value belongs to."""
    if value in (None, ""):
        return BLANK
    return value if isinstance(value, str) and value in key.options else OTHER


def point_biserial(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Pearson correlation of an item's 0/1 with the rest score (the point-biserial).

    None when it is undefined: fewer than two learners, or either side the same for all.
    """
    n = len(item)
    if n < 2 or n != len(rest):
        return None
    mean_x, mean_y = sum(item) / n, sum(rest) / n
    sxx = sum((x - mean_x) ** 2 for x in item)
    syy = sum((y - mean_y) ** 2 for y in rest)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(item, rest, strict=True))
    return sxy / math.sqrt(sxx * syy)


def flags_for(stats: ItemStats) -> list[str]:
    """The reasons to look at an item again, by the thresholds above."""
    if not stats.learners:
        return []
    found = []
    if stats.difficulty is not None and stats.difficulty > TOO_EASY_ABOVE:
        found.append("too easy")
    if stats.difficulty is not None and stats.difficulty < TOO_HARD_BELOW:
        found.append("too hard")
    if stats.discrimination is not None and stats.discrimination < NEGATIVE_DISCRIMINATION_BELOW:
        found.append("negative discrimination")
    unused = [o for o in stats.key.options if o != stats.key.answer and stats.counts[o] == 0]
    if unused:
        found.append("distractor nobody chose: " + ", ".join(unused))
    return found


def analyse(
    keys: Sequence[Key],
    responses: Mapping[str, Mapping[str, Any]],
    asked: Mapping[str, set[str] | None] | None = None,
) -> list[ItemStats]:
    """Difficulty, discrimination, option counts and flags of each item.

    Discrimination correlates an item with the learner's score on the *other* graded items of
    the assignment: with six or seven items, counting the item itself in the total would
    make every item look better than it is. In a practice exam each learner meets only their
    own form (``asked``): an item counts only the learners who were asked it.
    """
    students = sorted(responses)
    asked = asked or {}

    def met(student: str, key: Key) -> bool:
        mine = asked.get(student)
        return mine is None or key.id in mine

    right = {
        k.id: {s: float(responses[s].get(k.id) == k.answer) for s in students if met(s, k)} for k in keys
    }
    totals = {s: sum(right[k.id].get(s, 0.0) * k.points for k in keys) for s in students}
    out = []
    for key in keys:
        marks = right[key.id]
        rest = [totals[s] - marks[s] * key.points for s in marks]
        counts = dict.fromkeys((*key.options, BLANK, OTHER), 0)
        for student in marks:
            counts[choice_of(responses[student].get(key.id), key)] += 1
        stats = ItemStats(
            key=key,
            learners=len(marks),
            right=int(sum(marks.values())),
            difficulty=sum(marks.values()) / len(marks) if marks else None,
            discrimination=point_biserial(list(marks.values()), rest),
            counts=counts,
        )
        stats.flags = flags_for(stats)
        out.append(stats)
    return out


# ---------------------------------------------------------------------- the cohort


def answers_of(
    course: Path, student: str, assignment: str, module: str
) -> tuple[dict[str, Any], int | None] | None:
    """A learner's saved values as grading read them, and the seed of their answers file; None
    without an answers file."""
    for stage in ("autograded", "submitted"):
        path = course / stage / student / assignment / ANSWERS_FILE
        if path.is_file():
            loaded = parse(path.read_text(encoding="utf-8", errors="replace"), module)
            return {item_id: entry.get("value") for item_id, entry in loaded.entries.items()}, loaded.seed
    return None


def cell_scores(
    keys: Sequence[Key], answers: Mapping[str, Any], asked: set[str] | None = None
) -> dict[str, float]:
    """What each graded cell should have scored, from the answers file (of the items asked)."""
    out: dict[str, float] = {}
    for key in keys:
        if asked is not None and key.id not in asked:
            continue
        out[key.cell] = out.get(key.cell, 0.0) + (key.points if answers.get(key.id) == key.answer else 0.0)
    return out


def course_id(db: Path) -> str:
    """The course the gradebook belongs to: opened under another id, nbgrader would add one."""
    with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        row = connection.execute("SELECT id FROM course ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else "default_course"


def load_cohort(course: Path, assignment: str, db: Path, keys_file: Path) -> Cohort:
    """Everyone the gradebook has graded for this assignment, with their answers."""
    module, slug, keys = read_keys(keys_file)
    cohort = Cohort(assignment=slug, module=module, keys=keys, responses={}, scores={})
    if not db.is_file():  # opening a missing gradebook would create an empty one
        cohort.note = f"There is no gradebook at {db}. Run nbgrader autograde first."
        return cohort
    from nbgrader.api import Gradebook  # instructor-side only: learners' kernels never import it

    with Gradebook(f"sqlite:///{db}", course_id=course_id(db)) as gradebook:
        for submission in gradebook.assignment_submissions(slug):
            student = submission.student.id
            cohort.scores[student] = float(submission.score)
            cohort.max_score = float(submission.max_score)
            found = answers_of(course, student, slug, module)
            if found is None:
                cohort.no_answers_file += 1
            answers, seed = found or ({}, None)
            cohort.responses[student] = answers
            cohort.asked[student] = asked_items(module, seed, student)
            expected = cell_scores(keys, answers, cohort.asked[student])
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    want = expected.get(grade.name)
                    if want is not None and grade.auto_score is not None and grade.auto_score != want:
                        cohort.mismatches.append(
                            f"{student}: cell {grade.name} scored {grade.auto_score:g} in the gradebook, "
                            f"{want:g} from the answers file"
                        )
    if not cohort.responses:
        cohort.note = f"No graded submissions of {slug} in {db}. Run nbgrader autograde {slug} first."
    return cohort


# ------------------------------------------------------------------------ outputs


def fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_csv(stats: Sequence[ItemStats], path: Path) -> None:
    """One row per item; blank cells where a figure is undefined."""
    option_keys = sorted({o for s in stats for o in s.key.options})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["item", "topic", "key", "learners", "right", "difficulty", "discrimination"]
            + [f"chose_{o}" for o in (*option_keys, BLANK, OTHER)]
            + ["flags"]
        )
        for s in stats:
            chosen = [s.counts.get(o, "") for o in (*option_keys, BLANK, OTHER)]
            row = [s.key.id, s.key.topic, s.key.answer, s.learners, s.right]
            writer.writerow(
                [*row, fmt(s.difficulty, 3), fmt(s.discrimination, 3), *chosen, "; ".join(s.flags)]
            )


def short(item_id: str) -> str:
    return item_id.split(".", 1)[1]


LABEL_ROOM = (0.07, 0.06)  # a label's width and height in the scatter's data units


def labels_apart(points: Sequence[ItemStats]) -> list[tuple[ItemStats, tuple[float, float]]]:
    """The points to name in the scatter, flagged ones first, leaving out any whose label would
    sit on one already placed: a crowded plot stays readable, and the table names every item."""
    placed: list[tuple[ItemStats, tuple[float, float]]] = []
    for s in sorted(points, key=lambda s: not s.flags):
        x, y = float(s.difficulty or 0.0), float(s.discrimination or 0.0)
        if all(abs(px - x) >= LABEL_ROOM[0] or abs(py - y) >= LABEL_ROOM[1] for _, (px, py) in placed):
            placed.append((s, (x, y)))
    return placed


def plot_scatter(stats: Sequence[ItemStats], path: Path) -> bool:
    """Difficulty against discrimination, with the flag thresholds drawn; False if nothing to plot."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    points = [s for s in stats if s.discrimination is not None and s.difficulty is not None]
    if not points:
        return False
    fig = Figure(figsize=(7, 5))
    ax = fig.subplots()
    ax.axvspan(0, TOO_HARD_BELOW, color="#f4e3c9", label="too hard / too easy zone")
    ax.axvspan(TOO_EASY_ABOVE, 1.05, color="#f4e3c9")
    ax.axhspan(-1.05, NEGATIVE_DISCRIMINATION_BELOW, color="#f6d2d2", label="negative discrimination")
    ax.scatter([s.difficulty for s in points], [s.discrimination for s in points], color="#204a87", zorder=3)
    for s, where in labels_apart(points):
        ax.annotate(short(s.key.id), where, textcoords="offset points", xytext=(4, 4), fontsize="small")
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("Difficulty (share of learners right)")
    ax.set_ylabel("Discrimination (correlation with the rest)")
    ax.set_title("Items: difficulty and discrimination")
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


MOST_OPTION_PLOTS = 24  # option charts on one page; a practice exam shows its flagged questions


def plot_options(stats: Sequence[ItemStats], path: Path) -> bool:
    """One small bar chart per item: how many chose each option; the key is dark and named."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    if not stats or not any(s.learners for s in stats):
        return False
    if len(stats) > MOST_OPTION_PLOTS:  # a practice exam: the questions worth a look
        stats = [s for s in stats if s.flags][:MOST_OPTION_PLOTS] or list(stats[:MOST_OPTION_PLOTS])
    cols = min(4, len(stats))
    rows = math.ceil(len(stats) / cols)
    fig = Figure(figsize=(3.2 * cols, 2.4 * rows))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, s in zip(axes, stats, strict=False):
        names = [*s.key.options, BLANK] + ([OTHER] if s.counts[OTHER] else [])
        labels = [f"{n} (key)" if n == s.key.answer else n for n in names]
        colours = ["#204a87" if n == s.key.answer else "#babdb6" for n in names]
        bars = ax.bar(labels, [s.counts[n] for n in names], color=colours)
        ax.bar_label(bars, padding=1, fontsize="small")
        ax.set_title(short(s.key.id), fontsize="medium")
        ax.set_ylim(0, max(s.learners, 1) * 1.2)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of learners: whole numbers
        ax.tick_params(axis="x", labelsize="small")
    for ax in axes[len(stats) :]:
        ax.set_visible(False)
    fig.suptitle("Options chosen (dark bar: the key)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def summary_lines(cohort: Cohort) -> list[str]:
    """Plain sentences about the cohort: printed by the command and shown atop the page."""
    n = len(cohort.responses)
    if not n:
        return [cohort.note, "The report is empty."]
    lines = [f"{n} graded learner(s) of {cohort.assignment}, {len(cohort.keys)} graded item(s)."]
    if cohort.scores and cohort.max_score:
        mean = sum(cohort.scores.values()) / len(cohort.scores)
        lines.append(f"Mean gradebook score {mean:.1f} of {cohort.max_score:g} (reflections included).")
    if cohort.no_answers_file:
        lines.append(f"{cohort.no_answers_file} learner(s) had no answers file: every item counts as blank.")
    if n == 1:
        lines.append("With one learner, discrimination is undefined (there is no one to compare with).")
    elif n < FEW_LEARNERS:
        lines.append(f"With fewer than {FEW_LEARNERS} learners, read these figures as hints only.")
    if any(asked is not None for asked in cohort.asked.values()):
        lines.append(
            "A practice exam: each learner met only their own form, so each question counts only the "
            "learners who were asked it. Options are named by their key in content/exam-bank; each "
            "learner saw them in their own order."
        )
    lines += [f"Check: {m}." for m in cohort.mismatches]
    return lines


# The report's words for instructors; ids are kept (instructors need them), labelled plainly.
TABLE_CAPTION = "Graded questions, one row each"
TABLE_COLUMNS = (
    "Question id",
    "Question",
    "Key (right answer)",
    "Difficulty (share right)",
    "Discrimination",
    "Options chosen",
    "Flags",
)
# Each plot of run(): its heading, and what it shows in words for who cannot see it.
PICTURES = {
    "difficulty-discrimination.png": (
        "Difficulty and discrimination",
        "Scatter plot, one dot per graded question: its difficulty across, its discrimination up, "
        "with the flag zones shaded. The same figures are in the table below.",
    ),
    "options.png": (
        "Options chosen",
        "Bar charts, one per graded question: how many learners chose each option or left it "
        "blank; the key is the dark bar. The same counts are in the table below.",
    ),
}
THRESHOLDS = {"easy": TOO_EASY_ABOVE, "hard": TOO_HARD_BELOW, "negative": NEGATIVE_DISCRIMINATION_BELOW}
# "How to read this", for the instructor notebook (the report page has it at its end).
THRESHOLDS_HTML = render(
    "in-notebook.html.j2", content=parts("item-analysis-parts.html.j2").how_to_read(**THRESHOLDS)
)


def _rows(stats: Sequence[ItemStats]) -> list[list[str]]:
    """One row per item, as the report and the notebook show it; "undefined" where it is."""
    rows = []
    for s in stats:
        chosen = ", ".join(f"{o}: {c}" for o, c in s.counts.items() if o != OTHER or c)
        discrimination = fmt(s.discrimination) or "undefined"
        flags = "; ".join(s.flags)
        key = s.key  # the whole question: the page wraps it
        rows.append([key.id, key.stem, key.answer, fmt(s.difficulty), discrimination, chosen, flags])
    return rows


def table_html(stats: Sequence[ItemStats]) -> str:
    """The items as a table in the pages' style, for the instructor notebook (the report has it too)."""
    return render("in-notebook.html.j2", content=parts().table(TABLE_CAPTION, TABLE_COLUMNS, _rows(stats)))


def _picture(path: Path) -> dict[str, str]:
    """A plot embedded in the page (nothing fetched), with its heading and its words."""
    heading, alt = PICTURES.get(path.name, (path.stem.replace("-", " "),) * 2)
    return {"heading": heading, "alt": alt, "png": base64.b64encode(path.read_bytes()).decode("ascii")}


def write_html(cohort: Cohort, stats: Sequence[ItemStats], images: Iterable[Path], path: Path) -> None:
    """A page an instructor can open offline: summary, plots (embedded), one row per item."""
    page = render(
        "item-analysis.html.j2",
        title=f"Item analysis: {cohort.assignment}",
        summary=summary_lines(cohort),
        pictures=[_picture(p) for p in images],
        caption=TABLE_CAPTION,
        columns=TABLE_COLUMNS,
        rows=_rows(stats),
        thresholds=THRESHOLDS,
    )
    path.write_text(page, encoding="utf-8")


@dataclass
class Report:
    """Where the report went and what it found."""

    cohort: Cohort
    stats: list[ItemStats]
    html: Path
    csv: Path
    images: list[Path]


def items_folder(course: Path) -> Path:
    """The items files (with keys) of the course folder an instructor works in.

    On a hub the course package is installed in the server's Python, where no content/ lies
    beside it; the items are in the course folder the instructor cloned and runs nbgrader in.
    A clone of the repository is also the package's own folder, so that is the fallback.
    """
    for folder in (course / "content" / "items", ROOT / "content" / "items"):
        if folder.is_dir():
            return folder
    raise UnknownAssignment(
        f"There are no items files in {course / 'content' / 'items'}. Run this from your course "
        "folder (the one with nbgrader_config.py), or name it with --course."
    )


def run(
    assignment: str,
    course: Path = Path(),
    out: Path | None = None,
    db: Path | None = None,
    items_dir: Path | None = None,
) -> Report:
    """Analyse one assignment and write the report; what the command and the notebook call."""
    course = course.resolve()
    keys_file = module_file(assignment, items_dir or items_folder(course))
    cohort = load_cohort(course, assignment, db or course / "gradebook.db", keys_file)
    stats = analyse(cohort.keys, cohort.responses, cohort.asked) if cohort.responses else []
    out = out or course / "item-analysis" / cohort.assignment
    out.mkdir(parents=True, exist_ok=True)
    images = []
    for name, draw in (("difficulty-discrimination.png", plot_scatter), ("options.png", plot_options)):
        target = out / name
        target.unlink(missing_ok=True)  # never leave an old cohort's plot beside a new report
        if draw(stats, target):
            images.append(target)
    write_csv(stats, out / "items.csv")
    write_html(cohort, stats, images, out / "report.html")
    return Report(cohort, stats, out / "report.html", out / "items.csv", images)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "assignment", help='assignment slug ("01-shared-lived-experience") or module id ("m1")'
    )
    parser.add_argument(
        "--course", type=Path, default=Path(), help="nbgrader course folder (default: the current folder)"
    )
    parser.add_argument(
        "--out", type=Path, help="folder for the report (default: <course>/item-analysis/<slug>)"
    )
    parser.add_argument("--db", type=Path, help="gradebook file (default: <course>/gradebook.db)")
    parser.add_argument(
        "--items", type=Path, help="folder of the items files with keys (default: content/items)"
    )
    args = parser.parse_args(argv)
    try:
        report = run(args.assignment, args.course, args.out, args.db, args.items)
    except UnknownAssignment as problem:
        print(problem, file=sys.stderr)
        return 2
    for line in summary_lines(report.cohort):
        print(line)
    flagged = [s for s in report.stats if s.flags]
    for s in flagged:
        print(f"  {s.key.id}: {'; '.join(s.flags)}")
    print(f"Report: {report.html}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
