"""The course in a web browser only: Python running inside the page (Pyodide), on the static site.

``bash scripts/build-site.sh`` makes a folder of web pages (``course.static_site``) in which each
page runs its notebook with Python compiled for the browser. The course's code runs there as it
is, with three differences that the rest of the course asks about here:

* **Pages, not notebooks.** Each notebook is a page of its own (``<slug>.html``, made by Voici),
  so a link the course writes to a notebook points at its page there.
* **Files live in the browser.** The module folders are the site's own storage (the browser's
  IndexedDB), kept after a reload and a restart but lost if the learner clears the browser's
  data; so the course says so, and the home page offers a download of the answers.
* **One kernel, no neighbours.** Each page's Python has a file system of its own in memory, so
  a lock file could not keep two pages apart anyway, and there are no Unix users to keep apart.
  The answers file is written without a lock there (:mod:`course.store`).

Matplotlib is not part of the site (it cannot be had offline for the browser's Python), so the
charts fall back to bars drawn in HTML (:mod:`course.bars`); that is decided by whether
matplotlib can be imported, not here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Pyodide reports the platform it was compiled for; nothing else the course runs on does.
IN_BROWSER = sys.platform == "emscripten"
# Where a page's Python sees the site's stored files (JupyterLite's drive), and works in its
# notebook's folder there.
DRIVE = Path("/drive")

_NOTEBOOK = re.compile(r"\.ipynb(?=$|[#?])")


def page_href(href: str) -> str:
    """A link to a notebook as the learner follows it: the notebook itself in Jupyter, its
    page on the static site ("01-x/01-x.ipynb#Summary" -> "01-x/01-x.html#Summary")."""
    return _NOTEBOOK.sub(".html", href) if IN_BROWSER else href


def files_kept() -> bool:
    """Whether the answers saved here are kept. In the browser they are when the page works in
    the site's stored files, which JupyterLite can only reach through its service worker: not in
    some browsers' private windows, nor on an address that is neither https nor this computer
    (then the page's Python works in memory, and the course says so instead of seeming to save)."""
    return not IN_BROWSER or Path.cwd().is_relative_to(DRIVE)
