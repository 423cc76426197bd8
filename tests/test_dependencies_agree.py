"""pyproject.toml and environment.yml name the same packages with the same versions.

Dependencies are declared once in pyproject.toml (runtime and the test extra); conda users
get environment.yml. A package added to one and not the other fails here.
"""

from __future__ import annotations

import re

import yaml
from conftest import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

# conda-forge names that differ from PyPI's, and conda-only tools the tests use.
CONDA_TO_PYPI = {"python-build": "build"}
CONDA_ONLY = {"python", "pip", "nodejs", "configurable-http-proxy"}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*([<>=!~][^;]*)?(;.*)?$")


def parse(requirement: str) -> tuple[str, str]:
    match = REQUIREMENT.match(requirement)
    assert match, requirement
    name = match.group(1).lower().replace("_", "-")
    return CONDA_TO_PYPI.get(name, name), (match.group(3) or "").replace(" ", "")


def pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(parse(r) for r in declared if "python_version" not in r)


def environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            out.update(parse(p) for p in dep.get("pip", []) if not p.startswith("-e"))
        else:
            out.update([parse(dep)])
    return {name: spec for name, spec in out.items() if name not in CONDA_ONLY}


def test_environment_yml_lists_what_pyproject_declares() -> None:
    assert environment() == pyproject()


def test_environment_installs_the_course_itself() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip and env["channels"] == ["conda-forge"]
