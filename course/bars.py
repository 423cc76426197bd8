"""Bar charts drawn in HTML, where matplotlib cannot draw them: the static site in a browser.

Matplotlib is compiled code, and Pyodide's build of it comes only from Pyodide's own package
server, which the static site never reaches (it works offline, from its own folder). Every chart
of the course already says the same in words beside it, so there the bars are plain HTML: a
name, a bar as long as the share, and the same words as on the chart. The bar is only a
picture (hidden from screen readers); the words carry the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING

from .pages import parts

if TYPE_CHECKING:
    from markupsafe import Markup


@cache
def can_draw() -> bool:
    """Whether matplotlib is here to draw the course's charts as images."""
    return find_spec("matplotlib") is not None


@dataclass(frozen=True)
class Bar:
    """One bar: what it stands for, its length in % (0-100), and the words printed beside it."""

    name: str
    share: float
    words: str


def bars_html(title: str, bars: list[Bar]) -> Markup:
    """One chart as HTML, for inside a ``.cps-page`` block (which carries the style)."""
    from markupsafe import Markup

    clipped = [Bar(b.name, min(max(b.share, 0.0), 100.0), b.words) for b in bars]
    return Markup(parts().bars(title, clipped))
