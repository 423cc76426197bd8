"""The results pages come from the shared templates, in one style, and are safe and plain.

Real checks (Module 1 and the practice exam, in a learner's copy of the course folder) make
check-my-work.html, the notebook's results and the terminal text; My progress is made from
the folders those checks left; the instructors' item analysis report from a made-up cohort.
The learner wrote, as a reflection and as a saved answer, text with a ``<script>``, an
``<img onerror>`` and jinja2's own ``{{ }}``, ``{% %}`` and ``{# #}``; a hand-edited
check-results.json carries the same text as a topic name.

Proves:

* every page (the two whole pages, the notebook's results, My progress, the item analysis
  table) carries the ``cps-page`` block with the one shared style sheet, and a change to that
  one style sheet (made through the template loader, not by editing files) shows in all;
* what the learner wrote is shown as the very characters they typed: no script element, no
  ``on…`` attribute, the template syntax left as text (never run as a template);
* nothing is fetched from elsewhere: no script, link, frame or object element, every image a
  ``data:`` URI, no ``url()`` or ``@import`` in the style; opened in Chromium from file://,
  the pages make no request but for themselves, open no dialog, and keep their own title;
* no grading jargon, no question or grade id reaches a learner's page or terminal;
* axe-core finds no serious or critical problem in check-my-work.html (a module's and the
  practice exam's), the item analysis report, and the notebook's results and My progress;
* in real JupyterLab, the results shown after a click on Check my work and the released My
  progress notebook keep their cells left-aligned (JupyterLab's own rule right-aligns output
  tables) and their links underlined, with no serious axe problem.

Saves screenshots of check-my-work.html and of the item analysis report to
``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT
from helpers import write_answers
from lab_server import RUN_TIMEOUT_MS, VIEWPORT, Learner, chromium
from playwright.sync_api import Dialog, Locator, Request, expect

from course import check_page, contract, pages
from course import check_texts as say
from course import item_analysis as ia
from course.check_results import RESULTS_FILE
from course.items import load_module
from course.progress import (
    ModuleProgress,
    course_progress,
    progress_html,
    progress_table,
    review_table,
    topic_name,
    topics_to_review,
)
from course.selfcheck import Outcome, check

pytest_plugins = ["lab_server"]

M1, EXAM, PROGRESS = "01-shared-lived-experience", "13-practice-exam", "14-my-progress"
NASTY = (
    '<script>document.title="PWNED"</script><img src=x onerror="document.title=1">'
    " {{ 7*7 }} {% if true %}PWNED{% endif %} {# kept #}"
)
# Words of nbgrader and of programming that a learner must never meet; case as written.
JARGON = ("Test cell", "Task", "Score", "Out[", "In [", "Traceback", "Exception")
JARGON_ANY_CASE = ("nbgrader", "autograde", "grade_id", "grade id", "test cell", "hidden test", "mark scheme")
SCORE_STYLE = re.compile(r"\b\d+(\.\d+)?\s*/\s*\d+\b")  # "Score 3 / 7"
SERIOUS = {"serious", "critical"}
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
MARK = "/* cps-pages-test-marker */"


class Parsed(HTMLParser):
    """A page's elements with their attributes, its style sheets, and the text a reader sees."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self._text: list[str] = []
        self._in: str = ""
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in = tag if tag in ("style", "script") else ""

    def handle_endtag(self, tag: str) -> None:
        self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)
        elif not self._in:
            self._text.append(data)

    @property
    def text(self) -> str:
        """The visible words, spaces collapsed."""
        return " ".join("".join(self._text).split())


