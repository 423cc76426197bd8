"""The learner's feedback page: what ``nbgrader generate_feedback`` writes for each learner.

nbgrader's own page is the graded notebook as a developer sees it: code, "Test cell" labels,
``Out[3]:`` prompts, and MathJax fetched from a CDN. This page is made from the same graded
notebook (the outputs the autograder wrote, the points and comments nbgrader's ``GetGrades``
step added) in the results pages' one style: the module's title and the learner's score, then
each graded question with their answer, their points and the sentence that says why, each
reflection with what they wrote and the instructor's points and comment, and for the practice
exam the result by area with its chart. It loads nothing from outside, and everything a learner
wrote is escaped by the template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from nbconvert.exporters import Exporter, HTMLExporter

from . import check_texts as say
from . import contract
from .items import Module, module_by_slug, module_title
from .pages import render

ITEM_ID = re.compile(r"\s*\((?:m\d+|exam|short)\.[a-z]\d+\)\s*$")


@dataclass(frozen=True)
class Card:
    """One graded part of the page: a question, a reflection, or an exam area."""

    heading: str
    text: str  # the question and the learner's answer, or what they wrote
    result: str  # the sentences that explain the points
    score: float | None  # None: not graded yet
    points: float
    comment: str = ""
    reflection: bool = False


def unwrap(text: str) -> str:
    """Undo the autograder's line wrapping (continuation lines are indented three more spaces)."""
    lines: list[str] = []
    for line in text.splitlines():
        if lines and line.strip():
            indent = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())]
            if line.startswith(indent + "   "):
                lines[-1] += " " + line.strip()
                continue
        lines.append(line)
    return "\n".join(lines)


def _texts(cell: Any) -> list[str]:
    """A cell's outputs as text: streams and the plain-text part of displays, not the points."""
    out = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            out.append(output.get("text", ""))
        elif output.get("output_type") == "display_data":
            out.append(output.get("data", {}).get("text/plain", ""))
    return [unwrap(t).strip("\n") for t in out if t.strip()]


def _chart(cell: Any) -> dict[str, str] | None:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data:
            return {"png": data["image/png"], "words": unwrap(data.get("text/plain", ""))}
    return None


def _without_id(block: str) -> str:
    """A question as the learner knows it: "Question 7", not "Question 7 (exam.g801)"."""
    first, _, rest = block.partition("\n")
    return f"{ITEM_ID.sub('', first)}\n{rest}"


def _question(texts: list[str], grade: dict[str, Any]) -> Card:
    """A graded question: its text (the first output) and the grading sentences (the rest)."""
    heading, _, body = texts[0].partition("\n") if texts else ("", "", "")
    result = "\n".join(texts[1:])
    return Card(ITEM_ID.sub("", heading), body, result, grade.get("score"), grade.get("points", 0))


def _reflection(texts: list[str]) -> Card:
    """A reflection as grading printed it: its label, its prompt, then the learner's words."""
    heading, _, body = texts[0].partition("\n") if texts else ("", "", "")
    prompt, _, written = body.partition("\n")
    return Card(ITEM_ID.sub("", heading), written, prompt, None, 0, reflection=True)


def _area(module: Module, grade: dict[str, Any], texts: list[str]) -> Card:
    """A practice exam area: its name and the sentence for each of the learner's items in it."""
    area = grade.get("grade_id", "").removeprefix(f"{module.id}-")
    name = module.topic_names.get(area, area)
    return Card(name, "", "\n".join(texts), grade.get("score"), grade.get("points", 0))


def _scored(card: Card, task: dict[str, Any], waiting: set[str]) -> Card:
    """A reflection with the instructor's points and comment (from the task cell under it);
    no points while it still waits for hand grading (nbgrader would show 0)."""
    score = None if task.get("grade_id") in waiting else task.get("score")
    return replace(card, score=score, points=task.get("points", 0), comment=task.get("comment") or "")


def waiting_for_grading(resources: dict[str, Any]) -> set[str]:
    """The grade ids of this submission that still need hand grading, from the gradebook."""
    where = resources.get("nbgrader", {})
    if not where.get("db_url"):
        return set()
    from nbgrader.api import Gradebook, MissingEntry

    submission = (where["notebook"], where["assignment"], where["student"])
    with Gradebook(where["db_url"]) as gradebook:
        try:
            found = gradebook.find_submission_notebook(*submission)
        except MissingEntry:
            return set()
        return {grade.name for grade in found.grades if grade.needs_manual_grade}


def _calls(cell: Any) -> set[str]:
    return {found.function for found in contract.calls_in(cell.source)}


def feedback_parts(nb: Any, module: Module | None, waiting: set[str] = frozenset()) -> dict[str, Any]:
    """What the page shows, from the graded notebook after GetGrades (``waiting``: the grade
    ids still to be graded by hand)."""
    parts: dict[str, Any] = {"questions": [], "areas": [], "notes": [], "answers": [], "chart": None}
    questions: list[Card] = parts["questions"]
    for cell in nb.cells:
        grade = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            if grade.get("task") and questions and questions[-1].reflection:
                questions[-1] = _scored(questions[-1], grade, waiting)
            continue
        texts, calls = _texts(cell), _calls(cell)
        if grade.get("grade") and module is not None and module.shuffle:
            parts["areas"].append(_area(module, grade, texts))
        elif grade.get("grade"):
            questions.append(_question(texts, grade))
        elif "ask_all" in calls:
            parts["answers"] = [_without_id(b) for b in "\n\n".join(texts).split("\n\n") if b.strip()]
        elif "exam_chart" in calls:
            parts["chart"] = _chart(cell)
        elif "status" in calls and texts:
            parts["notes"] = texts[0].splitlines()[1:]  # the first line counts answers; then problems
        elif "ask" in calls and texts and _is_reflection(cell):
            questions.append(_reflection(texts))
    return parts


def _is_reflection(cell: Any) -> bool:
    """The cell that shows a reflection (the autograder gives it as a display, not plain text)."""
    return any(o.get("output_type") == "display_data" for o in cell.get("outputs", []))


def feedback_html(nb: Any, resources: dict[str, Any]) -> str:
    """The whole page for one learner's graded notebook."""
    grading = resources.get("nbgrader", {})
    module = module_by_slug(grading.get("notebook", ""))
    title = module_title(module) if module else grading.get("notebook", "")
    return render(
        "feedback.html.j2",
        title=say.FEEDBACK_TITLE.format(module=title),
        score=grading.get("score", 0.0),
        max_score=grading.get("max_score", 0.0),
        late_penalty=grading.get("late_penalty", 0.0) or 0.0,
        **feedback_parts(nb, module, waiting_for_grading(resources)),
    )


class FeedbackExporter(HTMLExporter):
    """Writes the course's feedback page (GenerateFeedback.exporter_class).

    nbgrader registers its feedback steps (GetGrades, the key and rubric strippers) on this
    exporter; they run first, as for any exporter, and the page is then made from the result.
    """

    def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[str, Any]:
        graded, resources = Exporter.from_notebook_node(self, nb, resources, **kw)
        return feedback_html(graded, resources), resources
