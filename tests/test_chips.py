"""Live task chips (issue 24): "#42" or a task URL in a message, comment or description shows
the task as a chip (title, column, assignee, due state) to readers of its board only, filled
per reader from a marker in the shared rendering, and kept current by one frame per change."""

import re

import pytest

from taskflow import chips, markup
from taskflow.boards import checklist_service, column_service, label_service, live, task_service
from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, Column, Task, User
from taskflow.realtime import after_commit

from .conftest import following, frames_until, http_login, live_csrf, receive_until, ws_connect
from .helpers import add_member, columns, create_board, create_task


def world(app, login):
    """alice's board "Launch" with bob, a room "general" (alice, bob), task #1 "Ship it" in
    To Do; mallory's board "Secret" (only her) with task #1 "Hidden plan"."""
    alice, bob, mallory = login("alice"), login("bob"), login("mallory")
    board_id = create_board(alice, "Launch")
    add_member(alice, board_id, "bob", bob)
    todo = columns(app, board_id)[0][0]
    task = create_task(alice, todo, "Ship it")
    secret_board = create_board(mallory, "Secret")
    secret = create_task(mallory, columns(app, secret_board)[0][0], "Hidden plan")
    with app.app_context():
        board = db.session.get(Board, board_id)
        room = ChatRoom(board, "general", "", User.by_username("alice"))
        room.members.append(User.by_username("bob"))
        db.session.add(room)
        db.session.commit()
        room_id = room.id
        db.session.remove()
    return alice, bob, mallory, board_id, room_id, task, secret


def chip_of(html: str, task_id: int) -> str | None:
    found = re.search(rf'<a class="task-chip"[^>]*data-chip="{task_id}".*?</a>', html, re.S)
    return found.group(0) if found else None


@pytest.mark.postgres  # the links' foreign keys, the membership join
def test_a_number_in_a_message_is_a_chip_for_the_boards_readers(app, login):
    alice, bob, _, _, room_id, task, _ = world(app, login)
    bob.post(f"/rooms/{room_id}/messages", {"content": "Is #1 done? (not #99, nor `#1`)"})
    page = alice.get(f"/rooms/{room_id}").get_data(as_text=True)
    chip = chip_of(page, task)
    assert chip, page[page.find("message-body") :][:300]
    assert chip and "#1" in chip and "Ship it" in chip and "To Do" in chip
    assert 'data-version="' in chip
    assert "not #99" in page  # no such task: the text as typed
    assert "<code>#1</code>" in page  # code is not a reference
    assert 'class="task-ref"' not in page  # every marker filled or plain


@pytest.mark.postgres  # the links' foreign keys, the membership join
def test_a_task_url_is_a_chip_and_hidden_from_a_non_member(app, login):
    alice, bob, mallory, board_id, room_id, task, secret = world(app, login)
    text = f"Look: http://localhost/tasks/{task} and http://localhost/tasks/{secret}"
    bob.post(f"/rooms/{room_id}/messages", {"content": text})
    page = bob.get(f"/rooms/{room_id}").get_data(as_text=True)
    assert chip_of(page, task) and "Ship it" in chip_of(page, task)
    # bob is not on mallory's board: the link as typed, nothing of the task
    assert chip_of(page, secret) is None and "Hidden plan" not in page
    assert (
        f'<a href="/tasks/{secret}" rel="nofollow noopener">http://localhost/tasks/{secret}</a>'
        in page
    )
    # the chip a live copy loads: the task's readers get it; others 204, as for no task
    assert "Hidden plan" in mallory.get(f"/tasks/{secret}/chip").get_data(as_text=True)
    assert bob.get(f"/tasks/{secret}/chip").status_code == 204
    assert bob.get("/tasks/999999/chip").status_code == 204


