"""History (boards/history.py), archive instead of delete, and Undo (undo_service.py), as
plain forms and as htmx answers: each change is an event written in its own transaction."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from taskflow.extensions import db
from taskflow.models import Task, TaskEvent

from .helpers import add_member, columns, create_board, create_task


def events(app, **where) -> list[tuple[str, dict]]:
    with app.app_context():
        query = select(TaskEvent).filter_by(**where).order_by(TaskEvent.id)
        found = [(e.kind, dict(e.data)) for e in db.session.scalars(query)]
        db.session.remove()
    return found


def count_events(app) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(TaskEvent))
        db.session.remove()
    return found


def undo_url(html: str) -> str:
    found = re.search(r'action="(/boards/\d+/undo/\d+)"', html)
    assert found, html[:500]
    return found.group(1)


def board(login, *titles):
    alice, bob = login("alice"), login("bob")
    board_id = create_board(alice)
    add_member(alice, board_id, "bob")
    (todo, *_), (doing, *_), (done, *_) = columns(alice.http.application, board_id)
    ids = [create_task(alice, todo, t) for t in titles]
    return alice, bob, board_id, (todo, doing, done), ids


def test_every_change_is_an_event_that_reads_as_a_sentence(app, login):
    alice, bob, board_id, (todo, doing, done), (task,) = board(login, "Draft")
    from .test_boards import _user_id

    edit = {"title": "Final", "priority": "high", "due_date": "2026-12-24"}
    alice.post(f"/tasks/{task}/edit", {**edit, "assignee_id": _user_id(app, "bob")})
    alice.post(f"/tasks/{task}/edit", {**edit, "assignee_id": ""})
    bob.post(f"/tasks/{task}/move", {"direction": "right"})
    alice.post(f"/columns/{doing}/rename", {f"column-{doing}-name": "Doing"})
    alice.post(f"/tasks/{task}/archive")
    alice.post(f"/tasks/{task}/restore")
    kinds = [kind for kind, _ in events(app, task_id=task)]
    assert kinds == [
        "created", "renamed", "assigned", "due_changed", "priority_changed", "unassigned",
        "moved", "archived", "restored",
    ]  # fmt: skip
    assert events(app, task_id=task)[6][1]["from"] == "To Do"
    assert events(app, column_id=doing, task_id=None) == [
        ("column_renamed", {"from": "In Progress", "to": "Doing"})
    ]
    page = alice.get(f"/tasks/{task}").get_data(as_text=True)
    history = page[page.index('id="history-heading') :]
    # The names as they were: the move reads "In Progress" after the column's rename.
    assert "bob moved this from To Do to In Progress" in history
    assert "alice renamed this from “Draft” to “Final”" in history
    assert "alice assigned this to bob" in history and "<time datetime=" in history
    # Newest first, capped: the older ones on a page of their own.
    assert history.index("restored this") < history.index("archived this")
    assert f"/tasks/{task}/history?before=" not in history  # 9 events: all shown
    feed = bob.get(f"/boards/{board_id}/activity").get_data(as_text=True)
    assert f'<a href="/tasks/{task}">“Final”</a> from To Do to In Progress' in feed
    assert "alice renamed the column In Progress to Doing" in feed


def test_the_history_is_paged(app, login):
    alice, _bob, board_id, _columns, (task,) = board(login, "Busy")
    for step in range(11):
        alice.post(f"/tasks/{task}/move", {"direction": "right" if step % 2 == 0 else "left"})
    page = alice.get(f"/tasks/{task}").get_data(as_text=True)
    older = re.search(rf'href="(/tasks/{task}/history\?before=\d+)"', page)
    assert older and page.count('<li id="event-') == 10
    rest = alice.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert rest.count('<li id="event-') == 2 and "alice created this in To Do" in rest
    with app.app_context():  # 60 events: the feed shows 50, then "Older activity"
        db.session.add_all(TaskEvent(board_id=board_id, kind="moved", data={}) for _ in range(48))
        db.session.commit()
        db.session.remove()
    feed = alice.get(f"/boards/{board_id}/activity").get_data(as_text=True)
    assert feed.count('<li id="event-') == 50 and 'id="older-activity"' in feed
    assert "Nothing yet." not in feed


def test_a_refused_or_rolled_back_change_leaves_no_event(app, login):
    alice, _bob, board_id, (todo, doing, done), (task,) = board(login, "Keep")
    before = count_events(app)
    assert alice.post(f"/tasks/{task}/move", {"direction": "sideways"}).status_code == 400
    alice.post(f"/columns/{done}/archive")
    before = count_events(app)
    response = alice.post(f"/tasks/{task}/move", {"column_id": done, "position": 0})
    assert response.status_code == 404  # into an archived column: refused
    alice.post(f"/tasks/{task}/archive")
    after_archive = count_events(app)
    assert after_archive == before + 1
    assert alice.post(f"/tasks/{task}/move", {"direction": "right"}).status_code == 409
    assert alice.post(f"/tasks/{task}/archive").status_code == 409
    assert count_events(app) == after_archive
    # The event is added to the change's own transaction: rolled back with it.
    from taskflow.boards import history

    with app.app_context(), app.test_request_context():
        row = db.session.get(Task, task)
        row.title = "Never saved"
        history.record(board_id, None, "renamed", row, **{"from": "Keep", "to": "Never saved"})
        db.session.rollback()
        db.session.remove()
    assert count_events(app) == after_archive


def test_the_mover_undoes_a_move_with_htmx(app, login):
    alice, bob, board_id, (todo, doing, done), (a, b) = board(login, "A", "B")
    response = alice.post(f"/tasks/{a}/move", {"direction": "right"}, htmx=True)
    body = response.get_data(as_text=True)
    assert 'hx-swap-oob="beforeend:#flash"' in body and ">Undo</button>" in body
    url = undo_url(body)
    assert bob.post(url, htmx=True).status_code == 403  # only the one who moved it
    response = alice.post(url, htmx=True)
    assert response.status_code == 200 and 'id="board-diff"' in response.get_data(True)
    assert ">Undo</button>" not in response.get_data(True)  # an undo has none of its own
    assert columns(app, board_id)[0][2] == ["A", "B"]  # back at its place
    assert events(app, task_id=a)[-1][0] == "moved"  # the undo is a move, in the history
    response = alice.post(url, htmx=True)
    assert response.status_code == 409 and "changed since" in response.get_data(True)


def test_undo_is_refused_after_a_later_change_and_after_its_time(app, login):
    alice, bob, board_id, (todo, doing, done), (a,) = board(login, "A")
    url = undo_url(alice.post(f"/tasks/{a}/move", {"direction": "right"}, htmx=True).get_data(True))
    bob.post(f"/tasks/{a}/move", {"direction": "right"})  # moved on since
    response = alice.post(url, htmx=True)
    assert response.status_code == 409 and "Can&#39;t undo: it changed since." in response.get_data(
        True
    )
    assert columns(app, board_id)[2][2] == ["A"]
    url = undo_url(alice.post(f"/tasks/{a}/move", {"direction": "left"}, htmx=True).get_data(True))
    with app.app_context():  # three minutes later
        for event in db.session.scalars(select(TaskEvent)):
            event.created_at -= timedelta(minutes=3)
        db.session.commit()
        db.session.remove()
    response = alice.post(url)
    assert response.status_code == 409 and "too late" in response.get_data(True)
    assert columns(app, board_id)[1][2] == ["A"]


def test_undo_without_javascript_archive_and_column_archive(app, login):
    alice, _bob, board_id, (todo, doing, done), (a, b, c) = board(login, "A", "B", "C")
    # A plain form: the notice and its Undo button are on the page it comes back to, once.
    response = alice.post(f"/tasks/{b}/archive", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Task “B” archived." in page and ">Undo</button>" in page
    assert ">Undo</button>" not in alice.get(f"/boards/{board_id}").get_data(True)
    assert columns(app, board_id)[0][2] == ["A", "C"]
    assert alice.post(undo_url(page)).status_code == 302
    assert columns(app, board_id)[0][2] == ["A", "B", "C"]  # where it was, not at the end
    page = alice.post(f"/columns/{todo}/archive", follow_redirects=True).get_data(True)
    assert [name for _, name, _ in columns(app, board_id)] == ["In Progress", "Done"]
    assert alice.post(undo_url(page)).status_code == 302
    assert columns(app, board_id)[0] == (todo, "To Do", ["A", "B", "C"])
    # A move from the task page without JavaScript offers its Undo there too.
    page = alice.post(
        f"/tasks/{a}/move", {"direction": "right", "back": "task"}, follow_redirects=True
    ).get_data(True)
    assert "is now in In Progress" in page and ">Undo</button>" in page
    alice.post(undo_url(page))
    assert columns(app, board_id)[0][2] == ["A", "B", "C"]


def test_archived_page_restores_tasks_to_a_live_column(app, login):
    alice, bob, board_id, (todo, doing, done), (a,) = board(login, "A")
    alice.post(f"/tasks/{a}/archive")
    alice.post(f"/columns/{todo}/archive")
    page = bob.get(f"/boards/{board_id}/archived").get_data(True)
    assert f'action="/tasks/{a}/restore"' in page and f'action="/columns/{todo}/restore"' in page
    assert bob.post(f"/tasks/{a}/restore").status_code == 302  # any member
    # Its column is archived: it goes to the end of the board's first column.
    assert columns(app, board_id)[0] == (doing, "In Progress", ["A"])
    board_page = bob.get(f"/boards/{board_id}").get_data(True)
    assert "To Do" not in board_page.split('id="kanban"')[1]


def test_labels_checklists_and_due_times_are_history_too(app, login):
    alice, bob, board_id, _, (task,) = board(login, "Plan")
    for name in ("bug", "ui"):
        alice.post(f"/boards/{board_id}/labels", {"name": name, "colour": "red"})
    with app.app_context():
        from taskflow.models import Label

        bug, ui = (str(label.id) for label in Label.of_board(board_id))
    bob.post(f"/tasks/{task}/labels", {"label_ids": [bug, ui]})
    bob.post(f"/tasks/{task}/labels", {"label_ids": [ui]})
    alice.post(f"/tasks/{task}/checklist", {"text": "Draft"})
    with app.app_context():
        from taskflow.models import ChecklistItem

        (item,) = (i.id for i in ChecklistItem.of_task(task))
    bob.post(f"/checklist/{item}/toggle", {"done": "1"})
    edit = {"title": "Plan", "priority": "medium", "due_date": "2026-12-24", "due_time": "14:30"}
    alice.post(f"/tasks/{task}/edit", edit)
    kinds = [(kind, data.get("names") or data.get("text") or data.get("to"))
             for kind, data in events(app, task_id=task)]  # fmt: skip
    assert kinds[1:] == [
        ("labelled", "bug, ui"), ("unlabelled", "bug"), ("checklist_added", "Draft"),
        ("checklist_checked", "Draft"), ("due_changed", "2026-12-24 14:30 UTC"),
    ]  # fmt: skip
    page = alice.get(f"/tasks/{task}").get_data(as_text=True)
    history = page[page.index('id="history-heading') :]
    assert "bob labelled this bug, ui" in history and "bob took the label bug off this" in history
    assert "bob checked “Draft” on this" in history


def test_an_archived_tasks_shared_page_restores_with_each_readers_token(app, login):
    """The task's detail is rendered once for every reader: its Restore button posts the
    page's own form, which holds the reader's token, and carries no token itself."""
    from taskflow.boards.live import task_html

    alice, bob, _, _, (task,) = board(login, "Old")
    alice.post(f"/tasks/{task}/archive")
    with app.test_request_context():
        shared = task_html(task)
    assert "csrf_token" not in shared
    assert f'form="checklist-form" formaction="/tasks/{task}/restore"' in shared
    page = bob.get(f"/tasks/{task}").get_data(as_text=True)
    token = re.search(r'id="checklist-form".*?value="([^"]+)"', page, re.S).group(1)
    response = bob.post(f"/tasks/{task}/restore", {"csrf_token": token}, csrf=False)
    assert response.status_code == 302
    assert events(app, task_id=task)[-1][0] == "restored"


def test_a_boards_archive_and_restore_are_in_its_feed(app, login):
    alice, bob, board_id, _, _ = board(login)
    assert alice.post(f"/boards/{board_id}/archive").status_code == 302
    assert alice.post(f"/boards/{board_id}/archive").status_code == 302  # again: no event
    assert bob.post(f"/boards/{board_id}/restore").status_code == 302
    assert [kind for kind, _ in events(app, board_id=board_id, task_id=None)] == [
        "board_archived", "board_restored"
    ]  # fmt: skip
    feed = bob.get(f"/boards/{board_id}/activity").get_data(as_text=True)
    assert "alice archived the board Launch" in feed and "bob restored the board Launch" in feed
