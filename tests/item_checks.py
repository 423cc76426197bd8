"""Measures of graded items that a test-wise learner could use without knowing anything.

A multiple-choice item leaks its key when the right option looks different from the wrong
ones: longer, always in one position, the only one without a reason tacked on ("…, so that
they trust you"), the only one that says "ask" or "listen", or beside an absurd option that
no one would pick. These functions measure each cue over a set of items; the tests in
``test_item_cues.py`` hold the course to limits, and an author can print the figures:

    python tests/item_checks.py            # every module and the exam bank
    python tests/item_checks.py m6 bank    # some of them ("bank": content/exam-bank)

It also lists exam bank items whose stem is worded too close to a module item's (a twin: the
exam would test recall of the module, not judgment in a new situation).

Items are dicts as in ``content/items/*.yaml`` (``options`` by key, ``answer``).
"""

from __future__ import annotations

import difflib
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# An option that gives its own reason ("…, so they feel safe", "…because it is the law").
JUSTIFIES = re.compile(
    r"\b(because|since|so that|in order to|to make sure|"
    r"so (they|you|the|it|he|she|we|that|your|their))\b|,\s*so\b",
    re.I,
)
# Words of the "soft" peer style that keys overused: a learner can pick them blind.
SOFT = re.compile(
    r"\b(ask|asks|asking|listen|listens|listening|offer|offers|offering|invite|invites|inviting)\b", re.I
)
# Options no well-meaning new peer specialist would choose: clinical acts, force, cruelty.
OVERREACH = re.compile(
    r"\b(diagnose[sd]?|diagnosing|(what|which) diagnosis|prescrib\w*|psychotherap\w*|"
    r"(change|adjust|raise|lower|double|cut|stop)\w* (their|the|his|her) "
    r"(dose|dosage|medication|medicine|meds)|"
    r"restrain\w*|yell\w*|threaten\w*|mock\w*|lie to)\b",
    re.I,
)

# Words that say little about a scenario, left out when stems are compared.
COMMON = frozenset(
    re.findall(
        r"\w+",
        "a an the and or but of to in on at for with you your they them their is are was were be been it "
        "this that what do does first best who how when which as by from i my me we our he she his her "
        "not no will would can could should",
    )
)
TWIN_AT = 0.5  # stems this close in wording (0-1) are twins

LIMITS = {
    "content_free_rule": 0.35,  # share of items the blind rule gets right (chance is about 0.25)
    "justification_gap": 0.10,  # |keys that justify - distractors that justify|
    "key_longest": 0.25,  # share of items whose key is strictly the longest option
    "key_position": 0.40,  # largest share of keys in one position
    "overreach": 0.05,  # share of items with an implausible clinical, forceful or cruel distractor
}


def distractors(item: dict) -> list[dict]:
    return [option for key, option in item["options"].items() if key != item["answer"]]


def content_free_pick(item: dict) -> float:
    """The chance that the blind rule picks the key: drop options that justify themselves,
    then prefer those that say ask, listen, offer or invite, then guess among what is left."""
    options = item["options"]
    left = [k for k, o in options.items() if not JUSTIFIES.search(o["text"])] or list(options)
    soft = [k for k in left if SOFT.search(options[k]["text"])]
    pool = soft or left
    return 1 / len(pool) if item["answer"] in pool else 0.0


def content_free_rate(items: list[dict]) -> float:
    return sum(content_free_pick(i) for i in items) / len(items)


def justification_shares(items: list[dict]) -> tuple[float, float]:
    """(share of keys, share of distractors) whose text gives its own reason."""
    keys = [i["options"][i["answer"]]["text"] for i in items]
    wrong = [o["text"] for i in items for o in distractors(i)]
    share = lambda texts: sum(bool(JUSTIFIES.search(t)) for t in texts) / len(texts)  # noqa: E731
    return share(keys), share(wrong)


def key_is_strictly_longest(item: dict) -> bool:
    right = len(item["options"][item["answer"]]["text"])
    return all(right > len(o["text"]) for o in distractors(item))


def key_longest_rate(items: list[dict]) -> float:
    return sum(key_is_strictly_longest(i) for i in items) / len(items)


