"""Start a real local 3-node Redis Cluster (no replicas) for tests, and tear it down."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def free_port() -> int:
    """A loopback port that is free now, with its cluster bus port (+10000) free too."""
    for _ in range(100):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair found")


class ServerLog:
    """A redis-server's log (its stdout), read by a thread as it comes: a test waits for a line
    instead of polling the server."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self._stdout = proc.stdout
        self._lines: list[str] = []
        self._closed = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="redis-server log", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Read to the end even when no one waits any more: a full pipe would stall the server.
        for raw in self._stdout:
            with self._changed:
                self._lines.append(raw.decode(errors="replace"))
                self._changed.notify_all()
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        """Whether a line holding ``text`` was logged within ``timeout`` seconds (False as soon as
        the server closed its log without one)."""

        def seen() -> bool:
            return any(text in line for line in self._lines)

        with self._changed:
            self._changed.wait_for(lambda: seen() or self._closed, timeout)
            return seen()

    def tail(self, count: int = 5) -> str:
        with self._changed:
            return "".join(self._lines[-count:])


@dataclass
class Server:
    """A redis-server process and its log."""

    port: int
    proc: subprocess.Popen[bytes]
    log: ServerLog


def start_server(port: int, *extra: str, workdir: str | None = None) -> Server:
    """A throwaway redis-server on 127.0.0.1:port (no persistence), once it accepts connections."""
    proc = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            *extra,
        ],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Server(port, proc, ServerLog(proc))
    if not server.log.wait_for("Ready to accept connections", timeout=10):
        stop(server)
        raise RuntimeError(
            f"redis-server on port {port} did not start (exit code {proc.returncode}):\n"
            + server.log.tail()
        )
    return server


def stop(server: Server) -> None:
    proc = server.proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout is not None:
        proc.stdout.close()


@dataclass
class LocalCluster:
    """Three masters on loopback ports; ``startup_nodes`` feeds ``RedisCluster``."""

    ports: list[int]
    workdir: str
    servers: list[Server] = field(default_factory=list)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return self.ports[0]

    @classmethod
    def start(cls, size: int = 3, timeout: float = 30.0) -> LocalCluster:
        workdir = tempfile.mkdtemp(prefix="rb-cluster-")
        cluster = cls(ports=[], workdir=workdir)
        try:
            for index in range(size):
                port = free_port()
                while port in cluster.ports:
                    port = free_port()
                node_dir = os.path.join(workdir, str(port))
                os.mkdir(node_dir)
                cluster.ports.append(port)
                cluster.servers.append(
                    start_server(
                        port,
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        os.path.join(node_dir, f"nodes-{index}.conf"),
                        "--cluster-node-timeout",
                        "2000",
                        workdir=node_dir,
                    )
                )
            subprocess.run(
                [
                    REDIS_CLI,
                    "--cluster",
                    "create",
                    *(f"127.0.0.1:{port}" for port in cluster.ports),
                    "--cluster-replicas",
                    "0",
                    "--cluster-yes",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
            )
            cluster.wait_ok(timeout)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def wait_ok(self, timeout: float) -> None:
        """Until every node has logged that its cluster state is ok (then checked once)."""
        deadline = time.monotonic() + timeout
        for server in self.servers:
            remaining = max(0.0, deadline - time.monotonic())
            if not server.log.wait_for("Cluster state changed: ok", remaining):
                raise RuntimeError(
                    f"node {server.port} did not reach cluster_state:ok:\n{server.log.tail()}"
                )
        for port in self.ports:
            info = subprocess.run(
                [REDIS_CLI, "-p", str(port), "CLUSTER", "INFO"],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout
            if "cluster_state:ok" not in info:
                raise RuntimeError(f"node {port} logged cluster_state:ok, then reports:\n{info}")

    def stop(self) -> None:
        for server in self.servers:
            stop(server)
        self.servers = []
        shutil.rmtree(self.workdir, ignore_errors=True)
