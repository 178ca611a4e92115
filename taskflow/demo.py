"""The demo a newcomer tries first (`flask --app taskflow seed-demo`): three people, a board
with work in every column, an open room where they talk (one of them is mentioned) and a task
with a comment thread. Everything is made through the functions the app's routes call (the
chat and comment services, the board's change, the notification work its RQ jobs do), so
the rows are the ones the app itself would have made, notifications included.

Running it again changes nothing. `--reset` starts over: the demo's boards go (with their
rooms, tasks, comments and notifications), its people get new passwords, lose their
sessions, notifications and direct messages among themselves, and everything is made anew.
Nothing else is touched: boards the demo people made themselves, or other people's boards
they joined, stay as they are.

What the demo made is recorded in the instance folder (`demo.json`, or the DEMO_RECORD
setting): per database, the id and creation time of each of its users and boards. A row is
the demo's only if both match, so a real account that happens to be called alice (made by
hand, or in a database created afresh at the same address) is never taken for the demo's:
seed-demo refuses rather than change it. The schema has no place for such a mark, and a name
or a description anyone can type would prove nothing."""

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import delete, func, select

from taskflow.accounts.service import end_sessions
from taskflow.boards import board_service, comment_thread, invitation_service, task_service
from taskflow.boards.task_service import TaskFields
from taskflow.chat import reactions
from taskflow.chat import service as chat
from taskflow.extensions import db
from taskflow.models import (
    Board,
    ChatMessage,
    ChatRoom,
    Invitation,
    Notification,
    Task,
    TaskThreadComment,
    User,
    UserSession,
    room_reads,
)
from taskflow.models.room import OPEN
from taskflow.names import name_key
from taskflow.notifications import service as notifications
from taskflow.realtime import connection as live
from taskflow.realtime import topics


class Person(NamedTuple):
    username: str
    display_name: str
    colour: str  # one of people.PALETTE


PEOPLE = (
    Person("alice", "Alice Martin", "#0b57d0"),
    Person("bob", "Bob Okafor", "#2e6b1f"),
    Person("carol", "Carol Diaz", "#ad1457"),
)
USERNAMES = tuple(p.username for p in PEOPLE)
BOARD_NAME = "Website launch"
BOARD_DESCRIPTION = (
    "Everything for the new website, live at the end of the month. Talk it over in "
    "#general; write @ and a name to notify someone."
)
ROOM_NAME = "general"
ROOM_DESCRIPTION = "Everyday talk about the launch."


class DemoRefused(Exception):
    """seed-demo will not go on: the message says why and what to do."""


@dataclass
class Outcome:
    """What a run did: `passwords` only when it made (or reset) the people, the only time
    it knows them."""

    created: bool
    board_id: int | None = None
    room_id: int | None = None
    tasks: int = 0
    messages: int = 0
    passwords: dict[str, str] = field(default_factory=dict)
    kept_boards: int = 0  # boards the demo people made themselves, left alone by --reset


# -- the record of what the demo made ------------------------------------------------------


def record_path() -> Path:
    configured = current_app.config.get("DEMO_RECORD")
    return Path(configured) if configured else Path(current_app.instance_path) / "demo.json"


def _database() -> str:
    """The key of this database in the record (its address, without a password)."""
    return db.engine.url.render_as_string(hide_password=True)


def _read_all() -> dict:
    try:
        data = json.loads(record_path().read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise DemoRefused(
            f"{record_path()} cannot be read ({error}): it records what the demo made. "
            "Remove it only if this database holds no demo people."
        ) from error
    return data if isinstance(data, dict) else {}


def _write(record: dict) -> None:
    """Save this database's record (the others' stay), atomically: a crash leaves the old one."""
    everything = _read_all()
    everything[_database()] = record
    path = record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, path)


def _stamp(row: User | Board) -> dict:
    """What identifies a row the demo made: its id and its creation time as stored (read back
    after the commit, at the database's precision)."""
    return {"id": row.id, "created_at": row.created_at.isoformat()}


def _matches(row, stamp: object) -> bool:
    return (
        row is not None
        and isinstance(stamp, dict)
        and stamp.get("created_at") == row.created_at.isoformat()
    )


def _demo_users(record: dict) -> dict[str, User]:
    """The demo's people that still exist, by username."""
    found = {}
    for username, stamp in (record.get("users") or {}).items():
        if username not in USERNAMES or not isinstance(stamp, dict):
            continue
        user = db.session.get(User, stamp.get("id"))
        if _matches(user, stamp) and user.username_key == name_key(username):
            found[username] = user
    return found


def _demo_boards(record: dict) -> list[Board]:
    boards = []
    for stamp in record.get("boards") or []:
        board = db.session.get(Board, stamp.get("id")) if isinstance(stamp, dict) else None
        if _matches(board, stamp):
            boards.append(board)
    return boards


# -- the command ----------------------------------------------------------------------------


