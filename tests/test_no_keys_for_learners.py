"""Graded answers never reach a learner: not in modules/, not in the installed package.

The hidden ``score(...)`` lines, the graded items' answers and their explanations exist only
in content/ and solutions/. This scans the release folder and a freshly built wheel of the
``course`` package for any of them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, module_sources

# Marks of a hidden test or mark scheme in a notebook or data file. (The package's own code
# names them, as the builder writes them; that code holds no keys, which the explanation and
# data checks below cover.)
SECRETS = ("BEGIN HIDDEN TESTS", "score(", "score_topic(", "MARK SCHEME")


def graded_explanations() -> list[str]:
    return [
        option["feedback"]
        for module in module_sources().values()
        for item in module["items"]
        if item["kind"] == "graded"
        for option in item["options"].values()
    ]


def learner_files() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (ROOT / "modules").rglob("*.*")}


def assert_no_keys(files: dict[str, str]) -> None:
    explanations = graded_explanations()
    for name, text in files.items():
        if not name.endswith(".py"):
            assert not [s for s in SECRETS if s in text], name
        assert not [e for e in explanations if e in text], f"{name} holds a graded explanation"
        if name.endswith(".json") and '"items"' in text:
            for item in json.loads(text)["items"]:
                if item["kind"] == "graded":
                    assert "answer" not in item, f"{name}: {item['id']} carries its answer"


def test_release_folder_holds_no_keys() -> None:
    files = learner_files()
    assert any(name.endswith(".ipynb") for name in files)
    assert_no_keys(files)


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Built from a clean copy: setuptools reuses a build/ folder, which could hold stale files.
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copy(ROOT / "README.md", source)
    shutil.copytree(ROOT / "course", source / "course", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return {n: archive.read(n).decode("utf-8", "replace") for n in archive.namelist()}


def test_installed_package_holds_no_keys(wheel_files: dict[str, str]) -> None:
    data = {n for n in wheel_files if n.startswith("course/data/") and n.endswith(".json")}
    expected = {f"course/data/{mid}.json" for mid in module_sources()} | {"course/data/framework.json"}
    assert data == expected, "every module's data file, and the competencies, are in the wheel"
    assert_no_keys({n: t for n, t in wheel_files.items() if n.startswith("course/")})


def test_the_scan_finds_a_planted_key() -> None:
    leaked = {"modules/x.ipynb": 'ask("m1.g1")\nscore("m1.g1", "c")'}
    with pytest.raises(AssertionError):
        assert_no_keys(leaked)
    planted = {
        "course/data/m9.json": json.dumps({"items": [{"id": "m9.g1", "kind": "graded", "answer": "a"}]})
    }
    with pytest.raises(AssertionError):
        assert_no_keys(planted)
