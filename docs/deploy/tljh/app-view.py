"""JupyterHub setting for TLJH: learners land on their modules as apps (Voila).

Copy to /opt/tljh/config/jupyterhub_config.d/ and run `sudo tljh-config reload`
(docs/instructors/tljh.md, "Modules as an app"). Each learner's first page lists their
folders; a fetched module opens as an app in one click, and every module page links to
JupyterLab, where the Assignments tab fetches and submits.
"""

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

c.Spawner.default_url = "/voila/tree"
