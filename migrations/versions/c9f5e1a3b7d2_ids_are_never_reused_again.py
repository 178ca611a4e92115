"""Ids are never reused, again: SQLite rebuilt chat_messages without AUTOINCREMENT when
e3c1a7b95d20 added a column (batch mode rebuilds a table unless told to keep it), so a
database upgraded through it could give a deleted message's id to the next one. Each table
of a1d0c4e5f6b7 that lost it gets it back; the migrations that rebuild these tables now keep
it.

Revision ID: c9f5e1a3b7d2
Revises: a7d3e9f1b4c2
Create Date: 2026-11-28 06:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "c9f5e1a3b7d2"
down_revision = "a7d3e9f1b4c2"
branch_labels = None
depends_on = None

TABLES = (
    "users",
    "boards",
    "columns",
    "tasks",
    "chat_rooms",
    "chat_messages",
    "task_thread_comments",
    "notifications",
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL's sequences never go back
    schemas = dict(bind.execute(sa.text("SELECT name, sql FROM sqlite_master")).all())
    for table in TABLES:
        if "AUTOINCREMENT" not in schemas[table]:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass


def downgrade():
    pass  # AUTOINCREMENT stays: it was meant to be there
