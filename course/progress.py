"""My progress: what a learner has done across the course, from files already in their folders.

The "My progress" notebook sits in its own folder beside the module folders (``modules/`` in
the course folder, or wherever a hub learner fetched the modules). Each module folder holds
the learner's ``answers.json`` and, once they clicked "Check my work", ``check-results.json``.
This reads both (never writes), and shows per module: questions answered, practice questions
right the first time, the graded score of the last check, and topics worth another look.

The counting is pure functions on what the files hold; ``my_progress`` only reads and shows,
in one block made from the results pages' templates (``templates/pages/my-progress.html.j2``).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import check_texts as say
from .bars import Bar, bars_html, can_draw
from .browser import page_href
from .check_results import read_results
from .items import Module, all_modules, framework, module_title
from .order import item_order
from .pages import parts, render
from .results import WEAK_BELOW
from .store import AnswerStore, is_answered

if TYPE_CHECKING:
    from markupsafe import Markup

# The kinds status() counts as questions, so both say the same "answered N of M".
QUESTION_KINDS = ("practice", "graded", "reflection")


@dataclass(frozen=True)
class ModuleProgress:
    """One module's figures."""

    module: Module
    answered_ids: frozenset[str]  # questions with a saved answer
    questions: int
    practice_tried_ids: frozenset[str]  # practice questions with a first answer on record
    practice_right_first: int
    missed_practice: tuple[str, ...]  # practice item ids not right the first time
    check: dict[str, Any] | None  # the last check-results.json, if any

    @property
    def answered(self) -> int:
        return len(self.answered_ids)

    @property
    def practice_tried(self) -> int:
        return len(self.practice_tried_ids)

    @property
    def started(self) -> bool:
        return bool(self.answered or self.check)


@dataclass(frozen=True)
class Review:
    """A topic worth another look, the module that teaches it, and why it is listed."""

    topic: str
    module: Module
    why: tuple[str, ...]


def module_progress(
    module: Module, entries: dict[str, dict[str, Any]], check: dict[str, Any] | None, seed: int | None = None
) -> ModuleProgress:
    """The figures of one module from its answers (as AnswerStore reads them) and last check.

    A practice exam counts the questions of the learner's own form (drawn from ``seed``).
    "Right the first time" counts practice questions whose first answer on record (``first``,
    kept by the store however often the answer changed) is the right one.
    """
    asked = [module.items[i] for i in item_order(module, seed)]
    questions = [i for i in asked if i.kind in QUESTION_KINDS]
    answered = frozenset(i.id for i in questions if is_answered(entries.get(i.id, {}).get("value")))
    practice = [i for i in module.items.values() if i.kind == "practice"]
    tried = [i for i in practice if is_answered(entries.get(i.id, {}).get("first"))]
    missed = tuple(i.id for i in tried if entries[i.id]["first"] != i.answer)
    tried_ids, right = frozenset(i.id for i in tried), len(tried) - len(missed)
    return ModuleProgress(module, answered, len(questions), tried_ids, right, missed, check)


def course_progress(base: Path) -> list[ModuleProgress]:
    """Every module's figures, reading ``base/<slug>/`` (a missing folder is an empty module)."""
    rows = []
    for module in all_modules().values():
        folder = base / module.slug
        store = AnswerStore(module.id, folder, read_only=True)
        loaded = store.load()
        seed = store.seed(loaded)
        rows.append(module_progress(module, loaded.entries, read_results(folder, module.id), seed))
    return rows


def topic_name(module: Module, topic: str) -> str:
    return module.topic_names.get(topic) or topic.replace("-", " ").capitalize()


