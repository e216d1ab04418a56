"""The servers of benchmarks/sms_webhook.py as subprocesses: started with their output in a log
file, awaited until healthy, stopped together; and the resident memory of a process tree."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    """Servers started for one database, stopped together; their output in `logs`."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        self.started[name] = process
        return process

    def healthy(self, name: str, port: int) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            self.check(name)
            time.sleep(0.3)
        raise SystemExit(f"{name} did not become healthy")

    def check(self, name: str) -> None:
        """Stops the benchmark, with the end of its log, if process `name` has exited."""
        if self.started[name].poll() is not None:
            tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"{name} exited early:\n{tail}")

    def stop(self, name: str) -> None:
        process = self.started.pop(name)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.started):
            self.stop(name)


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command may hold spaces and parentheses: the fields follow the last ")".
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "supervisor"
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if "resource_tracker" in cmdline:
        return "resource tracker"
    # uvicorn's workers are spawned: `python -c "from multiprocessing.spawn import spawn_main…"`.
    return "web worker" if "spawn_main" in cmdline else cmdline[:40]


def rss_tree(root: int) -> list[tuple[str, int, float]]:
    """(role, pid, VmRSS in MB) of `root` and every process below it, from /proc (psutil is not
    a dependency). `cpps web --workers 2` is a supervisor, multiprocessing's resource tracker
    and two spawned workers."""
    parents = _parents()
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    found = []
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            role = _role(pid, root)
        except OSError:
            continue  # it exited meanwhile
        kb = next((int(line.split()[1]) for line in status.splitlines() if "VmRSS" in line), 0)
        found.append((role, pid, kb / 1024))
    return found
