"""Rendering the fragments that sockets carry.

A fragment published to a topic is rendered once and sent to every viewer, so it must not
depend on who is looking: it is rendered without Flask's per-request context processors
(current user, unread count, ...), which would also cost a query each time."""

from flask import current_app


def render(template: str, **context) -> str:
    return current_app.jinja_env.get_template(template).render(context)
