"""Transport only: the Redis broadcaster, one socket connection (queue, writer, pings),
fragment rendering, the handshake checks and the names of topics and scopes. It imports no
area; each area declares its socket endpoints on the blueprint of realtime/sockets.py."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sockets' blueprint: after the areas, which declare endpoints on it."""
    from taskflow.realtime import after_commit, sockets

    after_commit.init_app()
    app.register_blueprint(sockets.bp)
