from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import Select, String, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.names import cased_key, confusable_key, name_key, normalize

USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]{3,30}$"
# The profile's theme choices, as stored and as shown.
THEMES = {"system": "Same as this device", "light": "Light", "dark": "Dark"}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # names.name_key copy with the unique index: "Alice" and "ＡＬＩＣＥ" are one account.
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The profile (taskflow/people.py): shown instead of the username when set; the IANA zone
    # times are shown in (None: not known yet, shown in UTC); one of people.PALETTE.
    display_name: Mapped[str | None] = mapped_column(String(50))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    avatar_color: Mapped[str | None] = mapped_column(String(16))
    # Moved on by every change of the profile: part of the key of each cached rendering of
    # the user's messages (chat/service.py), so they show the new name and colour.
    profile_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # One of THEMES: "system" follows the browser's prefers-color-scheme; "light" or "dark"
    # is forced by base.html (html[data-theme], which the tokens of app.css obey).
    theme: Mapped[str] = mapped_column(String(8), default="system", server_default="system")
    # names.confusable_key (folded, then the skeleton) and names.cased_key (the skeleton as
    # written, then folded: "aIice" and "AIice" are "alice") of the username and of the
    # display name, set whenever they are (validators below), indexed:
    # whether a name looks like someone else's is one query (looks_taken). Text: a skeleton
    # may be longer than the name ("m" is "rn").
    username_skeleton: Mapped[str | None] = mapped_column(Text, index=True)
    display_skeleton: Mapped[str | None] = mapped_column(Text, index=True)
    username_skeleton_cased: Mapped[str | None] = mapped_column(Text, index=True)
    display_skeleton_cased: Mapped[str | None] = mapped_column(Text, index=True)

    # The session this user was loaded through (models/session.py). Flask-Login keeps
    # get_id() in the session and remember cookies, so they hold the session's token, never
    # the user's id: deleting the session row ends both.
    session_token = None
    session_id = None

    def get_id(self) -> str | None:
        return self.session_token

    # UserMixin compares get_id(), which is now a session token: compare the accounts.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __hash__(self) -> int:
        return hash(self.id) if self.id is not None else object.__hash__(self)

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.username_key = name_key(username)
        self.set_password(password)

    @validates("username")
    def _username_set(self, _key: str, value: str) -> str:
        self.username_skeleton = confusable_key(value)
        self.username_skeleton_cased = cased_key(value)
        return value

    @validates("display_name")
    def _display_name_set(self, _key: str, value: str | None) -> str | None:
        self.display_skeleton = confusable_key(value) if value else None
        self.display_skeleton_cased = cased_key(value) if value else None
        return value

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @classmethod
    def by_username(cls, username: str) -> "User | None":
        key = name_key(normalize(username or ""))
        return db.session.scalar(select(cls).where(cls.username_key == key))

    @classmethod
    def looks_taken(cls, name: str, me: int | None = None) -> bool:
        """Whether `name` looks like another user's username or display name (either of its
        keys equals either of theirs): "аlice" (Cyrillic а), "ALICE", "ａｌｉｃｅ", "aIice" or
        "AIice" while alice exists. `me`, the asking user, is left out (a display name may
        be one's own username)."""
        return db.session.scalar(cls.lookalikes(name, me).limit(1)) is not None

    @classmethod
    def lookalikes(cls, name: str, me: int | None = None) -> Select:
        """The ids of the other users whose names look like `name`: four index lookups. Both
        keys of `name` against both of each name: "AIice" has the key "aiice" and the cased
        key "alice", alice's key; an older "AIexandra" is found by "alexandra"'s key."""
        keys = list({confusable_key(name), cased_key(name)})
        query = select(cls.id).where(
            or_(
                cls.username_skeleton.in_(keys),
                cls.display_skeleton.in_(keys),
                cls.username_skeleton_cased.in_(keys),
                cls.display_skeleton_cased.in_(keys),
            )
        )
        return query if me is None else query.where(cls.id != me)

    @property
    def shown_name(self) -> str:
        """The name people see: the display name, else the username."""
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username}>"
