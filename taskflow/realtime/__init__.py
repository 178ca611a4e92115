"""Transport only: the Redis broadcaster, one socket connection (reads, queue, sends, pings),
fragment rendering, the handshake checks and the names of topics and scopes. It imports no
area; each area declares its socket endpoints on the blueprint of realtime/sockets.py."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sockets' blueprint: after the areas, which declare endpoints on it."""
    from taskflow.realtime import after_commit, sockets

    after_commit.init_app()
    # Each socket's own greenlet reads its frames: simple_websocket starts no reader.
    options = dict(app.config.get("SOCK_SERVER_OPTIONS") or {})
    options.setdefault("thread_class", NoReaderThread)
    app.config["SOCK_SERVER_OPTIONS"] = options
    app.register_blueprint(sockets.bp)


class NoReaderThread:
    """simple_websocket's `thread_class` (SOCK_SERVER_OPTIONS): it would start a reader
    greenlet per socket; ours reads in the socket's own greenlet instead
    (connection._receive), so this thread is never started."""

    __slots__ = ("name",)

    def __init__(self, target=None, **kwargs) -> None:
        self.name = "unused"

    def start(self) -> None:
        pass
