"""Saving answers on a shared machine (JupyterHub): never lost, never silently not saved.

On a hub many Unix users share one machine and one /tmp. These tests prove, on the real
thing where they can (a real full disk, real distinct Unix users), that:

* a save that cannot finish because the disk is full says so, in plain words, right under
  the question (and in the typed ``answer()``), and the old answers file stays byte for byte;
* two users each save their own answers, even when one of them has taken the shared names
  the course once used in the temp folder (and planted a symlink there), and each user's
  lock folder is private: mode 700, theirs, outside the temp folder; neither can read the
  other's answers or locks;
* the lock folder leaves an ``XDG_RUNTIME_DIR`` that is not the user's private one, closes a
  folder of its own that others could enter, refuses folders of others and symlinks, and a
  save with no safe folder fails with a plain message instead of using a shared one.

Mounting a disk and adding users need root; each such test says why when it is skipped.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sysconfig
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

from course import texts
from course.answering import answer
from course.items import find_item
from course.private_dir import NoPrivateDir, private_dir
from course.store import AnswerStore, SaveFailed

DISK_FULL = texts.SAVE_FAILED.format(reason=texts.SAVE_DISK_FULL)
DAMAGED = b'{"module": "m1", "answers": {"m1.g2": {"value": "a"}, "m1.g3": {"val'
HEALTHY = b'{"format": 1, "module": "m1", "answers": {"m1.g2": {"value": "a", "first": "a", "changes": 1}}}'


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's lock folder in the test's own folder, not in the real home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (to mount a small disk, add users or give a folder to another user)")


# --- a full disk ---------------------------------------------------------------------------
@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KB disk of its own (tmpfs), so "full" is real and no other test is disturbed."""
    needs_root()
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a small tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def fill(disk: Path) -> None:
    """Write a filler file until not one more byte fits."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (4096, 1):
            while True:
                try:
                    os.write(fd, b"x" * size)
                except OSError:
                    break
    finally:
        os.close(fd)
    with pytest.raises(OSError):
        (disk / "probe").write_bytes(b"x" * 4096)


@pytest.mark.parametrize("old", [DAMAGED, HEALTHY], ids=["damaged-file", "healthy-file"])
def test_disk_full_fails_in_plain_words_and_keeps_the_old_file(small_disk: Path, old: bytes) -> None:
    (small_disk / "answers.json").write_bytes(old)
    fill(small_disk)
    with pytest.raises(SaveFailed) as failed:
        AnswerStore("m1", small_disk, read_only=False).record("m1.g1", "b")
    assert str(failed.value) == DISK_FULL
    assert (small_disk / "answers.json").read_bytes() == old
    # No half-written copy or temporary file is left behind to confuse anyone.
    assert sorted(p.name for p in small_disk.iterdir() if p.name != "probe") == ["answers.json", "filler"]


def _widget_on_full_disk(kind: str, disk: Path):
    """A question's widget (as ``ask`` shows it) whose answers file is on a full disk."""
    from course import widgets

    item = find_item({"choice": "m1.g2", "reflection": "m1.r1", "sort": "m4.s1"}[kind])
    store = AnswerStore(item.id.split(".")[0], disk, read_only=False)
    if kind == "choice":
        box = widgets.choice(item, item.options, store, "a")
    else:
        box = getattr(widgets, kind)(item, store, None)
    (disk / "answers.json").write_bytes(HEALTHY)
    fill(disk)
    return item, box


def test_a_click_that_is_not_saved_says_so_under_the_question(small_disk: Path) -> None:
    _, box = _widget_on_full_disk("choice", small_disk)
    buttons, feedback = box.children[1], box.children[2]
    assert "Saved: A." in feedback.value
    buttons.value = "b"
    assert DISK_FULL in feedback.value
    assert "Saved" not in feedback.value and texts.SAVED_NOTE not in feedback.value
    assert "cps-live" in feedback._dom_classes  # the line a screen reader reads out
    # Where widgets cannot draw, the question shows what is really on file: still A.
    assert "Saved: A." in box._repr_mimebundle_()["text/plain"]
    assert (small_disk / "answers.json").read_bytes() == HEALTHY


def test_words_that_are_not_saved_are_not_called_saved(small_disk: Path) -> None:
    _, box = _widget_on_full_disk("reflection", small_disk)
    text, status = box.children[1], box.children[2]
    text.value = "My own words."
    assert DISK_FULL in status.value
    assert texts.REFLECTION_SAVED.format(words=3) not in status.value


def test_a_sort_that_is_not_saved_says_so_under_the_task(small_disk: Path) -> None:
    item, box = _widget_on_full_disk("sort", small_disk)
    menu, feedback = box.children[1].children
    menu.value = next(iter(item.bins))
    assert DISK_FULL in feedback.value
    assert texts.RIGHT not in feedback.value and texts.NOT_QUITE not in feedback.value


