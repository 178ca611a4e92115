"""Each room numbers its changes (a message posted, edited or deleted) so a reconnecting page
asks for everything after the last number it saw; each message may carry the id its author's
page gave it, saved at most once per author.

Revision ID: c5a9d2e4b8f3
Revises: b7e2f0c3d9a1
Create Date: 2026-11-27 16:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'c5a9d2e4b8f3'
down_revision = 'b7e2f0c3d9a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chat_rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
    # Existing messages: their ids are a valid order of their changes.
    op.execute('UPDATE chat_messages SET seq = id')
    op.execute(
        'UPDATE chat_rooms SET seq = COALESCE('
        '(SELECT MAX(m.seq) FROM chat_messages m WHERE m.room_id = chat_rooms.id), 0)'
    )
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.create_index('ix_chat_messages_room_id_seq', ['room_id', 'seq'], unique=False)
        batch_op.create_unique_constraint(
            'uq_chat_messages_author_id_client_id', ['author_id', 'client_id']
        )


def downgrade():
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_chat_messages_author_id_client_id', type_='unique')
        batch_op.drop_index('ix_chat_messages_room_id_seq')
        batch_op.drop_column('client_id')
        batch_op.drop_column('seq')
    with op.batch_alter_table('chat_rooms', schema=None) as batch_op:
        batch_op.drop_column('seq')
