"""Serving the sandbox: a threading WSGI server on loopback, in a background daemon thread."""

import ipaddress
import socket
import socketserver
import sys
import threading
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from sandbox.app import DropConnection, SandboxApp
from sandbox.state import SandboxState

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class _Handler(ServerHandler):
    def handle_error(self) -> None:
        # A `drop` fault: write nothing, so the client sees the connection close unanswered.
        if isinstance(sys.exc_info()[1], DropConnection):
            return
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the sandbox's own request log instead."""

    def handle(self) -> None:
        # WSGIRequestHandler.handle, with a ServerHandler that knows how to drop a connection.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _Handler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Requests asleep in a `timeout` fault must not hold up server_close().
    block_on_close = False
    allow_reuse_address = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's fully qualified name, which can stall on
        # machines without DNS; loopback needs no lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a test's short timeout) is expected; anything else is shown.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return bool(infos) and all(_loopback_address(info[4][0]) for info in infos)


def _loopback_address(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


class SandboxServer:
    """The sandbox on loopback: `SandboxServer().start()`, then `.url`, `.state`, `.stop()`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        time_zone: str = "Europe/London",
        seed: str = "demo",
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"The sandbox only serves on loopback, not on {host!r}.")
        self.host = host
        self.port = port
        self.state = SandboxState(time_zone=time_zone, seed=seed)
        self.url = ""
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "SandboxServer":
        server_class = _ThreadingServer6 if ":" in self.host else _ThreadingServer
        self.state.stopping.clear()
        server = server_class((self.host, self.port), _RequestHandler)
        server.set_app(SandboxApp(self.state))
        self._server = server
        port = server.server_address[1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        # Wake the requests asleep in a fault first: they give up instead of answering late.
        self.state.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
