"""board invitations and invite links

Revision ID: b7e41c9a2f10
Revises: 858d5882da33
Create Date: 2026-11-27 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e41c9a2f10'
down_revision = 'c5a9d2e4b8f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('board_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitee_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('board_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_board_invitations_invitee_id_status', ['invitee_id', 'status'], unique=False)
        batch_op.create_index(
            'uq_board_invitations_pending', ['board_id', 'invitee_id'], unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table('board_invite_links',
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=43), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('board_id'),
    sa.UniqueConstraint('code')
    )


def downgrade():
    op.drop_table('board_invite_links')
    with op.batch_alter_table('board_invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_board_invitations_pending')
        batch_op.drop_index('ix_board_invitations_invitee_id_status')
    op.drop_table('board_invitations')
