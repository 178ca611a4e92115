"""`flask --app taskflow seed-demo`: a living team at once (a board with work in every column,
an open room with a conversation and a mention, a task with comments), made through the
app's own services; idempotent; --reset starts over; real accounts are never touched."""

import json
import re

import pytest
from sqlalchemy import func, select

from taskflow import demo
from taskflow.extensions import db
from taskflow.models import (
    Board,
    ChatMessage,
    ChatRoom,
    Notification,
    Task,
    TaskThreadComment,
    User,
    room_reads,
)
from taskflow.models.notification import CHAT_MENTION, COMMENT_MENTION
from taskflow.models.room import OPEN

from .conftest import PASSWORD, Client, as_user

NAMES = ("alice", "bob", "carol")


@pytest.fixture(autouse=True)
def record(app, tmp_path, monkeypatch):
    """Each test's own record of what the demo made (the instance folder is the developer's)."""
    path = tmp_path / "demo.json"
    monkeypatch.setitem(app.config, "DEMO_RECORD", str(path))
    return path


def seed_demo(app, *args: str):
    return app.test_cli_runner().invoke(args=["seed-demo", *args])


def passwords(output: str) -> dict[str, str]:
    """The passwords the command printed, by username."""
    found = dict(re.findall(r"^  (alice|bob|carol) +(\S+)", output, re.MULTILINE))
    assert set(found) == set(NAMES), output
    return found


def row_counts(app) -> dict[str, int]:
    """Every table's number of rows."""
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
        return counts


def password_hashes(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(select(User.username, User.password_hash)).all()
        db.session.remove()
        return dict(rows)


def logs_in(app, username: str, password: str) -> bool:
    return Client(app.test_client()).login(username, password).status_code == 302


def test_first_run_makes_a_living_team(app):
    result = seed_demo(app)
    assert result.exit_code == 0, result.output
    assert "The demo is ready" in result.output
    passwords(result.output)
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(select(User))}
        assert set(people) == set(NAMES)
        assert all(u.display_name and u.avatar_color for u in people.values())
        assert len({u.avatar_color for u in people.values()}) == 3

        (board,) = db.session.scalars(select(Board)).all()
        assert board.name == demo.BOARD_NAME and board.description
        assert board.owner_id == people["alice"].id
        assert {u.username for u in board.members} == set(NAMES)
        assert [c.name for c in board.columns] == ["To Do", "In Progress", "Done"]
        tasks = [t for column in board.columns for t in column.tasks]
        assert all(column.tasks for column in board.columns), "a column without tasks"
        assert any(t.assignee_id for t in tasks) and any(not t.assignee_id for t in tasks)
        assert any(t.due_date for t in tasks)
        assert len({t.priority for t in tasks}) >= 3
        for column in board.columns:  # positions as the app keeps them: 0..n-1
            assert [t.position for t in column.tasks] == list(range(len(column.tasks)))

        (room,) = room_reads.for_board(board)
        assert room.kind == OPEN
        assert {u.username for u in room.members} == set(NAMES)
        messages = list(db.session.scalars(select(ChatMessage).order_by(ChatMessage.id)))
        assert len(messages) >= 5 and {m.room_id for m in messages} == {room.id}
        assert {m.author.username for m in messages} == set(NAMES)
        # numbered changes, as posted (alice's reaction renumbers bob's answer, as an edit)
        assert len({m.seq for m in messages}) == len(messages)
        assert max(m.seq for m in messages) == room.seq == len(messages) + 1
        assert any(m.reactions for m in messages)
        (mention,) = [m for m in messages if m.mentioned_users]
        assert "@bob" in mention.content
        assert [u.username for u in mention.mentioned_users] == ["bob"]
        assert mention.notified_at is not None

        # bob's notification exists once the command ends: no worker needed
        note = db.session.scalar(
            select(Notification).where(
                Notification.recipient_id == people["bob"].id, Notification.type == CHAT_MENTION
            )
        )
        assert note is not None and note.chat_message_id == mention.id and not note.is_read

        comments = list(db.session.scalars(select(TaskThreadComment)))
        assert len(comments) >= 3 and len({c.task_id for c in comments}) == 1
        assert len({c.author_id for c in comments}) >= 2
        mentioning = [c for c in comments if c.mentioned_users]
        assert mentioning and all(c.notified_at for c in comments)
        recipient = mentioning[0].mentioned_users[0]
        assert db.session.scalar(
            select(Notification).where(
                Notification.recipient_id == recipient.id,
                Notification.type == COMMENT_MENTION,
                Notification.task_thread_comment_id == mentioning[0].id,
            )
        )
        db.session.remove()


def test_bob_logs_in_and_sees_his_mention_and_the_room(app):
    result = seed_demo(app)
    bob = as_user(app, "bob", passwords(result.output)["bob"])
    with app.app_context():
        room_id = db.session.scalar(select(ChatRoom.id))
        board_id = db.session.scalar(select(Board.id))
        mention_id = db.session.scalar(
            select(Notification.id).where(Notification.type == CHAT_MENTION)
        )
        unread = Notification.unread_count(User.by_username("bob").id)
        db.session.remove()

    center = bob.get("/notifications").get_data(as_text=True)
    assert "Alice Martin mentioned you in #general" in center
    # the mention, the comment's mention and the task alice assigned him
    assert unread == 3
    assert re.search(r"\b3\b", bob.get("/notifications/badge").get_data(as_text=True))

    # "View" on the notification leads to the room, where the conversation is
    viewed = bob.post(f"/notifications/{mention_id}/view")
    assert viewed.status_code == 302 and f"/rooms/{room_id}" in viewed.headers["Location"]
    page = bob.get(viewed.headers["Location"]).get_data(as_text=True)
    assert "could you look at the password reset email" in page
    assert "On it." in page and "Carol Diaz" in page

    board = bob.get(f"/boards/{board_id}").get_data(as_text=True)
    assert "Fix the password reset email" in board and "Register the domain" in board


