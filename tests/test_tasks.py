from .helpers import add_member, columns, create_board, create_task


def board_with_tasks(app, login, *titles):
    alice = login("alice")
    board_id = create_board(alice)
    todo = columns(app, board_id)[0][0]
    ids = [create_task(alice, todo, t) for t in titles]
    return alice, board_id, ids


def test_create_task_validates_and_shows_on_the_board(app, login):
    alice, board_id, _ = board_with_tasks(app, login)
    todo = columns(app, board_id)[0][0]
    response = alice.post(f"/columns/{todo}/tasks/new", {"title": ""})
    assert response.status_code == 422 and "This field is required" in response.get_data(True)
    response = alice.post(f"/columns/{todo}/tasks/new", {"title": "t" * 201})
    assert response.status_code == 422
    response = alice.post(f"/columns/{todo}/tasks/new", {"title": "Ship", "priority": "bogus"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(True)
    create_task(alice, todo, "Ship <b>it</b>", priority="urgent", due_date="2026-12-24")
    page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    assert "Ship &lt;b&gt;it&lt;/b&gt;" in page and "priority-urgent" in page


def test_quick_add_answers_htmx_with_only_the_change(app, login):
    alice, board_id, _ = board_with_tasks(app, login, "Old")
    todo = columns(app, board_id)[0][0]
    response = alice.post(f"/columns/{todo}/tasks/new", {"title": "Quick"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert body.lstrip().startswith('<div id="board-diff"'), body[:200]
    assert response.headers["HX-Reswap"] == "none"  # app.js applies it (#board-diff)
    assert "Quick" in body and "<html" not in body and "Old" not in body
    assert 'data-op="card"' in body and f'data-in-column="{todo}" data-position="1"' in body
    response = alice.post(f"/columns/{todo}/tasks/new", {"title": " "}, htmx=True)
    assert response.status_code == 422 and 'id="kanban"' in response.get_data(True)


def test_assignee_must_be_a_board_member(app, login):
    alice, board_id, _ = board_with_tasks(app, login)
    login("bob")
    outsider = login("mallory")
    add_member(alice, board_id, "bob")
    todo = columns(app, board_id)[0][0]
    from .test_boards import _user_id

    bob_id, mallory_id = _user_id(app, "bob"), _user_id(app, "mallory")
    response = alice.post(f"/columns/{todo}/tasks/new", {"title": "X", "assignee_id": mallory_id})
    assert response.status_code == 422
    task = create_task(alice, todo, "Y", assignee_id=bob_id)
    # The card names the assignee as people see them (issue 13: display names, else username).
    board = alice.get(f"/boards/{board_id}").get_data(True)
    assert 'aria-label="Assigned to bob" title="bob">B<' in board
    assert outsider.get(f"/tasks/{task}").status_code == 404


def test_edit_and_archive_task(app, login):
    alice, board_id, (task,) = board_with_tasks(app, login, "Draft")
    assert alice.get(f"/tasks/{task}").status_code == 200
    response = alice.post(
        f"/tasks/{task}/edit", {"title": "Final", "description": "line1\nline2", "priority": "high"}
    )
    assert response.status_code == 302
    page = alice.get(f"/tasks/{task}").get_data(as_text=True)
    assert "Final" in page and "line1<br>\nline2" in page
    assert alice.post(f"/tasks/{task}/edit", {"title": ""}).status_code == 422
    # Delete is Archive now (its old URL too): off the board, its page says so.
    assert "Archive the task" in alice.get(f"/tasks/{task}/delete").get_data(as_text=True)
    assert alice.post(f"/tasks/{task}/delete").status_code == 302
    assert columns(app, board_id)[0][2] == []
    page = alice.get(f"/tasks/{task}").get_data(as_text=True)
    assert "This task is archived" in page and 'id="restore-task"' in page
    assert alice.post(f"/tasks/{task}/restore").status_code == 302
    assert columns(app, board_id)[0][2] == ["Final"]


def test_keyboard_moves_reorder_and_change_columns(app, login):
    alice, board_id, (a, b, c) = board_with_tasks(app, login, "A", "B", "C")
    alice.post(f"/tasks/{c}/move", {"direction": "up"})
    assert columns(app, board_id)[0][2] == ["A", "C", "B"]
    alice.post(f"/tasks/{a}/move", {"direction": "up"})  # already first: stays
    alice.post(f"/tasks/{b}/move", {"direction": "down"})  # already last: stays
    assert columns(app, board_id)[0][2] == ["A", "C", "B"]
    response = alice.post(f"/tasks/{a}/move", {"direction": "right"}, htmx=True)
    assert f'id="task-{a}"' in response.get_data(as_text=True)
    assert f'data-focus="task-{a}-link"' in response.get_data(True)  # focus stays on the card
    board = columns(app, board_id)
    assert board[0][2] == ["C", "B"] and board[1][2] == ["A"]
    alice.post(f"/tasks/{c}/move", {"direction": "left"})  # already in the leftmost column
    alice.post(f"/tasks/{a}/move", {"direction": "left"})
    assert columns(app, board_id)[0][2] == ["A", "C", "B"]
    assert alice.post(f"/tasks/{a}/move", {"direction": "sideways"}).status_code == 400


def test_drop_moves_to_a_position_but_never_to_another_board(app, login):
    alice, board_id, (a, b) = board_with_tasks(app, login, "A", "B")
    done = columns(app, board_id)[2][0]
    assert alice.post(f"/tasks/{b}/move", {"column_id": done, "position": 0}).status_code == 302
    alice.post(f"/tasks/{a}/move", {"column_id": done, "position": 99})
    assert columns(app, board_id)[2][2] == ["B", "A"]
    other = columns(app, create_board(alice, "Other"))[0][0]
    assert alice.post(f"/tasks/{a}/move", {"column_id": other}).status_code == 400
    mallory = login("mallory")
    foreign = columns(app, create_board(mallory, "Mallory's"))[0][0]
    assert alice.post(f"/tasks/{a}/move", {"column_id": foreign}).status_code == 404
    assert mallory.post(f"/tasks/{a}/move", {"column_id": foreign}).status_code == 404
    assert alice.post(f"/tasks/{a}/move", {"column_id": "x"}).status_code == 400
    assert columns(app, board_id)[2][2] == ["B", "A"]


def positions(app, column_id: int) -> list[tuple[str, int]]:
    from sqlalchemy import select

    from taskflow.extensions import db
    from taskflow.models import Task

    with app.app_context():
        query = select(Task.title, Task.position).where(Task.column_id == column_id)
        found = db.session.execute(query.order_by(Task.position)).all()
        db.session.remove()
    return [tuple(r) for r in found]


def test_positions_stay_0_to_n_minus_1_through_moves_and_deletes(app, login):
    """A page shows a prefix of each column and places a changed card by its position, so
    positions must stay exactly 0..n-1 (shifted by UPDATEs, no task loaded)."""
    alice, board_id, (a, b, c, d) = board_with_tasks(app, login, "A", "B", "C", "D")
    todo, doing = columns(app, board_id)[0][0], columns(app, board_id)[1][0]
    alice.post(f"/tasks/{d}/move", {"column_id": todo, "position": 1})
    assert positions(app, todo) == [("A", 0), ("D", 1), ("B", 2), ("C", 3)]
    alice.post(f"/tasks/{a}/move", {"column_id": todo, "position": 2})
    assert positions(app, todo) == [("D", 0), ("B", 1), ("A", 2), ("C", 3)]
    alice.post(f"/tasks/{b}/move", {"direction": "right"})
    alice.post(f"/tasks/{c}/move", {"column_id": doing, "position": 0})
    assert positions(app, todo) == [("D", 0), ("A", 1)]
    assert positions(app, doing) == [("C", 0), ("B", 1)]
    alice.post(f"/tasks/{d}/archive")  # out of the order (ARCHIVED), the others close up
    assert positions(app, todo) == [("D", -1), ("A", 0)]
    alice.post(f"/tasks/{a}/move", {"direction": "right"})  # at the same place
    assert positions(app, doing) == [("A", 0), ("C", 1), ("B", 2)]
    assert positions(app, todo) == [("D", -1)]
    alice.post(f"/tasks/{d}/restore")  # to the end of its column
    assert positions(app, todo) == [("D", 0)]
