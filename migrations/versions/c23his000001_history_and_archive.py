"""History and archive: a `task_events` table (one row per change of a task or column,
written in the change's transaction), and `archived_at` on tasks, columns and boards
(archived instead of deleted; restorable).

Revision ID: c23his000001
Revises: d23due000001
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'c23his000001'
down_revision = 'd23due000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('board_id', sa.Integer(),
                  sa.ForeignKey('boards.id', ondelete='CASCADE'), nullable=False),
        sa.Column('task_id', sa.Integer(),
                  sa.ForeignKey('tasks.id', ondelete='CASCADE'), nullable=True),
        sa.Column('column_id', sa.Integer(),
                  sa.ForeignKey('columns.id', ondelete='SET NULL'), nullable=True),
        sa.Column('actor_id', sa.Integer(),
                  sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        **NEVER_REUSE_IDS,
    )
    op.create_index('ix_task_events_task_id_id', 'task_events', ['task_id', 'id'])
    op.create_index('ix_task_events_board_id_id', 'task_events', ['board_id', 'id'])
    for table in ('tasks', 'columns', 'boards'):
        with op.batch_alter_table(table, schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))


def downgrade():
    for table in ('boards', 'columns', 'tasks'):
        with op.batch_alter_table(table, schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            batch_op.drop_column('archived_at')
    op.drop_index('ix_task_events_board_id_id', table_name='task_events')
    op.drop_index('ix_task_events_task_id_id', table_name='task_events')
    op.drop_table('task_events')
