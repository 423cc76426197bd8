"""nbgrader configuration for the course: one course at the repository root.

``solutions/`` is nbgrader's source directory and ``modules/`` its release directory, so the
learner notebooks committed in ``modules/`` are exactly what ``nbgrader generate_assignment``
makes. Instructors run every nbgrader command from this folder.
"""

import logging
import os
import warnings
from functools import partial
from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    ClearHiddenTests,
    ClearMarkScheme,
    GetGrades,
    LimitOutput,
    SaveAutoGrades,
)
from sqlalchemy.exc import SAWarning

from course.autograde import (
    GradeAnswers,
    KeepHeadingsOnly,
    ReflectionsWaitForGrading,
    ReleasedNotebookExporter,
    RestoreGradedCells,
    collect_with_notebook,
    graded_notebooks,
)
from course.cohort_hooks import autograde_summary, hold_back_ungraded
from course.feedback_page import FeedbackExporter

HERE = Path(__file__).resolve().parent
ASSIGNMENTS = sorted(
    p.name for p in (HERE / "solutions").iterdir() if p.is_dir() and not p.name.startswith(".")
)

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

COURSE_ID = "cps-course"
GRADEBOOK = HERE / "gradebook.db"

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "modules"

# Grading reads answers as data and never runs a learner's notebook (course/autograde.py):
# the released notebook stands in for the submitted one, nbgrader restores the graded cells
# from the gradebook, and GradeAnswers takes the place of nbgrader's Execute step.
c.Autograde.exporter_class = ReleasedNotebookExporter
# Of nbgrader's checks on a submitted copy only OverwriteCells has work to do on a released
# notebook (it restores the hidden lines); the others cost a tenth of a second each learner.
c.Autograde.sanitize_preprocessors = [RestoreGradedCells]
c.Autograde.autograde_preprocessors = [
    GradeAnswers,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    # A reflection no one has scored yet waits for its grader, whatever nbgrader assumed.
    ReflectionsWaitForGrading,
    AssignLatePenalties,
    # Once scored, the keys leave the autograded copy too: formgrader and feedback show none.
    ClearHiddenTests,
    # The lessons shrink to their headings: formgrader shows the questions, the learner's
    # words and the rubric without pages of teaching text between them.
    KeepHeadingsOnly,
]
# A renamed notebook is graded under its released name; collect gives a submission that
# lost its notebook the released one, so its answers.json is graded too.
c.Autograde.pre_convert_hook = partial(graded_notebooks, HERE / "modules")
# The hub-wide settings choose the exchange: nbgrader's folder (TLJH), or ngshare (Kubernetes,
# where docs/deploy/z2jh/values.yaml sets CPS_COURSE_EXCHANGE=ngshare in every server).
c.ExchangeFactory.collect = collect_with_notebook(os.environ.get("CPS_COURSE_EXCHANGE", "folder"))

# The learner's answers file is their work: never replace it with anything from solutions/.
c.Autograde.exclude_overwriting = {name: ["answers.json"] for name in ASSIGNMENTS}

# Feedback goes to learners: strip the hidden score(...) lines (they hold the answer keys)
# and the reflection rubric's mark scheme, as the release does.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ClearMarkScheme, CSSHTMLHeaderPreprocessor]
# nbgrader's feedback page, less the MathJax it would fetch from a CDN: a feedback page loads
# nothing from outside the machine (course/feedback_page.py).
c.GenerateFeedback.exporter_class = FeedbackExporter

# nbgrader cuts long outputs at 1000 lines. The outputs here are the course's own, never a
# learner's; the full practice exam lists 120 questions with their answers (about 1300 lines).
c.LimitOutput.max_lines = 3000

# Validate (the learner's button) still runs the notebook; its cells only read a small file.
c.Execute.timeout = 60

# What a trainer sees: one line per learner and a summary (course/cohort_hooks.py), not
# nbgrader's dozen lines per learner; warnings and errors still show. nbgrader's SQLAlchemy
# warnings ("... not in session, add operation ... will not proceed") are about its own
# bookkeeping and change nothing in the grades.


def _worth_showing(record: logging.LogRecord) -> bool:
    """Warnings and errors, less nbgrader's own notice about a display setting its steps ignore."""
    return record.levelno >= logging.WARNING and "display_data_priority" not in record.getMessage()


for command in ("AutogradeApp", "GenerateFeedbackApp"):
    logging.getLogger(command).addFilter(_worth_showing)
warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")
c.Autograde.post_convert_hook = partial(autograde_summary, GRADEBOOK, COURSE_ID)
# No feedback for a learner whose reflection nobody has graded yet (they would read 0 points).
c.GenerateFeedback.post_convert_hook = partial(hold_back_ungraded, GRADEBOOK, COURSE_ID)
