"""Everything a learner reads, gathered per notebook, for the language and reading checks."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
from conftest import ROOT

URL = re.compile(r"https?://\S+")
CODE = re.compile(r"`[^`]*`")


def notebooks() -> list[Path]:
    """Every notebook a learner opens: the modules, My progress and the course home page."""
    return [*sorted((ROOT / "modules").glob("*/*.ipynb")), ROOT / "modules" / "home.ipynb"]


def module_notebooks() -> list[Path]:
    """Learner notebooks that ask questions (every module and the exam)."""
    return [nb for nb in notebooks() if module_id_of(nb)]


def markdown_cells(notebook: Path, *, skip_sources: bool = False) -> list[str]:
    """Markdown a learner reads; optionally without the "Learn more" list of sources."""
    nb = nbformat.read(str(notebook), as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "markdown"]
    if skip_sources:
        cells = [c for c in cells if not c.startswith("## Learn more")]
    return cells


def item_texts(module_id: str | None) -> list[str]:
    """Stems, options, practice feedback and tasks: the learner-safe item data."""
    if module_id is None:
        return []
    data = json.loads((ROOT / "course" / "data" / f"{module_id}.json").read_text(encoding="utf-8"))
    out: list[str] = []
    for item in data["items"]:
        out.append(item.get("stem") or item.get("prompt", ""))
        for option in item.get("options", {}).values():
            out += [option["text"], option.get("feedback", "")]
        for task in item.get("tasks", {}).values():
            out += [task["text"], task["feedback"]]
        out += list(item.get("bins", {}).values())
    return [t for t in out if t]


def module_id_of(notebook: Path) -> str | None:
    """The module id a learner notebook asks about (from its status cell); None for a
    notebook with no questions, such as My progress."""
    nb = nbformat.read(str(notebook), as_version=4)
    match = re.search(r'status\("(\w+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code"))
    return match.group(1) if match else None


def ui_strings(source: str = "texts.py") -> list[str]:
    """The words a module of the course shows learners: its module-level string constants
    (course/texts.py: status, saving and grading; course/home.py: the home page)."""
    tree = ast.parse((ROOT / "course" / source).read_text(encoding="utf-8"))
    assigned = [node.value for node in tree.body if isinstance(node, ast.Assign)]
    strings = [n for value in assigned for n in ast.walk(value) if isinstance(n, ast.Constant)]
    return [n.value for n in strings if isinstance(n.value, str)]


def prose(text: str) -> str:
    """Text as read aloud: no links or code."""
    return CODE.sub(" ", URL.sub(" ", text))


def everything() -> dict[str, str]:
    """Every learner-facing text, by where it comes from."""
    out = {}
    for nb in notebooks():
        out[nb.name] = "\n".join(markdown_cells(nb) + item_texts(module_id_of(nb)))
    for glossary in sorted((ROOT / "modules").glob("*/glossary.md"))[:1]:
        out["glossary.md"] = glossary.read_text(encoding="utf-8")
    out["course/texts.py"] = "\n".join(ui_strings())
    out["course/home.py"] = "\n".join(ui_strings("home.py"))
    return out
