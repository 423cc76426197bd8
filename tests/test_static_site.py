"""The course as a static site, in the browser only: built with the README's command, served as
plain files on 127.0.0.1 with the README's ``python -m http.server`` (from a folder of the
server, ``/site/``, as a project's GitHub Pages are), and run in Debian's
Chromium with every address but 127.0.0.1 blocked (and unresolvable).

The site is built once (``bash scripts/build-site.sh``, as a trainer types it, from an active
environment) and every test here uses it. They prove:

* every page of the site runs in the site's own Python (Pyodide from npm with the site's
  wheels, under Node.js, which runs the same Pyodide as the browser but in a second or two per
  page): every notebook runs top to bottom with no error and no stderr, and Check my work, with
  the keys the site carries, gives nbgrader's own scores on test_roundtrip_all_modules.py's
  answers for every module; the charts, with no matplotlib there, are bars in HTML;
* a learner in Chromium, on a first visit, sees Module 1's questions with no code, gets
  practice feedback, answers graded questions and a reflection, and sees Check my work's
  points; after a reload the answers and the same points are there; the home page lists every
  module, says the site is for studying on one's own, counts the answers and downloads Module
  1's answers file (the same answers.json), on which nbgrader's autograde gives the same points;
* the browser restarted with the same profile and the server cut: My progress, Module 1 (with
  its answers, reached from My progress's link) and Module 2 (never opened before) all open;
* a fresh browser profile loads the downloaded file on the home page, and Module 1 shows its
  answers; nothing is ever fetched from anywhere but the site.

It prints the build's time, the site's size and the time from opening Module 1 to its first
question on the first visit, and saves screenshots to ``artifacts/screenshots/site-*.png``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import ROOT, module_sources
from helpers import nbgrader_api, succeeded
from lab_server import CHROMIUM, CHROMIUM_ARGS
from local_server import free_port, wait_until_up
from nbgrader.api import Gradebook
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright
from test_roundtrip_all_modules import plans

from course import check_texts as say
from course import home, keep_answers, texts
from course.items import all_modules, load_module, module_title
from course.static_site import HOME_PAGE
from course.store import seed_for

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 900}
OPEN_TIMEOUT_MS = 180_000  # Pyodide's start and every cell, on a busy 2-core machine
REPLY_TIMEOUT_MS = 30_000
M1, M2 = load_module("m1"), load_module("m2")
PROGRESS = "14-my-progress"
# Only 127.0.0.1 resolves: nothing else can be fetched, even by a service worker.
OFFLINE_WORLD = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
T = TypeVar("T")


def words(template: str) -> re.Pattern[str]:
    """A course sentence with its {fields} as wildcards: what the page shows, whatever the numbers."""
    return re.compile(".+?".join(map(re.escape, re.split(r"\{[^}]*\}", template))))


def total(text: str) -> float:
    """The points Check my work says the learner earned."""
    found = re.search(r"You earned ([\d.]+) of", text)
    assert found, f"no total in {text!r}"
    return float(found.group(1))


# --- the site, built and served ---------------------------------------------------------------
@dataclass(frozen=True)
class Site:
    folder: Path
    seconds: float

    @property
    def megabytes(self) -> float:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file()) / 1e6


def readme_line(start: str) -> str:
    """The one command of the README's "no install" part that starts so (indented as code)."""
    found = [
        line.strip()
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("    " + start)
    ]
    assert len(found) == 1, f"the README should give `{start}…` once, as a command: {found}"
    return found[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """``bash scripts/build-site.sh <folder>``, as a trainer with the course's environment active."""
    assert readme_line("bash scripts/build-site.sh") == "bash scripts/build-site.sh"
    folder = tmp_path_factory.mktemp("static-site") / "site"
    env = {**os.environ, "VIRTUAL_ENV": sys.prefix}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    started = time.monotonic()
    done = subprocess.run(
        ["bash", "scripts/build-site.sh", str(folder)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    built = Site(folder, time.monotonic() - started)
    assert f"the site is in {folder}" in done.stdout, done.stdout
    print(f"site built in {built.seconds:.0f} s, {built.megabytes:.1f} MB", file=sys.stderr)
    return built


class Server:
    """The README's ``python -m http.server`` on one port of 127.0.0.1, that a test can cut."""

    def __init__(self, folder: Path, log: Path):
        self.folder, self.log, self.port = folder, log, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        """The README's line as typed, with this test's folder and port for ``_site`` and 8000."""
        typed = readme_line("python3 -m http.server").split()
        assert typed[-3:] == ["--directory", "_site", "8000"], typed
        command = [sys.executable, *typed[1:-2], str(self.folder), str(self.port)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until_up(self.url, self.process, self.log, "http.server", 30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    serving = Server(site.folder, tmp_path_factory.mktemp("http-server") / "log")
    serving.start()
    try:
        yield serving
    finally:
        serving.stop()


# --- every page in the site's Python (Pyodide under Node.js) -------------------------------------
NODE_RUNNER = """
import { readFileSync } from "node:fs";
import { loadPyodide } from "%(pyodide)s/pyodide.mjs";
const [site, drive, script] = process.argv.slice(2);
const lock = JSON.parse(readFileSync(`${site}/static/pyodide/pyodide-lock.json`, "utf8"));
const py = await loadPyodide({ indexURL: `${site}/static/pyodide/`, packages: Object.keys(lock.packages) });
py.FS.mkdirTree("/drive");
py.FS.mount(py.FS.filesystems.NODEFS, { root: drive }, "/drive");
console.log(py.runPython(readFileSync(script, "utf8")));
"""

# Runs inside Pyodide, in the site's files (mounted at /drive as in a page): every notebook's
# code cells in its own folder, then Check my work on each learner's answers of every module.
IN_PYODIDE = """
import contextlib, io, json, os, traceback
from pathlib import Path
from course.selfcheck import check
from course.progress import course_progress, progress_html

found = {"errors": {}, "earned": {}, "pages": {}}
notebooks = sorted(Path("/drive/modules").glob("*/*.ipynb")) + [Path("/drive/modules/home.ipynb")]
for notebook in notebooks:
    os.chdir(notebook.parent)
    out, err = io.StringIO(), io.StringIO()
    cells = json.loads(notebook.read_text())["cells"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        for cell in cells:
            if cell["cell_type"] == "code":
                try:
                    exec("".join(cell["source"]), {})
                except Exception:
                    err.write(traceback.format_exc())
    found["errors"][notebook.stem] = err.getvalue()
answers = json.loads(Path("/drive/answers-to-check.json").read_text())
for slug, learners in answers.items():
    folder = Path("/drive/modules") / slug
    for learner, text in learners.items():
        (folder / "answers.json").write_text(text)
        found["earned"][f"{slug}/{learner}"] = check(folder).earned
    found["pages"][slug] = (folder / "check-my-work.html").read_text()
found["progress"] = progress_html(course_progress(Path("/drive/modules")))
json.dumps(found)
"""


def test_every_page_runs_in_the_sites_own_python_and_checks_as_nbgrader_scores(
    site: Site, tmp_path: Path
) -> None:
    """Every notebook of the site runs in Pyodide with the site's wheels and nothing else, with
    no error or stderr; Check my work there gives, for every module and each of
    test_roundtrip_all_modules.py's learners, the score nbgrader's autograde gives (that test
    proves the gradebook holds exactly these); with no matplotlib the charts are HTML bars."""
    drive = tmp_path / "drive"
    shutil.copytree(site.folder / "files", drive)
    expected, to_check = {}, {}
    for mid, module in module_sources().items():
        for learner, (answers, earned) in plans(module).items():
            entries = {k: {"value": v, "first": v, "changes": 1} for k, v in answers.items()}
            text = json.dumps({"format": 1, "module": mid, "seed": seed_for(learner), "answers": entries})
            to_check.setdefault(module["slug"], {})[learner] = text
            expected[f"{module['slug']}/{learner}"] = earned
    (drive / "answers-to-check.json").write_text(json.dumps(to_check))
    (tmp_path / "run.mjs").write_text(NODE_RUNNER % {"pyodide": ROOT / "node_modules" / "pyodide"})
    (tmp_path / "check.py").write_text(IN_PYODIDE)
    started = time.monotonic()
    done = subprocess.run(
        ["node", str(tmp_path / "run.mjs"), str(site.folder), str(drive), str(tmp_path / "check.py")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"every page in Pyodide under Node.js: {time.monotonic() - started:.0f} s", file=sys.stderr)

    assert set(found["errors"]) == {*(m.slug for m in all_modules().values()), PROGRESS, "home"}
    assert {page: err for page, err in found["errors"].items() if err} == {}
    assert found["earned"] == expected
    exam = found["pages"][load_module("exam").slug]
    assert "cps-bars" in exam and "data:image/png" not in exam, "the exam's chart is not HTML bars"
    assert found["progress"].count('class="cps-bar-row"') == 3 * len(all_modules())


# --- a learner in Chromium ------------------------------------------------------------------------
@dataclass
class Learner:
    """What the learner did and saw, for the tests that follow them."""

    graded: dict[str, str] = field(default_factory=dict)  # item id -> key chosen
    practice: tuple[str, str] = ("", "")
    reflection: str = ""
    points: float = -1.0
    first_question_seconds: float = 0.0
    download: Path | None = None
    outside: list[str] = field(default_factory=list)


def in_thread(job: Callable[[Playwright], T]) -> T:
    """Playwright's sync API in a thread of its own: another test file of this worker may
    have left an asyncio loop running in the main thread."""

    def run() -> T:
        with sync_playwright() as play:
            return job(play)

    with ThreadPoolExecutor(1, thread_name_prefix="chromium") as pool:
        return pool.submit(run).result()


def profile(play: Playwright, folder: Path, learner: Learner, base: str) -> BrowserContext:
    """Chromium with a profile kept in ``folder`` (its storage, caches and service worker)."""
    context = play.chromium.launch_persistent_context(
        str(folder),
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, *OFFLINE_WORLD],
        viewport=VIEWPORT,
        accept_downloads=True,
    )
    own = (base, "data:", "blob:", base.replace("http", "ws"))
    context.on("request", lambda r: None if r.url.startswith(own) else learner.outside.append(r.url))
    context.set_default_timeout(OPEN_TIMEOUT_MS)
    expect.set_options(timeout=REPLY_TIMEOUT_MS)
    return context


def page_of(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else context.new_page()


def open_page(page: Page, url: str, first: str, timeout_ms: float = OPEN_TIMEOUT_MS) -> float:
    """Open a page and wait for its first question (or table); no Run All. The seconds it took."""
    started = time.monotonic()
    page.goto(url)
    page.locator(first).first.wait_for(state="visible", timeout=timeout_ms)
    return time.monotonic() - started


def module_url(base: str, slug: str) -> str:
    return f"{base}voici/render/modules/{slug}/{slug}.html"


def item_box(page: Page, item_id: str):
    return page.locator(".cps-item").filter(has=page.locator(".cps-id", has_text=f"({item_id})"))


def choose(page: Page, item_id: str, key: str, says: str) -> None:
    item = M1.items[item_id]
    box = item_box(page, item_id)
    box.locator(".widget-radio-box label", has_text=item.option(key).text).click()
    expect(box.get_by_role("status")).to_contain_text(says)


def expect_answers_shown(page: Page, learner: Learner) -> None:
    """The learner's choices checked and their reflection in its box (read from the site's storage)."""
    for item_id, key in [learner.practice, *learner.graded.items()]:
        chosen = re.compile(re.escape(M1.items[item_id].option(key).text))
        expect(item_box(page, item_id).get_by_role("radio", name=chosen)).to_be_checked()
    reflection = next(i for i in M1.items.values() if i.kind == "reflection")
    expect(item_box(page, reflection.id).get_by_role("textbox")).to_have_value(learner.reflection)


def check_my_work(page: Page) -> float:
    page.get_by_role("button", name=say.CHECK_BUTTON).click()
    shown = page.get_by_text(words(say.CHECK_TOTAL))
    expect(shown).to_be_visible()
    return total(shown.inner_text())


def screenshot(page: Page, name: str) -> None:
    """The whole page: Voici's cells scroll in their own panel, so the window grows to fit them."""
    height = page.locator("#rendered_cells").evaluate("(e) => e.scrollHeight")
    page.set_viewport_size(
        {"width": VIEWPORT["width"], "height": min(max(height, VIEWPORT["height"]), 16_000)}
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"site-{name}.png"))
    page.set_viewport_size(VIEWPORT)


def study(play: Playwright, base: str, folder: Path, downloads: Path) -> Learner:
    """First visit: Module 1, answered and checked, then reloaded; the home page, downloaded."""
    learner = Learner()
    keys = {i["id"]: i["answer"] for i in module_sources()["m1"]["items"] if i["kind"] == "graded"}
    context = profile(play, folder, learner, base)
    try:
        page = page_of(context)
        learner.first_question_seconds = open_page(page, module_url(base, M1.slug), ".cps-item")
        body = page.locator("body").inner_text()
        assert "from course import" not in body and "Traceback" not in body, "the page shows code"
        expect(page.get_by_text(texts.STATUS_WHERE_BROWSER)).to_be_visible()

        practice = next(i for i in M1.items.values() if i.kind == "practice")
        wrong = next(o.key for o in practice.options if o.key != practice.answer)
        choose(page, practice.id, wrong, "Not quite.")
        choose(page, practice.id, practice.answer, "Right.")
        learner.practice = (practice.id, practice.answer)
        first, second = list(keys)[:2]
        other = next(o.key for o in M1.items[second].options if o.key != keys[second])
        learner.graded = {first: keys[first], second: other}
        for item_id, key in learner.graded.items():
            choose(page, item_id, key, "Saved:")
        reflection = next(i for i in M1.items.values() if i.kind == "reflection")
        learner.reflection = "I listen first and share my story only when it helps the person."
        box = item_box(page, reflection.id)
        box.get_by_role("textbox").fill(learner.reflection)
        expect(box.get_by_role("status")).to_contain_text("Saved (")
        learner.points = check_my_work(page)
        assert learner.points == M1.items[first].points, "Check my work gave other points"
        expect(page.get_by_role("link", name=say.CHECK_PAGE_DOWNLOAD)).to_have_attribute(
            "href", re.compile("^data:")
        )
        screenshot(page, M1.slug)

        page.reload()
        item_box(page, practice.id).wait_for(timeout=OPEN_TIMEOUT_MS)
        expect_answers_shown(page, learner)
        assert check_my_work(page) == learner.points

        open_page(page, base + HOME_PAGE, ".cps-page table")
        rows = page.locator(".cps-page table").first.locator("tbody tr")
        expect(rows).to_have_count(len(all_modules()) + 1)
        expect(page.get_by_text(home.SITE_NOTE)).to_be_visible()
        row = rows.filter(has=page.get_by_role("rowheader", name=module_title(M1), exact=True))
        answered = 1 + len(learner.graded) + 1  # the practice question, the graded ones, the reflection
        expect(row).to_contain_text(f"{answered} of ")
        with page.expect_download() as download:
            page.get_by_role("link", name=module_title(M1), exact=True).click()
        assert download.value.suggested_filename == keep_answers.download_name(M1)
        learner.download = downloads / download.value.suggested_filename
        download.value.save_as(learner.download)
        screenshot(page, "home")
    finally:
        context.close()
    return learner


@pytest.fixture(scope="module")
def learner(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[Learner, Path]:
    folder = tmp_path_factory.mktemp("profile")
    downloads = tmp_path_factory.mktemp("downloads")
    found = in_thread(lambda play: study(play, server.url, folder, downloads))
    print(f"Module 1, first visit: first question {found.first_question_seconds:.1f} s", file=sys.stderr)
    return found, folder


def test_a_learner_answers_module_1_and_finds_it_all_after_a_reload(learner: tuple[Learner, Path]) -> None:
    """Practice feedback, graded answers, a reflection and Check my work's points, all back after
    a reload (the checks are made as the learner goes, in ``study``); the home page lists the
    modules, says what the site is for, and downloads Module 1's answers file."""
    found, _ = learner
    assert found.points > 0 and found.download is not None
    saved = json.loads(found.download.read_text(encoding="utf-8"))
    assert saved["module"] == "m1"
    assert {k: v["value"] for k, v in saved["answers"].items()} == {
        **found.graded,
        found.practice[0]: found.practice[1],
        next(i.id for i in M1.items.values() if i.kind == "reflection"): found.reflection,
    }
    assert found.outside == [], f"the site fetched from elsewhere: {found.outside}"


def test_nbgrader_gives_the_downloaded_answers_the_points_check_my_work_gave(
    learner: tuple[Learner, Path], tmp_path: Path
) -> None:
    """The downloaded file, handed in as a class's submission: nbgrader's autograde scores it
    exactly as Check my work did in the browser."""
    found, _ = learner
    shutil.copytree(
        ROOT / "solutions", tmp_path / "solutions", ignore=shutil.ignore_patterns("answers*.json")
    )
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    api = nbgrader_api(tmp_path)
    succeeded(api.generate_assignment(M1.slug, force=True))
    submitted = tmp_path / "submitted" / "self-study" / M1.slug
    submitted.mkdir(parents=True)
    shutil.copy(tmp_path / "modules" / M1.slug / f"{M1.slug}.ipynb", submitted)
    shutil.copy(found.download, submitted / "answers.json")
    succeeded(api.autograde(M1.slug, "self-study", force=True, create=True))
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        assert gb.find_submission(M1.slug, "self-study").score == found.points


def reopen_offline(play: Playwright, base: str, folder: Path, learner: Learner) -> Learner:
    """The browser restarted on the same profile, with the site's server cut."""
    seen = Learner(**{**learner.__dict__, "outside": []})
    context = profile(play, folder, seen, base)
    try:
        page = page_of(context)
        open_page(page, f"{base}voici/render/modules/{PROGRESS}/{PROGRESS}.html", ".cps-page table")
        link = page.get_by_role("link", name=module_title(M1), exact=True)
        row = page.locator("tr").filter(has=link).first  # the first table: the modules
        expect(row).to_contain_text(re.compile(rf"{learner.points:g} of \d+ \(\d+%\), checked"))
        row.get_by_role("link").click()
        item_box(page, learner.practice[0]).wait_for(timeout=OPEN_TIMEOUT_MS)
        expect_answers_shown(page, learner)
        expect(page.get_by_role("link", name="Course home")).to_have_attribute(
            "href", re.compile("home.html$")
        )
        open_page(page, module_url(base, M2.slug), ".cps-item")
    finally:
        context.close()
    return seen


def test_after_a_restart_the_site_opens_offline_with_the_answers(
    learner: tuple[Learner, Path], server: Server
) -> None:
    """Cut the server, restart the browser on the same profile: My progress shows Module 1's
    checked points, its link opens Module 1 with every answer, and Module 2, never opened
    before, opens too: every file was saved on the first visit."""
    found, folder = learner
    server.stop()
    try:
        seen = in_thread(lambda play: reopen_offline(play, server.url, folder, found))
    finally:
        server.start()
    assert seen.outside == [], f"the site fetched from elsewhere: {seen.outside}"


def load_in_fresh_browser(play: Playwright, base: str, folder: Path, learner: Learner) -> Learner:
    seen = Learner(**{**learner.__dict__, "outside": []})
    context = profile(play, folder, seen, base)
    try:
        page = page_of(context)
        open_page(page, base + HOME_PAGE, ".cps-page table")
        expect(page.get_by_text(keep_answers.NOTHING_YET)).to_be_visible()
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name=keep_answers.LOAD_BUTTON).click()
        chooser.value.set_files(str(learner.download))
        expect(page.get_by_role("status").filter(has_text=learner.download.name)).to_contain_text(
            words(keep_answers.LOADED)
        )
        page.get_by_role("link", name=f"Open Module {M1.number}", exact=True).click()
        item_box(page, learner.practice[0]).wait_for(timeout=OPEN_TIMEOUT_MS)
        expect_answers_shown(page, learner)
    finally:
        context.close()
    return seen


def test_a_fresh_browser_loads_the_downloaded_answers(
    learner: tuple[Learner, Path], server: Server, tmp_path: Path
) -> None:
    """A new profile (another browser, or one whose data was cleared) loads the downloaded file on
    the home page, and Module 1 opens with every answer in it."""
    found, _ = learner
    seen = in_thread(lambda play: load_in_fresh_browser(play, server.url, tmp_path / "fresh", found))
    assert seen.outside == [], f"the site fetched from elsewhere: {seen.outside}"


# A first visit takes 10 to 20 seconds on this machine even with both cores busy; a page that
# has not shown its first question in this time has stopped.
BUSY_OPEN_TIMEOUT_MS = 100_000


def first_visit(play: Playwright, base: str, folder: Path) -> Learner:
    """A new profile opens Module 1 and waits for its first question, nothing more."""
    seen = Learner()
    context = profile(play, folder, seen, base)
    try:
        seen.first_question_seconds = open_page(
            page_of(context), module_url(base, M1.slug), ".cps-item", BUSY_OPEN_TIMEOUT_MS
        )
    finally:
        context.close()
    return seen


def test_a_first_visit_on_a_busy_computer_opens_module_1(server: Server, tmp_path: Path) -> None:
    """With every core kept busy (as on a slow Chromebook, or a computer doing other work), a
    first visit still opens Module 1. It did not, every time, when the service worker saved the
    whole site as its install step: the page's Python started before the worker took over, its
    file requests went unanswered, and the page showed "Starting up kernel..." for ever."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        seen = in_thread(lambda play: first_visit(play, server.url, tmp_path / "busy"))
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    print(
        f"Module 1, first visit, every core busy: first question {seen.first_question_seconds:.1f} s",
        file=sys.stderr,
    )
    assert seen.outside == [], f"the site fetched from elsewhere: {seen.outside}"
