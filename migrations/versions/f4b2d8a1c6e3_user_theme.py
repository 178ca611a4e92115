"""A theme per user: 'system' (follow the browser's prefers-color-scheme), or 'light' or
'dark' forced (base.html then sets html[data-theme]).

Revision ID: f4b2d8a1c6e3
Revises: e3c1a7b95d20
Create Date: 2026-11-28 01:30:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'f4b2d8a1c6e3'
down_revision = 'e3c1a7b95d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('theme', sa.String(length=8), server_default='system', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('theme')
