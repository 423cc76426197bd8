"""Check my work grades a self-paced learner's module with the autograder's own marking code.

Real checks on copies of the released Module 1 and practice exam beside the repo's solutions/,
with answers files written as the course writes them. Proves: all right gives full marks on
every item of the results page; half right gives exactly its partial score per item, with the
best answer, why, and a link to the section to reread for each item answered wrongly (never
for one not answered yet); the practice exam is scored per topic; a blank module, a hub
learner without solutions/ and a damaged instructor notebook each get their kind message; the
learner's notebook and answers file are byte-for-byte unchanged; nothing is written under the
shared temporary folder; the button shows without checking, stays silent while nbgrader
grades, and runs the check when clicked in a real kernel. (That the points equal nbgrader
autograde's for every item of every module is shown in test_roundtrip_all_modules.py.)
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import write_answers
from jupyter_client.manager import start_new_kernel

from course import check_texts as say
from course.check_button import check_my_work
from course.check_page import PAGE_FILE
from course.check_results import RESULTS_FILE
from course.pages import anchor
from course.selfcheck import check, find_solutions

M1 = "01-shared-lived-experience"
EXAM = "13-practice-exam"
ROW = re.compile(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>')


def course_folder(base: Path, slugs: tuple[str, ...] = (M1,)) -> Path:
    """A learner's copy of the course: released modules, solutions/ and the content."""
    for slug in slugs:
        shutil.copytree(ROOT / "modules" / slug, base / "modules" / slug)
        shutil.copytree(ROOT / "solutions" / slug, base / "solutions" / slug)
    shutil.copytree(ROOT / "content" / "items", base / "content" / "items")
    return base


def graded(items: list[dict]) -> list[dict]:
    return [i for i in items if i["kind"] == "graded"]


def wrong_key(item: dict) -> str:
    return next(k for k in item["options"] if k != item["answer"])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def table(page: str) -> dict[str, tuple[str, str]]:
    """The results table of a page: label -> (points, what next), as a learner reads them."""
    cells = ([html.unescape(cell) for cell in row] for row in ROW.findall(page))
    return {label: (points, advice) for label, points, advice in cells}


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The learner's temporary folder (TMPDIR): the check must leave nothing in it."""
    return tmp_path_factory.mktemp("tmp")


def learner_env(tmp: Path) -> dict[str, str]:
    """The environment of a learner's terminal or kernel: not grading, temporary files here."""
    return {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"} | {"TMPDIR": str(tmp)}


@pytest.fixture(scope="module")
def all_right(tmp_path_factory: pytest.TempPathFactory, m1: dict, tmp: Path) -> dict:
    """A learner who answered everything right checks from a terminal, as the README says."""
    course = course_folder(tmp_path_factory.mktemp("learner"))
    folder = course / "modules" / M1
    reflection = next(i["id"] for i in m1["items"] if i["kind"] == "reflection")
    write_answers(
        folder, "m1", {**{i["id"]: i["answer"] for i in graded(m1["items"])}, reflection: "I listen."}
    )
    before = snapshot(folder)
    env = learner_env(tmp)
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "course.selfcheck", M1], cwd=course, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    print(f"check from a terminal: {seconds:.1f} s", file=sys.stderr)
    return {"folder": folder, "before": before, "run": run, "tmp": tmp}


def test_all_right_gets_full_marks_on_every_item(all_right: dict, m1: dict) -> None:
    run, folder = all_right["run"], all_right["folder"]
    assert run.returncode == 0, run.stderr
    rows = table((folder / PAGE_FILE).read_text(encoding="utf-8"))
    items = graded(m1["items"])
    for item in items:
        assert rows[f"Graded question {item['id'].split('.g')[1]}"] == ("1 of 1", say.NEXT_WELL_DONE)
    assert rows["Reflection 1"] == (say.NOT_SCORED, say.NEXT_REFLECTION)
    saved = json.loads((folder / RESULTS_FILE).read_text(encoding="utf-8"))
    assert (saved["module"], saved["earned"], saved["possible"]) == ("m1", len(items), len(items))
    assert {p["id"]: p["earned"] for p in saved["parts"] if p["kind"] == "item"} == {
        i["id"]: 1.0 for i in items
    }
    assert f"You earned {len(items)} of {len(items)} points" in run.stdout
    assert (folder / PAGE_FILE).as_uri() in run.stdout


def test_the_learners_files_are_never_changed(all_right: dict) -> None:
    folder, before = all_right["folder"], all_right["before"]
    after = snapshot(folder)
    assert {name: after[name] for name in before} == before
    assert set(after) - set(before) == {PAGE_FILE, RESULTS_FILE}
    assert list(all_right["tmp"].iterdir()) == [], "the check left files in the shared temporary folder"


