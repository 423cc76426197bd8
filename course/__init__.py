"""Certified Peer Specialist course: the little a notebook needs to ask and save answers.

Notebook cells use three calls: ``status("m1")`` at the top of a module, ``ask("m1.p1")``
for each question, and ``answer("m1.g3", "b")`` to type an answer where buttons cannot show.
``check_my_work("m1")`` ends each module (self-paced grading), ``my_progress()`` draws the
"My progress" notebook and ``course_home()`` the learner's home page (``modules/home.ipynb``).
Widgets are imported only when a question is shown, so importing the package stays fast.
"""

from typing import Any

from .answering import answer, ask, ask_all, status, topic_check
from .results import exam_chart

__all__ = [
    "answer",
    "ask",
    "ask_all",
    "check_my_work",
    "course_home",
    "exam_chart",
    "my_progress",
    "status",
    "topic_check",
]

# Loaded on first use: grading kernels never pay for them, and ``python -m course.selfcheck``
# does not find its own module imported already by the package.
_LAZY = {"check_my_work": "check_button", "course_home": "home", "my_progress": "progress"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
