"""open and private rooms, and direct messages

Revision ID: d3c7a1e9f520
Revises: d3a7c1e9f2b4
Create Date: 2026-11-27 22:00:00

A room has a kind: "open" (listed to every member of its board, who may join and leave it),
"private" (only its members know it: every room so far) or "direct" (a direct message: no
board, its people found again by `direct_key`, their sorted ids). Existing rooms stay
private, except each board's oldest room, which becomes open: the board's first room is the
one every member may find (a new member found no way into any room before).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3c7a1e9f520'
down_revision = 'd3a7c1e9f2b4'
branch_labels = None
depends_on = None

DIRECT_HAS_NO_BOARD = "(kind = 'direct') = (board_id IS NULL)"


def upgrade():
    # SQLite rebuilds the table to make board_id nullable: keep its AUTOINCREMENT (ids are
    # never reused, migration a1d0c4e5f6b7).
    with op.batch_alter_table(
        'chat_rooms', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=10), server_default='private', nullable=False)
        )
        batch_op.add_column(sa.Column('direct_key', sa.String(length=100), nullable=True))
        batch_op.alter_column('board_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint('uq_chat_rooms_direct_key', ['direct_key'])
        batch_op.create_check_constraint('ck_chat_rooms_direct_has_no_board', DIRECT_HAS_NO_BOARD)
    # Each board's oldest room (ids grow with time) is open; the others keep their privacy.
    op.execute(
        "UPDATE chat_rooms SET kind = 'open' WHERE id IN "
        "(SELECT MIN(id) FROM chat_rooms WHERE board_id IS NOT NULL GROUP BY board_id)"
    )


def downgrade():
    # Direct messages have no board to go back to: they go, with what hangs on them (written
    # out: SQLite migrates with foreign keys off, so nothing cascades).
    direct = "SELECT id FROM chat_rooms WHERE board_id IS NULL"
    messages = f"SELECT id FROM chat_messages WHERE room_id IN ({direct})"
    op.execute(f"DELETE FROM notifications WHERE chat_message_id IN ({messages})")
    op.execute(f"DELETE FROM chat_message_mentions WHERE message_id IN ({messages})")
    op.execute(f"DELETE FROM chat_messages WHERE room_id IN ({direct})")
    op.execute(f"DELETE FROM chat_room_members WHERE room_id IN ({direct})")
    op.execute("DELETE FROM chat_rooms WHERE board_id IS NULL")
    with op.batch_alter_table(
        'chat_rooms', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_constraint('ck_chat_rooms_direct_has_no_board', type_='check')
        batch_op.drop_constraint('uq_chat_rooms_direct_key', type_='unique')
        batch_op.alter_column('board_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('direct_key')
        batch_op.drop_column('kind')
