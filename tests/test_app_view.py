"""Every page of the course works as an app (Voilà) for a self-paced learner, in real Chromium.

One real Jupyter server, set up as ``scripts/open-course.sh`` sets it up for a learner
(``tests/app_server.py``: the learner config, a copy of ``modules/`` as its root and
``solutions/`` beside it), and Debian's headless Chromium at 1366×768, which opens each page
at ``/voila/render/<slug>/<slug>.ipynb`` as the home page's links do.

For every module, the practice exam, My progress and the home page, this proves:

* its first question (My progress: its table; the home page: its modules) shows without Run
  All, and no code, no traceback, no error and no stderr is visible anywhere on the page;
* axe-core (offline) finds no serious or critical problem on the whole page;
* nothing is fetched from anywhere but the learner's own server;
* and saves a screenshot to ``artifacts/screenshots/app-<slug>.png``.

For every page with questions, also: a mouse click on a choice is saved in ``answers.json``
and shown again after a reload (a new kernel); another question is answered with the
keyboard alone (Tab to it, Space); Check my work, at the end, shows the learner's points; and
the glossary and the full results page, which are not notebooks, open from their links.
My progress and the home page show the counts of the answers files on disk; each home link
opens its module as an app, and the module's "Course home" link leads back.

And the learner's workspace: the server's default page is the home page in Voilà; JupyterLab
(``/lab``) has none of nbgrader's tools, no news, no Terminal and no Python Console, and
formgrader's and the assignment list's server handlers are not there. Every plugin the learner
config turns off is one JupyterLab really has, every server extension one that exists, and its
save hook (``course.save_hook``, which keeps a saved notebook calm) is there to be called.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TypeVar

import pytest
from app_server import CONFIG_PATH, AppServer, app_server
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT
from helpers import write_answers
from jupyter_core.paths import jupyter_path
from jupyterlab.commands import get_app_dir
from lab_server import chromium
from playwright.sync_api import Browser, Locator, Page, expect
from traitlets.config import PyFileConfigLoader

from course import check_texts as say
from course import home, texts
from course.items import Item, Module, all_modules, module_title

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
MODULES = {m.slug: m for m in all_modules().values()}
PROGRESS = "14-my-progress"
PAGES = [*MODULES, PROGRESS, "home"]
# Kernel start and every cell of a module, on a busy 2-core machine.
OPEN_TIMEOUT_MS = 90_000
REPLY_TIMEOUT_MS = 20_000
SERIOUS = {"serious", "critical"}
NOT_FOR_LEARNERS = ("from course import", "Traceback", "Error", "There was an error")
# The answers My progress and the home page are checked against: two practice answers in Module 2.
COUNTED = MODULES["02-building-community"]
# nbgrader's JupyterLab plugins a self-paced learner has no use for.
AUTHORING = ("create-assignment", "formgrader", "course-list", "assignment-list", "validate-assignment")
T = TypeVar("T")


def words(template: str) -> re.Pattern[str]:
    """A course sentence with its {fields} as wildcards: what the page shows, whatever the numbers."""
    return re.compile(".+?".join(map(re.escape, re.split(r"\{[^}]*\}", template))))


@dataclass
class Visitor:
    """Chromium in a thread of its own: Playwright's sync API refuses to start where another
    test file left an asyncio loop running in this worker. Each visit gets a fresh tab."""

    pool: ThreadPoolExecutor
    browser: Browser

    def run(self, job: Callable[[Page], T]) -> T:
        return self.pool.submit(self._in_new_tab, job).result()

    def _in_new_tab(self, job: Callable[[Page], T]) -> T:
        context = self.browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.set_default_timeout(OPEN_TIMEOUT_MS)
            return job(page)
        finally:
            context.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with app_server(tmp_path_factory.mktemp("app")) as server:
        yield server


@pytest.fixture(scope="module")
def visit() -> Iterator[Visitor]:
    with ThreadPoolExecutor(1, thread_name_prefix="chromium") as pool, ExitStack() as stack:
        expect.set_options(timeout=REPLY_TIMEOUT_MS)
        browser = pool.submit(stack.enter_context, chromium()).result()
        try:
            yield Visitor(pool, browser)
        finally:
            pool.submit(stack.close).result()


# ---- what the learner sees ----------------------------------------------------------------
@dataclass
class Seen:
    """What one page showed, for the checks made after the learner is done with it."""

    outside: list[str] = field(default_factory=list)  # requests to anywhere but the server
    shown_code: list[str] = field(default_factory=list)  # words no learner should read
    seconds: float = 0.0  # from opening the page to its first question (or table)


def watch(page: Page, app: AppServer) -> Seen:
    seen = Seen()
    own = (app.url, "data:", "blob:", app.url.replace("http", "ws"))
    page.on("request", lambda r: None if r.url.startswith(own) else seen.outside.append(r.url))
    return seen


def open_page(page: Page, app: AppServer, slug: str, first: str, seen: Seen) -> None:
    """Open the page as a link does, and wait until ``first`` (a selector) shows. No Run All."""
    start = time.monotonic()
    page.goto(app.page(slug))
    page.locator(first).first.wait_for(state="visible", timeout=OPEN_TIMEOUT_MS)
    seen.seconds = time.monotonic() - start


def read_page(page: Page, seen: Seen) -> None:
    """Note any code, traceback or error text, and stderr outputs, that the page shows."""
    text = page.locator("body").inner_text()
    seen.shown_code = [w for w in NOT_FOR_LEARNERS if w in text]
    stderr = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]:visible').all_inner_texts()
    assert stderr == [], f"the page shows stderr: {stderr}"


def expect_no_serious_axe_problem(page: Page) -> None:
    found = Axe().run(page, options={"resultTypes": ["violations"]})
    serious = [v for v in found.response["violations"] if v["impact"] in SERIOUS]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes'][:5]]}" for v in serious
    )
    assert not serious, f"axe found serious problems:\n{report}"


def screenshot(page: Page, slug: str) -> None:
    """The whole page in one picture: Voilà's cells scroll inside their own panel, so the window
    is made as tall as that panel's content first."""
    height = page.locator("#rendered_cells").evaluate("(e) => e.scrollHeight")
    tall = min(max(height, VIEWPORT["height"]), 16_000)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": tall})
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"app-{slug}.png"))
    page.set_viewport_size(VIEWPORT)




