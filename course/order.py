"""The order in which a learner sees options and items, and which items a practice exam asks.

Modules show their items and options as written. A practice exam form is drawn for each
learner: from every area of the bank it takes the learner's share (``Module.draw``), then shows
those items, and the options in each, in the learner's own order. Everything follows from the
learner's seed, so one learner always gets the same form again and an instructor can rebuild
it. Grading never depends on order: answers are stored by option key.
"""

from __future__ import annotations

import random

from .items import LETTERS, Item, Module, Option


def option_order(item: Item, module: Module, seed: int | None) -> tuple[Option, ...]:
    """Options as this learner sees them."""
    if not module.shuffle or seed is None:
        return item.options
    options = list(item.options)
    random.Random(f"{seed}/{item.id}").shuffle(options)
    return tuple(options)


def bank_number(item_id: str) -> int:
    """An item's number in the bank, the same in every form: "short.g17" -> 17."""
    return int("".join(ch for ch in item_id.split(".", 1)[1] if ch.isdigit()) or 0)


def drawn(module: Module, seed: int) -> list[str]:
    """The item ids of a practice exam form for this learner, area by area.

    Each area's items are shuffled by the seed and the area alone, so every form of the bank
    sees the same shuffle, and each form takes its own slice of it.
    """
    assert module.draw is not None
    by_area: dict[str, list[str]] = {}
    for item_id, item in module.items.items():
        by_area.setdefault(item.topic, []).append(item_id)
    chosen: list[str] = []
    start, stop = module.draw.first, module.draw.first + module.draw.per_area
    for area in module.topic_names:
        pool = sorted(by_area.get(area, []), key=bank_number)
        random.Random(f"{seed}/{area}").shuffle(pool)
        chosen += pool[start:stop]
    return chosen


def item_order(module: Module, seed: int | None) -> list[str]:
    """Item ids of a module as this learner meets them: every item of a module, or the
    learner's own form of a practice exam (drawn as for seed 0 when there is no seed yet)."""
    ids = drawn(module, seed or 0) if module.draw is not None else list(module.items)
    if module.shuffle and seed is not None:
        random.Random(f"{seed}/{module.id}").shuffle(ids)
    return ids


def letter_of(options: tuple[Option, ...], key: str) -> str | None:
    """The letter (A, B, …) a key is shown under, or None when no option has that key."""
    for position, option in enumerate(options):
        if option.key == key:
            return LETTERS[position]
    return None


def key_of(options: tuple[Option, ...], letter: str) -> str | None:
    """The key behind a letter the learner typed ("b" or "B"), or None."""
    position = LETTERS.find(letter.strip().upper()) if len(letter.strip()) == 1 else -1
    return options[position].key if 0 <= position < len(options) else None
