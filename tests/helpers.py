"""Small helpers shared by the HTTP tests: create things the way a user would."""

import re
from contextlib import contextmanager

from sqlalchemy import select, text

from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, Task


def board_of(app, room_id: int) -> int:
    """The board a chat room belongs to."""
    with app.app_context():
        return db.session.get(ChatRoom, room_id).board_id


def create_board(client, name="Launch", description="") -> int:
    response = client.post("/boards", {"name": name, "description": description})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def add_member(owner, board_id: int, username: str, invitee=None) -> None:
    """The owner invites the user, who accepts in their notification center (logged in
    with their own client when none is given, as they would in their own browser)."""
    response = owner.post(f"/boards/{board_id}/members", {"username": username})
    assert response.status_code == 302, response.get_data(as_text=True)
    if invitee is None:
        from .conftest import as_user

        invitee = as_user(owner.http.application, username)
    accept_url = invitation_form(invitee, "accept")
    assert invitee.post(accept_url).status_code == 302


def invitation_form(client, action: str) -> str:
    """The URL of the newest invitation's accept (or decline) form in the center."""
    page = client.get("/notifications").get_data(as_text=True)
    found = re.search(rf'action="(/invitations/\d+/{action})"', page)
    assert found, "no invitation in the notification center"
    return found[1]


def columns(app, board_id: int) -> list[tuple[int, str, list[str]]]:
    """The board as the database holds it: (column id, name, task titles in order)."""
    with app.app_context():
        board = db.session.get(Board, board_id)
        result = [(c.id, c.name, [t.title for t in c.tasks]) for c in board.columns]
        db.session.remove()
        return result


def create_task(client, column_id: int, title: str, **fields) -> int:
    response = client.post(f"/columns/{column_id}/tasks/new", {"title": title, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return task_id(client.http.application, title)


def task_id(app, title: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Task.id).where(Task.title == title))
        db.session.remove()
        return found


def seed_tasks(app, column_id: int, count: int, title: str = "Task") -> list[int]:
    """`count` tasks at the end of the column, in one transaction (a big board quickly)."""
    from sqlalchemy import func, insert

    with app.app_context():
        start = db.session.scalar(select(func.count()).where(Task.column_id == column_id))
        rows = [
            {"column_id": column_id, "title": f"{title} {start + i}", "position": start + i}
            for i in range(count)
        ]
        db.session.execute(insert(Task), rows)
        db.session.commit()
        ids = db.session.scalars(
            select(Task.id).where(Task.column_id == column_id).order_by(Task.position)
        ).all()
        db.session.remove()
    return list(ids[start:])


def link_to(href: str, html: str) -> tuple[str, bool]:
    """The text of the page's (first) link to `href`, and whether it is the current page."""
    found = re.search(rf'<a href="{re.escape(href)}"([^>]*)>([^<]*)', html)
    assert found, f"no link to {href}"
    return found[2].strip(), 'aria-current="page"' in found[1]


@contextmanager
def failing_insert(app, table: str, column: str, value: str):
    """While inside, the database refuses (a real trigger) to insert into `table` a row whose
    `column` is `value`: a change that writes one fails at its commit, after its other
    writes, and must leave nothing of itself."""
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.begin() as conn:
            for statement in _trigger(postgres, table, column, value):
                conn.execute(text(statement))
    try:
        yield
    finally:
        with app.app_context(), db.engine.begin() as conn:
            on = f" ON {table}" if postgres else ""
            conn.execute(text(f"DROP TRIGGER IF EXISTS fail_boom{on}"))


def _trigger(postgres: bool, table: str, column: str, value: str) -> list[str]:
    if postgres:
        return [
            "CREATE OR REPLACE FUNCTION fail_boom() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.{column} = '{value}' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END; "
            "$$ LANGUAGE plpgsql",
            f"CREATE TRIGGER fail_boom BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION fail_boom()",
        ]
    return [
        f"CREATE TRIGGER fail_boom BEFORE INSERT ON {table} "
        f"WHEN NEW.{column} = '{value}' BEGIN SELECT RAISE(ABORT, 'boom'); END"
    ]
