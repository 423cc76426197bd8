"""Write the notebooks nbval compares against: ``python tests/make_nbval_references.py``.

Learner notebooks are released without outputs (nbgrader clears them), so nbval on modules/
can only prove that every cell runs. For a real comparison, each module is also kept here run
once against a fixed answers file, with every code cell tagged ``nbval-check-output``. nbval
then re-runs these copies and compares each cell's text: the status line, every question with
its saved answer, and the feedback shown for saved practice answers. A change in what a
learner sees fails the comparison until this script is run again and the diff reviewed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from helpers import execute  # noqa: E402
from learner_text import module_id_of, module_notebooks  # noqa: E402

OUT = HERE / "nbval"
TAG = "nbval-check-output"


def fixed_answers(module: dict) -> dict:
    """A learner halfway through: every other item answered, with a mix of choices."""
    answers = {}
    for n, item in enumerate(module["items"]):
        if n % 2:
            continue
        if item["kind"] == "reflection":
            value = "I would keep my story short and ask what they need."
        elif item["kind"] == "sort":
            value = {key: task["answer"] for key, task in list(item["tasks"].items())[:3]}
        else:
            keys = list(item["options"])
            value = keys[n % len(keys)]
        answers[item["id"]] = {"value": value, "first": value, "changes": 1}
    return {"format": 1, "module": module["module"], "seed": 12345, "answers": answers}


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    for notebook in module_notebooks():
        folder = OUT / notebook.parent.name
        folder.mkdir(parents=True)
        module_id = module_id_of(notebook)
        data = json.loads((ROOT / "course" / "data" / f"{module_id}.json").read_text(encoding="utf-8"))
        (folder / "answers.json").write_text(json.dumps(fixed_answers(data), indent=1), encoding="utf-8")
        target = folder / notebook.name
        shutil.copy(notebook, target)
        nb = execute(target)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.metadata.setdefault("tags", []).append(TAG)
        nbformat.write(nb, str(target))
        print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()
