"""A board's labels: a name and a colour from a fixed palette, several per task.

The name is what a label means (cards and pages always show it, the colour only beside it);
it is unique per board whatever its case (`key`: names.name_key, like a username's)."""

from datetime import datetime

from sqlalchemy import Column as SqlColumn
from sqlalchemy import ForeignKey, Integer, String, Table, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, validates

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.user import utcnow
from taskflow.names import name_key

NAME_MAX = 30
PER_BOARD = 50  # labels a board may define: a task's form lists them all
# The palette: a swatch beside the name, never the meaning alone (app.css .label-*).
COLOURS = ("grey", "red", "orange", "yellow", "green", "teal", "blue", "purple")
DEFAULT_COLOUR = "grey"

# Which labels each task carries; a label's or a task's deletion takes its rows with it.
task_labels = Table(
    "task_labels",
    db.metadata,
    SqlColumn("task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    SqlColumn(
        "label_id",
        Integer,
        ForeignKey("labels.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Label(db.Model):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("board_id", "key"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    key: Mapped[str] = mapped_column(String(4 * NAME_MAX))  # case folding may lengthen it
    colour: Mapped[str] = mapped_column(String(10), default=DEFAULT_COLOUR)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("name")
    def _name_set(self, _key: str, value: str) -> str:
        self.key = name_key(value)
        return value

    @classmethod
    def of_board(cls, board_id: int) -> list["Label"]:
        """The board's labels by name (at most PER_BOARD)."""
        query = select(cls).where(cls.board_id == board_id).order_by(cls.key, cls.id)
        return list(db.session.scalars(query))

    @classmethod
    def count(cls, board_id: int) -> int:
        return db.session.scalar(select(func.count(cls.id)).where(cls.board_id == board_id)) or 0

    @classmethod
    def named(cls, board_id: int, name: str, other_than: int | None = None) -> "Label | None":
        """The board's label with this name whatever its case (one indexed query)."""
        query = select(cls).where(cls.board_id == board_id, cls.key == name_key(name))
        if other_than is not None:
            query = query.where(cls.id != other_than)
        return db.session.scalar(query)

    def task_ids(self) -> list[int]:
        query = select(task_labels.c.task_id).where(task_labels.c.label_id == self.id)
        return list(db.session.scalars(query))
