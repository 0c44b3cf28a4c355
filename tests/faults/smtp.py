"""A small SMTP server for the fault tests: it receives, refuses or hangs, on command.

It runs in the test process on a port of its own; the worker (another
process) sends to it with Django's real SMTP backend, so what the tests count
is what went over the wire.
"""

from __future__ import annotations

import email
import select
import socket
import socketserver
import threading
import time
from collections import deque
from email.message import Message


class SmtpServer:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        # Replies to MAIL FROM, one per message tried: 451 (try later), 550 (never).
        self.refusals: deque[int] = deque()
        # While set, the server hangs at DATA (the client is mid-send).
        self.hang = threading.Event()
        self.hanging = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 faults.test ESMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode("ascii", "replace").strip().upper()
                    if command.startswith("EHLO"):
                        self.wfile.write(b"250-faults.test\r\n250 8BITMIME\r\n")
                    elif command.startswith(("HELO", "RSET", "NOOP")):
                        self.reply("250 OK")
                    elif command.startswith("MAIL FROM"):
                        code = server.next_refusal()
                        self.reply(f"{code} 4.3.0 Try again later" if code else "250 OK")
                    elif command.startswith("RCPT TO"):
                        self.reply("250 OK")
                    elif command == "DATA":
                        if server.hang.is_set() and not self.wait_while_hanging():
                            return
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        server.receive(b"".join(data))
                        self.reply("250 OK queued")
                    elif command == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Not implemented")

            def wait_while_hanging(self) -> bool:
                """Hang until released; False if the client went away meanwhile."""
                server.hanging.set()
                while server.hang.is_set():
                    readable, _, _ = select.select([self.connection], [], [], 0.05)
                    if readable and not self.connection.recv(1, socket.MSG_PEEK):  # closed?
                        return False
                return True

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> SmtpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_refusal(self) -> int | None:
        with self._lock:
            return self.refusals.popleft() if self.refusals else None

    def receive(self, raw: bytes) -> None:
        with self._lock:
            self.messages.append(email.message_from_bytes(raw))

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.refusals.clear()
        self.hang.clear()
        self.hanging.clear()

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(str(message["To"]) for message in self.messages)

    def wait_for(self, count: int, timeout: float = 20) -> int:
        """Wait until ``count`` messages have arrived (or the time is up); returns how many did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return len(self.messages)
