"""Mention notifications through real RQ workers on a real Redis, and the center."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from taskflow import create_app
from taskflow.extensions import db
from taskflow.models import ChatMessage, ChatRoom, Notification, Task, User
from taskflow.notifications import jobs
from taskflow.notifications import service as notifications

from .conftest import as_user, run_jobs, wait_until


def notes(app, username: str) -> list[tuple[str, bool]]:
    with app.app_context():
        user = User.by_username(username)
        rows = Notification.query.filter_by(recipient_id=user.id).order_by(Notification.id)
        result = [(n.text, n.is_read) for n in rows]
        db.session.remove()
        return result


def queued(app) -> int:
    return app.task_queue.count


def test_a_mention_notifies_room_members_only_and_once(app, chat_room):
    alice = as_user(app, "alice")
    response = alice.post(
        f"/rooms/{chat_room}/messages", {"content": "@Bob look, @carol too, @alice, @nobody"}
    )
    assert response.status_code == 302
    page = alice.get(response.location).get_data(as_text=True)
    assert "@carol is not in this room and was not notified." in page
    with app.app_context():
        message = ChatMessage.query.one()
        assert sorted(u.username for u in message.mentioned_users) == ["alice", "bob"]
        assert message.notified_at is None
    assert notes(app, "bob") == []  # nothing until the worker runs
    assert queued(app) == 1
    run_jobs(app)
    assert notes(app, "bob") == [("alice mentioned you in #general", False)]
    assert notes(app, "carol") == notes(app, "alice") == []  # not in the room; oneself

    with app.app_context():  # the same job again (a retry, a sweep): nothing doubles
        notifications.enqueue(jobs.notify_chat_message, message.id)
    run_jobs(app)
    with app.app_context():
        notifications.sweep()
        assert notifications.sweep() == 0
    assert len(notes(app, "bob")) == 1
    page = as_user(app, "bob").get(f"/rooms/{chat_room}").get_data(as_text=True)
    assert re.search(r'<span class="mention" data-user-id="\d+">@Bob</span>', page)


def test_jobs_are_queued_by_reference_to_the_job_that_runs_them_in_a_request_context(
    app, chat_room
):
    """RQ names a function by its module and qualified name: a job made with functools.wraps
    would be queued as the bare work (notifications.for_chat_message), which renders with
    url_for outside the request context the job wrapper provides."""
    as_user(app, "alice").post(f"/rooms/{chat_room}/messages", {"content": "@bob"})
    with app.app_context():
        queued_job = app.task_queue.jobs[0]
        assert queued_job.func_name == "taskflow.notifications.jobs.notify_chat_message"
        assert queued_job.func is jobs.notify_chat_message
        message_id = ChatMessage.query.one().id
        assert notifications.enqueue(jobs.notify_chat_message, message_id)  # by reference
        assert [j.func_name for j in app.task_queue.jobs] == [queued_job.func_name] * 2
    run_jobs(app)
    assert notes(app, "bob") == [("alice mentioned you in #general", False)]


def test_the_database_refuses_a_second_notification(app, chat_room):
    as_user(app, "alice").post(f"/rooms/{chat_room}/messages", {"content": "@bob"})
    run_jobs(app)
    with app.app_context():
        existing = Notification.query.one()
        db.session.add(
            Notification(
                recipient_id=existing.recipient_id,
                text="again",
                type=existing.type,
                dedupe_key=existing.dedupe_key,
            )
        )
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.commit()
        db.session.rollback()


def test_a_failing_job_is_retried_until_it_succeeds(app, chat_room):
    as_user(app, "alice").post(f"/rooms/{chat_room}/messages", {"content": "@bob retry me"})
    with app.app_context():  # a real fault: the table is gone while the job first runs
        db.session.execute(text("ALTER TABLE notifications RENAME TO notifications_away"))
        db.session.commit()
    try:
        run_jobs(app)
        assert len(app.task_queue.scheduled_job_registry) == 1  # retry scheduled, backing off
    finally:
        with app.app_context():
            db.session.execute(text("ALTER TABLE notifications_away RENAME TO notifications"))
            db.session.commit()
    assert notes(app, "bob") == []

    def retried() -> bool:  # the retry is scheduled about a second out
        run_jobs(app)
        return bool(notes(app, "bob"))

    wait_until(retried, timeout=10, interval=0.5, message="the job was not retried")
    assert notes(app, "bob") == [("alice mentioned you in #general", False)]


def test_jobs_wait_for_a_stopped_worker(app, chat_room):
    alice = as_user(app, "alice")
    for i in range(3):
        alice.post(f"/rooms/{chat_room}/messages", {"content": f"@bob number {i}"})
    assert queued(app) == 3 and notes(app, "bob") == []
    run_jobs(app)  # the worker starts again
    assert len(notes(app, "bob")) == 3 and queued(app) == 0


def test_with_redis_refusing_the_enqueue_the_sweep_notifies_later(app, chat_room, database_url):
    cut_off = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "SECRET_KEY": app.secret_key,
        }
    )
    alice = as_user(cut_off, "alice")
    response = alice.post(f"/rooms/{chat_room}/messages", {"content": "@bob while Redis is down"})
    assert response.status_code == 302  # saved; the user is not bothered
    with app.app_context():
        assert ChatMessage.query.one().notified_at is None
    assert queued(app) == 0 and notes(app, "bob") == []
    with app.app_context():  # Redis is back: the worker's sweep finds the message
        assert notifications.sweep(older_than=timedelta(0)) == 1
        assert notifications.sweep(older_than=timedelta(0)) == 0
    assert notes(app, "bob") == [("alice mentioned you in #general", False)]


def test_edit_notifies_the_newly_mentioned_and_delete_removes_unread(app, chat_room):
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        room.members.append(User.by_username("carol"))
        db.session.commit()
    alice = as_user(app, "alice")
    alice.post(f"/rooms/{chat_room}/messages", {"content": "@bob first"})
    run_jobs(app)
    with app.app_context():
        message_id = ChatMessage.query.one().id
    response = alice.post(f"/messages/{message_id}/edit", {"content": "@bob and @carol"})
    assert response.status_code == 302
    run_jobs(app)
    assert len(notes(app, "bob")) == 1 and len(notes(app, "carol")) == 1
    assert (
        as_user(app, "bob").post(f"/messages/{message_id}/edit", {"content": "x"}).status_code
        == 403
    )
    as_user(app, "bob").post("/notifications/read-all")
    assert alice.post(f"/messages/{message_id}/delete").status_code == 302
    assert notes(app, "carol") == []  # unread: removed with the message
    assert len(notes(app, "bob")) == 1  # already read: kept
    assert ">@bob and @carol<" not in alice.get(f"/rooms/{chat_room}").get_data(True)


def test_comment_mentions_and_assignment_notify(app, board_with_task):
    _, task_id, _ = board_with_task
    alice = as_user(app, "alice")
    alice.post(f"/tasks/{task_id}/comments", {"content": "@bob please, and @carol"})
    with app.app_context():
        bob_id = User.by_username("bob").id
    alice.post(
        f"/tasks/{task_id}/edit", {"title": "Ship it", "priority": "high", "assignee_id": bob_id}
    )
    run_jobs(app)
    assert sorted(n[0] for n in notes(app, "bob")) == [
        "alice assigned you “Ship it”",
        "alice mentioned you on “Ship it”",
    ]
    assert notes(app, "carol") == []  # not on the board


def test_notification_center(app, chat_room):
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    for i in range(2):
        alice.post(f"/rooms/{chat_room}/messages", {"content": f"@bob ping {i}"})
    run_jobs(app)
    page = bob.get("/notifications").get_data(as_text=True)
    assert page.count('class="notification unread"') == 2 and "in #general" in page
    assert "<title>(2) Notifications · TaskFlow</title>" in page
    assert 'data-count="2"' in bob.get("/notifications/badge").get_data(as_text=True)
    with app.app_context():
        first, second = (n.id for n in Notification.query.order_by(Notification.id))
        message_id = ChatMessage.query.order_by(ChatMessage.id).first().id
    assert alice.post(f"/notifications/{first}/view").status_code == 404  # not hers
    response = bob.post(f"/notifications/{first}/view")
    assert response.status_code == 302
    assert response.location == f"/rooms/{chat_room}#message-{message_id}"
    unread = bob.get("/notifications?unread=1").get_data(as_text=True)
    assert len(re.findall(r'class="notification( unread)?"', unread)) == 1
    assert bob.post(f"/notifications/{second}/delete").status_code == 302
    assert notes(app, "bob") == [("alice mentioned you in #general", True)]
    assert 'data-count="0"' in bob.get("/notifications/badge").get_data(as_text=True)


def test_autocomplete_lists_only_people_who_can_be_mentioned_there(app, chat_room, make_user):
    make_user("bobby_outsider")  # on no board: must never be listed
    alice = as_user(app, "alice")
    room = alice.get(f"/rooms/{chat_room}/mentions?content=hi @bo&caret=6").get_data(True)
    assert re.findall(r'data-username="([^"]+)"', room) == ["bob"]
    with app.app_context():
        board = db.session.get(ChatRoom, chat_room).board
        task = Task(column=board.columns[0], title="T", position=0)
        db.session.add(task)
        db.session.commit()
        task_id = task.id
    task = alice.get(f"/tasks/{task_id}/mentions?content=@&caret=1").get_data(True)
    assert re.findall(r'data-username="([^"]+)"', task) == ["alice", "bob", "carol"]
    none = alice.get(f"/rooms/{chat_room}/mentions?content=no mention&caret=10").get_data(True)
    assert "option" not in none
    carol = as_user(app, "carol")
    assert carol.get(f"/rooms/{chat_room}/mentions?content=@b").status_code == 404


def test_autocomplete_shows_at_most_eight(app, chat_room, make_user):
    with app.app_context():
        room = db.session.get(ChatRoom, chat_room)
        for i in range(10):
            user = User(f"bee{i}", "x" * 8)
            room.board.add_member(user)
            room.members.append(user)
        db.session.commit()
    page = as_user(app, "alice").get(f"/rooms/{chat_room}/mentions?content=@bee").get_data(True)
    assert page.count('role="option"') == 8


def test_assigning_oneself_notifies_no_one(app, board_with_task):
    _, task_id, _ = board_with_task
    alice = as_user(app, "alice")
    with app.app_context():
        alice_id = User.by_username("alice").id
        assert db.session.get(Task, task_id) is not None
    alice.post(
        f"/tasks/{task_id}/edit", {"title": "Ship it", "priority": "low", "assignee_id": alice_id}
    )
    assert queued(app) == 0


def center_excerpts(app, username: str) -> list[str]:
    """The excerpts (or what stands for them) of the user's center, newest first."""
    page = as_user(app, username).get("/notifications").get_data(as_text=True)
    found = re.findall(r'<p class="notification-excerpt( gone)?">(.*?)</p>', page, re.S)
    return [text for _, text in found]


