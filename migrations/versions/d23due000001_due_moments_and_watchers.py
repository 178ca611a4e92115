"""Due dates that matter (issue 23): a task's due moment when a time is given, its reminder
offset and the version that makes a stale reminder job a no-op; and who watches a task.

Revision ID: d23due000001
Revises: b23chk000001
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'd23due000001'
down_revision = 'b23chk000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('remind_before', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('due_version', sa.Integer(), server_default='0', nullable=False)
        )
    op.create_table(
        'task_watches',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'user_id'),
    )
    op.create_index('ix_task_watches_user_id', 'task_watches', ['user_id'])


def downgrade():
    op.drop_index('ix_task_watches_user_id', table_name='task_watches')
    op.drop_table('task_watches')
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('due_version')
        batch_op.drop_column('remind_before')
        batch_op.drop_column('due_at')