def test_a_typed_answer_that_is_not_saved_says_so(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (small_disk / "answers.json").write_bytes(HEALTHY)
    fill(small_disk)
    with monkeypatch.context() as patch:  # back out of the disk before it is unmounted
        patch.chdir(small_disk)
        answer("m1.g2", "b")
    assert capsys.readouterr().out.strip() == DISK_FULL
    assert (small_disk / "answers.json").read_bytes() == HEALTHY


# --- two real Unix users -------------------------------------------------------------------
@dataclass
class User:
    name: str
    uid: int
    home: Path

    @property
    def work(self) -> Path:
        """The folder this user's notebooks and answers.json are in."""
        return self.home / "course"


SAVE = """
import sys
from pathlib import Path
from course.store import AnswerStore
from course.private_dir import private_dir
AnswerStore("m1", Path(sys.argv[1]), read_only=False).record(sys.argv[2], "b")
print(private_dir("locks"))
"""
TRY_TO_READ = """
import sys
from pathlib import Path
for path in map(Path, sys.argv[1:]):
    try:
        path.read_bytes() if path.is_file() else list(path.iterdir())
        print("read", path)
    except PermissionError:
        print("denied", path)
"""


@dataclass
class Machine:
    """Two learners on one machine, and how to run Python as either of them."""

    a: User
    b: User
    python: list[str]
    env: dict[str, str]
    shared_tmp: Path

    def run(self, user: User, code: str, *args: object) -> subprocess.CompletedProcess[str]:
        """Run ``code`` as ``user``: their own id and home, and the temp folder everyone shares."""
        env = {**self.env, "HOME": str(user.home), "USER": user.name, "TMPDIR": str(self.shared_tmp)}
        command = ["runuser", "-u", user.name, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()]]
        return subprocess.run(
            [*command, *self.python, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=60
        )

    def save(self, user: User, item_id: str) -> Path:
        """Record an answer as ``user``; the save must work. Returns the lock folder it used."""
        done = self.run(user, SAVE, user.work, item_id)
        assert done.returncode == 0, done.stderr
        return Path(done.stdout.strip())


def _add_user(prefix: str) -> User:
    name = f"cpstest_{prefix}{uuid.uuid4().hex[:6]}"
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True, capture_output=True)
    entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    # Many hubs leave homes open to others (mode 755): the course's own files must be private
    # by themselves, so this test opens the homes and lets the files' modes keep others out.
    home.chmod(0o755)
    user = User(name, entry.pw_uid, home)
    user.work.mkdir(mode=0o755)
    os.chown(user.work, user.uid, entry.pw_gid)
    return user


def _python_for(user: User) -> tuple[list[str], dict[str, str]]:
    """A Python other users can run that imports this course, or a skip saying why not.

    The project's venv is tried first. Its interpreter is often a link into root's own home,
    which other users cannot enter; then the system's Python of the same version runs with
    this checkout and the venv's (pure-Python) packages on its path.
    """
    base = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(user.home)}
    purelib = sysconfig.get_paths()["purelib"]
    tries = [
        ([str(ROOT / ".venv" / "bin" / "python")], base),
        (["/usr/bin/python3"], {**base, "PYTHONPATH": f"{ROOT}:{purelib}"}),
    ]
    failures = []
    for python, env in tries:
        command = ["runuser", "-u", user.name, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()]]
        check = subprocess.run(
            [*command, *python, "-c", "import course.store"], capture_output=True, text=True, timeout=60
        )
        if check.returncode == 0:
            return python, env
        failures.append(f"{python[0]}: {check.stderr.strip().splitlines()[-1:]}")
    pytest.skip(f"no Python that imports the course can be run by another user: {failures}")


@pytest.fixture(scope="module")
def machine() -> Iterator[Machine]:
    needs_root()
    if not (shutil.which("useradd") and shutil.which("runuser")):
        pytest.skip("useradd and runuser are needed to act as two users")
    users: list[User] = []
    shared_tmp = Path(tempfile.mkdtemp(prefix="store-test-shared-tmp-"))
    try:
        users = [_add_user("a"), _add_user("b")]
        # A temp folder like /tmp (everyone may write, sticky), for this test alone: the real
        # /tmp may already hold the old names, made by someone else.
        shared_tmp.chmod(0o1777)
        python, env = _python_for(users[0])
        yield Machine(users[0], users[1], python, env, shared_tmp)
    finally:
        for user in users:
            subprocess.run(["userdel", "--remove", user.name], capture_output=True)
        shutil.rmtree(shared_tmp, ignore_errors=True)


def assert_private(folder: Path, user: User, machine: Machine) -> None:
    info = os.lstat(folder)
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == user.uid
    for shared in (Path("/tmp"), Path(tempfile.gettempdir()), machine.shared_tmp):
        assert not folder.resolve().is_relative_to(shared.resolve()), folder