def test_an_edit_requotes_and_a_deletion_unquotes_the_message(app, chat_room):
    """The excerpt is stored with the notification (issue 20), yet it quotes the message as
    it is: an edit rewrites it, and a deleted message's text is kept nowhere."""
    alice = as_user(app, "alice")
    for word in ("first", "second"):
        alice.post(f"/rooms/{chat_room}/messages", {"content": f"@bob the {word} plan"})
    run_jobs(app)
    with app.app_context():
        first, second = (m.id for m in ChatMessage.query.order_by(ChatMessage.id))
    alice.post(f"/messages/{first}/edit", {"content": "@bob the *better* plan"})
    as_user(app, "bob").post("/notifications/read-all")  # read: kept when deleted
    alice.post(f"/messages/{second}/delete")
    assert center_excerpts(app, "bob") == ["The message was deleted.", "@bob the better plan"]
    with app.app_context():
        stored = db.session.execute(
            text("SELECT chat_message_id, excerpt FROM notifications ORDER BY id")
        ).all()
        db.session.remove()
    assert [tuple(row) for row in stored] == [(first, "@bob the better plan"), (second, "")]


def test_an_edited_comment_or_description_is_quoted_as_it_is(app, board_with_task):
    """As the center did when it parsed them on every load; the task's title, a name its
    notifications keep, does not change with them."""
    from taskflow.models import TaskThreadComment

    _, task_id, _ = board_with_task
    alice = as_user(app, "alice")
    alice.post(f"/tasks/{task_id}/comments", {"content": "@bob please review"})
    edit = {"title": "Ship it", "priority": "high", "assignee_id": bob_id(app)}
    alice.post(f"/tasks/{task_id}/edit", {**edit, "description": "Before Friday"})
    run_jobs(app)
    assert center_excerpts(app, "bob") == ["Before Friday", "@bob please review"]
    with app.app_context():
        comment_id = TaskThreadComment.query.one().id
    alice.post(f"/comments/{comment_id}/edit", {"content": "@bob please review **now**"})
    alice.post(
        f"/tasks/{task_id}/edit", {**edit, "title": "Ship", "description": "Before *Monday*"}
    )
    assert center_excerpts(app, "bob") == ["Before Monday", "@bob please review now"]
    page = as_user(app, "bob").get("/notifications").get_data(as_text=True)
    assert ">Ship it</a>" in page and ">Ship</a>" not in page


