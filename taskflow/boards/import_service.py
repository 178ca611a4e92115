"""Imports of boards: a Trello board's JSON export or a TaskFlow export (docs/export-format.md).

Two calls (see changes.py, "who commits"):
- `queue_import` checks the upload where it is cheap (its size, that it is JSON, that it is one
  of the two kinds, its card count: the whole file is read once), keeps it in a BoardImport
  row and queues the job;
- `run_import`, the RQ job's work (boards/jobs.py), writes the board in ONE transaction: a
  failure leaves no board, and the import then says why. It is idempotent: it first claims
  the row (an UPDATE of a pending import only, which also locks it), so a re-run of a job
  that has run creates no second board. Its progress goes to Redis while the transaction is
  open, where the import's status fragment reads it (boards/transfer.py).

Writing is one small function per section (board, members, labels, columns, tasks, their
labels, checklists and comments). Who was matched: a username of the file (the board's
members, the assignees) that is a username here makes that user a member of the new board,
so that they can be assigned; the importer is its owner. Imported comments have no author
here; they keep their author's name (`imported_author`) and date."""

import json
import logging

import redis
from flask import current_app
from rq import Retry
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from taskflow import due_dates
from taskflow.boards import board_format, trello
from taskflow.boards.changes import Refused
from taskflow.boards.incoming import (
    IMPORT_MAX_BYTES,
    IncomingBoard,
    IncomingTask,
    NotAnExport,
    check_bounds,
    checklist_items,
    label_name,
    numbers,
)
from taskflow.extensions import db
from taskflow.models import (
    Board,
    BoardImport,
    ChecklistItem,
    Column,
    Label,
    Membership,
    Task,
    TaskThreadComment,
    User,
)
from taskflow.models.board_import import DONE, FAILED, PENDING
from taskflow.models.label import COLOURS, DEFAULT_COLOUR
from taskflow.models.user import utcnow
from taskflow.names import name_key, normalize
from taskflow.notifications import jobs, task_events
from taskflow.timezones import zone_of

log = logging.getLogger(__name__)

MEGABYTES = IMPORT_MAX_BYTES // (1024 * 1024)
TOO_BIG = f"That file is larger than {MEGABYTES} MB, the most an import takes."
EMPTY = "Choose a file to import: a Trello board's JSON export or a TaskFlow export."
NOT_JSON = "That file is not JSON: export the Trello board as JSON (or a TaskFlow board)."
NOT_AN_EXPORT = "That JSON is neither a Trello board export nor a TaskFlow export."
BUSY = "You have imports still running: wait until they have finished."
FAILED_UNEXPECTEDLY = "The import failed on our side; nothing was created. Please try again."
MAX_PENDING = 3
JOB = "taskflow.boards.jobs.import_board"
RETRY = Retry(max=2, interval=[5, 30])
PROGRESS_EVERY = 50  # tasks between two progress reports


def queue_import(user: User, filename: str, raw: bytes) -> BoardImport:
    if BoardImport.pending_count(user.id) >= MAX_PENDING:
        raise Refused(BUSY, 429)
    kind, board = examine(raw)
    record = BoardImport(user_id=user.id, filename=(filename or "upload.json")[:200], kind=kind,
                         payload=raw.decode(json.detect_encoding(raw)),
                         card_count=board.card_count)  # fmt: skip
    db.session.add(record)
    db.session.commit()
    report(record.id, 0, board.card_count)
    try:  # named, not imported: boards/jobs.py imports this module
        # Retried if a worker dies under it (its transaction then left nothing): idempotent.
        current_app.task_queue.enqueue(JOB, record.id, job_timeout=600, retry=RETRY)
    except redis.RedisError as error:
        log.warning("could not queue import %s: %s", record.id, error)
        _fail(record.id, "The import could not be started. Please try again in a moment.")
    return record


