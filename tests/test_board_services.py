"""The boards services called as demo.py, the CLI and chat commands call them: without a
route, each one change that checks its rule (Refused, nothing written), writes and commits."""

import pytest

from taskflow.boards import board_service, column_service, invitation_service, task_service
from taskflow.boards.changes import Refused
from taskflow.boards.task_service import NOT_ON_BOARD, TaskFields
from taskflow.extensions import db
from taskflow.models import Board, Task, User


@pytest.fixture
def team(app):
    with app.app_context(), app.test_request_context():  # fragments render with url_for
        owner, member, stranger = (User(name, "pw-for-tests-1") for name in ("ann", "ben", "cy"))
        db.session.add_all([owner, member, stranger])
        board = board_service.create_board("Launch", "", owner)
        board_service.add_members(board, [member])
        yield board, owner, member, stranger
        db.session.remove()


def test_a_task_is_made_assigned_and_moved_by_one_call_each(team):
    board, owner, member, stranger = team
    version = Board.current_version(board.id)
    task, change = task_service.create_task(board.columns[0], owner, TaskFields("Write it"))
    assert change.board_id == board.id and change.version == version + 1
    task_service.assign_task(task, owner, member.id)
    with pytest.raises(Refused) as refused:
        task_service.assign_task(task, owner, stranger.id)
    assert (refused.value.reason, refused.value.status) == (NOT_ON_BOARD, 422)
    change = task_service.move_task(task, "right")
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.assignee_id, task.column_id) == (member.id, board.columns[1].id)
    assert Board.current_version(board.id) == change.version == version + 3


def test_a_refused_change_writes_nothing(team):
    board, owner, member, _stranger = team
    task, _change = task_service.create_task(board.columns[0], owner, TaskFields("Keep me"))
    version = Board.current_version(board.id)
    with pytest.raises(Refused) as refused:
        column_service.delete_column(board.columns[0], tasks_to="12345")
    assert refused.value.status == 400
    with pytest.raises(Refused) as refused:
        column_service.move_column(board.columns[0], "up")
    assert refused.value.status == 400
    assert Board.current_version(board.id) == version
    assert len(db.session.get(Board, board.id).columns) == 3
    assert db.session.get(Task, task.id) is not None


def test_members_leave_and_are_removed_by_the_rules(team):
    board, owner, member, stranger = team
    for actor, user, status in ((member, owner, 403), (owner, stranger, 404)):
        with pytest.raises(Refused) as refused:
            board_service.remove_member(board, actor, user)
        assert refused.value.status == status
    assert board_service.remove_member(board, member, member) is True  # left
    invitation = invitation_service.send_invitation(board, owner, "ben")
    assert invitation_service.accept_invitation(invitation, member)
    assert board.is_member(member)
    assert not invitation_service.decline_invitation(invitation, member)  # answered
