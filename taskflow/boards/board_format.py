"""TaskFlow's own board format (docs/export-format.md), written and read, and the CSV of a
board's tasks. One small function per section (board, members, labels, columns, tasks, their
labels, checklist and comments) on each side.

Exports are streamed: a column's tasks are read a page at a time (PAGE tasks, with their
comments and assignees in one query each), so memory does not grow with the board."""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from taskflow.boards import incoming
from taskflow.boards.incoming import (
    AUTHOR_MAX,
    BOARD_DESCRIPTION_MAX,
    BOARD_NAME_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    Checklist,
    IncomingBoard,
    IncomingColumn,
    IncomingComment,
    IncomingTask,
    NotAnExport,
)
from taskflow.boards.incoming import ChecklistItem as IncomingItem
from taskflow.boards.incoming import Label as IncomingLabel
from taskflow.extensions import db
from taskflow.models import (
    Board,
    ChecklistItem,
    Column,
    Label,
    Membership,
    Task,
    TaskThreadComment,
    User,
)

FORMAT, VERSION = "taskflow-board", 1
PAGE = 200
CSV_HEADER = ("column", "title", "description", "assignee", "due_date", "priority", "created",
              "labels", "checklist")  # fmt: skip


# -- writing -------------------------------------------------------------------------------


def json_chunks(board_id: int) -> Iterator[str]:
    """The board as TaskFlow's JSON, in pieces (a streamed response: read from its id as it
    is sent, after the view has returned)."""
    board = db.session.get(Board, board_id)
    head = {"format": FORMAT, "version": VERSION, "exported_at": _iso(_now())}
    head["board"] = {"name": board.name, "description": board.description}
    head["members"] = _member_names(board.id)
    head["labels"] = [{"name": label.name, "colour": label.colour}
                      for label in Label.of_board(board.id)]  # fmt: skip
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
    for tasks, assignees, comments, items in _pages(column):
        for task in tasks:
            yield {
                "number": task.number,
                "title": task.title,
                "description": task.description,
                "assignee": assignees.get(task.assignee_id),
                "due_date": task.due_date.isoformat() if task.due_date else None,
                "due_at": _iso(task.due_at),
                "remind_before": task.remind_before,
                "priority": task.priority,
                "created_at": _iso(task.created_at),
                "labels": [label.name for label in task.labels],
                "checklist": [{"text": i.text, "done": i.done} for i in items.get(task.id, [])],
                "comments": [_comment_dict(c) for c in comments.get(task.id, [])],
            }


def _pages(column: Column) -> Iterator[tuple[list[Task], dict, dict, dict]]:
    """The column's tasks in order, PAGE at a time, with their labels, their assignees'
    usernames, their comments (oldest first) and checklist items: five queries a page,
    whatever the board's size."""
    after = -1
    while True:
        query = select(Task).where(Task.column_id == column.id, Task.position > after)
        query = query.options(selectinload(Task.labels)).order_by(Task.position).limit(PAGE)
        tasks = list(db.session.scalars(query))
        if not tasks:
            return
        ids = {t.assignee_id for t in tasks if t.assignee_id}
        found = db.session.execute(select(User.id, User.username).where(User.id.in_(ids)))
        names = {user_id: username for user_id, username in found}
        comments = _comments_of([t.id for t in tasks])
        items = _items_of([t.id for t in tasks if t.checklist_total])
        yield tasks, names, comments, items
        after = tasks[-1].position
        rows = [*comments.values(), *items.values()]
        for row in [*tasks, *(r for found in rows for r in found)]:
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


def _items_of(task_ids: list[int]) -> dict[int, list[ChecklistItem]]:
    query = select(ChecklistItem).where(ChecklistItem.task_id.in_(task_ids))
    found = defaultdict(list)
    for item in db.session.scalars(query.order_by(ChecklistItem.position, ChecklistItem.id)):
        found[item.task_id].append(item)
    return found


def _comment_dict(comment: TaskThreadComment) -> dict:
    author = comment.imported_author or (
        comment.author.shown_name if comment.author else "deleted user"
    )
    return {"author_name": author, "content": comment.content,
            "created_at": _iso(comment.created_at)}  # fmt: skip


def csv_chunks(board_id: int) -> Iterator[str]:
    """One row per task: column, title, description, assignee, due date, priority, created,
    its labels' names ("bug, ui") and its checklist's progress ("3/5")."""
    board = db.session.get(Board, board_id)
    yield _csv_row(CSV_HEADER)
    for column in board.columns:
        for tasks, assignees, *_ in _pages(column):
            for task in tasks:
                due = task.due_date.isoformat() if task.due_date else ""
                yield _csv_row((column.name, task.title, task.description,
                                assignees.get(task.assignee_id, ""), due, task.priority,
                                _iso(task.created_at), ", ".join(x.name for x in task.labels),
                                _progress(task)))  # fmt: skip


def _progress(task: Task) -> str:
    return f"{task.checklist_done}/{task.checklist_total}" if task.checklist_total else ""


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
        labels=[_label(item) for item in _dicts(data.get("labels"))],
    )


def _label(item: dict) -> IncomingLabel:
    name, colour = item.get("name"), item.get("colour")
    return IncomingLabel(incoming.text(name, 100), incoming.text(colour, 20))


def _strings(items) -> list[str]:
    return [i for i in items if isinstance(i, str)] if isinstance(items, list) else []


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
        due_at=incoming.moment(item.get("due_at")),
        remind_before=incoming.remind_before(item.get("remind_before")),
        priority=incoming.priority(item.get("priority")),
        created_at=incoming.moment(item.get("created_at")),
        number=incoming.number(item.get("number")),
        comments=[c for c in map(_comment, _dicts(item.get("comments"))) if c is not None],
        labels=[IncomingLabel(name, "") for name in _strings(item.get("labels"))],
        checklists=[Checklist("", [_item(i) for i in _dicts(item.get("checklist"))])],
    )


def _item(item: dict) -> IncomingItem:
    return IncomingItem(incoming.text(item.get("text"), 200), item.get("done") is True)


def _comment(item: dict) -> IncomingComment | None:
    at = incoming.moment(item.get("created_at"))
    content = incoming.text(item.get("content"), COMMENT_MAX)
    if at is None or not content.strip():
        return None
    author = incoming.text(item.get("author_name"), AUTHOR_MAX) or "someone"
    return IncomingComment(author, content, at)
