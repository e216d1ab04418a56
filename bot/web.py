"""The production web process: uvicorn workers serving `bot.app:asgi`, without Nagle's delay.

`uvicorn --workers N` binds the listening socket itself with `proto` left at 0; accepted
connections inherit it, and asyncio turns on TCP_NODELAY only for sockets that say IPPROTO_TCP
(uvicorn issue #3149, open). Every response after the first on a keep-alive connection (how
Twilio's and a platform router's requests arrive) then waits for the peer's delayed ACK: about
40 ms each on Linux, measured here with `benchmarks/sms_webhook.py` (a static endpoint fell from
~2,000 to 23 requests/s on one connection). This module binds the same socket with the protocol
named, and otherwise starts uvicorn's worker supervisor as `uvicorn.run` does.

Each worker also listens on a socket of its own (SO_REUSEPORT), not one shared socket: on a
shared socket, asyncio accepts every connection waiting at a wakeup, so the worker that wakes
first takes a whole burst of keep-alive connections and keeps them. Measured here under 32
connections opened at once (`benchmarks/sms_webhook.py`): one of two workers served every
request, the other sat idle. With a socket each, the kernel spreads connections over the workers.
"""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "bot.app:asgi"


class TcpConfig(uvicorn.Config):
    """A uvicorn `Config` whose listening TCP socket names IPPROTO_TCP and may share its port
    with the other workers' (SO_REUSEPORT; see the module doc)."""

    def bind_socket(self) -> socket.socket:
        if self.uds or self.fd is not None or not hasattr(socket, "SO_REUSEPORT"):
            return self._described(super().bind_socket())
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((self.host, self.port))
            sock.listen(self.backlog)
        except OSError:
            sock.close()
            raise
        sock.set_inheritable(True)
        return sock

    @staticmethod
    def _described(sock: socket.socket) -> socket.socket:
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto:
            return sock
        # The same descriptor, described correctly: accepted sockets copy this object's proto.
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


class SocketPerWorker(Multiprocess):
    """uvicorn's worker supervisor (restarts, signals, health pings), each worker started, or
    restarted, with a listening socket of its own on the same port."""

    @property
    def sockets(self) -> list[socket.socket]:
        # Read once per worker process started (uvicorn 0.55 `Multiprocess`): a new socket each.
        return [self.config.bind_socket()]

    @sockets.setter
    def sockets(self, _shared: list[socket.socket]) -> None:
        pass  # the shared socket `Multiprocess.__init__` is given is not served


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
        # Each worker's socket is bound here, in the supervisor, as the worker starts: a port
        # taken by another program fails `cpps web` at once.
        SocketPerWorker(config, sockets=[]).run()
    else:
        server.run()
        if not server.started:
            sys.exit(3)  # uvicorn's STARTUP_FAILURE, as `uvicorn.run` exits
