"""Check my work: grade one module for a self-paced learner with nbgrader's own autograder.

``python -m course.selfcheck 01-shared-lived-experience`` (or a module folder), or the
"Check my work" button at the end of each module notebook. A learner studying alone has no
instructor to run nbgrader, so this does what an instructor would, in a temporary course
folder: ``generate_assignment`` from ``solutions/``, the learner's notebook and answers file
copied in as a submission, ``autograde`` and ``generate_feedback``. The score per question
then comes from the gradebook and the feedback from the autograded notebook, exactly as a
class would get them, and the learner's own files are only ever read.

Beside the notebook it writes ``check-my-work.html`` (the results page),
``check-my-work-notebook.html`` (nbgrader's feedback page: the whole notebook, graded) and
``check-results.json`` (score per question and date, for the "My progress" notebook).

Only the standard library and the course's own light modules load at import: the button is
shown at once, and nbgrader runs in a child process only when the button is clicked.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from . import check_texts as say
from . import texts
from .items import Module, load_module
from .store import AnswerStore, is_answered

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
RESULTS_FILE = "check-results.json"
PAGE_FILE = "check-my-work.html"
NOTEBOOK_PAGE_FILE = "check-my-work-notebook.html"
STUDENT = "me"  # the one learner in the temporary course
# Courses prepared by generate_assignment, reused while solutions/ and the config are unchanged.
CACHE = Path(tempfile.gettempdir()) / "cps-course-selfcheck"
CHILD_TIMEOUT = 300  # seconds; nbgrader's own per-cell timeout (60 s) comes first


class CheckFailed(RuntimeError):
    """nbgrader could not grade the copy; the message is a short reason."""


@dataclass(frozen=True)
class Part:
    """One graded cell's result: a question, a reflection, or (practice exam) a topic."""

    id: str  # item id ("m1.g3", "m1.r1") or, in the practice exam, a topic ("ethics")
    kind: str  # "item" | "reflection" | "topic"
    label: str
    earned: float | None  # None: not scored automatically (reflections)
    possible: float
    feedback: str
    advice: str


@dataclass(frozen=True)
class Outcome:
    """What a check found, and the one message to show when it could not grade."""

    status: str  # "checked" | "unanswered" | "no-solutions" | "unknown" | "failed"
    message: str = ""
    module: Module | None = None
    parts: tuple[Part, ...] = ()
    page: Path | None = None
    checked: str = ""

    @property
    def earned(self) -> float:
        return sum(p.earned for p in self.parts if p.earned is not None)

    @property
    def possible(self) -> float:
        return sum(p.possible for p in self.parts if p.earned is not None)


# --- where the learner's module and the instructor version are ----------------------------
def all_modules() -> dict[str, Module]:
    """Every module of the course by id, in course order (the installed data files)."""
    ids = [p.name[:-5] for p in resources.files("course.data").iterdir() if p.name.endswith(".json")]
    return {m.id: m for m in sorted((load_module(i) for i in ids), key=lambda m: m.number)}


def module_title(module: Module) -> str:
    return module.title if module.shuffle else f"Module {module.number}: {module.title}"


def locate(target: str | Path, module_id: str | None = None) -> tuple[Path, Module] | None:
    """The learner's module folder and its module, from a folder, a slug or a module id.

    A slug or id is looked for where a learner runs commands: the course folder (its
    ``modules/<slug>``) or the folder that holds the module folders.
    """
    known = all_modules()
    by_slug = {m.slug: m for m in known.values()}
    path = Path(target).expanduser()
    module = known.get(module_id or "") or by_slug.get(path.name) or known.get(str(target))
    if path.is_dir():
        if module is None:
            module = next((by_slug[p.stem] for p in sorted(path.glob("*.ipynb")) if p.stem in by_slug), None)
        return (path.resolve(), module) if module else None
    if module is None:
        return None
    for folder in (Path.cwd() / "modules" / module.slug, Path.cwd() / module.slug):
        if folder.is_dir():
            return folder.resolve(), module
    return None


def find_solutions(folder: Path, slug: str, explicit: Path | None = None) -> Path | None:
    """The ``solutions/`` folder holding this module, with ``nbgrader_config.py`` beside it.

    In the course folder a module sits in ``modules/<slug>/``, so ``solutions/`` is two levels
    up. A learner on a hub fetched only the module: there is none, and their instructor grades.
    """
    candidates = [explicit, explicit / "solutions"] if explicit else []
    candidates.append(folder.resolve().parent.parent / "solutions")
    for place in candidates:
        if (place / slug / f"{slug}.ipynb").is_file() and (place.parent / "nbgrader_config.py").is_file():
            return place.resolve()
    return None


