"""JupyterHub for the ngshare cohort test (tests/test_ngshare_cohort.py): the cohort hub of
jupyterhub_config.py, with what docs/deploy/z2jh/values.yaml asks of the hub.

The test passes values.yaml, its placeholders filled in as the guide says (the instructor's
user name, the shared token, ngshare's address here on 127.0.0.1), as JSON in
``CPS_Z2JH_VALUES``. Its services are registered as the chart's own jupyterhub_config.py does
(chart 4.4.0: ``for key, service in get_config("hub.services", {}).items()``), its admin users
are the hub's admins, and its ``singleuser.extraEnv`` goes to every server. Its login is the
test's shared password (the admins have their own), not the organisation's login the file
leaves to fill in.

Every server reads the hub-wide nbgrader settings that values.yaml mounts at
/etc/jupyter/nbgrader_config.py in each pod (``singleuser.extraFiles``); the test writes that
file into the folder ``CPS_NBGRADER_CONFIG_DIR``, and no server is told of any exchange folder.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file
load_subconfig(str(Path(__file__).with_name("jupyterhub_config.py")))  # noqa: F821 - from traitlets

values = json.loads(os.environ["CPS_Z2JH_VALUES"])
hub = values["hub"]
c.Authenticator.admin_users = set(hub["config"]["Authenticator"]["admin_users"])
# The shared-password login lets an admin in only with a password of their own.
c.SharedPasswordAuthenticator.admin_password = os.environ["CPS_HUB_ADMIN_PASSWORD"]

services = []
for key, service in hub.get("services", {}).items():
    # As the chart does: the key names the service; the token is api_token (or apiToken).
    service.setdefault("name", key)
    token = service.pop("apiToken", None)
    service["api_token"] = service.get("api_token") or token
    services.append(service)
c.JupyterHub.services = services

# singleuser.extraEnv, as the chart gives it to every server (KubeSpawner.environment).
c.Spawner.environment.update(values["singleuser"].get("extraEnv", {}))
c.Spawner.environment["JUPYTER_CONFIG_PATH"] = os.environ["CPS_NBGRADER_CONFIG_DIR"]
