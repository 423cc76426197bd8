"""Build the course as a static web site that runs in the browser: ``bash scripts/build-site.sh``.

That script installs the build tools (``scripts/site/requirements.txt``, into ``.site-tools/``)
and Pyodide (from npm, ``package.json``) the first time, then runs ``python -m
course.static_site``, which makes a folder any static host serves (``_site/`` by default):

1. **Python for the browser.** Pyodide's npm package holds its core only (the interpreter and
   the standard library), not its packages. Everything the course's Python needs is a pure
   Python wheel from PyPI, pinned in ``scripts/site/browser-requirements.txt`` (two of them,
   MarkupSafe and PyYAML, packed here from their sources without their optional C part), plus
   the course itself, packed here from ``course/``. They sit beside Pyodide in
   ``static/pyodide/`` with a ``pyodide-lock.json`` of the site's own that names only them, and
   every page loads them all as its kernel starts. Nothing is fetched from anywhere else
   (``disablePyPIFallback``).
2. **The pages.** Voici (the static Voilà) turns every notebook of the committed ``modules/``
   into a page that runs it on open with its code hidden, in the course's template
   (``scripts/site/share``, over the app view's ``scripts/jupyter/share``). The notebooks
   themselves, ``solutions/`` (the keys Check my work reads) and ``content/items`` (its
   explanations) are the site's files, which the pages' Python reads and writes as its folders.
3. **Offline.** A service worker of the course's own (``scripts/site/service-worker.js``) saves
   every file of the site in the browser on the first visit.

What the build leaves out of JupyterLite's output: the JupyterLab app (the site is Voici's pages
only), Voici's file browser pages (the home page lists the modules), and pages for the
solutions notebooks (their files stay: Check my work reads them).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "site"
TOOLS = ROOT / ".site-tools" / "lib"  # installed by scripts/build-site.sh
WHEEL_CACHE = ROOT / ".site-tools" / "wheels"
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
PYODIDE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
BROWSER_PYTHON = "3.13"  # Pyodide 0.29's
HOME_PAGE = "voici/render/modules/home.html"
STORAGE_NAME = "Peer Support Specialist course"  # the browser's store of the learner's files

# The course's dependencies that a browser page does without: nbgrader, JupyterLab and Voila
# are the server's; matplotlib is compiled and not to be had offline (charts become HTML bars).
NOT_IN_BROWSER = {"nbgrader", "jupyterlab", "voila", "matplotlib"}
# ipywidgets asks for these two, which are the widgets' JupyterLab extension; the page brings
# its own (Voici's), and the Pyodide kernel stands in for widgetsnbextension.
FRONT_END_ONLY = {"widgetsnbextension", "jupyterlab-widgets"}
# Packages whose sources fall back to plain Python without their C part: the package folder
# inside the source archive.
FROM_SOURCE = {"markupsafe": "src/markupsafe", "pyyaml": "lib/yaml"}
# The Pyodide kernel asks Pyodide for sqlite3 (IPython keeps its history there). It is compiled
# and part of Pyodide's package set, which the site does not have; IPython runs without it (no
# saved history). An empty package of that name lets the kernel start.
PLACEHOLDERS = ("sqlite3",)
# Markers of the requirements of a wheel, as Pyodide evaluates them.
BROWSER_MARKERS = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "os_name": "posix",
    "python_version": BROWSER_PYTHON,
    "python_full_version": f"{BROWSER_PYTHON}.2",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}


class BuildError(Exception):
    """The site could not be built; ``str()`` says why and what to do, in plain words."""


def say(line: str) -> None:
    print(line, flush=True)


# --- the wheels -------------------------------------------------------------------------------
def pins(path: Path = CONFIG / "browser-requirements.txt") -> dict[str, str]:
    """name -> version of every ``name==version`` line."""
    from packaging.utils import canonicalize_name

    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            if not version:
                raise BuildError(f"{path.name}: pin an exact version ({line}==...)")
            found[canonicalize_name(name)] = version.strip()
    return found


def pip_download(specs: list[str], into: Path, binary: bool) -> None:
    """Download pinned files from PyPI (already-downloaded ones are kept)."""
    if not specs:
        return
    into.mkdir(parents=True, exist_ok=True)
    kind = (
        ["--only-binary=:all:", "--platform", "any", "--implementation", "py", "--abi", "none"]
        if binary
        else ["--no-binary=:all:"]
    )
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check"]
    command += ["--python-version", BROWSER_PYTHON, *kind, "-d", str(into), *specs]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise BuildError(f"Could not download {', '.join(specs)} from PyPI:\n{done.stderr[-2000:]}")


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def pack_wheel(files: dict[str, bytes], name: str, version: str, requires: list[str], into: Path) -> Path:
    """A pure Python wheel of ``files`` (path in the wheel -> bytes), made the way pip reads one.

    Dates are fixed, so the same files make the same wheel (and the same hash in the lock).
    """
    dist = f"{name.replace('-', '_')}-{version}"
    info = f"{dist}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    wheel = "Wheel-Version: 1.0\nGenerator: course.static_site\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    contents = {**files, f"{info}/METADATA": meta.encode(), f"{info}/WHEEL": wheel.encode()}
    records = [_record_line(arc, data) for arc, data in contents.items()] + [f"{info}/RECORD,,"]
    contents[f"{info}/RECORD"] = ("\n".join(records) + "\n").encode()
    path = into / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in contents.items():
            archive.writestr(zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return path


def wheel_from_source(sdist: Path, package_dir: str, name: str, version: str, into: Path) -> Path:
    """The plain Python part of a source archive (its ``package_dir``) as a wheel."""
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        prefix = f"{top}/{package_dir}/"
        files = {}
        for member in archive.getmembers():
            if member.isfile() and member.name.startswith(prefix) and member.name.endswith((".py", ".typed")):
                handle = archive.extractfile(member)
                assert handle is not None
                files[package_dir.rsplit("/", 1)[-1] + "/" + member.name[len(prefix) :]] = handle.read()
    if not files:
        raise BuildError(
            f"{sdist.name} has no {package_dir}/ folder: check scripts/site/browser-requirements.txt"
        )
    return pack_wheel(files, name, version, [], into)


def course_wheel(into: Path) -> Path:
    """The course package as a wheel, with its data and templates, asking only for what the
    browser has (its other dependencies are the server's)."""
    from importlib.metadata import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    installed = metadata("cps-course")  # the course as installed in this environment (editable)
    requires = []
    for raw in installed.get_all("Requires-Dist") or []:
        requirement = Requirement(raw)
        wanted = not requirement.marker or requirement.marker.evaluate(BROWSER_MARKERS)
        if wanted and canonicalize_name(requirement.name) not in NOT_IN_BROWSER | FRONT_END_ONLY:
            requires.append(raw)
    files = {}
    for path in sorted((ROOT / "course").rglob("*")):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and path.suffix in (".py", ".json", ".j2", ".css")
        ):
            files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    return pack_wheel(files, installed["Name"], installed["Version"], requires, into)


