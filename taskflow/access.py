"""Who may see what: one set of rules for HTTP routes and sockets alike.

The finders answer None when the user may not see the thing, exactly as when it does not
exist: nothing leaks about what exists. Routes turn None into 404 (`member_*`), socket
endpoints into a 4404 close; members who go beyond their rights get 403."""

from collections.abc import Collection

from flask import abort
from flask_login import current_user
from sqlalchemy import Row, select

from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, Column, Label, Membership, Task, User, room_reads


def visible_board(board_id: int, user: User) -> Board | None:
    board = db.session.get(Board, board_id) if user.is_authenticated else None
    return board if board is not None and board.is_member(user) else None


def visible_column(column_id: int, user: User) -> Column | None:
    column = db.session.get(Column, column_id) if user.is_authenticated else None
    return column if column is not None and column.board.is_member(user) else None


def visible_task(task_id: int, user: User) -> Task | None:
    task = db.session.get(Task, task_id) if user.is_authenticated else None
    return task if task is not None and task.board.is_member(user) else None


def visible_label(label_id: int, user: User) -> Label | None:
    label = db.session.get(Label, label_id) if user.is_authenticated else None
    return label if label is not None and visible_board(label.board_id, user) else None


def readable_room(room_id: int, user: User) -> ChatRoom | None:
    """Only the room's members who are still on its board read or post in it; only its
    members read a direct message, which has no board (one query)."""
    return ChatRoom.readable(room_id, user.id) if user.is_authenticated else None


def readable_room_view(room_id: int, user: User) -> Row | None:
    """readable_room's rule, answering the room page's plain row (room_reads.page_view)."""
    return room_reads.page_view(room_id, user.id) if user.is_authenticated else None


def previewable_room(room_id: int, user: User) -> ChatRoom | None:
    """An open room of one of the user's boards, joined or not: a board member reads an open
    room before joining it (a preview, read only); never a private room, nor a direct
    message, nor anything to someone off the board (ChatRoom.joinable, one query)."""
    return ChatRoom.joinable(room_id, user) if user.is_authenticated else None


def room_page_view(room_id: int, user: User) -> Row | None:
    """The room page's row (readable_room_view); else, for an open room of one of the
    user's boards that they have not joined, its preview's (`joined` false:
    previewable_room's rule)."""
    if not user.is_authenticated:
        return None
    return room_reads.page_view(room_id, user.id) or room_reads.preview_view(room_id, user.id)


def readable_room_ids(room_ids: Collection[int], user: User) -> set[int]:
    """Which of these rooms the user may read (readable_room's rule), in one query."""
    return ChatRoom.readable_ids(room_ids, user.id) if user.is_authenticated else set()


def member_board_ids(board_ids: Collection[int], user: User) -> set[int]:
    """Which of these boards the user is a member of (visible_board's rule), in one query."""
    if not board_ids or not user.is_authenticated:
        return set()
    query = select(Membership.board_id).where(
        Membership.user_id == user.id, Membership.board_id.in_(board_ids)
    )
    return set(db.session.scalars(query))


def member_board(board_id: int) -> Board:
    return _found(visible_board(board_id, current_user))


def owned_board(board_id: int) -> Board:
    board = member_board(board_id)
    if not board.is_owner(current_user):
        abort(403)
    return board


def member_column(column_id: int) -> Column:
    return _found(visible_column(column_id, current_user))


def member_task(task_id: int) -> Task:
    return _found(visible_task(task_id, current_user))


def member_label(label_id: int) -> Label:
    return _found(visible_label(label_id, current_user))


def member_room(room_id: int) -> ChatRoom:
    return _found(readable_room(room_id, current_user))


def member_room_view(room_id: int) -> Row:
    return _found(readable_room_view(room_id, current_user))


def room_to_read(room_id: int) -> Row:
    """The room page's row for its reader: a member, or a board member previewing an open
    room (room_page_view)."""
    return _found(room_page_view(room_id, current_user))


def managed_room(room_id: int) -> ChatRoom:
    """A room the current user reads and manages (its creator, the board's owner)."""
    room = member_room(room_id)
    if not room.can_manage(current_user):
        abort(403)
    return room


def own(model, object_id: int, owner_field: str):
    """A user's own row (a notification, an invitation): someone else's does not exist for
    them (404)."""
    thing = db.session.get(model, object_id)
    if thing is None or getattr(thing, owner_field) != current_user.id:
        abort(404)
    return thing


def _found(thing):
    if thing is None:
        abort(404)
    return thing
