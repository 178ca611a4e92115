"""Notifications: mentions and their autocomplete, the RQ jobs that notify, the notification
center, the unread badge on every page and the base of every page's socket (PageSocket)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from taskflow.notifications import autocomplete, center, mentions

    app.register_blueprint(autocomplete.bp)
    app.register_blueprint(center.bp)
    app.jinja_env.filters["mentions"] = mentions.render
    app.context_processor(center.unread_badge)
