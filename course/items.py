"""Item content, read from the learner-safe data files in ``course/data``.

The files are written by ``python -m course.build`` from ``content/items/*.yaml``. For graded
items they carry the stem, the options and a pointer to what to reread, never the answer or
the per-option explanations: the installed package is something every learner can read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .store import module_of

LETTERS = "ABCDEFGH"
FRAMEWORK = "framework.json"  # not a module: the competencies and exam areas


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    feedback: str = ""  # practice items only


@dataclass(frozen=True)
class Item:
    id: str
    kind: str  # practice | graded | reflection | sort
    stem: str
    topic: str = ""
    objective: str = ""
    competencies: tuple[int, ...] = ()  # numbers of the certification's core competencies (1-17)
    options: tuple[Option, ...] = ()
    answer: str | None = None  # practice items only
    review: str = ""
    points: int = 0
    bins: dict[str, str] = field(default_factory=dict)  # sort items
    tasks: dict[str, dict[str, str]] = field(default_factory=dict)  # sort items
    position: int = 0  # in the practice exam: where this learner meets the item (1, 2, …)

    @property
    def number(self) -> int:
        """The question's number: its place in the exam, else the number in its id ("m1.g3" -> 3)."""
        if self.position:
            return self.position
        return int("".join(ch for ch in self.id.split(".", 1)[1] if ch.isdigit()) or 0)

    @property
    def label(self) -> str:
        """How the learner sees the item named: "Practice 2", "Graded question 3"."""
        names = {
            "practice": "Practice question",
            "graded": "Graded question",
            "reflection": "Reflection",
            "sort": "Sorting exercise",
        }
        if self.position:
            return f"Question {self.position}"
        return f"{names[self.kind]} {self.number}"

    def option(self, key: str) -> Option | None:
        return next((opt for opt in self.options if opt.key == key), None)


@dataclass(frozen=True)
class Draw:
    """How a practice exam form takes its items from the bank, area by area.

    Each learner's items of one area are put in that learner's own order (the same order for
    every form), and a form takes ``per_area`` of them starting at ``first``: the full form the
    first 15, the short form the next 5, so a learner who sits both meets no item twice.
    """

    first: int
    per_area: int


@dataclass(frozen=True)
class Module:
    id: str
    number: int
    slug: str
    title: str
    minutes: int
    items: dict[str, Item]
    shuffle: bool = False
    topic_names: dict[str, str] = field(default_factory=dict)
    # Per topic (a practice exam's area), the modules that teach it, by slug.
    review_module: dict[str, tuple[str, ...]] = field(default_factory=dict)
    competencies: tuple[int, ...] = ()  # every competency its items practise, in order
    draw: Draw | None = None  # a practice exam form drawn from a bank; None: every item, as written


def _item(raw: dict[str, Any]) -> Item:
    options = tuple(
        Option(key=key, text=opt["text"], feedback=opt.get("feedback", ""))
        for key, opt in raw.get("options", {}).items()
    )
    return Item(
        id=raw["id"],
        kind=raw["kind"],
        stem=raw.get("stem") or raw.get("prompt", ""),
        topic=raw.get("topic", ""),
        objective=raw.get("objective", ""),
        competencies=tuple(raw.get("competencies", ())),
        options=options,
        answer=raw.get("answer"),
        review=raw.get("review", ""),
        points=int(raw.get("points", 0)),
        bins=dict(raw.get("bins", {})),
        tasks=dict(raw.get("tasks", {})),
    )


@cache
def load_module(module: str) -> Module:
    """Read one module's data file (once per kernel)."""
    text = resources.files("course.data").joinpath(f"{module}.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return Module(
        id=raw["module"],
        number=raw["number"],
        slug=raw["slug"],
        title=raw["title"],
        minutes=raw["minutes"],
        items={entry["id"]: _item(entry) for entry in raw["items"]},
        shuffle=raw.get("shuffle", False),
        topic_names=raw.get("topic_names", {}),
        review_module={t: _slugs(s) for t, s in raw.get("review_module", {}).items()},
        competencies=tuple(raw.get("competencies", ())),
        draw=Draw(**raw["draw"]) if raw.get("draw") else None,
    )


def _slugs(value: str | list[str]) -> tuple[str, ...]:
    """One module's slug or several, as a tuple."""
    return (value,) if isinstance(value, str) else tuple(value)


class UnknownItem(LookupError):
    """An item id that no module defines; the message is meant for the learner."""


def find_item(item_id: str) -> Item:
    """The item with this id, or UnknownItem with a message a learner can act on."""
    module = module_of(item_id)
    try:
        items = load_module(module).items
    except (FileNotFoundError, ModuleNotFoundError):
        raise UnknownItem(f"There is no module called {module!r}. Check the question id.") from None
    if item_id not in items:
        raise UnknownItem(f"There is no question {item_id!r} in this module. Check the question id.")
    return items[item_id]


@dataclass(frozen=True)
class Framework:
    """What the certification is built on: its core competencies and its exam's areas."""

    competencies: dict[int, str]  # 1 -> "Hope, recovery and wellness", in the statute's order
    areas: dict[str, str]  # "crisis-management" -> "Crisis management", in the exam's order


@cache
def framework() -> Framework:
    """The competencies and exam areas (``course/data/framework.json``, from content/framework.yaml)."""
    raw = json.loads(resources.files("course.data").joinpath(FRAMEWORK).read_text(encoding="utf-8"))
    return Framework({int(n): name for n, name in raw["competencies"].items()}, dict(raw["areas"]))


def all_modules() -> dict[str, Module]:
    """Every module of the course by id, in course order (the installed data files)."""
    files = resources.files("course.data").iterdir()
    ids = [p.name[:-5] for p in files if p.name.endswith(".json") and p.name != FRAMEWORK]
    return {m.id: m for m in sorted((load_module(i) for i in ids), key=lambda m: m.number)}


def module_by_slug(slug: str) -> Module | None:
    """The module a notebook or folder name stands for ("01-shared-lived-experience"), or None."""
    return next((m for m in all_modules().values() if m.slug == slug), None)


def module_title(module: Module) -> str:
    """How a learner knows a module: "Module 1: Shared lived experience" (the exam by its title)."""
    return module.title if module.shuffle else f"Module {module.number}: {module.title}"
