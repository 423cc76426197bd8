"""Keep your answers (course.keep_answers): the home page's downloads, and a file loaded back.

The rules first, on files on disk, each as a learner meets it: a file loads into the folder of
the module it names, whatever the file is called; an answer already here that is newer than the
file's is kept, and the learner is told; a damaged file gives what can be read and says what
could not; a file that is not an answers file, or a practice exam of another form, changes
nothing and says why; and a download is the answers file itself, byte for byte.

Then the same in the app view (a learner's Voilà server, as ``tests/test_app_view.py`` runs it)
in Debian's Chromium: the home page downloads a module's answers, loads another module's file
chosen from the disk into its folder, and says kindly that a file of something else was not
loaded. The static site runs the same section (``tests/test_static_site.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from app_server import AppServer, app_server
from lab_server import chromium
from playwright.sync_api import Page, expect

from course import keep_answers as keep
from course.items import all_modules, load_module, module_title
from course.store import ANSWERS_FILE

M1, M2 = load_module("m1"), load_module("m2")
EXAM = load_module("exam")
OPEN_TIMEOUT_MS = 90_000


def entry(value: str, updated: str) -> dict:
    return {"value": value, "first": value, "changes": 1, "updated": updated}


def answers_file(module: str, answers: dict[str, dict], seed: int = 7) -> bytes:
    return json.dumps({"format": 1, "module": module, "seed": seed, "answers": answers}, indent=1).encode()


def saved(base: Path, slug: str) -> dict:
    return json.loads((base / slug / ANSWERS_FILE).read_text(encoding="utf-8"))


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A folder of module folders, as the home notebook's."""
    for module in all_modules().values():
        (tmp_path / module.slug).mkdir()
    return tmp_path


def ids(module, kind: str) -> list[str]:
    return [i for i, item in module.items.items() if item.kind == kind]


def test_a_file_goes_into_the_module_it_names_whatever_it_is_called(base: Path) -> None:
    p1, g1 = ids(M1, "practice")[0], ids(M1, "graded")[0]
    raw = answers_file("m1", {p1: entry("a", "2026-11-01T10:00:00"), g1: entry("b", "2026-11-01T10:01:00")})
    brought = keep.bring_in(raw, "my file (2).json", base)
    assert brought.module == M1 and brought.taken == 2
    assert brought.lines[0] == keep.LOADED.format(title=module_title(M1), taken=2, file="my file (2).json")
    assert saved(base, M1.slug)["answers"] == json.loads(raw)["answers"]
    assert saved(base, M1.slug)["seed"] == 7, "an empty folder takes the file's seed"
    assert not (base / M2.slug / ANSWERS_FILE).exists()


def test_newer_answers_here_are_kept_and_the_learner_is_told(base: Path) -> None:
    p1, p2, g1 = ids(M1, "practice")[0], ids(M1, "practice")[1], ids(M1, "graded")[0]
    (base / M1.slug / ANSWERS_FILE).write_bytes(
        answers_file(
            "m1", {p1: entry("c", "2026-11-20T09:00:00"), g1: entry("a", "2026-11-01T08:00:00")}, seed=3
        )
    )
    raw = answers_file(
        "m1",
        {
            p1: entry("a", "2026-11-10T09:00:00"),  # older than the one here: kept here
            g1: entry("d", "2026-11-02T08:00:00"),  # newer: taken
            p2: entry("b", "2026-11-02T08:00:00"),  # only in the file: taken
        },
    )
    brought = keep.bring_in(raw, "old.json", base)
    assert brought.taken == 2
    assert keep.KEPT_NEWER.format(kept=1) in brought.lines
    answers = saved(base, M1.slug)["answers"]
    assert {k: v["value"] for k, v in answers.items()} == {p1: "c", g1: "d", p2: "b"}
    assert saved(base, M1.slug)["seed"] == 3, "the folder keeps its own seed"
    again = keep.bring_in(raw, "old.json", base)
    assert again.lines == [keep.NOTHING_NEW.format(title=module_title(M1), file="old.json")]


def test_a_damaged_file_gives_what_can_be_read_and_says_what_could_not(base: Path) -> None:
    p1, g1 = ids(M2, "practice")[0], ids(M2, "graded")[0]
    whole = answers_file("m2", {p1: entry("a", "2026-11-01T10:00:00"), g1: entry("b", "2026-11-01T10:01:00")})
    cut = whole[: whole.index(g1.encode()) + 40]  # ends inside the second answer
    brought = keep.bring_in(cut, "cut.json", base)
    assert brought.module == M2 and brought.taken == 1
    assert any(line.startswith("About cut.json: answers.json was damaged") for line in brought.lines)
    assert list(saved(base, M2.slug)["answers"]) == [p1]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"name": "my shopping list"}', keep.NOT_ANSWERS),
        (b"\x89PNG\r\n\x1a\n not text at all", keep.NOT_ANSWERS),
        (answers_file("m9", {}), keep.EMPTY_FILE),
        (b"x" * (keep.LARGEST + 1), keep.TOO_BIG),
    ],
    ids=["other JSON", "a picture", "no answers", "too large"],
)
def test_a_file_that_is_not_answers_changes_nothing_and_says_why(base: Path, raw: bytes, says: str) -> None:
    brought = keep.bring_in(raw, "thing.json", base)
    assert brought.taken == 0 and brought.lines[-1] == says.format(file="thing.json")
    assert not list(base.glob(f"*/{ANSWERS_FILE}")), "nothing may be written"


