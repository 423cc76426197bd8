"""nbgrader settings every learner's server loads in the cohort test (via JUPYTER_CONFIG_PATH).

Only the course and the exchange are set, as ``/etc/jupyter/nbgrader_config.py`` does on a
hub. The student id is left to nbgrader: 0.9.6 names a submission after the Unix user the
server runs as (``nbgrader.utils.get_username``), and every learner in the test has their own
Unix user, named as they log in to the hub.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = os.environ["CPS_COURSE_ID"]
c.Exchange.root = os.environ["CPS_EXCHANGE"]
