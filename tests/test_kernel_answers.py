"""Answers chosen on the widget, as a browser sends them, in real kernels.

A front-end changes a RadioButtons widget by sending the kernel a comm message that updates
its ``index``. These tests send exactly that message to a real IPython kernel, then check the
answers file, the feedback the widget shows, and what a fresh kernel shows on Run All.
"""

from __future__ import annotations

import json
import queue
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import execute
from jupyter_client.manager import start_new_kernel

SLUG = "01-shared-lived-experience"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "modules" / SLUG / f"{SLUG}.ipynb", tmp_path)
    return tmp_path


class Kernel:
    """A real kernel in a folder, with just enough of a front-end to click a widget."""

    def __init__(self, cwd: Path):
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd))

    def run(self, code: str) -> list[dict]:
        """Execute code; return every iopub message it caused."""
        msg_id = self.client.execute(code)
        messages = []
        while True:
            msg = self.client.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return messages

    def click(self, comm_id: str, index: int) -> list[dict]:
        """What the browser sends when a learner picks the option at ``index``."""
        content = {
            "comm_id": comm_id,
            "data": {"method": "update", "state": {"index": index}, "buffer_paths": []},
        }
        msg = self.client.session.msg("comm_msg", content)
        self.client.shell_channel.send(msg)
        updates, deadline = [], time.time() + 10
        while time.time() < deadline:
            try:
                reply = self.client.get_iopub_msg(timeout=1)
            except queue.Empty:
                break
            if reply["msg_type"] == "comm_msg":
                updates.append(reply["content"]["data"])
        return updates

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture()
def kernel(folder: Path) -> Iterator[Kernel]:
    k = Kernel(folder)
    yield k
    k.stop()


def radio_comm(messages: list[dict]) -> str:
    return next(
        m["content"]["comm_id"]
        for m in messages
        if m["msg_type"] == "comm_open"
        and m["content"]["data"]["state"].get("_model_name") == "RadioButtonsModel"
    )


def test_click_on_practice_item_is_saved_and_explained(kernel: Kernel, folder: Path, m1: dict) -> None:
    item = next(i for i in m1["items"] if i["id"] == "m1.p1")
    keys = list(item["options"])
    wrong = next(n for n, k in enumerate(keys) if k != item["answer"])
    updates = kernel.click(radio_comm(kernel.run('from course import ask\nask("m1.p1")')), wrong)
    saved = json.loads((folder / "answers.json").read_text())["answers"]["m1.p1"]
    assert saved["value"] == keys[wrong]
    shown = " ".join(str(u.get("state", {}).get("value", "")) for u in updates)
    assert "Not quite." in shown and item["options"][keys[wrong]]["feedback"].split(".")[0] in shown


def test_click_on_graded_item_confirms_what_was_saved(kernel: Kernel, folder: Path) -> None:
    updates = kernel.click(radio_comm(kernel.run('from course import ask\nask("m1.g2")')), 1)
    assert json.loads((folder / "answers.json").read_text())["answers"]["m1.g2"]["value"] == "b"
    shown = " ".join(str(u.get("state", {}).get("value", "")) for u in updates)
    assert "Saved: B." in shown and "Right." not in shown and "Not quite." not in shown


def test_restart_and_run_all_shows_the_answers_again(kernel: Kernel, folder: Path) -> None:
    kernel.click(radio_comm(kernel.run('from course import ask\nask("m1.g2")')), 2)
    kernel.run('from course import answer\nanswer("m1.r1", "My own words.")')
    kernel.stop()
    nb = execute(folder / f"{SLUG}.ipynb")
    shown = {
        c.id: "".join(o.get("data", {}).get("text/plain", "") for o in c.outputs)
        for c in nb.cells
        if c.cell_type == "code"
    }
    assert "Saved: C." in shown["m1-g2"]
    assert "My own words." in shown["m1-r1"]
    assert "You have answered 2 of" in "".join(o.get("text", "") for o in nb.cells[1].outputs)


def test_two_kernels_writing_one_file_keep_it_readable_and_complete(folder: Path) -> None:
    kernels = [Kernel(folder), Kernel(folder)]
    try:
        ids = [[f"m1.p{n}" for n in range(1, 8)], [f"m1.g{n}" for n in range(1, 8)]]
        for k, mine in zip(kernels, ids, strict=False):
            loop = "\n".join(f'answer("{i}", "a")' for i in mine * 5)
            k.client.execute(f"from course import answer\n{loop}")
        for k in kernels:
            k.run("pass")
        saved = json.loads((folder / "answers.json").read_text())["answers"]
        assert sorted(saved) == sorted(ids[0] + ids[1])
    finally:
        for k in kernels:
            k.stop()
