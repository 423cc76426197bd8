"""The deployment files in docs/deploy/ load with the tools that will read them, and agree.

Proves: the TLJH and instructor nbgrader configs, loaded by nbgrader's own config loader as a
formgrader in an instructor's home folder loads them, point at the course folder, its
solutions/ and modules/, and the settings that keep answer keys out of feedback (and a missing
course folder is an error, not a silent skip); the TLJH setup script is valid bash, uses files
that exist, makes the exchange the config names, and turns off extensions nbgrader really has;
the Zero to JupyterHub values, merged over chart 4.4.0's defaults, pass the chart's own schema,
and their nbgrader config sets ngshare's exchange classes, from which an exchange finds the
service the hub registers (as ngshare-course-management looks for it); the image copies in no
answer keys and installs the ngshare-exchange the tests run; the learners' .gitignore keeps
answers.json out of git, so a real nbgitpuller update brings course changes and leaves every
learner's answers in place; and every link in the instructors' guide leads to a file that exists.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pytest
import yaml
from conftest import ROOT
from helpers import write_answers
from jsonschema import Draft7Validator
from jupyter_core.paths import jupyter_path
from nbgrader.apps.baseapp import NbGrader
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme
from traitlets.config import Config, PyFileConfigLoader

DEPLOY = ROOT / "docs" / "deploy"
GUIDE = ROOT / "docs" / "instructors"
CHART = ROOT / "tests" / "hub" / "z2jh-4.4.0"
SLUG = "01-shared-lived-experience"
def load_nbgrader_config(folder: Path) -> Config:
    """Config as nbgrader's apps and the formgrader load it, run from ``folder``."""
    app = NbGrader()
    previous = Path.cwd()
    os.chdir(folder)
    try:
        app.load_config_file()
    finally:
        os.chdir(previous)
    return app.config


def pyproject_test_extra() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["project"]["optional-dependencies"]["test"]


def repo_course_id() -> str:
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT))
    return loader.load_config().CourseDirectory.course_id