def test_the_migration_stores_what_each_notification_shows(app, board_with_task_in, chat_room):
    """Upgrading a database that has notifications (issue 20): each gets its excerpt, made
    once, and its place's names as they are then; a deleted message's, no text."""
    from flask_migrate import downgrade, upgrade

    from .conftest import autoincrement_of_never_reused_tables

    alice, task = as_user(app, "alice"), board_with_task_in
    general = f"/rooms/{chat_room}/messages"
    alice.post(general, {"content": "@bob look at **this** plan"})
    direct = alice.post("/direct/new", {"usernames": "bob"}).location
    alice.post(f"{direct}/messages", {"content": "@bob a word in private"})
    alice.post(f"/tasks/{task}/comments", {"content": "@bob please review the *copy*"})
    alice.post(
        f"/tasks/{task}/edit",
        {
            "title": "Ship it",
            "priority": "high",
            "assignee_id": bob_id(app),
            "description": "Before *Friday*",
        },
    )
    alice.post(general, {"content": "@bob soon gone"})
    run_jobs(app)
    as_user(app, "bob").post("/notifications/read-all")
    with app.app_context():
        gone = ChatMessage.query.order_by(ChatMessage.id.desc()).first().id
    alice.post(f"/messages/{gone}/delete")
    shown = "SELECT type, excerpt, place_name, board_name FROM notifications ORDER BY id"
    with app.app_context():
        made = [tuple(r) for r in db.session.execute(text(shown))]
        db.session.remove()
        downgrade(revision="c9f5e1a3b7d2")  # before notifications kept what they show
        try:
            columns = db.session.execute(text("SELECT * FROM notifications")).keys()
            assert "excerpt" not in columns and "place_name" not in columns
        finally:
            db.session.remove()
            upgrade()
        migrated = [tuple(r) for r in db.session.execute(text(shown))]
        if db.engine.dialect.name == "sqlite":  # its ids are still never reused
            assert autoincrement_of_never_reused_tables()["notifications"]
        db.session.remove()
    assert (
        migrated
        == made
        == [
            ("chat_mention", "@bob look at this plan", "general", "Launch"),
            ("chat_mention", "@bob a word in private", "", ""),
            ("comment_mention", "@bob please review the copy", "Ship it", "Launch"),
            ("task_assigned", "Before Friday", "Ship it", "Launch"),
            ("chat_mention", "", "general", "Launch"),
        ]
    )