def answered(module: Module, folder: Path) -> set[str]:
    """Ids of the items with a saved answer (the file is only read)."""
    entries = AnswerStore(module.id, folder, read_only=True).load().entries
    return {item_id for item_id, entry in entries.items() if is_answered(entry.get("value"))}


# --- nbgrader, in a temporary course ----------------------------------------------------------
def cache_key(solutions: Path, slug: str) -> str:
    """Names a prepared course by everything generate_assignment reads, so a stale one is never used."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("nbgrader").encode())
    digest.update((solutions.parent / "nbgrader_config.py").read_bytes())
    for path in sorted((solutions / slug).rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(solutions)).encode() + b"\0" + path.read_bytes())
    return f"{slug}-{digest.hexdigest()[:16]}"


def _prepare(course: Path, solutions: Path, slug: str, prepared: Path | None) -> None:
    """A course folder: the cached one generate_assignment made, or solutions + config."""
    if prepared and (prepared / "gradebook.db").is_file():
        shutil.copytree(prepared, course, dirs_exist_ok=True)
        return
    shutil.copytree(solutions / slug, course / "solutions" / slug)
    shutil.copy(solutions.parent / "nbgrader_config.py", course)


def _submit(course: Path, folder: Path, slug: str) -> None:
    """Copy the learner's notebook and answers file in as a submission (never touching theirs)."""
    target = course / "submitted" / STUDENT / slug
    target.mkdir(parents=True)
    for name in (f"{slug}.ipynb", "answers.json"):
        if (folder / name).is_file():
            shutil.copyfile(folder / name, target / name)


