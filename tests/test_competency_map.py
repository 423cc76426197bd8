"""The course teaches every competency the certification exam is built on.

California's Medi-Cal Peer Support Specialist certification rests on 17 core competencies
(content/framework.yaml, numbered as in W&I Code 14045.13(c)). Every practice and graded item
names the competencies it practises (``competencies: [n, ...]``). Proves: each item names at
least one, all real; every competency has at least 3 practice and 2 graded items in the modules
(the practice exams are not counted: a learner meets only some of their items), so a learner who
works the whole course meets each one several times; the map a learner sees (the module data
behind the home page, My progress and the README) is the one the items make. The check finds a
competency left out.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml
from conftest import ROOT, module_sources

FRAMEWORK = yaml.safe_load((ROOT / "content" / "framework.yaml").read_text(encoding="utf-8"))
NUMBERS = sorted(FRAMEWORK["competencies"])
MODULES = module_sources()
CHOICE = ("practice", "graded")
LEAST = {"practice": 3, "graded": 2}


def coverage(modules: dict[str, dict]) -> dict[str, Counter]:
    """How many practice and how many graded module items name each competency."""
    counts: dict[str, Counter] = {kind: Counter() for kind in CHOICE}
    for module in modules.values():
        if module.get("shuffle"):
            continue
        for item in (i for i in module["items"] if i["kind"] in CHOICE):
            counts[item["kind"]].update(item.get("competencies", []))
    return counts


def gaps(modules: dict[str, dict]) -> list[str]:
    """Competencies with too few practice or graded items, in words."""
    counts = coverage(modules)
    return [
        f"competency {n} ({FRAMEWORK['competencies'][n]}): {counts[kind][n]} {kind}, needs {least}"
        for n in NUMBERS
        for kind, least in LEAST.items()
        if counts[kind][n] < least
    ]


def test_there_are_17_competencies_numbered_in_order() -> None:
    assert list(range(1, 18)) == NUMBERS


@pytest.mark.parametrize("mid", list(MODULES))
def test_every_question_names_real_competencies(mid: str) -> None:
    for item in (i for i in MODULES[mid]["items"] if i["kind"] in CHOICE):
        named = item.get("competencies", [])
        assert named, f"{item['id']} names no competency"
        assert set(named) <= set(NUMBERS) and len(set(named)) == len(named), f"{item['id']}: {named}"


def test_every_competency_is_practised_and_graded() -> None:
    assert not gaps(MODULES), "\n".join(gaps(MODULES))


def test_the_map_check_finds_a_competency_left_out() -> None:
    without = {
        mid: {**m, "items": [i for i in m["items"] if 17 not in i.get("competencies", [])]}
        for mid, m in MODULES.items()
    }
    assert any(g.startswith("competency 17 ") for g in gaps(without))


@pytest.mark.parametrize("mid", list(MODULES))
def test_learners_see_the_map_the_items_make(mid: str) -> None:
    data = json.loads((ROOT / "course" / "data" / f"{mid}.json").read_text(encoding="utf-8"))
    made = sorted({n for i in MODULES[mid]["items"] for n in i.get("competencies", [])})
    assert data["competencies"] == made
