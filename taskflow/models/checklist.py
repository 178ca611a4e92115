"""A task's checklist: items checked off by anyone on the board, in an order they choose.

Positions are 0..n-1 per task, as a column's cards are; a move swaps two neighbours, a
removal shifts the items below it up one, in one UPDATE. The task keeps how many items it
has and how many are done (`Task.checklist_total`, `checklist_done`), counted afresh from
the rows after each change (`recount`), so a card shows its progress without a query."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, false, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.task import Task
from taskflow.models.user import User, utcnow

TEXT_MAX = 200  # an item's text, as a task's title (it may become one)
ITEMS_MAX = 100  # items on one task


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"
    __table_args__ = (
        Index("ix_checklist_items_task_id_position", "task_id", "position"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int] = mapped_column(default=0)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship()
    done_by: Mapped[User | None] = relationship()

    @classmethod
    def of_task(cls, task_id: int) -> list["ChecklistItem"]:
        """The task's items in order (at most ITEMS_MAX: the service refuses more)."""
        query = select(cls).where(cls.task_id == task_id).order_by(cls.position, cls.id)
        return list(db.session.scalars(query.limit(ITEMS_MAX)))

    @classmethod
    def recount(cls, task: Task) -> None:
        """Set the task's counters from its rows (under the board's lock): counted afresh,
        not stepped, so they cannot drift."""
        db.session.flush()
        mine = cls.task_id == task.id
        total = select(func.count()).where(mine).scalar_subquery()
        done = select(func.count()).where(mine, cls.done.is_(True)).scalar_subquery()
        counters = {"checklist_total": total, "checklist_done": done}
        db.session.execute(update(Task).where(Task.id == task.id).values(**counters))
        db.session.expire(task, ["checklist_total", "checklist_done"])

    def neighbour(self, step: int) -> "ChecklistItem | None":
        """The item just above (-1) or below (+1) this one, if any."""
        query = select(ChecklistItem).where(
            ChecklistItem.task_id == self.task_id, ChecklistItem.position == self.position + step
        )
        return db.session.scalars(query.limit(1)).first()

    def remove(self) -> None:
        """Delete the item; the items below it move up one place."""
        db.session.execute(
            update(ChecklistItem)
            .where(ChecklistItem.task_id == self.task_id, ChecklistItem.position > self.position)
            .values(position=ChecklistItem.position - 1),
            execution_options={"synchronize_session": False},
        )
        db.session.delete(self)
