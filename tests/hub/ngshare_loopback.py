"""Run ngshare (from PyPI) exactly as its own ``python -m ngshare`` does, listening on 127.0.0.1.

Usage: ``python tests/hub/ngshare_loopback.py [ngshare's own options]``.

ngshare 0.6.0 opens its port on every interface (``listen(port, '0.0.0.0')``, which its pod
needs); a test machine must use the loopback address only. So the one call that opens the port
is given 127.0.0.1, and everything else is ngshare's own ``main()``: its options, its database
upgrade, its handlers and its JupyterHub login.
"""

from __future__ import annotations

import sys
from typing import Any

from ngshare import ngshare
from tornado.httpserver import HTTPServer

LOOPBACK = "127.0.0.1"


class LoopbackHTTPServer(HTTPServer):
    """Tornado's HTTP server, listening on 127.0.0.1 whatever address it is asked for."""

    def listen(self, port: int, address: str | None = None, **kwargs: Any) -> None:
        super().listen(port, LOOPBACK, **kwargs)


if __name__ == "__main__":
    ngshare.HTTPServer = LoopbackHTTPServer
    ngshare.main(sys.argv[1:])
