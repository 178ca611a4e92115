from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.message import PAGE_SIZE
from taskflow.models.task import Task
from taskflow.models.user import User, utcnow


class TaskThreadComment(db.Model):
    __tablename__ = "task_thread_comments"
    __table_args__ = (Index("ix_task_thread_comments_task_id_id", "task_id", "id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # Outbox marker: set once its mention notifications exist (see notifications.py).
    notified_at: Mapped[datetime | None] = mapped_column(index=True)
    # An imported comment (boards/import_service.py) has no author here: the name it had
    # where it came from, shown as "Imported · originally by <name>", its date kept.
    imported_author: Mapped[str | None] = mapped_column(String(100))
    # "Make task" (issue 24): the task this comment became (its chip follows the comment).
    made_task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))

    task: Mapped[Task] = relationship(foreign_keys=[task_id])
    author: Mapped[User | None] = relationship(lazy="joined")
    mentioned_users: Mapped[list[User]] = relationship(secondary="task_comment_mentions")
    # As ChatMessage.reactions: read with the comment, written as Reaction rows.
    reactions: Mapped[list["Reaction"]] = relationship(  # noqa: F821
        lazy="selectin", viewonly=True, order_by="Reaction.id"
    )

    @classmethod
    def recount(cls, task: Task) -> None:
        """Set the task's comment_count from its comments' rows, once a comment was added or
        removed (under the board's lock): counted afresh, not stepped, so it cannot drift."""
        db.session.flush()
        count = select(func.count()).where(cls.task_id == task.id).scalar_subquery()
        db.session.execute(update(Task).where(Task.id == task.id).values(comment_count=count))
        db.session.expire(task, ["comment_count"])

    @classmethod
    def latest(cls, task: Task, before: int | None = None) -> list["TaskThreadComment"]:
        """A page of the thread, oldest first: the newest comments, or those before an id."""
        query = select(cls).options(selectinload(cls.mentioned_users)).where(cls.task_id == task.id)
        if before is not None:
            query = query.where(cls.id < before)
        return list(db.session.scalars(query.order_by(cls.id.desc()).limit(PAGE_SIZE)))[::-1]

    def can_edit(self, user: User) -> bool:
        return self.author_id == user.id

    def can_delete(self, user: User) -> bool:
        return self.author_id == user.id or self.task.board.owner_id == user.id
