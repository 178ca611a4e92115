"""A TCP proxy whose connections a test can cut or stall, to take a browser's socket down for
real."""

import socket
import threading
import time


class CuttableProxy:
    """Forwards to the first of its upstream ports that accepts, like a load balancer
    failing over from a dead web process to a live one."""

    def __init__(self, *upstream_ports: int) -> None:
        self.upstream_ports = upstream_ports
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.refuse = False  # True: the network is down, every new connection is dropped
        self.refuse_websockets = False  # True: WebSocket handshakes are dropped, HTTP passes
        self.websockets: set[socket.socket] = set()  # client sides that opened with a handshake
        self.stalled: set[socket.socket] = set()  # client sides whose traffic is swallowed
        self.delay = 0.0  # seconds what a client sends waits before it goes on (a slow network)
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            refused = self.refuse or (self.refuse_websockets and self._is_websocket(client))
            upstream = None if refused else self._connect()
            if upstream is None:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b, client), daemon=True).start()

    @property
    def url(self) -> str:
        """The proxy's address, as a browser's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def _is_websocket(client: socket.socket) -> bool:
        """Whether the connection opens with a WebSocket handshake (peeked, not consumed)."""
        client.settimeout(5)
        try:
            return b"upgrade: websocket" in client.recv(4096, socket.MSG_PEEK).lower()
        except OSError:
            return False
        finally:
            client.settimeout(None)

    def _connect(self) -> socket.socket | None:
        for port in self.upstream_ports:
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=2)
                upstream.settimeout(None)
                return upstream
            except OSError:
                continue
        return None

    def _pump(self, source: socket.socket, sink: socket.socket, client: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if source is client and client not in self.websockets:
                    if b"upgrade: websocket" in data.lower():
                        with self.lock:
                            self.websockets.add(client)
                if source is client and self.delay:
                    time.sleep(self.delay)
                if client not in self.stalled:
                    sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        """Drop every open connection, as a network failure would."""
        with self.lock:
            connections, self.connections = self.connections, []
        for s in connections:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def stall_websockets(self) -> None:
        """The open WebSockets go dead without closing: nothing more gets through either way,
        and neither end is told (a NAT or load balancer that forgot an idle connection). New
        connections pass."""
        with self.lock:
            self.stalled |= self.websockets

    def close(self) -> None:
        self.listener.close()
        self.cut()
