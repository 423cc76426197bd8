"""The learner's home page: every module, how long it takes, and how far the learner has come.

``modules/home.ipynb`` (written by ``python -m course.release``) holds one locked cell,
``course_home()``. Opened as an app (Voilà runs it on open, in the notebook's folder), it is
the first page a self-paced learner sees: one link per module, each opening that module as
an app too. The links are relative (``<slug>/<slug>.ipynb``), so they work in Voilà at any
base URL and in JupyterLab, which opens them as notebooks.

The counts are My progress's own (``course.progress.module_progress``), so both pages say
the same "x of y answered", in the results pages' one style (``pages.render``). Reading
never writes: a learner's answers are only ever changed by their own clicks, and by a file of
answers they load back themselves in "Keep your answers" under the table
(:mod:`course.keep_answers`).

On the static site (:mod:`course.browser`) the links lead to the modules' pages there, and the
page says first that the site is for studying on one's own: it carries the answer keys that
Check my work reads, as the course's repository does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .browser import IN_BROWSER, page_href
from .contract import PROGRESS_SLUG
from .items import Module, all_modules, module_title
from .pages import parts, render
from .progress import module_progress
from .store import AnswerStore
from .texts import CELL_NOT_SHOWING

# The notebook's own words, above the table (release.py writes them into home.ipynb).
INTRO = (
    "# Peer Support Specialist course\n"
    "\n"
    "Welcome! This course helps you prepare to work as a Certified Peer Specialist. "
    "You answer by clicking. You never have to write code."
)
# The first line of the cell, all JupyterLab shows of its folded code (as for every course cell).
CELL_LABEL = "Your modules and how far you have come. " + CELL_NOT_SHOWING
HEADING = "Your modules"
WELCOME = (
    "Start with Module 0, then go in order, at your own pace. Your answers are saved as you "
    "click, and they are here when you come back."
)
CARE = "Taking care of yourself: in the US, call or text 988 (Suicide & Crisis Lifeline) any time."
# The static site only: what it is, and why it is not for graded classes.
SITE_NOTE = (
    "This copy of the course runs in your web browser, for studying on your own. It works "
    "offline after your first visit. It holds the answer keys that Check my work uses, so it "
    "is not meant for graded classes: in a class, your instructor grades your work."
)
CAPTION = "The modules, how long each takes, and how far you have come"
COLUMNS = ("Module", "Time", "Your answers", "Open it")
TIME = "about {minutes} minutes"
ANSWERED = "{done} of {total} answered"
PROGRESS_TITLE = "My progress"
PROGRESS_TIME = "a few minutes"
PROGRESS_WHAT = "all your answers in one place"


@dataclass(frozen=True)
class Row:
    """One line of the table: what to open, and the words in its cells."""

    name: str  # the row's heading, "Module 1: Shared lived experience"
    time: str
    answers: str
    link_text: str  # names the module, so a list of links read aloud still makes sense
    href: str


def module_row(module: Module, folder: Path) -> Row:
    """A module's row, from the answers saved in its folder (a missing folder: nothing yet)."""
    store = AnswerStore(module.id, folder, read_only=True)
    loaded = store.load()
    seed = store.seed(loaded)
    figures = module_progress(module, loaded.entries, None, seed)
    short = f"the {module.title.lower()}" if module.shuffle else f"Module {module.number}"
    return Row(
        name=module_title(module),
        time=TIME.format(minutes=module.minutes),
        answers=ANSWERED.format(done=figures.answered, total=figures.questions),
        link_text=f"Open {short}",
        href=page_href(f"{module.slug}/{module.slug}.ipynb"),
    )


def home_rows(base: Path) -> list[Row]:
    """Every module in course order (the practice exam last of them), then My progress."""
    rows = [module_row(m, base / m.slug) for m in all_modules().values()]
    progress = Row(
        name=PROGRESS_TITLE,
        time=PROGRESS_TIME,
        answers=PROGRESS_WHAT,
        link_text=f"Open {PROGRESS_TITLE}",
        href=page_href(f"{PROGRESS_SLUG}/{PROGRESS_SLUG}.ipynb"),
    )
    return [*rows, progress]


def home_html(rows: list[Row], on_site: bool = False) -> str:
    """The page: a heading, (on the static site, what the site is,) a welcome, the 988 line, and
    a table whose rows each head their line."""
    from markupsafe import Markup

    pieces = parts()
    cells = [[r.name, r.time, r.answers, pieces.link(r.href, r.link_text)] for r in rows]
    site = Markup("<p><strong>{}</strong></p>").format(SITE_NOTE) if on_site else ""
    content = Markup("<h2>{}</h2>{}<p>{}</p><p><strong>{}</strong></p>{}").format(
        HEADING, site, WELCOME, CARE, pieces.table(CAPTION, COLUMNS, cells)
    )
    return render("in-notebook.html.j2", content=content)


def course_home(folder: Path | None = None) -> None:
    """Show the home page, then "Keep your answers"; ``folder`` holds the module folders (the
    notebook's own, by default)."""
    from IPython.display import HTML, display

    from .keep_answers import keep_answers

    base = (folder or Path.cwd()).resolve()
    display(HTML(home_html(home_rows(base), on_site=IN_BROWSER)))
    keep_answers(base)