def key_positions(items: list[dict]) -> Counter:
    """How many keys stand in each position (0 = first option)."""
    return Counter(list(i["options"]).index(i["answer"]) for i in items)


def overreaching(item: dict) -> list[str]:
    """Distractors that describe clinical acts, force or cruelty: options nobody would pick."""
    return [o["text"] for o in distractors(item) if OVERREACH.search(o["text"])]


def overreach_rate(items: list[dict]) -> float:
    return sum(bool(overreaching(i)) for i in items) / len(items)


def figures(items: list[dict]) -> dict[str, float]:
    """Every cue measure of a set of items, named as in LIMITS."""
    keys, wrong = justification_shares(items)
    return {
        "content_free_rule": content_free_rate(items),
        "justification_gap": abs(keys - wrong),
        "key_longest": key_longest_rate(items),
        "key_position": max(key_positions(items).values()) / len(items),
        "overreach": overreach_rate(items),
    }


def over_limits(items: list[dict]) -> dict[str, float]:
    """The measures above their limit (empty when the items give nothing away)."""
    return {name: value for name, value in figures(items).items() if value > LIMITS[name]}


def stem_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z']+", text.lower()) if w not in COMMON]


def closeness(a: str, b: str) -> float:
    """How alike two stems are in wording, 0 to 1 (the same words in the same order: 1)."""
    return difflib.SequenceMatcher(None, stem_words(a), stem_words(b), autojunk=False).ratio()


def twins(exam: list[dict], others: list[dict]) -> list[tuple[str, str, float]]:
    """(exam item, module item, closeness) for every exam stem worded like a module stem."""
    found = []
    for item in exam:
        for other in others:
            near = closeness(item["stem"], other.get("stem", ""))
            if near >= TWIN_AT:
                found.append((item["id"], other["id"], near))
    return found


def graded_items(modules: Iterable[dict]) -> list[dict]:
    """The graded choice items of module dicts (the exam's items are all graded)."""
    return [i for m in modules for i in m["items"] if i["kind"] == "graded"]


def bank_items() -> list[dict]:
    """The practice exam's bank (content/exam-bank/<area>.yaml), each item with its area."""
    items = []
    for path in sorted((ROOT / "content" / "exam-bank").glob("*.yaml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        items += [{"area": part["area"], **item} for item in part["items"]]
    return items


def module_items() -> list[dict]:
    """Every item of the modules (not the practice exam forms, which draw from the bank)."""
    files = sorted((ROOT / "content" / "items").glob("m*.yaml"))
    return [i for f in files for i in yaml.safe_load(f.read_text(encoding="utf-8"))["items"]]


def load(names: list[str]) -> list[dict]:
    """Module dicts by id; "bank" stands for the exam bank as one module."""
    files = sorted((ROOT / "content" / "items").glob("m*.yaml"))
    modules = [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]
    modules.append({"module": "bank", "items": bank_items()})
    return [m for m in modules if not names or m["module"] in names]


def main(argv: list[str]) -> int:
    items = graded_items(load(argv))
    if not items:
        print("no graded items")
        return 1
    keys, wrong = justification_shares(items)
    print(f"{len(items)} graded items")
    for name, value in figures(items).items():
        flag = "  OVER" if value > LIMITS[name] else ""
        print(f"  {name:18} {value:6.1%}  (limit {LIMITS[name]:.0%}){flag}")
    print(f"  keys that justify {keys:.1%}, distractors that justify {wrong:.1%}")
    print(f"  key positions {dict(sorted(key_positions(items).items()))}")
    for item in items:
        reasons = []
        if content_free_pick(item) == 1:
            reasons.append("blind rule picks the key")
        if key_is_strictly_longest(item):
            reasons.append("key is longest")
        reasons += [f"overreach: {text}" for text in overreaching(item)]
        if reasons:
            print(f"  {item['id']}: {'; '.join(reasons)}")
    close = twins([i for i in items if i.get("area")], module_items())
    for exam_id, module_id, near in close:
        print(f"  twin: {exam_id} is worded like {module_id} ({near:.2f})")
    return 1 if over_limits(items) or close else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
