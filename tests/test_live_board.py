"""The live board and task sockets, against a live server and a real Redis."""

import re
import threading

from .conftest import close_code, following, http_login, live_csrf, receive_until, ws_connect


def htmx_post(session, base: str, path: str, **data):
    headers = {"HX-Request": "true", "X-CSRFToken": live_csrf(session, base)}
    return session.post(f"{base}{path}", data=data, headers=headers)


def kanban_state(html: str) -> tuple[int, list[list[str]]]:
    """(version, task ids per column) of a kanban fragment."""
    version = int(re.search(r'id="kanban"[^>]*data-version="(\d+)"', html, re.S)[1])
    columns = re.split(r'<section class="column" id="column-', html)[1:]
    return version, [re.findall(r'<li class="card[^"]*" id="task-(\d+)"', c) for c in columns]


def test_board_socket_sends_the_board_then_every_change(live_server, board_with_task):
    board_id, task_id, (todo, doing, _) = board_with_task
    alice_http, bob_http = http_login(live_server, "alice"), http_login(live_server, "bob")
    bob = ws_connect(live_server, f"/ws/board/{board_id}", bob_http)
    first = receive_until(bob, 'id="kanban"')
    assert 'hx-swap-oob="true"' in first and kanban_state(first)[1][0] == [str(task_id)]
    assert 'name="csrf_token"' not in first  # rendered once for all: each page sends its own

    response = htmx_post(alice_http, live_server, f"/tasks/{task_id}/move", direction="right")
    assert response.status_code == 200
    moved = receive_until(bob, 'id="kanban"')
    assert kanban_state(moved)[1][:2] == [[], [str(task_id)]]
    assert kanban_state(moved)[0] > kanban_state(first)[0]

    htmx_post(alice_http, live_server, f"/columns/{doing}/tasks/new", title="Second")
    assert "Second" in receive_until(bob, "Second")
    htmx_post(alice_http, live_server, f"/boards/{board_id}/columns", name="QA")
    assert ">QA <span" in receive_until(bob, "QA")


def test_board_and_task_sockets_refuse_outsiders_and_close_on_removal(
    live_server, board_with_task, app
):
    board_id, task_id, _ = board_with_task
    carol = http_login(live_server, "carol")
    for path in (f"/ws/board/{board_id}", f"/ws/task-comments/{task_id}"):
        assert close_code(ws_connect(live_server, path, carol)) == 4404
        assert close_code(ws_connect(live_server, path)) == 4404  # anonymous

    bob_http = http_login(live_server, "bob")
    sockets = [
        ws_connect(live_server, p, bob_http)
        for p in (f"/ws/board/{board_id}", f"/ws/task-comments/{task_id}")
    ]
    for ws in sockets:
        following(ws)  # subscribed, so the removal's close event reaches it
    from taskflow.models import User

    with app.app_context():
        bob_id = User.by_username("bob").id
    alice_http = http_login(live_server, "alice")
    response = alice_http.post(
        f"{live_server}/boards/{board_id}/members/{bob_id}/delete",
        data={"csrf_token": live_csrf(alice_http, live_server)},
    )
    assert response.status_code == 200
    assert [close_code(ws) for ws in sockets] == [4403, 4403]


def test_task_socket_shows_comments_edits_and_deletions(live_server, board_with_task):
    _, task_id, _ = board_with_task
    alice_http, bob_http = http_login(live_server, "alice"), http_login(live_server, "bob")
    alice = ws_connect(live_server, f"/ws/task-comments/{task_id}", alice_http)
    first = receive_until(alice, 'id="comments"')
    assert f'id="task-detail-{task_id}"' in first and "No comments yet" in first

    htmx_post(bob_http, live_server, f"/tasks/{task_id}/comments", content="hello <i>all</i>")
    posted = receive_until(alice, "hello")
    assert 'hx-swap-oob="beforeend:#comments"' in posted and "hello &lt;i&gt;all" in posted
    comment_id = re.search(r'data-comment-id="(\d+)"', posted)[1]

    htmx_post(bob_http, live_server, f"/comments/{comment_id}/edit", content="hello, edited")
    edited = receive_until(alice, "hello, edited")
    assert f'id="comment-{comment_id}"' in edited and "(edited)" in edited

    htmx_post(bob_http, live_server, f"/comments/{comment_id}/delete")
    deleted = receive_until(alice, 'hx-swap-oob="delete"')
    assert f'id="comment-{comment_id}"' in deleted

    response = bob_http.post(
        f"{live_server}/tasks/{task_id}/edit",
        data={
            "title": "Ship it now",
            "priority": "urgent",
            "csrf_token": live_csrf(bob_http, live_server),
        },
        allow_redirects=False,
    )
    assert response.status_code == 302
    detail = receive_until(alice, "Ship it now")
    assert f'id="task-detail-{task_id}"' in detail and "urgent" in detail


def test_concurrent_moves_of_one_card_converge(live_server, board_with_task, app):
    """Two members move the same card at the same moment, many times: the newest kanban
    every page ends with is the board as the database holds it, the card exactly once."""
    board_id, task_id, _ = board_with_task
    sessions = [http_login(live_server, "alice"), http_login(live_server, "bob")]
    watcher = ws_connect(live_server, f"/ws/board/{board_id}", sessions[0])
    following(watcher)
    tokens = [live_csrf(s, live_server) for s in sessions]

    def mover(session, token, direction):
        for _ in range(8):
            session.post(
                f"{live_server}/tasks/{task_id}/move",
                data={"direction": direction},
                headers={"HX-Request": "true", "X-CSRFToken": token},
            )

    threads = [
        threading.Thread(target=mover, args=(s, t, d))
        for s, t, d in zip(sessions, tokens, ("right", "left"), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    from taskflow.boards.live import kanban_html

    with app.test_request_context():  # every move is committed: this is the final board
        truth = kanban_state(kanban_html(board_id))
    # Each move is broadcast after its commit, so the final version reaches the page.
    final = receive_until(
        watcher, lambda f: 'id="kanban"' in f and kanban_state(f)[0] >= truth[0], timeout=10
    )
    assert kanban_state(final) == truth
    assert sum(len(c) for c in truth[1]) == 1


def test_personal_stream_socket(live_server, board_with_task):
    assert close_code(ws_connect(live_server, "/ws/notifications")) == 4401
    bob = ws_connect(live_server, "/ws/notifications", http_login(live_server, "bob"))
    first = receive_until(bob, 'id="notification-badge"')
    assert 'data-count="0"' in first and 'hx-swap-oob="true"' in first