def browser_wheels(work: Path) -> list[Path]:
    """Every wheel the site serves: downloaded from PyPI (cached), packed from source, the
    placeholders and the course."""
    pinned = pins()
    binary = [f"{n}=={v}" for n, v in pinned.items() if n not in FROM_SOURCE]
    source = [f"{n}=={v}" for n, v in pinned.items() if n in FROM_SOURCE]
    say(f"Getting {len(pinned)} Python packages for the browser (from PyPI the first time)…")
    pip_download(binary, WHEEL_CACHE, binary=True)
    pip_download(source, WHEEL_CACHE / "sources", binary=False)
    wheels = []
    for name, version in pinned.items():
        if name in FROM_SOURCE:
            sdist = next((WHEEL_CACHE / "sources").glob(f"{name.replace('-', '_')}-{version}.tar.gz"), None)
            sdist = sdist or next((WHEEL_CACHE / "sources").glob(f"{name}-{version}.tar.gz"))
            wheels.append(wheel_from_source(sdist, FROM_SOURCE[name], name, version, work))
        else:
            wheels.append(_cached_wheel(name, version))
    wheels += [pack_wheel({}, name, "0.0.0", [], work) for name in PLACEHOLDERS]
    wheels.append(course_wheel(work))
    return wheels


def _cached_wheel(name: str, version: str) -> Path:
    from packaging.utils import canonicalize_name, parse_wheel_filename

    for path in WHEEL_CACHE.glob("*.whl"):
        found, found_version, _, _ = parse_wheel_filename(path.name)
        if found == canonicalize_name(name) and str(found_version) == version:
            return path
    raise BuildError(f"{name}=={version} was not downloaded: see scripts/site/browser-requirements.txt")


# --- the lock -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LockEntry:
    """One package of the site's pyodide-lock.json."""

    name: str
    version: str
    file_name: str
    sha256: str
    imports: tuple[str, ...]
    depends: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "file_name": self.file_name,
            "install_dir": "site",
            "sha256": self.sha256,
            "package_type": "package",
            "imports": list(self.imports),
            "depends": list(self.depends),
            "unvendored_tests": False,
        }


