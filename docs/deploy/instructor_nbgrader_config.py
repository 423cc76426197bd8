"""An instructor's own nbgrader settings: copy to ~/.jupyter/nbgrader_config.py (TLJH and Kubernetes).

The formgrader runs inside the instructor's JupyterLab, which starts in the home folder, not in
the course folder, so on its own it never reads the course's nbgrader_config.py. That file
holds what keeps answer keys out of feedback (the hidden tests and the reflection rubric are
stripped) and where the course's folders are. This file reads it in.

traitlets' load_subconfig quietly skips a file that is not there, and the formgrader would then
run without those settings, so a missing course folder is an error here instead.
"""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# Where you cloned the course. Change this line if you put it somewhere else.
COURSE = Path.home() / "cps-course"

course_config = COURSE / "nbgrader_config.py"
if not course_config.is_file():
    raise FileNotFoundError(
        f"The course's nbgrader_config.py is not at {course_config}. "
        "Clone the course there, or change COURSE in ~/.jupyter/nbgrader_config.py."
    )
load_subconfig(str(course_config))  # noqa: F821 - provided by traitlets when it loads this file
