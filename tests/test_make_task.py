"""Make task (issue 24): a message or comment becomes a task through a prefilled task form;
the task links back to it and it shows the task's chip."""

import html as html_lib
import re

import pytest

from taskflow.extensions import db
from taskflow.models import ChatMessage, Task, TaskThreadComment

from .conftest import http_login, receive_until, ws_connect
from .helpers import columns
from .test_chips import chip_of, world


def form_of(page: str) -> dict:
    """The make-task form's prefilled values: title, description, the column selected."""
    title = re.search(r'name="title"[^>]*value="([^"]*)"', page)
    description = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', page, re.S)
    selected = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', page)
    return {
        "title": html_lib.unescape(title.group(1)),
        "description": html_lib.unescape(description.group(1)).strip(),
        "column": next(g for g in selected.groups() if g) if selected else None,
    }


def test_the_form_is_prefilled_from_the_message(app, login):
    alice, bob, mallory, board_id, room_id, _, _ = world(app, login)
    bob.post(f"/rooms/{room_id}/messages", {"content": "Fix the login page\nIt fails on Safari"})
    with app.app_context():
        message_id = ChatMessage.query.one().id
    page = alice.get(f"/messages/{message_id}/make-task").get_data(as_text=True)
    form = form_of(page)
    assert form["title"] == "Fix the login page"
    assert form["description"].startswith("> Fix the login page\n> It fails on Safari")
    link = f"/rooms/{room_id}?around={message_id}#message-{message_id}"
    assert f"[From @bob in #general]({link})" in form["description"]
    assert form["column"] == str(columns(app, board_id)[0][0])  # the room's board, first column
    assert '<optgroup label="Launch">' in page
    assert "Secret" not in page  # only alice's boards
    assert mallory.get(f"/messages/{message_id}/make-task").status_code == 404


@pytest.mark.postgres  # the links' foreign keys, the membership join
def test_a_message_made_into_a_task_with_links_both_ways(app, login):
    alice, bob, _, board_id, room_id, _, _ = world(app, login)
    bob.post(f"/rooms/{room_id}/messages", {"content": "Write the release notes"})
    with app.app_context():
        message_id = ChatMessage.query.one().id
    doing = columns(app, board_id)[1][0]
    form = {"title": "Release notes", "column_id": doing, "description": "> quoted",
            "priority": "high", "assignee_username": "bob"}  # fmt: skip
    response = alice.post(f"/messages/{message_id}/make-task", form)  # a plain form, no JS
    assert response.status_code == 302
    with app.app_context():
        task = Task.query.filter_by(title="Release notes").one()
        task_id, number = task.id, task.number
        assert (task.column_id, task.priority, task.assignee.username) == (doing, "high", "bob")
        assert task.source_message_id == message_id
        assert db.session.get(ChatMessage, message_id).made_task_id == task_id
    assert response.location.endswith(f"/tasks/{task_id}")
    # the task's page and card link to the message, which opens the room at it
    task_page = alice.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert f'href="/tasks/{task_id}/source"' in task_page
    board_page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    assert f'class="card-source" href="/tasks/{task_id}/source"' in board_page
    back = bob.get(f"/tasks/{task_id}/source")
    assert back.location.endswith(f"/rooms/{room_id}?around={message_id}#message-{message_id}")
    # the message shows the task it became, as a chip
    room_page = bob.get(f"/rooms/{room_id}").get_data(as_text=True)
    message = room_page[room_page.index(f'id="message-{message_id}"') :]
    chip = chip_of(message, task_id)
    assert chip and f"#{number}" in chip and "Release notes" in chip and "@bob" in chip


@pytest.mark.postgres  # the links' foreign keys, the membership join
def test_a_non_member_board_is_refused(app, login):
    _, bob, mallory, _, room_id, _, _ = world(app, login)
    bob.post(f"/rooms/{room_id}/messages", {"content": "Steal this"})
    with app.app_context():
        message_id = ChatMessage.query.one().id
        secret_board = Task.query.filter_by(title="Hidden plan").one().column.board_id
    secret_column = columns(app, secret_board)[0][0]
    form = {"title": "Stolen", "column_id": secret_column, "priority": "medium"}
    response = bob.post(f"/messages/{message_id}/make-task", form)
    assert response.status_code == 422
    assert "Pick a column of one of your boards." in response.get_data(as_text=True)
    # mallory's board is hers, but she cannot read the message
    assert mallory.post(f"/messages/{message_id}/make-task", form).status_code == 404
    with app.app_context():
        assert Task.query.filter_by(title="Stolen").count() == 0
        assert db.session.get(ChatMessage, message_id).made_task_id is None


