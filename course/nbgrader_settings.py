"""The course's nbgrader settings, read the way nbgrader reads them, for the trainer's tools.

``python -m course.doctor`` and ``python -m course.grades`` run from the course folder, like
every nbgrader command. nbgrader merges ``nbgrader_config.py`` from Jupyter's config folders
(the hub-wide ``/etc/jupyter``, the Python environment's, the trainer's own ``~/.jupyter``)
and then the one in the course folder, later files winning. This module does the same, one
file at a time, so that a file that cannot be read is named, with its line, in plain words
(nbgrader itself only logs a warning and goes on without it), and so the tools can say
which file set a value.

Nothing here writes: reading the settings never creates a gradebook or an exchange folder.
"""

from __future__ import annotations

import getpass
import os
import pwd
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_FILE = "nbgrader_config.py"
FILESYSTEM = "filesystem"
NGSHARE = "ngshare"


class SettingsProblem(Exception):
    """The settings could not be read: ``what`` is wrong, ``fix`` says what to do, ``command``
    is the command that does it (if one does)."""

    def __init__(self, what: str, fix: str, command: str = ""):
        super().__init__(what)
        self.what = what
        self.fix = fix
        self.command = command


@dataclass
class Settings:
    """What the trainer's tools need from nbgrader's settings for one course folder."""

    folder: Path
    course_id: str
    source: Path
    release: Path
    submitted: Path
    db_url: str
    config: Any  # traitlets Config, merged as nbgrader merges it
    exchange_kind: str  # FILESYSTEM, NGSHARE, or the configured class's name
    exchange_root: Path | None
    path_includes_course: bool
    assignment_dir: str
    display_zone: str | None  # NbGraderAPI.timezone: how formgrader shows times
    record_zone: str  # Exchange.timezone: how nbgrader writes submission times
    timestamp_format: str
    set_by: dict[str, Path] = field(default_factory=dict)  # "Class.name" -> the file that set it last

    @property
    def gradebook(self) -> Path | None:
        """The gradebook's file when it is SQLite (nbgrader's default), else None."""
        prefix = "sqlite:///"
        return Path(self.db_url[len(prefix) :]) if self.db_url.startswith(prefix) else None

    def zone(self) -> ZoneInfo:
        """The zone times are shown in: the course's, else UTC (what nbgrader stores)."""
        return zone_or_utc(self.display_zone)

    def show(self, moment: datetime | None) -> str:
        """A UTC time from nbgrader (naive, as its gradebook keeps them) in the course's zone."""
        return local_time(moment, self.zone()) if moment else "no due date"


