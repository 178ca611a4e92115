"""Server-side sessions: a login is a row, and logging out deletes it.

The browser's session cookie and remember cookie hold a random token (Flask-Login's
"alternative id"); the database keeps only its SHA-256. A copy of either cookie taken before
logout therefore authenticates nothing afterwards, and "log out everywhere" or a password
change ends every session of the user at once."""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, bindparam, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskflow.extensions import NEVER_REUSE_IDS, db, login_manager
from taskflow.models.user import User, utcnow

KEEP_PER_USER = 50  # a user's newest sessions kept; older ones end at the next login
# How stale a session's last_active_at may get: it is written at most this often per session
# (the account page says "last active 5 min ago"), not on every request.
ACTIVE_EVERY = timedelta(minutes=1)

log = logging.getLogger(__name__)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserSession(db.Model):
    __tablename__ = "user_sessions"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    last_active_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    @classmethod
    def start(cls, user: User, user_agent: str = "") -> str:
        """A new session for the user; returns its token (the only copy is the cookie's)."""
        token = secrets.token_urlsafe(32)
        db.session.add(cls(user=user, token_hash=_digest(token), user_agent=user_agent[:200]))
        db.session.flush()
        cls._prune(user.id)
        return token

    @classmethod
    def ids_of(cls, user_id: int) -> list[int]:
        return list(db.session.scalars(select(cls.id).where(cls.user_id == user_id)))

    @classmethod
    def end(cls, *session_ids: int) -> None:
        if session_ids:
            db.session.execute(delete(cls).where(cls.id.in_(session_ids)))

    @classmethod
    def _prune(cls, user_id: int) -> None:
        newest = (
            select(cls.id)
            .where(cls.user_id == user_id)
            .order_by(cls.id.desc())
            .limit(KEEP_PER_USER)
        )
        db.session.execute(
            delete(cls).where(cls.user_id == user_id, cls.id.not_in(newest.scalar_subquery()))
        )

    @classmethod
    def mark_active(cls, session_id: int, last_active_at: datetime) -> None:
        """Note that the session is in use, if it was not noted in the last ACTIVE_EVERY.
        Written on a connection of its own and committed at once: the request's own
        transaction may hold changes it means to roll back, and a GET commits nothing. A
        failure (a locked database) costs the account page a stale time, never the request."""
        now = utcnow()
        if now - last_active_at < ACTIVE_EVERY:
            return
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    update(cls).where(cls.id == session_id).values(last_active_at=now)
                )
        except SQLAlchemyError:
            log.warning("session %s: last activity not saved", session_id, exc_info=True)


# Every request loads its user: one statement, built once, answering the user, the id of the
# session and when it was last active (no UserSession object to build).
_LIVE_SESSION_USER = (
    select(User, UserSession.id, UserSession.last_active_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user of a live session (from the session or the remember cookie), or nobody: the
    session's row is read on every request, so a logged-out session is over at once."""
    if not token or len(token) > 100:
        return None
    found = db.session.execute(_LIVE_SESSION_USER, {"token_hash": _digest(token)}).first()
    if found is None:
        return None
    user, session_id, last_active_at = found
    user.session_token, user.session_id = token, session_id
    UserSession.mark_active(session_id, last_active_at)
    return user
