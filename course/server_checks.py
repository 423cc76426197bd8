"""Asking the running servers, for ``python -m course.doctor``: formgrader, and ngshare.

A setting can say formgrader is on while the trainer's server, started before the setting
changed, runs without it; a course can name ngshare while the service is down. Only asking
the server itself tells. Inside a JupyterLab terminal on a hub, the environment holds what is
needed: ``JUPYTER_SERVER_URL`` (set by Jupyter for its terminals) or ``JUPYTERHUB_SERVICE_URL``
(set by the hub), ``JUPYTERHUB_SERVICE_PREFIX`` and ``JUPYTERHUB_API_TOKEN``, the server's own
key, which the hub lets it use on itself. Requests go to that server alone and never follow a
redirect (a redirect to a login page would look like success).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

FORMGRADER_EXTENSION = "nbgrader.server_extensions.formgrader"
TIMEOUT = 20


@dataclass(frozen=True)
class Reply:
    """What a server said: an HTTP status (0 when it could not be reached) and the body or reason."""

    status: int
    body: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def get(url: str, token: str | None) -> Reply:
    """GET ``url`` with the server's key, if any; never raises."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=TIMEOUT) as reply:
            return Reply(reply.status, reply.read().decode("utf-8", errors="replace"))
    except urllib.error.HTTPError as answer:
        return Reply(answer.code, "")
    except (urllib.error.URLError, OSError) as problem:
        reason = getattr(problem, "reason", problem)
        return Reply(0, str(reason))


def own_server() -> tuple[str, str | None] | None:
    """(URL of the server this terminal runs in, ending in "/", its key), or None outside one."""
    url = os.environ.get("JUPYTER_SERVER_URL") or os.environ.get("JUPYTERHUB_SERVICE_URL")
    if not url or not os.environ.get("JUPYTERHUB_SERVICE_PREFIX"):
        return None
    parts = urlsplit(url)
    if parts.hostname in (None, "", "0.0.0.0", "::"):
        parts = parts._replace(netloc=f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1")
    base = urlunsplit(parts)
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    if not urlsplit(base).path.rstrip("/").endswith(prefix.rstrip("/")):
        base = base.rstrip("/") + prefix
    return base.rstrip("/") + "/", os.environ.get("JUPYTERHUB_API_TOKEN")


def formgrader_enabled() -> bool:
    """Whether Jupyter's settings turn formgrader on for this user, merged as the server merges
    them at start (the user's own ~/.jupyter first, then the environment's and the system's)."""
    from jupyter_core.paths import jupyter_config_path
    from jupyter_server.extension.config import ExtensionConfigManager

    return bool(ExtensionConfigManager(read_config_path=jupyter_config_path()).enabled(FORMGRADER_EXTENSION))


def formgrader_assignments(base: str, token: str | None) -> tuple[Reply, list[str] | None]:
    """Ask formgrader's own API for the modules it sees (names), as its Manage Assignments page does."""
    reply = get(base + "formgrader/api/assignments", token)
    if reply.status != 200:
        return reply, None
    try:
        return reply, sorted(str(a["name"]) for a in json.loads(reply.body))
    except (ValueError, KeyError, TypeError):
        return reply, None


def ngshare_url(config: object) -> str:
    """The ngshare address ngshare_exchange itself would use; raises ValueError when none is set,
    ImportError when ngshare_exchange is not installed."""
    from ngshare_exchange.exchange import Exchange

    return Exchange(config=config).ngshare_url


def ngshare_answers(url: str) -> Reply:
    """ngshare's health check (``<url>/healthz``), the one request it answers without a login."""
    return get(url.rstrip("/") + "/healthz", os.environ.get("JUPYTERHUB_API_TOKEN"))
