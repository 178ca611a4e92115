"""Task numbers: each board numbers its tasks 1, 2, 3… ("#42"), never giving a number twice,
even after a task is archived or deleted; chat and comments point at tasks by them."""

import re

from taskflow.extensions import db
from taskflow.models import Board, Task, User

from .helpers import columns, create_board, create_task


def numbers(app, *ids) -> list[int]:
    with app.app_context():
        return [db.session.get(Task, i).number for i in ids]


def test_each_board_numbers_its_tasks_from_one(app, login):
    alice = login("alice")
    launch, other = create_board(alice, "Launch"), create_board(alice, "Other")
    todo, elsewhere = columns(app, launch)[0][0], columns(app, other)[1][0]
    first, second = create_task(alice, todo, "One"), create_task(alice, todo, "Two")
    third = create_task(alice, elsewhere, "Three")
    assert numbers(app, first, second, third) == [1, 2, 1]
    page = alice.get(f"/boards/{launch}").get_data(as_text=True)
    assert re.search(r'class="card-number">#2<', page)
    assert '<dd class="task-number">#2</dd>' in alice.get(f"/tasks/{second}").get_data(True)
    with app.app_context():
        assert Task.numbered(launch, 2).id == second and Task.numbered(other, 2) is None


def test_a_number_is_never_given_twice(app, login):
    alice = login("alice")
    board_id = create_board(alice)
    todo = columns(app, board_id)[0][0]
    archived, deleted = create_task(alice, todo, "Archived"), create_task(alice, todo, "Gone")
    assert alice.post(f"/tasks/{archived}/archive").status_code == 302
    with app.app_context():
        db.session.delete(db.session.get(Task, deleted))
        db.session.commit()
    assert numbers(app, create_task(alice, todo, "Next")) == [3]


def test_the_migration_numbers_existing_tasks_by_board(tmp_path, redis_url):
    from flask_migrate import downgrade, upgrade

    from .conftest import scratch_app

    app = scratch_app(tmp_path, redis_url)
    with app.app_context():
        upgrade()
        alice = User("alice", "x" * 10)
        one, two = Board.create("One", "", alice), Board.create("Two", "", alice)
        boards = [one, two, one]
        tasks = [Task(column=b.columns[i % 2], title=f"t{i}") for i, b in enumerate(boards)]
        db.session.add_all([alice, *tasks])
        db.session.commit()
        downgrade(revision="c23his000001")  # before the numbers
        upgrade()
        db.session.expire_all()
        got = [db.session.get(Task, t.id).number for t in tasks]
        counters = [db.session.get(Board, b.id).task_counter for b in (one, two)]
        db.session.remove()
    assert got == [1, 1, 2] and counters == [2, 1]
