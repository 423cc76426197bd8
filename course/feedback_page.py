"""The exporter nbgrader's ``generate_feedback`` uses to write a learner's feedback page.

nbgrader's feedback template loads MathJax from a CDN; a page a learner opens must load
nothing from outside the machine. The course's template ``cps-feedback`` extends nbgrader's
and shadows the MathJax macro with an empty one. The template is set here, on the
exporter, rather than in ``HTMLExporter`` config: formgrader's own pages set that config
for themselves, and its "generate feedback" button would put nbgrader's template back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from traitlets.config import Config

TEMPLATES = Path(__file__).resolve().parent / "templates"


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page without anything fetched from outside (GenerateFeedback.exporter_class)."""

    def __init__(self, config: Config | None = None, **kwargs: Any):
        # Settings for this class outrank the HTMLExporter ones nbgrader sets, and they must be
        # in place before the exporter builds its template search path.
        config = Config(config) if config is not None else Config()
        bases = list(config.HTMLExporter.get("extra_template_basedirs", []))
        config.FeedbackExporter.extra_template_basedirs = [*bases, str(TEMPLATES)]
        # nbgrader's own folder, so that "feedback/index.html.j2" can be extended by name.
        paths = list(config.HTMLExporter.get("extra_template_paths", []))
        config.FeedbackExporter.extra_template_paths = [*paths, *bases]
        config.FeedbackExporter.template_name = "cps-feedback"
        super().__init__(config=config, **kwargs)