def seed(reset: bool = False) -> Outcome:
    """Make the demo unless it is here; with `reset`, remove it and make it again. Raises
    DemoRefused when a demo username belongs to someone else, or when the demo is only partly
    here (then --reset mends it)."""
    with current_app.test_request_context():  # the services render fragments with url_for
        record = _read_all().get(_database()) or {}
        users, boards = _demo_users(record), _demo_boards(record)
        others = [n for n in USERNAMES if n not in users and User.by_username(n) is not None]
        if others:
            raise DemoRefused(_not_ours(others))
        if not reset:
            if len(users) == len(USERNAMES) and boards:
                return Outcome(created=False, board_id=boards[0].id)
            if users or boards:
                raise DemoRefused(_partial(users, boards))
        kept = _remove(users, boards) if reset else 0
        outcome = _make(users)
        outcome.kept_boards = kept
        return outcome


def _not_ours(names: list[str]) -> str:
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"{listed} {'is' if len(names) == 1 else 'are'} already taken by "
        f"{'an account' if len(names) == 1 else 'accounts'} the demo did not make "
        f"(it records what it makes in {record_path()}). seed-demo never changes a real "
        "account: try the demo on another database (DATABASE_URL, or TASKFLOW_INSTANCE for "
        "a fresh instance folder)."
    )


def _partial(users: dict[str, User], boards: list[Board]) -> str:
    missing = [n for n in USERNAMES if n not in users] + ([] if boards else ["its board"])
    return (
        f"The demo is only partly here (gone: {', '.join(missing)}). "
        "Run seed-demo --reset to start it over."
    )


# -- removing (--reset) ---------------------------------------------------------------------


def _remove(users: dict[str, User], boards: list[Board]) -> int:
    """Remove the demo's boards and its people's data, as the app's own deletions do (open
    pages are told and close); the people's rows stay, to be reset. Returns how many boards
    the demo people own that the demo did not make (left alone)."""
    for board in boards:  # with its rooms, tasks, comments, invitations, notifications
        board_service.archive_board(board)  # only an archived board is deleted for good
        board_service.delete_board(board)
    ids = {u.id for u in users.values()}
    for room in _directs_among(ids):
        room_id = room.id
        db.session.delete(room)
        live.end_scope(topics.room(room_id))
        db.session.commit()
    for user in users.values():
        db.session.execute(delete(Notification).where(Notification.recipient_id == user.id))
        end_sessions(*UserSession.ids_of(user.id))  # commits; their pages close (4401)
    _write({"users": {n: _stamp(u) for n, u in users.items()}, "boards": []})
    if not ids:
        return 0
    return db.session.scalar(select(func.count(Board.id)).where(Board.owner_id.in_(ids)))


def _directs_among(user_ids: set[int]) -> list[ChatRoom]:
    """Direct messages whose people are all the demo's: nobody else's conversation."""
    rooms = {}
    for user_id in user_ids:
        for link in room_reads.directs_of(user_id):
            rooms.setdefault(link.id, db.session.get(ChatRoom, link.id))
    return [r for r in rooms.values() if {m.id for m in r.members} <= user_ids]


# -- making ---------------------------------------------------------------------------------


def _make(existing: dict[str, User]) -> Outcome:
    passwords = {p.username: secrets.token_urlsafe(9) for p in PEOPLE}
    people = {
        p.username: _person(p, existing.get(p.username), passwords[p.username]) for p in PEOPLE
    }
    db.session.commit()
    record = {"users": {n: _stamp(u) for n, u in people.items()}, "boards": []}
    _write(record)  # before anything else: a crash from here on leaves a demo --reset mends
    alice = people["alice"]
    board = board_service.create_board(BOARD_NAME, BOARD_DESCRIPTION, alice)
    record["boards"].append(_stamp(board))
    _write(record)
    for user in (people["bob"], people["carol"]):  # as alice's Invite (without its rate)
        db.session.add(Invitation(board=board, invitee=user, invited_by_id=alice.id))
        invitation_service.join_board(board, user)  # and their Accept
    tasks = _tasks(board, people)
    room, messages = _conversation(board, people)
    _comments(tasks["announcement"], people)
    return Outcome(True, board.id, room.id, len(tasks), messages, passwords)


def _person(person: Person, user: User | None, password: str) -> User:
    """A new demo person, or the existing one made as new (--reset)."""
    if user is None:
        user = User(person.username, password)
        db.session.add(user)
    else:
        user.set_password(password)
        user.time_zone = None  # their browser tells it again at the next sign-in
    user.display_name, user.avatar_color = person.display_name, person.colour
    if user.id is not None:  # as a profile save: their messages elsewhere render afresh
        user.profile_version += 1
        ChatRoom.people_changed(user.id)
    return user