def test_a_practice_exam_of_another_form_is_not_merged(base: Path) -> None:
    mine, theirs = ids(EXAM, "graded")[:2]
    here = answers_file("exam", {mine: entry("a", "2026-11-01T10:00:00")}, seed=1)
    (base / EXAM.slug / ANSWERS_FILE).write_bytes(here)
    brought = keep.bring_in(
        answers_file("exam", {theirs: entry("b", "2026-12-01T10:00:00")}, seed=2), "x.json", base
    )
    assert brought.lines == [keep.OTHER_FORM.format(file="x.json", title=module_title(EXAM))]
    assert (base / EXAM.slug / ANSWERS_FILE).read_bytes() == here


def test_a_download_is_the_answers_file_itself(base: Path) -> None:
    raw = answers_file("m2", {ids(M2, "practice")[0]: entry("c", "2026-11-01T10:00:00")})
    (base / M2.slug / ANSWERS_FILE).write_bytes(raw)
    (base / M1.slug / ANSWERS_FILE).write_bytes(b"  \n")  # nothing in it: nothing to download
    found = keep.downloads(base)
    assert [(d.module, d.name, d.raw) for d in found] == [(M2, f"{M2.slug}-answers.json", raw)]
    assert keep.module_of_file(found[0].raw) == M2


# --- in the app view (Voilà), in Chromium ------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with app_server(tmp_path_factory.mktemp("keep")) as server:
        yield server


def on_home_page(app: AppServer, folder: Path) -> dict:
    """Download Module 2's answers, load a Module 1 file, then a file of something else."""
    with chromium() as browser:
        context = browser.new_context(accept_downloads=True)
        page: Page = context.new_page()
        page.set_default_timeout(OPEN_TIMEOUT_MS)
        expect.set_options(timeout=20_000)
        page.goto(app.page("home"))
        page.get_by_role("heading", name=keep.HEADING).wait_for()
        with page.expect_download() as download:
            page.get_by_role("link", name=module_title(M2), exact=True).click()
        got = folder / download.value.suggested_filename
        download.value.save_as(got)

        def load(path: Path) -> str:
            with page.expect_file_chooser() as chooser:
                page.get_by_role("button", name=keep.LOAD_BUTTON).click()
            chooser.value.set_files(str(path))
            said = page.get_by_role("status").filter(has_text=path.name)
            said.wait_for()
            return said.inner_text()

        loaded = load(folder / f"{M1.slug}-answers.json")
        expect(
            page.get_by_role("link", name=module_title(M1), exact=True)
        ).to_be_visible()  # now downloadable
        refused = load(folder / "notes.json")
        context.close()
    return {"download": got, "loaded": loaded, "refused": refused}


def test_the_app_views_home_page_downloads_and_loads_answers(app: AppServer, tmp_path: Path) -> None:
    """In the app view: the download is Module 2's answers.json byte for byte; a Module 1 file
    chosen on the disk lands in Module 1's folder with a message; a file of something else is
    refused in words."""
    m2 = answers_file("m2", {ids(M2, "practice")[0]: entry("b", "2026-11-01T10:00:00")})
    (app.root / M2.slug / ANSWERS_FILE).write_bytes(m2)
    m1 = answers_file("m1", {ids(M1, "graded")[0]: entry("c", "2026-11-01T10:00:00")})
    (tmp_path / f"{M1.slug}-answers.json").write_bytes(m1)
    (tmp_path / "notes.json").write_text('{"notes": ["not answers"]}')
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API, away from any asyncio loop here
        seen = pool.submit(on_home_page, app, tmp_path).result()
    assert seen["download"].name == f"{M2.slug}-answers.json"
    assert seen["download"].read_bytes() == m2
    assert seen["loaded"] == "\n".join(
        [keep.LOADED.format(title=module_title(M1), taken=1, file=f"{M1.slug}-answers.json"), keep.OPEN_AGAIN]
    )
    deadline = time.monotonic() + 10
    while not (app.root / M1.slug / ANSWERS_FILE).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert saved(app.root, M1.slug)["answers"] == json.loads(m1)["answers"]
    assert seen["refused"] == keep.NOT_ANSWERS.format(file="notes.json")
