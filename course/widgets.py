"""The ipywidgets a learner clicks. Every change is saved at once through the store.

A save that fails is said at once in the question's own feedback line (its live region), and
that line never claims "Saved" for an answer that is not in the file.

Imported only when a question is shown in a live notebook, so grading runs and
``import course`` never pay for ipywidgets.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from functools import cache
from typing import Any

import ipywidgets as w

from . import texts, views
from .items import LETTERS, Item, Option
from .store import AnswerStore, SaveFailed

_STYLE = (
    "<style>"
    # Long choices wrap beside their button, and wrapped text keeps a reading line height, on a
    # narrow window or zoomed in (ipywidgets sets one line's height and floats the button).
    ".cps-item .widget-radio-box{width:100%}"
    ".cps-item .widget-radio-box label{white-space:normal;height:auto;line-height:1.4;margin:.2em 0;"
    "display:flex;align-items:flex-start}"
    ".cps-item .widget-radio-box input{order:-1;float:none;flex:none;height:auto;margin:.2em .5em 0 1px}"
    ".cps-item .widget-html-content{line-height:1.4}"
    # Questions read like the lessons around them: JupyterLab's content font and size, where
    # ipywidgets would draw them in its own smaller widget font (13 px beside 14 px).
    ".cps-item .widget-html-content,.cps-item .widget-radio-box label,.cps-item .widget-label,"
    ".cps-item textarea,.cps-item select"
    "{font-family:var(--jp-content-font-family);font-size:var(--jp-content-font-size1)}"
    ".cps-stem{margin-bottom:.3em}"
    # The exam shows 42 items in one output: keep them apart. The sides leave room for a focus
    # outline: the item scrolls (overflow:auto), so an outline past its edge would be cut off.
    ".cps-item{padding:0 6px 1em}"
    ".cps-feedback{margin:.4em 0;padding:.4em .6em;border-left:4px solid}"
    ".cps-right{border-color:#1a7f37}.cps-wrong{border-color:#b35900}"
    # A question that lost its kernel says so in words (see _ENHANCE_JS), so ipywidgets' small
    # broken-link icons would only add noise.
    ".cps-item.jupyter-widgets-disconnected::before,.cps-item .jupyter-widgets-disconnected::before"
    "{display:none}"
    # A sorting task's text is its drop-down's label: let it wrap, on its own line above.
    ".cps-item .widget-dropdown{flex-wrap:wrap;height:auto}"
    ".cps-item .widget-dropdown>.widget-label{flex:0 0 100%;white-space:normal;text-align:left;"
    "font-weight:bold;line-height:1.4;height:auto;margin:.6em 0 .2em}"
    ".cps-item .widget-dropdown>select{flex:0 1 24em}"
    # ipywidgets removes the focus outline of text boxes (outline:none!important) and leaves a
    # thin border colour change; a keyboard user needs to see clearly where they are.
    ".cps-item textarea:focus-visible,.cps-item select:focus-visible,.cps-item input:focus-visible"
    "{outline:2px solid #1a5fb4!important;outline-offset:2px}"
    "</style>"
)

# ipywidgets cannot put ARIA attributes on what it draws, so two things a screen reader needs
# are added in the browser: the radio buttons become a group named by the question, and each
# feedback line's lasting container becomes the live region (the HTML inside it is replaced on
# every answer, and a live region created anew is often not read out). It waits for the item to
# be on the page and repeats when ipywidgets redraws.
#
# It also notices a question that lost its kernel. After Kernel > Restart, ipywidgets marks
# every view of the old kernel's widgets with the class jupyter-widgets-disconnected; a click
# would still fill in a radio button, but reach no kernel, so nothing would be saved while the
# page looked as if it were. Such a question says so in words under its stem (LOST_WORDS, from
# texts.py) and its controls are disabled until the class goes away again.
_ENHANCE_JS = """
(function (node, lost) {
  function connection(box) {
    const cut = box.classList.contains('jupyter-widgets-disconnected');
    let note = box.querySelector(':scope > .cps-lost');
    if (cut && !note && box.firstElementChild) {
      note = document.createElement('div');
      note.className = 'cps-lost cps-feedback cps-wrong';
      note.setAttribute('role', 'status');
      const words = document.createElement('b');
      words.textContent = '\u26a0 ' + lost[0];
      note.append(words, ' ' + lost[1]);
      box.firstElementChild.after(note);
    } else if (!cut && note) {
      note.remove();
    }
    box.querySelectorAll('input, textarea, select, button').forEach(function (control) {
      if (cut && !control.disabled) {
        control.disabled = true;
        control.dataset.cpsLost = '1';
      } else if (!cut && control.dataset.cpsLost) {
        control.disabled = false;
        delete control.dataset.cpsLost;
      }
    });
  }
  function enhance(box) {
    const stem = box.querySelector('.cps-stem');
    if (stem && !stem.id) stem.id = 'cps-stem-' + Math.random().toString(36).slice(2);
    box.querySelectorAll('.widget-radio-box').forEach(function (group) {
      group.setAttribute('role', 'radiogroup');
      if (stem) group.setAttribute('aria-labelledby', stem.id);
    });
    box.querySelectorAll('.cps-live > .widget-html-content').forEach(function (region) {
      region.setAttribute('role', 'status');
      region.setAttribute('aria-live', 'polite');
    });
    connection(box);
  }
  let frames = 0;
  (function attach() {
    const box = node.closest('.cps-item');
    if (!box) {
      if (frames++ < 600) requestAnimationFrame(attach);
      return;
    }
    enhance(box);
    new MutationObserver(function () { enhance(box); }).observe(
      box, {childList: true, subtree: true, attributes: true, attributeFilter: ['class']});
  })();
})(element, LOST_WORDS);
""".replace("LOST_WORDS", json.dumps([texts.LOST_CONNECTION, texts.LOST_CONNECTION_HELP]))


@cache
def _shared() -> dict[str, w.Widget]:
    """One Layout and one style model per kind of widget, shared by every question.

    Each ipywidget otherwise makes its own Layout and style models, and every model is a
    message to the browser: the exam's 42 questions made about 460 models where about 170 do
    (the benchmark's Run All figure). None of these is changed after it is made, so sharing
    them is safe.
    """
    from ipywidgets.widgets.widget_description import DescriptionStyle
    from ipywidgets.widgets.widget_string import HTMLStyle

    return {
        "plain": w.Layout(),
        "full": w.Layout(width="100%"),
        "hidden": w.Layout(display="none"),
        "html": HTMLStyle(),
        "described": DescriptionStyle(),
    }


def _html(value: str) -> w.HTML:
    return w.HTML(value, layout=_shared()["plain"], style=_shared()["html"])


class PlainTextBox(w.VBox):
    """A box of widgets whose plain-text form is the course's own words.

    Where widgets cannot render (a plain viewer, a terminal, a stored notebook) and in
    nbval's comparison, the text/plain part of the output is what shows; by default it
    is an unreadable repr of the widget tree.
    """

    def __init__(self, children: list[w.Widget], describe: Callable[[], str], **kwargs: Any):
        super().__init__(children=children, **kwargs)
        self._describe = describe

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = self._describe()
        return data


class ItemBox(PlainTextBox):
    """A question's widget whose plain-text form is the question itself."""

    def __init__(self, children: list[w.Widget], describe: Callable[[], str], css: str = "cps-item"):
        super().__init__(children, describe, layout=_shared()["plain"])
        self.add_class(css)


def _status(text: str) -> w.HTML:
    """A line of feedback; the browser makes it a live region (see ``_ENHANCE_JS``)."""
    line = _html(_status_html(text))
    line.add_class("cps-live")
    return line


def _status_html(text: str) -> str:
    return f'<div class="cps-status">{html.escape(text)}</div>'


def failed_html(problem: SaveFailed) -> str:
    """The learner's words for a failed save, marked by a symbol and a word, not colour alone."""
    return f'<div class="cps-status cps-feedback cps-wrong"><b>⚠ {html.escape(str(problem))}</b></div>'


def _saved(store: AnswerStore, item_id: str, value: Any, line: w.HTML) -> bool:
    """Save an answer; if it cannot be saved, say so in ``line`` and return False.

    Called from a widget's change callback, where an exception would only reach the kernel
    log: the learner would see nothing and believe the answer kept.
    """
    try:
        store.record(item_id, value)
    except SaveFailed as problem:
        line.value = failed_html(problem)
        return False
    return True


def _enhancer() -> w.Output:
    """An invisible output that runs ``_ENHANCE_JS`` next to the item it belongs to."""
    script = {"output_type": "display_data", "data": {"application/javascript": _ENHANCE_JS}, "metadata": {}}
    return w.Output(outputs=(script,), layout=_shared()["hidden"])


def choice(
    item: Item,
    options: tuple[Option, ...],
    store: AnswerStore,
    saved: Any,
    on_saved: Callable[[str, Any], None] | None = None,
) -> ItemBox:
    """A practice or graded multiple-choice question, showing ``saved`` (the answer on file).

    ``on_saved(item_id, value)`` hears of every answer saved (the practice exam counts them)."""
    keys = [opt.key for opt in options]
    buttons = w.RadioButtons(
        options=[(f"{LETTERS[i]}. {opt.text}", opt.key) for i, opt in enumerate(options)],
        value=saved if saved in keys else None,
        description="",
        layout=_shared()["full"],
        style=_shared()["described"],
    )
    result = _status("")
    current = {"value": saved}

    def show(value: Any) -> None:
        line = html.escape(views.saved_text(item, options, value))
        if item.kind == "practice":
            body = views.verdict_html(views.practice_verdict(item, value)) or line
        else:
            body = f"<b>{line}</b>" + (f" {texts.SAVED_NOTE}" if value in keys else "")
        result.value = f'<div class="cps-status">{body}</div>'

    def changed(change: dict[str, Any]) -> None:
        # ``current`` is what the file holds, so the plain-text form never shows an unsaved
        # choice as saved.
        if _saved(store, item.id, change["new"], result):
            current["value"] = change["new"]
            show(change["new"])
            if on_saved:
                on_saved(item.id, change["new"])

    show(saved)
    buttons.observe(changed, names="value")
    return ItemBox(
        [_html(_STYLE + views.stem_html(item)), buttons, result, _enhancer()],
        lambda: views.plain(item, options, current["value"]),
    )


def reflection(item: Item, store: AnswerStore, saved: Any) -> ItemBox:
    """A text box whose words are saved as they are typed."""
    box = w.Textarea(
        value=saved if isinstance(saved, str) else "",
        placeholder="Write a few sentences here. They are saved as you type.",
        description="Your reflection",
        style={"description_width": "initial"},
        layout=w.Layout(width="100%", height="10em"),
    )
    status = _status(views.reflection_text(box.value))

    def changed(change: dict[str, Any]) -> None:
        if _saved(store, item.id, change["new"], status):
            status.value = _status_html(views.reflection_text(change["new"]))

    box.observe(changed, names="value")
    return ItemBox(
        [_html(_STYLE + views.stem_html(item)), box, status, _enhancer()],
        lambda: views.plain(item, (), box.value),
    )


def sort(item: Item, store: AnswerStore, saved: Any) -> ItemBox:
    """A sorting exercise: one drop-down per task, feedback under each."""
    placed: dict[str, str] = dict(saved) if isinstance(saved, dict) else {}
    choices = [("Choose…", None)] + [(label, key) for key, label in item.bins.items()]
    groups = [key for _, key in choices]
    rows: list[w.Widget] = []
    progress = _status("")

    def refresh_progress() -> None:
        text = texts.SORT_PROGRESS.format(done=len(placed), total=len(item.tasks))
        progress.value = _status_html(text)

    for key, task in item.tasks.items():
        # The task is the drop-down's label, so a screen reader names each menu by its task.
        # An index, not value=None: ipywidgets shows None as an empty box, not as "Choose…".
        menu = w.Dropdown(
            options=choices,
            index=groups.index(placed.get(key)) if placed.get(key) in groups else 0,
            description=task["text"],
            style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
        )
        feedback = _status("")

        def changed(change: dict[str, Any], key: str = key, feedback: w.HTML = feedback) -> None:
            if change["new"] is None:
                placed.pop(key, None)
            else:
                placed[key] = change["new"]
            # ``placed`` follows the menus, so the next save that works saves them all.
            if _saved(store, item.id, dict(placed), feedback):
                feedback.value = views.verdict_html(views.sort_verdicts(item, placed)[key])
            refresh_progress()

        feedback.value = views.verdict_html(views.sort_verdicts(item, placed)[key])
        menu.observe(changed, names="value")
        rows.append(w.VBox([menu, feedback]))

    refresh_progress()
    return ItemBox(
        [_html(_STYLE + views.stem_html(item)), *rows, progress, _enhancer()],
        lambda: views.plain(item, (), placed),
    )