def examine(raw: bytes) -> tuple[str, IncomingBoard]:
    """The upload's kind and board, or Refused saying what is wrong with it."""
    if len(raw) > IMPORT_MAX_BYTES:
        raise Refused(TOO_BIG, 413)
    if not raw.strip():
        raise Refused(EMPTY, 422)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Refused(NOT_JSON, 422) from None
    try:
        return read(data)
    except NotAnExport as error:
        raise Refused(str(error), 422) from None


def read(data) -> tuple[str, IncomingBoard]:
    if board_format.is_taskflow(data):
        kind, board = "taskflow", board_format.read(data)
    elif trello.is_trello(data):
        kind, board = "trello", trello.read(data)
    else:
        raise NotAnExport(NOT_AN_EXPORT)
    check_bounds(board)
    return kind, board


# -- the job ---------------------------------------------------------------------------------


def run_import(import_id: int) -> None:
    if not _claim(import_id):
        return  # done (or failed) already: a re-run creates nothing
    record = db.session.get(BoardImport, import_id)
    try:
        board = _write(record)
    except NotAnExport as error:
        db.session.rollback()
        _fail(import_id, str(error))
        return
    except Exception:
        db.session.rollback()
        log.exception("import %s failed", import_id)
        _fail(import_id, FAILED_UNEXPECTEDLY)
        return
    record.status, record.board_id, record.payload = DONE, board.id, ""
    record.finished_at = utcnow()
    db.session.commit()
    _schedule_due(board.id)


def _schedule_due(board_id: int) -> None:
    """The imported tasks still to come due get their reminder and overdue jobs, as a task
    dated here does; those already past are not told late about a board just brought in."""
    query = (
        select(Task)
        .join(Column, Task.column_id == Column.id)
        .where(Column.board_id == board_id, Task.due_date.is_not(None))
        .options(selectinload(Task.assignee))
    )
    now = utcnow()
    for task in db.session.scalars(query):
        moment = due_dates.due_moment(task, zone_of(task.assignee))
        if moment is not None and moment > now:
            task_events.schedule_due(jobs.notify_due, task)


def _claim(import_id: int) -> bool:
    """Whether this import is still pending. The UPDATE comes first in its transaction: it
    waits for a concurrent run's commit (PostgreSQL's row lock, SQLite's write lock) and then
    finds the import no longer pending."""
    result = db.session.execute(
        update(BoardImport)
        .where(BoardImport.id == import_id, BoardImport.status == PENDING)
        .values(status=PENDING)
    )
    if result.rowcount == 0:
        db.session.rollback()
        return False
    return True


def _fail(import_id: int, message: str) -> None:
    db.session.execute(
        update(BoardImport)
        .where(BoardImport.id == import_id)
        .values(status=FAILED, error=message[:500], payload="", finished_at=utcnow())
    )
    db.session.commit()


def _write(record: BoardImport) -> Board:
    """The whole board, flushed but not committed (the caller commits with the import's row)."""
    _, incoming = read(json.loads(record.payload))
    owner = db.session.get(User, record.user_id)
    board = _board(incoming, owner)
    users = _members(board, incoming, owner)
    labels = _labels(board, incoming)
    given = numbers(incoming)
    done = 0
    for column, incoming_column in zip(_columns(board, incoming), incoming.columns, strict=True):
        for position, incoming_task in enumerate(incoming_column.tasks):
            task = _task(column, position, incoming_task, users, owner)
            task.number = given[done]
            task.labels = _carried(incoming_task, labels)
            _checklist(task, incoming_task)
            _comments(task, incoming_task)
            done += 1
            if done % PROGRESS_EVERY == 0:
                db.session.flush()
                report(record.id, done, incoming.card_count)
    board.task_counter = max(given, default=0)
    db.session.flush()
    report(record.id, done, incoming.card_count)
    return board


def _board(incoming: IncomingBoard, owner: User) -> Board:
    board = Board(name=incoming.name, description=incoming.description, owner=owner)
    board.memberships.append(Membership(user=owner))
    db.session.add(board)
    return board