def bob_id(app) -> int:
    with app.app_context():
        found = User.by_username("bob").id
        db.session.remove()
        return found


# --- an edit while the job runs (issue 20 review) -----------------------------------------


@contextmanager
def not_waiting_for_locks(app):
    """An app context of its own (its own session and connection) whose writes do not wait
    for a lock another transaction holds (SQLite's busy_timeout 0, PostgreSQL's
    lock_timeout 1 ms): such a write fails at once, as one waiting past DB_LOCK_TIMEOUT_MS
    would. Requests sent inside it run in it. The connection's setting is restored after."""
    sqlite = db.engine.dialect.name == "sqlite"
    wait_ms = app.config["DB_LOCK_TIMEOUT_MS"]
    with app.app_context():
        raw = db.session.connection().connection.dbapi_connection
        raw.execute("PRAGMA busy_timeout=0" if sqlite else "SET lock_timeout = 1")
        try:
            yield
        finally:
            db.session.remove()
            raw.execute(
                f"PRAGMA busy_timeout={wait_ms}" if sqlite else f"SET lock_timeout = {wait_ms}"
            )
            if not sqlite:
                raw.commit()


def run_with_an_edit_in_between(app, monkeypatch, job, args: tuple, send_edit) -> None:
    """Run the job here, and right after it has read its source, before it inserts the
    notifications (its call of service._create), the author sends an edit (`send_edit()`)
    from another connection. If the job holds the source's lock then, the edit cannot
    commit (503) until the job has: it is sent again after, as a waiting writer goes on."""
    outcomes = []
    create = notifications._create

    def edit_then_create(*create_args):
        with not_waiting_for_locks(app):
            outcomes.append(send_edit().status_code)
        return create(*create_args)

    monkeypatch.setattr(notifications, "_create", edit_then_create)
    with app.app_context():
        job(*args)
    monkeypatch.setattr(notifications, "_create", create)
    assert len(outcomes) == 1 and outcomes[0] in (302, 503), outcomes
    if outcomes[0] == 503:  # it waited for the job's lock
        assert send_edit().status_code == 302