def test_no_page_shows_hidden_tests_or_mark_schemes(all_right: dict) -> None:
    page = (all_right["folder"] / PAGE_FILE).read_text(encoding="utf-8")
    assert not [s for s in ("HIDDEN TESTS", "score(", "MARK SCHEME") if s in page]
    assert "Graded question 3: correct." in page


def test_half_right_gets_exactly_its_partial_score(tmp_path: Path, m1: dict) -> None:
    course = course_folder(tmp_path)
    folder = course / "modules" / M1
    items = graded(m1["items"])
    half = len(items) // 2
    answers = {i["id"]: (i["answer"] if n < half else wrong_key(i)) for n, i in enumerate(items[:-1])}
    write_answers(folder, "m1", answers)  # the last graded question is left blank
    before = snapshot(folder)
    started = time.perf_counter()
    outcome = check(folder)
    print(f"check in the learner's kernel: {time.perf_counter() - started:.2f} s", file=sys.stderr)
    assert outcome.status == "checked", outcome.message
    assert {p.id: p.earned for p in outcome.parts if p.kind == "item"} == {
        i["id"]: (1.0 if n < half else 0.0) for n, i in enumerate(items)
    }
    assert (outcome.earned, outcome.possible) == (half, len(items))
    rows = table((folder / PAGE_FILE).read_text(encoding="utf-8"))
    wrong = items[half]
    assert rows[f"Graded question {wrong['id'].split('.g')[1]}"] == (
        "0 of 1",
        say.NEXT_REREAD.format(section=wrong["review"]),
    )
    assert rows[f"Graded question {items[-1]['id'].split('.g')[1]}"] == ("0 of 1", say.NEXT_ANSWER)
    page = html.unescape((folder / PAGE_FILE).read_text(encoding="utf-8"))
    best = wrong["options"][wrong["answer"]]
    assert say.PAGE_BEST.format(best=best["text"])[: -len(best["text"])] in page and best["text"] in page
    assert " ".join(best["feedback"].split()).removeprefix("Right.").strip() in page
    assert f'href="{M1}.ipynb{anchor(wrong["review"])}"' in page
    blank = items[-1]["options"][items[-1]["answer"]]["text"]
    missed_section = page.split(say.PAGE_MISSED)[1].split(say.PAGE_EACH_QUESTION)[0]
    assert blank not in missed_section, "the key of a question not answered yet is shown"
    assert snapshot(folder)[f"{M1}.ipynb"] == before[f"{M1}.ipynb"]
    assert snapshot(folder)["answers.json"] == before["answers.json"]


def test_practice_exam_is_scored_by_area_on_the_learners_own_form(tmp_path: Path, sources: dict) -> None:
    """The learner answers every question of the bank (as if they could see it all): only the
    15 per area of their own form count, and the area they got wrong points to its modules."""
    exam = sources["exam"]
    folder = course_folder(tmp_path, (EXAM,)) / "modules" / EXAM
    weak = exam["topics"][0]
    answers = {i["id"]: (wrong_key(i) if i["topic"] == weak else i["answer"]) for i in exam["items"]}
    write_answers(folder, "exam", answers, seed=777)
    # This learner renamed the notebook: the answers file is what counts, so the released
    # copy is graded in its place.
    (folder / f"{EXAM}.ipynb").rename(folder / "my exam.ipynb")
    outcome = check(folder)
    assert outcome.status == "checked", outcome.message
    per_area = exam["draw"]["per_area"]
    expected = {area: (0.0 if area == weak else float(per_area), float(per_area)) for area in exam["topics"]}
    assert {p.id: (p.earned, p.possible) for p in outcome.parts} == expected
    page = (folder / PAGE_FILE).read_text(encoding="utf-8")
    reviews = [next(m for m in sources.values() if m["slug"] == slug) for slug in exam["review_module"][weak]]
    assert table(page)[exam["topic_names"][weak]][1] == " ".join(
        say.NEXT_REVIEW_MODULE.format(number=m["number"], title=m["title"]) for m in reviews
    )
    assert '<img alt="' in page and "data:image/png;base64," in page
    assert "graded after you submit" not in page


def test_solutions_are_found_beside_the_modules_or_where_the_learner_says(tmp_path: Path) -> None:
    course = course_folder(tmp_path / "course")
    elsewhere = tmp_path / "elsewhere" / M1
    shutil.copytree(course / "modules" / M1, elsewhere)
    assert find_solutions(course / "modules" / M1, M1) == course / "solutions"
    assert find_solutions(elsewhere, M1) is None
    assert find_solutions(elsewhere, M1, course) == course / "solutions"
    assert find_solutions(elsewhere, M1, course / "solutions") == course / "solutions"
    (course / "solutions" / M1 / f"{M1}.ipynb").unlink()
    assert find_solutions(course / "modules" / M1, M1) is None


def test_an_unknown_module_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-notes").mkdir()
    for target in ("07-no-such-module", "my-notes"):
        outcome = check(target)
        assert (outcome.status, outcome.message) == ("unknown", say.CHECK_UNKNOWN_FOLDER.format(where=target))