# ---- answering ----------------------------------------------------------------------------
def item_box(page: Page, item_id: str) -> Locator:
    return page.locator(".cps-item").filter(has=page.locator(".cps-id", has_text=f"({item_id})"))


def shown_ids(page: Page) -> list[str]:
    return [t.strip("()") for t in page.locator(".cps-item .cps-id").all_text_contents()]


def saved(folder: Path, item_id: str) -> object:
    """The value answers.json holds for an item, once the kernel has written it (or None)."""
    deadline = time.monotonic() + REPLY_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        try:
            entry = json.loads((folder / "answers.json").read_text(encoding="utf-8"))["answers"].get(item_id)
        except (OSError, ValueError, KeyError):
            entry = None
        if entry:
            return entry["value"]
        time.sleep(0.1)
    return None


def feedback(item: Item, key: str) -> re.Pattern[str]:
    """What the item's live region says once this option is chosen."""
    if item.kind == "practice":
        return re.compile("Right\\." if key == item.answer else "Not quite\\.")
    return re.compile(rf"Saved: [A-H]\. {re.escape(item.option(key).text)}")


def click_choice(page: Page, item: Item, key: str) -> None:
    box = item_box(page, item.id)
    box.locator(".widget-radio-box label", has_text=item.option(key).text).click()
    expect(box.get_by_role("status")).to_contain_text(feedback(item, key))


def keyboard_choice(page: Page, item: Item) -> None:
    """From the top of the page, Tab until the item's first choice has the focus, then Space."""
    first = item_box(page, item.id).get_by_role("radio").first
    for _ in range(400):
        page.keyboard.press("Tab")
        if first.evaluate("(e) => e === document.activeElement"):
            break
    else:
        raise AssertionError(f"400 presses of Tab did not reach {item.label}")
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    expect(item_box(page, item.id).get_by_role("status")).to_contain_text(re.compile(r"Saved: [A-H]\. "))


def answer_and_reload(page: Page, app: AppServer, module: Module) -> None:
    """A mouse click and a keyboard answer, saved to disk; Check my work; both back after a reload."""
    folder = app.root / module.slug
    ids = shown_ids(page)
    clicked = next((module.items[i] for i in ids if module.items[i].kind == "practice"), module.items[ids[0]])
    keyed = next(module.items[i] for i in ids if module.items[i].kind == "graded" and i != clicked.id)
    key = clicked.options[-1].key
    click_choice(page, clicked, key)
    assert saved(folder, clicked.id) == key, "the click is not in answers.json"
    keyboard_choice(page, keyed)
    assert saved(folder, keyed.id) in {o.key for o in keyed.options}, "the key press is not in answers.json"

    page.get_by_role("button", name=say.CHECK_BUTTON).click()
    expect(page.get_by_text(words(say.CHECK_TOTAL))).to_be_visible()
    for name in ("glossary", say.CHECK_PAGE_LINK):  # a page of its own: not a notebook
        href = page.get_by_role("link", name=name, exact=True).evaluate("(a) => a.href")
        assert get(href)[0] == 200, f"the link {name!r} leads nowhere: {href}"
    screenshot(page, module.slug)

    page.reload()
    item_box(page, clicked.id).wait_for(timeout=OPEN_TIMEOUT_MS)
    chosen = re.compile(re.escape(clicked.option(key).text))
    expect(item_box(page, clicked.id).get_by_role("radio", name=chosen)).to_be_checked()
    expect(item_box(page, keyed.id).get_by_role("radio").first).to_be_checked()


