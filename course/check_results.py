"""``check-results.json``: what the last Check my work found, for the My progress notebook.

Written beside the notebook after each check; read back by :mod:`course.progress`. A file
that cannot be read counts as "not checked yet", never as an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .selfcheck import Outcome

RESULTS_FILE = "check-results.json"


def record(outcome: Outcome) -> dict[str, Any]:
    """What check-results.json keeps: the score per question and when it was checked."""
    parts = [{"id": p.id, "kind": p.kind, "earned": p.earned, "possible": p.possible} for p in outcome.parts]
    return {
        "format": 1,
        "module": outcome.module.id,
        "checked": outcome.checked,
        "earned": outcome.earned,
        "possible": outcome.possible,
        "parts": parts,
    }


def read_results(folder: Path, module_id: str) -> dict[str, Any] | None:
    """The last check of a module folder, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads((folder / RESULTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ours = isinstance(data, dict) and data.get("module") == module_id
    return data if ours and isinstance(data.get("parts"), list) else None
