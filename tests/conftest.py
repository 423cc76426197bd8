"""Shared fixtures: the repo's paths, and item content read from the text sources."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "tests"))


def module_sources() -> dict[str, dict]:
    """Every module's items (with answers), by module id, as the build reads them: a practice
    exam form with its items drawn from the bank, named for the form, each in its area."""
    from course.build import read_framework, read_module

    framework = read_framework(ROOT)
    out = {}
    for path in sorted((ROOT / "content" / "items").glob("*.yaml")):
        data = read_module(path, framework)
        out[data["module"]] = data
    return out


@pytest.fixture(scope="session")
def sources() -> dict[str, dict]:
    return module_sources()


@pytest.fixture(scope="session")
def m1(sources: dict[str, dict]) -> dict:
    return sources["m1"]