def stored_excerpts(app) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(Notification.excerpt).order_by(Notification.id)))
        db.session.remove()
    return found


def test_a_message_edited_while_its_job_runs_is_quoted_as_edited(app, chat_room, monkeypatch):
    """The password pasted by mistake: the job read the message, the author edited it (the
    edit's requote matched no notification yet), then the job inserted the notification with
    the text edited away. The job now reads the message under its lock, which the edit takes
    first too: either order ends with the edited text."""
    alice = as_user(app, "alice")
    alice.post(f"/rooms/{chat_room}/messages", {"content": "@bob the password is hunter2"})
    with app.app_context():
        message_id = ChatMessage.query.one().id
        db.session.remove()
    app.task_queue.empty()
    edit = f"/messages/{message_id}/edit"
    run_with_an_edit_in_between(
        app,
        monkeypatch,
        jobs.notify_chat_message,
        (message_id,),
        lambda: alice.post(edit, {"content": "@bob the password is (removed)"}),
    )
    assert stored_excerpts(app) == ["@bob the password is (removed)"]


def test_a_comment_edited_while_its_job_runs_is_quoted_as_edited(app, board_with_task, monkeypatch):
    from taskflow.models import TaskThreadComment

    _, task_id, _ = board_with_task
    alice = as_user(app, "alice")
    alice.post(f"/tasks/{task_id}/comments", {"content": "@bob the key is hunter2"})
    with app.app_context():
        comment_id = TaskThreadComment.query.one().id
        db.session.remove()
    app.task_queue.empty()
    edit = f"/comments/{comment_id}/edit"
    run_with_an_edit_in_between(
        app,
        monkeypatch,
        jobs.notify_comment,
        (comment_id,),
        lambda: alice.post(edit, {"content": "@bob the key is (removed)"}),
    )
    assert stored_excerpts(app) == ["@bob the key is (removed)"]


def test_a_description_edited_while_the_assignment_job_runs_is_quoted_as_edited(
    app, board_with_task, monkeypatch
):
    _, task_id, _ = board_with_task
    alice = as_user(app, "alice")
    form = {"title": "Ship it", "priority": "high", "assignee_id": bob_id(app)}
    alice.post(f"/tasks/{task_id}/edit", {**form, "description": "The key is hunter2"})
    with app.app_context():
        alice_id, version = User.by_username("alice").id, db.session.get(Task, task_id).version
        db.session.remove()
    app.task_queue.empty()
    run_with_an_edit_in_between(
        app,
        monkeypatch,
        jobs.notify_assignment,
        (task_id, bob_id(app), alice_id, version),
        lambda: alice.post(f"/tasks/{task_id}/edit", {**form, "description": "The key is gone"}),
    )
    assert stored_excerpts(app) == ["The key is gone"]
    # The job's lock (on SQLite a write that changes nothing) leaves the task as it was.
    with app.app_context():
        changed = db.session.get(Task, task_id).updated_at
        db.session.remove()
        jobs.notify_assignment(task_id, bob_id(app), alice_id, version)
        assert db.session.get(Task, task_id).updated_at == changed
        db.session.remove()
