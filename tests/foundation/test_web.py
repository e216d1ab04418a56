"""The production web process's listening socket: keep-alive responses are not held by Nagle."""

from __future__ import annotations

import asyncio
import socket

from bot.web import TcpConfig


async def _nodelay_of_an_accepted_connection(listener: socket.socket) -> int:
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
    async with server:
        host, port = listener.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        try:
            return await asyncio.wait_for(seen, timeout=5)
        finally:
            writer.close()


def test_the_bound_socket_gives_connections_tcp_nodelay() -> None:
    config = TcpConfig("bot.app:asgi", factory=True, host="127.0.0.1", port=0, workers=2)
    listener = config.bind_socket()
    assert listener.proto == socket.IPPROTO_TCP
    assert asyncio.run(_nodelay_of_an_accepted_connection(listener)) == 1
