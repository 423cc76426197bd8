"""Shared fixtures: the repo's paths, and item content read from the text sources."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "tests"))


def module_sources() -> dict[str, dict]:
    """Every module's item file (with answers), by module id."""
    out = {}
    for path in sorted((ROOT / "content" / "items").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[data["module"]] = data
    return out


@pytest.fixture(scope="session")
def sources() -> dict[str, dict]:
    return module_sources()


@pytest.fixture(scope="session")
def m1(sources: dict[str, dict]) -> dict:
    return sources["m1"]
