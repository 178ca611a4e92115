""" "My tasks" (issue 23): every task assigned to me across my boards, grouped by due in my
zone, bounded ("More tasks"), and live: B assigns a task to A, A's open page shows it."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from taskflow.extensions import db
from taskflow.models import Board, Task, User
from taskflow.timezones import today

from .conftest import as_user, expect_socket_open, http_login, live_csrf
from .helpers import seed_tasks

ZONE = "Pacific/Kiritimati"  # UTC+14: its day is mostly not UTC's


def sections(html: str) -> dict[str, list[str]]:
    """Each group's heading and the titles listed under it, in order."""
    found = {}
    for part in html.split('<section class="my-tasks-group"')[1:]:
        heading = re.search(r"<h2[^>]*>([^<]+?) <span", part)[1]
        found[heading] = re.findall(r'<a href="/tasks/\d+">([^<]+)</a>', part)
    return found


def test_my_tasks_are_grouped_by_due_in_my_zone(app, board_with_task):
    board_id, _task, (todo, _doing, _done) = board_with_task
    ids = seed_tasks(app, todo, 6, "Mine")
    with app.app_context():
        alice = User.by_username("alice")
        alice.time_zone = ZONE
        now = today(ZONE)
        days = [
            now - timedelta(days=2),
            now,
            now + timedelta(days=3),
            now + timedelta(days=20),
            None,
        ]
        for task_id, day in zip(ids, days, strict=False):
            db.session.execute(
                update(Task).where(Task.id == task_id).values(assignee_id=alice.id, due_date=day)
            )
        # The sixth: bob's, not hers; and one of hers on a board she is not on is not listed.
        other = Board.create("Elsewhere", "", User.by_username("bob"))
        db.session.flush()
        db.session.add(
            Task(column=other.columns[0], title="Not hers to see", position=0, assignee_id=alice.id)
        )
        db.session.commit()
        db.session.remove()
    page = as_user(app, "alice").get("/my-tasks").get_data(as_text=True)
    assert sections(page) == {
        "Overdue": ["Mine 1"],
        "Today": ["Mine 2"],
        "This week": ["Mine 3"],
        "Later": ["Mine 4"],
        "No due date": ["Mine 5"],
    }
    assert f'href="/boards/{board_id}">Launch</a>' in page
    assert 'href="/my-tasks" aria-current="page">My tasks</a>' in page
    assert ">Overdue</span>" in page and ">Due today</span>" in page  # words, not colour alone


def test_my_tasks_is_bounded_with_more(app, board_with_task):
    from taskflow.boards.my_tasks import PAGE

    _board, _task, (todo, _doing, _done) = board_with_task
    ids = seed_tasks(app, todo, PAGE + 3, "Mine")
    with app.app_context():
        alice_id = User.by_username("alice").id
        db.session.execute(update(Task).where(Task.id.in_(ids)).values(assignee_id=alice_id))
        db.session.commit()
        db.session.remove()
    alice = as_user(app, "alice")
    first = alice.get("/my-tasks").get_data(as_text=True)
    assert first.count('<li id="my-task-') == PAGE and "More tasks" in first
    second = alice.get("/my-tasks?page=2").get_data(as_text=True)
    assert second.count('<li id="my-task-') == 3 and "More tasks" not in second
    assert alice.get("/my-tasks?page=-1").status_code == 200
    assert alice.get("/my-tasks?page=99999999999999999999").status_code == 200
    fragment = alice.get("/my-tasks?page=2", htmx=True).get_data(as_text=True)
    assert fragment.startswith('<div id="my-tasks">')


def test_my_tasks_follows_an_assignment_live(app, board_with_task, live_server, new_page):
    """B (alice) assigns a task to A (bob) while bob's My tasks is open: it shows it, and
    follows its column's and its board's archive and restore."""
    board_id, task_id, (todo, _, _) = board_with_task
    page = new_page("bob", base_url=live_server)
    page.goto("/my-tasks")
    expect(page.get_by_text("No task is assigned to you.")).to_be_visible()
    expect_socket_open(page)
    with app.app_context():
        bob_id = User.by_username("bob").id
        db.session.remove()
    alice = http_login(live_server, "alice")
    token = live_csrf(alice, live_server)
    answer = alice.post(
        f"{live_server}/tasks/{task_id}/edit",
        data={
            "csrf_token": token,
            "title": "Ship it",
            "priority": "medium",
            "assignee_id": str(bob_id),
            "due_date": "",
        },
        allow_redirects=False,
    )
    assert answer.status_code == 302
    group = page.get_by_role("region", name="No due date (1)")
    expect(group.get_by_role("link", name="Ship it")).to_be_visible()
    expect(group.get_by_role("link", name="Launch")).to_be_visible()
    # Its column archived, it leaves bob's list; restored, it comes back.
    alice.post(f"{live_server}/columns/{todo}/archive", data={"csrf_token": token})
    expect(page.get_by_text("No task is assigned to you.")).to_be_visible()
    alice.post(f"{live_server}/columns/{todo}/restore", data={"csrf_token": token})
    expect(group.get_by_role("link", name="Ship it")).to_be_visible()
    # Its board likewise.
    alice.post(f"{live_server}/boards/{board_id}/archive", data={"csrf_token": token})
    expect(page.get_by_text("No task is assigned to you.")).to_be_visible()
    alice.post(f"{live_server}/boards/{board_id}/restore", data={"csrf_token": token})
    expect(group.get_by_role("link", name="Ship it")).to_be_visible()
    alice.post(  # unassigned: it leaves bob's list
        f"{live_server}/tasks/{task_id}/edit",
        data={"csrf_token": token, "title": "Ship it", "priority": "medium", "assignee_id": "0"},
    )
    expect(page.get_by_text("No task is assigned to you.")).to_be_visible()
