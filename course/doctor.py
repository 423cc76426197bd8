"""One check for a trainer when something seems wrong: ``python -m course.doctor``.

Run from the course folder. It looks at everything a cohort depends on, and for each problem
says what is wrong and what to do, in plain words, with the command to type:

* **the course's settings**: nbgrader reads them (a file it cannot read is named, with its
  line), the course has a name, its modules are in ``solutions/`` and the learners' copies in
  ``modules/``, and the gradebook opens;
* **formgrader**: turned on for this trainer, and, in a JupyterLab terminal on the hub,
  really opening in their own server and showing the course's modules;
* **the exchange**: nbgrader's exchange folder is there and open to everyone as nbgrader
  needs, or, on Kubernetes, the ngshare service answers;
* **saving answers**: the course's own save works *as a learner* (``--learner NAME``; as
  root with no name, every learner in the gradebook), see :mod:`course.save_check`;
* **the time zone**: the course's, the server's, and the due dates shown in the course's.

The exit status is 0 when all is well and 1 when a problem was found. Nothing is changed:
the only thing written is the test answer each learner's check saves, in a temporary folder
it removes again.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import sys
import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import nbgrader_settings as ns
from . import save_check, server_checks
from .nbgrader_settings import Settings, SettingsProblem

WIDTH = 100
RESTART = "restart your server (File → Hub Control Panel → Stop My Server, then Start My Server)"
ZONE_EXAMPLE = "America/Chicago"


@dataclass(frozen=True)
class Finding:
    """One line of the report: "ok", "PROBLEM" (with what to do) or "note"."""

    kind: str
    text: str
    fix: str = ""
    command: str = ""


def ok(text: str) -> Finding:
    return Finding("ok", text)


def note(text: str) -> Finding:
    return Finding("note", text)


def problem(text: str, fix: str, command: str = "") -> Finding:
    return Finding("PROBLEM", text, fix, command)


# ----------------------------------------------------------------------- the course


def _gradebook_findings(settings: Settings) -> list[Finding]:
    file = settings.gradebook
    release = "python -m course.release"
    if file is not None and not file.exists():
        return [
            problem(
                f"There is no gradebook yet ({file}), so nothing can be graded.",
                "make it (this also records each module's questions in it):",
                release,
            )
        ]
    if file is not None and not (os.access(file, os.R_OK | os.W_OK) and os.access(file.parent, os.W_OK)):
        return [
            problem(
                f"You ({ns.me()}) cannot change the gradebook {file} ({ns.describe_mode(file)}).",
                "ask an admin to give the course folder to you:",
                f"sudo chown -R {ns.me()} {settings.folder}",
            )
        ]
    try:
        recorded, learners = _gradebook_contents(settings)
    except Exception as failure:  # noqa: BLE001 - a damaged database can raise anything; say so
        return [
            problem(
                f"The gradebook {file or settings.db_url} does not open: {failure}",
                "if it was copied or restored from a backup, put back a whole copy of gradebook.db.",
            )
        ]
    missing = sorted(set(ns.assignments_in(settings.source)) - set(recorded))
    if missing:
        return [
            problem(
                f"{len(missing)} module(s) are not in the gradebook yet: {', '.join(missing)}.",
                "record them (nothing already graded is lost):",
                release,
            )
        ]
    return [ok(f"The gradebook opens: {len(recorded)} module(s) recorded, {learners} learner(s).")]


def _gradebook_contents(settings: Settings) -> tuple[list[str], int]:
    from nbgrader.api import Gradebook

    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        return [a.name for a in gradebook.assignments], len(gradebook.students)


def check_course(settings: Settings) -> list[Finding]:
    found: list[Finding] = []
    if not settings.course_id:
        found.append(
            problem(
                "The course has no name (CourseDirectory.course_id is not set), so nothing can be released.",
                "put back the course's own settings file:",
                "git checkout nbgrader_config.py",
            )
        )
    modules = ns.assignments_in(settings.source)
    if not modules:
        found.append(
            problem(
                f"There are no modules in {settings.source}.",
                "copy the course again from its repository (git clone), then run this check again.",
            )
        )
        return found
    unreleased = [m for m in modules if not (settings.release / m).is_dir()]
    if unreleased:
        found.append(
            problem(
                f"{len(unreleased)} module(s) have no learners' copy in {settings.release}: "
                f"{', '.join(unreleased)}.",
                "make the learners' copies:",
                "python -m course.release",
            )
        )
    if not found:
        found.append(
            ok(
                f'nbgrader reads the course\'s settings: course "{settings.course_id}", '
                f"{len(modules)} module(s) "
                f"in {settings.source.name}/, learners' copies in {settings.release.name}/."
            )
        )
    return found + _gradebook_findings(settings)


# ----------------------------------------------------------------------- formgrader


def _formgrader_in_server(settings: Settings, enabled: bool) -> Finding:
    server = server_checks.own_server()
    if server is None:
        return note(
            "Formgrader was not opened: this is not a terminal inside JupyterLab. To check that too, run "
            "this command in a terminal on the hub (File → New → Terminal)."
        )
    base, token = server
    reply, names = server_checks.formgrader_assignments(base, token)
    course_modules = set(ns.assignments_in(settings.source))
    if names is not None:
        seen = course_modules & set(names)
        if seen:
            return ok(
                f"Formgrader opens in your server and shows {len(seen)} of the course's "
                f"{len(course_modules)} module(s)."
            )
        return problem(
            "Formgrader opens in your server but shows none of the course's modules: it is not reading "
            "the course's settings (and feedback could then show answer keys).",
            "give it the course's settings (if the course is not at ~/cps-course, change the COURSE line "
            f"in that file), then {RESTART}:",
            f"mkdir -p ~/.jupyter && cp {settings.folder}/docs/deploy/instructor_nbgrader_config.py "
            "~/.jupyter/nbgrader_config.py",
        )
    if reply.status == 0:
        return problem(
            f"Could not reach your Jupyter server at {base} ({reply.body}).",
            "if you restarted your server since this terminal opened, open a new terminal "
            "(File → New → Terminal) and run the check there.",
        )
    if reply.status == 404:
        if enabled:
            return problem(
                "Formgrader is turned on, but your server was started before that, so it does not run there.",
                f"{RESTART}.",
            )
        return problem(
            f"Formgrader does not open in your server ({base}formgrader).",
            "turn it on as shown above.",
        )
    if reply.status in (200, 500):  # formgrader writes its error page with status 200
        root = os.environ.get("JUPYTER_SERVER_ROOT")
        if root and not settings.folder.is_relative_to(Path(root).resolve()):
            return problem(
                f"Formgrader shows an error page: the course folder {settings.folder} is not inside the "
                f"folder your server opens ({root}).",
                "move the course into your home folder, then change the COURSE line in "
                "~/.jupyter/nbgrader_config.py.",
            )
        return problem(
            "Formgrader shows an error page instead of the course's modules.",
            "look at the last lines of your server's log; on TLJH an admin can show them with "
            f"`sudo journalctl -u jupyter-{os.environ.get('JUPYTERHUB_USER', 'NAME')} -n 50`.",
        )
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return note(
        f"Your server did not let this check in (HTTP {reply.status}), so formgrader was not opened. "
        f"Open https://<your hub>{prefix}formgrader in your browser to check it yourself."
    )


def _formgrader_on_command() -> str:
    """The setting ``jupyter server extension enable --user`` means to write. That command
    writes nothing (and says "could not be found") when the trainer's own settings do not
    name the extension yet, as after TLJH's setup, so the file is written directly."""
    from jupyter_core.paths import jupyter_config_dir

    folder = _shown(Path(jupyter_config_dir()) / "jupyter_server_config.d")
    name = server_checks.FORMGRADER_EXTENSION
    setting = json.dumps({"ServerApp": {"jpserver_extensions": {name: True}}})
    return f"mkdir -p {folder} && echo '{setting}' > {folder}/{name}.json"


