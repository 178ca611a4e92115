"""Changes to a board (tasks and columns) are rate-limited per user like messages, and a
task's description is rendered once per change (issue 20: four clients editing 10,000-
character descriptions in parallel slowed every page)."""

import pytest

from taskflow import markup

from .helpers import columns, create_board, create_task


@pytest.fixture
def three_changes(app, monkeypatch):
    monkeypatch.setitem(app.config, "BOARD_EDIT_RATE_LIMIT", "3 per minute")


def task_row(app, task_id: int) -> tuple:
    from taskflow.extensions import db
    from taskflow.models import Task

    with app.app_context():
        task = db.session.get(Task, task_id)
        row = (task.title, task.description, task.column_id, task.position)
        db.session.remove()
    return row


def test_the_edit_over_the_limit_is_refused_and_nothing_is_written(app, login, three_changes):
    alice = login("alice")
    board_id = create_board(alice)
    todo, doing = (column[0] for column in columns(app, board_id)[:2])
    task = create_task(alice, todo, "First")  # one change
    for n in (1, 2):
        response = alice.post(f"/tasks/{task}/edit", {"title": f"Edit {n}", "priority": "low"})
        assert response.status_code == 302
    before = task_row(app, task)
    draft = "A long description I do not want to lose"
    response = alice.post(f"/tasks/{task}/edit", {"title": "Edit 3", "description": draft})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "You are changing boards too fast" in page and draft in page  # the form, kept
    # Nor by htmx (the board's quick actions): the message goes to the page's flash.
    response = alice.post(f"/tasks/{task}/move", {"column_id": doing}, htmx=True)
    assert response.status_code == 429
    assert "You are changing boards too fast" in response.get_data(True)
    for path, form in [
        (f"/columns/{todo}/tasks/new", {"title": "Another"}),
        (f"/tasks/{task}/delete", {}),
        (f"/columns/{todo}/rename", {f"column-{todo}-name": "Renamed"}),
        (f"/columns/{todo}/move", {"direction": "right"}),
        (f"/boards/{board_id}/columns", {"name": "New column"}),
        (f"/columns/{doing}/delete", {}),
    ]:
        for htmx in (False, True):
            response = alice.post(path, form, htmx=htmx)
            assert response.status_code == 429, (path, htmx, response.status_code)
            assert "You are changing boards too fast" in response.get_data(True)
    assert task_row(app, task) == before
    assert [(name, titles) for _, name, titles in columns(app, board_id)] == [
        ("To Do", ["Edit 2"]),
        ("In Progress", []),
        ("Done", []),
    ]


def test_a_description_is_rendered_once_per_change(app, login, monkeypatch):
    rendered = []
    render = markup.render_markdown

    def counted(text, mentioned_users=(), refs=None):
        rendered.append(text)
        return render(text, mentioned_users, refs)

    monkeypatch.setattr(markup, "render_markdown", counted)
    alice = login("alice")
    board_id = create_board(alice)
    todo = columns(app, board_id)[0][0]
    task = create_task(alice, todo, "Task")
    description = "A *long* description, with words and more words. " * 50
    response = alice.post(
        f"/tasks/{task}/edit", {"title": "Task", "description": description}, follow_redirects=True
    )
    assert response.status_code == 200 and "<em>long</em>" in response.get_data(True)
    alice.get(f"/tasks/{task}")
    alice.get(f"/boards/{board_id}")
    assert rendered.count(description.strip()) == 1
    alice.post(f"/tasks/{task}/edit", {"title": "Renamed", "description": description})
    alice.get(f"/tasks/{task}")
    assert rendered.count(description.strip()) == 1  # same text: nothing to render again


def test_renaming_a_board_is_limited_like_its_other_changes(app, login, three_changes):
    """A board's name and description reach every page that shows the board: its rename
    counts against BOARD_EDIT_RATE_LIMIT as a change to its tasks and columns does."""
    from taskflow.extensions import db
    from taskflow.models import Board

    alice = login("alice")
    board_id = create_board(alice)
    for n in (1, 2, 3):
        response = alice.post(f"/boards/{board_id}/edit", {"name": f"Name {n}"})
        assert response.status_code == 302
    response = alice.post(f"/boards/{board_id}/edit", {"name": "Name 4", "description": "x"})
    assert response.status_code == 429
    assert "You are changing boards too fast" in response.get_data(True)
    assert alice.get(f"/boards/{board_id}/edit").status_code == 200  # reading is not a change
    with app.app_context():
        board = db.session.get(Board, board_id)
        assert (board.name, board.description) == ("Name 3", "")
        db.session.remove()