def test_blank_module_gets_a_kind_message_and_no_check(tmp_path: Path) -> None:
    folder = course_folder(tmp_path) / "modules" / M1
    outcome = check(folder)
    write_answers(folder, "m1", {"m1.p1": "a"})  # practice only: still nothing graded to check
    practice_only = check(folder)
    for result in (outcome, practice_only):
        assert (result.status, result.message) == ("unanswered", say.CHECK_UNANSWERED)
    assert not (folder / RESULTS_FILE).exists() and not (folder / PAGE_FILE).exists()


def test_hub_learner_without_solutions_is_sent_to_submit(tmp_path: Path, m1: dict) -> None:
    folder = tmp_path / "cps-course" / M1  # where a hub learner's fetched module lives
    shutil.copytree(ROOT / "modules" / M1, folder)
    write_answers(folder, "m1", {i["id"]: i["answer"] for i in graded(m1["items"])})
    outcome = check(folder)
    assert (outcome.status, outcome.message) == ("no-solutions", say.CHECK_NO_SOLUTIONS)
    assert "Submit" in outcome.message and "Assignments tab" in outcome.message
    assert not (folder / RESULTS_FILE).exists()


def test_a_damaged_instructor_notebook_is_explained_and_changes_nothing(tmp_path: Path, m1: dict) -> None:
    course = course_folder(tmp_path)
    (course / "solutions" / M1 / f"{M1}.ipynb").write_text("{not a notebook", encoding="utf-8")
    folder = course / "modules" / M1
    write_answers(folder, "m1", {"m1.g1": "a"})
    before = snapshot(folder)
    outcome = check(folder)
    assert outcome.status == "failed"
    assert outcome.message == say.CHECK_FAILED.format(reason="JSONDecodeError")
    assert "answers are safe" in outcome.message
    assert snapshot(folder) == before


def test_every_module_ends_with_the_button_outside_nbgrader() -> None:
    for notebook in sorted((ROOT / "modules").glob("0[0-6]-*/*.ipynb")):
        last = json.loads(notebook.read_text(encoding="utf-8"))["cells"][-1]
        assert "nbgrader" not in last["metadata"], notebook.name
        assert re.fullmatch(
            r'(# [^\n]*\n)?from course import check_my_work\ncheck_my_work\("\w+"\)', "".join(last["source"])
        )


def test_while_nbgrader_grades_the_button_prints_one_line_and_checks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], m1: dict
) -> None:
    folder = course_folder(tmp_path) / "modules" / M1
    write_answers(folder, "m1", {i["id"]: i["answer"] for i in graded(m1["items"])})
    monkeypatch.chdir(folder)
    for mode in ("autograde", "validate"):
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        check_my_work("m1")
        assert capsys.readouterr().out == say.CHECK_WHILE_GRADING + "\n"
    assert not (folder / RESULTS_FILE).exists()


class Kernel:
    """A real kernel with just enough of a front-end to display and click a widget."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env)

    def wait(self, msg_id: str, timeout: float) -> list[dict]:
        """Every iopub message caused by one request, until the kernel is idle again."""
        messages, deadline = [], time.time() + timeout
        while time.time() < deadline:
            msg = self.client.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return messages
        raise TimeoutError(msg_id)

    def run(self, code: str) -> list[dict]:
        return self.wait(self.client.execute(code), 60)

    def click(self, comm_id: str) -> list[dict]:
        """What the browser sends when a learner clicks a Button."""
        content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
        msg = self.client.session.msg("comm_msg", content)
        self.client.shell_channel.send(msg)
        return self.wait(msg["header"]["msg_id"], 180)

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def test_the_button_checks_only_when_clicked(tmp_path: Path, m1: dict, tmp: Path) -> None:
    folder = course_folder(tmp_path) / "modules" / M1
    write_answers(folder, "m1", {i["id"]: i["answer"] for i in graded(m1["items"])})
    kernel = Kernel(folder, learner_env(tmp))
    try:
        shown = kernel.run('from course import check_my_work\ncheck_my_work("m1")')
        button = next(
            m
            for m in shown
            if m["msg_type"] == "comm_open"
            and m["content"]["data"]["state"].get("_model_name") == "ButtonModel"
        )
        assert button["content"]["data"]["state"]["description"] == say.CHECK_BUTTON
        assert not (folder / RESULTS_FILE).exists(), "showing the button must not run a check"
        said = json.dumps(
            [m["content"] for m in kernel.click(button["content"]["comm_id"])], ensure_ascii=False
        )
    finally:
        kernel.stop()
    assert say.CHECK_RUNNING in said and f"You earned {len(graded(m1['items']))} of" in said
    assert json.loads((folder / RESULTS_FILE).read_text(encoding="utf-8"))["earned"] == len(
        graded(m1["items"])
    )
