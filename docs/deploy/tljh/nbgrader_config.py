"""nbgrader settings for everyone on a Littlest JupyterHub: copy to /etc/jupyter/nbgrader_config.py.

Learners' servers and the instructor's read this file. It names the one course on the hub and
the shared exchange folder that setup-course.sh makes. Each learner is a Unix user of their own
(TLJH calls them jupyter-<name>), and nbgrader takes the student id from that Unix user, so
nothing here sets one. See docs/instructors/tljh.md.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# Must match CourseDirectory.course_id in the course's own nbgrader_config.py.
c.CourseDirectory.course_id = "cps-course"

# One folder on the server's disk that every user can write to (setup-course.sh makes it).
c.Exchange.root = "/srv/nbgrader/exchange"

# Several courses on one hub: set this to True on the hub and in every course, so each course
# gets its own folder in the exchange (docs/instructors/known-problems.md).
c.Exchange.path_includes_course = False
