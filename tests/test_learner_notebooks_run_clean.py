"""Run All on an untouched learner notebook shows no error output anywhere.

Each notebook in modules/ is run top to bottom in a fresh kernel in a temporary folder, as
a learner who has answered nothing yet: no error, nothing on stderr (nbgrader would zero a
graded cell for either), every question shown, and the status line counts zero answers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import error_outputs, execute, outputs_text
from learner_text import module_id_of, module_notebooks

from course.exam_mode import PAGE_SIZE
from course.items import load_module
from course.order import item_order
from course.store import AnswerStore

NOTEBOOKS = module_notebooks()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_untouched_notebook_runs_clean(notebook: Path, tmp_path: Path) -> None:
    shutil.copytree(notebook.parent, tmp_path, dirs_exist_ok=True)
    nb = execute(tmp_path / notebook.name)
    assert error_outputs(nb) == []
    module = load_module(module_id_of(notebook))
    # A practice exam shows this learner's own form, drawn from the user's seed, a page at a time.
    asked = item_order(module, AnswerStore(module.id, tmp_path).seed())
    shown = asked[:PAGE_SIZE] if module.shuffle else asked
    text = outputs_text(nb)
    assert f"You have answered 0 of {sum(module.items[i].kind != 'sort' for i in asked)}" in text
    for item_id in shown:
        assert f"({item_id})" in text, f"{item_id} is not shown"
    for item_id in set(module.items) - set(shown):
        assert f"({item_id})" not in text, f"{item_id} is shown, but it is not on the learner's first page"
    assert not (tmp_path / "answers.json").exists(), "showing questions must not write answers"
