"""Due dates that matter (issue 23): a reminder sent exactly once by the RQ scheduler across a
worker restart, a stale reminder after a due change doing nothing, the overdue notice once,
and the due time converted from the setter's zone."""

from datetime import UTC, date, datetime, time, timedelta

from taskflow import due_dates
from taskflow import stack as processes
from taskflow.boards import task_service
from taskflow.boards.task_service import TaskFields
from taskflow.extensions import db
from taskflow.models import Notification, Task, User
from taskflow.models.notification import DUE_REMINDER, TASK_OVERDUE
from taskflow.notifications import jobs
from taskflow.notifications.task_events import OVERDUE, REMIND
from taskflow.timezones import today

from .conftest import server_env


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def set_due(
    app,
    task_id: int,
    due_at: datetime | None,
    remind: int | None = 0,
    assignee: str = "bob",
    day: date | None = None,
) -> int:
    """Edit the task through its service as alice (assigned to `assignee`); its due_version."""
    with app.test_request_context():
        task, alice = db.session.get(Task, task_id), User.by_username("alice")
        fields = TaskFields(
            task.title,
            "",
            User.by_username(assignee).id,
            day or (due_at and due_at.date()),
            "medium",
            due_at,
            remind,
        )
        task_service.edit_task(task, alice, fields)
        version = db.session.get(Task, task_id).due_version
        db.session.remove()
        return version


