"""The notebook view has no traps that make a learner believe their work is lost or saved wrongly.

In the learner notebooks (``modules/``) and their sources (``solutions/``), this proves:

* every code cell is folded (``source_hidden``), and its first line, all JupyterLab shows of
  it, is a plain label ("# Practice question 3. Not showing? Choose Run ▸ Run All Cells."),
  while the cell still makes its one course call and a graded cell's hidden lines stay last;
* the practice exam's topic lines name no count of answers (printed once, it would go stale);
* the save hook (``course.save_hook.plain_questions``) turns every widget view of a run course
  notebook into one plain line and the status line's count into how to see it, and leaves
  other notebooks alone.

In a real JupyterLab started with that hook, in a real headless Chromium, it proves:

* saved, closed and reopened with a new kernel, a module shows no "Error displaying widget" /
  "model not found" anywhere, and each question says how to show it; after Run All the saved
  answer is back;
* after Kernel > Restart (with no Run All), every question says it lost its connection and
  how to bring it back, its controls take no click, and answers.json is not changed; Run All
  then brings the questions back as they were.

Screenshots: ``artifacts/screenshots/trap-reopened.png`` and ``trap-restarted.png``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import nbformat
import pytest
from conftest import ROOT
from helpers import execute
from lab_server import LabServer, Learner, start_lab, stop_lab
from playwright.sync_api import Browser, expect
from test_browser_lab import SCREENSHOTS, radio, saved_line, screenshot

from course import contract, texts
from course.answering import topic_check
from course.items import load_module
from course.save_hook import WIDGET_VIEW, plain_notebook, plain_questions

pytest_plugins = ["lab_server"]

HOOK = "course.save_hook.plain_questions"
SLUG = "01-shared-lived-experience"
COURSE_CALLS = {"status", "ask", "ask_all", "topic_check", "exam_chart", "check_my_work", "my_progress"}


def code_cells(folder: str) -> list[tuple[str, nbformat.NotebookNode]]:
    return [
        (path.stem, cell)
        for path in sorted((ROOT / folder).glob("*/*.ipynb"))
        for cell in nbformat.read(str(path), as_version=4).cells
        if cell.cell_type == "code"
    ]


@pytest.mark.parametrize("folder", ["solutions", "modules"])
def test_every_question_cell_is_folded_to_a_plain_label(folder: str) -> None:
    cells = code_cells(folder)
    assert len(cells) > 100
    for notebook, cell in cells:
        where = f"{notebook} {cell.id}"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{where} is not folded"
        label, _, code = cell.source.partition("\n")
        assert label.startswith("# ") and "(" not in label and "_" not in label, f"{where}: {label!r}"
        shown = contract.calls_in(contract.visible_part(cell.source))
        assert [c.function for c in shown if c.function in COURSE_CALLS], f"{where} calls nothing"
        if contract.HIDDEN_BEGIN in cell.source:
            assert cell.source.rstrip().endswith(contract.HIDDEN_END), f"{where}: hidden lines not last"
        assert "from course import" in code, where


def test_graded_cells_keep_their_grade_ids() -> None:
    for notebook, cell in code_cells("modules"):
        grade = cell.metadata.get("nbgrader", {})
        if grade.get("grade"):
            assert grade["grade_id"] == cell.id, f"{notebook}: {cell.id} vs {grade['grade_id']}"


def test_exam_topic_lines_name_no_count(capsys: pytest.CaptureFixture[str]) -> None:
    exam = load_module("exam")
    for topic, name in exam.topic_names.items():
        topic_check("exam", topic)
        said = capsys.readouterr().out
        assert said.strip() == texts.TOPIC_GRADED_LATER.format(topic=name)
        assert not any(ch.isdigit() for ch in said), said


@pytest.fixture(scope="module")
def run_module(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    """Module 1 run top to bottom with one saved answer, as a learner's kernel draws it."""
    folder = tmp_path_factory.mktemp("run") / SLUG
    shutil.copytree(ROOT / "modules" / SLUG, folder)
    (folder / "answers.json").write_text(
        json.dumps({"format": 1, "module": "m1", "answers": {"m1.g1": {"value": "a"}}}), encoding="utf-8"
    )
    return execute(folder / f"{SLUG}.ipynb")


def widget_views(nb: dict) -> int:
    return sum(WIDGET_VIEW in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))


def test_save_hook_leaves_one_plain_line_per_question(run_module: nbformat.NotebookNode) -> None:
    nb = json.loads(nbformat.writes(run_module))
    asks = [c for c in nb["cells"] if c["cell_type"] == "code" and "ask(" in "".join(c["source"])]
    assert widget_views(nb) >= len(asks) > 5, "the run notebook should hold widget views"
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    model = {"type": "notebook", "content": nb}
    plain_questions(model=model, path=f"{SLUG}/{SLUG}.ipynb", contents_manager=None)
    assert widget_views(nb) == 0
    assert "widgets" not in nb["metadata"]
    for cell in asks:
        lines = [o["data"]["text/markdown"] for o in cell["outputs"] if "text/markdown" in o.get("data", {})]
        assert lines == [texts.REOPENED_QUESTION], cell["id"]
        assert cell["outputs"][0]["data"]["text/plain"] == texts.REOPENED_QUESTION.replace("**", "")
    status = next(c for c in nb["cells"] if c["id"] == contract.status_cell("m1"))
    said = "".join(o.get("text", "") for o in status["outputs"])
    assert texts.REOPENED_COUNT in said and "answered 1 of" not in said
    nbformat.validate(nbformat.from_dict(nb))
    again = json.loads(json.dumps(nb))
    plain_notebook(again)
    assert again == nb, "saving a reopened notebook again changes nothing more"