def topics_to_review(rows: list[ModuleProgress]) -> list[Review]:
    """Topics with a practice question missed on the first try, a graded question the last
    check found wrong (an unanswered one is still to do, not to review), or a practice exam
    topic under 70 %; in course order."""
    by_slug = {row.module.slug: row.module for row in rows}
    found: dict[tuple[int, str], tuple[Module, list[str]]] = {}

    def note(module: Module, topic: str, why: str) -> None:
        found.setdefault((module.number, topic), (module, []))[1].append(why)

    for row in rows:
        module = row.module
        for item_id in row.missed_practice:
            item = module.items[item_id]
            note(module, topic_name(module, item.topic), say.REVIEW_PRACTICE.format(label=item.label))
        for part in (row.check or {}).get("parts", []):
            earned, possible = part.get("earned"), part.get("possible") or 0
            if earned is None or earned >= possible:
                continue
            if part.get("kind") == "item" and part.get("id") in row.answered_ids:
                item = module.items[part["id"]]
                why = say.REVIEW_GRADED.format(label=item.label, section=item.review)
                note(module, topic_name(module, item.topic), why)
            elif part.get("kind") == "topic" and earned / possible < WEAK_BELOW:
                why = say.REVIEW_EXAM_TOPIC.format(earned=earned, possible=possible)
                slugs = module.review_module.get(part["id"], ())
                for target in [by_slug[s] for s in slugs if s in by_slug] or [module]:
                    note(target, topic_name(module, part["id"]), why)
    return [Review(topic, module, tuple(why)) for (_, topic), (module, why) in sorted(found.items())]


@dataclass(frozen=True)
class CompetencyProgress:
    """One of the certification's competencies across the modules: where it is taught, and
    how many of its questions the learner has answered and got right the first time."""

    number: int
    name: str
    modules: tuple[Module, ...]
    questions: int
    answered: int
    practice_tried: int
    practice_right_first: int


def competency_progress(rows: list[ModuleProgress]) -> list[CompetencyProgress]:
    """Per competency (1-17), from the modules' own figures; the practice exams are left out:
    a learner meets only their own form of them, so they would not count the same for all."""
    out = []
    for number, name in framework().competencies.items():
        modules, questions, answered, tried, right = [], 0, 0, 0, 0
        for row in rows:
            if row.module.shuffle:
                continue
            items = row.module.items.values()
            mine = [i for i in items if number in i.competencies and i.kind in QUESTION_KINDS]
            if not mine:
                continue
            modules.append(row.module)
            questions += len(mine)
            answered += sum(1 for i in mine if i.id in row.answered_ids)
            practice = [i.id for i in mine if i.kind == "practice" and i.id in row.practice_tried_ids]
            tried += len(practice)
            right += sum(1 for i in practice if i not in row.missed_practice)
        out.append(CompetencyProgress(number, name, tuple(modules), questions, answered, tried, right))
    return out


# --- showing it -------------------------------------------------------------------------------
def _short(module: Module) -> str:
    """A bar's name: short, so seven fit beside a chart."""
    return module.title if module.shuffle else f"Module {module.number}"


def _score(row: ModuleProgress) -> str:
    if not row.check:
        return say.PROGRESS_NOT_CHECKED
    earned, possible = row.check.get("earned", 0), row.check.get("possible", 0)
    share = 100 * earned / possible if possible else 0
    return say.PROGRESS_SCORE.format(earned=earned, possible=possible, share=share, date=_day(row.check))


def _day(check: dict[str, Any]) -> str:
    """The day of a check as a learner writes it ("20 November 2026")."""
    try:
        moment = datetime.fromisoformat(str(check.get("checked", "")))
    except ValueError:
        return "?"
    return f"{moment.day} {moment:%B %Y}"


def _practice(row: ModuleProgress) -> str:
    if not any(i.kind == "practice" for i in row.module.items.values()):
        return say.PROGRESS_NO_PRACTICE
    if not row.practice_tried:
        return say.PROGRESS_NONE_TRIED
    return say.PROGRESS_PRACTICE.format(right=row.practice_right_first, tried=row.practice_tried)


def _link(module: Module) -> Markup:
    """The module's notebook, from the progress notebook's folder beside it."""
    return parts().link(page_href(f"../{module.slug}/{module.slug}.ipynb"), module_title(module))


def _rows(rows: list[ModuleProgress]) -> list[list[str]]:
    """One row per module: its link, questions answered, practice right first, graded score."""
    return [
        [
            _link(r.module),
            say.PROGRESS_COUNT.format(done=r.answered, total=r.questions),
            _practice(r),
            _score(r),
        ]
        for r in rows
    ]


