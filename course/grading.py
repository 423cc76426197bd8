"""Marking graded items against their keys: the one piece of code every grade comes from.

``nbgrader autograde`` (through :mod:`course.autograde`), Check my work and an instructor who
runs the solutions notebook all call :func:`mark`, so a learner gets the same points and the
same sentences wherever their work is graded. It reads the learner's answers as data (an
answers file already parsed by :mod:`course.store`) and runs nothing the learner wrote.

The hidden lines of the instructor notebook, ``score("m1.g3", "c")`` and
``score_topic("exam", "ethics", {...})``, are kept as the place the keys are written; they
print the same sentences when the solutions notebook is run by hand. They never raise and
never write to stderr.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

from . import texts
from .items import Item, Module, load_module
from .order import item_order, letter_of, option_order
from .store import AnswerStore, Loaded

# Marks of the last run of the hidden lines in this kernel (the solutions notebook run by
# hand), by module: the practice exam's chart cell draws from it.
RESULTS: dict[str, list[Mark]] = {}


@dataclass(frozen=True)
class Mark:
    """One graded item, marked: the points and the sentence that explains them."""

    item_id: str
    label: str
    earned: float
    possible: float
    sentence: str
    value: Any  # the learner's saved answer (an option key), or None
    topic: str


def _sentence(item: Item, key: str, module: Module, loaded: Loaded) -> tuple[float, str]:
    """Points earned on one item and the sentence that explains them."""
    points = float(item.points)
    unit = "point" if points == 1 else "points"
    value = loaded.entries.get(item.id, {}).get("value")
    if value in (None, ""):
        return 0.0, texts.GRADE_BLANK.format(label=item.label, number=item.number, points=points, unit=unit)
    if not isinstance(value, str) or item.option(value) is None:
        return 0.0, texts.GRADE_UNKNOWN.format(label=item.label, value=value, points=points, unit=unit)
    if value == key:
        return points, texts.GRADE_RIGHT.format(label=item.label, earned=points, points=points, unit=unit)
    seed = loaded.seed if module.shuffle else None
    letter = letter_of(option_order(item, module, seed), value)
    return 0.0, texts.GRADE_WRONG.format(
        label=item.label, letter=letter, review=item.review, points=points, unit=unit
    )


def positions(module: Module, loaded: Loaded) -> dict[str, int]:
    """Where this learner met each item of their practice exam form; {} for a module."""
    if not module.shuffle:
        return {}
    return {item_id: n for n, item_id in enumerate(item_order(module, loaded.seed), start=1)}


def mark(module_id: str, keys: dict[str, str], loaded: Loaded) -> list[Mark]:
    """Mark the items of ``keys`` (item id -> key) from the parsed answers, in the learner's order.

    A key for an item the module does not know earns nothing and says so: the instructor
    notebook and the course data disagree, which only the instructor can fix. A practice exam
    cell holds the keys of its whole area of the bank; only the items of this learner's form
    are marked.
    """
    module = load_module(module_id)
    where = positions(module, loaded)
    marks = []
    for item_id in sorted(keys, key=lambda i: where.get(i, 0)):
        if module.draw is not None and item_id in module.items and item_id not in where:
            continue
        if item_id not in module.items:
            sentence = texts.GRADE_BROKEN.format(label=item_id, reason="unknown question")
            marks.append(Mark(item_id, item_id, 0.0, 0.0, sentence, None, ""))
            continue
        item = replace(module.items[item_id], position=where.get(item_id, 0))
        earned, sentence = _sentence(item, keys[item_id], module, loaded)
        value = loaded.entries.get(item_id, {}).get("value")
        marks.append(Mark(item_id, item.label, earned, float(item.points), sentence, value, item.topic))
    return marks


def _run_by_hand(module_id: str, keys: dict[str, str]) -> float:
    """What a hidden line does when the solutions notebook is run: print, remember, total."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        store = AnswerStore(module_id, read_only=True)
        loaded = store.load()
        loaded.seed = store.seed(loaded)
        marks = mark(module_id, keys, loaded)
    done = {m.item_id: m for m in RESULTS.get(module_id, [])}
    done.update({m.item_id: m for m in marks})
    RESULTS[module_id] = list(done.values())
    for found in marks:
        print(found.sentence)
    return sum(m.earned for m in marks)


def _safely(label: str, keys: dict[str, str], module_id: str) -> float:
    try:
        return _run_by_hand(module_id, keys)
    except Exception as problem:  # noqa: BLE001 - any failure must become a message, not a traceback
        print(texts.GRADE_BROKEN.format(label=label, reason=type(problem).__name__))
        return 0.0


def score(item_id: str, key: str) -> float:
    """Points earned on one graded item, with a sentence saying why."""
    return _safely(item_id, {item_id: key}, item_id.split(".", 1)[0])


def score_topic(module_id: str, topic: str, keys: dict[str, str]) -> float:
    """Points earned on all items of one topic (the practice exam grades by topic)."""
    return _safely(f"{module_id} {topic}", keys, module_id)
