from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.user import User, utcnow

DEFAULT_COLUMNS = ("To Do", "In Progress", "Done")


class Membership(db.Model):
    __tablename__ = "board_members"

    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Board(db.Model):
    __tablename__ = "boards"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped by every change to the kanban; live pages ignore a broadcast older than what
    # they show, so two concurrent changes end with the same board on every screen.
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The last task number given on the board (Task.number): numbers are never reused.
    task_counter: Mapped[int] = mapped_column(default=0, server_default="0")
    # Archived: off its members' lists (Archived boards), restorable; only then deletable.
    archived_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    # The live columns (an archived one is out of the order, see column_service).
    columns: Mapped[list["Column"]] = relationship(  # noqa: F821
        back_populates="board",
        primaryjoin="and_(Board.id == Column.board_id, Column.archived_at.is_(None))",
        order_by="Column.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @classmethod
    def create(cls, name: str, description: str, owner: User) -> "Board":
        from taskflow.models.column import Column

        board = cls(name=name, description=description, owner=owner)
        board.memberships.append(Membership(user=owner))
        board.columns = [Column(name=n, position=i) for i, n in enumerate(DEFAULT_COLUMNS)]
        db.session.add(board)
        return board

    @staticmethod
    def take_numbers(board_id: int, count: int = 1) -> int:
        """Reserve the board's next `count` task numbers; returns the last of them. One
        UPDATE: two tasks made at once on the board never get the same number."""
        return db.session.execute(
            update(Board)
            .where(Board.id == board_id)
            .values(task_counter=Board.task_counter + count)
            .returning(Board.task_counter)
        ).scalar_one()

    @classmethod
    def for_user(cls, user: User, archived: bool = False) -> list["Board"]:
        """The user's boards (archived: those archived instead)."""
        state = cls.archived_at.is_not(None) if archived else cls.archived_at.is_(None)
        query = (
            select(cls)
            .join(Membership)
            .where(Membership.user_id == user.id, state)
            .order_by(cls.name, cls.id)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def member_counts(board_ids: list[int]) -> dict[int, int]:
        """How many members each of these boards has, counted in SQL (one query): a page
        that shows the number never loads the memberships."""
        if not board_ids:
            return {}
        query = (
            select(Membership.board_id, func.count())
            .where(Membership.board_id.in_(board_ids))
            .group_by(Membership.board_id)
        )
        return {board_id: count for board_id, count in db.session.execute(query)}

    def lock_for_change(self) -> None:
        """Start a change: bump the version, which in PostgreSQL also locks the board's row
        until commit, so concurrent changes to one board apply one after the other. Reload
        everything read before the lock, since another change may have just committed."""
        db.session.execute(
            update(Board).where(Board.id == self.id).values(version=Board.version + 1)
        )
        db.session.expire_all()

    @classmethod
    def current_version(cls, board_id: int) -> int:
        return db.session.scalar(select(cls.version).where(cls.id == board_id)) or 0

    @property
    def members(self) -> list[User]:
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == self.id)
            .order_by(User.username_key)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def members_starting(board_id: int, prefix: str, limit: int) -> list[User]:
        """The first `limit` of the board's members, by name, whose username key starts
        with `prefix` (@mention autocomplete), filtered and cut in SQL."""
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.board_id == board_id,
                User.username_key.startswith(prefix, autoescape=True),
            )
            .order_by(User.username_key)
            .limit(limit)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def first_members(board_id: int, limit: int, except_id: int | None = None) -> list[User]:
        """The board's first `limit` members by name, maybe one left out (the one who picks
        among them): forms list these, and take anyone else's username."""
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == board_id, User.id != (except_id or 0))
            .order_by(User.username_key)
            .limit(limit)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def members_page(board_id: int, offset: int, limit: int) -> list[User]:
        """`limit` of the board's members by name, from `offset` (the members page)."""
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.board_id == board_id)
            .order_by(User.username_key, User.id)
            .offset(offset)
            .limit(limit)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def members_among(board_id: int, ids: set[int], keys: set[str]) -> list[User]:
        """The board's members among these ids and username keys (one query)."""
        if not ids and not keys:
            return []
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.board_id == board_id,
                or_(User.id.in_(ids), User.username_key.in_(keys)),
            )
        )
        return list(db.session.scalars(query))

    def is_member(self, user: User) -> bool:
        if user.id is None:  # anonymous
            return False
        return db.session.get(Membership, (self.id, user.id)) is not None

    def is_owner(self, user: User) -> bool:
        return self.owner_id == user.id

    def add_member(self, user: User) -> None:
        if not self.is_member(user):
            self.memberships.append(Membership(user=user))

    def remove_member(self, user: User) -> None:
        membership = db.session.get(Membership, (self.id, user.id))
        if membership is not None:
            self.memberships.remove(membership)
