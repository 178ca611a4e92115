"""Break the real processes: Redis restarted or down, the worker killed, a web process
killed, the database briefly unavailable. Nothing may be lost or doubled.

Each test runs its own stack (an embedded Redis, gunicorn web processes, an RQ worker) on
the test database, so breaking it disturbs nothing else."""

import signal
import subprocess
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from taskflow import stack as processes
from taskflow.extensions import db
from taskflow.models import ChatMessage, Notification

from .conftest import (
    expect_socket_open,
    following,
    http_login,
    live_csrf,
    receive_until,
    send,
    server_env,
    wait_until,
    ws_connect,
)
from .proxy import CuttableProxy


class Stack:
    """Its own embedded Redis in `folder`, and web processes and workers on it."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder, self.database_url = folder, database_url
        self.redis_url = processes.start_redis(folder)
        self.processes: list[subprocess.Popen] = []

    def env(self) -> dict:
        return dict(
            server_env(self.database_url, self.redis_url),
            RQ_QUEUE="taskflow-faults",
            SWEEP_SECONDS="1",
            SWEEP_AFTER_SECONDS="1",
            DB_LOCK_TIMEOUT_MS="1500",
            MESSAGE_RATE_LIMIT="1000 per second",
        )

    def web(self) -> tuple[subprocess.Popen, str]:
        process, url = processes.start_web(self.env())
        self.processes.append(process)
        return process, url

    def worker(self) -> subprocess.Popen:
        """A worker whose output goes to worker-<pid>.log in the folder (see log_of)."""
        log = (self.folder / "worker.log").open("ab")
        process = processes.start_worker(self.env(), log=log)
        log.close()  # the process holds its own copy
        (self.folder / "worker.log").rename(self.log_of(process))
        self.processes.append(process)
        return process

    def log_of(self, process: subprocess.Popen) -> Path:
        return self.folder / f"worker-{process.pid}.log"

    def queue(self):
        """The stack's RQ queue."""
        from redis import Redis
        from rq import Queue

        return Queue(self.env()["RQ_QUEUE"], connection=Redis.from_url(self.redis_url))

    def stop_redis(self) -> None:
        processes.stop_redis(self.folder)

    def work_left(self, app, worker: subprocess.Popen) -> str:
        """What could still add a (duplicate) notification, "" when nothing: a message that
        waits for its notification, a job queued or scheduled, the worker running one.
        (The killed worker's abandoned job would only be retried after its lease lapses,
        minutes later; that retry is idempotent and this stack is gone by then.)"""
        from rq import Worker
        from rq.worker import WorkerStatus

        queue = self.queue()
        states = [w.get_state() for w in Worker.all(queue=queue) if w.pid == worker.pid]
        left = {
            "messages to notify": count(app, ChatMessage, ChatMessage.notified_at.is_(None)),
            "jobs queued": queue.count,
            "jobs scheduled": len(queue.scheduled_job_registry),
            "jobs failed": len(queue.failed_job_registry),
            "worker states": states,
        }
        idle = states == [WorkerStatus.IDLE] and not any(
            left[key] for key in ("messages to notify", "jobs queued", "jobs scheduled")
        )
        return "" if idle else repr(left)

    def start_redis(self) -> None:
        processes.start_redis(self.folder)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        processes.stop_redis(self.folder)


def count(app, model, *where) -> int:
    with app.app_context():
        try:
            return model.query.filter(*where).count()
        finally:
            db.session.remove()


@pytest.fixture
def stack(tmp_path, database_url, app):
    stack = Stack(tmp_path, database_url)
    yield stack
    stack.close()


def open_room(page, room_id: int) -> None:
    page.goto(f"/rooms/{room_id}")
    expect_socket_open(page)


def say(page, text: str) -> None:
    page.locator("#composer-input").fill(text)
    page.locator("#composer-input").press("Enter")