def _competency_rows(found: list[CompetencyProgress]) -> list[list[Any]]:
    """One row per competency: its number and name, the modules that teach it, the learner's figures."""
    return [
        [
            say.COMPETENCY_NAME.format(number=c.number, name=c.name),
            [_link(m) for m in c.modules],
            say.PROGRESS_COUNT.format(done=c.answered, total=c.questions),
            say.PROGRESS_PRACTICE.format(right=c.practice_right_first, tried=c.practice_tried)
            if c.practice_tried
            else say.PROGRESS_NONE_TRIED,
        ]
        for c in found
    ]


def _review_rows(reviews: list[Review]) -> list[list[Any]]:
    """One row per topic: its name, the module to open, and why (one line per reason)."""
    return [[r.topic, _link(r.module), list(r.why)] for r in reviews]


def progress_table(rows: list[ModuleProgress]) -> str:
    """The table of every module's figures (for inside a ``.cps-page`` block, which carries the style)."""
    return str(parts().table(say.PROGRESS_TABLE_CAPTION, say.PROGRESS_COLUMNS, _rows(rows)))


def review_table(reviews: list[Review]) -> str:
    """The topics worth another look, under their heading; or a kind word when there are none."""
    return str(parts().review(_review_rows(reviews)))


def progress_html(rows: list[ModuleProgress]) -> str:
    """All the progress notebook shows in one styled block: the table, the charts (or, with no
    matplotlib, the same bars in HTML), what to review."""
    drawn = can_draw()
    return render(
        "my-progress.html.j2",
        rows=_rows(rows),
        chart=base64.b64encode(chart_png(rows)).decode("ascii") if drawn else None,
        bars=None if drawn else progress_bars(rows),
        review=_review_rows(topics_to_review(rows)),
        competencies=_competency_rows(competency_progress(rows)),
    )


def chart_values(rows: list[ModuleProgress]) -> list[list[tuple[float, str]]]:
    """Per chart, per module: (share in %, the words printed on its bar)."""
    answered, practice, graded = [], [], []
    for r in rows:
        count = say.PROGRESS_COUNT.format(done=r.answered, total=r.questions)
        answered.append((100 * r.answered / r.questions if r.questions else 0.0, count))
        share = 100 * r.practice_right_first / r.practice_tried if r.practice_tried else 0.0
        practice.append((share, _practice(r)))
        if r.check and r.check.get("possible"):
            earned, possible = r.check["earned"], r.check["possible"]
            graded.append((100 * earned / possible, say.POINTS.format(earned=earned, possible=possible)))
        else:
            graded.append((0.0, say.PROGRESS_NOT_CHECKED))
    return [answered, practice, graded]


def progress_bars(rows: list[ModuleProgress]) -> Markup:
    """The three charts as bars in HTML, with the same words on each bar as :func:`chart_png`."""
    from markupsafe import Markup

    names = [_short(r.module) for r in rows]
    charts = []
    for title, values in zip(say.PROGRESS_CHART_TITLES, chart_values(rows), strict=True):
        bars = [Bar(name, share, words) for name, (share, words) in zip(names, values, strict=True)]
        charts.append(bars_html(title, bars))
    return Markup("").join(charts)


def chart_png(rows: list[ModuleProgress]) -> bytes:
    """Three bar charts, one bar per module; the words on each bar say the same as its length."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [_short(r.module) for r in rows][::-1]
    fig, axes = plt.subplots(3, 1, figsize=(7, 1.2 + 1.1 * len(rows)), sharex=True)
    for ax, title, values in zip(axes, say.PROGRESS_CHART_TITLES, chart_values(rows), strict=True):
        shares, words = [v[0] for v in values][::-1], [v[1] for v in values][::-1]
        bars = ax.barh(names, shares, color="#3465a4")
        ax.bar_label(bars, labels=words, padding=3)
        ax.set_xlim(0, 135)
        ax.set_title(title, loc="left")
    axes[-1].set_xlabel(say.PROGRESS_CHART_AXIS)
    axes[-1].set_xticks([0, 25, 50, 75, 100])
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def my_progress(folder: Path | None = None) -> None:
    """What the progress notebook shows: a table, the charts and topics to review, or a kind
    word when nothing is answered yet. ``folder`` is the notebook's own (the current one)."""
    from IPython.display import HTML, display

    rows = course_progress((folder or Path.cwd()).resolve().parent)
    if not any(r.started for r in rows):
        print(say.PROGRESS_EMPTY)
        return
    display(HTML(progress_html(rows)))
    print(say.PROGRESS_REFRESH)
