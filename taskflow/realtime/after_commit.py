"""Broadcasts follow commits, as one mechanism for every area.

A change declares what it changed while it is being made (`broadcast`). Just before its
transaction commits, each declared fragment is rendered, inside that transaction, so it shows
exactly what is being committed; just after the commit they are published. After a rollback
nothing is published. The same key declared twice in one transaction is published once (two
changes to a board: one kanban)."""

from collections.abc import Callable

from flask import current_app
from sqlalchemy import event

from taskflow.extensions import db

_DECLARED, _RENDERED = "taskflow.broadcasts", "taskflow.broadcasts.rendered"


def broadcast(
    topic: str,
    render: Callable[[], str | None],
    kind: str = "html",
    seq: int = 0,
    scope: str = "",
    key=None,
) -> None:
    """Publish `render()` to `topic` once the current transaction commits (see
    Broadcaster.publish for kind, seq and scope): one rendering for every reader. A render
    that returns None publishes nothing."""
    declared = db.session.info.setdefault(_DECLARED, {})
    declared.setdefault(key if key is not None else object(), (topic, render, kind, seq, scope))


def declared(key):
    """The render declared under `key` in this transaction (None: none yet), to add to what
    it will render: state kept there is forgotten with it on a rollback."""
    found = db.session.info.get(_DECLARED, {}).get(key)
    return found[1] if found is not None else None


def init_app() -> None:
    """Listen on the extension's session, once per process (`db` is shared by every app)."""
    for name, listener in (
        ("before_commit", _render),
        ("after_commit", _publish),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _render(session) -> None:
    declared = session.info.pop(_DECLARED, {})
    if declared:
        session.flush()  # what is being committed has its ids and defaults when rendered
    rendered = session.info.setdefault(_RENDERED, [])
    for topic, render, *rest in declared.values():
        html = render()
        if html is not None:  # None: nothing to say (no chip left to send); "" may be an event
            rendered.append((topic, html, *rest))


def _publish(session) -> None:
    rendered = session.info.pop(_RENDERED, [])
    if rendered:
        # One round trip for all of them (a message is two: its room's and its activity).
        current_app.extensions["broadcaster"].publish_all(rendered)


def _forget(session, _previous_transaction) -> None:
    session.info.pop(_DECLARED, None)
    session.info.pop(_RENDERED, None)