def _members(board: Board, incoming: IncomingBoard, owner: User) -> dict[str, User]:
    """The file's usernames (members, assignees) that are usernames here, by the name the file
    gives; those users become members of the board."""
    names = set(incoming.members) | {t.assignee for c in incoming.columns for t in c.tasks}
    keys = {name_key(normalize(n)): n for n in names if n}
    found = {}
    for chunk in _chunks(sorted(keys), 500):
        for user in db.session.scalars(select(User).where(User.username_key.in_(chunk))):
            found[keys[user.username_key]] = user
            if user.id != owner.id:
                board.memberships.append(Membership(user=user))
    return found


# Trello's colours (a "_light" or "_dark" shade of one included) on our palette.
TRELLO_COLOURS = {"sky": "teal", "lime": "green", "pink": "purple", "black": "grey"}


def _labels(board: Board, incoming: IncomingBoard) -> dict[str, Label]:
    """The board's labels, one per name whatever its case, by that name's key."""
    db.session.flush()  # the board's id
    found: dict[str, Label] = {}
    for item in incoming.labels:
        name = label_name(item)
        if name_key(name) not in found:
            colour = (item.color or "").split("_")[0]
            colour = TRELLO_COLOURS.get(colour, colour)
            colour = colour if colour in COLOURS else DEFAULT_COLOUR
            label = Label(board_id=board.id, name=name, colour=colour)
            db.session.add(label)
            found[label.key] = label
    return found


def _carried(incoming: IncomingTask, labels: dict[str, Label]) -> list[Label]:
    keys = dict.fromkeys(name_key(label_name(label)) for label in incoming.labels)
    return [labels[key] for key in keys if key in labels]


def _checklist(task: Task, incoming: IncomingTask) -> None:
    items = checklist_items(incoming)
    for position, item in enumerate(items):
        db.session.add(ChecklistItem(task=task, text=item.name, done=item.checked,
                                     position=position))  # fmt: skip
    task.checklist_total = len(items)
    task.checklist_done = sum(item.checked for item in items)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _columns(board: Board, incoming: IncomingBoard) -> list[Column]:
    board.columns = [Column(name=c.name, position=i) for i, c in enumerate(incoming.columns)]
    return board.columns


def _task(
    column: Column, position: int, incoming: IncomingTask, users: dict[str, User], owner: User
) -> Task:
    task = Task(
        column=column,
        position=position,
        title=incoming.title,
        description=incoming.description,
        assignee=users.get(incoming.assignee) if incoming.assignee else None,
        due_date=incoming.due_date,
        due_at=incoming.due_at if incoming.due_date else None,
        remind_before=incoming.remind_before if incoming.due_date else None,
        priority=incoming.priority,
        created_by=owner,
        created_at=incoming.created_at or utcnow(),
        comment_count=len(incoming.comments),  # its comments are all written below
    )
    db.session.add(task)
    return task


def _comments(task: Task, incoming: IncomingTask) -> None:
    now = utcnow()
    for comment in incoming.comments:
        db.session.add(TaskThreadComment(
            task=task, author_id=None, content=comment.content, created_at=comment.created_at,
            imported_author=comment.author_name,
            notified_at=now,  # nobody is mentioned by an import: the sweep passes it by
        ))  # fmt: skip


# -- progress ----------------------------------------------------------------------------------


def _progress_key(import_id: int) -> str:
    return f"board-import:{import_id}"


def report(import_id: int, done: int, total: int) -> None:
    """How far the import is, where its status page reads it (an hour, then it expires)."""
    try:
        current_app.redis.set(_progress_key(import_id), f"{done}/{total}", ex=3600)
    except redis.RedisError as error:  # the page then shows no count: the import goes on
        log.warning("could not report import progress: %s", error)


def progress(import_id: int) -> tuple[int, int] | None:
    try:
        value = current_app.redis.get(_progress_key(import_id))
    except redis.RedisError:
        return None
    if not value:
        return None
    done, total = value.decode().split("/")
    return int(done), int(total)
