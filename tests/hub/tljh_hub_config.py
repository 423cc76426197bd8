"""JupyterHub set up as The Littlest JupyterHub sets it up, for tests/test_tljh_guide.py.

On 127.0.0.1 only, with configurable-http-proxy. What differs per run comes from ``CPS_*``
environment variables the test sets (tests/hub/server.py). As on TLJH:

- **FirstUseAuthenticator**, with ``create_users`` off as TLJH has it: the password a user types
  at their first login becomes theirs, and only admins and the users an admin added
  (*Hub Control Panel → Admin → Add Users*) can log in.
- The hub user ``NAME`` runs as the Unix user ``jupyter-NAME``, in that user's home. TLJH's
  spawner names users this way (and makes them); here JupyterHub's LocalProcessSpawner does the
  rest, and the test makes the Unix users with useradd beforehand.
- Every server runs the user environment's ``jupyterhub-singleuser`` with that environment's
  ``bin`` first on PATH (TLJH: /opt/tljh/user; here the test's stand-in, tests/hub/user_env.py),
  and opens JupyterLab, which is what setup-course.sh's ``tljh-config set
  user_environment.default_app jupyterlab`` asks TLJH for.
- ``JUPYTER_CONFIG_PATH`` names the test's stand-in for /etc/jupyter, where setup-course.sh
  writes the hub-wide nbgrader settings.

The servers also get the ``TLJH_*`` variables that point setup-course.sh at the test's folders,
so the guide's ``sudo bash docs/deploy/tljh/setup-course.sh``, typed in the instructor's
terminal, works on them (the test's sudoers rule keeps those variables through sudo).
"""

import os
import pwd
from collections.abc import Callable
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

USER_ENV = Path(os.environ["TLJH_USER_ENV"])
STATE = Path(os.environ["CPS_HUB_STATE"])

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["CPS_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["CPS_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['CPS_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ["CPS_PROXY_COMMAND"]]
c.ConfigurableHTTPProxy.debug = False

c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.create_users = False
c.FirstUseAuthenticator.dbm_path = str(STATE / "passwords.dbm")
c.Authenticator.admin_users = set(os.environ["CPS_HUB_USERS"].split(","))


class TLJHNamedSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with TLJH's names: hub user NAME is Unix user jupyter-NAME."""

    def unix_user(self) -> pwd.struct_passwd:
        return pwd.getpwnam(f"jupyter-{self.user.name}")

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        return super().make_preexec_fn(f"jupyter-{name}")

    def user_env(self, env: dict) -> dict:
        unix = self.unix_user()
        env.update(USER=unix.pw_name, HOME=unix.pw_dir, SHELL=unix.pw_shell)
        return env


c.JupyterHub.spawner_class = TLJHNamedSpawner
c.Spawner.cmd = [str(USER_ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.args = [
    # Nothing reaches out to the internet: no news feed, no update check.
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    # A terminal keeps the server's PATH, the user environment first, as on TLJH's Ubuntu. Jupyter
    # starts a login shell there, and Debian's /etc/profile (unlike Ubuntu's) resets PATH.
    '--ServerApp.terminado_settings={"shell_command": ["/bin/bash"]}',
]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
# Nothing of the hub's own environment (PYTHONPATH, VIRTUAL_ENV) reaches the servers.
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {
    "PATH": os.pathsep.join([str(USER_ENV / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
    "LANG": "C.UTF-8",
    "JUPYTER_CONFIG_PATH": os.environ["TLJH_ETC_JUPYTER"],
    **{name: value for name, value in os.environ.items() if name.startswith("TLJH_")},
}
