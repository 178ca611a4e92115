"""Invitations to a board: a user becomes a member only by accepting one, or by opening the
board's invite link. Until then they see nothing of the board but its name."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, delete, func, select, text, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import db
from taskflow.models.board import Board
from taskflow.models.user import User, utcnow

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


class Invitation(db.Model):
    __tablename__ = "board_invitations"
    __table_args__ = (
        # At most one open invitation per board and invitee (answered ones stay as history,
        # so the same person may be invited again after declining or leaving).
        Index(
            "uq_board_invitations_pending",
            "board_id",
            "invitee_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_board_invitations_invitee_id_status", "invitee_id", "status"),
        {"sqlite_autoincrement": True},  # its id is in URLs: never reused
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    board: Mapped[Board] = relationship()
    invitee: Mapped[User] = relationship(foreign_keys=[invitee_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_pending(self) -> bool:
        return self.status == PENDING

    @classmethod
    def pending_for(cls, board: Board, user: User) -> "Invitation | None":
        query = select(cls).where(
            cls.board_id == board.id, cls.invitee_id == user.id, cls.status == PENDING
        )
        return db.session.scalar(query)

    @classmethod
    def pending_of_board(cls, board: Board) -> list["Invitation"]:
        query = select(cls).where(cls.board_id == board.id, cls.status == PENDING)
        return list(db.session.scalars(query.order_by(cls.id)))

    @classmethod
    def pending_of_user(cls, user_id: int) -> list["Invitation"]:
        query = select(cls).where(cls.invitee_id == user_id, cls.status == PENDING)
        return list(db.session.scalars(query.order_by(cls.id.desc())))

    @classmethod
    def pending_count(cls, user_id: int) -> int:
        query = select(func.count(cls.id)).where(cls.invitee_id == user_id, cls.status == PENDING)
        return db.session.scalar(query)

    def answer(self, status: str) -> bool:
        """Accept or decline, once: a conditional update, so two answers sent at the same
        time (two tabs, a double click) cannot both win. True if this one did."""
        result = db.session.execute(
            update(Invitation)
            .where(Invitation.id == self.id, Invitation.status == PENDING)
            .values(status=status, answered_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(self)
        return result.rowcount == 1


class InviteLink(db.Model):
    """A board's shareable invite link: one per board. The code is stored as it is, so the
    owner can copy the link again at any time (see README); it is looked up through its
    unique index, never compared in Python."""

    __tablename__ = "board_invite_links"

    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(43), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]

    board: Mapped[Board] = relationship()

    @classmethod
    def of_board(cls, board: Board) -> "InviteLink | None":
        return db.session.get(cls, board.id)

    @classmethod
    def reset(cls, board: Board, user: User, valid_for: timedelta | None) -> "InviteLink":
        """A new code for the board (the previous one stops working at once)."""
        link = cls.of_board(board) or cls(board_id=board.id)
        link.code = secrets.token_urlsafe(16)
        link.created_by_id = user.id
        link.created_at = utcnow()
        link.expires_at = utcnow() + valid_for if valid_for else None
        db.session.add(link)
        return link

    @classmethod
    def usable(cls, code: str) -> "InviteLink | None":
        """The link with this code, unless it expired. Unknown codes and old ones: None."""
        if not code or len(code) > 64:
            return None
        link = db.session.scalar(select(cls).where(cls.code == code))
        if link is None or (link.expires_at is not None and link.expires_at <= utcnow()):
            return None
        return link


class Removal(db.Model):
    """A member the owner removed from a board. The board's invite link refuses them until
    the owner invites them again (which deletes the row): without it, a removed member would
    be back through a link still shared with the team. A member who left is not one."""

    __tablename__ = "board_removals"

    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    removed_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    @classmethod
    def record(cls, board: Board, user: User) -> None:
        """Once, in one statement: a removal sent twice at once (both requests finding no
        row, then both inserting) would fail on the primary key."""
        if db.session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        row = {"board_id": board.id, "user_id": user.id, "removed_at": utcnow()}
        db.session.execute(insert(cls).values(row).on_conflict_do_nothing())

    @classmethod
    def lift(cls, board: Board, user: User) -> None:
        db.session.execute(delete(cls).where(cls.board_id == board.id, cls.user_id == user.id))

    @classmethod
    def applies(cls, board: Board, user: User) -> bool:
        """Whether the user was removed from the board and not invited since."""
        return user.id is not None and db.session.get(cls, (board.id, user.id)) is not None

    @classmethod
    def of_board(cls, board: Board) -> list["Removal"]:
        query = select(cls).where(cls.board_id == board.id).order_by(cls.removed_at)
        return list(db.session.scalars(query))
