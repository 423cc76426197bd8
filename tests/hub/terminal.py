"""JupyterLab's terminal in a real browser, used as a trainer uses it: type a line, press Enter.

A person sees when a command has finished because the prompt comes back; the test learns it
from bash itself. ``watch_commands`` adds two lines to the user's ``~/.bashrc``: after every
command, bash's PROMPT_COMMAND appends the command's exit status and the line as bash ran it
to ``~/.cps-typed`` (read as root by the test). What the command printed is read from the
screen: JupyterLab's own "screen reader mode" setting has xterm.js keep the text of the rows
on screen in the page (``.xterm-accessibility-tree``), which a canvas shows only as pixels.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

TYPED = ".cps-typed"
BASHRC_LINES = (
    "\n# Added by the course's test: a prompt it knows, and after each command, its exit status\n"
    "# and the line typed.\n"
    "PS1='cps:\\w\\$ '\n"
    "HISTCONTROL=\n"
    f'PROMPT_COMMAND=\'s=$?; printf "%s\\t%s\\n" "$s" "$(history 1 | sed "s/^ *[0-9]* *//")"'
    f" >> ~/{TYPED}'\n"
)
# The prompt as BASHRC_LINES sets it: "cps:~/cps-course$ " (the row's end is trimmed).
PROMPT = re.compile(r"cps:\S*\$( .*)?")
SCREEN_READER = Path(".jupyter/lab/user-settings/@jupyterlab/terminal-extension/plugin.jupyterlab-settings")


def _give(home: Path, relative: Path) -> None:
    """The file and the folders made on the way to it belong to the home's owner."""
    owner = home.stat()
    for made in [relative, *relative.parents[:-1]]:
        os.chown(home / made, owner.st_uid, owner.st_gid)


def watch_commands(home: Path) -> None:
    """Set up the user's shell and terminal settings so the test can follow what is typed."""
    with (home / ".bashrc").open("a", encoding="utf-8") as bashrc:
        bashrc.write(BASHRC_LINES)
    settings = home / SCREEN_READER
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"screenReaderMode": True}), encoding="utf-8")
    _give(home, SCREEN_READER)


@dataclass(frozen=True)
class Ran:
    """One command as bash ran it: the line, its exit status, and the screen after it."""

    line: str
    status: int
    screen: str


class Terminal:
    """One terminal tab in a user's JupyterLab."""

    def __init__(self, page: Page, home: Path):
        self.page, self.home = page, home

    @property
    def _log(self) -> Path:
        return self.home / TYPED

    def _done(self) -> list[str]:
        return self._log.read_text(encoding="utf-8").splitlines() if self._log.exists() else []

    def open(self) -> None:
        """File > New > Terminal, then wait for bash's first prompt."""
        before = len(self._done())
        self.page.locator('#jp-menu-panel .lm-MenuBar-itemLabel:text-is("File")').click()
        self.page.locator('.lm-Menu li.lm-Menu-item[data-type="submenu"]', has_text="New").first.hover()
        self.page.locator('.lm-Menu li[data-command="terminal:create-new"]').click()
        expect(self._shown(".xterm-accessibility-tree")).to_have_count(1)
        self._wait_for(before + 1, 60)

    def _shown(self, inside: str) -> Locator:
        """``inside`` of the terminal tab on show (a reloaded page may have more than one)."""
        return self.page.locator(f".jp-Terminal:visible {inside}")

    def _wait_for(self, count: int, timeout: float) -> list[str]:
        """Until bash has logged ``count`` commands (its first prompt counts as one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self._done()
            if len(done) >= count:
                return done
            time.sleep(0.2)
        raise AssertionError(f"the terminal did not finish within {timeout:.0f} s; screen:\n{self.screen()}")

    def _wait_for_prompt_after(self, line: str, timeout: float = 30) -> str:
        """The screen once it shows ``line`` typed and, below it, the prompt back."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            rows = shown.splitlines()
            typed = [i for i, row in enumerate(rows) if PROMPT.match(row) and line[:30] in row]
            if typed and PROMPT.fullmatch(rows[-1]) and len(rows) - 1 > typed[-1]:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"the prompt did not come back after {line!r}; screen:\n{self.screen()}")

    def screen(self) -> str:
        """The rows on screen now (read with a time limit: a page that hangs fails, not waits)."""
        rows = self._shown(".xterm-accessibility-tree").inner_text(timeout=10_000).splitlines()
        return "\n".join(row.rstrip() for row in rows).strip()

    def clear(self) -> None:
        """Clear the screen (Ctrl+L), so what the next command prints is all there is on it."""
        self._shown(".xterm-helper-textarea").press("Control+l", timeout=10_000)

    def start(self, line: str) -> tuple[str, int]:
        """Type ``line`` and press Enter; ``finish`` waits for it to end."""
        self.clear()
        before = len(self._done())
        keys = self._shown(".xterm-helper-textarea")
        keys.press_sequentially(line, timeout=60_000)
        keys.press("Enter", timeout=10_000)
        return line, before

    def finish(self, started: tuple[str, int], timeout: float = 120) -> Ran:
        """Wait until bash has run the line ``start`` typed; what it did."""
        line, before = started
        status, ran = self._wait_for(before + 1, timeout)[-1].split("\t", 1)
        return Ran(ran, int(status), self._wait_for_prompt_after(line))

    def type(self, line: str, timeout: float = 120) -> Ran:
        """Type ``line``, press Enter, and wait until bash has run it."""
        return self.finish(self.start(line), timeout)
