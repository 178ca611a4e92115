"""The composer as a command line: `/new Fix login @bob !high due:fri`, `/move 42 done`,
`/assign 42 @bob`, `/due 42 2026-12-01`, `/label 42 bug`, `/archive 42`, `/help`, typed in
any room of a board.

chat/intake.py hands a text starting with "/" to `run` (set as `intake.commands` at
start-up: boards is above chat, so chat calls it without importing it), for the socket and
the plain form alike. A command is applied as the board's own forms apply it: the sender
is a member of the room, hence of its board (the intake checked), within the rate of board
changes (changes.check_rate), through the same services (their checks, their versioned
diffs, their history events). Then a one-line notice ("bob moved #42 Fix login to Done")
is posted in the room (chat.service.post_notice), with an Undo its author alone is shown
(viewer.css) and may take (undo_service: the event's actor, within its window, not changed
since). A command that cannot be applied is told to the sender only, the text kept."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select

from taskflow import timezones
from taskflow.boards import changes, label_service, task_service, undo_service
from taskflow.boards import command_claims as claims
from taskflow.boards import command_words as words
from taskflow.boards.changes import Refused
from taskflow.chat import intake
from taskflow.chat import service as chat
from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, ChatRoom, Task, TaskEvent, User
from taskflow.models.task import DEFAULT_PRIORITY, TITLE_MAX

SLASH = "To send a text that begins with “/”, start it with “//”."
NOT_HERE = f"Commands work in a board's rooms. {SLASH}"
BEING_APPLIED = "This command is being applied already: its notice will show in the room."


@dataclass(frozen=True, slots=True)
class Done:
    """What a command did: the notice's words after its author's name, the event to undo."""

    text: str
    event: TaskEvent | None = None


@dataclass(frozen=True, slots=True)
class Context:
    board: Board
    actor: User
    rest: str  # the words after the command's name


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str
    help: str
    apply: Callable[[Context], Done] | None  # None: /help, answered to the sender


def run(room: ChatRoom, author: User, text: str, client_id: str | None) -> intake.Outcome | str:
    """Apply the command `text` typed in `room` by `author` (both checked by the intake), or
    return the text to post as a message: "//x" sends "/x"; in a room without a board (a
    direct message) only a command's name is refused, any other "/…" (a path) is a message."""
    name, rest = (re.split(r"\s+", text[1:], maxsplit=1) + [""])[:2]
    command = COMMANDS.get(name.casefold())
    if room.board_id is None:
        return intake.refused(NOT_HERE) if command else _unescaped(text, name)
    if text.startswith("//"):
        return text[1:]
    if command is None:
        return intake.refused(f"There is no command /{name[:20]}. /help lists them. {SLASH}")
    if command.apply is None:
        return intake.Outcome(intake.ANSWERED, reason=help_html())
    claim = claims.take(author.id, client_id) if client_id else ""
    if claim is None:  # the same command, resent while it is applied: not applied twice
        return intake.refused(BEING_APPLIED, 409)
    try:
        return _apply(room, author, command, rest, client_id)
    finally:
        if claim:
            claims.give_back(author.id, client_id, claim)


def _apply(
    room: ChatRoom, author: User, command: Command, rest: str, client_id: str | None
) -> intake.Outcome:
    """The change through the board's services (which commit it), then its notice carrying
    the client id; the caller holds the client id's claim all along."""
    earlier, _ = chat.already_sent(room.id, author.id, client_id)
    if earlier is not None:  # applied meanwhile, its claim given back: acknowledged again
        return intake.Outcome(intake.DUPLICATE, earlier)
    actor = db.session.get(User, author.id)
    board = db.session.get(Board, room.board_id)
    try:
        changes.check_rate(actor.id)
        done = command.apply(Context(board, actor, rest.strip()))
    except (Refused, words.Unclear) as no:
        db.session.rollback()
        return intake.refused(no.reason, no.status)
    event_id = done.event.id if done.event is not None else None
    notice, new = chat.post_notice(room, actor, done.text, event_id, client_id)
    return intake.Outcome(intake.POSTED if new else intake.DUPLICATE, notice, room, actor)


def _unescaped(text: str, name: str) -> str:
    """Where there are no commands, "//" is only needed before a command's name."""
    return text[1:] if name[1:].casefold() in COMMANDS else text


def undo(room: ChatRoom, notice: ChatMessage, actor: User) -> ChatMessage:
    """Take back what the notice's command did (Refused when its author may not now), and
    say so in the room: "bob undid: moved #42 Fix login to Done". The route counted the
    board change (boards.limited)."""
    event = db.session.get(TaskEvent, notice.event_id) if notice.event_id else None
    if event is None:
        raise Refused(undo_service.NOT_UNDOABLE, 400)
    undo_service.undo(event, actor)
    chat.notice_undone(notice)
    return chat.post_notice(room, actor, f"undid: {notice.content}", None)[0]


def help_html() -> Markup:
    lines = (Markup("<li><code>{}</code> {}</li>").format(c.usage, c.help) for c in TABLE)
    return Markup("Commands: <ul class='command-help'>{}</ul>").format(Markup("").join(lines))


# ---- The commands


