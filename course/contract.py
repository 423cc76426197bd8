"""The grading contract: how cells are named, what their code says, and when grading is on.

Build writes notebooks from it; the autograder, Check my work, item analysis and the answer
store read them back through it. Keeping it in one module means a cell id or the hidden
line's form can change in one place, and every reader changes with it.

Nothing here runs the code it reads: calls are parsed with :mod:`ast` and only literal
arguments are accepted. The notebooks the course grades are its own released cells, but the
same parser refuses anything that is not a plain call with plain strings and numbers.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Any

# --- when nbgrader is at work ------------------------------------------------------------------
EXECUTION_VARIABLE = "NBGRADER_EXECUTION"
# nbgrader sets the variable to one of these while it runs a notebook. Autograde no longer
# runs one (the course grades answers as data), but ``nbgrader validate`` still does.
GRADING_MODES = frozenset({"autograde", "validate"})


def grading_mode() -> str:
    """"autograde", "validate", or "" when a learner (or nbval, or a test) runs the notebook."""
    mode = os.environ.get(EXECUTION_VARIABLE, "")
    return mode if mode in GRADING_MODES else ""


def grading_now() -> bool:
    """While nbgrader runs a notebook, nothing may write to the learner's answers file."""
    return bool(grading_mode())


# --- notebooks ---------------------------------------------------------------------------------
PROGRESS_SLUG = "14-my-progress"  # the "My progress" notebook, not an assignment with grades


# --- cell ids ----------------------------------------------------------------------------------
def item_cell(item_id: str) -> str:
    """The cell that asks an item, and for a graded item its nbgrader grade id: m1.g3 -> m1-g3."""
    return item_id.replace(".", "-")


def reflection_task(item_id: str) -> str:
    """The manually graded task cell under a reflection: m1.r1 -> m1-r1-grade."""
    return f"{item_cell(item_id)}-grade"


def topic_cell(module_id: str, topic: str) -> str:
    """A practice exam cell (and grade id) that scores one topic: exam-ethics."""
    return f"{module_id}-{topic}"


def status_cell(module_id: str) -> str:
    return f"{module_id}-status"


def chart_cell(module_id: str) -> str:
    return f"{module_id}-chart"


def check_cell(module_id: str) -> str:
    return f"{module_id}-check"


# --- the code in cells -------------------------------------------------------------------------
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def _literal(value: Any) -> str:
    """Python source for a string or a dict of strings, quoted the way build always has."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def call(function: str, *args: Any) -> str:
    """One visible call line, as a learner's notebook holds it: ask("m1.p1")."""
    return f"{function}({', '.join(_literal(a) for a in args)})"


def shown(function: str, *args: Any) -> str:
    """A visible cell: the import it needs and the call (each cell runs on its own)."""
    return f"from course import {function}\n{call(function, *args)}"


def hidden_score(item_id: str, key: str) -> str:
    """The hidden region of a graded item's cell: it holds the key."""
    return f"{HIDDEN_BEGIN}\nfrom course.grading import score\n{call('score', item_id, key)}\n{HIDDEN_END}"


def hidden_topic(module_id: str, topic: str, keys: dict[str, str]) -> str:
    """The hidden region of a practice exam topic cell: every key of the topic."""
    line = call("score_topic", module_id, topic, keys)
    return f"{HIDDEN_BEGIN}\nfrom course.grading import score_topic\n{line}\n{HIDDEN_END}"


@dataclass(frozen=True)
class Call:
    """A plain call found in a cell: its function name and literal arguments."""

    function: str
    args: tuple[Any, ...]


def calls_in(source: str) -> list[Call]:
    """Every top-level ``name(literal, ...)`` line of a cell, in order; anything else is skipped.

    A cell that does not parse gives no calls: the caller then treats it as holding nothing.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in tree.body:
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        if not isinstance(func, ast.Name) or node.value.keywords:
            continue
        try:
            args = tuple(ast.literal_eval(arg) for arg in node.value.args)
        except ValueError:
            continue
        found.append(Call(func.id, args))
    return found


def keys_in(source: str) -> dict[str, str]:
    """The answer keys a graded cell's hidden region holds, by item id ({} when none)."""
    keys: dict[str, str] = {}
    for found in calls_in(source):
        if found.function == "score" and len(found.args) == 2:
            item_id, key = found.args
            if isinstance(item_id, str) and isinstance(key, str):
                keys[item_id] = key
        elif found.function == "score_topic" and len(found.args) == 3 and isinstance(found.args[2], dict):
            keys.update({str(i): str(k) for i, k in found.args[2].items()})
    return keys


def visible_part(source: str) -> str:
    """A graded cell's source without its hidden region (what a learner's copy holds)."""
    head, _, rest = source.partition(HIDDEN_BEGIN)
    _, _, tail = rest.partition(HIDDEN_END)
    return (head.rstrip("\n") + ("\n" + tail.lstrip("\n") if tail.strip() else "")).strip("\n")