# The board's tasks: (key, column index, author, assignee, priority, due in days, title,
# description). Every column has some; one has a due date; the "announcement" gets comments.
TASKS = (
    ("announcement", 0, "alice", "carol", "high", 5, "Write the launch announcement",
     "The post for the blog and the newsletter.\n\n"
     "- what is new, in three lines\n- a screenshot of the board\n- the launch date"),
    ("alerts", 0, "bob", "bob", "medium", None, "Set up error alerts", ""),
    ("photos", 0, "carol", None, "low", None, "Choose photos for the pricing page",
     "Two or three, with people in them."),
    ("reset-email", 1, "alice", "bob", "urgent", None, "Fix the password reset email",
     "Customers say the link has expired by the time they open it."),
    ("signup", 1, "carol", "carol", "medium", None, "Redesign the sign-up form",
     "Fewer fields; the name is optional."),
    ("domain", 2, "alice", "alice", "medium", None, "Register the domain", ""),
    ("faq", 2, "carol", None, "low", None, "Draft the FAQ", ""),
)  # fmt: skip


def _tasks(board: Board, people: dict[str, User]) -> dict[str, Task]:
    """As the board's "Add a task" (task_service.create_task), and the assignee's
    notification made at once, as the worker would (a worker that runs the queued job later
    adds nothing)."""
    made = {}
    for key, column, author, assignee, priority, due_in, title, description in TASKS:
        due = date.today() + timedelta(days=due_in) if due_in is not None else None
        assignee_id = people[assignee].id if assignee else None
        fields = TaskFields(title, description, assignee_id, due, priority)
        task, _change = task_service.create_task(board.columns[column], people[author], fields)
        if assignee is not None and assignee != author:
            version = Task.current_version(task.id)
            notifications.for_assignment(task.id, assignee_id, people[author].id, version)
        made[key] = task
    return made


CONVERSATION = (
    ("alice", "Morning all! The launch is at the end of the month; the board has what is left."),
    ("carol", "I'm on the sign-up form today, the new layout is nearly there."),
    (
        "alice",
        "@bob could you look at the password reset email before Thursday? "
        "Two customers wrote in about the expired link.",
    ),
    ("bob", "On it. The link expires after ten minutes, I'll make it an hour and move the card."),
    ("carol", "Thanks! I'll have the announcement draft ready for review tomorrow."),
    ("alice", "Perfect, I'll read it first thing."),
)


def _conversation(board: Board, people: dict[str, User]) -> tuple[ChatRoom, int]:
    """The board's first room (open, as the app makes a board's first room) and a short
    talk in it, posted as the room's composer does; the mention's notification is made at
    once, as the worker would (a worker that runs the queued job later adds nothing)."""
    room = ChatRoom(board, ROOM_NAME, ROOM_DESCRIPTION, people["alice"], kind=OPEN)
    room.members += [people["bob"], people["carol"]]
    db.session.add(room)
    db.session.commit()
    for username, text in CONVERSATION:
        message, _outside, _new = chat.post(room, people[username], text, was_typing=False)
        if username == "bob":
            answer = message.id
        if message.notified_at is None:
            notifications.for_chat_message(message.id)
    # alice's 👍 on bob's answer, as the reaction button does
    reactions.toggle_on_message(db.session.get(ChatMessage, answer), people["alice"].id, "thumbsup")
    return room, len(CONVERSATION)


COMMENTS = (
    ("carol", "First draft is in the description, short on purpose."),
    ("alice", "Reads well. @bob can you check the numbers we give for the beta?"),
    ("bob", "Checked: 1,200 people tried the beta, 300 of them every day."),
)


def _comments(task: Task, people: dict[str, User]) -> None:
    """A thread on the task, posted as its comment form does (comment_thread.post)."""
    for username, text in COMMENTS:
        comment: TaskThreadComment = comment_thread.post(task, people[username], text)
        if comment.notified_at is None:
            notifications.for_comment(comment.id)


RESET_COMMAND = "flask --app taskflow seed-demo --reset"


def summary(outcome: Outcome) -> list[str]:
    """What the command prints."""
    if not outcome.created:
        return [
            "The demo is already here: nothing was changed. Log in as "
            + _names()
            + " with the passwords printed when it was made.",
            # Only their hashes are kept: the way to a password one has lost is a new one.
            "Lost them? They cannot be shown again (only their hashes are stored): "
            f"{RESET_COMMAND} starts the demo over and prints new ones.",
        ]
    lines = [
        f"The demo is ready: the board “{BOARD_NAME}” (/boards/{outcome.board_id}) with "
        f"{outcome.tasks} tasks, the open room #{ROOM_NAME} (/rooms/{outcome.room_id}) with "
        f"{outcome.messages} messages, and a comment thread. Log in as:"
    ]
    for person in PEOPLE:
        lines.append(
            f"  {person.username:8} {outcome.passwords[person.username]}  ({person.display_name})"
        )
    lines.append("bob has a mention waiting in his notifications.")
    if outcome.kept_boards:
        lines.append(
            f"Left as they were: {outcome.kept_boards} board(s) the demo people made themselves."
        )
    lines.append("Running seed-demo again changes nothing; --reset starts over with new passwords.")
    return lines


def _names() -> str:
    return ", ".join(USERNAMES[:-1]) + " or " + USERNAMES[-1]  # "alice, bob or carol"
