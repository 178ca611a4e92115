"""Rendering the fragments that sockets carry.

A fragment published to a topic is rendered once and sent to every viewer, so it must not
depend on who is looking: it is rendered without Flask's per-request context processors
(current user, unread count, ...), which would also cost a query each time."""

from collections import OrderedDict

from flask import current_app
from markupsafe import Markup

CACHE_SIZE = 20_000


def render(template: str, **context) -> str:
    return current_app.jinja_env.get_template(template).render(context)


def render_once(template: str, key: tuple, **context) -> Markup:
    """A fragment whose HTML depends only on `key` (e.g. a message's id and when it was last
    edited), rendered once per web process and then reused: a room page of 50 messages
    concatenates them instead of rendering 50 templates. Least recently used entries go."""
    cache: OrderedDict = current_app.extensions.setdefault("fragments", OrderedDict())
    html = cache.get((template, key))
    if html is None:
        html = cache[(template, key)] = Markup(render(template, **context))
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end((template, key))
    return html
