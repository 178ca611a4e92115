"""@mention autocomplete: as the user types "@al", who can be mentioned there (at most 8).

Only people who can read the text are listed (room members in a room, board members on a
task): the list never reveals anyone outside the board."""

from collections.abc import Callable

from flask import Blueprint, render_template, request

from taskflow.access import member_room, member_task
from taskflow.converters import bounded_int
from taskflow.models import Board, User, room_reads
from taskflow.notifications import mentions

bp = Blueprint("autocomplete", __name__)
LIMIT = 8


@bp.get("/rooms/<int:room_id>/mentions")
def room(room_id: int):
    room = member_room(room_id)
    if mentions.command_options is not None:  # /mo…, #4…: the boards area's options
        offered = mentions.command_options(room, *_typed())
        if offered is not None:
            return offered
    return _options(lambda prefix: room_reads.members_starting(room.id, prefix, LIMIT))


@bp.get("/tasks/<int:task_id>/mentions")
def task(task_id: int):
    board_id = member_task(task_id).column.board_id
    return _options(lambda prefix: Board.members_starting(board_id, prefix, LIMIT))


def _typed() -> tuple[str, int]:
    """The text typed and where its caret is."""
    text = request.args.get("content", "")[:5000]
    return text, request.args.get("caret", len(text), type=bounded_int)


def _options(matching: Callable[[str], list[User]]) -> str:
    """The people `matching` finds for the word typed at the caret: only they are loaded
    (the first LIMIT by name), never the room's or board's whole membership."""
    query = mentions.query_at_caret(*_typed())
    users = [] if query is None else matching(query.lower())
    replace = len(query or "") + 1  # the "@" and the word typed: what an option replaces
    return render_template("notifications/mentions/_options.html", users=users, replace=replace)
