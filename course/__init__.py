"""Certified Peer Specialist course: the little a notebook needs to ask and save answers.

Notebook cells use three calls: ``status("m1")`` at the top of a module, ``ask("m1.p1")``
for each question, and ``answer("m1.g3", "b")`` to type an answer where buttons cannot show.
Widgets are imported only when a question is shown, so importing the package stays fast.
"""

from .answering import answer, ask, ask_all, status, topic_check
from .results import exam_chart

__all__ = ["answer", "ask", "ask_all", "exam_chart", "status", "topic_check"]
