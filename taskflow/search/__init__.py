"""Search: one search over the messages, task comments and tasks a user may read, above
chat and boards (it reads their models; nothing imports it but the app factory)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from taskflow.search import routes

    app.register_blueprint(routes.bp)
