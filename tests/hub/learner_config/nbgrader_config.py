"""nbgrader settings every learner's server loads in the cohort test (via JUPYTER_CONFIG_PATH).

nbgrader 0.9.6 names a submission after the Unix user (``nbgrader.utils.get_username``; only
the user ``jovyan`` falls back to ``JUPYTERHUB_USER``). In the test every learner's server runs
as the same Unix user, so the student id is set from the hub user name here. On a real hub
each learner has their own Unix user and this line is not needed.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ["CPS_COURSE_ID"]
c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
c.Exchange.root = os.environ["CPS_EXCHANGE"]
