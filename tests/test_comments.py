"""Task comments over HTTP: post, validate, edit, delete, access."""

import re

from sqlalchemy import select, update

from taskflow.extensions import db
from taskflow.models import Task, TaskThreadComment, User

from .conftest import as_user


def comment_ids(app) -> list[int]:
    with app.app_context():
        return [c.id for c in TaskThreadComment.query.order_by(TaskThreadComment.id)]


def test_post_comment_plain_and_htmx(app, board_with_task):
    _, task_id, _ = board_with_task
    bob = as_user(app, "bob")
    response = bob.post(f"/tasks/{task_id}/comments", {"content": " looks <b>good</b>\nto me "})
    assert response.status_code == 302 and "#comment-" in response.location
    page = bob.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "looks &lt;b&gt;good&lt;/b&gt;<br>\nto me</div>" in page
    assert f'ws-connect="/ws/task-comments/{task_id}"' in page
    response = bob.post(f"/tasks/{task_id}/comments", {"content": "via htmx"}, htmx=True)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and 'hx-swap-oob="beforeend:#comments"' in fragment
    assert "via htmx" in fragment and "<html" not in fragment


def test_comment_validation(app, board_with_task):
    _, task_id, _ = board_with_task
    bob = as_user(app, "bob")
    for content, error in [("   ", "Type a message first"), ("z" * 4001, "at most 4,000")]:
        response = bob.post(f"/tasks/{task_id}/comments", {"content": content}, htmx=True)
        assert response.status_code == 422 and error in response.get_data(as_text=True)
        response = bob.post(f"/tasks/{task_id}/comments", {"content": content})
        assert response.status_code == 422 and error in response.get_data(as_text=True)
    assert "z" * 4001 + "</textarea>" in response.get_data(as_text=True)
    assert comment_ids(app) == []


def test_only_the_author_edits_and_author_or_owner_deletes(app, board_with_task):
    _, task_id, _ = board_with_task
    alice, bob = as_user(app, "alice"), as_user(app, "bob")
    bob.post(f"/tasks/{task_id}/comments", {"content": "bob's"})
    alice.post(f"/tasks/{task_id}/comments", {"content": "alice's"})
    bobs, alices = comment_ids(app)
    assert alice.get(f"/comments/{bobs}/edit").status_code == 403
    assert alice.post(f"/comments/{bobs}/edit", {"content": "hacked"}).status_code == 403
    assert bob.post(f"/comments/{alices}/delete").status_code == 403
    form = bob.get(f"/comments/{bobs}/edit", htmx=True).get_data(as_text=True)
    assert "bob&#39;s</textarea>" in form or "bob's</textarea>" in form
    response = bob.post(f"/comments/{bobs}/edit", {"content": "bob's, edited"}, htmx=True)
    assert response.status_code == 200 and "(edited)" in response.get_data(as_text=True)
    assert bob.post(f"/comments/{bobs}/edit", {"content": ""}).status_code == 422
    assert alice.post(f"/comments/{bobs}/delete", htmx=True).status_code == 200  # the owner
    assert bob.post(f"/comments/{bobs}/delete").status_code == 404
    assert comment_ids(app) == [alices]


def test_non_members_get_404(app, board_with_task):
    _, task_id, _ = board_with_task
    as_user(app, "bob").post(f"/tasks/{task_id}/comments", {"content": "secret"})
    (comment,) = comment_ids(app)
    carol = as_user(app, "carol")
    assert carol.get(f"/tasks/{task_id}").status_code == 404
    assert carol.post(f"/tasks/{task_id}/comments", {"content": "x"}).status_code == 404
    assert carol.get(f"/comments/{comment}/edit").status_code == 404
    assert carol.post(f"/comments/{comment}/delete").status_code == 404


def test_long_threads_load_older_on_demand(app, board_with_task):
    _, task_id, _ = board_with_task
    with app.app_context():
        task, bob = db.session.get(Task, task_id), User.by_username("bob")
        db.session.add_all(
            TaskThreadComment(task=task, author=bob, content=f"c{i}") for i in range(55)
        )
        db.session.commit()
    alice = as_user(app, "alice")
    page = alice.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.findall(r">c(\d+)</div>", page) == [str(i) for i in range(5, 55)]
    url = re.search(r'hx-get="([^"]+before=\d+)"', page)[1].replace("&amp;", "&")
    older = alice.get(url, htmx=True).get_data(as_text=True)
    assert re.findall(r">c(\d+)</div>", older) == [str(i) for i in range(5)]


def test_the_migration_counts_the_comments_already_there(tmp_path, redis_url):
    """Upgrading a database whose tasks have comments: each card shows how many at once."""
    from flask_migrate import downgrade, upgrade

    from taskflow import create_app
    from taskflow.models import Board

    from .conftest import SECRET

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.db'}",
            "REDIS_URL": redis_url,
        }
    )
    with app.app_context():
        upgrade()
        alice = User("alice", "x" * 10)
        board = Board.create("B", "", alice)
        talked, quiet = (Task(column=board.columns[0], title=t) for t in ("talked", "quiet"))
        db.session.add_all([alice, talked, quiet])
        db.session.flush()
        db.session.add_all(
            TaskThreadComment(task=talked, author=alice, content=f"c{i}") for i in range(3)
        )
        db.session.commit()
        downgrade(revision="f4b2d8a1c6e3")  # before the counts
        upgrade()
        db.session.expire_all()
        counts = [db.session.get(Task, t.id).comment_count for t in (talked, quiet)]
        db.session.remove()
    assert counts == [3, 0]


def test_a_count_gone_wrong_is_counted_afresh_by_the_next_comment(app, board_with_task):
    """(A process of the release before counts posted a comment, say.)"""
    _, task_id, _ = board_with_task
    with app.app_context():
        db.session.execute(update(Task).where(Task.id == task_id).values(comment_count=7))
        db.session.commit()
    as_user(app, "bob").post(f"/tasks/{task_id}/comments", {"content": "one"})
    with app.app_context():
        assert db.session.get(Task, task_id).comment_count == 1
        db.session.remove()


def test_a_comment_deleted_twice_at_once_is_deleted_once(app, board_with_task):
    """The second delete finds it gone once it has the board's lock: nothing to do (no
    error, no SQLAlchemy warning of a row not found), and the count stays right."""
    import warnings

    from taskflow.boards import comment_thread

    _, task_id, _ = board_with_task
    bob = as_user(app, "bob")
    for text in ("one", "two"):
        bob.post(f"/tasks/{task_id}/comments", {"content": text})
    with app.test_request_context():
        first = db.session.scalars(select(TaskThreadComment).filter_by(content="one")).one()
        assert bob.post(f"/comments/{first.id}/delete", {}).status_code == 302  # the other
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            comment_thread.delete(first)  # this one, loaded before the other deleted it
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Task, task_id).comment_count == 1
        assert comment_ids(app) == [c.id for c in TaskThreadComment.query.all()]
        db.session.remove()
    assert len(comment_ids(app)) == 1
