"""TaskFlow's own board format (docs/export-format.md), written and read, and the CSV of a
board's tasks. One small function per section (board, members, columns, tasks, comments), so
that a section added later (labels, checklists) is one function more on each side.

Exports are streamed: a column's tasks are read a page at a time (PAGE tasks, with their
comments and assignees in one query each), so memory does not grow with the board."""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select

from taskflow.boards import incoming
from taskflow.boards.incoming import (
    AUTHOR_MAX,
    BOARD_DESCRIPTION_MAX,
    BOARD_NAME_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    IncomingBoard,
    IncomingColumn,
    IncomingComment,
    IncomingTask,
    NotAnExport,
)
from taskflow.extensions import db
from taskflow.models import Board, Column, Membership, Task, TaskThreadComment, User

FORMAT, VERSION = "taskflow-board", 1
PAGE = 200
CSV_HEADER = ("column", "title", "description", "assignee", "due_date", "priority", "created")


# -- writing -------------------------------------------------------------------------------


def json_chunks(board_id: int) -> Iterator[str]:
    """The board as TaskFlow's JSON, in pieces (a streamed response: read from its id as it
    is sent, after the view has returned)."""
    board = db.session.get(Board, board_id)
    head = {"format": FORMAT, "version": VERSION, "exported_at": _iso(_now())}
    head["board"] = {"name": board.name, "description": board.description}
    head["members"] = _member_names(board.id)
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "columns": ['
    for index, column in enumerate(board.columns):
        yield ("," if index else "") + f'{{"name": {json.dumps(column.name, ensure_ascii=False)}'
        yield ', "tasks": ['
        for number, task in enumerate(_task_dicts(column)):
            yield ("," if number else "") + json.dumps(task, ensure_ascii=False)
        yield "]}"
    yield "]}\n"


def _member_names(board_id: int) -> list[str]:
    query = (
        select(User.username)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.board_id == board_id)
        .order_by(User.username)
    )
    return list(db.session.scalars(query))


def _task_dicts(column: Column) -> Iterator[dict]:
    for tasks, assignees, comments in _pages(column):
        for task in tasks:
            yield {
                "title": task.title,
                "description": task.description,
                "assignee": assignees.get(task.assignee_id),
                "due_date": task.due_date.isoformat() if task.due_date else None,
                "priority": task.priority,
                "created_at": _iso(task.created_at),
                "comments": [_comment_dict(c) for c in comments.get(task.id, [])],
            }


def _pages(column: Column) -> Iterator[tuple[list[Task], dict, dict]]:
    """The column's tasks in order, PAGE at a time, with their assignees' usernames and
    their comments (oldest first): three queries a page, whatever the board's size."""
    after = -1
    while True:
        query = select(Task).where(Task.column_id == column.id, Task.position > after)
        tasks = list(db.session.scalars(query.order_by(Task.position).limit(PAGE)))
        if not tasks:
            return
        ids = {t.assignee_id for t in tasks if t.assignee_id}
        found = db.session.execute(select(User.id, User.username).where(User.id.in_(ids)))
        names = {user_id: username for user_id, username in found}
        comments = _comments_of([t.id for t in tasks])
        yield tasks, names, comments
        after = tasks[-1].position
        for row in [*tasks, *(c for found in comments.values() for c in found)]:
            db.session.expunge(row)  # what was sent is not kept


def _comments_of(task_ids: list[int]) -> dict[int, list[TaskThreadComment]]:
    query = (
        select(TaskThreadComment)
        .where(TaskThreadComment.task_id.in_(task_ids))
        .order_by(TaskThreadComment.created_at, TaskThreadComment.id)
    )
    found = defaultdict(list)
    for comment in db.session.scalars(query):
        found[comment.task_id].append(comment)
    return found


def _comment_dict(comment: TaskThreadComment) -> dict:
    author = comment.imported_author or (
        comment.author.shown_name if comment.author else "deleted user"
    )
    return {"author_name": author, "content": comment.content,
            "created_at": _iso(comment.created_at)}  # fmt: skip


def csv_chunks(board_id: int) -> Iterator[str]:
    """One row per task: column, title, description, assignee, due date, priority, created."""
    board = db.session.get(Board, board_id)
    yield _csv_row(CSV_HEADER)
    for column in board.columns:
        for tasks, assignees, _ in _pages(column):
            for task in tasks:
                due = task.due_date.isoformat() if task.due_date else ""
                yield _csv_row((column.name, task.title, task.description,
                                assignees.get(task.assignee_id, ""), due, task.priority,
                                _iso(task.created_at)))  # fmt: skip


def _csv_row(cells) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([guard_cell(cell) for cell in cells])
    return out.getvalue()


def guard_cell(value: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a
    formula: such a cell is written with a leading quote, which shows it as text (OWASP)."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def _iso(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# -- reading -------------------------------------------------------------------------------


def is_taskflow(data) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


def read(data: dict) -> IncomingBoard:
    if data.get("version") != VERSION:
        raise NotAnExport(
            f"That TaskFlow export is of version {data.get('version')!r}; "
            f"this TaskFlow reads version {VERSION}."
        )
    head = data.get("board") if isinstance(data.get("board"), dict) else {}
    members = data.get("members") if isinstance(data.get("members"), list) else []
    return IncomingBoard(
        name=incoming.text(head.get("name"), BOARD_NAME_MAX).strip() or "Imported board",
        description=incoming.text(head.get("description"), BOARD_DESCRIPTION_MAX),
        members=[m for m in members if isinstance(m, str)],
        columns=[_column(c) for c in _dicts(data.get("columns"))],
    )


def _dicts(items) -> list[dict]:
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _column(item: dict) -> IncomingColumn:
    return IncomingColumn(incoming.column_name(item.get("name")),
                          [_task(t) for t in _dicts(item.get("tasks"))])  # fmt: skip


def _task(item: dict) -> IncomingTask:
    assignee = item.get("assignee")
    return IncomingTask(
        title=incoming.title(item.get("title")),
        description=incoming.text(item.get("description"), DESCRIPTION_MAX),
        assignee=assignee if isinstance(assignee, str) else None,
        due_date=incoming.day(item.get("due_date")),
        priority=incoming.priority(item.get("priority")),
        created_at=incoming.moment(item.get("created_at")),
        comments=[c for c in map(_comment, _dicts(item.get("comments"))) if c is not None],
    )


def _comment(item: dict) -> IncomingComment | None:
    at = incoming.moment(item.get("created_at"))
    content = incoming.text(item.get("content"), COMMENT_MAX)
    if at is None or not content.strip():
        return None
    author = incoming.text(item.get("author_name"), AUTHOR_MAX) or "someone"
    return IncomingComment(author, content, at)