def notified(app, kind: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(select_kind(kind)).all()
        result = [(n.recipient.username, n.dedupe_key) for n in rows]
        db.session.remove()
        return result


def select_kind(kind: str):
    from sqlalchemy import select

    return select(Notification).where(Notification.type == kind)


def run_due(app, task_id: int, version: int, kind: str) -> None:
    with app.app_context():
        jobs.notify_due(task_id, version, kind)


def drained(queue) -> bool:
    """Nothing queued, scheduled or running on the queue."""
    return not (queue.count or len(queue.scheduled_job_registry) or len(queue.started_job_registry))


def test_a_reminder_is_delivered_once_across_a_worker_restart(
    app, board_with_task, database_url, redis_url
):
    """The clock is controlled through the stored due moment (a few seconds ahead), not by
    sleeping: the job is scheduled twice (the task's edit, and a duplicate), the worker that
    holds the scheduler stops before the moment, another delivers it; then that one is
    killed outright after delivering, the job is queued once more, and a third worker runs
    it: bob is reminded once."""
    _board, task_id, _columns = board_with_task
    env = dict(server_env(database_url, redis_url), RQ_QUEUE=app.config["RQ_QUEUE"])
    queue = app.task_queue
    first = processes.start_worker(env)
    workers = [first]
    try:
        version = set_due(app, task_id, now() + timedelta(seconds=6))
        with app.app_context():
            moment = db.session.get(Task, task_id).due_at.replace(tzinfo=UTC)
            queue.enqueue_at(moment, jobs.notify_due, task_id, version, REMIND)  # queued twice
            db.session.remove()
        processes.stop(first)  # a clean stop hands the scheduler's lock on
        assert notified(app, DUE_REMINDER) == []
        assert len(queue.scheduled_job_registry) >= 2  # reminder twice, and the overdue notice
        second = processes.start_worker(env)
        workers.append(second)
        processes.wait_until(lambda: notified(app, DUE_REMINDER), timeout=30)
        processes.wait_until(lambda: drained(queue) or None, timeout=30)
        second.kill()  # killed outright: whatever it did is done or not, nothing in between
        second.wait()
        queue.enqueue(jobs.notify_due, task_id, version, REMIND)  # a redelivery
        third = processes.start_worker(env)
        workers.append(third)
        processes.wait_until(lambda: drained(queue) or None, timeout=30)
        assert notified(app, DUE_REMINDER) == [("bob", f"remind:{task_id}:{version}:{bob_id(app)}")]
    finally:
        for worker in workers:
            processes.stop(worker)


def bob_id(app) -> int:
    with app.app_context():
        user_id = User.by_username("bob").id
        db.session.remove()
        return user_id


def test_a_stale_reminder_after_the_due_date_changed_does_nothing(app, board_with_task):
    _board, task_id, _columns = board_with_task
    old = set_due(app, task_id, now() - timedelta(minutes=1))
    new = set_due(app, task_id, now() - timedelta(seconds=30))
    assert new == old + 1
    run_due(app, task_id, old, REMIND)  # queued for the old date: a no-op
    assert notified(app, DUE_REMINDER) == []
    run_due(app, task_id, new, REMIND)
    run_due(app, task_id, new, REMIND)  # queued twice: still once
    assert [who for who, _ in notified(app, DUE_REMINDER)] == ["bob"]
    from .conftest import as_user

    center = as_user(app, "bob").get("/notifications").get_data(as_text=True)
    assert "Reminder:</strong> this task is due" in center and f'href="/tasks/{task_id}"' in center


def test_a_reminder_not_yet_due_waits(app, board_with_task):
    """A job run before its moment (the assignee's zone moved it later) sends nothing."""
    _board, task_id, _columns = board_with_task
    version = set_due(app, task_id, now() + timedelta(hours=2), remind=60)
    run_due(app, task_id, version, REMIND)
    assert notified(app, DUE_REMINDER) == []


def test_the_overdue_notice_comes_once_and_not_for_a_finished_task(app, board_with_task):
    _board, task_id, columns = board_with_task
    version = set_due(app, task_id, now() - timedelta(seconds=5), remind=None)
    for _ in range(2):
        run_due(app, task_id, version, OVERDUE)
    assert [who for who, _ in notified(app, TASK_OVERDUE)] == ["bob"]

    with app.test_request_context():  # moved to the last column ("Done"): finished
        task = db.session.get(Task, task_id)
        task_service.move_task(task, column=db.session.get(task.column.__class__, columns[-1]))
        db.session.remove()
    version = set_due(app, task_id, now() - timedelta(seconds=1), remind=0)
    run_due(app, task_id, version, OVERDUE)
    run_due(app, task_id, version, REMIND)
    assert len(notified(app, TASK_OVERDUE)) == 1
    assert notified(app, DUE_REMINDER) == []


def test_a_date_alone_is_reminded_at_nine_in_the_assignees_zone(app, board_with_task):
    _board, task_id, _columns = board_with_task
    with app.app_context():
        bob = User.by_username("bob")
        bob.time_zone = "Asia/Tokyo"
        db.session.commit()
        db.session.remove()
    set_due(app, task_id, None, remind=60, day=date(2030, 3, 4))
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.due_at is None
        # 09:00 in Tokyo is 00:00 UTC; an hour before: 23:00 UTC the day before.
        assert due_dates.reminder_moment(task, "Asia/Tokyo") == datetime(2030, 3, 3, 23, 0)
        assert due_dates.due_moment(task, "Asia/Tokyo") == datetime(2030, 3, 4, 15, 0)
        db.session.remove()


def test_the_form_takes_the_due_time_in_the_setters_zone(app, board_with_task):
    from .conftest import as_user

    _board, task_id, _columns = board_with_task
    with app.app_context():
        User.by_username("alice").time_zone = "America/New_York"
        db.session.commit()
        db.session.remove()
    alice = as_user(app, "alice")
    answer = alice.post(
        f"/tasks/{task_id}/edit",
        {
            "title": "Ship it",
            "due_date": "2030-07-01",
            "due_time": "14:30",
            "remind_before": "15",
            "priority": "medium",
            "assignee_id": "0",
        },
    )
    assert answer.status_code == 302
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert (task.due_at, task.remind_before) == (datetime(2030, 7, 1, 18, 30), 15)
        db.session.remove()
    page = alice.get(f"/tasks/{task_id}/edit").get_data(as_text=True)
    assert 'value="14:30"' in page  # shown back in her zone
    bad = alice.post(
        f"/tasks/{task_id}/edit",
        {
            "title": "Ship it",
            "due_date": "2030-07-01",
            "remind_before": "7",
            "priority": "medium",
            "assignee_id": "0",
        },
    )
    assert bad.status_code == 422


def test_the_card_says_the_due_state_in_words_in_the_viewers_zone(app, board_with_task):
    """A full page is rendered in its reader's zone, the state in words beside the date (not
    colour alone)."""
    from .conftest import as_user

    board_id, task_id, _columns = board_with_task
    soon = now() + timedelta(hours=1)
    set_due(app, task_id, soon, remind=None)
    alice = as_user(app, "alice")
    page = alice.get(f"/boards/{board_id}").get_data(as_text=True)
    assert 'data-due="today"' in page or 'data-due="soon"' in page
    assert "Due today" in page or "Due soon" in page
    set_due(app, task_id, now() - timedelta(hours=1), remind=None)
    page = alice.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'data-due="overdue"' in page and ">Overdue<" in page


def test_due_states_in_a_zone():
    class T:
        due_date, due_at = date(2030, 1, 10), None

    at = datetime(2030, 1, 10, 12, 0)
    assert due_dates.state(T, "UTC", at) == due_dates.TODAY
    assert due_dates.state(T, "UTC", at + timedelta(days=1)) == due_dates.OVERDUE
    assert due_dates.state(T, "UTC", at - timedelta(days=1)) == due_dates.SOON_STATE
    assert due_dates.state(T, "UTC", at - timedelta(days=3)) == due_dates.LATER
    T.due_at = datetime(2030, 1, 10, 23, 30)
    assert due_dates.state(T, "UTC", at) == due_dates.TODAY
    assert due_dates.state(T, "Asia/Tokyo", at) == due_dates.SOON_STATE  # tomorrow there
    assert due_dates.due_at(date(2030, 1, 10), time(9, 0), "Europe/Paris") == datetime(
        2030, 1, 10, 8, 0
    )


def test_the_migration_goes_down_and_up(tmp_path, redis_url):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from .conftest import scratch_app

    app = scratch_app(tmp_path, redis_url)
    with app.app_context():
        upgrade()
        downgrade(revision="5e8b1c7d2a94")
        assert "task_watches" not in inspect(db.engine).get_table_names()
        upgrade()
        columns = {c["name"] for c in inspect(db.engine).get_columns("tasks")}
        assert {"due_at", "remind_before", "due_version"} <= columns


def test_a_live_card_says_its_due_state_in_the_viewers_zone(
    app, board_with_task, live_server, new_page
):
    """A card in a diff is rendered once, in UTC; local_time.js writes its state in the
    reader's zone. The zone is chosen so that its day is not UTC's now: the UTC rendering
    says another state than the reader's "Due today"."""
    from playwright.sync_api import expect

    from .conftest import expect_socket_open, http_login, live_csrf

    board_id, task_id, _columns = board_with_task
    zone = "Pacific/Kiritimati" if now().hour >= 10 else "Pacific/Pago_Pago"  # UTC+14, -11
    day = today(zone)
    with app.app_context():
        User.by_username("alice").time_zone = zone
        db.session.commit()
        shared = due_dates.state(type("T", (), {"due_date": day, "due_at": None}), "UTC")
        db.session.remove()
    assert shared != due_dates.TODAY  # what a page without the script would show
    page = new_page("alice", base_url=live_server)
    page.goto(f"/boards/{board_id}")
    expect_socket_open(page)
    bob = http_login(live_server, "bob")
    answer = bob.post(
        f"{live_server}/tasks/{task_id}/edit",
        data={
            "csrf_token": live_csrf(bob, live_server),
            "title": "Ship it",
            "priority": "medium",
            "assignee_id": "0",
            "due_date": day.isoformat(),
        },
        allow_redirects=False,
    )
    assert answer.status_code == 302
    due = page.locator(f"#task-{task_id} .due")
    expect(due).to_have_attribute("data-due", "today")
    expect(due.locator(".due-state")).to_have_text("Due today")
