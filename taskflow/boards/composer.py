"""The room composer's commands on the web: a notice's Undo (its author's: the button is in
the shared notice, shown to its author by viewer.css, and posts the page's own
#reactions-form, so it carries no token), and the options the composer offers as a
command is typed (`/mo…`, `#4…`, a column after `/move 42 `, a label after `/label 42 `),
which notifications/autocomplete.py asks for through `options` (set at start-up)."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from taskflow import errors
from taskflow.access import member_room
from taskflow.boards import command_words, commands
from taskflow.boards.boards import limited
from taskflow.boards.changes import Refused
from taskflow.extensions import db
from taskflow.htmx import is_htmx
from taskflow.models import Board, ChatMessage, ChatRoom, Label
from taskflow.models.message import NOTICE
from taskflow.names import name_key
from taskflow.people import shown_name

bp = Blueprint("composer", __name__)

LIMIT = 8  # options shown, as for @mentions
COMMAND_AT_START = re.compile(r"/(\w*)")
TASK_TYPED = re.compile(r"(?:^|\s)#(\w*)$")  # "#4", "#log" at the caret
NUMBER_AFTER = re.compile(r"/(?:move|assign|due|label|archive)\s+(\d*)")
NAME_AFTER = re.compile(r"/(move|label)\s+#?\d+\s+(.*)")
ASSIGNEE_AFTER = re.compile(r"/(?:assign|new)\s.*?@([\w.\-]*)")  # the board's, not the room's


@bp.post("/rooms/<int:room_id>/notices/<int:message_id>/undo")
@limited
def undo(room_id: int, message_id: int):
    """The notice's author takes its command back; anyone else is refused (403)."""
    room = member_room(room_id)
    notice = db.session.get(ChatMessage, message_id)
    if notice is None or notice.room_id != room.id or notice.kind != NOTICE:
        abort(404)
    try:
        done = commands.undo(room, notice, current_user._get_current_object())
    except Refused as refused:
        if is_htmx():  # reactions.js posts it without a target: the page's messages say why
            return render_template("boards/_undo_refused.html", reason=refused.reason), 200
        return errors.refusal(refused.status, refused.reason)
    if is_htmx():  # the page gets the "undid" notice as every page of the room does
        return "", 204
    flash("Undone.", "success")
    return redirect(url_for("rooms.show", room_id=room.id, _anchor=f"message-{done.id}"))


def options(room: ChatRoom, text: str, caret: int) -> str | None:
    """The composer's options for the command being typed before the caret, or None when
    it is not a command's word (then @mentions are looked for as before)."""
    before = text[: max(0, caret)]
    if room.board_id is None or "\n" in before:
        return None
    if (typed := COMMAND_AT_START.fullmatch(before)) is not None:
        word = typed.group(1).casefold()
        found = [(c.usage, c.help, f"/{c.name} ", len(before)) for c in commands.TABLE]
        return _render(before, [option for option in found if option[2][1:].startswith(word)])
    if (typed := NUMBER_AFTER.fullmatch(before) or TASK_TYPED.search(before)) is not None:
        word = typed.group(1)
        tasks = command_words.tasks_matching(room.board_id, word, LIMIT)
        sign = "#" if before.endswith("#" + word) else ""
        found = [(f"#{t.number}", t.title, f"{sign}{t.number} ", len(sign + word)) for t in tasks]
        return _render(before, found)
    if (typed := NAME_AFTER.fullmatch(before)) is not None:
        return _render(before, _names(room.board_id, typed.group(1), typed.group(2)))
    if (typed := ASSIGNEE_AFTER.fullmatch(before)) is not None:
        word = typed.group(1)
        people = Board.members_starting(room.board_id, name_key(word), LIMIT)
        return _render(before, [(f"@{u.username}", shown_name(u), f"@{u.username} ", len(word) + 1)
                        for u in people])  # fmt: skip
    return None


def _names(board_id: int, kind: str, typed: str) -> list[tuple]:
    """The board's columns (after /move 42) or labels (after /label 42) the words begin."""
    board = db.session.get(Board, board_id)
    things = board.columns if kind == "move" else Label.of_board(board_id)
    key = typed.strip().casefold()
    what = "column" if kind == "move" else "label"
    named = [t for t in things if t.name.casefold().startswith(key)][:LIMIT]
    return [(t.name, what, t.name, len(typed)) for t in named]


def _render(before: str, found: list[tuple]) -> str:
    """(shown, described, inserted, replaced): the text inserted replaces the characters
    typed before the caret (compose.js). None once what is typed is already the one option
    (any case): Enter then sends the command rather than completing it again."""
    if len(found) == 1:
        inserted, replaced = found[0][2], found[0][3]
        if before[len(before) - replaced :].casefold() == inserted.strip().casefold():
            found = []
    return render_template("boards/_command_options.html", options=found)
