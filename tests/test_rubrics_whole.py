"""Every reflection rubric reaches instructors and learners whole.

In a YAML flow mapping an unquoted comma ends a value: ``{points: 1, text: Names a reason,
not the peer}`` gives the text "Names a reason" and a stray key. Three rubrics were cut short
that way. Proves: each criterion in content/items parses to exactly its points and its text,
and each criterion's whole text stands in the instructor notebook's mark scheme and in the
learner notebook's "They look for" list; the check catches a cut criterion.
"""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import ROOT, module_sources

from course import contract

CRITERIA = [
    (mid, item, criterion)
    for mid, module in module_sources().items()
    for item in module["items"]
    for criterion in item.get("rubric", [])
]


def cut_short(criterion: dict) -> bool:
    """A criterion that is more than its points and text has lost words to a stray key."""
    return set(criterion) != {"points", "text"}


def task_cell(folder: str, slug: str, item_id: str) -> str:
    nb = json.loads((ROOT / folder / slug / f"{slug}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c.get("id") == contract.reflection_task(item_id))
    return "".join(cell["source"])


def test_the_check_catches_a_criterion_cut_at_a_comma() -> None:
    parsed = yaml.safe_load("- {points: 1, text: Names a reason, not the peer specialist.}")[0]
    assert cut_short(parsed)


@pytest.mark.parametrize(
    ("mid", "item", "criterion"), CRITERIA, ids=[f"{i['id']}-{n}" for n, (_, i, _c) in enumerate(CRITERIA)]
)
def test_each_criterion_is_whole_in_both_notebooks(mid: str, item: dict, criterion: dict) -> None:
    assert not cut_short(criterion), f"{item['id']}: {criterion} (quote the text in content/items/{mid}.yaml)"
    slug = module_sources()[mid]["slug"]
    scheme = task_cell("solutions", slug, item["id"])
    assert f"- {criterion['points']} point(s): {criterion['text']}" in scheme
    assert f"- {criterion['text']}" in task_cell("modules", slug, item["id"])


def test_there_are_rubrics_to_check() -> None:
    assert len({item["id"] for _, item, _ in CRITERIA}) >= 6
