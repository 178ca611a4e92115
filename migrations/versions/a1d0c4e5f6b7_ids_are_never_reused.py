"""Ids are never reused: SQLite tables whose ids appear in URLs, topics or fragments get
AUTOINCREMENT, so a deleted board's id is never given to the next board (an old socket or
cached fragment must never meet a new object under the same id). PostgreSQL sequences never
go back already.

Revision ID: a1d0c4e5f6b7
Revises: 858d5882da33
Create Date: 2026-11-27 16:00:00

"""
from alembic import op

revision = 'a1d0c4e5f6b7'
down_revision = '858d5882da33'
branch_labels = None
depends_on = None

TABLES = (
    'users',
    'boards',
    'columns',
    'tasks',
    'chat_rooms',
    'chat_messages',
    'task_thread_comments',
    'notifications',
)


def _rebuild(autoincrement: bool) -> None:
    # SQLite sets AUTOINCREMENT only at CREATE TABLE: each table is rebuilt (env.py turns
    # foreign keys off while migrating, so the copy cascades nothing).
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