@pytest.fixture()
def instructor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A TLJH instructor: the course cloned at ~/cps-course, the two configs where the guide puts them."""
    home = tmp_path / "jupyter-instructor"
    (home / ".jupyter").mkdir(parents=True)
    shutil.copy(DEPLOY / "instructor_nbgrader_config.py", home / ".jupyter" / "nbgrader_config.py")
    (home / "cps-course").symlink_to(ROOT, target_is_directory=True)
    etc = tmp_path / "etc-jupyter"
    etc.mkdir()
    shutil.copy(DEPLOY / "tljh" / "nbgrader_config.py", etc / "nbgrader_config.py")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("JUPYTER_CONFIG_DIR", raising=False)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(etc))
    return home


def test_formgrader_in_the_home_folder_gets_the_course_settings(instructor_home: Path) -> None:
    config = load_nbgrader_config(instructor_home)
    course = CourseDirectory(config=config)
    assert Path(course.root).resolve() == ROOT.resolve()
    assert (course.source_directory, course.release_directory) == ("solutions", "modules")
    assert course.course_id == repo_course_id()
    preprocessors = GenerateFeedback(config=config).preprocessors
    assert ClearHiddenTests in preprocessors and ClearMarkScheme in preprocessors
    # Set by the hub-wide file (the same as nbgrader's default, so read the config, not a default).
    assert config.Exchange.root == "/srv/nbgrader/exchange"
    assert config.Exchange.path_includes_course is False


def test_instructor_config_stops_when_the_course_is_not_there(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    loader = PyFileConfigLoader("instructor_nbgrader_config.py", path=str(DEPLOY))
    with pytest.raises(FileNotFoundError, match="cps-course"):
        loader.load_config()


def test_hub_wide_config_names_the_course() -> None:
    config = PyFileConfigLoader("nbgrader_config.py", path=str(DEPLOY / "tljh")).load_config()
    assert config.CourseDirectory.course_id == repo_course_id()
    assert "student_id" not in config.CourseDirectory  # TLJH gives each learner a Unix user


def script_lines() -> list[str]:
    text = (DEPLOY / "tljh" / "setup-course.sh").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]


def test_setup_script_is_valid_bash_and_uses_files_that_exist() -> None:
    subprocess.run(["bash", "-n", str(DEPLOY / "tljh" / "setup-course.sh")], check=True)
    used = re.findall(r'"\$COURSE_DIR/([^"]+)"', "\n".join(script_lines()))
    assert used, "the script should copy files from the course folder"
    for relative in used:
        assert (ROOT / relative).is_file(), relative


def test_setup_script_makes_the_exchange_the_config_names() -> None:
    made = re.search(r'^EXCHANGE="([^"]+)"', "\n".join(script_lines()), re.M)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(DEPLOY / "tljh")).load_config()
    assert made and made.group(1) == config.Exchange.root


def disabled_extensions(text: str) -> tuple[set[str], set[str]]:
    """(server extensions, lab plugins) a script or Dockerfile turns off."""
    server = set(re.findall(r"server extension disable --sys-prefix (\S+)", text))
    lab = set(re.findall(r"labextension disable --level=sys_prefix (\S+)", text))
    return server, lab


def installed_lab_plugins() -> str:
    """The JavaScript of the installed nbgrader lab extension, where its plugin ids are written."""
    for folder in jupyter_path("labextensions"):
        static = Path(folder) / "@jupyter" / "nbgrader" / "static"
        if static.is_dir():
            return "\n".join(p.read_text(encoding="utf-8") for p in static.glob("*.js"))
    raise AssertionError("nbgrader's lab extension is not installed")


def test_hidden_tools_are_real_nbgrader_extensions() -> None:
    script = disabled_extensions("\n".join(script_lines()))
    image = disabled_extensions((DEPLOY / "z2jh" / "Dockerfile").read_text(encoding="utf-8"))
    assert script == image, "learners on TLJH and on Kubernetes should see the same tools"
    server, lab = script
    assert server == {"nbgrader.server_extensions.formgrader"}
    for module in server:
        __import__(module)
    plugins = installed_lab_plugins()
    assert lab == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"}
    for plugin in lab:
        assert f'"{plugin}"' in plugins, plugin


def merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of user values over chart defaults: maps merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text(encoding="utf-8"))


def chart_errors(user_values: dict[str, Any]) -> list[str]:
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    defaults = json.loads((CHART / "values.json").read_text(encoding="utf-8"))
    found = Draft7Validator(schema).iter_errors(merged(defaults, user_values))
    return [f"{'.'.join(map(str, e.path))}: {e.message}" for e in found]


def test_z2jh_values_pass_the_charts_schema(values: dict[str, Any]) -> None:
    assert chart_errors(values) == []
    misplaced = merged(values, {"singleuser": {"extraFile": {}}})
    assert chart_errors(misplaced), "the schema check should catch a misspelt key"


def test_z2jh_values_have_what_the_guide_relies_on(values: dict[str, Any]) -> None:
    single = values["singleuser"]
    assert single["defaultUrl"] == "/lab"
    assert single["networkPolicy"]["egressAllowRules"]["privateIPs"] is True
    assert single["extraFiles"]["nbgrader-config"]["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    assert set(values["hub"]["services"]) == {"ngshare"}
    # The course's own nbgrader_config.py reads this to collect from ngshare.
    assert single["extraEnv"]["CPS_COURSE_EXCHANGE"] == "ngshare"


def test_z2jh_nbgrader_config_uses_ngshare_for_this_course(
    values: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub-wide settings, loaded as nbgrader loads them, give ngshare's exchange classes
    themselves, and an exchange made from them finds ngshare as ngshare-course-management does
    (``ExchangeFactory.exchange().ngshare_url``; class names as text fail there)."""
    # Set in every hub server; ngshare_exchange reads it (or USER) as it is imported.
    monkeypatch.setenv("JUPYTERHUB_USER", "instructor")
    import ngshare_exchange

    etc = tmp_path / "etc-jupyter"
    etc.mkdir()
    text = values["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"]
    (etc / "nbgrader_config.py").write_text(text, encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(etc))
    # configureExchange() writes ngshare's address onto the class; put it back afterwards.
    monkeypatch.setattr(ngshare_exchange.Exchange, "_ngshare_url", ngshare_exchange.Exchange._ngshare_url)
    config = load_nbgrader_config(tmp_path)
    factory = dict(config.ExchangeFactory)
    assert set(factory) == {
        "exchange", "fetch_assignment", "fetch_feedback", "release_assignment",
        "release_feedback", "list", "submit", "collect",
    }  # fmt: skip
    for cls in factory.values():
        assert isinstance(cls, type) and cls.__module__.startswith("ngshare_exchange."), cls
    assert config.CourseDirectory.course_id == repo_course_id()
    exchange_url = urlparse(factory["exchange"]().ngshare_url)
    service_url = urlparse(values["hub"]["services"]["ngshare"]["url"])
    assert exchange_url.netloc == service_url.netloc
    assert exchange_url.path == "/services/ngshare"


