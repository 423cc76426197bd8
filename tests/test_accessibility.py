"""The course's questions can be used without a mouse, by a screen reader, and without colour.

In real JupyterLab in a real headless Chromium, after Run All, this proves:

* axe-core finds no serious or critical problem in any module's outputs and text (JupyterLab's
  own toolbar and editor are left out: they are not the course's to fix);
* with the keyboard alone (Escape, arrow keys to the text above a question, Tab, Shift+Tab,
  Space, typing) a learner reaches a question's choices, picks one and hears/sees its
  feedback, changes it, and writes a reflection; focus is always visibly marked, its outline
  drawn whole (not cut off by the box around the question), and stays where the learner left
  it;
* a question's words, its choices and the reflection box are in the lesson text's size and
  font (not ipywidgets' smaller one, nor a code font);
* every control has an accessible name: each group of choices is a radio group named by its
  question, each choice by its text, each sorting drop-down by its task, the reflection box
  by its label;
* feedback is a live region that stays in place while its words change (a region created
  anew with each answer is often not read out), and it starts with a symbol and a word
  ("✔ Right.", "✖ Not quite.", "Saved:"), never colour alone.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from lab_server import Learner, released_modules
from playwright.sync_api import Locator, expect

from course.items import LETTERS, Item, Module

pytest_plugins = ["lab_server"]


MODULES = released_modules()
AXE_SCOPE = {"include": [[".jp-OutputArea-output"], [".jp-RenderedMarkdown"]]}
SERIOUS = {"serious", "critical"}
FOCUS_SHOWN = """(e) => {
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return e === document.activeElement && (outline || s.boxShadow !== 'none');
}"""
# How many pixels of the focus outline a scrolling or clipping ancestor cuts off (0: none).
OUTLINE_CUT = """(e) => {
  const s = getComputedStyle(e);
  const grow = s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineOffset) + parseFloat(s.outlineWidth);
  const r = e.getBoundingClientRect();
  let cut = 0;
  for (let a = e.parentElement; a && !a.classList.contains('jp-Cell'); a = a.parentElement) {
    const st = getComputedStyle(a);
    if (![st.overflowX, st.overflowY].some((v) => v !== 'visible')) continue;
    const b = a.getBoundingClientRect();
    cut = Math.max(cut, b.left - (r.left - grow), (r.right + grow) - b.right,
                   b.top - (r.top - grow), (r.bottom + grow) - b.bottom);
  }
  return cut;
}"""
# The font of a lesson paragraph, a question's words, its choices and the reflection box.
FONT = "(e) => { const s = getComputedStyle(e); return [s.fontSize, s.fontFamily]; }"
VERDICT = re.compile(r"^\s*(✔ Right\.|✖ Not quite\.)")


def first_with(kind: str, at_least: int = 1) -> Module:
    """The first module with enough items of this kind (so the test need not name a module)."""
    return next(m for _, m in sorted(MODULES.items()) if len(items_of(m, kind)) >= at_least)


def items_of(module: Module, kind: str) -> list[Item]:
    return [i for i in module.items.values() if i.kind == kind]


def show(learner: Learner, module: Module) -> None:
    """Open a fresh copy of the module's notebook, as a new learner would, and Run All."""
    notebook = learner.server.new_copy(module.slug)
    learner.open(notebook)
    learner.run_all(learner.server.expected_items(notebook))


def select_text_above(learner: Learner, item_id: str) -> None:
    """Escape to command mode, then arrow keys to the text cell nearest above a question.

    JupyterLab's arrow keys skip a folded cell (one whose code is hidden), and every question
    cell is folded; so a keyboard user goes to the text they were reading, and Tab takes them
    on into the questions below it.
    """
    cells = learner.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
    target = cells.evaluate_all(
        "(cells, shown) => { const at = cells.findIndex((c) => [...c.querySelectorAll('.cps-id')]"
        ".some((e) => e.textContent === shown));"
        " return cells.slice(0, at).map((c) => c.classList.contains('jp-MarkdownCell')).lastIndexOf(true); }",
        f"({item_id})",
    )
    assert target >= 0, f"no text cell above {item_id}"
    active = "(cells) => cells.findIndex((c) => c.classList.contains('jp-mod-active'))"
    learner.page.keyboard.press("Escape")
    for _ in range(cells.count()):
        now = cells.evaluate_all(active)
        if now == target:
            break
        learner.page.keyboard.press("ArrowUp" if now > target else "ArrowDown")
    expect(cells.nth(target)).to_be_focused()


def tab_to(learner: Learner, control: Locator, most: int = 20) -> None:
    """Press Tab until the control has the focus: the cell's own toolbar buttons, and the
    choices of any question in between, come first."""
    for _ in range(most):
        learner.page.keyboard.press("Tab")
        if control.evaluate("(e) => e === document.activeElement"):
            return
    raise AssertionError(f"{most} presses of Tab did not reach {control}")


def expect_focus_shown(control: Locator) -> None:
    """Focused, with an outline (or shadow) drawn whole: none of it cut off by the output box."""
    expect(control).to_be_focused()
    assert control.evaluate(FOCUS_SHOWN), "the focused control has no visible outline"
    cut = control.evaluate(OUTLINE_CUT)
    assert cut <= 0, f"{cut:.0f} px of the focus outline is cut off"


def live_region(box: Locator) -> Locator:
    """An item's live regions: one for a question; one per task, then the progress line, for a sort."""
    return box.locator('[role="status"], [aria-live="polite"], [aria-live="assertive"]')


