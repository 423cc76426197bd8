"""Keep your answers: download each module's answers file from the home page, and load one back.

On the static site (:mod:`course.browser`) a learner's answers live in the web browser's own
storage, and clearing the browser's data deletes them. So the course home page offers, for every
module with answers, a download of its ``answers.json`` (the very file, byte for byte, one file
per module), and a button to load such a file back: here, in another browser, or on another
computer. The same file is what a class grades, so a learner who studied on their own can later
hand it in. The home page in the app view (Voilà) offers the same.

Loading a file never loses an answer:

* it is read with the store's own tolerant reader (:func:`course.store.decode`): from a damaged
  file, every answer that can be read is taken, and the learner is told what could not be;
* the file says which module it belongs to (its ``"module"``; in a damaged file, the ids of the
  answers in it), so it goes into that module's folder whatever it is called;
* it is merged answer by answer with what the folder holds: the newer of the two answers (by
  when it was last changed) is kept, and when answers already here were newer the learner is
  told how many were kept. A practice exam file of another form (another learner's draw) is not
  merged at all, since its questions are not the ones asked here.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .items import Module, all_modules, module_title
from .store import ANSWERS_FILE, AnswerStore, Loaded, SaveFailed, decode, is_answered

HEADING = "Keep your answers"
INTRO = (
    "Download a copy of your answers to keep them safe, to go on with them on another computer, "
    "or to hand them in for a class. You get one file for each module you have started."
)
IN_BROWSER_NOTE = (
    "On this site your answers are kept in this web browser. If you clear the browser's history "
    "or site data, they are deleted. So download a copy now and then."
)
NOTHING_YET = "You have not answered any questions yet, so there is nothing to download."
LINKS_CAPTION = "Download your answers:"
LOAD_HOW = (
    "To bring answers back, choose a file you downloaded before. Its answers go into the module "
    "it belongs to. Where an answer here is newer than the one in the file, the newer one is kept."
)
LOAD_BUTTON = "Load answers from a file"
LOADED = "{title}: {taken} answer(s) loaded from {file}."
KEPT_NEWER = "{kept} answer(s) here were newer than the ones in the file, so they were kept."
NOTHING_NEW = "{title}: {file} holds no answers newer than the ones here, so nothing changed."
EMPTY_FILE = "{file} holds no answers, so nothing was loaded."
NOT_ANSWERS = (
    "{file} is not one of the course's answers files, so nothing was loaded. "
    "Choose a file whose name ends in -answers.json."
)
TOO_BIG = "{file} is too large to be an answers file, so nothing was loaded."
OTHER_FORM = (
    "{file} holds answers to a different set of questions of {title} than the one you started "
    "here, so nothing was loaded. Your answers here are unchanged."
)
FILE_PROBLEM = "About {file}: {problem}"
OPEN_AGAIN = "Open the module again to see them."
PLAIN = "Keep your answers: the download links and the button to load a file show in the app view."

LARGEST = 2_000_000  # bytes; the practice exam's answers file is well under 100 kB


def download_name(module: Module) -> str:
    """The name a module's answers file gets when it is downloaded: it says which module it is
    (a browser would number a second "answers.json" in the downloads folder)."""
    return f"{module.slug}-answers.json"


@dataclass(frozen=True)
class Download:
    """One module's answers, ready to save: the link's words, the file name and the bytes."""

    module: Module
    name: str
    raw: bytes

    @property
    def href(self) -> str:
        return "data:application/json;base64," + base64.b64encode(self.raw).decode("ascii")

    @property
    def text(self) -> str:
        return module_title(self.module)


def downloads(base: Path) -> list[Download]:
    """Every module folder under ``base`` whose answers file holds something, in course order."""
    found = []
    for module in all_modules().values():
        try:
            raw = (base / module.slug / ANSWERS_FILE).read_bytes()
        except OSError:
            continue
        if raw.strip():
            found.append(Download(module, download_name(module), raw))
    return found


def module_of_file(raw: bytes) -> Module | None:
    """The module a file's answers belong to: its "module" field, or, in a file that is not
    whole JSON any more, the one module whose answers could be read from it."""
    known = all_modules()
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("module") in known:
        return known[data["module"]]
    found = [m for m in known.values() if decode(raw, m.id).entries]
    return found[0] if len(found) == 1 else None


def merged(here: dict[str, dict[str, Any]], there: dict[str, dict[str, Any]]) -> tuple[dict, int, int]:
    """Both sets of answers, the newer of each (by its "updated" time; a tie keeps the one here).

    Returns the merged entries, how many came from the file, and how many answers here were
    kept because they were newer than a different answer in the file.
    """
    out = dict(here)
    taken = kept = 0
    for item_id, entry in there.items():
        mine = here.get(item_id)
        if mine == entry:
            continue
        if mine is None or str(entry.get("updated", "")) > str(mine.get("updated", "")):
            out[item_id] = entry
            taken += 1
        elif mine.get("value") != entry.get("value"):
            kept += 1
    return out, taken, kept


@dataclass
class Brought:
    """What loading one file did, in the learner's words."""

    module: Module | None = None
    taken: int = 0
    lines: list[str] = field(default_factory=list)


