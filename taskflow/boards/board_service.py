"""Changes of a board as a whole and of its members, each one call (see changes.py, "who
commits"): create, rename, archive, restore and delete (once archived) a board; remove a
member (or leave). Members join through invitation_service (an invitation accepted, or the
invite link)."""

from taskflow.boards import history
from taskflow.boards.changes import Refused
from taskflow.boards.invitation_service import pending_of, push_withdrawn
from taskflow.boards.watching import assignees_changed
from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, Column, User
from taskflow.models.invitation import Removal
from taskflow.models.user import utcnow
from taskflow.realtime import connection as live
from taskflow.realtime import topics


def create_board(name: str, description: str, owner: User) -> Board:
    """A board of `owner`'s, with the default columns (Board.create)."""
    board = Board.create(name, description, owner)
    db.session.commit()
    return board


def add_members(board: Board, users: list[User]) -> None:
    """Make these users members at once, without invitations (the benchmarks' boards)."""
    for user in users:
        board.add_member(user)
    db.session.commit()


def rename_board(board: Board, name: str, description: str) -> None:
    board.name, board.description = name, description
    db.session.commit()


NOT_ARCHIVED = "Archive the board first: only an archived board is deleted for good."


def archive_board(board: Board, actor: User | None = None) -> None:
    """Off its members' lists (their "Archived boards" instead); nothing else changes. The
    board's history says who did it (and who restored it)."""
    if board.archived_at is None:
        board.archived_at = utcnow()
        history.record(board.id, actor, "board_archived", name=board.name)
        assignees_changed(Column.board_id == board.id)
    db.session.commit()


def restore_board(board: Board, actor: User | None = None) -> None:
    if board.archived_at is not None:
        board.archived_at = None
        history.record(board.id, actor, "board_restored", name=board.name)
        assignees_changed(Column.board_id == board.id)
    db.session.commit()


def delete_board(board: Board) -> None:
    """For good, once archived (Refused otherwise). Its rooms, tasks, comments, invitations
    and the notifications about them go with it (ON DELETE CASCADE); its pages, rooms and
    tasks close everywhere; its invitees' pages lose the invitation."""
    if board.archived_at is None:
        raise Refused(NOT_ARCHIVED, 409)
    board_id = board.id
    withdrawn = pending_of(board)  # read before they go
    db.session.delete(board)
    live.end_scope(topics.board(board_id))
    push_withdrawn(withdrawn)
    db.session.commit()


def remove_member(board: Board, actor: User, user: User | None) -> bool:
    """The owner removes a member, or a member (`actor` themself) leaves: they leave the
    board's rooms and their open sockets close. Whether the actor left. Refused: 404 for
    anyone not a member, 403 for a member removing another, or for the owner."""
    # Before anything else: removing anyone else would record their removal (the invite
    # link refuses them, the owner's list shows them), which would tell who an id is.
    if user is None or not board.is_member(user):
        raise Refused("Not a member of this board.", 404)
    leaving = user.id == actor.id
    if not leaving and not board.is_owner(actor):
        raise Refused("Only the board's owner removes members.", 403)
    if user.id == board.owner_id:  # the owner cannot leave or be removed: they delete it
        raise Refused("The owner cannot leave the board.", 403)
    board.remove_member(user)
    if not leaving:  # the invite link refuses them until the owner invites them again
        Removal.record(board, user)
    ChatRoom.leave_board(board.id, user.id)  # one DELETE, whatever the rooms' sizes
    live.end_access(user.id, topics.board(board.id))  # their open sockets close
    db.session.commit()
    return leaving
