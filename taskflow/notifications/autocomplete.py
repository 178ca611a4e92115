"""@mention autocomplete: as the user types "@al", who can be mentioned there (at most 8).

Only people who can read the text are listed (room members in a room, board members on a
task): the list never reveals anyone outside the board."""

from flask import Blueprint, render_template, request

from taskflow.access import member_room, member_task
from taskflow.converters import bounded_int
from taskflow.models import User
from taskflow.notifications import mentions

bp = Blueprint("autocomplete", __name__)
LIMIT = 8


@bp.get("/rooms/<int:room_id>/mentions")
def room(room_id: int):
    return _options(member_room(room_id).members)


@bp.get("/tasks/<int:task_id>/mentions")
def task(task_id: int):
    return _options(member_task(task_id).board.members)


def _options(candidates: list[User]) -> str:
    text = request.args.get("content", "")[:5000]
    caret = request.args.get("caret", len(text), type=bounded_int)
    query = mentions.query_at_caret(text, caret)
    matches = (
        []
        if query is None
        else [u for u in candidates if u.username_key.startswith(query.lower())][:LIMIT]
    )
    return render_template("notifications/mentions/_options.html", users=matches)
