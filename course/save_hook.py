"""A Jupyter server pre-save hook: a saved course notebook reopens calm, not broken.

JupyterLab saves a notebook with its outputs (autosave, Ctrl+S, nbgrader's Validate). A
question's output is a widget view, and a widget lives only in the kernel that drew it: a
notebook reopened in a new kernel shows "Error displaying widget: model not found" under every
question, and the status line still says the count of the day it was run (often "0 answered").
To a learner that reads as "my work is gone", though every answer is safe in answers.json.

So before a course notebook is written, each widget view is replaced by one plain line that
says how to bring the questions back, and the status line's count by a line that says how to
see it; nothing else changes, and notebooks that are not the course's are left as they are.
The notebook open in the browser keeps its live widgets: only the file on disk changes.

Wire it into the server (the learner server's config)::

    c.FileContentsManager.pre_save_hook = "course.save_hook.plain_questions"

or on the command line ``--FileContentsManager.pre_save_hook=course.save_hook.plain_questions``.
"""

from __future__ import annotations

import ast
from typing import Any

from . import texts

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The widget manager may also keep the widgets' last state in the notebook ("save widget
# state"); drawn from it with no kernel, a question would look answerable and save nothing.
WIDGET_STATE_KEY = "widgets"
# What a course cell calls, and the line its widgets leave behind (others: REOPENED_OTHER).
REOPENED = {"ask": texts.REOPENED_QUESTION, "ask_all": texts.REOPENED_QUESTIONS}
STATUS = "status"


def plain_questions(
    model: dict[str, Any], path: str = "", contents_manager: Any = None, **kwargs: Any
) -> None:
    """Jupyter server's pre-save hook: make a course notebook's saved outputs plain, in place.

    The signature is the one jupyter_server calls (``model``, ``path``, ``contents_manager``
    and any later keyword). ``model["content"]`` is the notebook as JSON; files that are not
    notebooks, and notebooks that are not the course's, are left untouched.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    plain_notebook(model["content"])


def plain_notebook(nb: dict[str, Any]) -> bool:
    """Change a course notebook (nbformat 4 as JSON) as described above; False if not one."""
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    calls = [_course_calls(_text(c.get("source", ""))) for c in cells]
    if not any(calls):
        return False
    for cell, called in zip(cells, calls, strict=True):
        if called and cell.get("outputs"):
            cell["outputs"] = _plain_outputs(cell["outputs"], called)
    metadata = nb.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop(WIDGET_STATE_KEY, None)
    return True


def _text(source: Any) -> str:
    """A cell's source: nbformat allows one string or a list of lines."""
    return "".join(source) if isinstance(source, list) else str(source)


def _course_calls(source: str) -> list[str]:
    """The names a cell imports from the course package and calls; [] for any other cell.

    Read with :mod:`ast`, never run. Only ``from course import …`` counts, so a learner's or
    another course's ``status()`` is not taken for the course's.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "course"
        for alias in node.names
    }
    return [
        node.value.func.id
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id in imported
    ]


def _plain_outputs(outputs: list[dict[str, Any]], called: list[str]) -> list[dict[str, Any]]:
    """The outputs with widget views replaced by one line, where the first one was."""
    if STATUS in called:
        return [_stream(f"{texts.STATUS_WHERE}\n{texts.REOPENED_COUNT}\n")]
    line = next((REOPENED[name] for name in called if name in REOPENED), texts.REOPENED_OTHER)
    kept: list[dict[str, Any]] = []
    for output in outputs:
        if WIDGET_VIEW not in output.get("data", {}):
            kept.append(output)
        elif not any(o.get("metadata", {}).get("course") == "reopened" for o in kept):
            kept.append(_line(line))
    return kept


def _stream(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _line(markdown: str) -> dict[str, Any]:
    """One line of Markdown (bold shows in JupyterLab), with a plain-text copy for other viewers."""
    return {
        "output_type": "display_data",
        "data": {"text/markdown": markdown, "text/plain": markdown.replace("**", "")},
        "metadata": {"course": "reopened"},
    }
