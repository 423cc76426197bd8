"""Build the course from its text sources: ``python -m course.build``.

``content/items/<module>.yaml`` (items, with answers) and ``content/modules/<slug>.md``
(teaching text) become

* ``course/data/<module>.json``: what learners' kernels read; graded answers, graded
  explanations and reflection rubrics are left out, and
* ``solutions/<slug>/<slug>.ipynb``: the instructor notebook, nbgrader's source, whose graded
  cells end in hidden ``score(...)`` calls holding the answers, and which ends with the
  "Check my work" button for self-paced learners.

``content/modules/14-my-progress.md`` becomes the "My progress" notebook: no items and no
graded cells, but in ``solutions/`` like a module, so nbgrader releases it to a cohort too.

Building is deterministic, so a test can rebuild into a temporary folder and compare.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import yaml

from course import contract, home, texts
from course.contract import PROGRESS_SLUG
from course.items import FRAMEWORK, Item

ROOT = Path(__file__).resolve().parent.parent
ITEM_LINE = re.compile(r"^\{\{\s*item\s+([\w.]+)\s*\}\}\s*$")
PROGRESS_LINE = re.compile(r"^\{\{\s*progress\s*\}\}\s*$")
# A practice exam shows all its questions in one cell, in each learner's own order.
QUESTIONS_LINE = re.compile(r"^\{\{\s*questions\s*\}\}\s*$")
# The status cell imports the calls a learner may type (answer, ask) as well as status.
STATUS_IMPORT = "from course import answer, ask, status\n"
LEARNER_FIELDS = {
    "practice": ("id", "kind", "topic", "objective", "competencies", "stem", "options", "answer"),
    "graded": ("id", "kind", "topic", "objective", "competencies", "stem", "options", "review", "points"),
    "reflection": ("id", "kind", "topic", "objective", "competencies", "prompt", "points"),
    "sort": ("id", "kind", "topic", "objective", "competencies", "stem", "bins", "tasks"),
}
LOCKED = {"editable": False, "deletable": False}
# JupyterLab folds a cell's code away when its metadata says so, and shows only its first
# line, which for the course's cells is a plain label (texts.CELL_*): a learner sees the
# question, not the code that shows it.
FOLDED = {"source_hidden": True}


class ContentError(ValueError):
    """A mistake in the content files, reported with the file and item it is in."""


def read_framework(root: Path) -> dict[str, Any]:
    """The certification's competencies (numbered 1-17) and the exam's areas, from content/."""
    return yaml.safe_load((root / "content" / "framework.yaml").read_text(encoding="utf-8"))


def read_module(items_file: Path, framework: dict[str, Any] | None = None) -> dict[str, Any]:
    """A module's items file, checked; a practice exam form gets its items from its bank."""
    framework = framework or read_framework(items_file.parents[2])
    data = yaml.safe_load(items_file.read_text(encoding="utf-8"))
    if "bank" in data:
        data["items"] = from_bank(items_file.parents[1] / data["bank"], data["module"])
    if "draw" in data:
        exam_form(items_file.name, data, framework)
    known = set(framework["competencies"])
    for field in ("module", "number", "slug", "title", "minutes", "objectives", "items"):
        if field not in data:
            raise ContentError(f"{items_file.name}: missing top-level field {field!r}")
    for item in data["items"]:
        kind = item.get("kind")
        if kind not in LEARNER_FIELDS:
            raise ContentError(f"{items_file.name}: {item.get('id')}: unknown kind {kind!r}")
        if not str(item["id"]).startswith(data["module"] + "."):
            raise ContentError(f"{items_file.name}: {item['id']} does not start with {data['module']}.")
        if kind in ("practice", "graded") and item.get("answer") not in item.get("options", {}):
            raise ContentError(f"{items_file.name}: {item['id']}: answer is not one of the options")
        unknown = set(item.get("competencies", [])) - known
        if unknown:
            raise ContentError(f"{items_file.name}: {item['id']}: no competency numbered {sorted(unknown)}")
    return data


