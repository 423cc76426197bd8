"""A learner's script never runs in the instructor's formgrader, in a real server and browser.

In a temporary course folder (solutions/ and the course's own nbgrader_config.py, unchanged):
``nbgrader generate_assignment`` for Module 1, then one submission whose notebook carries
what a learner could plant for their instructor: a markdown cell with a ``<script>`` (that
sets the page title and calls the Jupyter API with the instructor's session) and an
``<img onerror=...>``, and a code cell whose stored outputs are a JavaScript display and an
HTML ``<script>``. Its answers.json has two graded answers and a reflection that itself
starts with a ``<script>`` tag. Then ``nbgrader autograde``, and a real Jupyter server with
nbgrader's formgrader extension on 127.0.0.1 serves that course to headless Chromium, which
opens formgrader's manual-grading page for the submission (``/formgrader/submissions/<id>/``).

Proves, in the page the instructor sees: the notebook is rendered (the graded questions,
their stems and the learner's saved answers); the reflection is shown as text, with its
``<script>`` characters visible rather than parsed; and nothing the learner planted ran or
even reached the page: the title is formgrader's own, no request carries the script's
``evil=1``, no dialog opened, no console message or ``<script>`` in the notebook area holds
the learner's code, and no element has an ``onerror`` attribute. It fails if the autograder
keeps a learner's markdown or outputs (nbgrader's default exporter reads the submitted
notebook, and formgrader then runs the learner's script in the instructor's session).

Saves a screenshot of the reflection as the instructor sees it to
``artifacts/screenshots/formgrader-submission.png``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from helpers import write_answers
from lab_server import VIEWPORT, chromium, stop_lab
from local_server import free_port, jupyter_command, wait_until_up
from nbgrader.api import Gradebook
from playwright.sync_api import ConsoleMessage, Dialog, Request

SLUG = "01-shared-lived-experience"
STUDENT = "mallory"
MARK = "PWNED"
EVIL = "evil=1"
MARKDOWN_ATTACK = (
    f"<script>document.title='{MARK}'; fetch('/api/contents?{EVIL}')</script>\n\n"
    f"<img src=x onerror=\"document.title='{MARK}'\">\n"
)
JAVASCRIPT_OUTPUT = f"document.title='{MARK}'"
HTML_OUTPUT = f"<script>document.title='{MARK}'; fetch('/api/contents?{EVIL}')</script>"
# A long reflection (about 80 words): in one unwrapped line it would run far past the page.
REFLECTION = f"<script>document.title='{MARK}'</script> I would listen first. " + " ".join(
    ["Then I would ask what they need today and share only a short piece of my own story."] * 4
)
SCREENSHOT = ROOT / "artifacts" / "screenshots" / "formgrader-submission.png"
PAGE_TIMEOUT_MS = 30_000
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))


def nbgrader(where: Path, *args: str) -> None:
    """One nbgrader command, run from the course folder as an instructor runs it."""
    done = subprocess.run([NBGRADER, *args], cwd=where, capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def graded_items(m1: dict) -> list[dict]:
    return [i for i in m1["items"] if i["kind"] == "graded"]


def planted_notebook(course: Path) -> nbformat.NotebookNode:
    """The released notebook with the learner's script cells added just before the graded ones.

    The code cell both holds its outputs (as a saved notebook does) and makes them again if run.
    """
    nb = nbformat.read(str(course / "modules" / SLUG / f"{SLUG}.ipynb"), as_version=4)
    first_graded = next(n for n, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    code = nbformat.v4.new_code_cell(
        "from IPython.display import HTML, Javascript, display\n"
        f"display(Javascript({JAVASCRIPT_OUTPUT!r}))\ndisplay(HTML({HTML_OUTPUT!r}))"
    )
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"application/javascript": JAVASCRIPT_OUTPUT}),
        nbformat.v4.new_output("display_data", data={"text/html": HTML_OUTPUT}),
    ]
    nb.cells[first_graded:first_graded] = [nbformat.v4.new_markdown_cell(MARKDOWN_ATTACK), code]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory, m1: dict) -> Path:
    """A course folder with the learner's submission autograded by the course's real config."""
    course = tmp_path_factory.mktemp("formgrader-course")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    (course / "nbgrader_config.py").write_bytes((ROOT / "nbgrader_config.py").read_bytes())
    nbgrader(course, "generate_assignment", SLUG, "--force")
    folder = course / "submitted" / STUDENT / SLUG
    folder.mkdir(parents=True)
    nbformat.write(planted_notebook(course), str(folder / f"{SLUG}.ipynb"))
    first, second = graded_items(m1)[:2]
    wrong = next(k for k in second["options"] if k != second["answer"])
    write_answers(folder, "m1", {first["id"]: first["answer"], second["id"]: wrong, "m1.r1": REFLECTION})
    # The submission really holds the learner's script: whatever keeps it off the page is grading.
    submitted = nbformat.read(str(folder / f"{SLUG}.ipynb"), as_version=4)
    assert MARKDOWN_ATTACK in [c.source for c in submitted.cells]
    nbgrader(course, "autograde", SLUG)
    return course


@pytest.fixture(scope="module")
def formgrader(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Jupyter server with nbgrader's formgrader, serving the course folder on 127.0.0.1.

    formgrader reads nbgrader_config.py from the server's working folder, so it runs there.
    """
    base = tmp_path_factory.mktemp("formgrader-server")
    port = free_port()
    command = jupyter_command("server", course, port)
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")
    log = base / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=course, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/status", process, log, "Jupyter server", timeout=60)
        yield url
    finally:
        stop_lab(process)