def form_post(session: requests.Session, base: str, room_id: int, text: str) -> int:
    token = live_csrf(session, base, f"/rooms/{room_id}")
    return session.post(
        f"{base}/rooms/{room_id}/messages",
        data={"content": text, "csrf_token": token},
        allow_redirects=False,
    ).status_code


def test_redis_restarted_mid_conversation(stack, new_page, chat_room):
    _, url = stack.web()
    alice = new_page("alice", base_url=url, timeout=20_000)
    bob = new_page("bob", base_url=url, timeout=20_000)
    open_room(alice, chat_room)
    open_room(bob, chat_room)
    say(bob, "before")
    expect(alice.locator(".message-body")).to_have_text(["before"])

    stack.stop_redis()
    say(bob, "while Redis is down (socket)")  # saved; not yet broadcast
    assert (
        form_post(http_login(url, "bob"), url, chat_room, "while Redis is down (form)") == 302
    )  # the HTTP path answers
    stack.start_redis()  # every page reconnects (1012) and catches up

    say(bob, "after")
    expected = ["before", "while Redis is down (socket)", "while Redis is down (form)", "after"]
    for page in (alice, bob):
        expect(page.locator(".message-body")).to_have_text(expected, timeout=30_000)
        ids = [m.get_attribute("id") for m in page.locator(".message").all()]
        assert len(ids) == len(set(ids)) == 4


def test_worker_killed_mid_job_notifies_exactly_once(stack, chat_room, app):
    _, url = stack.web()
    worker = stack.worker()
    alice = http_login(url, "alice")
    for i in range(30):
        assert form_post(alice, url, chat_room, f"@bob job {i}") == 302
    # the worker is under way...
    wait_until(lambda: count(app, Notification) > 0, timeout=30, interval=0.02)
    worker.send_signal(signal.SIGKILL)  # ...and dies without warning
    worker.wait()
    killed_at = count(app, Notification)
    worker = stack.worker()  # it comes back: the queue and the sweep finish the work
    # A job that lost a race with the sweep is retried with backoff (1+2+5+15+30 s at most).
    try:
        wait_until(lambda: not stack.work_left(app, worker), timeout=120, interval=0.2)
    except AssertionError:
        tail = stack.log_of(worker).read_text(errors="replace")[-3000:]
        raise AssertionError(f"work left: {stack.work_left(app, worker)}\n{tail}") from None
    with app.app_context():
        notes = Notification.query.all()
        assert len(notes) == 30, (killed_at, len(notes))
        assert len({n.chat_message_id for n in notes}) == 30
        assert ChatMessage.query.filter(ChatMessage.notified_at.is_(None)).count() == 0


def test_a_killed_worker_leaves_no_process_holding_its_database_connections(stack):
    """The worker is one process, its scheduler included. RQ's scheduler, when the worker
    forked it, outlived a SIGKILLed worker with copies of the worker's database sockets:
    PostgreSQL kept the transaction the worker was in open, and its row lock (a message never
    notified)."""
    worker, queue = stack.worker(), stack.queue()
    scheduler = wait_until(lambda: queue.scheduler_pid, timeout=30, message="no scheduler")
    children = child_processes(worker.pid)
    assert scheduler == worker.pid, children
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert [pid for pid in children if Path(f"/proc/{pid}").exists()] == []


def test_a_worker_started_after_a_killed_one_runs_the_jobs_due_later(stack, board_with_task, app):
    """Retries wait in RQ's scheduled registry until due, and the scheduler (one worker at a
    time holds its lock) moves them to the queue. A killed worker's lock lapses within a
    minute; then the next worker takes the duty over. An assignment's job: no sweep redoes
    it."""
    from datetime import timedelta

    from taskflow.models import User
    from taskflow.notifications.jobs import notify_assignment

    queue = stack.queue()
    killed = stack.worker()
    wait_until(lambda: queue.scheduler_pid == killed.pid, timeout=30, message="no scheduler")
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    worker = stack.worker()
    _, task_id, _ = board_with_task
    with app.app_context():
        alice, bob = User.by_username("alice"), User.by_username("bob")
        queue.enqueue_in(timedelta(seconds=1), notify_assignment, task_id, bob.id, alice.id, 1)
    wait_until(
        lambda: count(app, Notification, Notification.task_id == task_id),
        timeout=120,
        interval=0.2,
        message="the job due later never ran",
    )
    assert queue.scheduler_pid == worker.pid


