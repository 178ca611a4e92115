"""The live board: a change sends each viewer only what it changed, rendered once for all.

**Versions.** Changes to one board are serialized by `Board.lock_for_change`, which adds one
to the board's version: every change produces exactly the version after the one before it.
A change declares what it touched (`begin_change` returns its `Change`: cards created,
moved, edited or removed, columns added, renamed, moved or removed); just before the commit
realtime/after_commit.py renders it into one diff frame labelled with the version it
produces (`#board-diff`, templates/boards/_diff.html), and publishes it after the commit.
The htmx request that made the change is answered with the same diff.

**Pages.** A page applies a diff only when it is exactly its version + 1 and ignores one it
already has (static/js/board.js). A diff from further ahead (two processes publishing out of
order, or a frame lost) waits a moment for the missing one, then the page fetches the
kanban afresh. A (re)connecting page is sent the kanban as it is now, once
(`board_catch_up`); it replaces the page's when newer. Cards keep their own version too, so
a task page and its card agree.

**Windows.** A column shows its first `WINDOW` cards, and "Show N more" loads the next
(`columns.cards`). Positions are 0..n-1 in each column, so a page always shows a prefix of
each column, and a diff keeps it one: a card lands at its position if that is within the
prefix (or just after it), else only the column's count changes.

**Filters.** A page that filters its cards (`?q=`, boards/filter.py: `load_kanban`'s `found`,
`column_cards`' and `counts`' `where`) applies no diff, which is the same for every viewer:
it fetches its kanban again, filtered (static/js/board.js, docs/architecture.md)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from taskflow import chips
from taskflow.boards.filter import Filter
from taskflow.extensions import db
from taskflow.models import Board, Column, Task
from taskflow.realtime import after_commit, fragments, topics
from taskflow.realtime.after_commit import broadcast
from taskflow.realtime.broadcaster import text_frame

WINDOW = 30  # cards a column shows before "Show N more"
MORE = 50  # cards each "Show more" loads

_CHANGES = "taskflow.board_changes"
Conditions = Sequence[ColumnElement[bool]]  # a filter's, on tasks (boards/filter.py)
_LIVE_COLUMN = Column.archived_at.is_(None)


@dataclass
class ColumnView:
    """A column as a page shows it: its first cards and how many it holds."""

    column: Column
    cards: list[Task]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


@dataclass
class Kanban:
    board: Board
    version: int
    columns: list[ColumnView]
    query: str = ""  # the board filter's ?q= when it filters (boards/filter.py)

    @property
    def matches(self) -> int:
        return sum(view.count for view in self.columns)


def column_cards(
    column_id: int, offset: int = 0, limit: int = WINDOW, where: Conditions = ()
) -> list[Task]:
    """The column's cards from `offset`, in order, with what a card shows. Filtered
    (`where`: boards/filter.py), the cards that match, `offset` of them skipped."""
    query = (
        select(Task)
        .where(Task.column_id == column_id, *where)
        .order_by(Task.position, Task.id)
        .limit(limit)
        .options(selectinload(Task.assignee), selectinload(Task.labels))
    )
    # Unfiltered, positions are 0..n-1 (an archived task's is ARCHIVED, below 0): the index
    # finds the first one shown.
    if where:
        query = query.where(Task.archived_at.is_(None)).offset(offset)
    else:
        query = query.where(Task.position >= offset)
    return list(db.session.scalars(query))


def counts(column_ids, where: Conditions = ()) -> dict[int, int]:
    """How many tasks each column holds, or how many match `where` (one query)."""
    query = (
        select(Task.column_id, func.count())
        .where(Task.column_id.in_(list(column_ids)), Task.archived_at.is_(None), *where)
        .group_by(Task.column_id)
    )
    found = dict(db.session.execute(query).all())
    return {column_id: found.get(column_id, 0) for column_id in column_ids}


def column_views(columns: list[Column], where: Conditions = ()) -> list[ColumnView]:
    sizes = counts([c.id for c in columns], where)
    return [ColumnView(c, column_cards(c.id, where=where), sizes[c.id]) for c in columns]


def load_kanban(board_id: int, found: Filter | None = None) -> Kanban:
    """The board's version, then the board loaded afresh: the label is never newer than the
    content it labels. Each column: its first cards and its count (those that match
    `found`, when the page filters: its query is kept in the kanban's links)."""
    version = Board.current_version(board_id)
    db.session.expire_all()
    board = db.session.get(Board, board_id)
    where = found.conditions if found else ()
    return Kanban(board, version, column_views(board.columns, where), found.text if found else "")


def kanban_html(board_id: int) -> str:
    return fragments.render("boards/_kanban.html", kanban=load_kanban(board_id), oob=True)


def task_html(task_id: int) -> str:
    task = db.session.get(Task, task_id)
    if task is None:
        return fragments.render("boards/tasks/_deleted.html", task_id=task_id)
    # its description's "#42" chips filled once for all: every reader is on the board
    return chips.shared(fragments.render("boards/tasks/_detail.html", task=task, oob=True))


@dataclass
class Change:
    """What one change of a board touched; rendered as a diff just before the commit."""

    board_id: int
    cards: list[Task] = field(default_factory=list)  # created, moved or edited
    removed: set[int] = field(default_factory=set)  # task ids
    touched: set[int] = field(default_factory=set)  # columns whose count may have changed
    columns: list[Column] = field(default_factory=list)  # sent whole (first window)
    renamed: list[Column] = field(default_factory=list)  # header and quick-add form
    gone: set[int] = field(default_factory=set)  # column ids removed
    reordered: bool = False
    version: int = 0
    ops: str = ""
    undoable: object = None  # the event its actor may undo (boards/history.py), if any

    def card(self, task: Task) -> None:
        """This task's card changes (call before moving it: its old column's count too)."""
        if task.column_id is not None:
            self.touched.add(task.column_id)
        self.cards.append(task)

    def remove(self, task: Task) -> None:
        self.touched.add(task.column_id)
        self.removed.add(task.id)

    def render(self) -> str:
        """The diff's frame, inside the change's transaction (the board is locked: its
        version is the one this change produces)."""
        db.session.info.get(_CHANGES, {}).pop(self.board_id, None)
        self.version = Board.current_version(self.board_id)
        cards = [t for t in self.cards if t.id not in self.removed and t in db.session]
        ids = {t.id for t in cards}
        if ids:  # the cards' assignees and labels, a query each
            db.session.scalars(
                select(Task)
                .where(Task.id.in_(ids))
                .options(selectinload(Task.assignee), selectinload(Task.labels))
            ).all()
        renamed = {c.id for c in self.renamed}
        sizes = counts(({t.column_id for t in cards} | self.touched | renamed) - self.gone)
        whole = {c.id for c in self.columns}
        order = self._order() if self.reordered else None
        self.ops = fragments.render(
            "boards/_diff.html",
            cards=[t for t in cards if t.column_id not in whole],
            removed=sorted(self.removed),
            counts={c: n for c, n in sizes.items() if c not in whole | renamed},
            columns=column_views(self.columns),
            renamed=[ColumnView(c, [], sizes[c.id]) for c in self.renamed],
            gone=sorted(self.gone),
            order=order,
            strip=self._strip(),
        )
        return self.frame()

    def _order(self) -> list[int]:
        query = select(Column.id).where(Column.board_id == self.board_id, _LIVE_COLUMN)
        return list(db.session.scalars(query.order_by(Column.position)))

    def _strip(self) -> list[ColumnView] | None:
        """The strip of columns, whole, when columns were added, renamed, moved or removed
        (two light queries, rare); a card's change sends only its columns' counts."""
        if not (self.columns or self.renamed or self.gone or self.reordered):
            return None
        query = select(Column).where(Column.board_id == self.board_id, _LIVE_COLUMN)
        columns = list(db.session.scalars(query.order_by(Column.position)))
        sizes = counts([c.id for c in columns])
        return [ColumnView(c, [], sizes[c.id]) for c in columns]

    def frame(self, focus: str | None = None) -> str:
        """The diff as a page applies it; `focus`: the id the actor's page focuses after."""
        focused = Markup(' data-focus="{}"').format(focus) if focus else ""
        return Markup(
            '<div id="board-diff" hx-swap-oob="true" data-version="{}"{}>{}</div>'
        ).format(self.version, focused, Markup(self.ops))


def change_in_progress(board_id: int) -> Change:
    """The change this transaction began on the board (begin_change), to add to it without
    locking the board a second time (which would move its version on twice for one diff)."""
    return db.session.info[_CHANGES][board_id]


def begin_change(board: Board) -> Change:
    """Start a change of the board's columns or tasks: lock it (one change after the other,
    see Board.lock_for_change) and have its viewers sent the diff once it commits. Returns
    the change, for the route to say what it touches."""
    board.lock_for_change()
    changes = db.session.info.setdefault(_CHANGES, {})
    change = changes.get(board.id)
    if change is None:
        change = changes[board.id] = Change(board.id)
        broadcast(topics.board(board.id), change.render, key=("board", board.id))
    return change


def task_changed(*task_ids: int, chips: bool = True, board_id: int | None = None) -> None:
    """These tasks' details changed (or they were deleted): their pages get them on commit.
    `chips`: whether it is a change a chip shows (its title, column, assignee, due date,
    archive; not its labels, checklist or place in its column): then the pages that show
    their chips (taskflow/chips.py) get them, one frame per board. `board_id`: the tasks'
    board when the caller knows it (no query per task to find it)."""
    for task_id in task_ids:
        broadcast(topics.task(task_id), lambda t=task_id: task_html(t), key=("task", task_id))
    if chips and task_ids:
        if board_id is None:
            task = db.session.get(Task, task_ids[0])  # in the session: the change loaded it
            board_id = task.column.board_id if task and task.column else None
        if board_id is not None:
            _chip_frame(board_id).task_ids.update(task_ids)


def column_renamed(column: Column) -> None:
    """Chips show their column's name: one small frame renames it on every chip of the
    board's pages (live.js), rather than a chip per task of the column."""
    _chip_frame(column.board_id).columns[column.id] = column.name


class _ChipFrame:
    """What a transaction changed of one board's chips, rendered as one frame just before
    its commit. The declared broadcast holds it, so a rollback (which forgets what was
    declared) forgets it too: nothing piles up in a long-lived socket's session."""

    def __init__(self, board_id: int) -> None:
        self.board_id, self.task_ids, self.columns = board_id, set(), {}

    def __call__(self) -> str | None:
        """The frame (None when the chips are gone, as a deleted task's: nothing is sent)."""
        version = Board.current_version(self.board_id) if self.columns else 0
        return chips.frame(self.task_ids, self.columns, version) or None


def _chip_frame(board_id: int) -> _ChipFrame:
    key = ("chips", board_id)
    frame = after_commit.declared(key)
    if frame is None:  # once per board and transaction (the key): one frame for its tasks
        frame = _ChipFrame(board_id)
        broadcast(topics.chips(board_id), frame, key=key)
    return frame


def task_ids(column_id: int) -> list[int]:
    return list(db.session.scalars(select(Task.id).where(Task.column_id == column_id)))


def board_catch_up(board_id: int) -> list[bytes]:
    """A (re)connecting board page gets the board as it is now."""
    return [text_frame(kanban_html(board_id))]
