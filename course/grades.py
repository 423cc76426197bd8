"""``python -m course.grades``: grades a trainer can use, from the course folder.

The report itself is :mod:`course.grades_report`; this module is the command's name.
"""

import sys

from .grades_report import main

if __name__ == "__main__":
    sys.exit(main())
