"""A real JupyterLab server, a real headless Chromium, and the few moves a learner makes in them.

Loaded as a pytest plugin (``pytest_plugins = ["lab_server"]``) by the browser tests, so one
server and one browser serve the whole session, however many test files use them.

The server runs on 127.0.0.1 with a free port, token and XSRF checks off (as Galata runs
JupyterLab for its tests), as root, and serves a temporary copy of ``modules/``: the learner
notebooks exactly as released, and a folder the tests may fill with ``answers.json`` files.
Its settings and workspaces live in that temporary folder too, and everything that would
reach out to the internet (news, update checks, the extension manager) is switched off.

PYTEST_DONT_REWRITE: the test files import this module before pytest loads it as a plugin,
too late for assertion rewriting; its few asserts carry their own messages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from local_server import free_port, jupyter_command, wait_until_up
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from course.exam_mode import PAGE_SIZE
from course.items import Module, all_modules, load_module
from course.order import item_order

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Kernel start plus a whole notebook's cells; generous for a busy 2-core machine.
RUN_TIMEOUT_MS = 90_000
REPLY_TIMEOUT_MS = 20_000
TIDY_TIMEOUT_MS = 5_000
# A laptop's screen: learners on small screens are as likely as those on large ones.
VIEWPORT = {"width": 1280, "height": 900}
# JupyterLab settings that keep the page quiet and offline: no news or update toasts over
# the notebook, no extension manager asking PyPI what is installed.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


def released_modules() -> dict[str, Module]:
    """Every module that asks questions and has a released notebook, by its folder name (slug)."""
    modules = all_modules().values()
    return {m.slug: m for m in modules if (ROOT / "modules" / m.slug / f"{m.slug}.ipynb").is_file()}


@dataclass
class LabServer:
    """Where the running server is, and the folder it serves."""

    url: str
    root: Path
    copies: int = 0

    def new_copy(self, slug: str) -> str:
        """A fresh copy of one released module for one test, as if for a new learner.

        Every test answers in its own folder, so no test sees another's answers.json, and
        each copy's notebook gets its own kernel. Returns the notebook's path from the root.
        """
        self.copies += 1
        folder = Path(f"learner-{self.copies}") / slug
        shutil.copytree(self.root / slug, self.root / folder)
        return f"{folder.as_posix()}/{slug}.ipynb"

    def expected_items(self, notebook: str) -> int:
        """How many course widgets Run All shows: one per ``ask`` call, and per ``ask_all`` the
        first page of the learner's practice exam (ten questions)."""
        count = 0
        for cell in nbformat.read(str(self.root / notebook), as_version=4).cells:
            if cell.cell_type != "code":
                continue
            count += len(re.findall(r"\bask\(", cell.source))
            for module in re.findall(r"\bask_all\(\s*[\"']([^\"']+)", cell.source):
                count += min(PAGE_SIZE, len(item_order(load_module(module), seed=None)))
        return count

    def shut_down_kernels(self) -> None:
        """End every notebook session, as a hub culls idle servers: tests leave no kernels behind."""
        with urllib.request.urlopen(f"{self.url}/api/sessions", timeout=10) as reply:
            sessions = json.load(reply)
        for session in sessions:
            request = urllib.request.Request(f"{self.url}/api/sessions/{session['id']}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()


def start_lab(base: Path) -> tuple[LabServer, subprocess.Popen]:
    """Copy the released modules under ``base`` and serve them with a real JupyterLab."""
    root = base / "modules"
    shutil.copytree(
        ROOT / "modules",
        root,
        ignore=shutil.ignore_patterns("answers*.json", ".answers-*", ".ipynb_checkpoints"),
    )
    settings = base / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    port = free_port()
    command = jupyter_command(
        "lab",
        root,
        port,
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    )
    # A learner's kernel never runs in grading mode; make sure the tests' shell cannot set it.
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")
    log = base / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/api/status", process, log, "JupyterLab", timeout=60)
    except RuntimeError:
        stop_lab(process)
        raise
    return LabServer(url=url, root=root), process


def stop_lab(process: subprocess.Popen) -> None:
    """Stop the server (it shuts its kernels down on SIGTERM); kill it if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    server, process = start_lab(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        stop_lab(process)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    with sync_playwright() as play:
        launched = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # A kernel's reply to a click can take a few seconds on a busy 2-core machine.
    expect.set_options(timeout=REPLY_TIMEOUT_MS)
    with chromium() as launched:
        yield launched


class _Tab:
    """One JupyterLab tab shared by the tests: loading JupyterLab afresh costs seconds each time.

    A test that leaves it in a state that cannot be tidied (a dialog, a failed step) has the
    tab thrown away, so the next test starts clean.
    """

    def __init__(self, browser: Browser, server: LabServer):
        self.browser = browser
        self.server = server
        self.page: Page | None = None

    def learner(self) -> Learner:
        if self.page is None:
            context = self.browser.new_context(viewport=VIEWPORT)
            self.page = context.new_page()
            self.page.set_default_timeout(RUN_TIMEOUT_MS)
            self.page.goto(f"{self.server.url}/lab?reset")
            self.page.locator(".lm-MenuBar-itemLabel").first.wait_for()
        return Learner(self.page, self.server)

    def tidy(self, learner: Learner) -> None:
        try:
            learner.close_all()
        except (PlaywrightError, AssertionError):
            self.discard()

    def discard(self) -> None:
        if self.page is not None:
            self.page.context.close()
            self.page = None


@pytest.fixture(scope="session")
def _shared_tab(browser: Browser, lab: LabServer) -> Iterator[_Tab]:
    tab = _Tab(browser, lab)
    try:
        yield tab
    finally:
        tab.discard()


@pytest.fixture()
def learner(_shared_tab: _Tab, lab: LabServer) -> Iterator[Learner]:
    """A learner in JupyterLab with no notebook open; whatever they open is closed afterwards."""
    learner = _shared_tab.learner()
    yield learner
    _shared_tab.tidy(learner)
    lab.shut_down_kernels()


# ---- what a learner does in JupyterLab ---------------------------------------------------

_VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# Notes when the notebook's toolbar indicator counts executed cells ("Executed 3/20 cells"):
# JupyterLab shows that count only while a run of scheduled cells is under way, so a Run All
# has really started (a notebook reopened with its old outputs already "looks run").
_WATCH_RUN = """
(panel) => {
  const toolbar = document.querySelector(panel + ' .jp-NotebookPanel-toolbar');
  const running = () => [...toolbar.querySelectorAll('.jp-Notebook-ExecutionIndicator')]
    .some((e) => e.dataset.status === 'busy' && /Executed \\d+\\/\\d+ cells/.test(e.textContent));
  window.cpsRunStarted = false;
  if (window.cpsWatch) window.cpsWatch.disconnect();
  window.cpsWatch = new MutationObserver(() => {
    if (running()) { window.cpsRunStarted = true; window.cpsWatch.disconnect(); }
  });
  window.cpsWatch.observe(toolbar, {subtree: true, childList: true, characterData: true, attributes: true});
}
"""
# Done when the indicator is idle again (it stays busy until every scheduled cell has run) and
# either every widget is drawn or something went wrong (then waiting longer would only hide it).
_RAN_ALL = """
([panel, expected, errors]) => {
  const indicator = document.querySelector(panel + ' .jp-Notebook-ExecutionIndicator');
  const nb = document.querySelector(panel + ' .jp-Notebook');
  return Boolean(window.cpsRunStarted && indicator && nb) && indicator.dataset.status === 'idle'
    && (nb.querySelectorAll('.cps-item').length === expected || nb.querySelector(errors) !== null);
}
"""
_ERRORS = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    ".jp-OutputArea-output.jp-mod-error"
)
# Done when every code cell shows its number and either every widget is drawn or something
# went wrong (then waiting longer would only hide the error).



class Learner:
    """A learner in one browser tab: the menus, keys and clicks they use, and what they see.

    Every wait is for something the learner could see (a prompt number, the kernel status,
    a widget), never a fixed pause.
    """

    def __init__(self, page: Page, server: LabServer):
        self.page = page
        self.server = server

    def open(self, notebook: str) -> None:
        """File > Open from Path…, a notebook; wait until its kernel is ready."""
        self.menu("File", "Open from Path…")
        self.page.locator(".jp-Dialog input").fill(notebook)
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.page.locator(_VISIBLE_NOTEBOOK).wait_for()
        self.wait_kernel_idle()

    def wait_kernel_idle(self) -> None:
        """The status bar names the kernel and says Idle.

        Before the notebook's session has a kernel, the toolbar's indicator already says idle
        while the status bar says "No Kernel"; a Run All clicked then runs nothing. So both
        must agree: a kernel is attached, and it has nothing left to do.
        """
        status = self.page.locator(".jp-StatusBar-TextItem")
        idle = status.filter(has_text=re.compile(r"\(ipykernel\) \| Idle$"))
        expect(idle).to_have_count(1, timeout=RUN_TIMEOUT_MS)
        indicator = self.page.locator(".jp-Notebook-ExecutionIndicator")
        expect(indicator).to_have_attribute("data-status", "idle", timeout=RUN_TIMEOUT_MS)

    def menu(self, top: str, entry: str, timeout: float | None = None) -> None:
        """Click a menu-bar menu, then one of its entries, as a learner does with a mouse."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click(timeout=timeout)
        entries = self.page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel")
        entries.filter(has_text=re.compile(f"^{re.escape(entry)}$")).click(timeout=timeout)

    def select_cell_with(self, item_id: str) -> None:
        """Escape to command mode, then arrow keys until the cell showing this item is active.

        This is how a keyboard user moves through a notebook; the cell then has the focus,
        and Tab goes on into its output.
        """
        cells = f"{_VISIBLE_NOTEBOOK} .jp-Cell"
        target = self.page.locator(cells).evaluate_all(
            "(cells, shown) => cells.findIndex((c) => [...c.querySelectorAll('.cps-id')]"
            ".some((e) => e.textContent === shown))",
            f"({item_id})",
        )
        assert target >= 0, f"no cell shows {item_id}"
        active = "(cells) => cells.findIndex((c) => c.classList.contains('jp-mod-active'))"
        self.page.keyboard.press("Escape")
        for _ in range(self.page.locator(cells).count()):
            now = self.page.locator(cells).evaluate_all(active)
            if now == target:
                break
            self.page.keyboard.press("ArrowUp" if now > target else "ArrowDown")
        expect(self.page.locator(cells).nth(target)).to_be_focused()

    def run_all(self, expected: int) -> None:
        """Run > Run All Cells; wait until every code cell has run, then insist on a clean run.

        The course's question cells are folded (no [*] prompt to watch), so the notebook
        toolbar's "Executed x/y cells" indicator tells when the run starts and ends. Clean: the
        expected number of course widgets, and no error, no stderr and no "Error displaying
        widget" anywhere (nbgrader zeroes a cell for stderr).
        """
        self.page.evaluate(_WATCH_RUN, _PANEL)
        self.menu("Run", "Run All Cells")
        self.page.wait_for_function(_RAN_ALL, arg=[_PANEL, expected, _ERRORS], polling=100)
        self.wait_kernel_idle()
        errors = self.error_outputs()
        assert errors == [], f"Run All showed errors: {errors}"
        expect(self.page.locator(f"{_VISIBLE_NOTEBOOK} .cps-item")).to_have_count(expected)

    def restart_and_clear(self) -> None:
        """Kernel > Restart Kernel and Clear Outputs…, confirmed: a fresh kernel, an empty page."""
        self.menu("Kernel", "Restart Kernel and Clear Outputs of All Cells…")
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        expect(self.page.locator(".jp-Notebook .cps-item")).to_have_count(0, timeout=RUN_TIMEOUT_MS)
        self.wait_kernel_idle()

    def save_and_close(self) -> None:
        """Save with Ctrl+S, then File > Close Tab: the kernel keeps running, as JupyterLab does."""
        self.page.keyboard.press("Escape")  # command mode, so Ctrl+S goes to the notebook
        self.page.keyboard.press("Control+s")
        expect(self.page.locator(".lm-TabBar-tab.jp-mod-dirty")).to_have_count(0)
        self.menu("File", "Close Tab")
        expect(self.page.locator(".jp-NotebookPanel")).to_have_count(0)

    def close_all(self) -> None:
        """Close every open notebook without saving (File > Close All Tabs, then Discard)."""
        for _ in range(2):
            self.page.keyboard.press("Escape")  # an open menu or dialog
        panels = self.page.locator(".jp-NotebookPanel")
        if panels.count() == 0:
            return
        unsaved = self.page.locator(".lm-TabBar-tab.jp-mod-dirty").count()
        self.menu("File", "Close All Tabs", timeout=TIDY_TIMEOUT_MS)
        for _ in range(unsaved):  # one "Save your work?" dialog per unsaved notebook
            self.page.locator(".jp-Dialog .jp-mod-warn").click(timeout=TIDY_TIMEOUT_MS)
        expect(panels).to_have_count(0, timeout=TIDY_TIMEOUT_MS)

    def item(self, item_id: str) -> Locator:
        """The widget of one item, found by the id it shows (``(m1.g3)``)."""
        shown_id = self.page.locator(".cps-id", has_text=f"({item_id})")
        return self.page.locator(".cps-item").filter(has=shown_id)

    def item_ids(self) -> list[str]:
        """The ids of the shown items, top to bottom (text of off-screen cells included), without
        their brackets: "m1.p1"."""
        shown = self.page.locator(".jp-Notebook .cps-item .cps-id").all_text_contents()
        return [text.strip("()") for text in shown]

    def error_outputs(self) -> list[str]:
        """Every stderr stream, error traceback and failed widget the notebook shows."""
        found = self.page.locator(f'{_ERRORS}, .jp-OutputArea-output:has-text("Error displaying widget")')
        return found.all_text_contents()