def bring_in(raw: bytes, file: str, base: Path) -> Brought:
    """Load one downloaded answers file into its module's folder under ``base``."""
    if len(raw) > LARGEST:
        return Brought(lines=[TOO_BIG.format(file=file)])
    module = module_of_file(raw)
    if module is None:
        return Brought(lines=[NOT_ANSWERS.format(file=file)])
    title = module_title(module)
    there = decode(raw, module.id)
    notes = [FILE_PROBLEM.format(file=file, problem=p) for p in there.problems]
    if not any(is_answered(e.get("value")) for e in there.entries.values()):
        return Brought(module, lines=[*notes, EMPTY_FILE.format(file=file)])
    store = AnswerStore(module.id, base / module.slug)
    counts = {"taken": 0, "kept": 0, "other_form": False}

    def change(here: Loaded) -> None:
        answered_here = any(is_answered(e.get("value")) for e in here.entries.values())
        seeds = (here.seed, there.seed)
        if module.shuffle and answered_here and None not in seeds and seeds[0] != seeds[1]:
            counts["other_form"] = True
            return
        here.entries, counts["taken"], counts["kept"] = merged(here.entries, there.entries)
        if not answered_here and there.seed is not None:
            here.seed = there.seed
        if there.clock is not None:
            here.clock = max(here.clock or 0, there.clock)

    try:
        store.update(change)
    except SaveFailed as problem:
        return Brought(module, lines=[*notes, str(problem)])
    if counts["other_form"]:
        return Brought(module, lines=[*notes, OTHER_FORM.format(file=file, title=title)])
    if not counts["taken"]:
        return Brought(module, lines=[*notes, NOTHING_NEW.format(title=title, file=file)])
    lines = [*notes, LOADED.format(title=title, taken=counts["taken"], file=file)]
    if counts["kept"]:
        lines.append(KEPT_NEWER.format(kept=counts["kept"]))
    return Brought(module, counts["taken"], [*lines, OPEN_AGAIN])


def section_html(base: Path, in_browser: bool) -> str:
    """The words and the download links, in the results pages' style."""
    from markupsafe import Markup

    from .pages import parts, render

    pieces = parts()
    found = downloads(base)
    words = [Markup("<h2>{}</h2><p>{}</p>").format(HEADING, INTRO)]
    if in_browser:
        words.append(Markup("<p><strong>{}</strong></p>").format(IN_BROWSER_NOTE))
    if found:
        items = Markup("").join(
            Markup("<li>{}</li>").format(pieces.download(d.href, d.text, d.name)) for d in found
        )
        words.append(Markup("<p>{}</p><ul>{}</ul>").format(LINKS_CAPTION, items))
    else:
        words.append(Markup("<p>{}</p>").format(NOTHING_YET))
    words.append(Markup("<p>{}</p>").format(LOAD_HOW))
    return render("in-notebook.html.j2", content=Markup("").join(words))


def result_html(lines: list[str]) -> str:
    """What loading said, one line each, in a live region a screen reader reads out."""
    said = "<br>".join(html.escape(line) for line in lines)
    return f'<div class="cps-status" role="status" aria-live="polite">{said}</div>'


def keep_answers(folder: Path | None = None) -> None:
    """Show the section: ``folder`` holds the module folders (the home notebook's own)."""
    import ipywidgets as w
    from IPython.display import display

    from .browser import IN_BROWSER
    from .widgets import PlainTextBox

    base = (folder or Path.cwd()).resolve()
    links = w.HTML(section_html(base, IN_BROWSER))
    upload = w.FileUpload(accept=".json,application/json", multiple=True, description=LOAD_BUTTON)
    upload.layout.width = "auto"
    said = w.HTML(result_html([]))

    def loaded(change: dict[str, Any]) -> None:
        if not change["new"]:
            return
        lines = []
        for one in change["new"]:
            lines += bring_in(bytes(one["content"]), str(one["name"]), base).lines
        said.value = result_html(lines)
        links.value = section_html(base, IN_BROWSER)
        upload.value = ()  # the same file can be chosen again

    upload.observe(loaded, names="value")
    display(PlainTextBox([links, upload, said], lambda: PLAIN))
