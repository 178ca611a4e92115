"""Chat notices: a room's one-line account of a command applied to its board ("bob moved #42
Fix login to Done"). `chat_messages.kind` ('text', or 'notice': not editable, never a
mention) and `chat_messages.event_id`, the board's history event the notice's Undo takes
back (SET NULL with it).

Revision ID: a24cmd000001
Revises: a24chp000001
Create Date: 2026-12-07 21:30:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'a24cmd000001'
down_revision = 'a24chp000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chat_messages', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=10), server_default='text', nullable=False))
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        # Deleting an event (its task's or board's deletion) finds its notices by index.
        batch_op.create_index('ix_chat_messages_event_id', ['event_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_chat_messages_event_id_task_events', 'task_events', ['event_id'], ['id'],
            ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('chat_messages', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_constraint('fk_chat_messages_event_id_task_events', type_='foreignkey')
        batch_op.drop_index('ix_chat_messages_event_id')
        batch_op.drop_column('event_id')
        batch_op.drop_column('kind')