# ---- the pages ----------------------------------------------------------------------------
def count_answers(app: AppServer) -> str:
    """Two practice answers in Module 2's folder; the words My progress and the home page show."""
    practice = [i for i in COUNTED.items.values() if i.kind == "practice"][:2]
    write_answers(app.root / COUNTED.slug, COUNTED.id, {i.id: i.options[0].key for i in practice})
    total = sum(i.kind in ("practice", "graded", "reflection") for i in COUNTED.items.values())
    return f"2 of {total}"


def row(page: Page, name: str) -> Locator:
    return page.locator("tr").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def module_page(page: Page, app: AppServer, slug: str) -> Seen:
    seen = watch(page, app)
    open_page(page, app, slug, ".cps-item", seen)
    read_page(page, seen)
    expect_no_serious_axe_problem(page)
    answer_and_reload(page, app, MODULES[slug])
    back = page.get_by_role("link", name="Course home")
    expect(back).to_have_attribute("href", "/" + app.page("home").split("/", 3)[3])
    return seen


def progress_page(page: Page, app: AppServer, slug: str) -> Seen:
    counts = count_answers(app)
    seen = watch(page, app)
    open_page(page, app, slug, ".cps-page table", seen)
    read_page(page, seen)
    expect_no_serious_axe_problem(page)
    expect(row(page, module_title(COUNTED))).to_contain_text(counts)
    screenshot(page, slug)
    row(page, module_title(COUNTED)).get_by_role("link").click()
    expect(page).to_have_url(app.page(COUNTED.slug))
    item_box(page, next(iter(COUNTED.items))).wait_for()
    return seen


def home_page(page: Page, app: AppServer, slug: str) -> Seen:
    counts = count_answers(app)
    seen = watch(page, app)
    open_page(page, app, slug, ".cps-page table", seen)
    read_page(page, seen)
    expect_no_serious_axe_problem(page)
    expect(page.get_by_role("link", name="Course home")).to_have_count(0)  # it is this page
    links = {r.link_text: r.href for r in home.home_rows(app.root)}
    assert len(links) == len(MODULES) + 1
    for text, href in links.items():
        expect(page.get_by_role("link", name=text, exact=True)).to_have_attribute("href", href)
    expect(row(page, module_title(COUNTED))).to_contain_text(f"{counts} answered")
    screenshot(page, slug)
    first = next(iter(MODULES.values()))
    page.get_by_role("link", name=f"Open Module {first.number}", exact=True).click()
    expect(page).to_have_url(app.page(first.slug))
    item_box(page, next(iter(first.items))).wait_for()
    page.get_by_role("link", name="Course home").click()
    expect(page).to_have_url(app.page("home"))
    return seen


@pytest.mark.parametrize("slug", PAGES)
def test_page_works_as_an_app(app: AppServer, visit: Visitor, slug: str) -> None:
    show = {PROGRESS: progress_page, "home": home_page}.get(slug, module_page)
    seen = visit.run(lambda page: show(page, app, slug))
    print(f"{slug}: first question (or table) {seen.seconds:.1f} s after opening the page")
    assert seen.outside == [], f"the page fetched from elsewhere: {seen.outside}"
    assert seen.shown_code == [], f"the page shows {seen.shown_code}"


# ---- the practice exam, run like the real one ---------------------------------------------
def clock_seconds(folder: Path) -> int:
    """The clock's time as answers.json keeps it (0 before the first save)."""
    try:
        return int(json.loads((folder / "answers.json").read_text(encoding="utf-8")).get("clock", 0))
    except (OSError, ValueError):
        return 0