def zone_or_utc(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_zone(name: str) -> bool:
    """Whether ``name`` is a time zone this machine knows (a place name such as America/Chicago)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """``Fri 4 Dec 2026, 5:00 PM CST``: a trainer's way of writing a time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    here = aware.astimezone(zone)
    hour = here.hour % 12 or 12
    return f"{here:%a} {here.day} {here:%b %Y}, {hour}:{here:%M} {'AM' if here.hour < 12 else 'PM'} {here:%Z}"


def machine_zone() -> str:
    """The zone this machine's clock is set to, by name when it can be found."""
    if os.environ.get("TZ"):
        return os.environ["TZ"].lstrip(":")
    try:
        return Path("/etc/timezone").read_text(encoding="utf-8").strip()
    except OSError:
        pass
    try:
        return os.readlink("/etc/localtime").split("zoneinfo/", 1)[1]
    except (OSError, IndexError):
        return datetime.now().astimezone().tzname() or "unknown"


def me() -> str:
    """The Unix user running this, by name."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return getpass.getuser()


def owner_of(path: Path) -> str:
    try:
        uid = path.stat().st_uid
    except OSError:
        return "someone"
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def describe_mode(path: Path) -> str:
    """``drwxr-xr-x, owned by root``: how a folder's permissions read in ``ls -l``."""
    return f"{stat.filemode(path.stat().st_mode)}, owned by {owner_of(path)}"


def _config_folders(course: Path) -> list[Path]:
    """Where nbgrader looks, lowest priority first: Jupyter's config path reversed, then the course."""
    from jupyter_core.paths import jupyter_config_path

    folders = [Path(p) for p in reversed(jupyter_config_path())]
    return [*[f for f in folders if f.resolve() != course.resolve()], course]


def _read_one(path: Path, course: Path) -> Any:
    """One settings file as a traitlets Config; any failure becomes a SettingsProblem."""
    from traitlets.config.loader import PyFileConfigLoader

    loader = PyFileConfigLoader(path.name, path=str(path.parent))
    ours = path.parent.resolve() == course.resolve()
    try:
        return loader.load_config()
    except PermissionError:
        raise SettingsProblem(
            f"You ({me()}) cannot read {path}: {describe_mode(path)}.",
            "ask an admin to give you the course folder:" if ours else "ask an admin to let you read it:",
            f"sudo chown -R {me()} {path.parent}" if ours else f"sudo chmod a+r {path}",
        ) from None
    except SyntaxError as mistake:
        raise SettingsProblem(
            f"{path} has a mistake on line {mistake.lineno}: {mistake.msg}.",
            f"correct line {mistake.lineno} of that file"
            + (", or put back the course's own copy of it:" if ours else "."),
            "git checkout nbgrader_config.py" if ours else "",
        ) from None
    except ImportError as missing:
        raise SettingsProblem(
            f"{path} needs the Python package {missing.name or missing}, which is not installed for "
            "this Python.",
            "install the course for everyone again (on TLJH, from the course folder):",
            "sudo bash docs/deploy/tljh/setup-course.sh",
        ) from None
    except Exception as stopped:  # noqa: BLE001 - a settings file may raise anything; say what it said
        raise SettingsProblem(
            f"{path} stopped with this message: {stopped}",
            f"do what the message asks, or correct {path}.",
        ) from None


def _note_setters(config: Any, path: Path, set_by: dict[str, Path]) -> None:
    for section, values in config.items():
        if hasattr(values, "items"):
            for name in values:
                set_by[f"{section}.{name}"] = path


def read_config(course: Path) -> tuple[Any, dict[str, Path]]:
    """Every nbgrader settings file nbgrader would read for ``course``, merged in its order."""
    from traitlets.config import Config

    merged = Config()
    set_by: dict[str, Path] = {}
    for folder in _config_folders(course):
        path = folder / CONFIG_FILE
        if not path.is_file():
            continue
        one = _read_one(path, course)
        _note_setters(one, path, set_by)
        merged.merge(one)
    return merged, set_by


def _exchange_kind(config: Any) -> str:
    chosen = config.ExchangeFactory.get("exchange") if "ExchangeFactory" in config else None
    if chosen is None:
        return FILESYSTEM
    name = chosen if isinstance(chosen, str) else f"{chosen.__module__}.{chosen.__qualname__}"
    return NGSHARE if "ngshare" in name else name


def load(course: Path) -> Settings:
    """The course's settings. Raises SettingsProblem when they cannot be read."""
    course = course.resolve()
    if not (course / CONFIG_FILE).exists():
        raise SettingsProblem(
            f"There is no {CONFIG_FILE} in {course}, so this is not the course folder.",
            "go to the course folder first, then run the command again there:",
            "cd ~/cps-course",
        )
    config, set_by = read_config(course)
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import Exchange

    previous = Path.cwd()
    os.chdir(course)  # nbgrader's default course root is the folder it runs in
    try:
        coursedir = CourseDirectory(config=config)
        exchange = Exchange(config=config)
    finally:
        os.chdir(previous)
    root = Path(coursedir.root)
    kind = _exchange_kind(config)
    return Settings(
        folder=root,
        course_id=coursedir.course_id,
        source=root / coursedir.source_directory,
        release=root / coursedir.release_directory,
        submitted=root / coursedir.submitted_directory,
        db_url=coursedir.db_url,
        config=config,
        exchange_kind=kind,
        exchange_root=Path(exchange.root) if kind == FILESYSTEM else None,
        path_includes_course=bool(exchange.path_includes_course),
        assignment_dir=exchange.assignment_dir,
        display_zone=config.NbGraderAPI.get("timezone") if "NbGraderAPI" in config else None,
        record_zone=exchange.timezone,
        timestamp_format=exchange.timestamp_format,
        set_by=set_by,
    )


def assignments_in(folder: Path) -> list[str]:
    """The modules (nbgrader assignments) in a source or release folder: its sub-folders."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
