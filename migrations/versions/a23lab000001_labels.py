"""Labels: a board's named, coloured labels and which tasks carry them (issue 23).

Revision ID: a23lab000001
Revises: 5e8b1c7d2a94
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa

# A label's id is never reused, like every other row's (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'a23lab000001'
down_revision = '5e8b1c7d2a94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=30), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('colour', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('board_id', 'key'),
        **NEVER_REUSE_IDS,
    )
    op.create_index(op.f('ix_labels_board_id'), 'labels', ['board_id'], unique=False)
    op.create_table(
        'task_labels',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('label_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['label_id'], ['labels.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'label_id'),
    )
    op.create_index(op.f('ix_task_labels_label_id'), 'task_labels', ['label_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_task_labels_label_id'), table_name='task_labels')
    op.drop_table('task_labels')
    op.drop_index(op.f('ix_labels_board_id'), table_name='labels')
    op.drop_table('labels')
