"""Checklists on tasks (issue 23): items added, checked by any member, renamed, deleted,
reordered and made tasks of their own, as plain forms (POST, then back to the task page)
and with htmx (the task's detail); bounded; the card's "done/total" from the task's
counters, sent live to the board's viewers and the task page's."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DatabaseError

from taskflow.boards import checklist_service
from taskflow.extensions import db
from taskflow.models import ChecklistItem, Task, TaskEvent, User
from taskflow.models.checklist import ITEMS_MAX, TEXT_MAX

from .conftest import as_user, following, http_login, receive_until, ws_connect
from .helpers import add_member, columns, create_board, create_task, failing_insert


def team(app, login):
    """alice's board with bob a member and task "Launch" in To Do; mallory on no board."""
    alice, bob, mallory = login("alice"), login("bob"), login("mallory")
    board_id = create_board(alice)
    add_member(alice, board_id, "bob", bob)
    todo = columns(app, board_id)[0][0]
    task = create_task(alice, todo, "Launch")
    return alice, bob, mallory, board_id, todo, task


def items(app, task_id: int) -> list[tuple[str, bool]]:
    with app.app_context():
        rows = ChecklistItem.of_task(task_id)
        result = [(i.text, i.done) for i in rows]
        db.session.remove()
        return result


def item_ids(app, task_id: int) -> list[int]:
    with app.app_context():
        ids = [i.id for i in ChecklistItem.of_task(task_id)]
        db.session.remove()
        return ids


def counters(app, task_id: int) -> tuple[int, int]:
    with app.app_context():
        task = db.session.get(Task, task_id)
        result = task.checklist_done, task.checklist_total
        db.session.remove()
        return result


def add(client, task_id: int, text: str, **kw):
    return client.post(f"/tasks/{task_id}/checklist", {"text": text}, **kw)


def test_items_are_added_checked_renamed_and_deleted_as_plain_forms(app, login):
    alice, bob, _, board_id, _, task = team(app, login)
    page = alice.get(f"/tasks/{task}").get_data(True)
    assert 'id="checklist-form"' in page and "Add an item" in page
    assert "card-checklist" not in alice.get(f"/boards/{board_id}").get_data(True)  # none yet

    response = add(alice, task, "  Write   the copy ")
    assert response.status_code == 302
    assert re.search(rf"/tasks/{task}#checklist-item-\d+$", response.location)
    assert add(alice, task, "Check the links").status_code == 302
    assert items(app, task) == [("Write the copy", False), ("Check the links", False)]
    first, second = item_ids(app, task)

    # bob, a member who did not write it, checks the first item off
    response = bob.post(f"/checklist/{first}/toggle", {"done": "1"})
    assert response.status_code == 302 and response.location.endswith(f"#checklist-item-{first}")
    assert items(app, task)[0] == ("Write the copy", True) and counters(app, task) == (1, 2)
    with app.app_context():
        assert db.session.get(ChecklistItem, first).done_by.username == "bob"
    # asking for the state it is in changes nothing (two people ticking at once: ticked)
    assert alice.post(f"/checklist/{first}/toggle", {"done": "1"}).status_code == 302
    assert counters(app, task) == (1, 2)

    board = bob.get(f"/boards/{board_id}").get_data(True)
    assert ">1/2<" in board and "1 of 2 checklist items done" in board
    page = bob.get(f"/tasks/{task}").get_data(True)
    assert 'aria-pressed="true"' in page and 'aria-pressed="false"' in page

    edit = bob.get(f"/checklist/{second}/edit")
    assert edit.status_code == 200 and 'value="Check the links"' in edit.get_data(True)
    response = bob.post(f"/checklist/{second}/edit", {"text": "Check every link"})
    assert response.status_code == 302
    assert items(app, task)[1] == ("Check every link", False)

    assert bob.post(f"/checklist/{first}/delete").status_code == 302
    assert items(app, task) == [("Check every link", False)] and counters(app, task) == (0, 1)
    assert alice.post(f"/checklist/{second}/toggle").status_code == 302  # no `done`: flips
    assert counters(app, task) == (1, 1)
    assert "card-checklist complete" in alice.get(f"/boards/{board_id}").get_data(True)
    assert alice.post(f"/checklist/{second}/delete").status_code == 302
    assert counters(app, task) == (0, 0)
    assert "card-checklist" not in alice.get(f"/boards/{board_id}").get_data(True)


