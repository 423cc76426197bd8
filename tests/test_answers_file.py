"""The answers file keeps every answer it can, whatever state it is found in.

Each test names a state a learner's file can really be in (missing, empty, truncated by a
crash, hand-edited, copied from another module) and checks what the course reads from it,
what it tells the learner, and that rewriting it loses nothing.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from course.store import AnswerStore, parse


def store(folder: Path, module: str = "m1", read_only: bool = False) -> AnswerStore:
    return AnswerStore(module, folder, read_only=read_only)


def test_missing_file_is_an_empty_start(tmp_path: Path) -> None:
    loaded = store(tmp_path).load()
    assert loaded.entries == {} and loaded.problems == []


def test_every_change_is_saved_at_once_and_history_kept(tmp_path: Path) -> None:
    answers = store(tmp_path)
    answers.record("m1.p1", "a")
    answers.record("m1.p1", "c")
    entry = json.loads((tmp_path / "answers.json").read_text())["answers"]["m1.p1"]
    assert (entry["value"], entry["first"], entry["changes"]) == ("c", "a", 2)


def test_empty_file_is_reported_and_replaced(tmp_path: Path) -> None:
    (tmp_path / "answers.json").write_text("")
    assert store(tmp_path).load().problems == ["answers.json was empty."]
    store(tmp_path).record("m1.p1", "b")
    assert store(tmp_path).value("m1.p1") == "b"


def test_truncated_file_keeps_the_readable_answers_and_a_copy(tmp_path: Path) -> None:
    whole = json.dumps({"module": "m1", "answers": {"m1.g1": {"value": "a"}, "m1.g2": {"value": "b"}}})
    (tmp_path / "answers.json").write_text(whole[:-12])
    loaded = store(tmp_path).load()
    assert loaded.entries == {"m1.g1": {"value": "a"}}
    assert "damaged" in loaded.problems[0]
    store(tmp_path).record("m1.g3", "c")
    copies = list(tmp_path.glob("answers.damaged-*.json"))
    assert [c.read_text() for c in copies] == [whole[:-12]]
    assert store(tmp_path).value("m1.g1") == "a" and store(tmp_path).value("m1.g3") == "c"


def test_file_from_another_module_is_kept_aside_not_used(tmp_path: Path) -> None:
    other = json.dumps({"module": "m2", "answers": {"m2.g1": {"value": "a"}}})
    (tmp_path / "answers.json").write_text(other)
    loaded = store(tmp_path).load()
    assert loaded.entries == {}
    assert loaded.problems[0] == "answers.json was made for Module 2, not Module 1."
    store(tmp_path).record("m1.p1", "a")
    assert [c.read_text() for c in tmp_path.glob("answers.damaged-*.json")] == [other]


@pytest.mark.parametrize("text", ["[1, 2]", '"just text"', '{"module": "m1", "answers": [1]}', "\x00\x01"])
def test_odd_contents_never_raise(text: str) -> None:
    loaded = parse(text, "m1")
    assert loaded.entries == {} and loaded.problems


def test_unreadable_entry_is_named(tmp_path: Path) -> None:
    text = json.dumps({"module": "m1", "answers": {"m1.g1": "b", "m1.g2": {"value": "a"}}})
    loaded = parse(text, "m1")
    assert loaded.entries == {"m1.g2": {"value": "a"}}
    assert loaded.problems == ["The saved answer for m1.g1 could not be read."]


def test_grading_never_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    answers = AnswerStore("m1", tmp_path)
    assert answers.read_only
    assert answers.record("m1.p1", "a") is False
    assert not (tmp_path / "answers.json").exists()


def _write_many(folder: str, prefix: str, count: int) -> None:
    answers = AnswerStore("m1", Path(folder), read_only=False)
    for n in range(count):
        answers.record(f"m1.{prefix}{n}", "a")


def test_two_writers_at_once_lose_nothing_and_never_leave_a_broken_file(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_write_many, args=(str(tmp_path), p, 60)) for p in ("p", "g")]
    for w in writers:
        w.start()
    reads = 0
    while any(w.is_alive() for w in writers):
        text = (tmp_path / "answers.json").read_text() if (tmp_path / "answers.json").exists() else "{}"
        json.loads(text)  # a reader never sees a half-written file
        reads += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    saved = json.loads((tmp_path / "answers.json").read_text())["answers"]
    assert len(saved) == 120 and reads > 0
