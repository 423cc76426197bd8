"""The answers file keeps every answer it can, whatever state it is found in.

Each test names a state a learner's file can really be in (missing, empty, truncated by a
crash, hand-edited, copied from another module, a reflection with braces in it, one bad byte,
a file its owner cannot read) and checks what the course reads from it, what it tells the
learner, and that rewriting it loses nothing: the old file is copied aside byte for byte, and
stays whole whenever a save fails.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import course.store
from course import texts
from course.store import AnswerStore, SaveFailed, decode, parse


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


def test_braces_in_a_reflection_do_not_stop_its_rescue(tmp_path: Path) -> None:
    words = "I felt {stuck} at first. Then } and { stopped scaring me."
    entries = {"m1.r1": {"value": words}, "m1.g1": {"value": "a"}, "m1.g2": {"value": "b"}}
    whole = json.dumps({"module": "m1", "answers": entries})
    loaded = parse(whole[:-12], "m1")
    assert loaded.entries == {"m1.r1": {"value": words}, "m1.g1": {"value": "a"}}
    assert loaded.keep_copy


def test_one_bad_byte_costs_no_answer_and_is_named() -> None:
    raw = b'{"module": "m1", "answers": {"m1.r1": {"value": "caf\xff time"}, "m1.g1": {"value": "a"}}}'
    loaded = decode(raw, "m1")
    assert loaded.entries == {"m1.r1": {"value": "caf\ufffd time"}, "m1.g1": {"value": "a"}}
    assert loaded.problems == [texts.FILE_BAD_CHARACTERS] and loaded.keep_copy


NOBODY = "nobody"


@pytest.fixture()
def plain_user_folder() -> Iterator[tuple[Path, int]]:
    """A folder in /tmp owned by an ordinary user, and that user's id (our own if not root).

    Root reads any file whatever its mode, so as root the checks below run with the
    effective user id of "nobody" (``seteuid``); the folder must then be theirs.
    """
    folder = Path(tempfile.mkdtemp(prefix="answers-test-"))
    uid = os.geteuid()
    if uid == 0:
        uid = pwd.getpwnam(NOBODY).pw_uid
        for path in (folder, folder / "work", folder / "cache"):
            path.mkdir(exist_ok=True)
            os.chown(path, uid, -1)
    else:
        (folder / "work").mkdir()
    try:
        yield folder, uid
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def acting_as(uid: int) -> Iterator[None]:
    """Run a block as ``uid`` (only the effective id changes, so root comes back after)."""
    if uid == os.geteuid():
        yield
        return
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)


def test_a_file_its_owner_cannot_read_is_opened_again_and_rescued(
    plain_user_folder: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, uid = plain_user_folder
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
    answers = folder / "work" / "answers.json"
    with acting_as(uid):
        answers.write_text(json.dumps({"module": "m1", "answers": {"m1.g1": {"value": "a"}}}))
        answers.chmod(0)
        loaded = store(answers.parent).load()
        store(answers.parent).record("m1.g2", "b")
    assert loaded.entries == {"m1.g1": {"value": "a"}} and loaded.problems == []
    saved = json.loads(answers.read_text())["answers"]
    assert (saved["m1.g1"]["value"], saved["m1.g2"]["value"]) == ("a", "b")


def test_a_file_that_cannot_be_read_is_never_written_over(
    plain_user_folder: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root, to give the learner a file owned by someone else")
    folder, uid = plain_user_folder
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
    answers = folder / "work" / "answers.json"
    old = json.dumps({"module": "m1", "answers": {"m1.g1": {"value": "a"}}}).encode()
    answers.write_bytes(old)  # root's file, in the learner's folder
    answers.chmod(0)
    with acting_as(uid):
        loaded = store(answers.parent).load()
        with pytest.raises(SaveFailed) as failed:
            store(answers.parent).record("m1.g2", "b")
    assert loaded.problems == [texts.FILE_UNREADABLE] and loaded.entries == {}
    assert str(failed.value) == texts.SAVE_FAILED.format(reason=texts.SAVE_UNREADABLE)
    assert answers.read_bytes() == old and stat.S_IMODE(answers.stat().st_mode) == 0
    assert sorted(p.name for p in answers.parent.iterdir()) == ["answers.json"]


DAMAGED = b'{"module": "m1", "answers": {"m1.g1": {"value": "a"}, "m1.r1": {"value": "caf\xff {ok}"}, "m1.g2'


def test_a_damaged_file_is_copied_aside_byte_for_byte_then_rewritten(tmp_path: Path) -> None:
    (tmp_path / "answers.json").write_bytes(DAMAGED)
    store(tmp_path).record("m1.g3", "c")
    copies = list(tmp_path.glob("answers.damaged-*.json"))
    assert [c.read_bytes() for c in copies] == [DAMAGED]
    assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600  # other learners cannot read it
    saved = json.loads((tmp_path / "answers.json").read_text(encoding="utf-8"))["answers"]
    values = {k: v["value"] for k, v in saved.items()}
    assert values == {"m1.g1": "a", "m1.r1": "caf\ufffd {ok}", "m1.g3": "c"}


def _disk_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("step", ["_write_atomically", "_write_new"])
def test_a_save_that_fails_leaves_the_old_file_whole_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    (tmp_path / "answers.json").write_bytes(DAMAGED)
    monkeypatch.setattr(course.store, step, _disk_full)
    with pytest.raises(SaveFailed) as failed:
        store(tmp_path).record("m1.g3", "c")
    assert str(failed.value) == texts.SAVE_FAILED.format(reason=texts.SAVE_DISK_FULL)
    assert (tmp_path / "answers.json").read_bytes() == DAMAGED
    kept = [c.read_bytes() for c in tmp_path.glob("answers.damaged-*.json")]
    # A failed copy aside writes nothing at all; a failed write happens after the copy.
    assert kept == ([] if step == "_write_new" else [DAMAGED])
