"""Every learner notebook works for a learner in real JupyterLab, in a real headless Chromium.

For each released module (each test in its own fresh copy of the module's
folder, served from a temporary copy of ``modules/``) this proves, through the same clicks
and keys a learner uses:

* Run All shows every course widget (one per ``ask`` cell; for a practice exam's
  ``ask_all``, the first page of ten of the learner's own questions) and no error, no stderr,
  no "Error displaying widget";
* a practice answer shows its feedback ("Right." or "Not quite.", whichever the key says);
  a graded answer shows "Saved: <letter>. <text>"; a reflection shows its word count; a
  sorting task shows its verdict;
* all of it is in ``answers.json`` beside the notebook;
* after Kernel > Restart Kernel and Clear Outputs, then Run All, and again after saving
  and closing the notebook (Ctrl+S, File > Close Tab), opening it again and Run All, the
  same answers are selected, the same reflection is back and the questions come in the same
  order (on Module 1, Module 4 and the practice exams: the mechanism is the same in every
  module).

It also saves a screenshot of each module to ``artifacts/screenshots/<slug>.png``.

The course's code cells are folded (JupyterLab shows only their first line, a plain label),
and JupyterLab draws no [*] or [n] prompt for a folded cell, so Run All is followed by the
notebook's own progress indicator ("Executed 3/20 cells", then idle): ``Learner.run_all``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from lab_server import LabServer, Learner, released_modules
from playwright.sync_api import Locator, Page, expect

from course.items import Item

pytest_plugins = ["lab_server"]

MODULES = released_modules()
# Restarting, closing and reopening work alike in every module (one widget code, one answers
# file), so the whole cycle runs on Module 1, on Module 4 (it has every kind of question, a
# sorting exercise too) and on both practice exams (drawn forms, pages); every module is
# opened, run, answered and saved.
FULL_CYCLE = {"01-shared-lived-experience", "04-role-of-a-peer-specialist"}
FULL_CYCLE |= {slug for slug, module in MODULES.items() if module.shuffle}
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
REFLECTION = "I felt heard when my peer said they had been there too."
KINDS = ("practice", "graded", "reflection", "sort")


@dataclass(frozen=True)
class Answers:
    """What the test answers in one module: the first item of every kind the module has."""

    module: str
    practice: tuple[Item, str] | None  # the item, the key of the option chosen
    graded: tuple[Item, str] | None
    reflection: Item | None
    sort: tuple[Item, str] | None  # the item, the task sorted (into its right group)

    @staticmethod
    def plan(slug: str, shown: list[str]) -> Answers:
        """The first item of each kind among those on the page (a practice exam shows a page of
        the learner's own form)."""
        module = MODULES[slug]
        items = [module.items[i] for i in shown]
        first = {kind: next((i for i in items if i.kind == kind), None) for kind in KINDS}
        practice, graded, sort = first["practice"], first["graded"], first["sort"]
        return Answers(
            module=module.id,
            # The last option: right in some modules, wrong in others, so both words are seen.
            practice=(practice, practice.options[-1].key) if practice else None,
            graded=(graded, graded.options[2].key) if graded else None,
            reflection=first["reflection"],
            sort=(sort, next(iter(sort.tasks))) if sort else None,
        )


def verdict_word(item: Item, key: str) -> str:
    return "Right." if key == item.answer else "Not quite."


def saved_line(text: str) -> re.Pattern[str]:
    """The line 'Saved: C. <text>'; the letter depends on the learner's own order in the exam."""
    return re.compile(rf"Saved: [A-H]\. {re.escape(text)}")


def radio(item: Locator, text: str) -> Locator:
    """An option's radio button, by its accessible name ("C. <option text>")."""
    return item.get_by_role("radio", name=re.compile(rf"^[A-H]\. {re.escape(text)}$"))


def answer_everything(learner: Learner, todo: Answers) -> None:
    """Click, choose and type as a learner would; wait for the kernel's reply each time."""
    if todo.practice:
        item, key = todo.practice
        box = learner.item(item.id)
        box.locator(".widget-radio-box label", has_text=item.option(key).text).click()
        expect(box.get_by_role("status")).to_contain_text(verdict_word(item, key))
    if todo.graded:
        item, key = todo.graded
        box = learner.item(item.id)
        text = item.option(key).text
        box.locator(".widget-radio-box label", has_text=text).click()
        expect(box.get_by_role("status")).to_contain_text(saved_line(text))
    if todo.reflection:
        box = learner.item(todo.reflection.id)
        box.get_by_role("textbox").press_sequentially(REFLECTION)
        expect(box.get_by_role("status")).to_contain_text(f"Saved ({len(REFLECTION.split())} words)")
    if todo.sort:
        item, task = todo.sort
        box = learner.item(item.id)
        box.get_by_role("combobox").first.select_option(label=item.bins[item.tasks[task]["answer"]])
        expect(box.get_by_role("status").first).to_contain_text("Right.")  # the first task's feedback
        expect(box.get_by_role("status").last).to_contain_text(f"1 of {len(item.tasks)} sorted")


def expect_answers_shown(learner: Learner, todo: Answers) -> None:
    """What a learner sees once their answers are read back from answers.json."""
    if todo.practice:
        item, key = todo.practice
        box = learner.item(item.id)
        expect(radio(box, item.option(key).text)).to_be_checked()
        expect(box.get_by_role("status")).to_contain_text(verdict_word(item, key))
    if todo.graded:
        item, key = todo.graded
        box = learner.item(item.id)
        expect(radio(box, item.option(key).text)).to_be_checked()
        expect(box.get_by_role("status")).to_contain_text(saved_line(item.option(key).text))
    if todo.reflection:
        expect(learner.item(todo.reflection.id).get_by_role("textbox")).to_have_value(REFLECTION)
    if todo.sort:
        item, task = todo.sort
        menu = learner.item(item.id).get_by_role("combobox").first
        expect(menu.locator("option:checked")).to_have_text(item.bins[item.tasks[task]["answer"]])


def expect_answers_saved(folder: Path, todo: Answers) -> None:
    # The word count on screen can settle before the last keystroke reaches the kernel (a
    # final "." adds no word), so give the last few typed characters a moment to be saved.
    deadline = time.monotonic() + 10
    while True:
        saved: dict[str, Any] = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
        values = {k: v["value"] for k, v in saved["answers"].items()}
        if not todo.reflection or values.get(todo.reflection.id) == REFLECTION or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert saved["module"] == todo.module
    if todo.practice:
        assert values[todo.practice[0].id] == todo.practice[1]
    if todo.graded:
        assert values[todo.graded[0].id] == todo.graded[1]
    if todo.reflection:
        assert values[todo.reflection.id] == REFLECTION
    if todo.sort:
        item, task = todo.sort
        assert values[item.id] == {task: item.tasks[task]["answer"]}


def screenshot(page: Page, path: Path) -> None:
    """The whole notebook in one picture: grow the window until the notebook needs no scrolling.

    The notebook scrolls inside JupyterLab's own panel, so a "full page" screenshot of the
    window shows only one screen. Off-screen cells are drawn lazily (content-visibility) at a
    guessed height, so the notebook is measured again once they are drawn.
    """
    size = page.viewport_size or {"width": 1280, "height": 900}
    panel = page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first
    measure = """(outer) => {
      outer.scrollTop = 0;
      const cells = outer.querySelector('.jp-WindowedPanel-viewport').getBoundingClientRect().height;
      return Math.ceil(cells + 40 - outer.clientHeight);
    }"""
    for _ in range(5):
        missing = panel.evaluate(measure)
        if missing <= 0:
            break
        height = min(page.viewport_size["height"] + missing, 16_000)
        page.set_viewport_size({"width": size["width"], "height": height})
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


@pytest.mark.parametrize("slug", sorted(MODULES))
def test_module_in_jupyterlab(learner: Learner, lab: LabServer, slug: str) -> None:
    notebook = lab.new_copy(slug)
    folder = (lab.root / notebook).parent
    expected = lab.expected_items(notebook)
    assert expected > 0

    learner.open(notebook)
    learner.run_all(expected)  # fails unless every widget is drawn, with no error or stderr
    order = learner.item_ids()
    assert len(order) == expected
    todo = Answers.plan(slug, order)
    answer_everything(learner, todo)
    expect_answers_saved(folder, todo)
    screenshot(learner.page, SCREENSHOTS / f"{slug}.png")
    if slug not in FULL_CYCLE:
        return

    learner.restart_and_clear()
    learner.run_all(expected)
    expect_answers_shown(learner, todo)
    assert learner.item_ids() == order

    learner.save_and_close()
    learner.open(notebook)
    learner.run_all(expected)
    expect_answers_shown(learner, todo)
    assert learner.item_ids() == order
    expect_answers_saved(folder, todo)