def words(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Made:
    """Everything the pages are made from, and the pages as made."""

    m1: Outcome
    exam: Outcome
    rows: list[ModuleProgress]
    cohort: ia.Cohort
    stats: list[ia.ItemStats]
    images: list[Path]
    report: Path
    pages: dict[str, str] = field(default_factory=dict)  # every HTML page, by a name for messages
    learner_pages: dict[str, str] = field(default_factory=dict)  # the ones a learner sees
    terminal: str = ""


def course_folder(base: Path) -> Path:
    """A self-paced learner's copy of the course: released modules, solutions/ and the content."""
    for slug in (M1, EXAM):
        shutil.copytree(ROOT / "modules" / slug, base / "modules" / slug)
        shutil.copytree(ROOT / "solutions" / slug, base / "solutions" / slug)
    shutil.copytree(ROOT / "content" / "items", base / "content" / "items")
    return base


def m1_answers(m1: dict) -> dict[str, str]:
    """Half the graded questions right, then wrong ones, the last saved as the nasty text;
    the reflection is the nasty text too."""
    graded = [i for i in m1["items"] if i["kind"] == "graded"]
    half = len(graded) // 2
    answers = {
        i["id"]: i["answer"] if n < half else next(k for k in i["options"] if k != i["answer"])
        for n, i in enumerate(graded)
    }
    answers[graded[-1]["id"]] = NASTY
    reflection = next(i["id"] for i in m1["items"] if i["kind"] == "reflection")
    return {**answers, reflection: NASTY}


def exam_answers(exam: dict) -> dict[str, str]:
    weak = exam["topics"][0]
    wrong = {i["id"]: next(k for k in i["options"] if k != i["answer"]) for i in exam["items"]}
    return {i["id"]: wrong[i["id"]] if i["topic"] == weak else i["answer"] for i in exam["items"]}


def cohort_report(out: Path) -> tuple[ia.Cohort, list[ia.ItemStats], list[Path], Path]:
    """Module 1's keys answered by 24 made-up learners; one mismatch line names a nasty id."""
    module, slug, keys = ia.read_keys(ia.module_file("m1", ROOT / "content" / "items"))
    draw = random.Random(7)

    def answer(key: ia.Key, strength: float) -> str:
        return key.answer if draw.random() < strength else draw.choice(key.options)

    responses = {f"s{n:02d}": {k.id: answer(k, 0.3 + n / 40) for k in keys} for n in range(24)}
    stats = ia.analyse(keys, responses)
    cohort = ia.Cohort(slug, module, keys, responses, dict.fromkeys(responses, 5.0), max_score=10.0)
    cohort.mismatches.append(f"{NASTY}: cell m1-g1 scored 1 in the gradebook, 0 from the answers file")
    images = []
    for name, plot in (("difficulty-discrimination.png", ia.plot_scatter), ("options.png", ia.plot_options)):
        if plot(stats, out / name):
            images.append(out / name)
    report = out / "report.html"
    ia.write_html(cohort, stats, images, report)
    return cohort, stats, images, report


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, sources: dict) -> Made:
    course = course_folder(tmp_path_factory.mktemp("learner"))
    modules = course / "modules"
    write_answers(modules / M1, "m1", m1_answers(sources["m1"]))
    write_answers(modules / EXAM, "exam", exam_answers(sources["exam"]))
    m1, exam = check(modules / M1), check(modules / EXAM)
    assert (m1.status, exam.status) == ("checked", "checked"), (m1.message, exam.message)
    # A learner edited the exam's check-results.json by hand: a topic named with the nasty text.
    results = modules / EXAM / RESULTS_FILE
    data = json.loads(results.read_text(encoding="utf-8"))
    data["parts"].append({"id": NASTY, "kind": "topic", "earned": 0, "possible": 6})
    results.write_text(json.dumps(data), encoding="utf-8")
    rows = course_progress(modules)
    cohort, stats, images, report = cohort_report(tmp_path_factory.mktemp("item-analysis"))
    result = Made(m1, exam, rows, cohort, stats, images, report)
    result.learner_pages = {
        "check-my-work.html (Module 1)": m1.page.read_text(encoding="utf-8"),
        "check-my-work.html (practice exam)": exam.page.read_text(encoding="utf-8"),
        "the notebook's results (Module 1)": check_page.outcome_html(m1),
        "the notebook's results (practice exam)": check_page.outcome_html(exam),
        "My progress": progress_html(rows),
    }
    for status, message in (
        ("no-solutions", say.CHECK_NO_SOLUTIONS),
        ("unanswered", say.CHECK_UNANSWERED),
        ("unknown", say.CHECK_UNKNOWN_FOLDER.format(where="my-notes")),
        ("failed", say.CHECK_FAILED.format(reason="OSError")),
    ):
        result.learner_pages[f"the notebook's message ({status})"] = check_page.outcome_html(
            Outcome(status, message)
        )
    result.pages = {
        **result.learner_pages,
        "item analysis report": report.read_text(encoding="utf-8"),
        "item analysis table (notebook)": ia.table_html(stats),
        "item analysis how to read (notebook)": ia.THRESHOLDS_HTML,
    }
    result.terminal = check_page.outcome_text(m1) + "\n" + check_page.outcome_text(exam)
    return result


