"""Plain-text and HTML pictures of an item and its saved answer.

The same words appear in the live widget, in the text a grader or a plain viewer sees, and in
nbgrader's feedback, so a learner meets one description of their answer everywhere.
"""

from __future__ import annotations

import html
from typing import Any

from . import texts
from .items import LETTERS, Item, Option
from .order import letter_of


def saved_text(item: Item, options: tuple[Option, ...], value: Any) -> str:
    """One line saying what is saved for a choice item."""
    if value in (None, ""):
        return texts.NOT_ANSWERED
    letter = letter_of(options, value) if isinstance(value, str) else None
    if letter is None:
        return texts.SAVED_UNKNOWN.format(value=value)
    return texts.SAVED.format(letter=letter, text=item.option(value).text)


def practice_verdict(item: Item, value: Any) -> tuple[bool, str] | None:
    """(right?, explanation) for a practice answer, or None when there is nothing to judge."""
    option = item.option(value) if isinstance(value, str) else None
    if option is None:
        return None
    return value == item.answer, option.feedback


def reflection_text(value: Any) -> str:
    words = len(value.split()) if isinstance(value, str) else 0
    return texts.REFLECTION_SAVED.format(words=words) if words else texts.REFLECTION_EMPTY


def sort_verdicts(item: Item, value: Any) -> dict[str, tuple[bool, str] | None]:
    """Per task: (right?, explanation) once the learner has placed it, else None."""
    placed = value if isinstance(value, dict) else {}
    out: dict[str, tuple[bool, str] | None] = {}
    for key, task in item.tasks.items():
        choice = placed.get(key)
        out[key] = None if choice is None else (choice == task["answer"], task["feedback"])
    return out


def plain(item: Item, options: tuple[Option, ...], value: Any) -> str:
    """The whole item as plain text: for grading runs, plain viewers and typed answers."""
    lines = [f"{item.label} ({item.id})", item.stem]
    if item.kind in ("practice", "graded"):
        lines += [f"  {LETTERS[i]}. {opt.text}" for i, opt in enumerate(options)]
        lines.append(saved_text(item, options, value))
        verdict = practice_verdict(item, value) if item.kind == "practice" else None
        if verdict:
            lines.append(f"{texts.RIGHT if verdict[0] else texts.NOT_QUITE} {verdict[1]}")
    elif item.kind == "reflection":
        lines.append(value if isinstance(value, str) and value.strip() else texts.REFLECTION_EMPTY)
    elif item.kind == "sort":
        bins = item.bins
        for key, verdict in sort_verdicts(item, value).items():
            placed = value.get(key) if isinstance(value, dict) else None
            shown = bins.get(placed, "not sorted yet") if placed else "not sorted yet"
            mark = (
                "" if verdict is None else f" - {texts.RIGHT if verdict[0] else texts.NOT_QUITE} {verdict[1]}"
            )
            lines.append(f"  - {item.tasks[key]['text']} -> {shown}{mark}")
    return "\n".join(lines)


def verdict_html(verdict: tuple[bool, str] | None) -> str:
    """Feedback that does not rely on colour alone: a symbol and a word lead it."""
    if verdict is None:
        return ""
    right, why = verdict
    symbol, word, css = ("✔", texts.RIGHT, "cps-right") if right else ("✖", texts.NOT_QUITE, "cps-wrong")
    return f'<div class="cps-feedback {css}"><b>{symbol} {word}</b> {html.escape(why)}</div>'


def stem_html(item: Item) -> str:
    """The question's name and words, as the learner reads them.

    The item id ("m1.p1") means nothing to a learner, so it is not shown (nor read out: a
    ``hidden`` element is left out of the accessible name too). It stays in the page so a
    helper or a test can still find the question by it; the plain-text form keeps it visible.
    """
    return (
        f'<div class="cps-stem"><b>{html.escape(item.label)}</b>'
        f'<span class="cps-id" hidden>({html.escape(item.id)})</span><br>{html.escape(item.stem)}</div>'
    )


def reflection_grading_html(item: Item, value: Any) -> str:
    """A learner's reflection as the instructor reads it in formgrader: the prompt, then the
    learner's own words as wrapped prose under a label, right above the rubric.

    As text output it would be one unwrapped monospace line thousands of pixels wide. Every word
    the learner wrote is escaped: nothing of theirs can act in the instructor's page.
    """
    text = value.strip() if isinstance(value, str) else ""
    label = texts.GRADER_REFLECTION.format(words=len(text.split())) if text else texts.GRADER_REFLECTION_EMPTY
    words = html.escape(text) if text else ""
    quote = (
        '<blockquote style="white-space:pre-wrap;font-size:1.1em;line-height:1.5;max-width:46em;'
        f'margin:.4em 0;padding:.5em 1em;border-left:4px solid #3465a4">{words}</blockquote>'
        if text
        else ""
    )
    prompt = f"<p><strong>{html.escape(item.label)}</strong>: {html.escape(item.stem)}</p>"
    return f'<div class="cps-reflection">{prompt}<p><strong>{html.escape(label)}</strong></p>{quote}</div>'
