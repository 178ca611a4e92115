"""Headers, limits on every input, and rate limits."""

import json
import re
from pathlib import Path

from taskflow.extensions import db
from taskflow.models import ChatMessage, User

from .conftest import (
    PASSWORD,
    Client,
    as_user,
    following,
    frames_until,
    http_login,
    send,
    ws_connect,
)
from .helpers import columns, create_board, create_task

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers_and_a_strict_csp(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]+)", csp)[1]
    assert script == "'self'" and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    meta = re.search(r'name="htmx-config" content=\'([^\']+)\'', response.get_data(True))[1]
    assert json.loads(meta)["allowEval"] is False


def test_templates_use_no_inline_script_style_or_eval():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for banned in ("hx-on", "js:", "<script>", "style=", "onclick", "onload"):
            assert banned not in text, (template.name, banned)


def test_pages_raise_no_csp_violation(new_page, app, chat_room, board_with_task_in):
    from playwright.sync_api import expect

    from taskflow.models import ChatRoom

    from .conftest import browser_login, expect_socket_open

    with app.app_context():
        board_id = db.session.get(ChatRoom, chat_room).board_id
        db.session.remove()
    page = new_page()
    violations = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    browser_login(page, "alice")
    pages = {  # each page, and what shows that it rendered (not an error page)
        "/boards": ".board-card",
        f"/boards/{board_id}": "#kanban .card",
        f"/rooms/{chat_room}": "#composer-input",
        f"/tasks/{board_with_task_in}": "#comment-input",
        "/notifications": "header.topbar",
        f"/boards/{board_id}/rooms": ".room-card",
    }
    for path, shown in pages.items():
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        expect(page.locator(shown).first).to_be_visible()
        expect_socket_open(page)  # app.js ran and the live updates began
        page.wait_for_load_state("networkidle")
    assert violations == []


def test_session_cookie_secure_behind_https(database_url, redis_url):
    from taskflow import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "SESSION_COOKIE_SECURE": True,
        }
    )
    response = app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


def test_every_text_field_has_a_server_side_maximum(app, chat_room, board_with_task_in):
    alice = as_user(app, "alice")
    board_id = create_board(alice)
    column = columns(app, board_id)[0][0]
    task = create_task(alice, column, "t")
    too_long = [
        ("/boards", {"name": "x" * 101}),
        ("/boards", {"name": "ok", "description": "x" * 2001}),
        (f"/boards/{board_id}/edit", {"name": "x" * 101}),
        (f"/boards/{board_id}/columns", {"name": "x" * 51}),
        (f"/columns/{column}/rename", {f"column-{column}-name": "x" * 51}),
        (f"/columns/{column}/tasks/new", {"title": "x" * 201}),
        (f"/columns/{column}/tasks/new", {"title": "ok", "description": "x" * 10001}),
        (f"/tasks/{task}/edit", {"title": "x" * 201}),
        (f"/boards/{board_id}/rooms/new", {"name": "x" * 81}),
        (f"/boards/{board_id}/rooms/new", {"name": "ok", "description": "x" * 501}),
        (f"/rooms/{chat_room}/messages", {"content": "x" * 4001}),
        (f"/tasks/{task}/comments", {"content": "x" * 4001}),
        (f"/boards/{board_id}/members", {"username": "x" * 31}),
    ]
    for url, data in too_long:
        response = alice.post(url, data)
        assert response.status_code == 422, (url, response.status_code)
    anonymous = Client(app.test_client())
    assert (
        anonymous.post(
            "/register", {"username": "x" * 31, "password": "p" * 10, "confirm": "p" * 10}
        ).status_code
        == 422
    )
    assert (
        anonymous.post(
            "/register", {"username": "newbie", "password": "p" * 129, "confirm": "p" * 129}
        ).status_code
        == 422
    )
    assert anonymous.post("/login", {"username": "x" * 31, "password": "p"}).status_code == 422
    with app.app_context():
        assert User.by_username("newbie") is None


def test_login_is_rate_limited_per_account_and_per_ip(app, make_user):
    make_user("victim")
    attacker = Client(app.test_client())
    codes = [
        attacker.post("/login", {"username": "victim", "password": "wrong-password"}).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [422] * 10 and codes[10] == 429
    assert "Slow down" in attacker.post(
        "/login", {"username": "victim", "password": PASSWORD}
    ).get_data(as_text=True)  # even the right password waits
    other = [
        attacker.post("/login", {"username": f"user{i}", "password": "x"}).status_code
        for i in range(25)
    ]
    assert 429 in other  # 30 per minute from one address, whatever the account


def test_messages_are_rate_limited_with_a_clear_slow_down(app, chat_room, live_server):
    bob = as_user(app, "bob")
    codes = [
        bob.post(f"/rooms/{chat_room}/messages", {"content": f"m{i}"}).status_code
        for i in range(22)
    ]
    assert codes[:20] == [302] * 20 and codes[20] == 429
    page = bob.post(f"/rooms/{chat_room}/messages", {"content": "keep me"}).get_data(True)
    assert "Slow down" in page and "keep me</textarea>" in page

    alice = ws_connect(live_server, f"/ws/chat-room/{chat_room}", http_login(live_server, "alice"))
    following(alice)
    for i in range(30):
        send(alice, content=f"burst {i}")
    answered = []  # each send is answered once: its broadcast, or a refusal to alice

    def all_answered(frame: str) -> bool:
        answered.extend(re.findall(r">burst \d+</div>|too fast", frame))
        return len(answered) == 30

    frames = "".join(frames_until(alice, all_answered, timeout=15))
    accepted = len(re.findall(r">burst \d+</div>", frames))
    assert 0 < accepted < 30 and "too fast" in frames
    assert 'id="composer-input"' in frames  # the refused text comes back to the composer
    with app.app_context():
        saved = ChatMessage.query.filter(ChatMessage.content.like("burst %")).count()
        db.session.remove()
    assert saved == accepted  # nothing accepted is lost