def test_a_chip_shows_the_assignee_and_the_due_state(app, login):
    alice, bob, _, board_id, room_id, task, _ = world(app, login)
    assert (
        alice.post(
            f"/tasks/{task}/edit",
            {
                "title": "Ship it",
                "assignee_id": "0",
                "assignee_username": "bob",
                "due_date": "2020-01-02",
                "priority": "medium",
            },
        ).status_code
        == 302
    )
    bob.post(f"/rooms/{room_id}/messages", {"content": "#1 please"})
    chip = chip_of(alice.get(f"/rooms/{room_id}").get_data(as_text=True), task)
    assert "@bob" in chip and 'data-due="overdue"' in chip


def test_comments_and_descriptions_show_chips(app, login):
    alice, bob, _, board_id, _, task, _ = world(app, login)
    todo = columns(app, board_id)[0][0]
    other = create_task(alice, todo, "Second", description="Blocked by #1")
    assert bob.post(f"/tasks/{other}/comments", {"content": "See #1 first"}).status_code == 302
    page = bob.get(f"/tasks/{other}").get_data(as_text=True)
    assert len(re.findall(rf'data-chip="{task}"', page)) == 2  # the description and the comment
    assert 'class="task-ref"' not in page


def test_a_direct_message_has_no_numbers_but_urls(app, login):
    with app.app_context():
        refs = markup.Refs(None, ["localhost"])
        html = markup.render_markdown("#3 and http://localhost/tasks/7", refs=refs)
    assert "#3 and" in html and 'data-ref="7"' in html and 'hx-get="/tasks/7/chip"' in html
    assert 'data-ref="' not in markup.render_markdown("http://elsewhere.example/tasks/7", refs=refs)


def test_markers_are_bounded_and_cannot_be_typed():
    refs = markup.Refs(4, [])
    html = markup.render_markdown(" ".join(f"#{n}" for n in range(1, 16)), refs=refs)
    assert html.count('class="task-ref"') == markup.CHIPS_PER_TEXT
    typed = markup.render_markdown("\ue000t5\ue001x\ue002 [#2](http://a.example/)", refs=refs)
    assert 'data-ref="5"' not in typed and 'data-ref="4.2"' not in typed


def test_a_move_publishes_the_chip_once_with_the_boards_version(app, login, live_server):
    alice, bob, _, board_id, room_id, task, _ = world(app, login)
    bob_http = http_login(live_server, "bob")
    alice_http = http_login(live_server, "alice")
    socket = ws_connect(live_server, f"/ws/chat-room/{room_id}", bob_http)
    receive_until(socket, "notification-badge")
    doing = columns(app, board_id)[1]
    headers = {"HX-Request": "true", "X-CSRFToken": live_csrf(alice_http, live_server)}
    alice_http.post(
        f"{live_server}/tasks/{task}/move", data={"direction": "right"}, headers=headers
    )
    frame = receive_until(socket, "data-chips")
    with app.app_context():
        version = Board.current_version(board_id)
        assert db.session.get(Task, task).column_id == doing[0]
    chip = chip_of(frame, task)
    assert chip and doing[1] in chip and f'data-version="{version}"' in chip
    assert frame.startswith("<template data-chips>")
    socket.close()


def test_task_urls_are_recognised_by_configured_hosts_not_the_requests(app):
    # A client choosing its Host header must not make its host's URLs chips: the rendering
    # is cached for every reader.
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        html = markup.render_markdown("http://evil.example/tasks/7", refs=chips.refs(3))
        assert 'data-ref="' not in html
        assert 'data-ref="7"' in markup.render_markdown(
            "http://localhost:5000/tasks/7", refs=chips.refs(3)
        )
        app.config["PUBLIC_HOSTS"] = "tasks.example.com"
        try:
            refs = chips.refs(3)
            assert 'data-ref="7"' in markup.render_markdown(
                "https://tasks.example.com/tasks/7", refs=refs
            )
            assert 'data-ref="' not in markup.render_markdown("http://localhost/tasks/7", refs=refs)
        finally:
            app.config["PUBLIC_HOSTS"] = ""


