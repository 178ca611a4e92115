"""Board imports (issue 23, "Bring a board, take it away"): an upload waiting for its job and
what came of it; an imported comment keeps its original author's name.

Revision ID: e23imp000001
Revises: a23lab000001
Create Date: 2026-12-07 17:50:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'e23imp000001'
down_revision = 'a23lab000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'board_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('card_count', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        **NEVER_REUSE_IDS,
    )
    op.create_index('ix_board_imports_user_id', 'board_imports', ['user_id'])
    with op.batch_alter_table('task_thread_comments', table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(sa.Column('imported_author', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('task_thread_comments', table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('imported_author')
    op.drop_index('ix_board_imports_user_id', table_name='board_imports')
    op.drop_table('board_imports')
