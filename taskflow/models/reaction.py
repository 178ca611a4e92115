"""Reactions: a user's emoji on a chat message or a task comment, from a small fixed set."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, delete, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.user import User, utcnow

# The only reactions there are: key (what forms send and ids carry) → (emoji, its name).
# The order is the order of the picker and of a message's reaction bar.
EMOJI: dict[str, tuple[str, str]] = {
    "thumbsup": ("👍", "thumbs up"),
    "heart": ("❤️", "heart"),
    "smile": ("😄", "smile"),
    "tada": ("🎉", "party popper"),
    "eyes": ("👀", "eyes"),
    "check": ("✅", "check mark"),
}
KEY_MAX = 16
# An accessible name lists this many of those who reacted, then "and N others".
NAMES_SHOWN = 10


class Reaction(db.Model):
    """One user's one emoji on one message or one comment (exactly one of the two)."""

    __tablename__ = "reactions"
    # A user reacts with an emoji once per target (toggling removes it); the unique keys also
    # serve "the reactions of these messages" (their first column).
    __table_args__ = (
        UniqueConstraint("message_id", "user_id", "emoji", name="uq_reactions_message_user_emoji"),
        UniqueConstraint("comment_id", "user_id", "emoji", name="uq_reactions_comment_user_emoji"),
        CheckConstraint(
            "(message_id IS NULL) <> (comment_id IS NULL)", name="ck_reactions_one_target"
        ),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    emoji: Mapped[str] = mapped_column(String(KEY_MAX))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_messages.id", ondelete="CASCADE")
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_thread_comments.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    @classmethod
    def toggle(
        cls, user_id: int, emoji: str, message_id: int | None = None, comment_id: int | None = None
    ) -> bool:
        """Add the user's emoji to the target if it is not there, remove it if it is; whether
        it was added. Two statements on the session's connection, no ORM objects: the caller
        serializes changes of the target (a room's change number locks the room)."""
        table = cls.__table__
        target = (
            table.c.message_id == message_id
            if message_id is not None
            else table.c.comment_id == comment_id
        )
        connection = db.session.connection()
        removed = connection.execute(
            delete(table).where(target, table.c.user_id == user_id, table.c.emoji == emoji)
        ).rowcount
        if removed:
            return False
        values = dict(
            user_id=user_id,
            emoji=emoji,
            message_id=message_id,
            comment_id=comment_id,
            created_at=utcnow(),
        )
        connection.execute(insert(table).values(values))
        return True


@dataclass(frozen=True)
class Tally:
    """One emoji of a reaction bar: how many, and who (ids for viewer.css, names to read)."""

    key: str
    emoji: str
    count: int
    user_ids: str  # " 3 7 ": matched by viewer.css [data-users~="3"]
    label: str  # "👍 2 reactions: alice, bob"


def tallies(reactions: list[Reaction]) -> list[Tally]:
    """A target's reactions grouped by emoji, in the fixed order, each with who reacted in
    the order they did."""
    by_key: dict[str, list[Reaction]] = {}
    for reaction in sorted(reactions, key=lambda r: r.id):
        by_key.setdefault(reaction.emoji, []).append(reaction)
    found = []
    for key, (emoji, _) in EMOJI.items():
        group = by_key.get(key)
        if not group:
            continue
        names = [r.user.display_name or r.user.username for r in group[:NAMES_SHOWN]]
        if len(group) > NAMES_SHOWN:
            names.append(f"and {len(group) - NAMES_SHOWN} others")
        count = len(group)
        label = f"{emoji} {count} reaction{'s' if count != 1 else ''}: {', '.join(names)}"
        ids = " ".join(str(r.user_id) for r in group)
        found.append(Tally(key, emoji, count, f" {ids} ", label))
    return found


def choices() -> list[tuple[str, str, str]]:
    """The fixed set as (key, emoji, name), for pickers."""
    return [(key, emoji, name) for key, (emoji, name) in EMOJI.items()]
