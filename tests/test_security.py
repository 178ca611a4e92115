import re

import pytest

from taskflow import create_app
from taskflow.extensions import db
from taskflow.models import (
    Board,
    ChatMessage,
    ChecklistItem,
    Invitation,
    InviteLink,
    Label,
    Notification,
    TaskEvent,
    TaskThreadComment,
    TaskWatch,
    User,
)

from .helpers import columns, create_board, create_task


def post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield rule


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(app, client, chat_room):
    alice = client
    alice.login("alice")
    board_id = create_board(alice)
    column_id = columns(app, board_id)[0][0]
    task_id = create_task(alice, column_id, "T")
    assert alice.post(f"/tasks/{task_id}/comments", {"content": "c"}).status_code == 302
    assert alice.post(f"/rooms/{chat_room}/messages", {"content": "m"}).status_code == 302
    label = {"name": "bug", "colour": "red"}
    assert alice.post(f"/boards/{board_id}/labels", label).status_code == 302
    assert alice.post(f"/tasks/{task_id}/checklist", {"text": "x"}).status_code == 302
    with app.app_context():
        comment_id = TaskThreadComment.query.one().id
        label_id = Label.query.one().id
        item_id = ChecklistItem.query.one().id
        event_id = TaskEvent.query.filter_by(task_id=task_id).order_by(TaskEvent.id).first().id
        events, watches = TaskEvent.query.count(), TaskWatch.query.count()
        message_id = ChatMessage.query.one().id
        notification = Notification(
            recipient_id=User.by_username("alice").id,
            text="t",
            type="task_assigned",
            dedupe_key="x",
        )
        db.session.add(notification)
        board = db.session.get(Board, board_id)
        invitation = Invitation(board=board, invitee=User.by_username("bob"))
        db.session.add(invitation)
        code = InviteLink.reset(board, board.owner, None).code
        db.session.commit()
        notification_id, invitation_id = notification.id, invitation.id
    ids = {
        "board_id": board_id,
        "column_id": column_id,
        "task_id": task_id,
        "user_id": 2,
        "room_id": chat_room,
        "comment_id": comment_id,
        "label_id": label_id,
        "item_id": item_id,
        "event_id": event_id,
        "name": "assign",
        "message_id": message_id,
        "notification_id": notification_id,
        "invitation_id": invitation_id,
        "code": code,
    }
    rules = list(post_rules(app))
    assert len(rules) >= 15
    for rule in rules:
        url = rule.rule
        for name, value in ids.items():
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        assert "<" not in url, f"no id known for {rule.rule}: add it above"
        for token in (None, "forged"):
            data = {"csrf_token": token} if token else {}
            response = alice.post(url, data, csrf=False)
            assert response.status_code == 400, (url, token)
            assert "Your form expired" in response.get_data(as_text=True)
            header = alice.http.post(url, headers={"HX-Request": "true", "X-CSRFToken": "bad"})
            assert header.status_code == 400
    assert columns(app, board_id)[0][2] == ["T"]  # nothing changed
    with app.app_context():
        assert Invitation.query.one().status == "pending"
        assert InviteLink.query.one().code == code
        item = ChecklistItem.query.one()
        assert (item.id, item.text, item.done) == (item_id, "x", False)
        assert Label.query.one().name == "bug"
        assert TaskWatch.query.count() == watches
        assert db.session.get(Board, board_id).archived_at is None
        assert TaskEvent.query.count() == events  # no change of a task or column at all


def test_htmx_requests_send_the_token_as_a_header(app, login):
    alice = login("alice")
    board_id = create_board(alice)
    page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page)[1]
    response = alice.http.post(
        f"/boards/{board_id}/columns",
        data={"name": "Via header"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200 and "Via header" in response.get_data(as_text=True)


def test_error_pages_fit_the_app_and_hide_internals(app, login):
    alice = login("alice")
    page = alice.get("/no/such/page")
    assert page.status_code == 404 and "nothing here" in page.get_data(as_text=True)
    assert "TaskFlow" in page.get_data(as_text=True)
    fragment = alice.get("/no/such/page", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and "nothing here" in fragment
    assert alice.get("/logout").status_code == 405
    oversized = alice.post("/boards", {"name": "x", "description": "y" * (2 * 1024 * 1024)})
    assert oversized.status_code == 413 and "Traceback" not in oversized.get_data(as_text=True)


def test_healthz_reports_database_and_redis(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.fixture
def app_without_redis(database_url):
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )


def test_healthz_is_503_when_redis_is_down(app_without_redis):
    response = app_without_redis.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok" and body["redis"].startswith("error")