def _run_child(course: Path, slug: str, prepared: Path | None) -> None:
    """nbgrader in a child process: its imports stay out of the learner's kernel, and its
    executor never meets the kernel's running event loop."""
    import subprocess

    path = os.pathsep.join(p for p in (str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")) if p)
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"} | {"PYTHONPATH": path}
    code = "import sys; from course.selfcheck import run_nbgrader_steps; run_nbgrader_steps(*sys.argv[1:])"
    args = [sys.executable, "-c", code, str(course), slug, str(prepared or "")]
    try:
        done = subprocess.run(
            args, cwd=course, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise CheckFailed("it took too long") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise CheckFailed(lines[-1] if lines else f"nbgrader stopped with code {done.returncode}")


def run_nbgrader_steps(course: str, slug: str, prepared: str = "") -> None:
    """Runs in the child process: generate_assignment (unless prepared), autograde,
    generate_feedback, then the gradebook's grades written to ``grades.json``.

    One process and nbgrader's own API (the code its commands run) instead of three
    ``nbgrader`` commands: each command would import nbgrader again, several seconds each.
    """
    # jsonschema compiles ~40 grammars (2 s) at import when the optional rfc3987-syntax is
    # installed; it checks only the "iri" formats, which nbformat's schemas never use.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import warnings

    warnings.simplefilter("ignore")
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    root = Path(course)
    api = NbGraderAPI(config=PyFileConfigLoader("nbgrader_config.py", path=course).load_config())
    if not (root / "gradebook.db").is_file():
        _must(api.generate_assignment(slug, force=True))
        if prepared:
            _keep(root, Path(prepared))
    # Answers live in answers.json: a learner who renamed or lost the notebook is graded on
    # the released copy, and their answers still count.
    submitted = root / "submitted" / STUDENT / slug / f"{slug}.ipynb"
    if not submitted.is_file():
        shutil.copyfile(root / "modules" / slug / submitted.name, submitted)
    _must(api.autograde(slug, STUDENT, force=True, create=True))
    _must(api.generate_feedback(slug, STUDENT, force=True))
    gradebook = api.gradebook
    try:
        cells = gradebook.find_submission_notebook(slug, slug, STUDENT).grades
        grades = {
            g.name: {"score": None if g.needs_manual_grade else float(g.score), "max": float(g.max_score)}
            for g in cells
        }
    finally:
        gradebook.close()
    (root / "grades.json").write_text(json.dumps(grades), encoding="utf-8")


def _must(result: dict[str, Any]) -> None:
    """Stop the child with nbgrader's last error line, which the learner's message quotes."""
    if not result.get("success"):
        lines = (result.get("error") or "").strip().splitlines() or ["nbgrader failed"]
        sys.exit(lines[-1])


def _keep(course: Path, prepared: Path) -> None:
    """Save the course generate_assignment made, for the next check; first writer wins."""
    prepared.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{prepared.name}-", dir=prepared.parent))
    shutil.copytree(course, partial, ignore=shutil.ignore_patterns("submitted"), dirs_exist_ok=True)
    try:
        partial.rename(prepared)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)


# --- reading what nbgrader made -----------------------------------------------------------
def graded_cells(module: Module) -> dict[str, tuple[str, str]]:
    """nbgrader grade id -> (kind, id), named as ``course.build`` names the cells."""
    cells: dict[str, tuple[str, str]] = {}
    for item in module.items.values():
        cell = item.id.replace(".", "-")
        if item.kind == "graded" and not module.shuffle:
            cells[cell] = ("item", item.id)
        elif item.kind == "reflection":
            cells[f"{cell}-grade"] = ("reflection", item.id)
    if module.shuffle:
        for topic in module.topic_names or {i.topic for i in module.items.values()}:
            cells[f"{module.id}-{topic}"] = ("topic", topic)
    return cells


def _template(template: str) -> re.Pattern[str]:
    """A pattern for any line a format template prints."""
    return re.compile(".+?".join(re.escape(p) for p in re.split(r"\{[^{}]*\}", template)) + "$")


# The visible line of a practice exam topic cell ("… graded after you submit"): noise in results.
_TOPIC_PROGRESS = _template(texts.TOPIC_PROGRESS)


def _joined(value: str | list[str]) -> str:
    """A notebook file may store a multi-line string as a list of lines."""
    return "".join(value) if isinstance(value, list) else value


def _stdout(cell: dict[str, Any]) -> str:
    text = "".join(_joined(o.get("text", "")) for o in cell.get("outputs", []) if o.get("name") == "stdout")
    return "\n".join(line for line in text.splitlines() if not _TOPIC_PROGRESS.match(line))


def _advice(
    module: Module, kind: str, key: str, earned: float | None, possible: float, done: set[str]
) -> str:
    """What to do next about one part: well done, answer it, reread a section or a module."""
    if kind == "reflection":
        return say.NEXT_REFLECTION
    if earned is not None and earned >= possible:
        return say.NEXT_WELL_DONE
    if kind == "item" and key not in done:
        return say.NEXT_ANSWER
    if kind == "topic":
        slug = module.review_module.get(key, "")
        other = next((m for m in all_modules().values() if m.slug == slug), None)
        return say.NEXT_REVIEW_MODULE.format(number=other.number, title=other.title) if other else ""
    return say.NEXT_REREAD.format(section=module.items[key].review)


def read_parts(
    module: Module, notebook: dict[str, Any], grades: dict[str, dict[str, Any]], answered: set[str]
) -> list[Part]:
    """One Part per graded cell, in notebook order: points from the gradebook, words from the
    autograded notebook's outputs, and what to do next (``answered``: item ids with an answer)."""
    known = graded_cells(module)
    by_id = {cell.get("id"): cell for cell in notebook["cells"]}
    parts = []
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in grades:
            continue
        earned, possible = grades[grade_id]["score"], grades[grade_id]["max"]
        if grade_id not in known:  # a cell this module's data does not describe: show it as it is
            parts.append(Part(grade_id, "item", grade_id, earned, possible, _stdout(cell), ""))
            continue
        kind, key = known[grade_id]
        if kind == "reflection":  # read by a person; the learner's words are in the cell that asks
            earned, cell = None, by_id.get(key.replace(".", "-"), {})
        label = module.topic_names.get(key, key) if kind == "topic" else module.items[key].label
        advice = _advice(module, kind, key, earned, possible, answered)
        parts.append(Part(key, kind, label, earned, possible, _stdout(cell), advice))
    return parts


def _images(cell: dict[str, Any]) -> list[str]:
    outputs = cell.get("outputs", [])
    return [_joined(o["data"]["image/png"]) for o in outputs if "image/png" in o.get("data", {})]


# --- the results page -------------------------------------------------------------------------
_STYLE = """
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:52rem;margin:1.5rem auto;padding:0 1rem;
color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #777;padding:.4rem .6rem;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
.said{white-space:pre-wrap;background:#f4f4f4;padding:.6rem;border-left:4px solid #3465a4}
img{max-width:100%}
"""


def _points(part: Part) -> str:
    if part.earned is None:
        return say.NOT_SCORED
    return say.POINTS.format(earned=part.earned, possible=part.possible)


# JupyterLab right-aligns table cells in outputs (with a rule more specific than a class);
# sentences read better from the left.
TABLE_STYLE = "<style>.cps-table th,.cps-table td{text-align:left!important;vertical-align:top}</style>"


def results_table(parts: tuple[Part, ...] | list[Part]) -> str:
    """The table of points per question, for the page and for the notebook."""
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in say.PAGE_COLUMNS)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(p.label)}</th><td>{html.escape(_points(p))}</td>'
        f"<td>{html.escape(p.advice)}</td></tr>"
        for p in parts
    )
    caption = html.escape(say.PAGE_TABLE_CAPTION)
    return (
        f'{TABLE_STYLE}<table class="cps-table"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _total(outcome: Outcome) -> str:
    return say.CHECK_TOTAL.format(earned=outcome.earned, possible=outcome.possible)


def results_page(outcome: Outcome, status_text: str, chart: tuple[list[str], str]) -> str:
    """A whole HTML page a learner can open in any browser: no scripts, nothing fetched."""
    module = outcome.module
    title = html.escape(say.PAGE_TITLE.format(module=module_title(module)))
    body = [
        f"<h1>{title}</h1>",
        f"<p>{html.escape(say.PAGE_CHECKED.format(date=_when(outcome.checked)))}</p>",
        f"<p><strong>{html.escape(_total(outcome))}</strong></p>",
        f"<p>{html.escape(say.CHECK_SAFE)}</p>",
        results_table(outcome.parts),
    ]
    images, chart_text = chart
    if images or chart_text:
        body.append(f"<h2>{html.escape(say.PAGE_BY_TOPIC)}</h2>")
        alt = html.escape(say.PAGE_CHART_ALT)
        body += [f'<img alt="{alt}" src="data:image/png;base64,{png.strip()}">' for png in images]
        body.append(_said(chart_text) if chart_text else "")
    body.append(f"<h2>{html.escape(say.PAGE_EACH_QUESTION)}</h2>")
    for part in outcome.parts:
        heading = html.escape(f"{part.label}: {_points(part)}")
        body.append(f"<section><h3>{heading}</h3>{_said(part.feedback)}</section>")
    if status_text:
        body.append(f"<h2>{html.escape(say.PAGE_ANSWERS_FILE)}</h2>{_said(status_text)}")
    body.append(f'<p><a href="{NOTEBOOK_PAGE_FILE}">{html.escape(say.PAGE_WHOLE_NOTEBOOK)}</a></p>')
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body><main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


def _said(text: str) -> str:
    """What the notebook printed, lines kept, in the page's own font."""
    return f'<div class="said">{html.escape(text)}</div>'


def _when(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"


def _write(path: Path, text: str) -> None:
    """Write beside the target and rename over it: the progress notebook never reads half a file."""
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def record(outcome: Outcome) -> dict[str, Any]:
    """What check-results.json keeps: the score per question and when it was checked."""
    parts = [{"id": p.id, "kind": p.kind, "earned": p.earned, "possible": p.possible} for p in outcome.parts]
    return {
        "format": 1,
        "module": outcome.module.id,
        "checked": outcome.checked,
        "earned": outcome.earned,
        "possible": outcome.possible,
        "parts": parts,
    }


def read_results(folder: Path, module_id: str) -> dict[str, Any] | None:
    """The last check of a module folder, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads((folder / RESULTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("module") != module_id
        or not isinstance(data.get("parts"), list)
    ):
        return None
    return data


# --- the check ------------------------------------------------------------------------------
def check(
    target: str | Path,
    module_id: str | None = None,
    solutions: Path | None = None,
    cache: Path | None = CACHE,
) -> Outcome:
    """Grade a learner's module folder and write the results beside it; never raises for a
    learner's situation (no solutions, nothing answered, a failed run): it says so kindly."""
    found = locate(target, module_id)
    if found is None:
        return Outcome("unknown", say.CHECK_UNKNOWN_FOLDER.format(where=target))
    folder, module = found
    source = find_solutions(folder, module.slug, solutions)
    if source is None:
        return Outcome("no-solutions", say.CHECK_NO_SOLUTIONS, module)
    done = answered(module, folder)
    if not any(module.items[i].kind in ("graded", "reflection") for i in done if i in module.items):
        return Outcome("unanswered", say.CHECK_UNANSWERED, module)
    checked = datetime.now().replace(microsecond=0).isoformat()
    try:
        with tempfile.TemporaryDirectory(prefix="cps-check-") as tmp:
            course = Path(tmp) / "course"
            prepared = cache / cache_key(source, module.slug) if cache else None
            _prepare(course, source, module.slug, prepared)
            _submit(course, folder, module.slug)
            _run_child(course, module.slug, prepared)
            slug = module.slug
            notebook = json.loads(
                (course / "autograded" / STUDENT / slug / f"{slug}.ipynb").read_text("utf-8")
            )
            grades = json.loads((course / "grades.json").read_text(encoding="utf-8"))
            full_page = (course / "feedback" / STUDENT / slug / f"{slug}.html").read_text(encoding="utf-8")
        by_id = {cell.get("id"): cell for cell in notebook["cells"]}
        chart = by_id.get(f"{module.id}-chart", {})
        parts = tuple(read_parts(module, notebook, grades, done))
        outcome = Outcome("checked", "", module, parts, folder / PAGE_FILE, checked)
        status_text = _stdout(by_id.get(f"{module.id}-status", {}))
        _write(folder / NOTEBOOK_PAGE_FILE, full_page)
        _write(folder / PAGE_FILE, results_page(outcome, status_text, (_images(chart), _stdout(chart))))
        _write(folder / RESULTS_FILE, json.dumps(record(outcome), indent=1))
    except (CheckFailed, OSError, ValueError, KeyError) as problem:
        return Outcome(
            "failed", say.CHECK_FAILED.format(reason=str(problem) or type(problem).__name__), module
        )
    return outcome


def outcome_html(outcome: Outcome) -> str:
    """What the notebook shows after a click: the total, the table and a link to the page."""
    if outcome.status != "checked":
        return f'<p role="status">{html.escape(outcome.message)}</p>'
    link = f'<a href="{PAGE_FILE}">{html.escape(say.CHECK_PAGE_LINK)}</a>'
    return (
        f'<div role="status"><p><strong>{html.escape(_total(outcome))}</strong></p></div>'
        f"{results_table(outcome.parts)}<p>{html.escape(say.CHECK_SAFE)}</p>"
        f"<p>{link}. {html.escape(say.CHECK_PAGE.format(page=PAGE_FILE))}</p>"
    )


def outcome_text(outcome: Outcome) -> str:
    """The same for a terminal."""
    if outcome.status != "checked":
        return outcome.message
    width = max(len(p.label) for p in outcome.parts)
    lines = [say.PAGE_TITLE.format(module=module_title(outcome.module)), _total(outcome), ""]
    lines += [f"  {p.label:<{width}}  {_points(p):<15}  {p.advice}" for p in outcome.parts]
    lines += ["", say.CHECK_SAFE, f"{say.CHECK_PAGE_LINK}: {outcome.page.as_uri()}"]
    return "\n".join(lines)


def check_my_work(module_id: str, folder: Path | None = None) -> None:
    """The "Check my work" button: shown at once, the check runs only when it is clicked.

    While nbgrader grades (or validates) the notebook it prints one line and never checks.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        print(say.CHECK_WHILE_GRADING)
        return
    import ipywidgets as w
    from IPython.display import HTML, display

    slug = load_module(module_id).slug
    button = w.Button(
        description=say.CHECK_BUTTON,
        tooltip=say.CHECK_TOOLTIP,
        icon="check",
        button_style="primary",
        layout=w.Layout(width="auto"),
    )
    out = w.Output()

    def clicked(_: w.Button) -> None:
        button.disabled = True
        out.clear_output()
        with out:
            display(HTML(f'<p role="status">{html.escape(say.CHECK_RUNNING)}</p>'))
        try:
            outcome = check(folder or Path.cwd(), module_id)
        except Exception as problem:  # noqa: BLE001 - a click must end in a message, never a traceback
            outcome = Outcome("failed", say.CHECK_FAILED.format(reason=type(problem).__name__))
        finally:
            button.disabled = False
        out.clear_output()
        with out:
            display(HTML(outcome_html(outcome)))

    button.on_click(clicked)

    class CheckBox(w.VBox):
        """The button and its results; plain viewers get a sentence instead of a widget repr."""

        def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
            data = super()._repr_mimebundle_(**kwargs)
            data["text/plain"] = say.CHECK_PLAIN.format(slug=slug)
            return data

    display(CheckBox(children=[button, out]))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="a module folder, or a name such as 01-shared-lived-experience or m1")
    parser.add_argument("--solutions", type=Path, help="the course's solutions/ folder (found by default)")
    args = parser.parse_args(argv)
    outcome = check(args.module, solutions=args.solutions)
    print(outcome_text(outcome))
    return 0 if outcome.status in ("checked", "unanswered") else 1


if __name__ == "__main__":
    raise SystemExit(main())
