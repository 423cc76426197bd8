"""nbgrader plugins that grade a submission's answers as data, never running what a learner wrote.

A learner's only input is what they clicked or typed, saved in ``answers.json``. nbgrader's
own ``Execute`` step would run the submitted notebook, and anything a learner added to it
(a cell that replaces the scoring function, hides the hidden cell's result, or prints the
keys into their feedback) would run with it. So ``nbgrader_config.py`` swaps three parts:

* :class:`ReleasedNotebookExporter` reads the *released* notebook (``modules/``) wherever
  nbgrader would read the submitted one. A learner's edited, converted, duplicated or
  deleted cells, markdown, HTML or JavaScript never enter grading, and a submitted
  notebook that is broken, renamed or not JSON at all grades the same as an intact one.
  nbgrader's ``OverwriteCells`` then puts each graded cell's full source (with its hidden
  keys) back from the gradebook, as it always does.
* :class:`GradeAnswers` takes the place of ``Execute``: each code cell gets the outputs the
  course would print, made in this process from the answers file (text only, which every
  viewer escapes), and each graded cell a number that nbgrader reads as its partial credit.
* :func:`graded_notebooks` (a pre-convert hook) and :func:`collect_with_notebook` make sure a
  submission whose notebook was renamed or lost is still graded from its answers file.

Instructors keep nbgrader's commands and formgrader as they are.
"""

from __future__ import annotations

import base64
import glob
import shutil
import textwrap
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells

from . import check_texts, contract, texts
from .answering import graded_text, status_text
from .grading import Mark, mark
from .items import Item, Module, module_by_slug
from .results import by_topic, chart_png, topic_lines
from .store import AnswerStore, Loaded, module_of, seed_for
from .views import reflection_grading_html


class MissingRelease(RuntimeError):
    """The instructor's release folder lacks the notebook a submission is graded against."""


def released_notebook(coursedir: Any, assignment: str, notebook: str) -> Path:
    """Where ``nbgrader generate_assignment`` put the notebook the learners were given."""
    folder = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    path = folder / f"{notebook}.ipynb"
    if not path.is_file():
        raise MissingRelease(
            f"{path} is missing: run 'nbgrader generate_assignment {assignment}' before grading."
        )
    return path


class ReleasedNotebookExporter(NotebookExporter):
    """Reads the released notebook in place of a submitted one (set as Autograde.exporter_class).

    Autograde reads twice: the submission (to sanitize it) and then its own sanitized copy in
    ``autograded/`` (to grade it). Only the first read is redirected.
    """

    def from_filename(self, filename: str, resources: Any = None, **kw: Any) -> Any:
        coursedir = self.parent.coursedir
        submitted = Path(coursedir.root, coursedir.submitted_directory).resolve()
        path = Path(filename).resolve()
        if path.is_relative_to(submitted):
            assignment, notebook = path.parent.name, path.stem
            filename = str(released_notebook(coursedir, assignment, notebook))
        return super().from_filename(filename, resources, **kw)


class RestoreGradedCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, without the warning it gives for every graded cell here.

    It puts each graded cell's full source back from the gradebook, hidden keys included. The
    released copy it starts from has no hidden lines, so every graded cell's checksum differs
    from the gradebook's, always and harmlessly, and nbgrader would print a warning for each
    (sixteen for one learner of Module 1). Any other changed attribute is still reported.
    """

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        if attr != "checksum":
            super().report_change(name, attr, old, new)


# --- grading a notebook from its answers file ------------------------------------------------
def _wrapped(text: str, width: int = 90) -> str:
    """Long lines wrapped: formgrader and feedback pages show text output without wrapping."""
    lines = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        wrapped = textwrap.fill(
            line, width, subsequent_indent=indent + "   ", break_on_hyphens=False, break_long_words=False
        )
        lines.append(wrapped if line.strip() else line)
    return "\n".join(lines)


# Outputs are built as plain nodes: nbformat's constructors validate each one against the
# schema, which cost more than all of the grading itself. nbgrader validates the notebook.
def _stream(text: str) -> nbformat.NotebookNode:
    text = _wrapped(text.rstrip("\n")) + "\n"
    return nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": text})


def _points(total: float, count: int) -> nbformat.NotebookNode:
    """The number nbgrader takes as a graded cell's partial credit."""
    data = {"text/plain": repr(float(total))}
    return nbformat.from_dict(
        {"output_type": "execute_result", "data": data, "metadata": {}, "execution_count": count}
    )