def test_two_users_each_save_their_own_answers(machine: Machine) -> None:
    for user in (machine.a, machine.b):
        locks = machine.save(user, "m1.g1")
        assert_private(locks, user, machine)
        answers = user.work / "answers.json"
        assert answers.stat().st_uid == user.uid and '"m1.g1"' in answers.read_text()


@pytest.mark.parametrize("mode", [0o755, 0o777], ids=["taken-755", "open-777-with-symlink"])
def test_old_shared_names_taken_by_another_user_do_not_stop_a_save(machine: Machine, mode: int) -> None:
    old_names = [machine.shared_tmp / "cps-course-locks", machine.shared_tmp / "cps-course-selfcheck"]
    b_answers = machine.b.work / "answers.json"
    machine.save(machine.b, "m1.g1")
    # Where the old code would have put B's lock: A aims it at B's answers file.
    digest = hashlib.sha1(str(b_answers.resolve()).encode()).hexdigest()[:16]
    plant = f"""
import os, sys
for name in sys.argv[1:]:
    os.mkdir(name)
    os.chmod(name, {mode})
if {mode} == 0o777:
    os.symlink({str(b_answers)!r}, os.path.join(sys.argv[1], "{digest}.lock"))
"""
    try:
        planted = machine.run(machine.a, plant, *old_names)
        assert planted.returncode == 0, planted.stderr
        locks = machine.save(machine.b, "m1.g2")
        assert_private(locks, machine.b, machine)
        saved = b_answers.read_text()
        assert '"m1.g1"' in saved and '"m1.g2"' in saved
    finally:
        for name in old_names:
            shutil.rmtree(name, ignore_errors=True)


def test_another_user_cannot_read_my_answers_or_my_locks(machine: Machine) -> None:
    locks = machine.save(machine.b, "m1.g3")
    targets = [machine.b.work / "answers.json", locks]
    assert all(t.exists() for t in targets)
    tried = machine.run(machine.a, TRY_TO_READ, *targets)
    assert tried.returncode == 0, tried.stderr
    assert tried.stdout.split() == [word for t in targets for word in ("denied", str(t))]


# --- the lock folder: which folder is private enough ---------------------------------------
@pytest.fixture()
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A runtime folder (private, as a login makes it) and a cache folder for this user."""
    runtime, cache = tmp_path / "runtime", tmp_path / "cache"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return runtime, cache


def nobody() -> int:
    needs_root()
    return pwd.getpwnam("nobody").pw_uid


def test_a_private_runtime_folder_is_used_first(places: tuple[Path, Path]) -> None:
    runtime, _ = places
    assert private_dir("locks") == runtime / "cps-course" / "locks"
    assert stat.S_IMODE((runtime / "cps-course" / "locks").stat().st_mode) == 0o700


def test_a_runtime_folder_others_can_enter_is_left_for_the_cache(places: tuple[Path, Path]) -> None:
    runtime, cache = places
    runtime.chmod(0o755)
    assert private_dir("locks") == cache / "cps-course" / "locks"
    assert not (runtime / "cps-course").exists()


def test_a_runtime_folder_of_another_user_is_left_for_the_cache(places: tuple[Path, Path]) -> None:
    runtime, cache = places
    os.chown(runtime, nobody(), -1)
    assert private_dir("locks") == cache / "cps-course" / "locks"
    assert not (runtime / "cps-course").exists()


def test_a_folder_of_our_own_that_others_can_enter_is_closed(places: tuple[Path, Path]) -> None:
    runtime, _ = places
    (runtime / "cps-course" / "locks").mkdir(parents=True)
    (runtime / "cps-course" / "locks").chmod(0o777)
    folder = private_dir("locks")
    assert folder == runtime / "cps-course" / "locks"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_symlink_in_place_of_the_folder_is_refused(places: tuple[Path, Path], tmp_path: Path) -> None:
    runtime, cache = places
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (runtime / "cps-course").symlink_to(tmp_path / "elsewhere")
    assert private_dir("locks") == cache / "cps-course" / "locks"
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_with_no_safe_folder_a_save_fails_in_plain_words(places: tuple[Path, Path], tmp_path: Path) -> None:
    runtime, cache = places
    runtime.chmod(0o755)
    (cache / "cps-course").mkdir(parents=True, mode=0o700)
    os.chown(cache / "cps-course", nobody(), -1)
    with pytest.raises(NoPrivateDir):
        private_dir("locks")
    with pytest.raises(SaveFailed) as failed:
        AnswerStore("m1", tmp_path, read_only=False).record("m1.g1", "b")
    assert str(failed.value) == texts.SAVE_FAILED.format(reason=texts.SAVE_NO_PRIVATE_PLACE)
    assert not (tmp_path / "answers.json").exists()