def test_a_rolled_back_changes_chips_are_forgotten(app, login):
    alice, _, _, board_id, _, task, _ = world(app, login)
    other = create_task(alice, columns(app, board_id)[0][0], "Other")
    with app.test_request_context():
        live.task_changed(task)
        db.session.rollback()  # nothing published; nothing of it kept for the next change
        live.task_changed(other)
        declared = db.session.info[after_commit._DECLARED][("chips", board_id)]
        frame = declared[1]()
        db.session.rollback()
    assert chip_of(frame, other) and chip_of(frame, task) is None


def test_only_what_a_chip_shows_sends_chips_and_a_rename_is_one_small_frame(
    app, login, live_server
):
    alice, _, _, board_id, room_id, task, _ = world(app, login)
    todo = columns(app, board_id)[0][0]
    below = create_task(alice, todo, "Below")
    doomed = create_task(alice, todo, "Doomed")
    socket = ws_connect(live_server, f"/ws/chat-room/{room_id}", http_login(live_server, "bob"))
    following(socket)
    with app.test_request_context():
        actor = User.by_username("alice")
        label, _ = label_service.create_label(db.session.get(Board, board_id), "docs", "red")
        label_service.set_task_labels(db.session.get(Task, task), [label.id], actor)
        checklist_service.add_item(db.session.get(Task, task), actor, "Write it")
        task_service.move_task(db.session.get(Task, task), "down", actor=actor)  # a reorder
        task_service.delete_task(db.session.get(Task, doomed))  # no chip left to send
        column_service.rename_column(db.session.get(Column, todo), "Backlog", actor)
        task_service.move_task(db.session.get(Task, below), "right", actor=actor)
    frames = frames_until(socket, lambda f: "data-chips" in f and "task-chip" in f)
    socket.close()
    chip_frames = [f for f in frames if "data-chips" in f or not f.strip()]
    assert len(chip_frames) == 2, chip_frames  # the rename's and the move's, nothing else
    renamed = chip_frames[0]
    assert f'data-column="{todo}"' in renamed and "Backlog" in renamed
    assert "task-chip" not in renamed  # not a chip per task of the column
    assert chip_of(chip_frames[1], below) and chip_of(chip_frames[1], task) is None


def test_a_live_message_comes_with_its_boards_chips_filled(app, login, live_server):
    alice, _, _, _, room_id, task, secret = world(app, login)
    socket = ws_connect(live_server, f"/ws/chat-room/{room_id}", http_login(live_server, "bob"))
    following(socket)
    text = f"#1 and #99 and http://localhost/tasks/{secret}"
    alice.post(f"/rooms/{room_id}/messages", {"content": text})
    frame = receive_until(socket, "#99")
    socket.close()
    # "#1": filled once for every reader (all on the board), no request per reader
    assert chip_of(frame, task) and "Ship it" in frame
    assert "/chip" not in frame.replace(f'hx-get="/tasks/{secret}/chip"', "")
    assert 'data-ref="' in frame and f'hx-get="/tasks/{secret}/chip"' in frame  # a URL: per reader
    assert "Hidden plan" not in frame


def test_chip_loads_are_rate_limited(app, login):
    alice, _, _, _, _, task, _ = world(app, login)
    app.config["CHIP_RATE_LIMIT"] = "2 per minute"
    try:
        answers = [alice.get(f"/tasks/{task}/chip").status_code for _ in range(3)]
    finally:
        app.config["CHIP_RATE_LIMIT"] = "60 per 10 seconds"
    assert answers == [200, 200, 429]


def test_a_reconnecting_page_gets_its_chips_in_one_request(app, login):
    _, bob, _, _, _, task, secret = world(app, login)
    ids = ",".join([str(task), str(secret), "x", "-1", *map(str, range(10**6, 10**6 + 60))])
    answer = bob.get(f"/chips?ids={ids}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and html.startswith("<template data-chips>")
    assert chip_of(html, task) and "Hidden plan" not in html  # only tasks bob may read
    assert bob.get(f"/chips?ids={secret}").status_code == 204
    assert bob.get("/chips").status_code == 204
