"""Who may see what. Non-members get 404 (nothing leaks about what exists);
members who go beyond their rights get 403."""

from flask import abort
from flask_login import current_user

from taskflow.extensions import db
from taskflow.models import Board, ChatRoom, Column, Task


def member_board(board_id: int) -> Board:
    board = db.session.get(Board, board_id)
    if board is None or not board.is_member(current_user):
        abort(404)
    return board


def owned_board(board_id: int) -> Board:
    board = member_board(board_id)
    if not board.is_owner(current_user):
        abort(403)
    return board


def member_column(column_id: int) -> Column:
    column = db.session.get(Column, column_id)
    if column is None or not column.board.is_member(current_user):
        abort(404)
    return column


def member_task(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not task.board.is_member(current_user):
        abort(404)
    return task


def member_room(room_id: int) -> ChatRoom:
    """Only the room's members read or post; everyone else gets 404, like a missing room."""
    room = db.session.get(ChatRoom, room_id)
    if room is None or not room.readable_by(current_user):
        abort(404)
    return room