@pytest.mark.parametrize("slug", sorted(MODULES))
def test_axe_finds_no_serious_problem(learner: Learner, slug: str) -> None:
    show(learner, MODULES[slug])
    found = Axe().run(learner.page, context=AXE_SCOPE, options={"resultTypes": ["violations"]})
    serious = [v for v in found.response["violations"] if v["impact"] in SERIOUS]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes'][:5]]}" for v in serious
    )
    assert not serious, f"axe found serious problems:\n{report}"


def test_keyboard_alone_answers_and_reflects(learner: Learner) -> None:
    module = first_with("practice", at_least=2)
    item = items_of(module, "practice")[1]
    show(learner, module)
    box = learner.item(item.id)
    radios = box.get_by_role("radio")
    keys = learner.page.keyboard

    select_text_above(learner, item.id)
    tab_to(learner, radios.nth(0))
    expect_focus_shown(radios.nth(0))
    keys.press("Tab")
    expect_focus_shown(radios.nth(1))
    keys.press("Space")
    expect(radios.nth(1)).to_be_checked()
    expect(live_region(box)).to_contain_text(verdict(item, item.options[1].key))
    expect_focus_shown(radios.nth(1))  # still where the learner left it

    keys.press("Shift+Tab")
    expect_focus_shown(radios.nth(0))
    keys.press("Space")
    expect(radios.nth(0)).to_be_checked()
    expect(radios.nth(1)).not_to_be_checked()
    expect(live_region(box)).to_contain_text(verdict(item, item.options[0].key))

    reflection = items_of(module, "reflection")[0]
    text_box = learner.item(reflection.id).get_by_role("textbox")
    select_text_above(learner, reflection.id)
    tab_to(learner, text_box)
    expect_focus_shown(text_box)
    keys.press("End")
    keys.type(" Typed with keys only.")
    expect(text_box).to_have_value(re.compile(r"Typed with keys only\.$"))
    expect(live_region(learner.item(reflection.id))).to_contain_text(re.compile(r"Saved \(\d+ words\)"))


def test_questions_read_like_the_lessons(learner: Learner) -> None:
    """A question's words, its choices and the reflection box: the lesson text's size and font."""
    module = first_with("reflection")
    show(learner, module)
    lesson = learner.page.locator(".jp-RenderedMarkdown p").first.evaluate(FONT)
    for part in (".cps-stem", ".widget-radio-box label", "textarea"):
        shown = learner.page.locator(f".cps-item {part}").first.evaluate(FONT)
        assert shown == lesson, f"{part} is drawn in {shown}, the lessons in {lesson}"


def verdict(item: Item, key: str) -> str:
    return "✔ Right." if key == item.answer else "✖ Not quite."


@pytest.mark.parametrize("kind", ["practice", "sort"])
def test_every_control_has_a_name(learner: Learner, kind: str) -> None:
    module = first_with(kind)
    show(learner, module)
    for item in module.items.values():
        box = learner.item(item.id)
        if item.kind in ("practice", "graded"):
            group = box.get_by_role("radiogroup")
            expect(group).to_have_count(1)
            expect(group).to_have_accessible_name(re.compile(re.escape(item.label)))
            expect(group.get_by_role("radio")).to_have_count(len(item.options))
            for letter, option in zip(LETTERS, item.options, strict=False):
                choice = group.get_by_role("radio", name=f"{letter}. {option.text}", exact=True)
                expect(choice).to_have_count(1)
        elif item.kind == "reflection":
            expect(box.get_by_role("textbox")).to_have_accessible_name(re.compile(r"\w"))
        elif item.kind == "sort":
            expect(box.get_by_role("combobox")).to_have_count(len(item.tasks))
            for task in item.tasks.values():
                expect(box.get_by_role("combobox", name=task["text"])).to_have_count(1)


def test_feedback_is_a_lasting_live_region_not_colour_alone(learner: Learner) -> None:
    module = first_with("practice", at_least=3)
    show(learner, module)
    practice, graded = items_of(module, "practice")[2], items_of(module, "graded")[1]
    wrong = next(o.key for o in practice.options if o.key != practice.answer)
    for item, key, first_words in [
        (practice, practice.answer, VERDICT),
        (practice, wrong, VERDICT),
        (graded, graded.options[0].key, re.compile(r"^\s*Saved: A\. ")),
    ]:
        box = learner.item(item.id)
        region = live_region(box)
        expect(region).to_have_count(1)
        before, words = region.element_handle(), region.inner_text()
        box.locator(".widget-radio-box label", has_text=item.option(key).text).click()
        expect(region).not_to_have_text(words)  # the answer changed, and so did the feedback
        expect(region).to_have_text(first_words)
        assert before.evaluate("(e) => e.isConnected"), "the live region was replaced, not updated"


def test_sorting_feedback_is_a_lasting_live_region(learner: Learner) -> None:
    module = first_with("sort")
    item = items_of(module, "sort")[0]
    show(learner, module)
    box = learner.item(item.id)
    task = list(item.tasks.values())[1]
    wrong = next(label for key, label in item.bins.items() if key != task["answer"])
    regions = live_region(box)
    expect(regions).to_have_count(len(item.tasks) + 1)  # one per task, then the progress line
    before = [regions.nth(1).element_handle(), regions.last.element_handle()]
    box.get_by_role("combobox", name=task["text"]).select_option(label=wrong)
    expect(regions.nth(1)).to_have_text(re.compile(r"^\s*✖ Not quite\."))
    expect(regions.last).to_contain_text(" of ")
    assert all(h.evaluate("(e) => e.isConnected") for h in before), "a live region was replaced"
