"""Members the owner removed from a board (board_removals): the board's invite link refuses
them until the owner invites them again. Keyed by (board, user): no ids to reuse.

Revision ID: 89d19b4d7fbd
Revises: e722089ede19
Create Date: 2026-12-07 02:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '89d19b4d7fbd'
down_revision = 'e722089ede19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('board_removals',
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('board_id', 'user_id')
    )


def downgrade():
    op.drop_table('board_removals')
