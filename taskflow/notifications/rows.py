"""A notification as the center shows it: who (the sender), what happened, where (the room or
task, which rows are grouped under), when, and an excerpt of the message or comment.

The excerpt and the place's names are the notification's own columns, made with it
(`excerpt_of`, in the job): a load parses no Markdown, and a place renamed since keeps the name
the notification was made with. The rest comes from what Notification.page loads with the page
(or, for a row pushed live, from the one notification being created): no query per row. Where
the reader has since lost access (removed from a room or a board), the row keeps its place's
name, as it was then, but neither its link nor the text: what the place says now is no longer
theirs."""

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for

from taskflow import access, markup
from taskflow.models import Notification, User, room_reads
from taskflow.models.notification import (
    COMMENT_MENTION,
    DUE_REMINDER,
    EXCERPT,
    TASK_ASSIGNED,
    TASK_COMMENT,
    TASK_MOVED,
    TASK_OVERDUE,
)
from taskflow.people import shown_name

# Kinds whose words the job wrote (Notification.text: a due moment in the reader's zone).
TOLD = {DUE_REMINDER: "Reminder:", TASK_OVERDUE: "Overdue:"}

ROOM, DIRECT, TASK = "room", "direct", "task"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a notification happened; consecutive rows of one place share its heading."""

    key: str  # "room-7", "task-3": what groups rows (a task's comments and assignment alike)
    kind: str  # ROOM, DIRECT or TASK
    name: str  # "#general", a direct message's other people, a task's title
    url: str
    board: str  # the board's name ("" for a direct message, which has no board)

    @property
    def phrase(self) -> str:
        """The place in a sentence: "in #general", "in a direct message", "on “Ship it”"."""
        if self.kind == TASK:
            return f"on “{self.name}”"
        return "in a direct message" if self.kind == DIRECT else f"in {self.name}"


@dataclass(frozen=True, slots=True)
class Row:
    notification: Notification
    place: Place
    excerpt: str  # plain text: escaped when rendered
    deleted: bool  # the message was deleted since
    readable: bool  # the reader may still open the place

    @property
    def who(self) -> str:
        if self.notification.type in TOLD:  # nobody did it: the clock did
            return TOLD[self.notification.type]
        return shown_name(self.notification.sender) or "Someone"

    @property
    def what(self) -> str:
        """What happened, said next to who did it; the place is the group's heading."""
        kind = self.notification.type
        if kind == COMMENT_MENTION:
            return "mentioned you in a comment"
        if kind == TASK_ASSIGNED:
            return "assigned you this task"
        if kind == TASK_COMMENT:
            return "commented on this task"
        if kind in TOLD:
            return f"this task {self.notification.text}"
        if kind == TASK_MOVED:
            return self.notification.text
        return "mentioned you"

    @property
    def summary(self) -> str:
        """The whole sentence ("alice mentioned you in #general"): the accessible name of the
        row's buttons, which are read away from its heading."""
        if self.notification.type == TASK_ASSIGNED:
            return f"{self.who} assigned you “{self.place.name}”"
        if self.notification.type in (*TOLD, TASK_COMMENT, TASK_MOVED):
            return f"{self.who} {self.what} {self.place.phrase}"
        return f"{self.who} mentioned you {self.place.phrase}"


@dataclass(slots=True)
class Group:
    place: Place
    rows: list[Row]


def rows_of(notifications: Iterable[Notification], reader: User) -> list[Row]:
    """The center's rows for a page of notifications (loaded by Notification.page), with
    what the reader may still open found in two queries for the whole page."""
    notifications = list(notifications)
    directs = {m.room_id for n in notifications if (m := n.chat_message) and m.room.is_direct}
    titles = room_reads.direct_titles(directs, reader.id)
    places = [place_of(n, reader, titles) for n in notifications]
    rooms = {n.chat_message.room_id for n in notifications if n.chat_message_id}
    boards = {_task(n).column.board_id for n in notifications if _task(n) is not None}
    readable_rooms = access.readable_room_ids(rooms, reader)
    member_boards = access.member_board_ids(boards, reader)

    def readable(notification: Notification) -> bool:
        if notification.chat_message_id:
            return notification.chat_message.room_id in readable_rooms
        task = _task(notification)
        return task is not None and task.column.board_id in member_boards

    return [_row(n, p, readable(n)) for n, p in zip(notifications, places, strict=True)]


def row(notification: Notification, reader: User) -> Row:
    """The row of a notification being created for `reader`, who may open its place (the
    job that notifies checks it)."""
    return _row(notification, place_of(notification, reader), True)


def grouped(rows: Iterable[Row]) -> list[Group]:
    """Consecutive rows of the same place under one heading (newest first, as they come)."""
    groups: list[Group] = []
    for item in rows:
        if groups and groups[-1].place.key == item.place.key:
            groups[-1].rows.append(item)
        else:
            groups.append(Group(item.place, [item]))
    return groups


def excerpt_of(text: str | None) -> str:
    """What a row quotes of a message, comment or task description: the first EXCERPT
    characters of its Markdown's text. Made once, when the notification is (or its message or
    comment edited), and stored: the center's loads parse nothing."""
    return markup.excerpt(text, EXCERPT) if text else ""


def place_of(
    notification: Notification, reader: User, titles: dict[int, str] | None = None
) -> Place:
    """Named as the notification keeps it (its place_name and board_name, from when it was
    made), but for a direct message, named by its people as the reader sees them now.
    `titles`: the page's direct messages (room_reads.direct_titles), else looked up for this
    one."""
    if notification.chat_message_id:
        message = notification.chat_message
        url = url_for("rooms.show", room_id=message.room_id)
        if message.room.is_direct:
            if titles is None:
                titles = room_reads.direct_titles([message.room_id], reader.id)
            return Place(f"room-{message.room_id}", DIRECT, titles[message.room_id], url, "")
        name = f"#{notification.place_name}"
        return Place(f"room-{message.room_id}", ROOM, name, url, notification.board_name)
    task_id = _task_id(notification)
    if task_id is None:  # not a kind the center knows: shown on its own
        return Place(f"other-{notification.id}", TASK, "", "", "")
    url = url_for("tasks.show", task_id=task_id)
    return Place(f"task-{task_id}", TASK, notification.place_name, url, notification.board_name)


def _task_id(notification: Notification) -> int | None:
    if notification.task_thread_comment_id:
        return notification.task_thread_comment.task_id
    return notification.task_id


def _task(notification: Notification):
    if notification.task_thread_comment_id:
        return notification.task_thread_comment.task
    return notification.task if notification.task_id else None


def _row(notification: Notification, place: Place, readable: bool) -> Row:
    """The stored excerpt, unless the reader lost the place or the message is deleted (its
    deletion emptied it too: service.remove_unread_for_message)."""
    message = notification.chat_message if notification.chat_message_id else None
    deleted = message is not None and message.deleted_at is not None
    excerpt = notification.excerpt if readable and not deleted else ""
    return Row(notification, place, excerpt, deleted, readable)
