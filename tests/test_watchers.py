"""Watchers (issue 23): Watch/Unwatch on the task page (plain form and htmx), commenters and
the assignee watch by default, watchers told of comments and moves but not of their own,
once each, and the number of watchers bounded."""

from sqlalchemy import select

from taskflow.extensions import db
from taskflow.models import Notification, TaskWatch, User
from taskflow.models.notification import TASK_COMMENT, TASK_MOVED
from taskflow.models.watch import MAX_WATCHERS

from .conftest import as_user, run_jobs


def told(app, kind: str) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.type == kind)).all()
        names = sorted(n.recipient.username for n in rows)
        db.session.remove()
        return names


def watchers(app, task_id: int) -> set[str]:
    with app.app_context():
        ids = TaskWatch.watcher_ids(task_id)
        names = {db.session.get(User, i).username for i in ids}
        db.session.remove()
        return names


def test_watch_and_unwatch_without_javascript_and_with_htmx(app, board_with_task):
    _board, task_id, _columns = board_with_task
    bob, carol = as_user(app, "bob"), as_user(app, "carol")
    page = bob.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert ">Watch</button>" in page and "Not watching." in page
    answer = bob.post(f"/tasks/{task_id}/watch", {"action": "watch"})
    assert answer.status_code == 302 and answer.location.endswith(f"/tasks/{task_id}")
    assert watchers(app, task_id) == {"bob"}
    assert ">Unwatch</button>" in bob.get(f"/tasks/{task_id}").get_data(as_text=True)
    fragment = bob.post(f"/tasks/{task_id}/watch", {"action": "unwatch"}, htmx=True)
    assert fragment.status_code == 200 and ">Watch</button>" in fragment.get_data(as_text=True)
    assert watchers(app, task_id) == set()
    assert bob.post(f"/tasks/{task_id}/watch", {"action": "nonsense"}).status_code == 400
    assert carol.post(f"/tasks/{task_id}/watch", {"action": "watch"}).status_code == 404
    assert bob.post(f"/tasks/{task_id}/watch", {"action": "watch"}, csrf=False).status_code == 400


def test_watchers_hear_of_comments_and_moves_but_not_their_own(app, board_with_task):
    _board, task_id, columns = board_with_task
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    assert alice.post(f"/tasks/{task_id}/comments", {"content": "first"}).status_code in (200, 302)
    assert watchers(app, task_id) == {"alice"}  # a commenter watches by default
    bob.post(f"/tasks/{task_id}/comments", {"content": "second"})
    run_jobs(app)
    run_jobs(app)  # a second run adds nothing
    assert told(app, TASK_COMMENT) == ["alice"]  # of bob's, not of her own

    bob.post(f"/tasks/{task_id}/move", {"column_id": str(columns[1])})
    alice.post(f"/tasks/{task_id}/move", {"column_id": str(columns[0])})  # her own: no notice
    bob.post(f"/tasks/{task_id}/move", {"direction": "down"})  # within the column: no notice
    run_jobs(app)
    assert told(app, TASK_MOVED) == ["alice", "bob"]  # bob watches now: he commented
    center = alice.get("/notifications").get_data(as_text=True)
    assert "commented on this task" in center and "moved this task to In Progress" in center
    assert f'href="/tasks/{task_id}"' in center or f"/tasks/{task_id}" in center


def test_the_assignee_watches_by_default_and_watchers_are_capped(app, board_with_task):
    _board, task_id, _columns = board_with_task
    alice = as_user(app, "alice")
    with app.app_context():
        bob_id = User.by_username("bob").id
        db.session.remove()
    alice.post(
        f"/tasks/{task_id}/edit",
        {"title": "Ship it", "priority": "medium", "assignee_id": str(bob_id)},
    )
    assert watchers(app, task_id) == {"bob"}
    with app.app_context():
        for n in range(MAX_WATCHERS - 1):
            user = User(f"watcher{n}", "correct horse battery staple")
            db.session.add(user)
            db.session.flush()
            TaskWatch.add(task_id, user.id)
        db.session.commit()
        db.session.remove()
    answer = alice.post(f"/tasks/{task_id}/watch", {"action": "watch"})
    assert answer.status_code == 409
    assert len(watchers(app, task_id)) == MAX_WATCHERS
