"""A trainer running live sessions finds a whole plan for every module, and safety first.

Proves: docs/facilitators has a plan for each module, titled exactly as the module is, with the
parts a plan promises (goals, timing, opening, discussion prompts, a small-group activity,
closing, hard moments, what to do before the next session) and goals tied to the competencies
the module's own items name; a plan for the practice exams; the ground rules say what to do
in a crisis in the room (988, 911, safety of others, no secret kept that must be reported);
and every link between the guide's pages leads somewhere.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, module_sources

GUIDE = ROOT / "docs" / "facilitators"
MODULES = {m["number"]: m for m in module_sources().values() if not m.get("shuffle")}
PARTS = ("Goals", "Timing", "Opening", "Discussion prompts", "Small-group activity", "Closing")
PARTS += ("Hard moments", "Before the next session")


def headings(text: str) -> list[str]:
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize("number", sorted(MODULES))
def test_every_module_has_a_whole_session_plan(number: int) -> None:
    module = MODULES[number]
    text = (GUIDE / f"module-{number:02d}.md").read_text(encoding="utf-8")
    assert text.startswith(f"# Module {number}: {module['title']}"), text.splitlines()[0]
    for part in PARTS:
        assert any(h.startswith(part) for h in headings(text)), f"module {number} has no {part!r} part"
    assert "still being written" not in text, "the plan was made before the module; update it"
    named = {n for i in module["items"] for n in i.get("competencies", [])}
    goals = text.split("## Goals", 1)[1].split("\n## ", 1)[0]
    cited = {int(n) for n in re.findall(r"competenc(?:y|ies) \*?\*?(\d+)", goals)}
    assert cited & named, f"module {number}'s goals cite {cited}, none of which its items name ({named})"


def test_the_practice_exams_have_a_sitting_and_a_debrief() -> None:
    text = (GUIDE / "practice-exam.md").read_text(encoding="utf-8")
    parts = [h.lower() for h in headings(text)]
    assert any("timed" in h for h in parts) and any("debrief" in h for h in parts)
    assert "120" in text and "2.5 hours" in text and "60" in text


def test_the_ground_rules_say_what_to_do_in_a_crisis_in_the_room() -> None:
    text = " ".join((GUIDE / "ground-rules-and-safety.md").read_text(encoding="utf-8").split())
    for needed in ("988", "911", "mandated reporter", "anyone else", "Share only what you choose"):
        assert needed.lower() in text.lower(), f"the ground rules do not say {needed!r}"
    assert re.search(r"(never|do not|don't) promise (to keep|secrecy|a secret)", text, re.I)


def test_every_link_in_the_guide_leads_somewhere() -> None:
    broken = []
    for page in sorted(GUIDE.glob("*.md")):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            elsewhere = target.startswith(("http://", "https://", "mailto:"))
            if not elsewhere and not (page.parent / target).exists():
                broken.append(f"{page.name} -> {target}")
    assert not broken, broken