@dataclass
class Visit:
    """What the instructor's formgrader page showed and did."""

    url: str
    status: int
    title: str = ""
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    visible: dict[str, bool] = field(default_factory=dict)
    reflection: str = ""
    wraps: bool = False  # the reflection's lines wrap inside its box (no sideways scrolling)
    gap_to_rubric: float = 1e9  # pixels from the end of the reflection to the rubric
    scripts: list[str] = field(default_factory=list)
    onerror: list[str] = field(default_factory=list)


def submission_id(course: Path) -> str:
    """The gradebook's id of the learner's notebook submission (formgrader's URL uses it)."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return gb.find_submission_notebook(SLUG, SLUG, STUDENT).id


@pytest.fixture(scope="module")
def visit(course: Path, formgrader: str, m1: dict) -> Visit:
    """The page visit, in a thread of its own: Playwright's sync API refuses to start where
    another test file left an asyncio loop running in this worker."""
    url = f"{formgrader}/formgrader/submissions/{submission_id(course)}/"
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(open_submission, url, m1).result()


def open_submission(url: str, m1: dict) -> Visit:
    """Open the submission's manual-grading page in Chromium; note every request, message and dialog."""
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        seen = Visit(url=url, status=0)

        def on_dialog(dialog: Dialog) -> None:
            seen.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_request(request: Request) -> None:
            seen.requests.append(request.url)

        def on_console(message: ConsoleMessage) -> None:
            seen.console.append(f"{message.type}: {message.text}")

        page.on("request", on_request)
        page.on("console", on_console)
        page.on("dialog", on_dialog)
        reply = page.goto(url, wait_until="load")
        seen.status = reply.status if reply else 0
        # Anything a planted script would fetch or set has happened once the page is quiet.
        page.wait_for_load_state("networkidle")
        notebook = page.locator("#notebook-container")
        stems = {f"Graded question {n}": f"Graded question {n} (m1.g{n})" for n in (1, 2)}
        stems |= {"stem of question 1": graded_items(m1)[0]["stem"]}
        for name, text in stems.items():
            seen.visible[name] = notebook.get_by_text(text, exact=False).first.is_visible()
        shown = notebook.locator(".cps-reflection blockquote").filter(has_text="I would listen first.")
        if shown.count():
            shown.first.scroll_into_view_if_needed()
            seen.visible["reflection"] = shown.first.is_visible()
            seen.reflection = shown.first.inner_text()
            label = notebook.get_by_text("What the learner wrote").first
            seen.visible["reflection label"] = label.is_visible()
            seen.wraps = shown.first.evaluate("(q) => q.scrollWidth <= q.clientWidth + 1")
            words = shown.first.bounding_box()
            rubric = notebook.get_by_text("Rubric for m1.r1").first.bounding_box()
            seen.gap_to_rubric = rubric["y"] - (words["y"] + words["height"])
        seen.scripts = notebook.locator("script").evaluate_all("(all) => all.map((s) => s.textContent)")
        seen.onerror = page.locator("[onerror]").evaluate_all(
            "(all) => all.map((e) => e.getAttribute('onerror'))"
        )
        seen.title = page.evaluate("document.title")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        context.close()
    return seen


def test_formgrader_shows_the_submitted_notebook(visit: Visit) -> None:
    assert visit.status == 200, (
        f"{visit.url} answered {visit.status}: is nbgrader.server_extensions.formgrader enabled?"
    )
    # formgrader's own scripts do run here (they ask for the grades): the page runs JavaScript.
    assert [u for u in visit.requests if "/formgrader/api/grades?" in u], visit.requests
    hidden = [name for name, shown in visit.visible.items() if not shown]
    assert not hidden, f"formgrader's page does not show: {hidden}"


def test_the_reflection_is_shown_as_text(visit: Visit) -> None:
    assert visit.visible.get("reflection"), "the learner's reflection is not on the page"
    assert REFLECTION in visit.reflection, f"its <script> is not shown as text: {visit.reflection!r}"


def test_the_reflection_reads_as_labelled_prose_beside_its_rubric(visit: Visit) -> None:
    """A grader reads the learner's words as wrapped prose under a label, with the rubric right
    below (as one unwrapped monospace line, 71 words were 2,900 px wide in a 1,046 px box)."""
    assert visit.visible.get("reflection label"), "no label says these are the learner's words"
    assert visit.wraps, "the reflection runs sideways out of its box"
    assert 0 <= visit.gap_to_rubric < 400, f"the rubric is {visit.gap_to_rubric:.0f} px below the reflection"


def test_no_learner_script_runs_in_formgrader(visit: Visit) -> None:
    assert visit.title == SLUG, f"the page title became {visit.title!r}: a learner's script ran"
    assert visit.dialogs == []
    assert [u for u in visit.requests if EVIL in u] == [], "a learner's script called the Jupyter API"
    assert [m for m in visit.console if MARK in m] == [], visit.console


def test_no_learner_script_reaches_the_page(visit: Visit) -> None:
    assert [s for s in visit.scripts if MARK in s] == [], "the notebook area holds the learner's <script>"
    assert visit.onerror == [], f"elements with an onerror handler: {visit.onerror}"
    assert [u for u in visit.requests if u.endswith("/x")] == [], "the learner's <img src=x> was loaded"
