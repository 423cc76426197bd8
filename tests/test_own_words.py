"""The course says things in its own words: no run of 8+ words shared with the seed articles.

Runs the project's shared checker (../shared/tools/seed_overlap.py) over the whole repo.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, SHARED

CHECKER = SHARED / "tools" / "seed_overlap.py"


@pytest.mark.skipif(not CHECKER.exists(), reason="the shared seed articles are not beside this clone")
def test_no_text_is_copied_from_the_seed_articles() -> None:
    result = subprocess.run([sys.executable, str(CHECKER), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