def test_second_run_changes_nothing_and_says_so(app):
    first = seed_demo(app)
    assert first.exit_code == 0, first.output
    counts, hashes = row_counts(app), password_hashes(app)
    second = seed_demo(app)
    assert second.exit_code == 0, second.output
    assert "already here" in second.output and "--reset" in second.output
    # Issue 22: how to see passwords again, as a command to copy.
    assert "cannot be shown again" in second.output
    assert "flask --app taskflow seed-demo --reset" in second.output
    assert not re.search(r"^  (alice|bob|carol) ", second.output, re.MULTILINE)
    assert row_counts(app) == counts
    assert password_hashes(app) == hashes
    assert logs_in(app, "bob", passwords(first.output)["bob"])


def test_reset_starts_over_with_new_passwords(app):
    first = seed_demo(app)
    old = passwords(first.output)
    counts = row_counts(app)
    with app.app_context():
        old_board = db.session.scalar(select(Board.id))
        ids = dict(db.session.execute(select(User.username, User.id)).all())
        db.session.remove()
    bob = as_user(app, "bob", old["bob"])  # a session that the reset must end

    result = seed_demo(app, "--reset")
    assert result.exit_code == 0, result.output
    new = passwords(result.output)
    assert all(new[name] != old[name] for name in NAMES)
    # everything once, as after the first run: nothing doubled, nothing left over
    assert row_counts(app) == {**counts, "user_sessions": 0}
    with app.app_context():
        assert db.session.get(Board, old_board) is None
        assert db.session.scalars(select(Board.name)).all() == [demo.BOARD_NAME]
        assert dict(db.session.execute(select(User.username, User.id)).all()) == ids
        db.session.remove()
    assert not logs_in(app, "alice", old["alice"])
    assert logs_in(app, "alice", new["alice"])
    assert bob.get("/boards").status_code == 302  # logged out

    again = seed_demo(app)
    assert again.exit_code == 0 and "already here" in again.output


def test_reset_keeps_what_the_demo_did_not_make(app, make_user):
    result = seed_demo(app)
    assert result.exit_code == 0, result.output
    dave = make_user("dave")
    with app.app_context():
        alice, bob = User.by_username("alice"), User.by_username("bob")
        own = Board.create("Alice's own board", "", alice)  # made while trying the demo
        real = Board.create("Dave's board", "", db.session.get(User, dave.id))
        real.add_member(alice)
        among = ChatRoom.direct([bob], alice)  # nobody else's conversation: goes
        with_dave = ChatRoom.direct([db.session.get(User, dave.id)], alice)  # dave's: stays
        db.session.add_all([among, with_dave])
        db.session.commit()
        own_id, real_id, among_id, dave_room = own.id, real.id, among.id, with_dave.id
        db.session.remove()

    reset = seed_demo(app, "--reset")
    assert reset.exit_code == 0, reset.output
    assert "1 board(s) the demo people made themselves" in reset.output
    with app.app_context():
        assert db.session.get(Board, own_id) is not None
        real = db.session.get(Board, real_id)
        assert real is not None and real.is_member(User.by_username("alice"))
        assert db.session.get(ChatRoom, among_id) is None
        assert db.session.get(ChatRoom, dave_room) is not None
        names = db.session.scalars(select(Board.name).order_by(Board.name)).all()
        assert names == ["Alice's own board", "Dave's board", demo.BOARD_NAME]
        db.session.remove()
    assert logs_in(app, "dave", PASSWORD)


@pytest.mark.parametrize("args", [(), ("--reset",)])
def test_a_real_alice_is_never_touched(app, make_user, args):
    make_user("alice")
    before = row_counts(app)
    hashes = password_hashes(app)
    result = seed_demo(app, *args)
    assert result.exit_code == 1
    assert "alice is already taken by an account the demo did not make" in result.output
    assert row_counts(app) == before and password_hashes(app) == hashes
    assert logs_in(app, "alice", PASSWORD)


def test_a_record_that_does_not_match_the_row_proves_nothing(app, make_user, record):
    """The same id in a database made afresh is another account: the creation time says so."""
    alice = make_user("ALICE")  # the same name as the demo's, spelled otherwise
    stamp = {"id": alice.id, "created_at": "2001-01-01T00:00:00"}
    with app.app_context():
        key = db.engine.url.render_as_string(hide_password=True)
    record.write_text(json.dumps({key: {"users": {"alice": stamp}, "boards": []}}))
    result = seed_demo(app, "--reset")
    assert result.exit_code == 1 and "did not make" in result.output
    assert logs_in(app, "ALICE", PASSWORD)


def test_a_demo_partly_gone_is_mended_by_reset(app):
    first = seed_demo(app)
    alice = as_user(app, "alice", passwords(first.output)["alice"])
    with app.app_context():
        board_id = db.session.scalar(select(Board.id))
        db.session.remove()
    assert alice.post(f"/boards/{board_id}/archive").status_code == 302  # as in the app
    assert alice.post(f"/boards/{board_id}/delete").status_code == 302

    result = seed_demo(app)
    assert result.exit_code == 1
    assert "only partly here" in result.output and "--reset" in result.output
    mended = seed_demo(app, "--reset")
    assert mended.exit_code == 0, mended.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Task.id))) == len(demo.TASKS)
        db.session.remove()
