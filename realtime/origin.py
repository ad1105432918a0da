"""Same-origin check for WebSocket handshakes.

A browser opening a WebSocket sends the page's Origin and the user's cookies. Without a check,
any page could open a socket on a municipality's host with the user's session (cross-site
WebSocket hijacking). Channels' ``AllowedHostsOriginValidator`` only asks whether the Origin is
*some* allowed host, and every municipality is one, so a page on amersfoort.<base> could open
utrecht.<base>'s feed. Here the Origin must be the very host the socket is opened on.

Refused: an Origin whose scheme is not http(s), or not the scheme of the connection itself (a
page on ``http://`` must not open a socket that arrived over TLS, nor the other way round: the
ASGI scope's ``scheme``, ``ws``/``wss``, set from ``X-Forwarded-Proto`` behind the proxy by
``agora serve --proxy-headers``), whose host or port differs from the Host header, an opaque
``null`` Origin, several Origin headers, and a Host outside ``ALLOWED_HOSTS``.

Allowed without an Origin header: browsers always send one on a WebSocket handshake (RFC 6455
section 4.1, and the Fetch standard), so the attack above always carries a foreign Origin. A
handshake without one comes from a non-browser client (a script, an app, a monitor), which has
to bring its own session cookie and could put any Origin it liked anyway; refusing it would
protect nothing. The session and membership checks further down apply to it as to everyone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": "80", "https": "443"}
# The page scheme that matches a connection's ASGI scheme (daphne may report the forwarded one).
PAGE_SCHEME = {"ws": "http", "http": "http", "wss": "https", "https": "https"}


def _header_values(scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers") or [] if key.lower() == name]


def same_origin(origin: str | None, host: str, scheme: str | None = None) -> bool:
    """Whether a handshake with this Origin header (None: absent) on this Host may proceed.

    ``scheme``: the connection's ASGI scheme (``ws``/``wss``); when given, the Origin's scheme
    must be its page twin (``http``/``https``). Without it only host and port are compared.
    """
    domain, port = split_domain_port(host.strip().lower())
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    if origin is None:
        return True  # a non-browser client: see the module's docstring
    try:
        parts = urlsplit(origin.strip())
        origin_port = parts.port
    except ValueError:
        return False
    origin_scheme = parts.scheme.lower()
    if origin_scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return False
    if scheme is not None and PAGE_SCHEME.get(scheme.lower()) != origin_scheme:
        return False
    default = DEFAULT_PORTS[origin_scheme]
    origin_port_text = str(origin_port) if origin_port is not None else default
    host_port_text = port or default
    return parts.hostname.lower() == domain.strip("[]") and origin_port_text == host_port_text


class SameOriginValidator:
    """ASGI middleware: a WebSocket whose Origin is not its own host is denied before routing."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("SameOriginValidator guards WebSocket connections only")
        origins = _header_values(scope, b"origin")
        hosts = _header_values(scope, b"host")
        allowed = (
            len(origins) <= 1
            and len(hosts) == 1
            and same_origin(next(iter(origins), None), hosts[0], scope.get("scheme") or "ws")
        )
        if not allowed:
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
