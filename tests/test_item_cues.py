"""No graded or exam item gives its key away to a learner who knows nothing.

Measured over every graded item of the modules and every item of the practice exam bank
(tests/item_checks.py says how each cue is measured): a rule that uses no knowledge (drop the
options that give their own reason, then pick one that says ask, listen, offer or invite) gets
at most 35 % right, where chance is 25 %; right and wrong options give their own reasons
equally often (within 10 points); the key is strictly the longest option in at most a quarter
of items; keys are spread over the four positions; and wrong options are well-meant mistakes,
not absurd clinical, forceful or cruel ones. Each check is shown failing on items made to carry
its cue, so a passing course is not a check that cannot fail.
"""

from __future__ import annotations

import pytest
from item_checks import (
    LIMITS,
    content_free_pick,
    figures,
    graded_items,
    load,
    over_limits,
)

GRADED = graded_items(load([]))  # every module's graded items, and the bank


def test_there_are_graded_and_exam_items_to_measure() -> None:
    assert len([i for i in GRADED if i.get("area")]) >= 160
    assert len([i for i in GRADED if not i.get("area")]) >= 60


@pytest.mark.parametrize("cue", list(LIMITS))
def test_no_cue_gives_the_key_away(cue: str) -> None:
    value = figures(GRADED)[cue]
    assert value <= LIMITS[cue], f"{cue}: {value:.1%} (limit {LIMITS[cue]:.0%})"


def item(answer: str, *texts: str) -> dict:
    return {"answer": answer, "options": {k: {"text": t} for k, t in zip("abcd", texts, strict=True)}}


# Items made to carry one cue each: the checks above must catch every one.
CUED = {
    "content_free_rule": item(
        "a",
        "Ask how they feel.",
        "Tell them the rules, because rules matter.",
        "Call their sister, so she can help.",
        "Fill in the form, since it is due.",
    ),
    "justification_gap": item(
        "a", "Sit with them.", "Leave, so they rest.", "Phone, because it helps.", "Wait, since it is late."
    ),
    "key_longest": item("a", "Stay calm, and talk it through with them", "Leave.", "Wait.", "Phone."),
    "key_position": item("a", "One.", "Two.", "Six.", "Ten."),
    "overreach": item("a", "Stay with them.", "Diagnose the problem.", "Wait.", "Phone."),
}


@pytest.mark.parametrize("cue", list(CUED))
def test_each_check_catches_items_that_carry_its_cue(cue: str) -> None:
    assert cue in over_limits([CUED[cue]] * 8)


def test_the_blind_rule_picks_what_a_test_wise_learner_would() -> None:
    assert content_free_pick(CUED["content_free_rule"]) == 1
    assert content_free_pick(CUED["key_position"]) == 0.25