# ------------------------------------------------------------------ one style, from templates


def test_every_page_carries_the_one_shared_style(made: Made) -> None:
    style = (pages.TEMPLATES / "pages.css").read_text(encoding="utf-8").strip()
    for name, page in made.pages.items():
        parsed = Parsed(page)
        classes = [c for _, attrs in parsed.tags for c in attrs.get("class", "").split()]
        assert classes.count("cps-page") == 1, f"{name} is not one cps-page block"
        assert [s.strip() for s in parsed.styles] == [style], f"{name} has a style of its own"
    for name in ("check-my-work.html (Module 1)", "item analysis report"):
        page = made.pages[name]
        assert page.startswith("<!DOCTYPE html>") and re.search(r'<main class="cps-page[ "]', page), name


def test_a_change_to_the_shared_style_shows_in_every_page(
    made: Made, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The style sheet is changed through the loader (files are left alone); every page,
    made again, shows the change: they are all made from the same templates."""
    env = pages.environment()
    override = jinja2.DictLoader({"pages.css": MARK})
    monkeypatch.setattr(env, "loader", jinja2.ChoiceLoader([override, env.loader]))
    ia.write_html(made.cohort, made.stats, made.images, tmp_path / "report.html")
    again = {
        "check-my-work.html": check_page.results_page(made.m1),
        "the notebook's results": check_page.outcome_html(made.m1),
        "the notebook's message": check_page.outcome_html(Outcome("unanswered", say.CHECK_UNANSWERED)),
        "My progress": progress_html(made.rows),
        "item analysis report": (tmp_path / "report.html").read_text(encoding="utf-8"),
        "item analysis table (notebook)": ia.table_html(made.stats),
    }
    assert [name for name, page in again.items() if MARK not in page] == []


def test_the_terminal_says_what_the_page_says(made: Made) -> None:
    text = check_page.outcome_text(made.m1)
    table = Parsed(check_page.results_table(made.m1.parts)).text
    for part in made.m1.parts:
        assert part.label in table and part.advice in table
        assert re.search(rf"^  {re.escape(part.label)} +\S.*  {re.escape(part.advice)}$", text, re.M), part
    assert text.splitlines()[:2] == [
        say.PAGE_TITLE.format(module="Module 1: Shared lived experience"),
        say.CHECK_TOTAL.format(earned=made.m1.earned, possible=made.m1.possible),
    ]
    assert text.endswith(f"{say.CHECK_PAGE_LINK}: {made.m1.page.as_uri()}")


# ------------------------------------------------------------------ safe: escaped, nothing fetched


def test_what_a_learner_wrote_is_shown_as_typed_never_run(made: Made) -> None:
    page = Parsed(made.learner_pages["check-my-work.html (Module 1)"])
    # The reflection shows the learner's characters; the saved answer is quoted in its sentence.
    assert page.text.count(words(NASTY)) == 2, "the reflection and the saved answer, as typed"
    progress = Parsed(made.learner_pages["My progress"])
    assert topic_name(load_module("exam"), NASTY) in progress.text
    report = Parsed(made.pages["item analysis report"])
    assert words(NASTY) in report.text
    for name, html in made.pages.items():
        parsed = Parsed(html)
        assert not [tag for tag, _ in parsed.tags if tag == "script"], name
        handlers = [(tag, a) for tag, attrs in parsed.tags for a in attrs if a.startswith("on")]
        assert handlers == [], f"{name}: {handlers}"
        assert "49" not in parsed.text.split(), f"{name}: template syntax was run"


@pytest.mark.parametrize("piece", ["results_table", "missed_html", "progress_table", "review_table"])
def test_the_public_pieces_are_escaped_html_too(made: Made, piece: str) -> None:
    """The pieces other code may show on their own are the templates' pieces, escaped alike."""
    missed = check_page.all_missed(made.m1)
    html, expected = {
        "results_table": (check_page.results_table(made.m1.parts), [p.label for p in made.m1.parts]),
        "missed_html": (check_page.missed_html(missed), [one.best for one in missed]),
        "progress_table": (progress_table(made.rows), [r.module.title for r in made.rows]),
        "review_table": (review_table(topics_to_review(made.rows)), [topic_name(load_module("exam"), NASTY)]),
    }[piece]
    parsed = Parsed(html)
    assert missed and parsed.tags and not [tag for tag, _ in parsed.tags if tag in ("script", "img")]
    assert [e for e in expected if words(e) not in parsed.text] == []


def test_nothing_is_fetched_from_elsewhere(made: Made) -> None:
    fetching = {"script", "link", "iframe", "frame", "object", "embed", "base", "audio", "video", "source"}
    for name, html in made.pages.items():
        parsed = Parsed(html)
        assert not [tag for tag, _ in parsed.tags if tag in fetching], name
        for tag, attrs in parsed.tags:
            for attr in ("src", "srcset", "poster", "data", "background", "action", "formaction"):
                if attr in attrs:
                    assert attrs[attr].startswith("data:"), f"{name}: <{tag} {attr}={attrs[attr][:60]}>"
            href = attrs.get("href", "")
            assert not href.strip().lower().startswith("javascript:"), name
            assert tag == "a" or "href" not in attrs, f"{name}: <{tag} href> fetches"
        style = " ".join(parsed.styles + [attrs.get("style", "") for _, attrs in parsed.tags])
        assert "url(" not in style and "@import" not in style, name
    srcs = [a["src"] for _, a in Parsed(made.pages["check-my-work.html (practice exam)"]).tags if "src" in a]
    assert len(srcs) == 1 and srcs[0].startswith("data:image/png;base64,"), "the exam's chart is embedded"


# ------------------------------------------------------------------ plain words


def ids_of(module_id: str) -> set[str]:
    """Every id a learner could be shown by mistake: items, their cells, grade ids, topics."""
    module = load_module(module_id)
    found = set()
    for item_id, item in module.items.items():
        found |= {item_id, contract.item_cell(item_id)}
        if item.kind == "reflection":
            found.add(contract.reflection_task(item_id))
    return found | {contract.topic_cell(module_id, topic) for topic in module.topic_names}


def test_no_jargon_or_ids_reach_a_learner(made: Made) -> None:
    ids = ids_of("m1") | ids_of("exam")
    for name, text in {**made.learner_pages, "terminal": made.terminal}.items():
        shown = Parsed(text).text if name != "terminal" else text
        found = [w for w in JARGON if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", shown)]
        found += [w for w in JARGON_ANY_CASE if w.lower() in shown.lower()]
        found += sorted(i for i in ids if i in text)  # in attributes too, not only in the words
        if name != "terminal":  # the terminal's last line is the page's path
            found += SCORE_STYLE.findall(shown)
        assert found == [], f"{name} shows {found}"


# ------------------------------------------------------------------ in a browser, offline


@dataclass
class Visit:
    """What Chromium saw on one page opened from file://."""

    title: str = ""
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    serious: list[str] = field(default_factory=list)


def open_pages(files: dict[str, Path], screenshots: dict[str, Path]) -> dict[str, Visit]:
    """Open each page in Chromium from file://; note requests, dialogs, title and axe's findings."""
    seen: dict[str, Visit] = {}
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT)
        for name, path in files.items():
            page = context.new_page()
            visit = seen.setdefault(name, Visit())

            def on_request(request: Request, visit: Visit = visit) -> None:
                visit.requests.append(request.url)

            def on_dialog(dialog: Dialog, visit: Visit = visit) -> None:
                visit.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("request", on_request)
            page.on("dialog", on_dialog)
            page.goto(path.as_uri(), wait_until="load")
            visit.title = page.title()
            found = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
            visit.serious = [
                f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
                for v in found
                if v["impact"] in SERIOUS
            ]
            if name in screenshots:
                screenshots[name].parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshots[name]), full_page=True)
            page.close()
    return seen


