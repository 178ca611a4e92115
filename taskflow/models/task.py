from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.column import Column
from taskflow.models.user import User, utcnow

PRIORITIES = ("low", "medium", "high", "urgent")
DEFAULT_PRIORITY = "medium"  # what a new task gets; cards show only the others


TITLE_MAX = 200
ARCHIVED = -1  # an archived task's position: below every live one, so windows skip it


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    # The task's number on its board ("#42"): given once from Board.task_counter, never
    # reused, kept through moves and archive. Chat and comments point at tasks by it.
    number: Mapped[int] = mapped_column(default=0, server_default="0", index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("columns.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_date: Mapped[date | None]
    # The due moment (naive UTC) when a time was given with the date, from the setter's zone;
    # None for a date alone (then reminders use the assignee's 09:00: boards/due.py).
    due_at: Mapped[datetime | None]
    # Minutes before the due moment to remind (0: at it), None: no reminder (due.REMINDERS).
    remind_before: Mapped[int | None]
    # Bumped whenever what decides the reminder's moment changes: a reminder or overdue job
    # carries the version it was queued for and does nothing once it is stale.
    due_version: Mapped[int] = mapped_column(default=0, server_default="0")
    priority: Mapped[str] = mapped_column(String(10), default=DEFAULT_PRIORITY)
    position: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped by every change to the task or its comment thread (see Board.version).
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Kept by the comment thread for the card (TaskThreadComment.recount).
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Kept by the checklist service for the card's "3/5" (ChecklistItem.recount).
    checklist_total: Mapped[int] = mapped_column(default=0, server_default="0")
    checklist_done: Mapped[int] = mapped_column(default=0, server_default="0")
    # Archived instead of deleted: out of its column's order (position ARCHIVED), restorable.
    archived_at: Mapped[datetime | None]
    # "Make task" (issue 24): the message or comment it was made from, if any (its card
    # and page link back). use_alter: the message and comment name the task they became.
    source_message_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "chat_messages.id", ondelete="SET NULL", use_alter=True, name="fk_tasks_source_message"
        )
    )
    source_comment_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "task_thread_comments.id",
            ondelete="SET NULL",
            use_alter=True,
            name="fk_tasks_source_comment",
        )
    )

    column: Mapped[Column] = relationship(back_populates="tasks")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    # Its labels by name (models/label.py); a card shows them, loaded for a page at once.
    labels: Mapped[list["Label"]] = relationship(  # noqa: F821
        secondary="task_labels", order_by="Label.key", passive_deletes=True
    )

    @property
    def board(self):
        return self.column.board

    def bump_version(self) -> None:
        db.session.execute(update(Task).where(Task.id == self.id).values(version=Task.version + 1))

    @classmethod
    def numbered(cls, board_id: int, number: int) -> "Task | None":
        """The board's task of that number (archived ones too), or None."""
        query = (
            select(cls)
            .join(Column, cls.column_id == Column.id)
            .where(Column.board_id == board_id, cls.number == number)
        )
        return db.session.scalars(query).first()

    @classmethod
    def current_version(cls, task_id: int) -> int:
        return db.session.scalar(select(cls.version).where(cls.id == task_id)) or 0

    # Positions are 0..n-1 in each column, the order the user sees. A move or a removal
    # shifts the cards between the old and the new place by one, in one UPDATE per column,
    # without loading them: a change costs the same on a board of 10 tasks or of 1,000.

    def move_to(self, column: Column, position: int) -> None:
        """Put the task at `position` (clamped) of `column`, which must be on the same board."""
        if column.board_id != self.column.board_id:
            raise ValueError("a task moves only within its board")
        old_column_id, old = self.column_id, self.position
        if column.id == old_column_id:
            position = max(0, min(position, column.task_count() - 1))
            if position < old:
                self._shift(column.id, +1, position, old - 1)
            elif position > old:
                self._shift(column.id, -1, old + 1, position)
        else:
            position = max(0, min(position, column.task_count()))
            self._shift(old_column_id, -1, old + 1)
            self._shift(column.id, +1, position)
            self.column = column
        self.position = position

    def step(self, direction: str) -> None:
        """Keyboard moves: up/down within the column, left/right to the neighbour column
        (at the same place, or last if that column is shorter)."""
        if direction in ("up", "down"):
            self.move_to(self.column, self.position + (-1 if direction == "up" else 1))
        elif direction in ("left", "right"):
            target = self.column.neighbour(-1 if direction == "left" else 1)
            if target is not None:
                self.move_to(target, self.position)
        else:
            raise ValueError(f"unknown direction {direction!r}")

    def archive(self) -> None:
        """Leave the column's order as a removal does (the cards below move up one place),
        kept in its column for a restore."""
        self._shift(self.column_id, -1, self.position + 1)
        self.position, self.archived_at = ARCHIVED, utcnow()

    def restore(self, column: Column, position: int | None = None) -> None:
        """Back into `column` (live, of the task's board) at `position` (clamped; its end
        when None)."""
        end = column.task_count()
        position = end if position is None else max(0, min(position, end))
        self._shift(column.id, +1, position)
        self.column, self.position, self.archived_at = column, position, None

    def remove(self) -> None:
        """Delete the task; the cards below it move up one place."""
        self._shift(self.column_id, -1, self.position + 1)
        db.session.delete(self)

    def _shift(self, column_id: int, by: int, low: int, high: int | None = None) -> None:
        """Move the column's other cards at positions low..high (or beyond) by `by`."""
        where = [Task.column_id == column_id, Task.position >= low, Task.id != self.id]
        if high is not None:
            where.append(Task.position <= high)
        db.session.execute(
            update(Task).where(*where).values(position=Task.position + by),
            execution_options={"synchronize_session": False},
        )


def assigned_to(user_id: int, offset: int, limit: int) -> list[Task]:
    """The tasks assigned to the user on the boards they are on ("My tasks"), by due date
    (those without last), with their column and board: one query, `limit` rows at most.
    What is archived (the task, its column or its board) is not listed."""
    from sqlalchemy.orm import joinedload

    from taskflow.models.board import Board, Membership

    query = (
        select(Task)
        .join(Column, Task.column_id == Column.id)
        .join(
            Membership, (Membership.board_id == Column.board_id) & (Membership.user_id == user_id)
        )
        .join(Board, Board.id == Column.board_id)
        .where(Task.assignee_id == user_id, Task.archived_at.is_(None))
        .where(Column.archived_at.is_(None), Board.archived_at.is_(None))
        .options(joinedload(Task.column).joinedload(Column.board).load_only(Board.name))
        .order_by(Task.due_date.is_(None), Task.due_date, Task.due_at, Task.id)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(query))