def read_bank(folder: Path) -> list[dict[str, Any]]:
    """Every item of a practice exam bank (``content/exam-bank/<area>.yaml``), with its area.

    Items are numbered in the bank (``g801``: hundreds for the area, as in content/framework.yaml)
    and take their area from their file.
    """
    items = []
    for path in sorted(folder.glob("*.yaml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        items += [{"area": part["area"], **item} for item in part["items"]]
    return items


def from_bank(folder: Path, module_id: str) -> list[dict[str, Any]]:
    """The bank's items named for one form: g801 -> exam.g801 in the full form, short.g801 in the short."""
    return [{**item, "id": f"{module_id}.{item['id']}"} for item in read_bank(folder)]


def exam_form(name: str, data: dict[str, Any], framework: dict[str, Any]) -> None:
    """Make a practice exam form's topics the exam's areas, and check its bank can fill it.

    Each item names its ``area``; the form's topics, their names and their order are the
    framework's areas, and every area must hold enough items for the slice the form draws.
    """
    areas = framework["areas"]
    need = data["draw"]["first"] + data["draw"]["per_area"]
    for item in data["items"]:
        if item.get("area") not in areas:
            raise ContentError(f"{name}: {item['id']}: area {item.get('area')!r} is not an exam area")
        item["topic"] = item["objective"] = item["area"]
    for area in areas:
        have = sum(1 for item in data["items"] if item["area"] == area)
        if have < need:
            raise ContentError(f"{name}: area {area} has {have} items; the form draws up to item {need}")
    missing = set(areas) - set(data.get("review_module", {}))
    if missing:
        raise ContentError(f"{name}: review_module names no module for {', '.join(sorted(missing))}")
    data["topics"] = list(areas)
    data["topic_names"] = dict(areas)


def learner_data(module: dict[str, Any]) -> dict[str, Any]:
    """The part of a module that may sit in every learner's installed package."""
    items = []
    for item in module["items"]:
        safe = {k: item[k] for k in LEARNER_FIELDS[item["kind"]] if k in item}
        if item["kind"] == "graded":
            safe["options"] = {k: {"text": o["text"]} for k, o in item["options"].items()}
        items.append(safe)
    meta = ("module", "number", "slug", "title", "minutes", "objectives")
    meta += ("topics", "topic_names", "review_module", "draw")
    out = {k: module[k] for k in meta if k in module}
    out["shuffle"] = bool(module.get("shuffle", False))
    out["competencies"] = sorted({n for item in module["items"] for n in item.get("competencies", [])})
    out["items"] = items
    return out


def _md(cell_id: str, text: str, **metadata: Any) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=metadata)
    cell.id = cell_id
    return cell


def _code(cell_id: str, label: str, source: str, **metadata: Any) -> nbformat.NotebookNode:
    """A code cell that shows something to the learner, folded to its first line, the label.

    The label is a comment, so the grading contract (which reads only top-level calls) and
    nbgrader (whose hidden region stays at the end) read the cell as before.
    """
    cell = nbformat.v4.new_code_cell(f"# {label}\n{source}", metadata={**metadata, "jupyter": FOLDED})
    cell.id = cell_id
    return cell


def _nbgrader(grade_id: str, points: int, *, grade: bool, task: bool) -> dict[str, Any]:
    return {
        "grade": grade,
        "grade_id": grade_id,
        "locked": True,
        "points": points,
        "schema_version": 3,
        "solution": False,
        "task": task,
    }


def header(module: dict[str, Any]) -> str:
    """The top of a notebook: title, time, what it teaches (or what an exam checks), how to
    answer, and the note on taking care of yourself."""
    objectives = "\n".join(f"- {text}" for text in module["objectives"].values())
    number = module["number"]
    exam = bool(module.get("shuffle"))
    title = module["title"] if exam else f"Module {number}: {module['title']}"
    goals = "**This exam checks that you can:**" if exam else "**After this module you will be able to:**"
    answering = EXAM_ANSWERING if exam else MODULE_ANSWERING
    return f"""# {title}

**Time:** about {module["minutes"]} minutes. You can stop at any point; your answers are saved.

{goals}

{objectives}

{answering}
Words you do not know are in the [glossary](glossary.md).

> **Take care of yourself.** Some topics may bring up memories. Take a break whenever you need,
> and share only what you choose. In the US you can call or text **988** (Suicide & Crisis
> Lifeline) any time, day or night. Call **911** if someone is in danger right now."""


MODULE_ANSWERING = (
    "**How to answer.** Click a choice. Practice questions tell you at once why an answer fits or not.\n"
    "Graded questions only say *Saved*; they are graded after you submit. Your answers are kept in\n"
    "**answers.json** in this folder. After a restart, choose **Run ▸ Run All Cells** to see them again."
)
EXAM_ANSWERING = (
    "**How to answer.** Click a choice. Each one only says *Saved*: nothing tells you right or wrong\n"
    "until the exam is graded. Your answers are kept in **answers.json** in this folder. After a\n"
    "restart, choose **Run ▸ Run All Cells** to see them again."
)


def reflection_task(item: dict[str, Any]) -> str:
    looks_for = "\n".join(f"- {c['text']}" for c in item["rubric"])
    scheme = "\n".join(f"- {c['points']} point(s): {c['text']}" for c in item["rubric"])
    return f"""**Your reflection is read by your instructor ({item["points"]} points).** Only your
instructor sees it, and only after you submit. They look for:

{looks_for}

### BEGIN MARK SCHEME
Rubric for {item["id"]} ({item["points"]} points in all):

{scheme}

Grade how the learner links their ideas to peer work, never the story they tell or
whether they share one. A blank box gets 0: say kindly in the comment that it was empty.
### END MARK SCHEME"""


def notebook(module: dict[str, Any], body: str) -> nbformat.NotebookNode:
    """The instructor notebook of a module: header, status cell, teaching text and items."""
    mid = module["module"]
    items = {item["id"]: item for item in module["items"]}
    status = STATUS_IMPORT + contract.call("status", mid)
    cells = [
        _md(f"{mid}-header", header(module)),
        _code(contract.status_cell(mid), texts.CELL_STATUS, status, **LOCKED),
    ]
    placed: list[str] = []
    shuffled = bool(module.get("shuffle"))

    def place(line: str) -> list[nbformat.NotebookNode] | None:
        if shuffled and QUESTIONS_LINE.match(line):
            placed.extend(items)
            return shuffled_cells(module)
        match = ITEM_LINE.match(line)
        if not match:
            return None
        item_id = match.group(1)
        if shuffled or item_id not in items:
            problem = "shows all its questions at once" if shuffled else f"{mid}.yaml lacks it"
            raise ContentError(f"{module['slug']}.md names {item_id}: the module {problem}")
        placed.append(item_id)
        return item_cells(items[item_id])

    _assemble(mid, body, place, cells)
    missing = sorted(set(items) - set(placed))
    if missing:
        where = "{{ questions }}" if shuffled else ", ".join(missing)
        raise ContentError(f"{module['slug']}.md does not place {where}")
    return _notebook(cells + check_cells(mid))


def _assemble(
    prefix: str,
    body: str,
    place: Callable[[str], list[nbformat.NotebookNode] | None],
    cells: list[nbformat.NotebookNode],
) -> None:
    """Append Markdown cells (one per ``## `` section) and the cells ``place`` makes for the
    lines it recognises (it returns None for plain text)."""
    chunk: list[str] = []

    def flush() -> None:
        text = "\n".join(chunk).strip("\n")
        if text:
            cells.append(_md(f"{prefix}-text-{len(cells):02d}", text))
        chunk.clear()

    for line in body.splitlines():
        made = place(line)
        if made is not None:
            flush()
            cells.extend(made)
        else:
            if line.startswith("## "):
                flush()
            chunk.append(line)
    flush()


def _notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def home_notebook() -> nbformat.NotebookNode:
    """The self-paced home page (``modules/home.ipynb``, written by ``course.release``): a short
    welcome, then one locked, folded cell that draws the modules and progress, like every
    course cell. Voilà titles the browser tab with the notebook's ``title``."""
    show = _code("home-show", home.CELL_LABEL, contract.shown("course_home"), **LOCKED)
    nb = _notebook([_md("home-text", home.INTRO), show])
    nb.metadata["title"] = "Peer Support Specialist course"
    return nb


def check_cells(mid: str) -> list[nbformat.NotebookNode]:
    """The last section of every module: the "Check my work" button for self-paced learners.

    An ordinary locked cell, not an nbgrader cell: in a class it prints one line while
    nbgrader grades, and alone it grades nothing until the learner clicks.
    """
    text = f"""## Check your work

**On your own?** Click **Check my work** below. It grades your graded questions the same way
as in a class. Then it shows your points and what to read again. It can take up to half a
minute. It does not change your answers. You can check as often as you like.

**In a class?** Your instructor grades your work. When you are done, use **Submit** in the
**Assignments** tab.

To see all your modules at once, open [My progress](../{PROGRESS_SLUG}/{PROGRESS_SLUG}.ipynb)."""
    source = contract.shown("check_my_work", mid)
    check = _code(contract.check_cell(mid), texts.CELL_CHECK, source, **LOCKED)
    return [_md(f"{mid}-check-intro", text), check]


def progress_notebook(body: str) -> nbformat.NotebookNode:
    """The "My progress" notebook: its text, and one cell that draws the learner's progress
    from the answers and check results saved in the module folders beside it."""

    def place(line: str) -> list[nbformat.NotebookNode] | None:
        if not PROGRESS_LINE.match(line):
            return None
        source = contract.shown("my_progress")
        return [_code("progress-show", texts.CELL_PROGRESS, source, **LOCKED)]

    cells: list[nbformat.NotebookNode] = []
    _assemble("progress", body, place, cells)
    return _notebook(cells)


def item_cells(item: dict[str, Any]) -> list[nbformat.NotebookNode]:
    item_id = item["id"]
    cell_id = contract.item_cell(item_id)
    show = contract.shown("ask", item_id)
    label = texts.CELL_QUESTION.format(label=Item(id=item_id, kind=item["kind"], stem="").label)
    if item["kind"] == "graded":
        source = f"{show}\n{contract.hidden_score(item_id, item['answer'])}"
        meta = _nbgrader(cell_id, item["points"], grade=True, task=False)
        return [_code(cell_id, label, source, nbgrader=meta)]
    if item["kind"] == "reflection":
        task_id = contract.reflection_task(item_id)
        meta = _nbgrader(task_id, item["points"], grade=False, task=True)
        return [_code(cell_id, label, show, **LOCKED), _md(task_id, reflection_task(item), nbgrader=meta)]
    return [_code(cell_id, label, show, **LOCKED)]


def shuffled_cells(module: dict[str, Any]) -> list[nbformat.NotebookNode]:
    """The practice exam: one cell shows every item in the learner's own order, and one
    graded cell per topic scores that topic, so the gradebook holds the result by topic."""
    mid = module["module"]
    cells = [
        _code(f"{mid}-questions", texts.CELL_ALL_QUESTIONS, contract.shown("ask_all", mid), **LOCKED),
        _md(
            f"{mid}-result-intro",
            "## Your result by topic\n\nYour exam is graded by topic after you submit. Your "
            "feedback then shows how you did on each topic.",
        ),
    ]
    draw = module.get("draw")
    for topic in module["topics"]:
        mine = [i for i in module["items"] if i["topic"] == topic]
        keys = {i["id"]: i["answer"] for i in mine}
        source = f"{contract.shown('topic_check', mid, topic)}\n{contract.hidden_topic(mid, topic, keys)}"
        # A form drawn from a bank asks ``per_area`` of the area's items; the cell holds every key.
        points = draw["per_area"] * mine[0]["points"] if draw else sum(i["points"] for i in mine)
        meta = _nbgrader(contract.topic_cell(mid, topic), points, grade=True, task=False)
        label = texts.CELL_TOPIC.format(topic=module.get("topic_names", {}).get(topic, topic))
        cells.append(_code(contract.topic_cell(mid, topic), label, source, nbgrader=meta))
    chart = contract.shown("exam_chart", mid)
    cells.append(_code(contract.chart_cell(mid), texts.CELL_CHART, chart, **LOCKED))
    return cells


def glossary(root: Path) -> str:
    """The glossary as Markdown, alphabetical, each term with the modules that teach it."""
    terms = yaml.safe_load((root / "content" / "glossary.yaml").read_text(encoding="utf-8"))["terms"]
    lines = [
        "# Glossary",
        "",
        "Key words of the course in plain language. The numbers say which modules teach each word.",
        "",
    ]
    for entry in sorted(terms, key=lambda t: t["term"].lower()):
        numbers = [str(n) for n in entry.get("modules", [])]
        where = f" *(Module{'s' if len(numbers) > 1 else ''} {', '.join(numbers)})*" if numbers else ""
        lines.append(f"**{entry['term']}**: {entry['definition'].strip()}{where}")
        lines.append("")
    return "\n".join(lines)


def build(root: Path = ROOT, out: Path | None = None) -> list[Path]:
    """Write data files and instructor notebooks under ``out`` (the repo by default)."""
    out = out or root
    written: list[Path] = []
    words = glossary(root)
    framework = read_framework(root)
    framework_file = out / "course" / "data" / FRAMEWORK
    framework_file.parent.mkdir(parents=True, exist_ok=True)
    framework_file.write_text(json.dumps(framework, indent=1, ensure_ascii=False) + "\n", "utf-8")
    written.append(framework_file)
    for items_file in sorted((root / "content" / "items").glob("*.yaml")):
        module = read_module(items_file, framework)
        slug = module["slug"]
        data_file = out / "course" / "data" / f"{module['module']}.json"
        data_file.parent.mkdir(parents=True, exist_ok=True)
        data_file.write_text(json.dumps(learner_data(module), indent=1, ensure_ascii=False) + "\n", "utf-8")
        body = (root / "content" / "modules" / f"{slug}.md").read_text(encoding="utf-8")
        nb_file = out / "solutions" / slug / f"{slug}.ipynb"
        nb_file.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook(module, body), str(nb_file))
        # Every module carries the glossary, so it is one click away wherever a learner is.
        glossary_file = nb_file.parent / "glossary.md"
        glossary_file.write_text(words, encoding="utf-8")
        written += [data_file, nb_file, glossary_file]
    body = (root / "content" / "modules" / f"{PROGRESS_SLUG}.md").read_text(encoding="utf-8")
    nb_file = out / "solutions" / PROGRESS_SLUG / f"{PROGRESS_SLUG}.ipynb"
    nb_file.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(progress_notebook(body), str(nb_file))
    return [*written, nb_file]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write here instead of into the repo")
    args = parser.parse_args(argv)
    try:
        for path in build(out=args.out):
            print(path)
    except ContentError as problem:
        print(f"content error: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