def lock_entry(wheel: Path) -> LockEntry:
    """What Pyodide needs to know of a wheel: its name, hash, top-level imports and the
    packages it needs in the browser (its requirements, with the browser's markers)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(archive.read(meta_name).decode("utf-8"))
    tops = set()
    for name in names:
        first = name.split("/", 1)[0]
        if first.endswith((".dist-info", ".data")):
            continue
        if "/" in name:
            tops.add(first)
        elif name.endswith(".py"):
            tops.add(name[:-3])
    depends = set()
    for raw in meta.get_all("Requires-Dist") or []:
        requirement = Requirement(raw)
        if requirement.marker and not requirement.marker.evaluate(BROWSER_MARKERS):
            continue
        name = canonicalize_name(requirement.name)
        if name not in FRONT_END_ONLY:
            depends.add(name)
    return LockEntry(
        name=canonicalize_name(meta["Name"]),
        version=meta["Version"],
        file_name=wheel.name,
        sha256=hashlib.sha256(wheel.read_bytes()).hexdigest(),
        imports=tuple(sorted(tops)),
        depends=tuple(sorted(depends)),
    )


def write_lock(wheels: list[Path], pyodide_lock: Path, out: Path) -> list[str]:
    """The site's pyodide-lock.json: Pyodide's own "info", and only the site's wheels.

    Every dependency must be one of them: a package missing from the browser would otherwise
    only show as an error on a learner's page. Returns the package names.
    """
    entries = {e.name: e for e in map(lock_entry, wheels)}
    missing = sorted({f"{d} (for {e.name})" for e in entries.values() for d in e.depends if d not in entries})
    if missing:
        raise BuildError(
            "These packages are needed in the browser but not listed in "
            f"scripts/site/browser-requirements.txt: {', '.join(missing)}"
        )
    info = json.loads(pyodide_lock.read_text(encoding="utf-8"))["info"]
    packages = {name: entries[name].as_json() for name in sorted(entries)}
    out.write_text(json.dumps({"info": info, "packages": packages}, indent=1) + "\n", encoding="utf-8")
    return sorted(entries)


# --- the site's contents and settings ----------------------------------------------------------
def stage_contents(into: Path) -> None:
    """What the pages' Python sees as its folders: the learners' notebooks, the keys and the
    explanations. Never a learner's own files from this checkout (answers, check results)."""
    own_files = shutil.ignore_patterns(
        "answers*.json",
        ".answers-*",
        "check-*.html",
        "check-results.json",
        ".ipynb_checkpoints",
        "__pycache__",
    )
    shutil.copytree(ROOT / "modules", into / "modules", ignore=own_files)
    (into / "solutions").mkdir()
    for notebook in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        target = into / "solutions" / notebook.parent.name
        target.mkdir(exist_ok=True)
        shutil.copy2(notebook, target)
    shutil.copytree(ROOT / "content" / "items", into / "content" / "items")


def write_settings(lite: Path, packages: list[str], output: Path) -> None:
    """jupyter-lite.json (what every page is told) and jupyter_lite_config.json (the build's)."""
    kernel = {
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": packages},
    }
    page = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Peer Support Specialist course",
            # One store of files for every page: JupyterLite names it after the page's base URL
            # by default, which Voici writes relative to each page ("../../../"), so the home
            # page and a module page would each see only the answers saved from their own depth.
            "contentsStorageName": STORAGE_NAME,
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel},
        },
    }
    (lite / "jupyter-lite.json").write_text(json.dumps(page, indent=1), encoding="utf-8")
    build = {
        "LiteBuildConfig": {
            "contents": ["contents"],
            "output_dir": str(output),
            "apps": ["voici"],
            "ignore_sys_prefix": True,
            "no_sourcemaps": True,
            "no_unused_shared_packages": True,
        },
        "FederatedExtensionAddon": {
            "extra_labextensions_path": [str(TOOLS / "share" / "jupyter" / "labextensions")]
        },
    }
    (lite / "jupyter_lite_config.json").write_text(json.dumps(build, indent=1), encoding="utf-8")


def copy_pyodide(into: Path) -> Path:
    """Pyodide's core, from its npm package."""
    missing = [f for f in PYODIDE_FILES if not (PYODIDE_NPM / f).is_file()]
    if missing:
        raise BuildError("Pyodide is missing from node_modules/pyodide: run `npm ci` in the course folder.")
    into.mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE_NPM / name, into / name)
    return PYODIDE_NPM / "pyodide-lock.json"


