"""People: a display name, a time zone and an avatar colour per user, a profile version that
names the renderings of their messages (and a people version per room, for its cached latest
page), and a flag on messages that continue their author's
group (chat grouping).

Revision ID: e3c1a7b95d20
Revises: 7cc05ea60da0
Create Date: 2026-11-27 21:50:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'e3c1a7b95d20'
down_revision = '7cc05ea60da0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('avatar_color', sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column('profile_version', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('chat_rooms', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('people_version', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('chat_messages', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('continues', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('chat_messages', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('continues')
    with op.batch_alter_table('chat_rooms', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('people_version')
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('profile_version')
        batch_op.drop_column('avatar_color')
        batch_op.drop_column('time_zone')
        batch_op.drop_column('display_name')
