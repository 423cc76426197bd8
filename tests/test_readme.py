"""The README tells the truth: its module table and its two set-up commands.

The table of modules and times is compared with the item files; the two commands named in
the README must be the scripts CI runs, so the test command CI proves is the one a newcomer
types.
"""

from __future__ import annotations

import re

from conftest import ROOT, module_sources

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_module_with_its_time() -> None:
    table = README.split("<!-- modules-table")[1].split("<!-- end modules-table")[0]
    rows = {r[0]: r[2] for r in (line.strip("| ").split(" | ") for line in table.splitlines()[3:]) if r[0]}
    expected = {
        ("Exam" if m["module"] == "exam" else str(m["number"])): f"about {m['minutes']} minutes"
        for m in module_sources().values()
    }
    assert rows == expected


def test_readme_has_exactly_the_two_setup_commands_ci_runs() -> None:
    commands = re.findall(r"```bash\n(bash scripts/[\w.-]+)\n```", README)
    assert commands == ["bash scripts/open-course.sh", "bash scripts/run-tests.sh"]
    assert "bash scripts/run-tests.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert (ROOT / command.split()[1]).exists()