def exam_page(page: Page, app: AppServer) -> dict[str, object]:
    """Answer, turn pages, reach the break, run and pause the clock, reload: what was seen."""
    slug = "13-practice-exam"
    folder = app.root / slug
    (folder / "answers.json").unlink(missing_ok=True)  # a learner who starts the exam today
    page.goto(app.page(slug))
    page.locator(".cps-item").first.wait_for(state="visible", timeout=OPEN_TIMEOUT_MS)
    module = MODULES[slug]
    count = page.get_by_text(words(texts.EXAM_ANSWERED)).first
    seen: dict[str, object] = {"start": count.inner_text(), "first page": shown_ids(page)}
    first = module.items[shown_ids(page)[0]]
    click_choice(page, first, first.options[0].key)
    chosen = item_box(page, first.id).get_by_role("radio", name=re.compile(re.escape(first.options[0].text)))
    expect(count).to_have_text(texts.EXAM_ANSWERED.format(answered=1, total=120))
    following = page.get_by_role("button", name=texts.EXAM_NEXT).first
    following.click()
    expect(page.get_by_text(texts.EXAM_PAGE.format(first=11, last=20, total=120))).to_be_visible()
    expect(page.locator(".cps-item .cps-id").first).not_to_have_text(f"({first.id})")
    seen["second page"] = shown_ids(page)
    for _ in range(5):
        following.click()
    expect(page.get_by_text(words(texts.EXAM_BREAK))).to_be_visible()
    seen["break on page"] = page.get_by_text(words(texts.EXAM_PAGE)).first.inner_text()
    for _ in range(6):
        page.get_by_role("button", name=texts.EXAM_PREVIOUS).first.click()
    expect(chosen).to_be_checked()
    page.get_by_role("button", name=texts.EXAM_CLOCK_START).click()
    time_line = page.get_by_role("timer")
    expect(time_line).not_to_contain_text("0:00:00", timeout=REPLY_TIMEOUT_MS)
    expect(time_line).not_to_contain_text("0:00:01", timeout=REPLY_TIMEOUT_MS)
    page.get_by_role("button", name=texts.EXAM_CLOCK_PAUSE).click()
    deadline = time.monotonic() + REPLY_TIMEOUT_MS / 1000
    while clock_seconds(folder) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    seen["kept"] = clock_seconds(folder)
    expect_no_serious_axe_problem(page)
    page.reload()
    page.get_by_role("timer").wait_for(timeout=OPEN_TIMEOUT_MS)
    seen["after reload"] = page.get_by_role("timer").inner_text()
    seen["still answered"] = chosen.is_checked()
    return seen


def test_the_practice_exam_runs_like_the_real_one(app: AppServer, visit: Visitor) -> None:
    """120 of the learner's own questions, ten to a page; a count of answers; the break after
    question 60; a clock the learner starts and pauses, kept in answers.json across a reload."""
    seen = visit.run(lambda page: exam_page(page, app))
    assert seen["start"] == texts.EXAM_ANSWERED.format(answered=0, total=120)
    assert len(seen["first page"]) == 10 and len(seen["second page"]) == 10
    assert not set(seen["first page"]) & set(seen["second page"])
    assert seen["break on page"] == texts.EXAM_PAGE.format(first=61, last=70, total=120)
    assert seen["kept"] >= 2, "pausing the clock saves its time"
    assert f"Time used: 0:00:{seen['kept']:02d}" in str(seen["after reload"]), seen["after reload"]
    assert seen["still answered"]


