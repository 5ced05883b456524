"""A fault-injecting proxy in front of a Redis unix socket (threads, no sleeps).

It forwards bytes both ways and, when told to, injects one of two faults:

* ``refuse(n)``: the next ``n`` connections are accepted and closed at once, before
  the client's login: a failure that happens before any command is sent;
* ``cut_after(marker, n)``: the next ``n`` requests containing ``marker`` are
  forwarded, their reply is read from Redis and dropped, and the client's
  connection is closed: the command was applied, but the client never hears so;
* ``drop(marker, n)``: the next ``n`` requests containing ``marker`` are not
  forwarded and the client's connection is closed: the command never ran;
* ``answer(marker, reply, n)``: the next ``n`` requests containing ``marker`` are not
  forwarded; the client gets ``reply`` (raw RESP bytes) instead, e.g. the LOADING
  error of a server that is still reading its data after a restart.
"""

from __future__ import annotations

import selectors
import socket
import threading
from pathlib import Path


class FaultProxy:
    def __init__(self, upstream: Path | str, path: Path | str):
        self.upstream = str(upstream)
        self.path = str(path)
        self._lock = threading.Lock()
        self._refuse = 0
        self._cut: tuple[bytes, int] = (b"", 0)
        self._answer: tuple[bytes, bytes, int] = (b"", b"", 0)
        self._drop: tuple[bytes, int] = (b"", 0)
        self.dropped = 0
        self.refused = 0
        self.cut = 0
        self.answered = 0
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(64)
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    @property
    def url_path(self) -> str:
        return self.path

    def refuse(self, n: int) -> None:
        with self._lock:
            self._refuse = n

    def cut_after(self, marker: bytes, n: int = 1) -> None:
        with self._lock:
            self._cut = (marker, n)

    def drop(self, marker: bytes, n: int = 1) -> None:
        with self._lock:
            self._drop = (marker, n)

    def _should_drop(self, data: bytes) -> bool:
        with self._lock:
            marker, left = self._drop
            if left > 0 and marker in data:
                self._drop = (marker, left - 1)
                self.dropped += 1
                return True
        return False

    def answer(self, marker: bytes, reply: bytes, n: int = 1) -> None:
        with self._lock:
            self._answer = (marker, reply, n)

    def _fake_reply(self, data: bytes) -> bytes | None:
        with self._lock:
            marker, reply, left = self._answer
            if left > 0 and marker in data:
                self._answer = (marker, reply, left - 1)
                self.answered += 1
                return reply
        return None

    def close(self) -> None:
        self._closed = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._accepter.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refuse = self._refuse > 0
                if refuse:
                    self._refuse -= 1
                    self.refused += 1
            if refuse:
                client.close()
                continue
            thread = threading.Thread(target=self._pipe, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _should_cut(self, data: bytes) -> bool:
        with self._lock:
            marker, left = self._cut
            if left > 0 and marker and marker in data:
                self._cut = (marker, left - 1)
                self.cut += 1
                return True
        return False

    def _pipe(self, client: socket.socket) -> None:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.connect(self.upstream)
        except OSError:
            client.close()
            return
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        try:
            while not self._closed:
                for key, _ in selector.select(timeout=0.5):
                    source, target = key.fileobj, key.data
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is client and self._should_drop(data):
                        return
                    if source is client and self._should_cut(data):
                        server.sendall(data)
                        server.recv(65536)  # Redis has answered: the command ran
                        return
                    fake = self._fake_reply(data) if source is client else None
                    if fake is not None:
                        client.sendall(fake)
                        continue
                    target.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            client.close()
            server.close()
