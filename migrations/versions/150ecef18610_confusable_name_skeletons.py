"""Confusable skeletons of names: users.username_skeleton and users.display_skeleton hold the
key that "looks like" compares (taskflow/names.py confusable_key: NFKC, case-folded, then the
Unicode TS 39 skeleton), indexed, so a display name or username that looks like another
user's is refused in one query. A data migration too: every existing user's are computed.

Revision ID: 150ecef18610
Revises: c9f5e1a3b7d2
Create Date: 2026-12-07 02:40:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa
from homoglyph.data import load_prototypes

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = '150ecef18610'
down_revision = 'c9f5e1a3b7d2'
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id"),
    sa.column("username"),
    sa.column("display_name"),
    sa.column("username_skeleton"),
    sa.column("display_skeleton"),
)


def _confusable_key(value, prototypes):
    # A copy of taskflow.names.confusable_key as of this migration: a migration must not
    # change when the application's code does.
    def nfd(text):
        return unicodedata.normalize("NFD", text)

    def ascii_prototype(char):
        prototype = prototypes.get(ord(char), char)
        return prototype if not char.isascii() and prototype.isascii() else char

    text = "".join(ascii_prototype(c) for c in unicodedata.normalize("NFKC", value))
    key = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    for _ in range(3):
        skeleton = nfd("".join(prototypes.get(ord(c), c) for c in nfd(key)))
        folded = nfd(skeleton.casefold())
        if folded == key:
            break
        key = folded
    return key


def upgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(sa.Column('username_skeleton', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('display_skeleton', sa.Text(), nullable=True))
        batch_op.create_index('ix_users_username_skeleton', ['username_skeleton'], unique=False)
        batch_op.create_index('ix_users_display_skeleton', ['display_skeleton'], unique=False)
    bind = op.get_bind()
    prototypes = load_prototypes()
    rows = bind.execute(sa.select(users.c.id, users.c.username, users.c.display_name)).all()
    for user_id, username, display_name in rows:
        values = {
            "username_skeleton": _confusable_key(username, prototypes),
            "display_skeleton": _confusable_key(display_name, prototypes) if display_name else None,
        }
        bind.execute(users.update().where(users.c.id == user_id).values(values))


def downgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_index('ix_users_display_skeleton')
        batch_op.drop_index('ix_users_username_skeleton')
        batch_op.drop_column('display_skeleton')
        batch_op.drop_column('username_skeleton')