def check_formgrader(settings: Settings) -> list[Finding]:
    enabled = server_checks.formgrader_enabled()
    if enabled:
        first = ok(f"Formgrader is turned on for you ({ns.me()}).")
    else:
        first = problem(
            f"Formgrader is turned off for you ({ns.me()}), so you cannot grade reflections.",
            f"turn it on for yourself, then {RESTART}:",
            _formgrader_on_command(),
        )
    return [first, _formgrader_in_server(settings, enabled)]


# ----------------------------------------------------------------------- the exchange


def _filesystem_exchange(settings: Settings) -> list[Finding]:
    root = settings.exchange_root
    assert root is not None  # a filesystem exchange always has one
    if not root.exists():
        return [
            problem(
                f"The exchange folder {root} does not exist, so you cannot release modules and learners "
                "cannot fetch or submit them.",
                "ask an admin to make it, open to everyone (on TLJH, running the setup script again "
                "does this):",
                f"sudo install -d -m 0777 {root}",
            )
        ]
    if not root.is_dir():
        return [
            problem(
                f"The exchange {root} is a file, not a folder.",
                "ask an admin to move it away and make a folder.",
            )
        ]
    if root.stat().st_mode & 0o777 != 0o777:
        return [
            problem(
                f"Learners cannot use the exchange folder {root} ({ns.describe_mode(root)}): nbgrader needs "
                "everyone to be able to write there, or fetching and submitting fail.",
                "ask an admin to open it to everyone:",
                f"sudo chmod 0777 {root}",
            )
        ]
    inbound = root / settings.course_id / "inbound"
    if settings.course_id and inbound.is_dir() and inbound.stat().st_mode & 0o033 != 0o033:
        return [
            problem(
                f"Learners cannot submit: {inbound} is {ns.describe_mode(inbound)}.",
                "ask an admin to set it as nbgrader makes it:",
                f"sudo chmod 2733 {inbound}",
            )
        ]
    outbound = root / settings.course_id / "outbound"
    released = len(ns.assignments_in(outbound)) if settings.course_id else 0
    return [
        ok(f"The exchange folder {root} is there and open to everyone; {released} module(s) released so far.")
    ]