def test_items_move_up_and_down_and_stay_numbered(app, login):
    alice, _, _, _, _, task = team(app, login)
    for text in ("one", "two", "three"):
        add(alice, task, text)
    one, two, three = item_ids(app, task)
    assert alice.post(f"/checklist/{three}/move", {"direction": "up"}).status_code == 302
    assert [t for t, _ in items(app, task)] == ["one", "three", "two"]
    alice.post(f"/checklist/{one}/move", {"direction": "down"})
    assert [t for t, _ in items(app, task)] == ["three", "one", "two"]
    alice.post(f"/checklist/{three}/move", {"direction": "up"})  # at the top: stays
    alice.post(f"/checklist/{two}/move", {"direction": "down"})  # at the bottom: stays
    assert [t for t, _ in items(app, task)] == ["three", "one", "two"]
    assert alice.post(f"/checklist/{one}/move", {"direction": "sideways"}).status_code == 400
    alice.post(f"/checklist/{one}/delete")
    with app.app_context():
        positions = [i.position for i in ChecklistItem.of_task(task)]
    assert positions == [0, 1]
    page = alice.get(f"/tasks/{task}").get_data(True)
    assert re.search(rf'id="checklist-item-{three}-up"[^>]*disabled', page)
    assert re.search(rf'id="checklist-item-{two}-down"[^>]*disabled', page)


def test_make_task_puts_a_new_task_in_the_column_and_takes_the_item_out(app, login):
    alice, bob, _, board_id, todo, task = team(app, login)
    add(alice, task, "Book the venue")
    add(alice, task, "Order food")
    venue, food = item_ids(app, task)
    bob.post(f"/checklist/{food}/toggle", {"done": "1"})
    response = bob.post(f"/checklist/{venue}/task")
    assert response.status_code == 302 and response.location.endswith(
        f"/tasks/{task}#checklist-{task}"
    )
    assert columns(app, board_id)[0][2] == ["Launch", "Book the venue"]
    assert items(app, task) == [("Order food", True)] and counters(app, task) == (1, 1)
    with app.app_context():
        made = db.session.scalar(select(Task).where(Task.title == "Book the venue"))
        assert made.column_id == todo and made.created_by.username == "bob"
    page = bob.get(f"/tasks/{task}").get_data(True)
    assert "is now a task in To Do" in page
    # a second click on the same (stale) button makes no second task
    assert bob.post(f"/checklist/{venue}/task").status_code == 404
    assert columns(app, board_id)[0][2] == ["Launch", "Book the venue"]


def test_make_task_is_one_transaction_a_failure_keeps_the_item(app, login):
    """The item leaves the checklist only with its task made: the task's insert refused
    (a real trigger), the item, the counters and the history are as they were."""
    alice, _, _, _, _, task = team(app, login)
    add(alice, task, "boom")
    (item,) = item_ids(app, task)
    with failing_insert(app, "tasks", "title", "boom"), app.app_context():
        actor = User.by_username("alice")
        with pytest.raises(DatabaseError):
            checklist_service.make_task(db.session.get(ChecklistItem, item), actor)
        db.session.rollback()
    assert items(app, task) == [("boom", False)] and counters(app, task) == (0, 1)
    with app.app_context():
        kinds = [e.kind for e in TaskEvent.of_task(task, None, 10)]
    assert "checklist_made_task" not in kinds and kinds[0] == "checklist_added"


def test_htmx_answers_with_the_task_detail(app, login):
    alice, _, _, _, _, task = team(app, login)
    response = add(alice, task, "Ship it", htmx=True)
    body = response.get_data(True)
    assert response.status_code == 200 and body.startswith(
        f'<article class="task-detail" id="task-detail-{task}"'
    )
    assert "<html" not in body and "Ship it" in body
    # out of band, found by its id (the socket may have replaced the element that asked)
    assert 'hx-swap-oob="true"' in body.split(">", 1)[0] and response.headers["HX-Reswap"] == "none"
    (item,) = item_ids(app, task)
    response = alice.post(f"/checklist/{item}/toggle", {"done": "1"}, htmx=True)
    assert response.status_code == 200 and 'aria-pressed="true"' in response.get_data(True)
    version = re.search(r'data-version="(\d+)"', response.get_data(True))[1]
    assert int(version) >= 2  # each change moves the task's version on (live.js keeps newer)
    add(alice, task, "Tell the press", htmx=True)
    response = alice.post(f"/checklist/{item_ids(app, task)[1]}/task", htmx=True)
    assert response.status_code == 200 and 'hx-swap-oob="beforeend:#flash"' in response.get_data(
        True
    )
    assert "“Tell the press” is now a task in To Do." in response.get_data(True)
    response = add(alice, task, "x" * (TEXT_MAX + 1), htmx=True)
    assert response.status_code == 422
    assert f"at most {TEXT_MAX} characters" in response.get_data(True)


