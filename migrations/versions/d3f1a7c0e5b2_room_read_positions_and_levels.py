"""Each member of a room has a read position (the id of the last message they have seen) and
a notification level (all, mentions, none); a user's mentions are found by user.

Revision ID: d3f1a7c0e5b2
Revises: d3c7a1e9f520
Create Date: 2026-11-27 22:00:00

Existing members start with everything read: nobody finds every old room bold after the
upgrade.
"""
from alembic import op
import sqlalchemy as sa

revision = 'd3f1a7c0e5b2'
down_revision = "d3c7a1e9f520"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chat_room_members', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('last_read_id', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('level', sa.String(length=8), server_default='all', nullable=False)
        )
    op.execute(
        'UPDATE chat_room_members SET last_read_id = COALESCE('
        '(SELECT MAX(m.id) FROM chat_messages m WHERE m.room_id = chat_room_members.room_id), 0)'
    )
    # "Mentions of user U after message N": a room's unread mentions, without a scan.
    with op.batch_alter_table('chat_message_mentions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_chat_message_mentions_user_id_message_id', ['user_id', 'message_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('chat_message_mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_message_mentions_user_id_message_id')
    with op.batch_alter_table('chat_room_members', schema=None) as batch_op:
        batch_op.drop_column('level')
        batch_op.drop_column('last_read_id')
