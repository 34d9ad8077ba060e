"""A raw-socket HTTP server on 127.0.0.1 whose paths answer well or fail on purpose.

Each path has a list of answers given in turn, one per request, the last repeated forever: a
good page (`Answer`), or a `Fault`: the server vanishes mid-body, resets the connection,
stalls, trickles its headers, or answers bytes that are not HTTP. So
`route("/a", Fault.RESET, Fault.RESET, page)` fails twice and then serves the page. The
server counts the requests each path received, which is how a test sees how often the
crawler retried. Good answers keep the connection alive, as real servers do; every fault
ends it.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Self

HOST = "127.0.0.1"  # never another address: the faults must not leave this machine
MAX_REQUEST = 64 * 1024
# Bytes no HTTP server sends: an SSH banner, binary noise and no status line.
TRICKLE_GAP = 0.05  # seconds between two bytes of a trickled header
TRICKLE_BYTES = 60  # then the server gives up (3 s): a test of a broken client still ends
GARBAGE = b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe\x13\x37" + bytes(range(256)) * 4


class Fault(StrEnum):
    """A way for the server to fail one request."""

    VANISH = "vanish"  # headers and half the declared body, then the connection closes
    RESET = "reset"  # the connection is reset (RST) instead of an answer
    STALL = "stall"  # the request is read and never answered
    GARBAGE = "garbage"  # non-HTTP bytes, then the connection closes
    TRICKLE = "trickle"  # a status line, then a header a byte at a time, never ending it


@dataclass(frozen=True)
class Answer:
    """A well-formed HTTP answer."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})

    def encode(self, length: int | None = None) -> bytes:
        """Return the status line and headers, declaring `length` bytes (the body's if None)."""
        lines = [f"HTTP/1.1 {self.status} Whatever"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append(f"Content-Length: {len(self.body) if length is None else length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


Behaviour = Answer | Fault
NOT_FOUND = Answer(b"not found", 404, {"Content-Type": "text/plain"})


class FaultServer:
    """Serves `routes` on 127.0.0.1 from a thread per connection, counting requests by path."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Behaviour]] = {}
        self.requests: Counter[str] = Counter()  # requests received, by path
        self.served: Counter[str] = Counter()  # by behaviour: "answer" or a Fault's value
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(0.05)  # so the accept loop notices `close`
        self._thread = threading.Thread(target=self._accept, name="faultserver", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._listener.getsockname()[1]

    def url(self, path: str) -> str:
        """Return the full URL of `path` on this server."""
        return f"http://{HOST}:{self.port}{path}"

    def route(self, path: str, *answers: Behaviour) -> None:
        """Answer requests for `path` with `answers` in turn, the last one for good."""
        self.routes[path] = list(answers)

    def close(self) -> None:
        """Stop accepting and cut every open connection (stalled ones included)."""
        self._stopping.set()
        self._thread.join()
        self._listener.close()
        with self._lock:
            for connection in self._open:
                _shut(connection)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        """Accept connections until `close`, each served on a thread of its own."""
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self._open.add(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        """Answer the requests of one connection until a fault ends it or the client leaves."""
        try:
            buffer = b""
            while True:
                path, buffer = _read_request(connection, buffer)
                if path is None or not self._answer(connection, self._next(path)):
                    return
        except OSError:
            pass  # the client hung up or `close` cut the connection
        finally:
            with self._lock:
                self._open.discard(connection)
            connection.close()

    def _next(self, path: str) -> Behaviour:
        """Count a request for `path` and return how to answer it."""
        with self._lock:
            answers = self.routes.get(path, [NOT_FOUND])
            behaviour = answers[min(self.requests[path], len(answers) - 1)]
            self.requests[path] += 1
            self.served[behaviour if isinstance(behaviour, Fault) else "answer"] += 1
        return behaviour

    def _answer(self, connection: socket.socket, behaviour: Behaviour) -> bool:
        """Answer one request as `behaviour` says; return whether the connection lives on."""
        if isinstance(behaviour, Answer):
            connection.sendall(behaviour.encode() + behaviour.body)
            return True
        if behaviour is Fault.VANISH:
            page = Answer(b"<html><body><p>" + b"A story cut short. " * 200)
            connection.sendall(page.encode(2 * len(page.body)) + page.body)
        elif behaviour is Fault.RESET:
            # Linger on with a zero timeout: close() then sends RST, not FIN.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif behaviour is Fault.STALL:
            while not self._stopping.is_set() and connection.recv(4096):
                pass  # wait, answering nothing, until the client gives up
        elif behaviour is Fault.TRICKLE:
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(TRICKLE_BYTES):
                if self._stopping.wait(TRICKLE_GAP):
                    break
                connection.sendall(b"z")
        else:
            connection.sendall(GARBAGE)
        return False


def _read_request(connection: socket.socket, buffer: bytes) -> tuple[str | None, bytes]:
    """Read one request's head; return its path (None once the client closed) and the rest."""
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_REQUEST:
            return None, b""
        chunk = connection.recv(4096)
        if not chunk:
            return None, b""
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    parts = head.split(b"\r\n", 1)[0].split()
    return (parts[1].decode("latin-1") if len(parts) == 3 else None), rest


def _shut(connection: socket.socket) -> None:
    """Cut `connection` both ways, waking a thread blocked reading it."""
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone
