"""The live board and task sockets, against a live server and a real Redis."""

import re
import threading

from .conftest import (
    close_code,
    following,
    frames_until,
    http_login,
    live_csrf,
    receive_until,
    ws_connect,
)
from .helpers import seed_tasks


def htmx_post(session, base: str, path: str, **data):
    headers = {"HX-Request": "true", "X-CSRFToken": live_csrf(session, base)}
    return session.post(f"{base}{path}", data=data, headers=headers)


def kanban_state(html: str) -> tuple[int, list[list[str]]]:
    """(version, task ids per column) of a kanban fragment."""
    version = int(re.search(r'id="kanban"[^>]*data-version="(\d+)"', html, re.S)[1])
    columns = re.split(r'<section class="column" id="column-', html)[1:]
    return version, [re.findall(r'<li class="card[^"]*" id="task-(\d+)"', c) for c in columns]


def diff_version(frame: str) -> int | None:
    found = re.search(r'id="board-diff"[^>]*data-version="(\d+)"', frame)
    return int(found[1]) if found else None


def apply_diff(columns: dict[str, list[str]], frame: str) -> None:
    """What app.js does with a diff, for columns shown whole: {column id: task ids}."""
    for element in re.finditer(r"<(li|i|section)\b([^>]*)>", frame):
        attrs = element[2]
        op = re.search(r'data-op="(\w+)"', attrs)
        if not op:
            continue
        if op[1] == "remove":
            gone = re.search(r'data-id="(task|column)-(\d+)"', attrs)
            if gone[1] == "column":
                columns.pop(gone[2], None)
            for ids in columns.values():
                if gone[2] in ids and gone[1] == "task":
                    ids.remove(gone[2])
        elif op[1] == "card":
            task = re.search(r'id="task-(\d+)"', attrs)[1]
            column = re.search(r'data-in-column="(\d+)"', attrs)[1]
            position = int(re.search(r'data-position="(\d+)"', attrs)[1])
            for ids in columns.values():
                if task in ids:
                    ids.remove(task)
            if position <= len(columns[column]):
                columns[column].insert(position, task)


def test_board_socket_sends_the_board_then_only_each_change(live_server, board_with_task):
    """On connect the kanban, once; then each change as a diff labelled with the version it
    produces, the next one each time."""
    board_id, task_id, (todo, doing, _) = board_with_task
    alice_http, bob_http = http_login(live_server, "alice"), http_login(live_server, "bob")
    bob = ws_connect(live_server, f"/ws/board/{board_id}", bob_http)
    first = receive_until(bob, 'id="kanban"')
    version = kanban_state(first)[0]
    assert 'hx-swap-oob="true"' in first and kanban_state(first)[1][0] == [str(task_id)]
    assert 'name="csrf_token"' not in first  # rendered once for all: each page sends its own

    response = htmx_post(alice_http, live_server, f"/tasks/{task_id}/move", direction="right")
    assert response.status_code == 200 and diff_version(response.text) == version + 1
    moved = receive_until(bob, 'id="board-diff"')
    # The mover's answer also says where the card went, for its status line (board.js).
    answer = response.text.replace(f' data-focus="task-{task_id}-link"', "")
    # And offers the mover (only: it is not in the shared diff) an Undo (boards/_undo.html).
    undo = re.search(r'<div hx-swap-oob="beforeend:#flash">.*?</form>\s*</div>\s*', answer, re.S)
    assert undo and "Undo</button>" in undo.group(0) and "Undo</button>" not in moved
    answer = answer.replace(undo.group(0), "")
    assert answer == moved + re.search(r'<div id="card-moves".*', answer).group(0)
    assert 'id="kanban"' not in moved and 'name="csrf_token"' not in moved
    columns = {str(todo): [str(task_id)], str(doing): []}
    apply_diff(columns, moved)
    assert columns[str(todo)] == [] and columns[str(doing)] == [str(task_id)]

    htmx_post(alice_http, live_server, f"/columns/{doing}/tasks/new", title="Second")
    second = receive_until(bob, "Second")
    assert diff_version(second) == version + 2
    htmx_post(alice_http, live_server, f"/boards/{board_id}/columns", name="QA")
    qa = receive_until(bob, "QA")
    assert ">QA <span" in qa and diff_version(qa) == version + 3


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
    """Two members move the same card at the same moment, many times: the page receives
    every version once, and applying them in order (as app.js does, waiting for one
    published out of order) gives the board as the database holds it, the card once."""
    board_id, task_id, _ = board_with_task
    sessions = [http_login(live_server, "alice"), http_login(live_server, "bob")]
    watcher = ws_connect(live_server, f"/ws/board/{board_id}", sessions[0])
    frames = following(watcher)
    start, shown = kanban_state(next(f for f in frames if 'id="kanban"' in f))
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
    assert truth[0] == start + 16
    diffs: dict[int, str] = {}

    def all_arrived(frame: str) -> bool:
        if (version := diff_version(frame)) is not None:
            assert version not in diffs, "a version came twice"
            diffs[version] = frame
        return len(diffs) == 16

    frames_until(watcher, all_arrived, timeout=10)
    assert sorted(diffs) == list(range(start + 1, truth[0] + 1))
    column_ids = re.findall(r'<section class="column" id="column-(\d+)"', kanban_html_of(frames))
    columns = dict(zip(column_ids, shown, strict=True))
    for version in sorted(diffs):
        apply_diff(columns, diffs[version])
    assert list(columns.values()) == truth[1]
    assert sum(len(c) for c in truth[1]) == 1


def kanban_html_of(frames: list[str]) -> str:
    return next(f for f in frames if 'id="kanban"' in f)


def test_a_one_card_change_sends_each_viewer_at_most_2_kb_on_a_big_board(
    live_server, board_with_task, app
):
    """300 tasks: creating, moving, editing and deleting one card sends each viewer (and
    the actor's htmx answer) only that change, at most 2 KB."""
    board_id, task_id, (todo, doing, _) = board_with_task
    seed_tasks(app, todo, 150)
    seed_tasks(app, doing, 150)
    alice_http, bob_http = http_login(live_server, "alice"), http_login(live_server, "bob")
    viewer = ws_connect(live_server, f"/ws/board/{board_id}", bob_http)
    version = kanban_state(kanban_html_of(following(viewer)))[0]
    token = live_csrf(alice_http, live_server)
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    long_title = "A task with a title as long as most real ones are, give or take"

    def change(path: str, **data) -> int:
        nonlocal version
        response = alice_http.post(
            f"{live_server}{path}", data=data, headers=htmx, allow_redirects=False
        )
        assert response.status_code in (200, 302), response.text[:300]
        if response.status_code == 200:
            assert len(response.content) <= 2048 and 'id="kanban"' not in response.text
        version += 1
        frames = frames_until(viewer, lambda f: diff_version(f) == version)
        return sum(len(f.encode()) for f in frames)

    sizes = {
        "create": change(f"/columns/{todo}/tasks/new", title=long_title, priority="high"),
        "move": change(f"/tasks/{task_id}/move", direction="right"),
        "drop": change(f"/tasks/{task_id}/move", column_id=todo, position=75),
        "edit": change(
            f"/tasks/{task_id}/edit", title=long_title + "!", priority="urgent", csrf_token=token
        ),
        "delete": change(f"/tasks/{task_id}/delete", csrf_token=token),
    }
    assert max(sizes.values()) <= 2048, sizes


def test_personal_stream_socket(live_server, board_with_task):
    assert close_code(ws_connect(live_server, "/ws/notifications")) == 4401
    bob = ws_connect(live_server, "/ws/notifications", http_login(live_server, "bob"))
    first = receive_until(bob, 'id="notification-badge"')
    assert 'data-count="0"' in first and 'hx-swap-oob="true"' in first
