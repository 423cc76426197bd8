"""What a learner calls from a notebook: ``status``, ``ask`` and ``answer``.

Each call is self-contained (it needs only its own import line), so a cell that nbgrader
puts back after a learner deleted it still runs, wherever it lands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import texts, views
from .browser import IN_BROWSER, files_kept
from .contract import grading_mode
from .items import LETTERS, Item, Module, Option, UnknownItem, find_item, load_module
from .order import item_order, key_of, option_order
from .store import AnswerStore, Loaded, SaveFailed, is_answered, module_of


def status(module_id: str) -> None:
    """Say where answers are kept, how many there are, and anything wrong with the file."""
    store = AnswerStore(module_id)
    loaded = store.load()
    loaded.seed = store.seed(loaded)  # a practice exam counts the learner's own form
    print(status_text(module_id, loaded, grading=store.read_only))


def status_text(module_id: str, loaded: Loaded, grading: bool) -> str:
    """The status cell's words: how many answered, and what was wrong with the file."""
    module = load_module(module_id)
    asked = [module.items[i] for i in item_order(module, loaded.seed) if module.items[i].kind != "sort"]
    answered = sum(1 for i in asked if is_answered(loaded.entries.get(i.id, {}).get("value")))
    if grading:
        lines = [texts.STATUS_GRADING.format(answered=answered, total=len(asked))]
    else:
        where = texts.STATUS_WHERE
        if IN_BROWSER:
            where = texts.STATUS_WHERE_BROWSER if files_kept() else texts.STATUS_NOT_KEPT_BROWSER
        lines = [where, texts.STATUS_COUNT.format(answered=answered, total=len(asked))]
    lines += [texts.STATUS_PROBLEM.format(problem=problem) for problem in loaded.problems]
    if loaded.unreadable:
        lines.append(texts.STATUS_ASK_FOR_HELP)
    elif loaded.problems:
        lines.append(texts.STATUS_KEPT.format(kept=len(loaded.entries)))
    return "\n".join(lines)


def seen(item: Item, module: Module, seed: int | None) -> tuple[Item, tuple[Option, ...]]:
    """The item numbered, and its options ordered, as the learner with this seed sees them."""
    if not module.shuffle or seed is None:
        return item, item.options
    position = item_order(module, seed).index(item.id) + 1
    return replace(item, position=position), option_order(item, module, seed)


def graded_text(module_id: str, item_ids: list[str] | None, loaded: Loaded) -> str:
    """Items as plain text with the saved answers, as a grader sees them (all items: None)."""
    module = load_module(module_id)
    ids = item_ids if item_ids is not None else item_order(module, loaded.seed)
    entries = loaded.entries
    shown = [seen(module.items[i], module, loaded.seed) for i in ids if i in module.items]
    return "\n\n".join(
        _grading_view(item, options, entries.get(item.id, {}).get("value")) for item, options in shown
    )


def _as_seen(item: Item, module: Module, store: AnswerStore) -> tuple[Item, tuple[Option, ...]]:
    """The item as this learner sees it (the seed is read only for the practice exam)."""
    return seen(item, module, store.seed() if module.shuffle else None)


def _locate(item_id: str) -> tuple[Item, Module, AnswerStore] | None:
    """The item, its module and its answers file; or None, after saying kindly what is wrong."""
    try:
        item = find_item(item_id)
    except UnknownItem as problem:
        print(problem)
        return None
    module = load_module(module_of(item_id))
    return item, module, AnswerStore(module.id)


def ask(item_id: str) -> None:
    """Show a question. In a live notebook it is a widget; while grading, plain text."""
    found = _locate(item_id)
    if found:
        item, module, store = found
        _show([_as_seen(item, module, store)], store)
        if item.kind == "graded" and grading_mode() == "validate":
            _validate_note(module, store, [item.id])


def ask_all(module_id: str) -> None:
    """Show a practice exam: this learner's own form, in their own order, ten questions to a
    page, under the exam's clock and count of answers, with a break suggested halfway."""
    module = load_module(module_id)
    store = AnswerStore(module_id)
    loaded = store.load()
    seed = store.seed(loaded)
    order = item_order(module, seed)
    shown = [
        (replace(module.items[i], position=n), option_order(module.items[i], module, seed))
        for n, i in enumerate(order, start=1)
    ]
    if store.read_only:
        _show(shown, store, loaded)
        return
    from IPython.display import display

    from .exam_mode import ExamPages, ExamPanel

    saved = {i: loaded.entries.get(i, {}).get("value") for i in order}
    panel = ExamPanel(store, order, saved, module.minutes * 60, loaded.clock or 0)
    half = len(shown) // 2 if len(shown) >= 100 else 0  # a full-length form only
    display(panel.widget)
    display(ExamPages(shown, store, saved, panel.on_saved, break_after=half).widget)


