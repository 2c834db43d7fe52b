"""Start a real local 3-node Redis Cluster (no replicas) for tests, and tear it down."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
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


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_server(port: int, *extra: str, workdir: str | None = None) -> subprocess.Popen[bytes]:
    """A throwaway redis-server on 127.0.0.1:port (no persistence); waits until it answers."""
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server on port {port} exited with {proc.returncode}")
        if _ping(port):
            return proc
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError(f"redis-server on port {port} did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class LocalCluster:
    """Three masters on loopback ports; ``startup_nodes`` feeds ``RedisCluster``."""

    ports: list[int]
    workdir: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

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
                cluster.procs.append(
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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = []
            for port in self.ports:
                out = subprocess.run(
                    [REDIS_CLI, "-p", str(port), "CLUSTER", "INFO"],
                    capture_output=True,
                    text=True,
                    timeout=5,
                ).stdout
                states.append("cluster_state:ok" in out)
            if all(states):
                return
            time.sleep(0.1)
        raise RuntimeError("cluster did not reach cluster_state:ok")

    def stop(self) -> None:
        for proc in self.procs:
            stop(proc)
        self.procs = []
        shutil.rmtree(self.workdir, ignore_errors=True)
