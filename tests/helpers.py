"""Small helpers the tests share: running notebooks and writing answers files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient


def execute(notebook: Path, env: dict[str, str] | None = None, timeout: int = 120) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel, in its own folder, as Run All does."""
    nb = nbformat.read(str(notebook), as_version=4)
    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
        ).execute()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def outputs_text(nb: nbformat.NotebookNode) -> str:
    """All text a learner would read in the notebook's outputs."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def error_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Errors and stderr text anywhere in the outputs (nbgrader zeroes a cell for either)."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"{out.ename}: {out.evalue}")
            if out.output_type == "stream" and out.name == "stderr":
                found.append(out.text)
    return found


def write_answers(folder: Path, module: str, answers: dict[str, Any], seed: int | None = None) -> Path:
    """An answers file as the course writes it (with the learner's seed, when given)."""
    path = folder / "answers.json"
    entries = {k: {"value": v, "first": v, "changes": 1} for k, v in answers.items()}
    data: dict[str, Any] = {"format": 1, "module": module, "answers": entries}
    if seed is not None:
        data["seed"] = seed
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def nbgrader_api(course: Path):
    """nbgrader's own Python API (what formgrader calls) for a course folder.

    The same converters as the command line, without paying nbgrader's start-up for every
    command; the full command-line round trip is in test_roundtrip_nbgrader.py.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def succeeded(result: dict) -> dict:
    """An nbgrader API result, or a failure that shows nbgrader's own log."""
    assert result["success"], result.get("error") or result.get("log")
    return result


def grade_reflections(
    course: Path, assignment: str, score: float = 0.0, comment: str = "", only: set[str] | None = None
) -> list[str]:
    """Score every reflection of an assignment that waits for hand grading, as formgrader's
    Save does (its grade handler: manual score, then "needs grading" off; its comment handler),
    for the learners in ``only`` (all when None). Returns the learners graded.

    The course holds feedback back until a learner's reflection is graded, so a cohort's
    feedback step comes after this, as it does for a trainer.
    """
    from nbgrader.api import Gradebook

    graded = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            if only is not None and student not in only:
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.needs_manual_grade:
                        grade.manual_score = score
                        grade.needs_manual_grade = False
                        found = gb.find_comment(grade.name, notebook.name, assignment, student)
                        found.manual_comment = comment
                        graded.append(student)
        gb.db.commit()
    return sorted(set(graded))
