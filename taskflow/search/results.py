"""What a page of hits shows: each found thing with its place, author, time, excerpt and the
link that opens it in context. One query per kind on the page, never one per hit.

A message opens its room's page around it (`?around=`, the page a reply's quote opens:
the messages before and after it) scrolled to it (`#message-<id>`, highlighted by
:target). A comment opens its task at it (`#comment-<id>`): the task page shows the latest
comments, so an older one opens the page of comments that ends with it (`?before=`). A task
opens its page."""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from taskflow.extensions import db
from taskflow.models import Board, ChatMessage, ChatRoom, Column, Task, User
from taskflow.models.comment import TaskThreadComment
from taskflow.models.message import PAGE_SIZE
from taskflow.search.finder import Hit
from taskflow.search.highlight import snippet

LABELS = {"message": "Message", "comment": "Comment", "task": "Task"}


@dataclass
class Result:
    kind: str
    id: int
    url: str
    place: str  # "#general", "Direct message", a task's title
    board: str | None
    author: str | None
    created_at: datetime
    excerpt: Markup

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def load(hits: list[Hit], words: list[str]) -> list[Result]:
    """The hits' results, in the hits' order."""
    found: dict[tuple[str, int], Result] = {}
    for kind, loader in (("message", _messages), ("comment", _comments), ("task", _tasks)):
        ids = [hit.id for hit in hits if hit.kind == kind]
        if ids:
            found.update(((kind, r.id), r) for r in loader(ids, words))
    return [found[hit.kind, hit.id] for hit in hits if (hit.kind, hit.id) in found]


def _author():
    return func.coalesce(User.display_name, User.username)


def _messages(ids: list[int], words: list[str]) -> list[Result]:
    query = (
        select(ChatMessage.id, ChatMessage.content, ChatMessage.created_at, ChatMessage.room_id)
        .add_columns(ChatRoom.name, ChatRoom.kind, Board.name, _author())
        .join(ChatRoom, ChatRoom.id == ChatMessage.room_id)
        .outerjoin(Board, Board.id == ChatRoom.board_id)
        .outerjoin(User, User.id == ChatMessage.author_id)
        .where(ChatMessage.id.in_(ids))
    )
    return [
        Result(
            "message",
            id,
            url_for("rooms.show", room_id=room_id, around=id, _anchor=f"message-{id}"),
            "Direct message" if kind == "direct" else f"#{room}",
            board,
            author,
            created_at,
            snippet(content, words),
        )
        for id, content, created_at, room_id, room, kind, board, author in db.session.execute(query)
    ]


def _comments(ids: list[int], words: list[str]) -> list[Result]:
    newer = aliased(TaskThreadComment)
    # How many comments of its task follow it: within the latest page, the task's page shows it.
    after = (
        select(func.count())
        .where(newer.task_id == TaskThreadComment.task_id, newer.id > TaskThreadComment.id)
        .scalar_subquery()
    )
    query = (
        select(TaskThreadComment.id, TaskThreadComment.content, TaskThreadComment.created_at)
        .add_columns(Task.id, Task.title, Board.name, _author(), after)
        .join(Task, Task.id == TaskThreadComment.task_id)
        .join(Column, Column.id == Task.column_id)
        .join(Board, Board.id == Column.board_id)
        .outerjoin(User, User.id == TaskThreadComment.author_id)
        .where(TaskThreadComment.id.in_(ids))
    )
    results = []
    for id, content, created_at, task_id, title, board, author, newer_count in db.session.execute(
        query
    ):
        older = {} if newer_count < PAGE_SIZE else {"before": id + 1}
        url = url_for("tasks.show", task_id=task_id, _anchor=f"comment-{id}", **older)
        excerpt = snippet(content, words)
        results.append(Result("comment", id, url, title, board, author, created_at, excerpt))
    return results


def _tasks(ids: list[int], words: list[str]) -> list[Result]:
    query = (
        select(Task.id, Task.title, Task.description, Task.created_at, Board.name, _author())
        .join(Column, Column.id == Task.column_id)
        .join(Board, Board.id == Column.board_id)
        .outerjoin(User, User.id == Task.created_by_id)
        .where(Task.id.in_(ids))
    )
    return [
        Result(
            "task",
            id,
            url_for("tasks.show", task_id=id),
            title,
            board,
            author,
            created_at,
            snippet(f"{title}\n\n{description}", words),
        )
        for id, title, description, created_at, board, author in db.session.execute(query)
    ]