def _chart(module: Module, marks: list[Mark]) -> list[nbformat.NotebookNode]:
    """The practice exam's chart and its words, from the marks of the topic cells above it."""
    topics = by_topic(module, marks)
    if not topics:
        return [_stream(texts.CHART_LATER)]
    png = base64.b64encode(chart_png(module, topics)).decode("ascii")
    words = "\n".join(topic_lines(module, topics))
    data = {"image/png": png, "text/plain": words}
    image = nbformat.from_dict({"output_type": "display_data", "data": data, "metadata": {}})
    return [image, _stream(words)]


def _reflection(item: Item, loaded: Loaded, text: str) -> nbformat.NotebookNode:
    """A reflection as wrapped, labelled prose (formgrader shows HTML), with its text beside it."""
    value = loaded.entries.get(item.id, {}).get("value")
    data = {"text/html": reflection_grading_html(item, value), "text/plain": _wrapped(text)}
    return nbformat.from_dict({"output_type": "display_data", "data": data, "metadata": {}})


class NotebookGrader:
    """The outputs of one notebook's cells, from one parsed answers file."""

    def __init__(self, module: Module | None, loaded: Loaded):
        self.module = module
        self.loaded = loaded
        self.marks: list[Mark] = []

    def visible(self, found: contract.Call) -> list[nbformat.NotebookNode]:
        """What a visible call prints while grading (the course's own words, as text)."""
        name, args = found.function, found.args
        module_id = self.module.id if self.module else ""
        text = ""
        if name == "status" and args == (module_id,):
            text = status_text(module_id, self.loaded, grading=True)
        elif name == "ask" and len(args) == 1 and module_of(str(args[0])) == module_id:
            text = graded_text(module_id, [str(args[0])], self.loaded)
            item = self.module.items.get(str(args[0])) if self.module else None
            if item is not None and item.kind == "reflection":
                return [_reflection(item, self.loaded, text)]
        elif name == "ask_all" and args == (module_id,):
            text = graded_text(module_id, None, self.loaded)
        elif name == "check_my_work":
            text = check_texts.CHECK_WHILE_GRADING
        elif name == "exam_chart" and self.module and args == (module_id,):
            return _chart(self.module, self.marks)
        return [_stream(text)] if text else []

    def graded(self, keys: dict[str, str], points: float, count: int) -> list[nbformat.NotebookNode]:
        """A graded cell's sentences and its points (never above the cell's own maximum)."""
        module_id = self.module.id if self.module else ""
        if not keys or any(module_of(i) != module_id for i in keys):
            return [_stream(texts.GRADE_BROKEN.format(label=module_id, reason="no key")), _points(0.0, count)]
        marks = mark(module_id, keys, self.loaded)
        self.marks += marks
        total = min(sum(m.earned for m in marks), points)
        return [_stream("\n".join(m.sentence for m in marks)), _points(total, count)]

    def outputs(self, cell: nbformat.NotebookNode, count: int) -> list[nbformat.NotebookNode]:
        outputs = [out for found in contract.calls_in(cell.source) for out in self.visible(found)]
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            outputs += self.graded(contract.keys_in(cell.source), float(meta.get("points", 0)), count)
        return outputs


class GradeAnswers(NbGraderPreprocessor):
    """Grades a notebook from its answers file, in place of nbgrader's Execute step."""

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[Any, dict]:
        module = module_by_slug(resources["nbgrader"]["notebook"])
        folder = Path(resources["metadata"]["path"])
        loaded = AnswerStore(module.id, folder, read_only=True).load() if module else Loaded()
        if module and loaded.seed is None:  # the learner's own order, as their notebook drew it
            loaded.seed = seed_for(resources["nbgrader"]["student"])
        grader = NotebookGrader(module, loaded)
        count = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            count += 1
            cell.execution_count = count
            try:
                cell.outputs = grader.outputs(cell, count)
            except Exception as problem:  # noqa: BLE001 - one bad cell must not stop a cohort
                self.log.error("Could not grade cell %s: %s", cell.get("id"), problem)
                reason = type(problem).__name__
                cell.outputs = [_stream(texts.GRADE_BROKEN.format(label=cell.get("id", ""), reason=reason))]
                if cell.metadata.get("nbgrader", {}).get("grade"):
                    cell.outputs.append(_points(0.0, count))
        return nb, resources


