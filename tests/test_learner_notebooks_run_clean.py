"""Run All on an untouched learner notebook shows no error output anywhere.

Each notebook in modules/ is run top to bottom in a fresh kernel in a temporary folder, as
a learner who has answered nothing yet: no error, nothing on stderr (nbgrader would zero a
graded cell for either), every question shown, and the status line counts zero answers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import error_outputs, execute, outputs_text
from learner_text import module_id_of, module_notebooks

NOTEBOOKS = module_notebooks()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_untouched_notebook_runs_clean(notebook: Path, tmp_path: Path) -> None:
    shutil.copytree(notebook.parent, tmp_path, dirs_exist_ok=True)
    nb = execute(tmp_path / notebook.name)
    assert error_outputs(nb) == []
    data = json.loads((ROOT / "course" / "data" / f"{module_id_of(notebook)}.json").read_text())
    text = outputs_text(nb)
    assert "You have answered 0 of" in text
    for item in data["items"]:
        assert f"({item['id']})" in text, f"{item['id']} is not shown"
    assert not (tmp_path / "answers.json").exists(), "showing questions must not write answers"
