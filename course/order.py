"""The order in which a learner sees options (and, in the practice exam, items).

Modules show options as written. The practice exam shows every learner their own order,
drawn from the learner's seed, so neighbours cannot copy by position and one learner always
sees the same order again. Grading never depends on order: answers are stored by option key.
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


def item_order(module: Module, seed: int | None) -> list[str]:
    """Item ids of a module as this learner meets them."""
    ids = list(module.items)
    if module.shuffle and seed is not None:
        random.Random(seed).shuffle(ids)
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
