"""The practice exam's item bank: the size, balance and form the real exam asks for.

The real exam (Medi-Cal peer certification) has 120 items over 8 areas. No public source gives
the areas' weights, so the course weighs them equally: the full form takes 15 items of each
area and the short form 5 more, so every area holds at least 20 items (the bank keeps more, so
learners' forms differ). Proves: each area file holds enough well-formed items (4 options,
each with feedback; a key; the competencies practised; a section to reread that exists); items
are numbered by area; most are job situations; and no exam stem is worded like a module item
or like another exam item (a twin tests recall, not judgment). The twin check finds a twin.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml
from conftest import ROOT
from item_checks import bank_items, closeness, module_items, twins

FRAMEWORK = yaml.safe_load((ROOT / "content" / "framework.yaml").read_text(encoding="utf-8"))
AREAS = list(FRAMEWORK["areas"])
BANK = bank_items()
LEAST_PER_AREA = 20  # 15 for the full form + 5 for the short form


def headings(slug: str) -> set[str]:
    text = (ROOT / "content" / "modules" / f"{slug}.md").read_text(encoding="utf-8")
    return {line[3:].strip() for line in text.splitlines() if line.startswith("## ")}


def module_slugs() -> dict[int, str]:
    out = {}
    for path in (ROOT / "content" / "items").glob("m*.yaml"):
        head = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[head["number"]] = head["slug"]
    return out


@pytest.mark.parametrize("area", AREAS)
def test_every_area_has_enough_items(area: str) -> None:
    mine = [i for i in BANK if i["area"] == area]
    assert len(mine) >= LEAST_PER_AREA, f"{area}: {len(mine)} items"


@pytest.mark.parametrize("area", AREAS)
def test_items_are_numbered_by_area(area: str) -> None:
    hundreds = AREAS.index(area) + 1
    for item in (i for i in BANK if i["area"] == area):
        assert re.fullmatch(rf"g{hundreds}\d\d", item["id"]), item["id"]
    ids = [i["id"] for i in BANK]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


@pytest.mark.parametrize("area", AREAS)
def test_items_are_well_formed(area: str) -> None:
    slugs = module_slugs()
    for item in (i for i in BANK if i["area"] == area):
        assert item["kind"] == "graded" and item.get("points") == 1, item["id"]
        assert len(item["options"]) == 4 and item["answer"] in item["options"], item["id"]
        for key, option in item["options"].items():
            assert option["text"].strip() and option["feedback"].strip(), f"{item['id']} {key}"
        named = item.get("competencies", [])
        assert named and set(named) <= set(FRAMEWORK["competencies"]), item["id"]
        number, _, heading = item.get("review", "").partition(": ")
        assert number.startswith("Module "), item["id"]
        assert heading in headings(slugs[int(number.split()[1])]), f"{item['id']}: {item['review']}"


@pytest.mark.parametrize("area", AREAS)
def test_most_items_are_job_situations(area: str) -> None:
    mine = [i for i in BANK if i["area"] == area]
    assert sum(bool(i.get("scenario")) for i in mine) >= 0.75 * len(mine)


def test_no_exam_stem_is_worded_like_a_module_item() -> None:
    assert not twins(BANK, module_items())


def test_no_two_exam_stems_are_worded_alike() -> None:
    close = [
        (a["id"], b["id"])
        for n, a in enumerate(BANK)
        for b in BANK[n + 1 :]
        if closeness(a["stem"], b["stem"]) >= 0.5
    ]
    assert not close


def test_the_twin_check_finds_a_twin() -> None:
    module = {"id": "m1.p2", "stem": "At your first meeting, a participant crosses their arms and says no."}
    exam = {"id": "g301", "stem": "At a first meeting a participant crosses their arms and says no one."}
    assert twins([exam], [module]) and not twins([exam], [{"id": "m2.p1", "stem": "A group runs late."}])
