from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from taskflow.extensions import db, login_manager
from taskflow.names import name_key, normalize

USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]{3,30}$"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # names.name_key copy with the unique index: "Alice" and "ＡＬＩＣＥ" are one account.
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.username_key = name_key(username)
        self.set_password(password)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @classmethod
    def by_username(cls, username: str) -> "User | None":
        key = name_key(normalize(username or ""))
        return db.session.scalar(select(cls).where(cls.username_key == key))

    @classmethod
    def count(cls) -> int:
        return db.session.scalar(select(func.count(cls.id)))

    def __repr__(self) -> str:
        return f"<User {self.username}>"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None