def test_save_hook_leaves_other_notebooks_alone(run_module: nbformat.NotebookNode) -> None:
    """A learner's own notebook with a widget, or a status() of its own, is not the course's."""
    theirs = json.loads(nbformat.writes(run_module))
    for cell in theirs["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = "import ipywidgets\nstatus = ask = print\nask('mine')"
    before = json.dumps(theirs, sort_keys=True)
    assert plain_notebook(theirs) is False
    assert json.dumps(theirs, sort_keys=True) == before
    text = {"type": "file", "format": "text", "content": "ask('m1.p1')"}
    plain_questions(model=text, path="notes.txt", contents_manager=None)
    assert text["content"] == "ask('m1.p1')"


# ---- in real JupyterLab, with the hook -----------------------------------------------------


@pytest.fixture(scope="module")
def hooked_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """lab_server's JupyterLab, with the save hook set in a config file the server reads."""
    base = tmp_path_factory.mktemp("hooked")
    config = base / "config"
    config.mkdir()
    settings = {"FileContentsManager": {"pre_save_hook": HOOK}}
    (config / "jupyter_server_config.json").write_text(json.dumps(settings), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JUPYTER_CONFIG_PATH", str(config))
        server, process = start_lab(base)
    try:
        yield server
    finally:
        stop_lab(process)


@pytest.fixture()
def learner(browser: Browser, hooked_lab: LabServer) -> Iterator[Learner]:
    """A learner in their own tab of the hooked JupyterLab; kernels are shut down afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{hooked_lab.url}/lab?reset")
    page.locator(".lm-MenuBar-itemLabel").first.wait_for()
    try:
        yield Learner(page, hooked_lab)
    finally:
        context.close()
        hooked_lab.shut_down_kernels()


def graded_choice() -> tuple[str, str, str]:
    """Module 1's first graded question, and the text of the choice the test makes."""
    item = next(i for i in load_module("m1").items.values() if i.kind == "graded")
    return item.id, item.options[1].key, item.options[1].text


def test_saved_module_reopens_without_errors_and_answers_come_back(learner: Learner) -> None:
    server = learner.server
    notebook = server.new_copy(SLUG)
    expected = server.expected_items(notebook)
    item_id, key, text = graded_choice()
    learner.open(notebook)
    learner.run_all(expected)
    learner.item(item_id).locator(".widget-radio-box label", has_text=text).click()
    expect(learner.item(item_id).get_by_role("status")).to_contain_text(saved_line(text))
    learner.save_and_close()

    on_disk = nbformat.read(str(server.root / notebook), as_version=4)
    assert widget_views(on_disk) == 0, "the saved notebook still holds widget views"
    server.shut_down_kernels()  # the next day: a new kernel, with none of the old widgets
    learner.open(notebook)
    page = learner.page
    expect(page.locator(".jp-Notebook .cps-item")).to_have_count(0)
    notes = page.locator(".jp-OutputArea-output", has_text=texts.REOPENED_QUESTION.replace("**", ""))
    expect(notes).to_have_count(expected)
    expect(page.locator(".jp-OutputArea-output", has_text=texts.REOPENED_COUNT)).to_have_count(1)
    shown = page.locator(".jp-Notebook").inner_text()
    assert "model not found" not in shown and "Error displaying widget" not in shown
    assert learner.error_outputs() == []
    screenshot(page, SCREENSHOTS / "trap-reopened.png")

    learner.run_all(expected)
    box = learner.item(item_id)
    expect(radio(box, text)).to_be_checked()
    expect(box.get_by_role("status")).to_contain_text(saved_line(text))
    saved = json.loads((server.root / notebook).parent.joinpath("answers.json").read_text(encoding="utf-8"))
    assert saved["answers"][item_id]["value"] == key


def test_after_a_restart_questions_say_they_lost_their_connection(learner: Learner) -> None:
    server = learner.server
    notebook = server.new_copy(SLUG)
    answers = (server.root / notebook).parent / "answers.json"
    expected = server.expected_items(notebook)
    item_id, _, text = graded_choice()
    other = next(o.text for o in load_module("m1").items[item_id].options if o.text != text)
    learner.open(notebook)
    learner.run_all(expected)
    box = learner.item(item_id)
    box.locator(".widget-radio-box label", has_text=text).click()
    expect(box.get_by_role("status")).to_contain_text(saved_line(text))
    before = answers.read_bytes()

    learner.menu("Kernel", "Restart Kernel…")
    learner.page.locator(".jp-Dialog .jp-mod-accept").click()
    learner.wait_kernel_idle()
    page = learner.page
    lost = page.locator(".cps-item .cps-lost")
    expect(lost).to_have_count(expected)
    expect(box.locator(".cps-lost")).to_have_text(f"⚠ {texts.LOST_CONNECTION} {texts.LOST_CONNECTION_HELP}")
    expect(box.locator(".cps-lost")).to_have_attribute("role", "status")
    live = page.locator(".cps-item input:enabled, .cps-item textarea:enabled, .cps-item select:enabled")
    expect(live).to_have_count(0)

    # force: a learner's mouse clicks whatever it is on; Playwright would wait for an enabled radio.
    box.locator(".widget-radio-box label", has_text=other).click(force=True)
    expect(radio(box, other)).not_to_be_checked()
    expect(radio(box, text)).to_be_checked()  # what the file holds, and still all the page claims
    expect(box.locator(".cps-live")).not_to_contain_text(saved_line(other))
    learner.wait_kernel_idle()
    assert answers.read_bytes() == before, "a click after the restart changed answers.json"
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "trap-restarted.png"))

    learner.run_all(expected)
    expect(lost).to_have_count(0)
    expect(radio(learner.item(item_id), text)).to_be_checked()