def test_ngshare_values_share_the_hubs_token_placeholder(values: dict[str, Any]) -> None:
    ngshare = yaml.safe_load((DEPLOY / "z2jh" / "ngshare-values.yaml").read_text(encoding="utf-8"))
    assert ngshare["ngshare"]["hub_api_token"] == values["hub"]["services"]["ngshare"]["api_token"]
    assert ngshare["ngshare"]["admins"] == values["hub"]["config"]["Authenticator"]["admin_users"]
    assert ngshare["pvc"]["storage"]


def test_image_copies_in_no_answer_keys() -> None:
    lines = (DEPLOY / "z2jh" / "Dockerfile").read_text(encoding="utf-8").splitlines()
    copied = set()
    for line in lines:
        if line.startswith(("COPY", "ADD")):
            words = [w for w in line.split()[1:] if not w.startswith("--")]
            copied.update(words[:-1])
    assert copied == {"pyproject.toml", "README.md", "course"}
    pinned = next(r for r in pyproject_test_extra() if r.startswith("ngshare-exchange"))
    assert f"pip install --no-cache-dir {pinned}" in "\n".join(lines), "the image should have what is tested"


def git(folder: Path, *args: str) -> str:
    who = ["-c", "user.name=Instructor", "-c", "user.email=instructor@example.org"]
    done = subprocess.run(["git", *who, *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout


def nbgitpuller(url: str, folder: Path) -> None:
    """What clicking an nbgitpuller link does on the learner's server."""
    subprocess.run(
        [sys.executable, "-m", "nbgitpuller.pull", url, "main", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )


def test_nbgitpuller_update_keeps_learners_answers(tmp_path: Path) -> None:
    # The instructor's copy of the learners' repository: the released module and the .gitignore.
    instructor = tmp_path / "instructor"
    shutil.copytree(ROOT / "modules" / SLUG, instructor / SLUG)
    shutil.copy(DEPLOY / "learner-repo.gitignore", instructor / ".gitignore")
    # They tried the module themselves first, so their copy has answers too.
    write_answers(instructor / SLUG, "m1", {"m1.g1": "a"})
    git(tmp_path, "init", "-q", "-b", "main", str(instructor))
    git(instructor, "add", "-A")
    git(instructor, "commit", "-q", "-m", "Module 1")
    remote = tmp_path / "learners.git"
    git(tmp_path, "clone", "-q", "--bare", str(instructor), str(remote))
    assert f"{SLUG}/answers.json" not in git(instructor, "ls-files")

    learner = tmp_path / "home" / "cps-modules"
    nbgitpuller(f"file://{remote}", learner)
    answers = write_answers(learner / SLUG, "m1", {"m1.g1": "b", "m1.g2": "c"})
    before = answers.read_bytes()

    glossary = instructor / SLUG / "glossary.md"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "\nA new term.\n", encoding="utf-8")
    (instructor / SLUG / "whats-new.md").write_text("Module 1 has a new glossary term.\n", encoding="utf-8")
    git(instructor, "add", "-A")
    git(instructor, "commit", "-q", "-m", "Course update")
    git(instructor, "push", "-q", str(remote), "main")

    nbgitpuller(f"file://{remote}", learner)
    assert answers.read_bytes() == before
    assert "A new term." in (learner / SLUG / "glossary.md").read_text(encoding="utf-8")
    assert (learner / SLUG / "whats-new.md").is_file()
    assert sorted(p.name for p in (learner / SLUG).glob("answers*")) == ["answers.json"]
    assert "answers.json" not in git(learner, "log", "--all", "--name-only", "--format=")


def heading_anchors(page: Path) -> set[str]:
    """The #anchors GitHub makes for a Markdown page's headings."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_link_in_the_guide_leads_somewhere() -> None:
    pages = [*sorted(GUIDE.glob("*.md")), DEPLOY / "README.md"]
    assert len(pages) > 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#\s]+)(?:#([^)\s]*))?\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            linked = page.parent / target
            assert linked.exists(), f"{page.name} links to missing {target}"
            if anchor:
                assert anchor in heading_anchors(linked), f"{page.name} links to missing {target}#{anchor}"
