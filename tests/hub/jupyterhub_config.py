"""JupyterHub for the cohort test (tests/test_hub_cohort.py): a real hub on 127.0.0.1 only.

Everything that differs per run (ports, folders, the password, the learners' Unix user names)
comes from ``CPS_*`` environment variables the test sets, so this file stays fixed and
readable. Learners log in with one shared password (SharedPasswordAuthenticator); the hub
runs as root and JupyterHub's default LocalProcessSpawner starts each learner's single-user
JupyterLab as that learner's own Unix user, in their home, as on a real hub. So the servers
run this venv's ``jupyterhub-singleuser`` and import the course from this repository, both of
which every user must be able to read.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["CPS_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["CPS_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['CPS_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ.get("CPS_PROXY_COMMAND", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.debug = False

# The hub's own files (database, cookie secret) stay in the test's temporary folder.
state = Path(os.environ["CPS_HUB_STATE"])
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# One shared password, typed into the hub's own login form. This is the successor (JupyterHub
# 5.3+) of DummyAuthenticator.password, which still works but is deprecated.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["CPS_HUB_PASSWORD"]
c.Authenticator.allowed_users = set(os.environ["CPS_HUB_USERS"].split(","))

# Each learner's server runs as the Unix user of the same name (pwd.getpwnam), in its home.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.args = [
    # Nothing reaches out to the internet: no news feed, no update check.
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.Spawner.environment = {
    # The venv first, so the kernel, nbgrader and jupyter commands are the venv's.
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    # The learners' global nbgrader settings, as /etc/jupyter/nbgrader_config.py is on a hub.
    "JUPYTER_CONFIG_PATH": str(HERE / "learner_config"),
    # The filesystem exchange's folder and the course, which learner_config reads (a hub with
    # ngshare in its place, tests/hub/ngshare_hub_config.py, sets neither).
    **{name: os.environ[name] for name in ("CPS_EXCHANGE", "CPS_COURSE_ID") if name in os.environ},
}
