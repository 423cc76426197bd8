"""The practice exam, run like the real one: a clock, a count of answers, pages and a break.

The Medi-Cal Peer Support Specialist exam gives 2.5 hours for 120 questions, with a scheduled
break at about question 60. Here the clock only helps a learner practise their pace: they
start and pause it, nothing is enforced, and its time is saved in ``answers.json`` so it goes
on where they left it. The ticking happens in the browser (a hidden ipywidgets ``Play``, linked
in the browser to the visible button), so it keeps time while the kernel is busy; the kernel
puts the time into words and saves it every half minute and at every pause.

The questions come ten to a page, as the real exam shows one screen at a time: a page of
questions is drawn when the learner turns to it, so a 120-question exam opens as quickly as a
module on a slow laptop, and the browser holds a page of widgets, not five hundred.

Imported only when a live practice exam is shown, like :mod:`course.widgets`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from . import texts, widgets
from .items import Item, Option
from .store import AnswerStore, SaveFailed, is_answered
from .views import plain
from .widgets import failed_html

SAVE_EVERY = 30  # seconds between saves of the clock while it runs
PAGE_SIZE = 10  # questions on one page
LONGEST = 10 * 60 * 60  # the clock stops counting after ten hours


def hms(seconds: int) -> str:
    """A time as a learner reads it on a clock: 0:05:09, 2:30:00."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def clock_words(seconds: int, limit: int) -> str:
    """What the clock line says, past the real exam's time too."""
    words = texts.EXAM_CLOCK if seconds <= limit else texts.EXAM_CLOCK_OVER
    return words.format(used=hms(seconds), limit=hms(limit))


def _line(text: str, role: str) -> str:
    return f'<div class="cps-status" role="{role}">{html.escape(text)}</div>'


class ExamPanel:
    """The clock, its button and the count of answers, shown above and below the questions."""

    def __init__(self, store: AnswerStore, ids: list[str], saved: dict[str, Any], limit: int, start: int):
        self.store = store
        self.limit = limit
        self.total = len(ids)
        self.answered = {i for i in ids if is_answered(saved.get(i))}
        # role="timer" is not read out at every tick; the count below is a polite live region.
        self.time = w.HTML(_line(clock_words(start, limit), "timer"))
        self.count = w.HTML(_line(self._count_words(), "status"))
        self.help = w.HTML(_line(texts.EXAM_CLOCK_HELP.format(limit=hms(limit), count=self.total), "note"))
        self.button = w.ToggleButton(value=False, description=texts.EXAM_CLOCK_START, icon="clock-o")
        self.ticker = w.Play(value=min(start, LONGEST), min=0, max=LONGEST, interval=1000)
        self.ticker.layout.display = "none"
        w.jslink((self.button, "value"), (self.ticker, "playing"))
        self.ticker.observe(self._tick, names="value")
        self.button.observe(self._toggled, names="value")
        self.widget = w.VBox([w.HBox([self.button, self.time]), self.help, self.count, self.ticker])
        self.widget.add_class("cps-exam-panel")

    def _count_words(self) -> str:
        return texts.EXAM_ANSWERED.format(answered=len(self.answered), total=self.total)

    def on_saved(self, item_id: str, value: Any) -> None:
        """Count an answer just saved (or cleared)."""
        if is_answered(value):
            self.answered.add(item_id)
        else:
            self.answered.discard(item_id)
        self.count.value = _line(self._count_words(), "status")

    def _tick(self, change: dict[str, Any]) -> None:
        self.time.value = _line(clock_words(change["new"], self.limit), "timer")
        if change["new"] % SAVE_EVERY == 0:
            self._save()

    def _toggled(self, change: dict[str, Any]) -> None:
        self.button.description = texts.EXAM_CLOCK_PAUSE if change["new"] else texts.EXAM_CLOCK_START
        if not change["new"]:
            self._save()

    def _save(self) -> None:
        """Keep the clock's time; a save that fails says so where the learner looks."""
        try:
            self.store.record_clock(self.ticker.value)
        except SaveFailed as problem:
            self.help.value = failed_html(problem)


def break_note(done: int) -> w.HTML:
    """The suggested break, halfway through a full-length form."""
    text = html.escape(texts.EXAM_BREAK.format(done=done))
    return w.HTML(f'<div class="cps-feedback cps-right" role="note"><b>☕</b> {text}</div>')


class ExamPages:
    """The learner's questions, ``PAGE_SIZE`` to a page, with buttons to turn the pages.

    A page's widgets are made when it is shown, from the answers saved so far, and the count
    of answers hears of every save (``on_saved``). A full-length form suggests its break at the
    top of the page after question 60.
    """

    def __init__(
        self,
        shown: list[tuple[Item, tuple[Option, ...]]],
        store: AnswerStore,
        saved: dict[str, Any],
        on_saved: Callable[[str, Any], None],
        break_after: int = 0,
    ):
        self.shown, self.store, self.saved = shown, store, dict(saved)
        self.on_saved, self.break_after = on_saved, break_after
        self.pages = max(1, -(-len(shown) // PAGE_SIZE))
        self.page = 0
        self.where = w.HTML()
        self.questions = w.VBox()
        self.previous = [self._button(texts.EXAM_PREVIOUS, -1) for _ in range(2)]
        self.next = [self._button(texts.EXAM_NEXT, +1) for _ in range(2)]
        top = w.HBox([self.previous[0], self.where, self.next[0]])
        bottom = w.HBox([self.previous[1], self.next[1]])
        self.widget = widgets.ItemBox([top, self.questions, bottom], self.page_text, css="cps-exam-pages")
        self.show(0)

    def _button(self, words: str, step: int) -> w.Button:
        button = w.Button(description=words)
        button.on_click(lambda _: self.show(self.page + step))
        return button

    def _saved(self, item_id: str, value: Any) -> None:
        self.saved[item_id] = value
        self.on_saved(item_id, value)

    def page_items(self) -> list[tuple[Item, tuple[Option, ...]]]:
        return self.shown[self.page * PAGE_SIZE : (self.page + 1) * PAGE_SIZE]

    def show(self, page: int) -> None:
        """Turn to a page (kept within the first and the last)."""
        self.page = min(max(page, 0), self.pages - 1)
        first = self.page * PAGE_SIZE
        mine = self.page_items()
        boxes: list[w.Widget] = [break_note(first)] if self.break_after and first == self.break_after else []
        boxes += [widgets.choice(i, o, self.store, self.saved.get(i.id), self._saved) for i, o in mine]
        self.questions.children = boxes
        # The page's name changes last: once it says "11 to 20", those questions are on the page.
        words = texts.EXAM_PAGE.format(first=first + 1, last=first + len(mine), total=len(self.shown))
        self.where.value = f'<div class="cps-status" role="status"><b>{html.escape(words)}</b></div>'
        for buttons, hidden in ((self.previous, self.page == 0), (self.next, self.page == self.pages - 1)):
            for button in buttons:
                button.layout.visibility = "hidden" if hidden else "visible"

    def page_text(self) -> str:
        """The page in plain text, for a viewer that cannot show widgets (and for nbval)."""
        shown = self.page_items()
        return "\n\n".join(plain(item, options, self.saved.get(item.id)) for item, options in shown)
