"""The practice exam, run like the real one: a clock, a count of answers and a break.

The Medi-Cal Peer Support Specialist exam gives 2.5 hours for 120 questions, with a scheduled
break at about question 60. Here the clock only helps a learner practise their pace: they
start and pause it, nothing is enforced, and its time is saved in ``answers.json`` so it goes
on where they left it. The ticking happens in the browser (a hidden ipywidgets ``Play``, linked
in the browser to the visible button), so it keeps time while the kernel is busy; the kernel
puts the time into words and saves it every half minute and at every pause.

Imported only when a live practice exam is shown, like :mod:`course.widgets`.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from . import texts
from .store import AnswerStore, SaveFailed, is_answered
from .widgets import failed_html

SAVE_EVERY = 30  # seconds between saves of the clock while it runs
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