def _ngshare(settings: Settings) -> list[Finding]:
    try:
        url = server_checks.ngshare_url(settings.config)
    except ImportError:
        return [
            problem(
                "The course uses ngshare, but ngshare_exchange is not installed for this Python.",
                "install it (docs/instructors/known-problems.md says why without its pins):",
                "pip install --no-deps ngshare-exchange==0.5.3 && pip install rapidfuzz requests",
            )
        ]
    except Exception as missing:  # noqa: BLE001 - ngshare_exchange raises ValueError or KeyError here
        return [
            problem(
                f"The course uses ngshare, but no ngshare address is set ({missing}).",
                'set it in the hub-wide nbgrader settings: c.Exchange._ngshare_url = "http://<ngshare>/services/ngshare".',
            )
        ]
    reply = server_checks.ngshare_answers(url)
    if reply.status == 200:
        return [ok(f"ngshare answers at {url}.")]
    said = reply.body if reply.status == 0 else f"HTTP {reply.status}"
    return [
        problem(
            f"ngshare does not answer at {url} ({said}), so nobody can release, fetch or submit.",
            "ask whoever runs the hub to check the ngshare service (on Kubernetes, `kubectl get pods` "
            "should show it Running).",
        )
    ]


def check_exchange(settings: Settings) -> list[Finding]:
    if settings.exchange_kind == ns.FILESYSTEM:
        return _filesystem_exchange(settings)
    if settings.exchange_kind == ns.NGSHARE:
        return _ngshare(settings)
    return [
        note(
            f"The course uses another exchange ({settings.exchange_kind}); this check knows nbgrader's own "
            "and ngshare."
        )
    ]


# ----------------------------------------------------------------------- saving answers


def _home_of(name: str) -> str:
    try:
        return pwd.getpwnam(name).pw_dir
    except KeyError:
        return f"/home/{name}"