# ---- the learner's workspace --------------------------------------------------------------
def get(url: str) -> tuple[int, str, str]:
    """Status, final address and text of a GET (redirects followed)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, reply.url, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, url, ""


def test_the_default_page_is_the_home_page_in_voila(app: AppServer) -> None:
    status, where, text = get(f"{app.url}/")
    assert (status, where) == (200, app.page("home"))
    assert 'data-voila="voila"' in text, "the page is not Voilà's"


def test_the_hubs_app_landing_page_opens_a_module_as_an_app_in_one_click(
    app: AppServer, visit: Visitor
) -> None:
    """docs/deploy/tljh/app-view.py sends hub learners to Spawner.default_url: a page of their
    server listing their folders, where one click on a module opens it as an app."""
    config = PyFileConfigLoader("app-view.py", path=str(ROOT / "docs" / "deploy" / "tljh")).load_config()
    landing = config.Spawner.default_url
    slug = "01-shared-lived-experience"

    def click_through(page: Page) -> str:
        page.goto(f"{app.url}{landing}")
        page.get_by_text(slug, exact=True).click()  # into the module's folder
        with page.context.expect_page() as opened:  # Voilà opens the app in a tab of its own
            page.get_by_text(f"{slug}.ipynb", exact=True).click()
        module = opened.value
        module.locator(".cps-item").first.wait_for()
        return module.url

    opened = visit.run(click_through)
    assert f"voila/render/{slug}/{slug}.ipynb" in opened


def test_the_instructor_tools_are_not_served(app: AppServer) -> None:
    for path in ("formgrader", "assignments", "api/terminals"):
        assert get(f"{app.url}/{path}")[0] == 404, f"/{path} is served to the learner"
    assert get(f"{app.url}/lab")[0] == 200


def test_jupyterlab_has_no_authoring_tools_news_terminal_or_console(app: AppServer, visit: Visitor) -> None:
    def look(page: Page) -> dict[str, object]:
        page.goto(f"{app.url}/lab")
        page.locator(".jp-Launcher .jp-LauncherCard").first.wait_for()
        page.wait_for_timeout(1000)  # anything late (a news toast) has shown by now
        config = json.loads(page.locator("#jupyter-config-data").text_content() or "{}")
        page.screenshot(path=str(SCREENSHOTS / "app-jupyterlab.png"))
        return {
            "disabled": config.get("disabledExtensions", []),
            "menus": page.locator(".lm-MenuBar-itemLabel").all_inner_texts(),
            "launcher": page.locator(".jp-Launcher-sectionTitle").all_inner_texts(),
            "tiles": page.locator(".jp-LauncherCard-label").all_inner_texts(),
            "toasts": page.locator(".Toastify__toast").all_inner_texts(),
            "files": page.locator(".jp-DirListing-itemName").all_inner_texts(),
        }

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seen = visit.run(look)
    for plugin in AUTHORING:
        assert f"@jupyter/nbgrader:{plugin}" in seen["disabled"], plugin
    assert "@jupyterlab/apputils-extension:announcements" in seen["disabled"]
    assert not [m for m in seen["menus"] if "grader" in m.lower()], seen["menus"]
    assert "Notebook" in seen["launcher"] and "Console" not in seen["launcher"], seen["launcher"]
    assert "Terminal" not in seen["tiles"], seen["tiles"]
    assert seen["toasts"] == [], f"JupyterLab showed: {seen['toasts']}"
    assert sorted(seen["files"]) == sorted([*PAGES[:-1], "home.ipynb"]), seen["files"]


def learner_config(name: str) -> list[dict]:
    """One kind of config file (``labconfig/page_config.json``...) from every learner layer."""
    return [json.loads(p.read_text(encoding="utf-8")) for c in CONFIG_PATH if (p := c / name).is_file()]


def test_what_the_learner_config_names_exists() -> None:
    """A misspelt plugin id or extension name would turn nothing off, and say nothing."""
    javascript = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for folder in [Path(get_app_dir()) / "static", *map(Path, jupyter_path("labextensions"))]
        for p in folder.rglob("*.js")
    )
    pages = learner_config("labconfig/page_config.json")
    disabled = [name for page in pages for name in page["disabledExtensions"]]
    assert len(disabled) >= 10
    for name in disabled:  # a plugin ("package:plugin"), or a whole package of plugins
        written = f'"{name}"' in javascript or (":" not in name and f'"{name}:' in javascript)
        assert written, f"JupyterLab has no plugin or package {name}"
    servers = learner_config("jupyter_server_config.json")
    for name in (n for c in servers for n in c.get("ServerApp", {}).get("jpserver_extensions", {})):
        __import__(name)
    hooks = [c["FileContentsManager"]["pre_save_hook"] for c in servers if "FileContentsManager" in c]
    for hook in hooks:  # the server imports it at start: a wrong name would stop the course opening
        module, _, function = hook.rpartition(".")
        assert callable(getattr(import_module(module), function)), hook


def test_the_home_page_counts_what_is_saved_and_writes_nothing(tmp_path: Path) -> None:
    """Without the browser: the counts come from each folder's answers file, a folder not made
    yet counts as nothing answered, and reading leaves every folder as it was."""
    module = MODULES["01-shared-lived-experience"]
    first = next(iter(module.items.values()))
    (tmp_path / module.slug).mkdir()
    write_answers(tmp_path / module.slug, module.id, {first.id: first.options[0].key})
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    rows = {r.name: r for r in home.home_rows(tmp_path)}
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert rows[module_title(module)].answers.startswith("1 of ")
    assert rows[module_title(MODULES["00-start-here"])].answers.startswith("0 of ")
    exams = [module_title(MODULES[slug]) for slug in ("12-short-practice-exam", "13-practice-exam")]
    assert list(rows)[-3:] == [*exams, home.PROGRESS_TITLE], "the practice exams and My progress come last"
