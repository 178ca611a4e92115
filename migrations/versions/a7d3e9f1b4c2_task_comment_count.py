"""A count of each task's comments, kept by the comment thread, for its card (a board page
shows every card's count without a query per card or a grouped count per render).

Revision ID: a7d3e9f1b4c2
Revises: f4b2d8a1c6e3
Create Date: 2026-11-28 05:00:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'a7d3e9f1b4c2'
down_revision = 'f4b2d8a1c6e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('comment_count', sa.Integer(), server_default='0', nullable=False)
        )
    op.execute(
        "UPDATE tasks SET comment_count = (SELECT count(*) FROM task_thread_comments"
        " WHERE task_thread_comments.task_id = tasks.id)"
    )


def downgrade():
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('comment_count')
