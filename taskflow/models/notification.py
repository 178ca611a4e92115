from datetime import datetime
from functools import cache

from sqlalchemy import Column as SAColumn
from sqlalchemy import ForeignKey, Index, String, Table, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.task import TITLE_MAX
from taskflow.models.user import User, utcnow

# Who a message or comment mentions (the seed's mentioned_users).
message_mentions = Table(
    "chat_message_mentions",
    db.metadata,
    SAColumn("message_id", ForeignKey("chat_messages.id", ondelete="CASCADE"), primary_key=True),
    SAColumn("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # A user's mentions after a message id: a room's unread mentions (chat/unread.py).
    Index("ix_chat_message_mentions_user_id_message_id", "user_id", "message_id"),
)
comment_mentions = Table(
    "task_comment_mentions",
    db.metadata,
    SAColumn(
        "comment_id", ForeignKey("task_thread_comments.id", ondelete="CASCADE"), primary_key=True
    ),
    SAColumn("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

CHAT_MENTION, COMMENT_MENTION, TASK_ASSIGNED = "chat_mention", "comment_mention", "task_assigned"
# Issue 23: a due reminder, an overdue notice, and a watched task's comment or move.
DUE_REMINDER, TASK_OVERDUE = "due_reminder", "task_overdue"
TASK_COMMENT, TASK_MOVED = "task_comment", "task_moved"
PAGE_SIZE = 30
EXCERPT = 140  # characters of the message, comment or task description a row quotes


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_id_is_read", "recipient_id", "is_read"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20))
    task_thread_comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_thread_comments.id", ondelete="CASCADE"), index=True
    )
    chat_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_messages.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    is_read: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the center shows of it, kept from when it was made (issue 20). The excerpt, plain
    # text (markup.excerpt, escaped when rendered): made once here, not parsed from the
    # Markdown on every load; an edit of its message or comment rewrites it, a deletion
    # empties it. Its place's names: a room's (without "#") or a task's title, and its
    # board's ("" for a direct message, named by its people as they are): a reader removed
    # from the board keeps seeing the names he was told, never what they were renamed to.
    excerpt: Mapped[str] = mapped_column(String(EXCERPT), default="", server_default="")
    place_name: Mapped[str] = mapped_column(String(TITLE_MAX), default="", server_default="")
    board_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # One notification per event and recipient, enforced by the database: a job that runs
    # twice (a retry, a sweep) cannot notify twice.
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    sender: Mapped[User | None] = relationship(foreign_keys=[sender_id], lazy="joined")
    chat_message = relationship("ChatMessage")
    task_thread_comment = relationship("TaskThreadComment")
    task = relationship("Task")

    @classmethod
    def unread_count(cls, user_id: int) -> int:
        query = select(func.count(cls.id)).where(cls.recipient_id == user_id, ~cls.is_read)
        return db.session.scalar(query)

    @classmethod
    def page(cls, user_id: int, unread_only: bool = False, before: int | None = None) -> list:
        """A page of the user's notifications, newest first, with what the center shows of
        each (its message or comment, room or task, and board) in one query per kind of
        link: never one per notification."""
        query = select(cls).where(cls.recipient_id == user_id).options(*_shown())
        if unread_only:
            query = query.where(~cls.is_read)
        if before is not None:
            query = query.where(cls.id < before)
        return list(db.session.scalars(query.order_by(cls.id.desc()).limit(PAGE_SIZE)))

    @classmethod
    def mark_all_read(cls, user_id: int) -> None:
        db.session.execute(
            update(cls).where(cls.recipient_id == user_id, ~cls.is_read).values(is_read=True)
        )


@cache
def _shown() -> tuple:
    """The loader options of Notification.page: what the center needs beyond the row itself,
    which keeps the excerpt and the names (issue 20): the room or task a notification links
    to, whether its message was deleted, and the board a task is on (who may still open it).
    Nothing else: no text, no names, none of what a message loads with it by default."""
    from taskflow.models.column import Column
    from taskflow.models.comment import TaskThreadComment
    from taskflow.models.message import ChatMessage
    from taskflow.models.room import ChatRoom
    from taskflow.models.task import Task

    def task_of(path):
        return [
            path.load_only(Task.column_id),
            path.joinedload(Task.column).load_only(Column.board_id),
        ]

    message = selectinload(Notification.chat_message)
    comment = selectinload(Notification.task_thread_comment)
    return (
        message.load_only(ChatMessage.room_id, ChatMessage.deleted_at),
        *(message.lazyload(r) for r in (ChatMessage.author, ChatMessage.reactions)),
        message.lazyload(ChatMessage.reply_to),
        message.joinedload(ChatMessage.room).load_only(ChatRoom.kind),
        comment.load_only(TaskThreadComment.task_id),
        *(comment.lazyload(r) for r in (TaskThreadComment.author, TaskThreadComment.reactions)),
        *task_of(comment.joinedload(TaskThreadComment.task)),
        *task_of(selectinload(Notification.task)),
    )
