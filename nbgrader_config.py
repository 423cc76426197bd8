"""nbgrader configuration for the course: one course at the repository root.

``solutions/`` is nbgrader's source directory and ``modules/`` its release directory, so the
learner notebooks committed in ``modules/`` are exactly what ``nbgrader generate_assignment``
makes. Instructors run every nbgrader command from this folder.
"""

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, GetGrades

HERE = Path(__file__).resolve().parent
ASSIGNMENTS = sorted(
    p.name for p in (HERE / "solutions").iterdir() if p.is_dir() and not p.name.startswith(".")
)

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "cps-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "modules"

# A graded cell a learner deleted is put back and graded from their answers file.
c.OverwriteCells.add_missing_cells = True

# The learner's answers file is their work: never replace it with anything from solutions/.
c.Autograde.exclude_overwriting = {name: ["answers.json"] for name in ASSIGNMENTS}

# Feedback goes to learners: strip the hidden score(...) lines (they hold the answer keys)
# and the reflection rubric's mark scheme, as the release does.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ClearMarkScheme, CSSHTMLHeaderPreprocessor]

# Grading cells only read a small JSON file; a minute is generous even on a busy hub.
c.Execute.timeout = 60
