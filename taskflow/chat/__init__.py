"""Chat: rooms of a board, their messages, and the live room (catch-up, presence, typing)."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.chat import (
        messages,
        rooms,
        service,
        sockets,  # noqa: F401
        unread,
    )

    app.register_blueprint(rooms.bp)
    app.register_blueprint(messages.bp)
    app.jinja_env.globals["message_html"] = service.message_html
    app.jinja_env.globals["board_unread"] = unread.board_unread  # the board page's room link
