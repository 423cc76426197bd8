"""A learner on the hub, in a real Chromium: log in, and use JupyterLab as a learner does.

Every move goes through what a learner sees: the hub's login form, nbgrader's Assignments
panel (Fetch, Submit, Fetch Feedback), the notebook's Run menu and the answer widgets. Each
step waits for the visible sign that it is done (a new row in the list, "Saved: …" under a
question), never for a fixed time; a question that says its answer was not saved stops the
learner at once, with the words it showed.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

LETTERS = "ABCDEFGH"
NEWS_SETTINGS = Path(
    ".jupyter/lab/user-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
)
# How long a kernel may take to answer a click on a busy 2-core machine.
REPLY_MS = 20_000
# What the line under a question says when a click could not be saved (course/texts.py).
NOT_SAVED = re.compile("not saved", re.IGNORECASE)


def no_news_question(home: Path) -> None:
    """Answer JupyterLab's "get Jupyter news?" note before it is asked, as a hub's admin can.

    The note sits over the lower right of the notebook until answered, whatever news_url says.
    Everything made here belongs to the home's owner, so their server can still write its
    settings and workspaces under ``~/.jupyter``.
    """
    path = home / NEWS_SETTINGS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"fetchNews": "false"}), encoding="utf-8")
    owner = home.stat()
    for made in [NEWS_SETTINGS, *NEWS_SETTINGS.parents[:-1]]:  # the file and its folders, not "."
        os.chown(home / made, owner.st_uid, owner.st_gid)


class Learner:
    """One learner's browser window on the hub."""

    def __init__(
        self, browser: Browser, hub_url: str, name: str, course_id: str, slug: str, page: Page | None = None
    ):
        """A new window, or ``page``: one the test opened and logged in already."""
        self.name, self.course_id, self.slug = name, course_id, slug
        self.hub_url = hub_url
        if page is None:
            self.context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
            page = self.context.new_page()
        else:
            self.context = page.context
        self.page: Page = page
        self.page.set_default_timeout(60_000)

    @property
    def _key(self) -> str:
        return f"nbgrader-{self.course_id}-{self.slug}"

    def log_in(self, password: str) -> None:
        """Type name and password into the hub's form; the hub starts this learner's server."""
        self.page.goto(f"{self.hub_url}/hub/login")
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", password)
        self.page.click("#login_submit")

    def wait_for_lab(self) -> None:
        self.page.wait_for_url(f"**/user/{self.name}/lab**", timeout=120_000)
        self.page.wait_for_selector("#jp-main-dock-panel .lm-TabBar-tab", timeout=60_000)

    def menu(self, top: str, command: str) -> None:
        self.page.locator(f'#jp-menu-panel .lm-MenuBar-itemLabel:text-is("{top}")').click()
        self.page.locator(f'.lm-Menu li[data-command="{command}"]').click()

    def tab(self, title: str) -> None:
        self.page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=title).first.click()

    def open_assignments(self) -> None:
        self.menu("Nbgrader", "nbgrader:open-assignment-list")
        expect(self.page.locator("#course_list_default")).to_have_text(self.course_id)

    def fetch(self) -> None:
        row = self.page.locator("#released_assignments_list > .list_item", has_text=self.slug)
        row.locator('.item_status button:text-is("Fetch")').click()
        fetched = self.page.locator("#fetched_assignments_list > .list_item", has_text=self.slug)
        expect(fetched).to_have_count(1)

    def open_notebook(self, expected_items: int) -> None:
        """Open the fetched notebook from the Assignments panel and run it all (Run > Run All Cells)."""
        self.page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
        self.page.locator(f'#{self._key} .item_name a:text-is("{self.slug}")').click()
        self.wait_for_kernel()
        self.menu("Run", "runmenu:run-all")
        expect(self.page.locator(".jp-NotebookPanel .cps-item")).to_have_count(expected_items, timeout=90_000)
        self.wait_for_kernel()

    def wait_for_kernel(self) -> None:
        """The status bar names the kernel and says Idle.

        The toolbar's indicator says idle before the notebook has a kernel at all, and a Run All
        clicked then runs nothing; the status bar only names the kernel once it is attached.
        """
        ready = self.page.locator(".jp-StatusBar-TextItem").filter(
            has_text=re.compile(r"\(ipykernel\) \| Idle$")
        )
        expect(ready).to_have_count(1, timeout=90_000)

    def item(self, item_id: str) -> Locator:
        return self.page.locator(".cps-item", has_text=f"({item_id})")

    def choose(self, item_id: str, letter: str, text: str) -> None:
        """Click an option, then wait until the line under the question says it is saved.

        A save that failed says so on that line; then this stops at once, with its words.
        """
        box = self.item(item_id)
        box.get_by_role("radio", name=f"{letter}. {text}", exact=True).check()
        status = box.locator("[role=status]")
        saved = f"Saved: {letter}. {text}"
        either = re.compile(f"{re.escape(saved)}|{NOT_SAVED.pattern}", re.IGNORECASE)
        expect(status, f"{self.name} clicked {letter} in {item_id}").to_contain_text(either, timeout=REPLY_MS)
        shown = status.inner_text()
        assert not NOT_SAVED.search(shown), f"{self.name}'s answer to {item_id} was not saved: {shown}"

    def not_saved_messages(self) -> list[str]:
        """Every "not saved" message on the page now (there should be none)."""
        return self.page.get_by_text(NOT_SAVED).all_inner_texts()

    def write(self, item_id: str, text: str) -> None:
        box = self.item(item_id)
        box.get_by_role("textbox").fill(text)
        expect(box.locator("[role=status]")).to_contain_text(f"Saved ({len(text.split())} words)")

    def _submissions(self) -> Locator:
        return self.page.locator(f"#{self._key}-submissions > .list_item")

    def submit(self) -> None:
        """Submit from the Assignments panel and wait for the new row under "Submitted"."""
        self.tab("Assignments")
        before = self._submissions().count()
        row = self.page.locator("#fetched_assignments_list > .list_item", has_text=self.slug)
        row.locator('.item_status button:text-is("Submit")').click()
        # The list starts with a heading row once anything is submitted.
        expect(self._submissions()).to_have_count(max(before, 1) + 1)

    def fetch_feedback(self) -> None:
        self.tab("Assignments")
        self.page.locator("#refresh_assignments_list").click()
        self.page.locator('#submitted_assignments_list button:text-is("Fetch Feedback")').click()
        expect(self.page.locator(f"#{self._key}-submissions")).to_contain_text("(view feedback)")

    def screenshot(self, folder: Path) -> Path:
        """What this learner's window showed, for a failure message."""
        path = folder / f"{self.name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()
