from datetime import datetime

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.board import Board

NAME_MAX = 50


class Column(db.Model):
    __tablename__ = "columns"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    position: Mapped[int] = mapped_column(default=0)
    # Archived: out of the board's columns (Board.columns lists live ones), its tasks kept.
    archived_at: Mapped[datetime | None]

    board: Mapped[Board] = relationship(back_populates="columns")
    # Its live tasks (an archived one keeps its column_id, out of the order).
    tasks: Mapped[list["Task"]] = relationship(  # noqa: F821
        back_populates="column",
        primaryjoin="and_(Column.id == Task.column_id, Task.archived_at.is_(None))",
        order_by="Task.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def neighbour(self, step: int) -> "Column | None":
        """The column `step` places to the right (negative: to the left), if any."""
        columns = self.board.columns
        index = columns.index(self) + step
        return columns[index] if 0 <= index < len(columns) else None

    def move(self, step: int) -> None:
        # Swap positions only: replacing items in the relationship list would orphan (delete) them.
        other = self.neighbour(step)
        if other is not None:
            self.position, other.position = other.position, self.position

    def task_count(self) -> int:
        """How many tasks the column holds: one COUNT on the column's index, no task loaded."""
        from taskflow.models.task import Task

        live = (Task.column_id == self.id, Task.archived_at.is_(None))
        return db.session.scalar(select(func.count()).where(*live)) or 0


def renumber(items: list) -> None:
    """Give ordered items positions 0..n-1, the order the user sees."""
    for index, item in enumerate(items):
        item.position = index
