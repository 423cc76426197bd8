"""Scoring graded items inside nbgrader's hidden tests.

A graded cell in ``solutions/`` ends with ``score("m1.g3", "c")`` (or, in the practice exam,
``score_topic("exam", "ethics", {...})``). nbgrader strips that line from the learner's copy
and restores it when it autogrades. The call prints a kind sentence per item and returns the
points earned; nbgrader takes a single number as the cell's partial credit.

It never raises and never writes to stderr: nbgrader gives 0 to a cell with an error *or* any
stderr output, and a traceback would quote the hidden line, answer key included, in the
feedback a learner receives.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

from . import texts
from .items import Item, Module, find_item, load_module
from .order import item_order, letter_of, option_order
from .store import AnswerStore, Loaded

# Results of this grading run, by module and item: (earned, possible). The practice exam's
# chart by topic is drawn from it in the same kernel, after the graded cells have run.
RESULTS: dict[str, dict[str, tuple[float, float]]] = {}


def _judge(item: Item, key: str, module: Module, loaded: Loaded) -> tuple[float, str]:
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


def _graded(module_id: str, keys: dict[str, str]) -> float:
    """Judge items against their keys, print why, remember the results, return the total."""
    module = load_module(module_id)
    store = AnswerStore(module_id, read_only=True)
    loaded = store.load()
    order = item_order(module, loaded.seed if loaded.seed is not None else store.seed())
    positions = {item_id: n for n, item_id in enumerate(order, start=1)} if module.shuffle else {}
    total = 0.0
    for item_id in sorted(keys, key=lambda i: positions.get(i, 0)):
        item = replace(find_item(item_id), position=positions.get(item_id, 0))
        earned, why = _judge(item, keys[item_id], module, loaded)
        RESULTS.setdefault(module_id, {})[item_id] = (earned, float(item.points))
        print(why)
        total += earned
    return total


def _safely(label: str, grade: callable) -> float:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return grade()
    except Exception as problem:  # noqa: BLE001 - any failure must become a message, not a traceback
        print(texts.GRADE_BROKEN.format(label=label, reason=type(problem).__name__))
        return 0.0


def score(item_id: str, key: str) -> float:
    """Points earned on one graded item, with a sentence saying why."""
    return _safely(item_id, lambda: _graded(item_id.split(".", 1)[0], {item_id: key}))


def score_topic(module_id: str, topic: str, keys: dict[str, str]) -> float:
    """Points earned on all items of one topic (the practice exam grades by topic)."""
    return _safely(f"{module_id} {topic}", lambda: _graded(module_id, keys))
