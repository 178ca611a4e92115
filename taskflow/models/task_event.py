"""A board's history: one row per change of a task or a column, written in the change's own
transaction (boards/history.py). Names are stored as they were (a column's name at the
time), so the history reads right after a rename; ids are never reused."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import db
from taskflow.models.user import User, utcnow

KIND_MAX = 40


class TaskEvent(db.Model):
    __tablename__ = "task_events"
    __table_args__ = (
        Index("ix_task_events_task_id_id", "task_id", "id"),
        Index("ix_task_events_board_id_id", "board_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    # Null for a column's events; kept while the task exists (archived tasks stay).
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    column_id: Mapped[int | None] = mapped_column(ForeignKey("columns.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()

    @classmethod
    def of_task(cls, task_id: int, before: int | None, limit: int) -> list["TaskEvent"]:
        """The task's events, newest first, older than `before` (an id) when given."""
        query = select(cls).where(cls.task_id == task_id)
        return cls._page(query, before, limit)

    @classmethod
    def of_board(cls, board_id: int, before: int | None, limit: int) -> list["TaskEvent"]:
        query = select(cls).where(cls.board_id == board_id)
        return cls._page(query, before, limit)

    @classmethod
    def _page(cls, query, before: int | None, limit: int) -> list["TaskEvent"]:
        from sqlalchemy.orm import selectinload

        if before is not None:
            query = query.where(cls.id < before)
        query = query.order_by(cls.id.desc()).limit(limit).options(selectinload(cls.actor))
        return list(db.session.scalars(query))

    @classmethod
    def later_than(cls, event: "TaskEvent", kinds: tuple[str, ...]) -> bool:
        """Whether the event's task (or column) had one of these events after it."""
        target = cls.task_id == event.task_id if event.task_id else cls.column_id == event.column_id
        query = select(cls.id).where(target, cls.id > event.id, cls.kind.in_(kinds)).limit(1)
        return db.session.scalar(query) is not None