def test_text_is_bounded_and_a_checklist_holds_at_most_100_items(app, login):
    alice, _, _, _, _, task = team(app, login)
    response = add(alice, task, "x" * (TEXT_MAX + 1))
    body = response.get_data(True)
    assert response.status_code == 422 and f"at most {TEXT_MAX} characters" in body
    assert "x" * (TEXT_MAX + 1) in body  # what was typed is not lost
    assert add(alice, task, "   ").status_code == 422
    assert add(alice, task, "x" * TEXT_MAX).status_code == 302
    (first,) = item_ids(app, task)
    response = alice.post(f"/checklist/{first}/edit", {"text": "y" * (TEXT_MAX + 1)})
    assert response.status_code == 422 and "at most" in response.get_data(True)
    assert response.get_data(True).count('role="alert"') == 1

    with app.app_context():  # fill it up to the bound (the service's rule, not the form's)
        db.session.add_all(
            ChecklistItem(task_id=task, text=f"item {n}", position=n) for n in range(1, ITEMS_MAX)
        )
        db.session.get(Task, task).checklist_total = ITEMS_MAX
        db.session.commit()
        db.session.remove()
    response = add(alice, task, "one too many")
    assert response.status_code == 422
    assert f"at most {ITEMS_MAX} items" in response.get_data(True)
    assert len(item_ids(app, task)) == ITEMS_MAX and counters(app, task) == (0, ITEMS_MAX)
    page = alice.get(f"/tasks/{task}").get_data(True)
    assert "This checklist is full" in page and 'id="checklist-add-' not in page


def test_csrf_and_access(app, login):
    alice, _, mallory, _, _, task = team(app, login)
    add(alice, task, "Secret step")
    (item,) = item_ids(app, task)
    response = alice.post(f"/tasks/{task}/checklist", {"text": "forged"}, csrf=False)
    assert response.status_code == 400
    assert alice.post(f"/checklist/{item}/toggle", {"done": "1"}, csrf=False).status_code == 400
    assert alice.post(f"/checklist/{item}/delete", csrf=False).status_code == 400
    assert items(app, task) == [("Secret step", False)]
    # someone off the board: nothing there, whatever they try
    assert add(mallory, task, "mine").status_code == 404
    for action, form in (
        ("toggle", {"done": "1"}),
        ("delete", {}),
        ("task", {}),
        ("edit", {"text": "x"}),
    ):
        assert mallory.post(f"/checklist/{item}/{action}", form).status_code == 404
    assert mallory.post(f"/checklist/{item}/move", {"direction": "up"}).status_code == 404
    assert mallory.get(f"/checklist/{item}/edit").status_code == 404
    assert alice.get("/checklist/999999/edit").status_code == 404
    assert items(app, task) == [("Secret step", False)]
    assert alice.post(f"/checklist/{item}/toggle", {"done": "maybe"}).status_code == 400


def test_a_checklist_change_is_sent_to_the_board_and_the_task_page(live_server, app, make_user):
    for name in ("alice", "bob"):
        make_user(name)
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    board_id = create_board(alice)
    add_member(alice, board_id, "bob", bob)
    task = create_task(alice, columns(app, board_id)[0][0], "Launch")
    add(alice, task, "one")
    add(alice, task, "two")
    first = item_ids(app, task)[0]
    bob_http = http_login(live_server, "bob")
    board_ws = ws_connect(live_server, f"/ws/board/{board_id}", bob_http)
    task_ws = ws_connect(live_server, f"/ws/task-comments/{task}", bob_http)
    try:
        following(board_ws)
        following(task_ws)
        assert alice.post(f"/checklist/{first}/toggle", {"done": "1"}).status_code == 302
        diff = receive_until(board_ws, 'id="board-diff"')
        assert f'id="task-{task}"' in diff and "1 of 2 checklist items done" in diff
        detail = receive_until(task_ws, f'id="task-detail-{task}"')
        assert 'aria-pressed="true"' in detail and "csrf_token" not in detail
    finally:
        board_ws.close()
        task_ws.close()


def test_an_archived_task_keeps_its_checklist_and_a_removed_one_takes_it(app, login):
    alice, _, _, _, _, task = team(app, login)
    add(alice, task, "Kept while archived")
    (item,) = item_ids(app, task)
    assert alice.post(f"/tasks/{task}/delete").status_code == 302  # archives it
    assert items(app, task) == [("Kept while archived", False)]
    with app.app_context():
        db.session.get(Task, task).remove()  # as a board deleted for good takes its tasks
        db.session.commit()
        assert db.session.get(ChecklistItem, item) is None
        db.session.remove()
    assert alice.post(f"/checklist/{item}/toggle", {"done": "1"}).status_code == 404


def test_the_migration_goes_down_and_up_again(tmp_path, redis_url):
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from .conftest import autoincrement_of_never_reused_tables, scratch_app

    app = scratch_app(tmp_path, redis_url)
    with app.app_context():
        upgrade()
        config = app.extensions["migrate"].migrate.get_config()
        before = ScriptDirectory.from_config(config).get_revision("b23chk000001").down_revision
        downgrade(revision=before)
        schema = inspect(db.engine)
        assert "checklist_items" not in schema.get_table_names()
        assert "checklist_total" not in {c["name"] for c in schema.get_columns("tasks")}
        upgrade()
        assert "checklist_items" in inspect(db.engine).get_table_names()
        kept = autoincrement_of_never_reused_tables()
        assert kept["tasks"] and kept["checklist_items"], kept
        db.session.remove()
