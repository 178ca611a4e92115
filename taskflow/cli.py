"""Command-line tools: `flask --app taskflow seed-demo`, `... worker`, `... bench-seed`."""

import json
import logging
import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path

import click
import redis
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.security import generate_password_hash

from taskflow import demo, embedded_redis, stack
from taskflow.boards import board_service
from taskflow.extensions import db
from taskflow.models import ChatRoom, Task, User
from taskflow.notifications import service as notifications

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(worker)
    app.cli.add_command(bench_seed)


@click.command("seed-demo")
@click.option(
    "--reset",
    is_flag=True,
    help="Remove the demo's boards and its people's data, then make it all anew.",
)
@with_appcontext
def seed_demo(reset: bool = False) -> None:
    """Make a demo team (alice, bob, carol) with a board, a chat room and comments, and print
    their passwords. Run again, it changes nothing; --reset starts over (taskflow/demo.py)."""
    app = current_app._get_current_object()
    started = _start_embedded_redis(app)  # the services publish and queue through Redis
    try:
        outcome = demo.seed(reset=reset)
    except demo.DemoRefused as refused:
        raise click.ClickException(str(refused)) from None
    finally:
        if started:  # leave nothing running that was not running before
            embedded_redis.stop(Path(app.instance_path))
    for line in demo.summary(outcome):
        click.echo(line)


@click.command("worker")
@with_appcontext
def worker() -> None:
    """Run an RQ worker whose jobs run inside this app's context, the scheduler that queues
    retries when they are due, and the notification sweep: one process, so that a killed
    worker takes all it holds with it.

    A SimpleWorker runs jobs in this process: our jobs are short database writes, and a fork
    per job would cost more than the job (the mention-to-badge latency)."""
    from rq import SimpleWorker
    from rq.scheduler import RQScheduler

    app = current_app._get_current_object()
    _start_embedded_redis(app)
    scheduler, stop = RQScheduler([app.task_queue], connection=app.redis), threading.Event()
    scheduling = threading.Thread(
        target=_schedule_until, args=(scheduler, stop), daemon=True, name="scheduler"
    )
    threading.Thread(target=_sweep_forever, args=(app,), daemon=True, name="sweep").start()
    scheduling.start()
    try:
        SimpleWorker([app.task_queue], connection=app.redis).work()
    finally:  # a worker that stops hands the scheduler's duty on at once
        stop.set()
        scheduling.join(timeout=5)
        _retire(scheduler)


def _schedule_until(scheduler, stop: threading.Event) -> None:
    """RQ's scheduler loop (RQScheduler.work), in a thread. RQ's own
    `work(with_scheduler=True)` forks it as a child process, and that child outlives a killed
    worker with copies of the worker's database sockets: PostgreSQL then keeps the
    transaction the worker was in open, row locks and all. One worker holds a queue's
    scheduler lock at a time (it lapses a minute after its holder dies); the others try each
    second, so one of them takes over."""
    failing = False
    while not stop.is_set():
        try:
            if scheduler.acquired_locks:
                scheduler.heartbeat()  # refreshes the lock, or finds another worker took it
            elif scheduler.acquire_locks():
                scheduler.register_birth()  # Queue.scheduler_pid: this process
            if scheduler.acquired_locks:
                scheduler.enqueue_scheduled_jobs()
            failing = False
        except Exception:  # it must outlive a Redis outage: said once, tried each second
            if not failing:
                log.exception("scheduler failed; trying again every second")
            failing = True
        stop.wait(scheduler.interval)


def _retire(scheduler) -> None:
    try:
        scheduler.release_locks()
        scheduler.register_death()
    except redis.RedisError as error:  # the lock then lapses in a minute
        log.warning("could not release the scheduler's lock: %s", error)


def _start_embedded_redis(app: Flask) -> bool:
    """With REDIS_URL unset, the worker (and seed-demo) need the instance's embedded Redis:
    start it unless it answers already (create_app only points at it). Whether this started
    it."""
    instance = Path(app.instance_path)
    url = embedded_redis.socket_url(instance)
    if app.config["REDIS_URL"] != url or stack.redis_answers(url):
        return False
    embedded_redis.ensure_running(instance)
    return True


def _sweep_forever(app: Flask) -> None:
    after = timedelta(seconds=app.config["SWEEP_AFTER_SECONDS"])
    while True:
        with app.app_context():
            try:
                done = notifications.sweep(older_than=after)
                if done:
                    log.info("sweep: notified for %d messages and comments", done)
            except Exception:  # the sweep must outlive a database or Redis outage
                log.exception("sweep failed")
            finally:
                db.session.remove()
        time.sleep(app.config["SWEEP_SECONDS"])


@click.command("bench-seed")
@click.option("--users", default=100, show_default=True, help="How many users to create.")
@click.option("--rooms", default=0, show_default=True, help="Extra rooms, of every user.")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="JSON file to write.")
@click.option(
    "--tasks",
    type=int,
    multiple=True,
    help="Also a board of this many tasks (repeatable), the users its members.",
)
@with_appcontext
def bench_seed(users: int, rooms: int, out: str, tasks: tuple[int, ...] = ()) -> None:
    """Create N users, all members of one board and one room (and of `rooms` more rooms),
    for the benchmarks; with --tasks, boards of that many tasks too."""
    password = secrets.token_urlsafe(12)
    # A cheap hash: thousands of benchmark users must not take minutes to create.
    password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
    suffix = secrets.token_hex(3)
    created = []
    for i in range(users):
        user = User(f"bench{i}-{suffix}", password)
        user.password_hash = password_hash
        created.append(user)
    db.session.add_all(created)
    board = board_service.create_board(f"Benchmark {suffix}", "", created[0])
    board_service.add_members(board, created[1:])
    room = ChatRoom(board, "bench", "", created[0])
    room.members = created
    extra = [ChatRoom(board, f"bench-{i}", "", created[0]) for i in range(rooms)]
    for each in extra:
        each.members = created
    db.session.add_all([room, *extra])
    db.session.commit()
    data = {
        "room": room.id,
        "rooms": [each.id for each in extra],
        "board": board.id,
        "users": [{"username": u.username, "password": password} for u in created],
        "task_boards": [_task_board(count, created) for count in tasks],
    }
    Path(out).write_text(json.dumps(data))
    click.echo(f"{users} users in board {board.id}, room {room.id} → {out}")


def _task_board(count: int, members: list[User]) -> dict:
    """A board of `count` tasks spread over its three columns (half in the first), in one
    INSERT: a big board in a second (a fixture nobody watches being made: no board change,
    no diff, hence not task_service's one change per task)."""
    from sqlalchemy import insert

    board = board_service.create_board(f"{count} tasks", "", members[0])
    board_service.add_members(board, members[1:])
    sizes = [count // 2 + count % 2, count // 4, count - count // 2 - count % 2 - count // 4]
    rows = [
        {"column_id": column.id, "title": f"Task {i} of {column.name}", "position": i}
        for column, size in zip(board.columns, sizes, strict=True)
        for i in range(size)
    ]
    if rows:
        db.session.execute(insert(Task), rows)
    db.session.commit()
    return {"tasks": count, "board": board.id, "columns": [c.id for c in board.columns]}
