"""Checklists: items on a task (checklist_items), and each task's counts of its items and
of those done, kept by the checklist service for its card (no query per card).

Revision ID: b23chk000001
Revises: e23imp000001
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'b23chk000001'
down_revision = 'e23imp000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'checklist_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('done', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index(
        'ix_checklist_items_task_id_position', 'checklist_items', ['task_id', 'position']
    )
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('checklist_total', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('checklist_done', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('checklist_done')
        batch_op.drop_column('checklist_total')
    op.drop_index('ix_checklist_items_task_id_position', table_name='checklist_items')
    op.drop_table('checklist_items')