@pytest.fixture(scope="module")
def visits(made: Made, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Visit]:
    """The pages in Chromium, in a thread of its own: Playwright's sync API refuses to start
    where another test left an asyncio loop running in this worker."""
    host = tmp_path_factory.mktemp("host") / "notebook-outputs.html"
    outputs = made.learner_pages["the notebook's results (Module 1)"] + made.learner_pages["My progress"]
    host.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Notebook outputs</title>'
        f"</head><body><main>{outputs}</main></body></html>",
        encoding="utf-8",
    )
    files = {
        "check-my-work.html (Module 1)": made.m1.page,
        "check-my-work.html (practice exam)": made.exam.page,
        "item analysis report": made.report,
        "the notebook's results and My progress": host,
    }
    shots = {
        "check-my-work.html (Module 1)": SCREENSHOTS / "check-my-work.png",
        "item analysis report": SCREENSHOTS / "item-analysis-report.png",
    }
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(open_pages, files, shots).result()


def test_pages_open_offline_and_run_nothing(visits: dict[str, Visit], made: Made) -> None:
    titles = {
        "check-my-work.html (Module 1)": say.PAGE_TITLE.format(module="Module 1: Shared lived experience"),
        "check-my-work.html (practice exam)": say.PAGE_TITLE.format(module="Practice exam"),
        "item analysis report": f"Item analysis: {made.cohort.assignment}",
        "the notebook's results and My progress": "Notebook outputs",
    }
    for name, visit in visits.items():
        others = [u for u in visit.requests if not u.startswith(("file:", "data:"))]
        assert others == [], f"{name} fetched {others}"
        assert (visit.title, visit.dialogs) == (titles[name], []), f"{name}: a script ran"


