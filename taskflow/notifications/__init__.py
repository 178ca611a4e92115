"""Notifications: mentions and their autocomplete, the RQ jobs that notify, the notification
center, the unread badge on every page and the personal socket."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Its socket endpoints are declared on realtime's "ws" blueprint when imported.
    from taskflow.notifications import (
        autocomplete,
        center,
        mentions,
        sockets,  # noqa: F401
    )

    app.register_blueprint(autocomplete.bp)
    app.register_blueprint(center.bp)
    app.jinja_env.filters["mentions"] = mentions.render
    app.context_processor(center.unread_badge)
