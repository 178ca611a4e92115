"""An import of a board from a file (boards/import_service.py): the upload, kept until its
job has run, and what came of it. The job is idempotent through this row: it locks it, and
one that is no longer pending has run already (a re-run creates no second board)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from taskflow.extensions import NEVER_REUSE_IDS, db
from taskflow.models.user import utcnow

PENDING, DONE, FAILED = "pending", "done", "failed"


class BoardImport(db.Model):
    __tablename__ = "board_imports"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # "trello" or "taskflow"
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    # The upload as text, emptied once the job has run (it is bounded: IMPORT_MAX_BYTES).
    payload: Mapped[str] = mapped_column(Text, default="")
    card_count: Mapped[int] = mapped_column(default=0)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"))
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @classmethod
    def pending_count(cls, user_id: int) -> int:
        query = select(db.func.count()).where(cls.user_id == user_id, cls.status == PENDING)
        return db.session.scalar(query) or 0

    @classmethod
    def recent(cls, user_id: int, limit: int = 5) -> list["BoardImport"]:
        query = select(cls).where(cls.user_id == user_id).order_by(cls.id.desc()).limit(limit)
        return list(db.session.scalars(query))