def test_a_stopped_worker_hands_the_scheduler_on_at_once(stack):
    """A worker asked to stop (SIGTERM: a deploy) releases the scheduler's lock, rather than
    leave retries waiting a minute for it to lapse."""
    queue = stack.queue()
    first = stack.worker()
    wait_until(lambda: queue.scheduler_pid == first.pid, timeout=30, message="no scheduler")
    processes.stop(first)
    assert first.returncode == 0
    second = stack.worker()
    wait_until(lambda: queue.scheduler_pid == second.pid, timeout=10, message="not handed on")


def child_processes(pid: int) -> list[int]:
    """The processes `pid` started (Linux: each of its threads lists its children)."""
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def test_a_killed_web_process_hands_its_clients_to_the_other(stack, new_page, chat_room):
    first, first_url = stack.web()
    _, second_url = stack.web()
    balancer = CuttableProxy(int(first_url.rsplit(":", 1)[1]), int(second_url.rsplit(":", 1)[1]))
    alice = new_page("alice", base_url=balancer.url, timeout=20_000)
    bob = new_page("bob", base_url=second_url, timeout=20_000)
    try:
        open_room(alice, chat_room)
        open_room(bob, chat_room)
        say(bob, "one")
        expect(alice.locator(".message-body")).to_have_text(["one"])
        kill_with_workers(first)  # alice's web process dies
        balancer.cut()
        say(bob, "two")
        say(bob, "three")
        expect(alice.locator(".message-body")).to_have_text(["one", "two", "three"], timeout=30_000)
        say(alice, "alice is back")
        expect(bob.locator(".message-body").last).to_have_text("alice is back", timeout=20_000)
    finally:
        balancer.close()


def kill_with_workers(master: subprocess.Popen) -> None:
    """SIGKILL a gunicorn master and its worker, the process that holds the sockets. (Killed
    alone, the master leaves an orphaned worker that goes on serving for a few seconds.)"""
    import psutil

    for process in [*psutil.Process(master.pid).children(recursive=True), master]:
        process.send_signal(signal.SIGKILL)
    master.wait()


def test_database_briefly_unavailable(stack, chat_room, app, database_url):
    _, url = stack.web()
    bob_http = http_login(url, "bob")
    bob = ws_connect(url, f"/ws/chat-room/{chat_room}", bob_http)
    following(bob)
    with hold_messages_table(database_url):
        send(bob, content="during the outage")
        reply = receive_until(bob, "socket-error", timeout=10)
        assert "database is briefly unavailable" in reply
        assert "during the outage</textarea>" in reply  # the text is handed back
        assert form_post(bob_http, url, chat_room, "form during the outage") == 503
    send(bob, content="during the outage")  # the user resends
    assert "during the outage</div>" in receive_until(bob, "during the outage</div>")
    with app.app_context():
        assert [m.content for m in ChatMessage.query.all()] == ["during the outage"]


class hold_messages_table:
    """Lock the messages table from another connection, as a long migration or a stuck
    transaction would, for longer than the app waits for it."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url

    def __enter__(self):
        if self.url.startswith("sqlite"):
            import sqlite3

            self.conn = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            self.conn.execute("BEGIN EXCLUSIVE")
        else:
            import psycopg

            self.conn = psycopg.connect(self.url.replace("+psycopg", ""))
            self.conn.execute("LOCK TABLE chat_messages IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc) -> None:
        self.conn.rollback() if not self.url.startswith("sqlite") else self.conn.execute("ROLLBACK")
        self.conn.close()
