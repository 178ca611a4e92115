"""When each session was last used, for the account page's "last active 5 min ago" (issue
22). Written at most once a minute per session (models/session.py). A session from before
counts as last active when it began: nothing better is known.

Revision ID: 5e8b1c7d2a94
Revises: 9870763e7f41
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = '5e8b1c7d2a94'
down_revision = '9870763e7f41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_sessions', table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(sa.Column('last_active_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE user_sessions SET last_active_at = created_at")
    with op.batch_alter_table('user_sessions', table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.alter_column('last_active_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('user_sessions', table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('last_active_at')
