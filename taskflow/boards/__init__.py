"""Boards: boards and their members and invitations, columns, tasks, task comment threads,
and the live board and task pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.boards import (
        boards,
        columns,
        comment_reactions,
        comments,
        invitations,
        members,
        sockets,  # noqa: F401
        tasks,
    )

    for module in (boards, members, invitations, columns, tasks, comments, comment_reactions):
        app.register_blueprint(module.bp)