def save_finding(name: str, result: save_check.SaveResult) -> Finding:
    """What one learner's save check means, with the fix an admin types."""
    home = _home_of(name)
    if result.ok:
        return ok(
            f"{name} can save an answer: one was saved and read back in a test folder in {home}, "
            "then removed."
        )
    if result.step == "account":
        return problem(
            f"There is no account called {name} on this server.",
            "check the name: on TLJH learners' accounts are named jupyter-<their hub name>, such as "
            "jupyter-arivera.",
        )
    if result.step == "home":
        return problem(
            f"{name} cannot save in their home folder ({result.detail}): fetching modules and saving answers "
            "fail for them.",
            "ask an admin to give the home folder back to them:",
            f"sudo chown {name}: {home} && sudo chmod 700 {home}",
        )
    if result.step == "private":
        return problem(
            f"{name}'s private folder for the course cannot be made ({result.detail}): every answer they "
            'click says "not saved".',
            "ask an admin to give the folder back to them and close it to others:",
            f"sudo chown -R {name}: {home}/.cache && sudo chmod 700 {home}/.cache",
        )
    if result.step == "python":
        return problem(
            f"The course could not run as {name} ({result.detail}), so their server cannot run it either.",
            "install the course where every user can reach it (on TLJH, from the course folder):",
            "sudo bash docs/deploy/tljh/setup-course.sh",
        )
    if result.step == "admin":
        return problem(
            f"Could not check {name}: checking someone else's saves needs admin rights ({result.detail}).",
            "ask an admin of the hub to run this same command.",
        )
    return problem(
        f"{name}'s test answer could not be saved: {result.detail}",
        f"check that the disk has room (`df -h {home}`) and that {home} belongs to {name}.",
    )


def _learners_in_gradebook(settings: Settings | None) -> list[str]:
    """Learners in the gradebook who have an account here (nbgrader knows them by account name)."""
    if settings is None or settings.gradebook is None or not settings.gradebook.exists():
        return []
    from nbgrader.api import Gradebook

    try:
        with Gradebook(settings.db_url, settings.course_id) as gradebook:
            names = sorted(s.id for s in gradebook.students)
    except Exception:  # noqa: BLE001 - the course section already says why the gradebook fails
        return []
    known = []
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        known.append(name)
    return known


def check_saves(settings: Settings | None, learners: list[str]) -> list[Finding]:
    me = ns.me()
    if not learners and os.geteuid() != 0:
        return [save_finding(me, save_check.check_here())]
    names = learners or _learners_in_gradebook(settings)
    if not names:
        return [
            note(
                "No learner was checked: the gradebook lists none with an account here yet. Check one by "
                "name with --learner, for example: python -m course.doctor --learner jupyter-arivera"
            )
        ]
    if len(names) > 3:
        print(f"Checking that {len(names)} learners can save answers…", flush=True)
    return [
        save_finding(name, save_check.check_here() if name == me else save_check.check_as(name))
        for name in names
    ]


# ----------------------------------------------------------------------- time zone


def _set_in(settings: Settings, key: str) -> str:
    where = settings.set_by.get(key)
    return f" in {where}" if where else ""


def _recording_trap(settings: Settings) -> Finding | None:
    """nbgrader writes submission times with Exchange.timezone's abbreviation ("CST") and reads
    them back with dateutil, which does not know most abbreviations and takes them as UTC."""
    if "Exchange.timezone" not in settings.set_by:
        return None
    from dateutil.tz import gettz
    from nbgrader.utils import parse_utc

    zone = gettz(settings.record_zone)
    if zone is None:
        return problem(
            f"Exchange.timezone = {settings.record_zone!r}{_set_in(settings, 'Exchange.timezone')} is not "
            "a time zone nbgrader knows, so learners' submissions fail.",
            "delete that line: nbgrader records times in UTC, and NbGraderAPI.timezone shows them in yours.",
        )
    now = datetime.now(zone)
    written = now.strftime(settings.timestamp_format)
    read_back = parse_utc(written)
    off = abs((read_back - now.astimezone(timezone.utc).replace(tzinfo=None)).total_seconds())
    if off < 60:
        return None
    return problem(
        f"Exchange.timezone = {settings.record_zone!r}{_set_in(settings, 'Exchange.timezone')} makes "
        f'nbgrader write submission times as "{written}", which it reads back as UTC: work would be '
        f"counted on time or late {off / 3600:.0f} hour(s) wrong.",
        "delete that line: nbgrader then records times in UTC, and NbGraderAPI.timezone shows them in "
        "your zone.",
    )


def _due_dates(settings: Settings) -> Finding | None:
    from nbgrader.api import Gradebook

    try:
        with Gradebook(settings.db_url, settings.course_id) as gradebook:
            due = [(a.name, a.duedate) for a in gradebook.assignments if a.duedate is not None]
    except Exception:  # noqa: BLE001 - the course section already says why the gradebook fails
        return None
    if not due:
        return note("No module has a due date yet.")
    lines = [f"{name}: {settings.show(when)}" for name, when in sorted(due)]
    return ok(f"Due dates, shown in {settings.zone().key}:\n" + "\n".join(lines))


