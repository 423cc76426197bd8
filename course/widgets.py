"""The ipywidgets a learner clicks. Every change is saved at once through the store.

Imported only when a question is shown in a live notebook, so grading runs and
``import course`` never pay for ipywidgets.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from . import texts, views
from .items import LETTERS, Item, Option
from .store import AnswerStore

_STYLE = (
    "<style>.cps-item .widget-radio-box label{white-space:normal;height:auto;line-height:1.4;"
    "margin:.2em 0}.cps-item .widget-radio-box{width:100%}.cps-feedback{margin:.4em 0;"
    "padding:.4em .6em;border-left:4px solid}.cps-right{border-color:#1a7f37}"
    ".cps-wrong{border-color:#b35900}.cps-id{color:#555;font-size:90%}</style>"
)


class ItemBox(w.VBox):
    """A question's widget whose plain-text form is the question itself.

    Where widgets cannot render (a plain viewer, a terminal, a stored notebook) and in
    nbval's comparison, the text/plain part of the output is what shows; by default it
    is an unreadable repr of the widget tree.
    """

    def __init__(self, children: list[w.Widget], describe: Callable[[], str]):
        super().__init__(children=children)
        self._describe = describe
        self.add_class("cps-item")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = self._describe()
        return data


def _status(text: str) -> w.HTML:
    return w.HTML(f'<div role="status" aria-live="polite">{html.escape(text)}</div>')


def choice(item: Item, options: tuple[Option, ...], store: AnswerStore) -> ItemBox:
    """A practice or graded multiple-choice question."""
    saved = store.value(item.id)
    keys = [opt.key for opt in options]
    buttons = w.RadioButtons(
        options=[(f"{LETTERS[i]}. {opt.text}", opt.key) for i, opt in enumerate(options)],
        value=saved if saved in keys else None,
        description="",
        layout=w.Layout(width="100%"),
    )
    result = w.HTML()
    current = {"value": saved}

    def show(value: Any) -> None:
        line = html.escape(views.saved_text(item, options, value))
        if item.kind == "practice":
            body = views.verdict_html(views.practice_verdict(item, value)) or line
        else:
            body = f"<b>{line}</b>" + (f" {texts.SAVED_NOTE}" if value in keys else "")
        result.value = f'<div role="status" aria-live="polite">{body}</div>'

    def changed(change: dict[str, Any]) -> None:
        current["value"] = change["new"]
        store.record(item.id, change["new"])
        show(change["new"])

    show(saved)
    buttons.observe(changed, names="value")
    return ItemBox(
        [w.HTML(_STYLE + views.stem_html(item)), buttons, result],
        lambda: views.plain(item, options, current["value"]),
    )


def reflection(item: Item, store: AnswerStore) -> ItemBox:
    """A text box whose words are saved as they are typed."""
    saved = store.value(item.id)
    box = w.Textarea(
        value=saved if isinstance(saved, str) else "",
        placeholder="Write a few sentences here. They are saved as you type.",
        description="Your reflection",
        style={"description_width": "initial"},
        layout=w.Layout(width="100%", height="10em"),
    )
    status = _status(views.reflection_text(box.value))

    def changed(change: dict[str, Any]) -> None:
        store.record(item.id, change["new"])
        status.value = _status(views.reflection_text(change["new"])).value

    box.observe(changed, names="value")
    return ItemBox(
        [w.HTML(_STYLE + views.stem_html(item)), box, status],
        lambda: views.plain(item, (), box.value),
    )


def sort(item: Item, store: AnswerStore) -> ItemBox:
    """A sorting exercise: one drop-down per task, feedback under each."""
    saved = store.value(item.id)
    placed: dict[str, str] = dict(saved) if isinstance(saved, dict) else {}
    choices = [("Choose…", None)] + [(label, key) for key, label in item.bins.items()]
    rows: list[w.Widget] = []
    progress = _status("")

    def refresh_progress() -> None:
        text = texts.SORT_PROGRESS.format(done=len(placed), total=len(item.tasks))
        progress.value = _status(text).value

    for key, task in item.tasks.items():
        menu = w.Dropdown(options=choices, value=placed.get(key), description="Group:")
        feedback = w.HTML()

        def changed(change: dict[str, Any], key: str = key, feedback: w.HTML = feedback) -> None:
            if change["new"] is None:
                placed.pop(key, None)
            else:
                placed[key] = change["new"]
            store.record(item.id, dict(placed))
            feedback.value = views.verdict_html(views.sort_verdicts(item, placed)[key])
            refresh_progress()

        feedback.value = views.verdict_html(views.sort_verdicts(item, placed)[key])
        menu.observe(changed, names="value")
        rows.append(w.VBox([w.HTML(f"<b>{html.escape(task['text'])}</b>"), menu, feedback]))

    refresh_progress()
    return ItemBox(
        [w.HTML(_STYLE + views.stem_html(item)), *rows, progress],
        lambda: views.plain(item, (), placed),
    )
