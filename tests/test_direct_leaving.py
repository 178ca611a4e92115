"""The last two people leaving a direct message at once: the conversation goes with its
messages. Each used to count the members inside its own transaction, before committing its
removal: under PostgreSQL's READ COMMITTED both counted the other (not committed yet), so
neither deleted it and it stayed with nobody in it. Now each deletes it only after its
removal commits, if nobody is left: whichever commits last does."""

import threading

from sqlalchemy import event, select

from taskflow.extensions import db
from taskflow.models import ChatRoom
from taskflow.models.room import room_members

from .conftest import as_user
from .test_room_bounds import start_direct

BOTH_REMOVED_WITHIN = 3  # seconds; SQLite serializes the two removals: the first goes on


def test_the_last_two_leaving_a_direct_message_at_once_delete_it(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    dm = start_direct(alice, "bob")
    assert bob.post(f"/rooms/{dm}/messages", {"content": "bye"}).status_code == 302
    removed = {name: threading.Event() for name in ("alice", "bob")}
    leaver = threading.local()
    with app.app_context():
        engine = db.engine

    def both_removed(conn, cursor, statement, *args) -> None:
        """Each leaver, its removal done but not committed, waits for the other's: the two
        transactions overlap (where the database lets them: PostgreSQL does)."""
        name = getattr(leaver, "name", None)
        if name and statement.lstrip().startswith("DELETE FROM chat_room_members"):
            removed[name].set()
            other = "bob" if name == "alice" else "alice"
            removed[other].wait(BOTH_REMOVED_WITHIN)

    answers: dict[str, int] = {}

    def leave(name: str, client) -> None:
        leaver.name = name
        answers[name] = client.post(f"/rooms/{dm}/leave").status_code

    event.listen(engine, "after_cursor_execute", both_removed)
    try:
        threads = [
            threading.Thread(target=leave, args=(name, client))
            for name, client in (("alice", alice), ("bob", bob))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(engine, "after_cursor_execute", both_removed)
    assert answers == {"alice": 302, "bob": 302}
    with app.app_context():
        left = db.session.scalars(
            select(room_members.c.user_id).where(room_members.c.room_id == dm)
        )
        assert list(left) == [] and db.session.get(ChatRoom, dm) is None
        db.session.remove()
