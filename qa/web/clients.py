"""How the app is served, and who a request comes from (for the limits that count per client).

The connection's own address, unless it is one of `QA_TRUSTED_PROXIES`: then the address the proxy
says it forwarded for. The app decides this itself and the server it runs in is told to believe no
header (uvicorn would otherwise trust any client on loopback), so nobody can name themselves
somebody else by sending `X-Forwarded-For`."""

from __future__ import annotations

from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


SHUTDOWN_GRACE_S = 10


def trust_proxies(app: FastAPI, proxies: list[str]) -> None:
    """Believe the forwarding headers of `proxies` only (none: no header is believed)."""
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)


def server_config(app: Any, host: str, port: int, **kwargs: Any) -> uvicorn.Config:
    """How the app is served: forwarding headers are the app's business (`trust_proxies`), and a
    stop waits for answers in progress, not for every open chat tab's event stream to end."""
    return uvicorn.Config(app, host=host, port=port, proxy_headers=False, log_level="warning",
                          timeout_graceful_shutdown=SHUTDOWN_GRACE_S, **kwargs)


def client_of(request: Any) -> str:
    """The client's address (a Starlette or Gradio request)."""
    client = getattr(request, "client", None)
    return str(client.host) if client and client.host else "unknown"