def run_voici(lite: Path) -> None:
    """JupyterLite's build with the Voici app, from the build tools in .site-tools/."""
    paths = [str(TOOLS), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    templates = [str(CONFIG / "share"), str(ROOT / "scripts" / "jupyter" / "share")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "JUPYTER_PATH": os.pathsep.join([*templates, os.environ.get("JUPYTER_PATH", "")]).rstrip(os.pathsep),
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1577836800"),
    }
    command = [
        sys.executable,
        "-c",
        "from voici_core.app import main; main()",
        "build",
        "--lite-dir",
        str(lite),
    ]
    command += ["--template=cps-site", "--VoilaConfiguration.show_tracebacks=False"]
    log = lite / "build.log"
    with log.open("w", encoding="utf-8") as handle:
        done = subprocess.run(command, cwd=lite, env=env, stdout=handle, stderr=subprocess.STDOUT)
    if done.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BuildError(f"Voici could not build the pages. The end of its log:\n{tail}")


# --- after Voici ----------------------------------------------------------------------------------
LEFT_OUT = (
    "build",
    "doc",
    "voici/tree",
    "voici/render/solutions",
    "jupyter-lite.ipynb",
    "voici/build/service-worker.js",
)
OUTSIDE = re.compile(r"""<(?:link|script|img|iframe)\b[^>]*?\b(?:href|src)\s*=\s*["'](?:https?:)?//""", re.I)


def finish(site: Path) -> None:
    """Leave out what the site does not use, point its front doors at the home page, make sure
    no page loads anything from elsewhere, and write the service worker."""
    for part in LEFT_OUT:
        target = site / part
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    door = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="0; url={to}"><title>Peer Support Specialist course</title>'
        '</head><body><p><a href="{to}">Open the course</a></p></body></html>\n'
    )
    (site / "index.html").write_text(door.format(to=HOME_PAGE), encoding="utf-8")
    (site / "voici" / "index.html").write_text(
        door.format(to=HOME_PAGE.removeprefix("voici/")), encoding="utf-8"
    )
    (site / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve every folder as it is
    outside = [
        str(p.relative_to(site))
        for p in site.rglob("*.html")
        if OUTSIDE.search(p.read_text(errors="replace"))
    ]
    if outside:
        raise BuildError(
            f"These pages would load something from another site: {', '.join(sorted(outside)[:5])}"
        )
    write_service_worker(site)


def write_service_worker(site: Path) -> None:
    """The course's service worker with the list of every file it saves for offline use."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    files = [f for f in files if f not in ("service-worker.js", ".nojekyll")]
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (site / name).read_bytes())
    script = (CONFIG / "service-worker.js").read_text(encoding="utf-8")
    script = script.replace("__VERSION__", digest.hexdigest()[:16]).replace("__FILES__", json.dumps(files))
    (site / "service-worker.js").write_text(script, encoding="utf-8")


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(out: Path) -> Path:
    """Build the whole site into ``out`` (replaced only once the new one is complete)."""
    started = time.monotonic()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".site-build-", dir=out.parent) as tmp:
        work = Path(tmp)
        lite, wheels_dir, new = work / "lite", work / "wheels", work / "site"
        wheels_dir.mkdir()
        pyodide_lock = copy_pyodide(lite / "static" / "pyodide")
        wheels = browser_wheels(wheels_dir)
        for wheel in wheels:
            shutil.copy2(wheel, lite / "static" / "pyodide" / wheel.name)
        packages = write_lock(wheels, pyodide_lock, lite / "static" / "pyodide" / "pyodide-lock.json")
        stage_contents(lite / "contents")
        write_settings(lite, packages, new)
        say("Making the pages with Voici (about half a minute)…")
        run_voici(lite)
        finish(new)
        if out.exists():
            shutil.rmtree(out)
        shutil.move(str(new), str(out))
    megabytes = size_of(out) / 1e6
    say(f"Done in {time.monotonic() - started:.0f} s: the site is in {out} ({megabytes:.0f} MB).")
    say(f"Its first page is {HOME_PAGE}; serve the folder as it is, for example with:")
    say(f"    python -m http.server --directory {out} 8000")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "_site", help="the folder to make (default: _site)"
    )
    args = parser.parse_args(argv)
    try:
        build(args.out)
    except BuildError as problem:
        print(f"The site was not built. {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
