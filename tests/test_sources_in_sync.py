"""What is committed is what the sources make.

``course/data``, ``solutions/`` and ``modules/`` are generated (by ``python -m course.build``
and nbgrader's ``generate_assignment``). Self-paced learners and cohorts use the committed
copies, so these tests rebuild everything in a temporary folder and compare byte for byte:
a content edit without a rebuild, or a hand edit of a generated notebook, fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from learner_text import module_notebooks

from course.build import build
from course.release import release


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != "__init__.py"
    }


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rebuilt")
    build(ROOT, out)
    shutil.copy(ROOT / "nbgrader_config.py", out)
    release(out)
    return out


@pytest.mark.parametrize("folder", ["course/data", "solutions", "modules"])
def test_committed_files_are_what_the_sources_make(rebuilt: Path, folder: str) -> None:
    made, committed = files_under(rebuilt / folder), files_under(ROOT / folder)
    assert sorted(made) == sorted(committed), "files differ: run course.build and course.release"
    stale = [name for name in made if made[name] != committed[name]]
    assert not stale, f"out of date: {stale} (run python -m course.build && python -m course.release)"


def test_release_refuses_answers_files_in_solutions(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    (tmp_path / "solutions" / "01-shared-lived-experience" / "answers.json").write_text("{}")
    with pytest.raises(SystemExit, match="remove the answers files"):
        release(tmp_path)


@pytest.mark.parametrize("notebook", module_notebooks(), ids=lambda p: p.stem)
def test_nbval_references_are_the_current_learner_notebooks(notebook: Path) -> None:
    """nbval's stored-output copies (tests/nbval) must hold the same cells as modules/."""
    reference = ROOT / "tests" / "nbval" / notebook.parent.name / notebook.name
    assert reference.exists(), "run python tests/make_nbval_references.py"
    ours = [(c.cell_type, c.source) for c in nbformat.read(str(notebook), as_version=4).cells]
    theirs = [(c.cell_type, c.source) for c in nbformat.read(str(reference), as_version=4).cells]
    assert ours == theirs, "run python tests/make_nbval_references.py and review the diff"
