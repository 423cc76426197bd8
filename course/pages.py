"""The results pages' templates: one jinja2 environment for every page a learner or an
instructor reads (Check my work, My progress, the course home, the item analysis report).

Every page is made from ``templates/pages/`` in one shared style (``pages.css``). Autoescaping
is on for every HTML template, so whatever a learner wrote is escaped before it reaches a page
and is never read as a template either: it is data passed in, never template text.

jinja2 is imported on the first page made, not when this module is: the Check my work button
imports nothing heavy before it is clicked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import check_texts as say

if TYPE_CHECKING:
    import jinja2
    from jinja2.environment import TemplateModule

TEMPLATES = Path(__file__).resolve().parent / "templates" / "pages"


def _escaped(name: str | None) -> bool:
    """Every template is HTML and escapes what it is given, except the terminal's plain text."""
    return not (name or "").endswith(".txt.j2")


@cache
def environment() -> jinja2.Environment:
    """The one jinja2 environment of the results pages (made once, on first use)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=_escaped,
        undefined=jinja2.StrictUndefined,  # a missing value fails the test, not the learner's eyes
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(say=say, anchor=anchor)
    return env


def render(template: str, **context: Any) -> str:
    """A template of ``templates/pages/`` filled in with ``context``."""
    return environment().get_template(template).render(**context)


def parts(template: str = "parts.html.j2") -> TemplateModule:
    """The macros of a template, callable from Python: by default the pieces every page shares
    (table, link, said...)."""
    return environment().get_template(template).module


def anchor(section: str) -> str:
    """The fragment JupyterLab gives a heading: its words joined by hyphens."""
    return "#" + "-".join(section.split())