def _show(
    shown: list[tuple[Item, tuple[Option, ...]]],
    store: AnswerStore,
    loaded: Loaded | None = None,
    on_saved: Callable[[str, Any], None] | None = None,
) -> None:
    """Show items with their saved answers, reading the answers file once for all of them."""
    entries = (loaded or store.load()).entries
    saved = {item.id: entries.get(item.id, {}).get("value") for item, _ in shown}
    if store.read_only:
        for item, options in shown:
            print(_grading_view(item, options, saved[item.id]))
        return
    from IPython.display import display

    from . import widgets

    for item, options in shown:
        if item.kind == "reflection":
            display(widgets.reflection(item, store, saved[item.id]))
        elif item.kind == "sort":
            display(widgets.sort(item, store, saved[item.id]))
        else:
            display(widgets.choice(item, options, store, saved[item.id], on_saved))


def _grading_view(item: Item, options: tuple[Option, ...], value: Any) -> str:
    """While grading, graded items and reflections are shown in full; practice in one line."""
    if item.kind in ("practice", "sort"):
        saved = "answered" if is_answered(value) else "not answered"
        return texts.PRACTICE_WHILE_GRADING.format(label=item.label, item_id=item.id, saved=saved)
    return views.plain(item, options, value)


def topic_check(module_id: str, topic: str) -> None:
    """The visible part of a graded topic cell: that this topic is graded after submitting.

    It names no count of answers: the line is printed once, on Run All, and a count would
    still say "0 of 6" after the learner answered the questions above it.
    """
    module = load_module(module_id)
    name = module.topic_names.get(topic, topic)
    print(texts.TOPIC_GRADED_LATER.format(topic=name))
    if grading_mode() == "validate":
        ids = [i for i, item in module.items.items() if item.topic == topic]
        _validate_note(module, AnswerStore(module_id), ids)


def _validate_note(module: Module, store: AnswerStore, ids: list[str]) -> None:
    """What nbgrader's Validate button checks, said in the graded cells it looks at.

    Validate cannot grade (the learner's copy holds no keys), and with no message it would
    say "Success! Your notebook passes all the tests" for any notebook. So the first graded
    cell says what it checked, and each graded cell with an unanswered question says so.
    Validate shows only what a graded cell writes to stderr; nothing else is ever written there.
    """
    import sys

    entries = store.load().entries
    graded = [i for i, item in module.items.items() if item.kind == "graded"]
    answered = sum(1 for i in graded if is_answered(entries.get(i, {}).get("value")))
    lines = []
    if graded and ids[:1] == graded[:1]:
        lines.append(texts.VALIDATE_CHECKED.format(answered=answered, total=len(graded)))
    order = {i: n for n, i in enumerate(item_order(module, store.seed()), start=1)} if module.shuffle else {}
    for item_id in ids:
        if not is_answered(entries.get(item_id, {}).get("value")):
            item = replace(module.items[item_id], position=order.get(item_id, 0))
            lines.append(texts.VALIDATE_UNANSWERED.format(label=item.label))
    if lines:
        print("\n".join(lines), file=sys.stderr)


def answer(item_id: str, value: Any = None) -> None:
    """Typed fallback where widgets cannot render: saves to the same file as a click."""
    found = _locate(item_id)
    if not found:
        return
    item, module, store = found
    if store.read_only:
        print(texts.GRADING_READ_ONLY)
        return
    item, options = _as_seen(item, module, store)
    stored = _typed_value(item, options, value)
    if stored is None:
        return
    try:
        store.record(item.id, stored)
    except SaveFailed as problem:
        print(problem)
        return
    print(views.plain(item, options, stored))


def _typed_value(item: Item, options: tuple[Option, ...], value: Any) -> Any:
    """Turn what was typed into what is stored, or explain kindly and return None."""
    if item.kind == "reflection":
        if isinstance(value, str) and value.strip():
            return value
        print(texts.TYPE_SOME_TEXT.format(item_id=item.id))
        return None
    if item.kind == "sort":
        if (
            isinstance(value, dict)
            and value
            and all(k in item.tasks and v in item.bins for k, v in value.items())
        ):
            return value
        print(texts.TYPE_A_SORT.format(item_id=item.id, bin=next(iter(item.bins))))
        return None
    key = key_of(options, value) if isinstance(value, str) else None
    if key is None:
        letters = ", ".join(LETTERS[: len(options)])
        print(texts.TYPE_A_LETTER.format(item_id=item.id, letters=letters))
        return None
    return key
