"""Chat: rooms of a board (open or private), direct messages, their messages, and the live
room (catch-up, presence, typing)."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.chat import (
        direct,
        membership,
        messages,
        rooms,
        service,
        sockets,  # noqa: F401
    )

    app.register_blueprint(rooms.bp)
    app.register_blueprint(messages.bp)
    app.register_blueprint(membership.bp)
    app.register_blueprint(direct.bp)
    app.jinja_env.globals["message_html"] = service.message_html