def test_axe_finds_no_serious_problem_in_the_pages(visits: dict[str, Visit]) -> None:
    problems = {name: visit.serious for name, visit in visits.items() if visit.serious}
    assert problems == {}, "\n".join(f"{name}: {found}" for name, found in problems.items())


# ------------------------------------------------------------------ inside JupyterLab

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
RESULTS = f"{NOTEBOOK} .jp-OutputArea-output .cps-page"
LEFT_AND_UNDERLINED = """(block) => ({
  cells: [...block.querySelectorAll('th, td')].map((c) => getComputedStyle(c).textAlign),
  links: [...block.querySelectorAll('a')].map((a) => getComputedStyle(a).textDecorationLine),
})"""


def assert_styled_in_lab(learner: Learner, block: str) -> None:
    """The results block in the notebook: cells left-aligned, links underlined, axe content."""
    shown = learner.page.locator(block)
    expect(shown.locator("table").first).to_be_visible()
    styles = shown.first.evaluate(LEFT_AND_UNDERLINED)
    assert styles["cells"] and set(styles["cells"]) == {"left"}, styles["cells"]
    assert styles["links"] and set(styles["links"]) == {"underline"}, styles["links"]
    found = Axe().run(learner.page, context={"include": [[block]]}, options={"resultTypes": ["violations"]})
    serious = [f"{v['id']}: {v['help']}" for v in found.response["violations"] if v["impact"] in SERIOUS]
    assert serious == [], serious


def run_all(learner: Learner, shown: Locator) -> None:
    """Run > Run All Cells, then wait for what the last cell shows and for the kernel to rest.

    (The module notebooks hide their code cells, prompts included, so this waits for an
    output a learner sees rather than for the prompts' numbers.)
    """
    learner.menu("Run", "Run All Cells")
    expect(shown).to_be_visible(timeout=RUN_TIMEOUT_MS)
    learner.wait_kernel_idle()


def test_in_jupyterlab_the_results_keep_the_style(learner: Learner, sources: dict) -> None:
    server, page = learner.server, learner.page
    for folder in (f"solutions/{M1}", "content/items"):  # where Check my work finds the keys
        if not (server.root / folder).exists():
            shutil.copytree(ROOT / folder, server.root / folder)
    notebook = server.new_copy(M1)
    learner_folder = server.root / Path(notebook).parent.parent
    write_answers(server.root / Path(notebook).parent, "m1", m1_answers(sources["m1"]))
    learner.open(notebook)
    button = page.locator(NOTEBOOK).get_by_role("button", name=say.CHECK_BUTTON)
    run_all(learner, button)
    button.click()
    expect(page.locator(RESULTS).get_by_text(say.CHECK_SAFE)).to_be_visible()
    assert_styled_in_lab(learner, RESULTS)
    learner.close_all()

    shutil.copytree(server.root / PROGRESS, learner_folder / PROGRESS)
    learner.open(f"{learner_folder.relative_to(server.root).as_posix()}/{PROGRESS}/{PROGRESS}.ipynb")
    run_all(learner, page.locator(RESULTS).get_by_text(say.PROGRESS_REVIEW_HEADING))
    assert_styled_in_lab(learner, RESULTS)
