"""The "Check my work" button at the end of each module notebook.

Shown at once (only the standard library and the course's light modules load); the check
itself runs only when the learner clicks. While nbgrader works on the notebook it prints one
line instead (and the autograder, which runs no notebook, prints that same line).
"""

from __future__ import annotations

import html
from pathlib import Path

from . import check_texts as say
from .contract import grading_now
from .items import load_module


def check_my_work(module_id: str, folder: Path | None = None) -> None:
    """Show the button; a click grades the module and shows the results under it."""
    if grading_now():
        print(say.CHECK_WHILE_GRADING)
        return
    import ipywidgets as w
    from IPython.display import HTML, display

    from .check_page import outcome_html
    from .selfcheck import Outcome, check
    from .widgets import PlainTextBox

    slug = load_module(module_id).slug
    button = w.Button(
        description=say.CHECK_BUTTON,
        tooltip=say.CHECK_TOOLTIP,
        icon="check",
        button_style="primary",
        layout=w.Layout(width="auto"),
    )
    out = w.Output()

    def clicked(_: w.Button) -> None:
        button.disabled = True
        out.clear_output()
        with out:
            display(HTML(f'<p role="status">{html.escape(say.CHECK_RUNNING)}</p>'))
        try:
            outcome = check(folder or Path.cwd(), module_id)
        except Exception as problem:  # noqa: BLE001 - a click must end in a message, never a traceback
            outcome = Outcome("failed", say.CHECK_FAILED.format(reason=type(problem).__name__))
        finally:
            button.disabled = False
        out.clear_output()
        with out:
            display(HTML(outcome_html(outcome)))

    button.on_click(clicked)
    display(PlainTextBox([button, out], lambda: say.CHECK_PLAIN.format(slug=slug)))
