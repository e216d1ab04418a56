"""The production web process: uvicorn workers serving `bot.app:asgi`, without Nagle's delay.

`uvicorn --workers N` binds the listening socket itself with `proto` left at 0; accepted
connections inherit it, and asyncio turns on TCP_NODELAY only for sockets that say IPPROTO_TCP
(uvicorn issue #3149, open). Every response after the first on a keep-alive connection (how
Twilio's and a platform router's requests arrive) then waits for the peer's delayed ACK: about
40 ms each on Linux, measured here with `benchmarks/sms_webhook.py` (a static endpoint fell from
~2,000 to 23 requests/s on one connection). This module binds the same socket with the protocol
named, and otherwise starts uvicorn's worker supervisor as `uvicorn.run` does.
"""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "bot.app:asgi"


class TcpConfig(uvicorn.Config):
    """A uvicorn `Config` whose listening TCP socket names IPPROTO_TCP (see the module doc)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto:
            return sock
        # The same descriptor, described correctly: accepted sockets copy this object's proto.
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def run_web(
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str = "INFO",
    app: str = APP,
    factory: bool = True,
) -> None:
    """Serve `app` (ours by default) with `workers` processes (each loads the models once).

    `log_level`: a Python level name (`CPPS_LOG_LEVEL`), for uvicorn's own loggers too.
    """
    level = logging.getLevelName(log_level.upper())
    config = TcpConfig(
        app,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level=level if isinstance(level, int) else logging.INFO,
    )
    server = uvicorn.Server(config)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server.run()
        if not server.started:
            sys.exit(3)  # uvicorn's STARTUP_FAILURE, as `uvicorn.run` exits
