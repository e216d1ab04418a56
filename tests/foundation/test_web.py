"""The production web process's listening socket: keep-alive responses are not held by Nagle."""

from __future__ import annotations

import asyncio
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cpps_web_serves_from_two_workers_sharing_one_set_of_keys(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/cpps.db",
        "CPPS_DATA_DIR": str(tmp_path),
        "CPPS_LOG_LEVEL": "WARNING",
    }
    for name in ("CPPS_SECRET_KEYS", "TWILIO_AUTH_TOKEN", "SLACK_SIGNING_SECRET", "CPPS_ENV"):
        env.pop(name, None)
    cpps = str(Path(sys.executable).parent / "cpps")
    server = subprocess.Popen(
        [cpps, "web", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 180
        statuses: list[int] = []
        while time.monotonic() < deadline and server.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                for _ in range(2):  # one keep-alive connection, two requests
                    connection.request("GET", "/healthz")
                    response = connection.getresponse()
                    response.read()
                    statuses.append(response.status)
                connection.close()
                break
            except OSError:
                time.sleep(0.5)
        assert statuses == [200, 200], server.stderr.read1().decode() if server.stderr else ""
        # The keys were made once, before the workers, and no draft was left behind.
        assert [p.name for p in tmp_path.iterdir() if "secrets" in p.name] == ["dev-secrets.json"]
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_connections_opened_at_once_are_spread_over_the_workers() -> None:
    """Each worker listens on a socket of its own (SO_REUSEPORT): on one shared socket, the
    worker that woke first took a whole burst of keep-alive connections, the other none."""
    port = _free_port()
    call = (
        "from bot.web import run_web; "
        f"run_web(host='127.0.0.1', port={port}, workers=2, log_level='warning', "
        "app='tests.support.which_worker:app', factory=False)"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", call],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[str] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            # Opened all at once, then used: a burst, as 32 residents' connections arrive.
            connections = [
                http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(32)
            ]
            try:
                for connection in connections:
                    connection.connect()
                for connection in connections:
                    connection.request("GET", "/")
                    workers.add(connection.getresponse().read().decode())
            except OSError:
                time.sleep(0.5)  # not listening yet
            finally:
                for connection in connections:
                    connection.close()
            if workers:
                break
        assert len(workers) == 2, workers
    finally:
        server.terminate()
        server.wait(timeout=30)
