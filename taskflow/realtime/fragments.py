"""Rendering the fragments that sockets carry.

The contract of a shared partial: a fragment published to a topic is rendered once and sent
to every viewer, so it must not depend on who is looking. It is rendered here, without
Flask's per-request context processors (current user, unread count, ...), and templates see
`shared` true: per-viewer content is left out (`csrf_field()` writes no token; htmx sends each
viewer's own as a header) and per-viewer differences are CSS (viewer.css). A second flag,
`oob`, says only where the fragment goes (it carries hx-swap-oob). The same partials,
rendered for one request with render_template, are not shared and carry their token."""

from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

CACHE_SIZE = 20_000


def render(template: str, **context) -> str:
    """A shared fragment (see above)."""
    return current_app.jinja_env.get_template(template).render(shared=True, **context)


def cached(template: str, key: tuple) -> Markup | None:
    """render_once's HTML for `key`, if this process has it (None: render it)."""
    cache: OrderedDict = current_app.extensions.setdefault("fragments", OrderedDict())
    html = cache.get((template, key))
    if html is not None:
        cache.move_to_end((template, key))
    return html


def render_once(template: str, key: tuple, **context) -> Markup:
    """A fragment whose HTML depends only on `key` (e.g. a message's id and when it was last
    edited), rendered once per web process and then reused: a room page of 50 messages
    concatenates them instead of rendering 50 templates. Least recently used entries go."""
    html = cached(template, key)
    if html is None:
        cache: OrderedDict = current_app.extensions["fragments"]
        html = cache[(template, key)] = Markup(render(template, **context))
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return html


LATEST_SIZE = 500  # named fragments kept (e.g. rooms' latest messages, ~20 KB each)


def render_latest(
    template: str, name: tuple, version: tuple, context: Callable[[], dict]
) -> Markup:
    """The fragment called `name` (e.g. a room's latest page of messages) as of `version`
    (e.g. the room's change number), rendered once per process and version: one entry per
    name, replaced when the version moves on, so nothing stale is ever served and nothing
    needs invalidating. `context` is called only to render. Least recently used names go."""
    cache: OrderedDict = current_app.extensions.setdefault("latest_fragments", OrderedDict())
    entry = cache.get((template, name))
    if entry is not None and entry[0] == version:
        cache.move_to_end((template, name))
        return entry[1]
    html = Markup(render(template, **context()))
    cache[(template, name)] = (version, html)
    cache.move_to_end((template, name))
    if len(cache) > LATEST_SIZE:
        cache.popitem(last=False)
    return html