def test_a_comment_made_into_a_task(app, login):
    alice, bob, _, board_id, _, task, _ = world(app, login)
    assert (
        bob.post(f"/tasks/{task}/comments", {"content": "Also update the docs"}).status_code == 302
    )
    with app.app_context():
        comment_id = TaskThreadComment.query.one().id
    page = alice.get(f"/comments/{comment_id}/make-task").get_data(as_text=True)
    form = form_of(page)
    assert form["title"] == "Also update the docs"
    assert f"(/tasks/{task}#comment-{comment_id})" in form["description"]
    form.update(column_id=form.pop("column"), priority="medium")
    response = alice.post(f"/comments/{comment_id}/make-task", form)
    assert response.status_code == 302
    with app.app_context():
        made = Task.query.filter_by(title="Also update the docs").one()
        assert made.source_comment_id == comment_id
        assert db.session.get(TaskThreadComment, comment_id).made_task_id == made.id
        made_id = made.id
    assert alice.get(f"/tasks/{made_id}/source").location.endswith(
        f"/tasks/{task}#comment-{comment_id}"
    )
    thread = alice.get(f"/tasks/{task}").get_data(as_text=True)
    assert chip_of(thread, made_id) and "Also update the docs" in chip_of(thread, made_id)


def test_the_message_is_sent_again_with_its_task(app, login, live_server):
    alice, bob, _, board_id, room_id, _, _ = world(app, login)
    bob.post(f"/rooms/{room_id}/messages", {"content": "Ping the designers"})
    with app.app_context():
        message_id = ChatMessage.query.one().id
    socket = ws_connect(
        live_server, f"/ws/chat-room/{room_id}?seq=1", http_login(live_server, "bob")
    )
    receive_until(socket, "notification-badge")
    form = {"title": "Ping", "column_id": columns(app, board_id)[0][0], "priority": "medium"}
    assert alice.post(f"/messages/{message_id}/make-task", form).status_code == 302
    with app.app_context():
        made = Task.query.filter_by(title="Ping").one().id
    frame = receive_until(socket, "made-task")
    # shared: a marker each page loads for its reader (hx-get), not the chip itself
    assert f'id="message-{message_id}"' in frame and f'hx-get="/tasks/{made}/chip"' in frame
    socket.close()


def test_the_migration_goes_down_and_up_again(tmp_path, redis_url):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from .conftest import autoincrement_of_never_reused_tables, scratch_app

    app = scratch_app(tmp_path, redis_url)
    with app.app_context():
        upgrade()
        downgrade(revision="a24num000001")
        schema = inspect(db.engine)
        assert "source_message_id" not in {c["name"] for c in schema.get_columns("tasks")}
        assert "made_task_id" not in {c["name"] for c in schema.get_columns("chat_messages")}
        upgrade()
        schema = inspect(db.engine)
        links = {fk["referred_table"] for fk in schema.get_foreign_keys("tasks")}
        assert {"chat_messages", "task_thread_comments"} <= links
        kept = autoincrement_of_never_reused_tables()
        assert all(kept[t] for t in ("tasks", "chat_messages", "task_thread_comments")), kept
        db.session.remove()


@pytest.mark.postgres  # the source's row lock
def test_a_message_is_made_a_task_once_while_that_task_lives(app, login):
    alice, bob, _, board_id, room_id, _, _ = world(app, login)
    bob.post(f"/rooms/{room_id}/messages", {"content": "Once"})
    with app.app_context():
        message_id = ChatMessage.query.one().id
    form = {"title": "Once", "column_id": columns(app, board_id)[0][0], "priority": "medium"}
    assert alice.post(f"/messages/{message_id}/make-task", form).status_code == 302
    again = alice.post(f"/messages/{message_id}/make-task", form)  # a double submit, say
    assert again.status_code == 409 and "already made into" in again.get_data(as_text=True)
    page = bob.get(f"/messages/{message_id}/make-task").get_data(as_text=True)
    assert "already made into" in page and 'name="title"' not in page
    with app.app_context():
        task = Task.query.filter_by(title="Once").one()
        task_id = task.id
    assert alice.post(f"/tasks/{task_id}/archive").status_code == 302
    assert alice.post(f"/messages/{message_id}/make-task", form).status_code == 302  # again
    with app.app_context():
        assert Task.query.filter_by(title="Once").count() == 2


def test_a_deleted_message_is_no_source_and_a_long_one_fits_the_form(app, login):
    alice, bob, _, board_id, room_id, _, _ = world(app, login)
    bob.post(f"/rooms/{room_id}/messages", {"content": "x\n" * 1999 + "x"})  # 4,000 characters
    with app.app_context():
        message_id = ChatMessage.query.one().id
    form = form_of(alice.get(f"/messages/{message_id}/make-task").get_data(as_text=True))
    assert len(form["description"]) <= 10_000 and form["description"].endswith(")")
    form = {**form, "column_id": columns(app, board_id)[0][0], "priority": "medium"}
    assert alice.post(f"/messages/{message_id}/make-task", form).status_code == 302
    with app.app_context():
        task_id = Task.query.filter_by(source_message_id=message_id).one().id
    assert bob.get(f"/tasks/{task_id}/source").status_code == 302
    assert bob.post(f"/messages/{message_id}/delete").status_code in (200, 302)
    assert bob.get(f"/tasks/{task_id}/source").status_code == 404