def check_time(settings: Settings) -> list[Finding]:
    machine = ns.machine_zone()
    shown = settings.display_zone
    found: list[Finding] = []
    if not shown:
        config_file = _user_config_shown()
        found.append(
            problem(
                f"No time zone is set for the course, so formgrader and the grades show times in UTC "
                f"(this server's clock is set to {machine}).",
                f"set yours, a place name such as {ZONE_EXAMPLE}, America/Denver or America/Los_Angeles "
                "(change it in the command):",
                f"mkdir -p {Path(config_file).parent} && echo 'c.NbGraderAPI.timezone = \"{ZONE_EXAMPLE}\"' "
                f">> {config_file}",
            )
        )
    elif not ns.is_zone(shown):
        found.append(
            problem(
                f"The course's time zone {shown!r}{_set_in(settings, 'NbGraderAPI.timezone')} is not a "
                "time zone name.",
                f"write it as a place name, such as {ZONE_EXAMPLE}.",
            )
        )
    else:
        found.append(
            ok(
                f"Times are shown in {shown} "
                f"(NbGraderAPI.timezone{_set_in(settings, 'NbGraderAPI.timezone')}); "
                f"this server's clock is set to {machine}."
            )
        )
    trap = _recording_trap(settings)
    due = _due_dates(settings) if settings.gradebook is None or settings.gradebook.exists() else None
    return found + [f for f in (trap, due) if f is not None]


def _user_config_shown() -> str:
    """The trainer's own nbgrader settings file."""
    from jupyter_core.paths import jupyter_config_dir

    return _shown(Path(jupyter_config_dir()) / ns.CONFIG_FILE)


def _shown(path: Path) -> str:
    """A path as a trainer types it: with ~ when it is in their home."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


# ----------------------------------------------------------------------- the report


def run(course: Path, learners: list[str]) -> list[tuple[str, list[Finding]]]:
    """Every check, section by section."""
    try:
        settings: Settings | None = ns.load(course)
    except SettingsProblem as unreadable:
        settings = None
        course_findings = [
            problem(unreadable.what, unreadable.fix, unreadable.command),
            note("The checks that need these settings were skipped."),
        ]
    if settings is None:
        return [("The course's settings", course_findings), ("Saving answers", check_saves(None, learners))]
    return [
        ("The course's settings", check_course(settings)),
        ("Formgrader", check_formgrader(settings)),
        ("The exchange", check_exchange(settings)),
        ("Saving answers", check_saves(settings, learners)),
        ("Time zone", check_time(settings)),
    ]


def _wrapped(text: str, first: str, rest: str) -> list[str]:
    lines: list[str] = []
    for number, paragraph in enumerate(text.split("\n")):
        lead = first if number == 0 else rest
        lines += textwrap.wrap(
            paragraph, WIDTH, initial_indent=lead, subsequent_indent=rest, break_on_hyphens=False
        )
    return lines


def render(sections: list[tuple[str, list[Finding]]]) -> tuple[list[str], int]:
    """The report's lines, and how many problems it found."""
    lines: list[str] = []
    problems = 0
    indent = " " * 11
    for title, findings in sections:
        lines += ["", title]
        for finding in findings:
            lines += _wrapped(finding.text, f"  {finding.kind:<8} ", indent)
            if finding.kind == "PROBLEM":
                problems += 1
                lines += _wrapped(f"What to do: {finding.fix}", indent, indent)
                if finding.command:
                    lines.append(f"{indent}    {finding.command}")
    lines.append("")
    if problems:
        lines.append(f"{problems} problem(s) found. Each one says what to do; then run this check again.")
    else:
        lines.append("All is well.")
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--course", type=Path, default=Path.cwd(), help="the course folder (default: this folder)"
    )
    parser.add_argument(
        "--learner",
        action="append",
        default=[],
        metavar="NAME",
        help="check that this learner (their account name) can save answers; give it again for more",
    )
    parser.add_argument("--save-check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.save_check:
        return save_check.print_check_here()
    course = args.course.resolve()
    print(f"Checking the course in {course}", flush=True)
    lines, problems = render(run(course, args.learner))
    print("\n".join(lines))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
