"""The README tells the truth: its module table, its two set-up commands and what a learner sees.

The table of modules and times is compared with the item files; the two commands named in
the README must be the scripts CI runs, so the test command CI proves is the one a newcomer
types. The README starts with the learner (command 1 comes before anything for instructors
and developers), and every line it says the launcher prints, and each log file it points to,
is in the scripts, so the README changes when the launcher's words do.
"""

from __future__ import annotations

import re

from conftest import ROOT, module_sources

README = (ROOT / "README.md").read_text(encoding="utf-8")


def competencies(module: dict) -> str:
    """The README's words for the competencies a module's items practise: "1, 6, 9"."""
    return ", ".join(str(n) for n in sorted({n for i in module["items"] for n in i.get("competencies", [])}))


def test_readme_lists_every_module_with_its_competencies_and_time() -> None:
    table = README.split("<!-- modules-table")[1].split("<!-- end modules-table")[0]
    lines = (line.strip("| ").split(" | ") for line in table.splitlines()[3:])
    rows = {r[0]: (r[2], r[3]) for r in lines if r[0]}
    expected = {
        str(m["number"]): (
            competencies(m),
            f"about {m['minutes']} minutes",
        )
        for m in module_sources().values()
    }
    assert rows == expected


def test_readme_has_exactly_the_two_setup_commands_ci_runs() -> None:
    commands = re.findall(r"```bash\n(bash scripts/[\w.-]+)\n```", README)
    assert commands == ["bash scripts/open-course.sh", "bash scripts/run-tests.sh"]
    assert "bash scripts/run-tests.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert (ROOT / command.split()[1]).exists()


def test_readme_starts_with_the_learner() -> None:
    sections = [line for line in README.splitlines() if line.startswith("## ")]
    assert sections[0] == "## Start here: open the course", sections
    learner = README.index("bash scripts/open-course.sh")
    assert learner < README.index("## For instructors") < README.index("bash scripts/run-tests.sh")


def test_readme_quotes_what_the_launcher_really_prints() -> None:
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "scripts").glob("*.sh"))
    said = [
        "Installing the course, about 2 minutes…",
        "Starting the course…",
        "Keep this window open; press Ctrl+C to stop.",
        "The course has stopped. Your answers are saved.",
        ".venv/open-course.log",
        ".venv/install.log",
    ]
    unwrapped = " ".join(README.split())
    for words in said:
        assert words in unwrapped, f"the README does not say {words!r}"
        assert words in scripts, f"no script prints {words!r}"
