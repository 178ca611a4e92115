"""Chat: rooms of a board (open or private), direct messages, their messages, and the live
room (catch-up, presence, typing)."""

from flask import Flask

from taskflow.models import reaction


def init_app(app: Flask) -> None:
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.chat import (
        direct,
        membership,
        message_reactions,
        messages,
        render,
        rooms,
        sockets,  # noqa: F401
        unread,
    )

    app.register_blueprint(rooms.bp)
    app.register_blueprint(messages.bp)
    app.register_blueprint(message_reactions.bp)
    app.register_blueprint(membership.bp)
    app.register_blueprint(direct.bp)
    app.jinja_env.globals["message_html"] = render.message_html
    app.jinja_env.globals["message_body"] = render.message_body
    # Reaction bars of messages and comments (templates/_reaction_bar.html).
    app.jinja_env.globals["reaction_tallies"] = reaction.tallies
    app.jinja_env.globals["reaction_choices"] = reaction.choices
    app.jinja_env.globals["board_unread"] = unread.board_unread  # the board page's room link
    app.jinja_env.globals["new_divider"] = unread.NEW_DIVIDER  # room.js's copy (show.html)
    app.jinja_env.globals["directs_unread"] = unread.directs_unread  # the navigation's
