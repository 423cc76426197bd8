"""What Check my work shows: the results page, the table in the notebook, and terminal text.

Made from the shared results-page templates (:mod:`course.pages`). A whole page opens in any
browser: no scripts, nothing fetched from elsewhere (a chart is a ``data:`` image).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import check_texts as say
from .bars import can_draw
from .browser import IN_BROWSER
from .check_results import RESULTS_FILE, record
from .items import module_title
from .pages import parts, render
from .results import by_topic, chart_png, topic_bars, topic_lines

if TYPE_CHECKING:
    from .selfcheck import Missed, Outcome, Part

PAGE_FILE = "check-my-work.html"


def _points(part: Part) -> str:
    if part.earned is None:
        return say.NOT_SCORED
    return say.POINTS.format(earned=part.earned, possible=part.possible)


def _rows(questions: tuple[Part, ...] | list[Part]) -> list[list[str]]:
    """One row per question: its name, its points and what to do next."""
    return [[p.label, _points(p), p.advice] for p in questions]


def results_table(questions: tuple[Part, ...] | list[Part]) -> str:
    """The table of points per question, as the page and the notebook show it (for inside a
    ``.cps-page`` block, which carries the style)."""
    return str(parts().table(say.PAGE_TABLE_CAPTION, say.PAGE_COLUMNS, _rows(questions)))


def missed_html(missed: list[Missed], notebook: str = "") -> str:
    """For each missed item: the best answer, why, and a link to the section to reread."""
    return str(parts().missed(missed, notebook))


def _total(outcome: Outcome) -> str:
    return say.CHECK_TOTAL.format(earned=outcome.earned, possible=outcome.possible)


def _when(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"


def _chart(outcome: Outcome) -> dict[str, str | None] | None:
    """The practice exam's chart (an image, or bars in HTML where matplotlib cannot draw) and
    the same in words; None for a module."""
    module = outcome.module
    topics = by_topic(module, list(outcome.marks)) if module.shuffle else {}
    if not topics:
        return None
    words = "\n".join(topic_lines(module, topics))
    if not can_draw():
        return {"png": None, "bars": topic_bars(module, topics), "words": words}
    png = base64.b64encode(chart_png(module, topics)).decode("ascii")
    return {"png": png, "bars": None, "words": words}


def _said(part: Part) -> str:
    """What the check said about one question, without a first line that repeats its heading.

    A reflection's words come as a grader sees them, headed "Reflection 1 (m1.r1)"; the page
    heads the section with the question's name already, and a learner has no use for the id.
    """
    first, _, rest = part.feedback.partition("\n")
    return rest if part.kind == "reflection" and first == f"{part.label} ({part.id})" else part.feedback


def all_missed(outcome: Outcome) -> list[Missed]:
    return [one for part in outcome.parts for one in part.missed]


def results_page(outcome: Outcome) -> str:
    """A whole HTML page a learner can open in any browser: no scripts, nothing fetched."""
    module = outcome.module
    return render(
        "check-my-work.html.j2",
        title=say.PAGE_TITLE.format(module=module_title(module)),
        checked=_when(outcome.checked),
        total=_total(outcome),
        rows=_rows(outcome.parts),
        chart=_chart(outcome),
        missed=all_missed(outcome),
        notebook=f"{module.slug}.ipynb",
        sections=[(f"{p.label}: {_points(p)}", _said(p)) for p in outcome.parts],
        answers_note=outcome.answers_note,
    )


def _write(path: Path, text: str) -> None:
    """Write beside the target and rename over it: the progress notebook never reads half a file."""
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_pages(outcome: Outcome, folder: Path) -> Path:
    """The results page and check-results.json beside the notebook; returns the page's path."""
    page = folder / PAGE_FILE
    _write(page, results_page(outcome))
    _write(folder / RESULTS_FILE, json.dumps(record(outcome), indent=1))
    return page


def outcome_html(outcome: Outcome) -> str:
    """What the notebook shows after a click: the total, the table, what to reread, the page.

    On the static site the page is in the browser's own storage, where no link can reach it,
    so it is offered as a download instead (the same page, as a ``data:`` link).
    """
    if outcome.status != "checked":
        return render("check-in-notebook.html.j2", message=outcome.message)
    page, download = PAGE_FILE, ""
    if IN_BROWSER and outcome.page is not None:
        page = "data:text/html;base64," + base64.b64encode(outcome.page.read_bytes()).decode("ascii")
        download = PAGE_FILE
    return render(
        "check-in-notebook.html.j2",
        message="",
        total=_total(outcome),
        rows=_rows(outcome.parts),
        missed=all_missed(outcome),
        page=page,
        download=download,
    )


def outcome_text(outcome: Outcome) -> str:
    """The same for a terminal."""
    if outcome.status != "checked":
        return outcome.message
    return render(
        "check-my-work.txt.j2",
        title=say.PAGE_TITLE.format(module=module_title(outcome.module)),
        total=_total(outcome),
        rows=_rows(outcome.parts),
        width=max(len(p.label) for p in outcome.parts),
        missed=all_missed(outcome),
        page=outcome.page.as_uri(),
    ).rstrip()