def _new(c: Context) -> Done:
    """A task at the end of the board's first column: the words are its title, but for
    @name (the assignee), !priority and due:day."""
    fields = task_service.TaskFields(title="", priority=DEFAULT_PRIORITY)
    title, zone = [], timezones.zone_of(c.actor)
    for word in c.rest.split():
        if word.startswith("@") and len(word) > 1:
            fields.assignee_id = _id(words.member(c.board.id, word, c.actor))
        elif word.startswith("!") and len(word) > 1:
            fields.priority = words.priority(word)
        elif word.casefold().startswith("due:"):
            fields.due_date = words.due(word[4:], timezones.today(zone))
        else:
            title.append(word)
    fields.title = " ".join(title)
    if not fields.title or len(fields.title) > TITLE_MAX:
        raise words.Unclear(f"A task needs a title of 1 to {TITLE_MAX} characters: {USAGE_NEW}")
    column = next(iter(c.board.columns), None)
    if column is None:
        raise words.Unclear("This board has no column to put a task in.")
    task, _change = task_service.create_task(column, c.actor, fields)
    return Done(f"created {_task(task)} in {column.name}", _event(task, c.actor, "created"))


def _move(c: Context) -> Done:
    task, rest = _task_and_rest(c, "a column")
    column = words.column(c.board, rest)
    if task.column_id == column.id:
        raise words.Unclear(f"#{task.number} is already in {column.name}.")
    change = task_service.move_task(task, None, column, None, c.actor)
    return Done(f"moved {_task(task)} to {column.name}", change.undoable)


def _assign(c: Context) -> Done:
    task, rest = _task_and_rest(c, "@name, me or nobody")
    person = words.member(c.board.id, rest.split()[0], c.actor)
    if task.assignee_id == _id(person):
        raise words.Unclear(f"#{task.number} is already assigned to {_name(person)}.")
    task_service.assign_task(task, c.actor, _id(person))
    kind = "assigned" if person else "unassigned"
    text = f"assigned {_task(task)} to {_name(person)}" if person else f"unassigned {_task(task)}"
    return Done(text, _event(task, c.actor, kind))


def _due(c: Context) -> Done:
    task, rest = _task_and_rest(c, "a date")
    day = words.due(rest.split()[0], timezones.today(timezones.zone_of(c.actor)))
    if task.due_date == day and task.due_at is None:
        raise words.Unclear(f"#{task.number} is already due {day or 'never'}.")
    task_service.set_due_date(task, c.actor, day)
    text = f"set {_task(task)} due {day.isoformat()}" if day else f"undated {_task(task)}"
    return Done(text, _event(task, c.actor, "due_changed"))


def _label(c: Context) -> Done:
    """A toggle: the label goes on the task, or off it when it is there."""
    task, rest = _task_and_rest(c, "a label")
    label = words.label(c.board.id, rest)
    ids = {each.id for each in task.labels}
    off = label.id in ids
    label_service.set_task_labels(task, ids - {label.id} if off else ids | {label.id}, c.actor)
    if off:
        text, kind = f"took the label {label.name} off {_task(task)}", "unlabelled"
    else:
        text, kind = f"labelled {_task(task)} {label.name}", "labelled"
    return Done(text, _event(task, c.actor, kind))


def _archive(c: Context) -> Done:
    task = words.task(c.board.id, c.rest.split()[0] if c.rest else "")
    change = task_service.archive_task(task, c.actor)
    return Done(f"archived {_task(task)}", change.undoable)


# ---- Their words


def _task_and_rest(c: Context, wanted: str) -> tuple[Task, str]:
    number, rest = (c.rest.split(None, 1) + ["", ""])[:2]
    task = words.task(c.board.id, number)
    if not rest.strip():
        raise words.Unclear(f"Say {wanted} after #{task.number}.")
    return task, rest.strip()


def _task(task: Task) -> str:
    return f"#{task.number} {task.title}"


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None


def _name(user: User | None) -> str:
    return "nobody" if user is None else f"@{user.username}"


def _event(task: Task, actor: User, kind: str) -> TaskEvent | None:
    """The event the command's change just recorded (the service committed it)."""
    query = select(TaskEvent).where(
        TaskEvent.task_id == task.id, TaskEvent.actor_id == actor.id, TaskEvent.kind == kind
    )
    return db.session.scalar(query.order_by(TaskEvent.id.desc()).limit(1))


USAGE_NEW = "/new Fix login @bob !high due:fri"
# name, usage, help line (after the usage in /help and the composer's options), function.
TABLE = (
    Command("new", USAGE_NEW, "a task in the first column; @assignee, !priority, due:day", _new),
    Command("move", "/move 42 done", "moves #42 to a column (its name or its start)", _move),
    Command("assign", "/assign 42 @bob", "assigns #42 (to @name, me or nobody)", _assign),
    Command("due", "/due 42 fri", "sets #42's due day (2026-12-01, today, fri, none)", _due),
    Command("label", "/label 42 bug", "puts a label on #42, or takes it off", _label),
    Command("archive", "/archive 42", "archives #42", _archive),
    Command("help", "/help", "lists these commands, to you only", None),
)
COMMANDS = {command.name: command for command in TABLE}
