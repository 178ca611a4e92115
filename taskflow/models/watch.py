"""Who watches a task: notified of its comments, moves and due reminders (boards/watching.py)."""

from datetime import datetime

from sqlalchemy import ForeignKey, func, select
from sqlalchemy.orm import Mapped, mapped_column

from taskflow.extensions import db
from taskflow.models.user import utcnow

# A task's watchers are capped: a notification's fan-out stays bounded however popular it is.
MAX_WATCHERS = 50


class TaskWatch(db.Model):
    __tablename__ = "task_watches"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def watching(cls, task_id: int, user_id: int) -> bool:
        return db.session.get(cls, (task_id, user_id)) is not None

    @classmethod
    def count(cls, task_id: int) -> int:
        return db.session.scalar(select(func.count()).where(cls.task_id == task_id)) or 0

    @classmethod
    def watcher_ids(cls, task_id: int, since: datetime | None = None) -> list[int]:
        """The task's watchers, oldest first, at most MAX_WATCHERS; with `since`, those who
        watched it by then (a comment's: one who starts watching later is not told of it)."""
        query = select(cls.user_id).where(cls.task_id == task_id)
        if since is not None:
            query = query.where(cls.created_at <= since)
        return list(db.session.scalars(query.order_by(cls.created_at).limit(MAX_WATCHERS)))

    @classmethod
    def add(cls, task_id: int, user_id: int) -> bool:
        """Watch, unless already watching or the task has MAX_WATCHERS: whether it is
        watched now. A concurrent duplicate is left out by the statement itself."""
        if cls.watching(task_id, user_id):
            return True
        if cls.count(task_id) >= MAX_WATCHERS:
            return False
        if db.session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        row = {"task_id": task_id, "user_id": user_id, "created_at": utcnow()}
        db.session.execute(insert(cls).values(row).on_conflict_do_nothing())
        return True

    @classmethod
    def remove(cls, task_id: int, user_id: int) -> None:
        watch = db.session.get(cls, (task_id, user_id))
        if watch is not None:
            db.session.delete(watch)