class ReflectionsWaitForGrading(NbGraderPreprocessor):
    """Every reflection not yet scored by hand waits in formgrader for its grader (an autograde step).

    nbgrader zeroes every cell of a released notebook it cannot find under its own name in the
    submission, reflections included, and marks them graded. A learner who saved the notebook
    as a copy is still graded from answers.json (``graded_notebooks``), so their reflection is
    there to read: without this step it would get 0 points that no one gave, and no one would
    be asked to read it.
    """

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[Any, dict]:
        from nbgrader.api import Gradebook

        where = resources["nbgrader"]
        cells = [c.metadata.get("nbgrader", {}) for c in nb.cells]
        tasks = [meta["grade_id"] for meta in cells if meta.get("task")]
        if not tasks:
            return nb, resources
        with Gradebook(where["db_url"]) as gradebook:  # as nbgrader's own SaveAutoGrades opens it
            submission = (where["notebook"], where["assignment"], where["student"])
            for grade_id in tasks:
                grade = gradebook.find_grade(grade_id, *submission)
                if grade.manual_score is None:
                    grade.auto_score = None
                    grade.needs_manual_grade = True
            gradebook.db.commit()
        return nb, resources


class KeepHeadingsOnly(NbGraderPreprocessor):
    """Shortens the graded copy's teaching text to its headings (an autograde step).

    The graded copy is for grading: formgrader shows all of it, and a module's lessons put the
    reflection thousands of pixels down the page. Each lesson cell keeps its headings, so the
    instructor still sees where each question sits; nbgrader's own cells (the rubric) are kept.
    """

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[Any, dict]:
        kept = []
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "nbgrader" not in cell.metadata:
                cell.source = "\n".join(line for line in cell.source.splitlines() if line.startswith("#"))
                if not cell.source:
                    continue
            kept.append(cell)
        nb.cells = kept
        return nb, resources


# --- submissions whose notebook was renamed or lost ------------------------------------------
def _released_names(release: Path, assignment: str) -> list[str]:
    return sorted(p.name for p in (release / assignment).glob("*.ipynb"))


def graded_notebooks(release: Path, notebooks: list[str], **_: Any) -> None:
    """Pre-convert hook: grade the released notebook names of each submission folder.

    nbgrader skips a submitted notebook whose name it does not know (a learner's
    "Copy1"), which would score the learner 0. Every notebook is graded from the answers
    file, so the list is set to the released names whatever the folder holds.
    """
    if not notebooks:
        return
    folder = Path(notebooks[0]).parent
    expected = [str(folder / name) for name in _released_names(release, folder.name)]
    if expected and sorted(notebooks) != expected:
        print(
            f"[course] {folder.parent.name}: notebook(s) {', '.join(Path(n).name for n in notebooks)} "
            f"do not match the released names; grading {folder.name} from answers.json."
        )
        notebooks[:] = expected


class ReleasedNotebookForLostOnes:
    """``nbgrader collect`` that gives a submission with no notebook the released one.

    nbgrader only grades a submission folder that holds a notebook; a learner who deleted
    or renamed theirs still has their answers in answers.json, so the released notebook is
    put beside it (marked in the log) and autograde grades their answers. A mixin over the
    collect step of whichever exchange the hub uses: nbgrader's folder (TLJH) or ngshare
    (Kubernetes), which both write the submissions into ``submitted/``.
    """

    def copy_files(self) -> None:
        super().copy_files()
        course, assignment = self.coursedir, self.coursedir.assignment_id
        release = Path(course.format_path(course.release_directory, ".", assignment))
        submitted = course.format_path(course.submitted_directory, "*", assignment)
        for target in sorted(Path(p) for p in glob.glob(submitted)):
            for notebook in release.glob("*.ipynb"):
                if not (target / notebook.name).exists() and (target / "answers.json").is_file():
                    shutil.copyfile(notebook, target / notebook.name)
                    self.log.warning(
                        "%s: no %s in the submission; the released copy was added so answers.json is graded.",
                        target.parent.name,
                        notebook.name,
                    )


def collect_with_notebook(exchange: str) -> type:
    """The collect step of ``exchange`` ("ngshare", or nbgrader's own folder), with the mixin above."""
    if exchange == "ngshare":
        from ngshare_exchange import ExchangeCollect as base
    else:
        base = ExchangeCollect
    return type("CollectWithNotebook", (ReleasedNotebookForLostOnes, base), {"__module__": __name__})
