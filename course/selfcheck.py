"""Check my work: grade one module for a self-paced learner, with the autograder's own code.

``python -m course.selfcheck 01-shared-lived-experience`` (or a module folder), or the
"Check my work" button at the end of each module. A learner studying alone has no
instructor, but has the course folder: the keys are in ``solutions/`` beside ``modules/``.
The check reads them there (parsed, never run), reads the learner's answers file as data,
and marks it with :func:`course.grading.mark`, the function ``nbgrader autograde`` uses
through :mod:`course.autograde`. So the points are the ones a class would get, in well
under a second, and nothing is written but the results beside the notebook
(:mod:`course.check_results`, :mod:`course.check_page`).

On a hub a learner has only the module they fetched: no ``solutions/``, no key anywhere
they can read, and the check says their instructor grades.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import check_texts as say
from . import contract
from .answering import graded_text, seen
from .grading import Mark, mark
from .items import Module, all_modules, module_by_slug
from .order import letter_of
from .store import AnswerStore, Loaded, is_answered


@dataclass(frozen=True)
class Missed:
    """A graded item the learner did not get: the best answer, why, and what to reread."""

    label: str
    best: str
    why: str
    review: str


@dataclass(frozen=True)
class Part:
    """One graded cell's result: a question, a reflection, or (practice exam) a topic."""

    id: str  # item id ("m1.g3", "m1.r1") or, in the practice exam, a topic ("ethics")
    kind: str  # "item" | "reflection" | "topic"
    label: str
    earned: float | None  # None: not scored automatically (reflections)
    possible: float
    feedback: str
    advice: str
    missed: tuple[Missed, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a check found, and the one message to show when it could not grade."""

    status: str  # "checked" | "unanswered" | "no-solutions" | "unknown" | "failed"
    message: str = ""
    module: Module | None = None
    parts: tuple[Part, ...] = ()
    page: Path | None = None
    checked: str = ""
    marks: tuple[Mark, ...] = ()
    answers_note: str = ""

    @property
    def earned(self) -> float:
        return sum(p.earned for p in self.parts if p.earned is not None)

    @property
    def possible(self) -> float:
        return sum(p.possible for p in self.parts if p.earned is not None)


# --- where the learner's module and the keys are ------------------------------------------
def locate(target: str | Path, module_id: str | None = None) -> tuple[Path, Module] | None:
    """The learner's module folder and its module, from a folder, a slug or a module id.

    A slug or id is looked for where a learner runs commands: the course folder (its
    ``modules/<slug>``) or the folder that holds the module folders.
    """
    known = all_modules()
    path = Path(target).expanduser()
    module = known.get(module_id or "") or module_by_slug(path.name) or known.get(str(target))
    if path.is_dir():
        if module is None:
            module = next((m for p in sorted(path.glob("*.ipynb")) if (m := module_by_slug(p.stem))), None)
        return (path.resolve(), module) if module else None
    if module is None:
        return None
    for folder in (Path.cwd() / "modules" / module.slug, Path.cwd() / module.slug):
        if folder.is_dir():
            return folder.resolve(), module
    return None


def find_solutions(folder: Path, slug: str, explicit: Path | None = None) -> Path | None:
    """The ``solutions/`` folder holding this module's instructor notebook.

    In the course folder a module sits in ``modules/<slug>/``, so ``solutions/`` is two levels
    up. A learner on a hub fetched only the module: there is none, and their instructor grades.
    """
    candidates = [explicit, explicit / "solutions"] if explicit else []
    candidates.append(folder.resolve().parent.parent / "solutions")
    for place in candidates:
        if (place / slug / f"{slug}.ipynb").is_file():
            return place.resolve()
    return None


@dataclass(frozen=True)
class GradedCell:
    """A graded cell of the instructor notebook: its grade id, points and keys."""

    grade_id: str
    points: float
    keys: dict[str, str]
    task: bool


def graded_cells(solutions: Path, slug: str) -> list[GradedCell]:
    """The graded and task cells of the instructor notebook, in order (keys parsed, not run)."""
    # Plain JSON, not nbformat: importing nbformat (and the schema checks it brings) takes
    # seconds on a slow machine, and the check only needs each cell's metadata and source.
    nb = json.loads((solutions / slug / f"{slug}.ipynb").read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") or meta.get("task"):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            keys = contract.keys_in(source) if cell["cell_type"] == "code" else {}
            points = float(meta.get("points", 0))
            cells.append(GradedCell(meta["grade_id"], points, keys, bool(meta.get("task"))))
    return cells


def explanations(solutions: Path, module_id: str) -> dict[str, dict[str, Any]]:
    """Graded items with their explanations, from the course's content (self-study only).

    The course folder a self-paced learner cloned holds ``content/items``; when it does not,
    the check still grades and only leaves out the "why".
    """
    import yaml

    path = solutions.parent / "content" / "items" / f"{module_id}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return {item["id"]: item for item in data.get("items", []) if isinstance(item, dict) and "id" in item}


def answered(module: Module, loaded: Loaded) -> set[str]:
    """Ids of the items with a saved answer."""
    return {item_id for item_id, entry in loaded.entries.items() if is_answered(entry.get("value"))}


# --- turning marks into parts ---------------------------------------------------------------
def _missed(module: Module, marks: list[Mark], keys: dict[str, str], content: dict, loaded: Loaded) -> tuple:
    """The best answer and why for every item answered but marked below its points.

    An item not answered yet keeps its answer hidden: the learner can still try it.
    """
    out = []
    for found in marks:
        item = module.items.get(found.item_id)
        if item is None or found.earned >= found.possible or not is_answered(found.value):
            continue
        key = keys[found.item_id]
        _, options = seen(item, module, loaded.seed)
        option = item.option(key)
        best = f"{letter_of(options, key)}. {option.text}" if option else ""
        why = content.get(item.id, {}).get("options", {}).get(key, {}).get("feedback", "")
        why = " ".join(str(why).split()).removeprefix("Right.").strip()
        out.append(Missed(found.label, best, why, item.review))
    return tuple(out)


def _advice(module: Module, part_kind: str, key: str, earned: float, possible: float, done: set[str]) -> str:
    """What to do next about one part: well done, answer it, reread a section or a module."""
    if earned >= possible:
        return say.NEXT_WELL_DONE
    if part_kind == "item" and key not in done:
        return say.NEXT_ANSWER
    if part_kind == "topic":
        others = [m for m in map(module_by_slug, module.review_module.get(key, ())) if m]
        return " ".join(say.NEXT_REVIEW_MODULE.format(number=m.number, title=m.title) for m in others)
    return say.NEXT_REREAD.format(section=module.items[key].review)


def parts_of(
    module: Module, cells: list[GradedCell], loaded: Loaded, content: dict
) -> tuple[list[Part], list[Mark]]:
    """One Part per graded cell, in notebook order, and every mark made on the way."""
    done = answered(module, loaded)
    reflections = {
        contract.reflection_task(i): i for i, item in module.items.items() if item.kind == "reflection"
    }
    parts, all_marks = [], []
    for cell in cells:
        if cell.task:
            item_id = reflections.get(cell.grade_id, cell.grade_id)
            label = module.items[item_id].label if item_id in module.items else item_id
            words = graded_text(module.id, [item_id], loaded)
            parts.append(Part(item_id, "reflection", label, None, cell.points, words, say.NEXT_REFLECTION))
            continue
        marks = mark(module.id, cell.keys, loaded)
        all_marks += marks
        earned = min(sum(m.earned for m in marks), cell.points)
        topic = module.shuffle and cell.grade_id.startswith(f"{module.id}-")
        key = cell.grade_id[len(module.id) + 1 :] if topic else next(iter(cell.keys), cell.grade_id)
        kind = "topic" if topic else "item"
        label = module.topic_names.get(key, key) if topic else (marks[0].label if marks else key)
        advice = _advice(module, kind, key, earned, cell.points, done)
        feedback = "\n".join(m.sentence for m in marks)
        missed = _missed(module, marks, cell.keys, content, loaded)
        parts.append(Part(key, kind, label, earned, cell.points, feedback, advice, missed))
    return parts, all_marks


# --- the check ------------------------------------------------------------------------------
def check(target: str | Path, module_id: str | None = None, solutions: Path | None = None) -> Outcome:
    """Grade a learner's module folder and write the results beside it; never raises for a
    learner's situation (no solutions, nothing answered, a damaged file): it says so kindly."""
    from .check_page import write_pages

    found = locate(target, module_id)
    if found is None:
        return Outcome("unknown", say.CHECK_UNKNOWN_FOLDER.format(where=target))
    folder, module = found
    source = find_solutions(folder, module.slug, solutions)
    if source is None:
        return Outcome("no-solutions", say.CHECK_NO_SOLUTIONS, module)
    store = AnswerStore(module.id, folder, read_only=True)
    loaded = store.load()
    loaded.seed = store.seed(loaded)  # the learner's own form and order, as their notebook draws it
    kinds = {module.items[i].kind for i in answered(module, loaded) if i in module.items}
    if not kinds & {"graded", "reflection"}:
        return Outcome("unanswered", say.CHECK_UNANSWERED, module)
    checked = datetime.now().replace(microsecond=0).isoformat()
    try:
        cells = graded_cells(source, module.slug)
        parts, marks = parts_of(module, cells, loaded, explanations(source, module.id))
        note = "\n".join(loaded.problems)
        outcome = Outcome("checked", "", module, tuple(parts), folder, checked, tuple(marks), note)
        page = write_pages(outcome, folder)
    except (OSError, ValueError, KeyError) as problem:
        return Outcome("failed", say.CHECK_FAILED.format(reason=type(problem).__name__), module)
    return Outcome("checked", "", module, tuple(parts), page, checked, tuple(marks), note)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from .check_page import outcome_text

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="a module folder, or a name such as 01-shared-lived-experience or m1")
    parser.add_argument("--solutions", type=Path, help="the course's solutions/ folder (found by default)")
    args = parser.parse_args(argv)
    outcome = check(args.module, solutions=args.solutions)
    print(outcome_text(outcome))
    return 0 if outcome.status in ("checked", "unanswered") else 1


if __name__ == "__main__":
    raise SystemExit(main())
