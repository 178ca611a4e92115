"""Confusable skeletons of names: users.username_skeleton and users.display_skeleton hold the
key that "looks like" compares (taskflow/names.py confusable_key: NFKC, case-folded, then the
Unicode TS 39 skeleton), users.username_skeleton_cased and display_skeleton_cased the
skeleton of the name as written, folded (cased_key: "aIice" and "AIice" are "alice"), all indexed, so a
display name or username that looks like another user's is refused in one query. A data
migration too: every existing user's are computed.

Revision ID: 150ecef18610
Revises: 89d19b4d7fbd
Create Date: 2026-12-07 02:40:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from homoglyph.data import load_prototypes

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = '150ecef18610'
down_revision = '89d19b4d7fbd'
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id"),
    sa.column("username"),
    sa.column("display_name"),
    sa.column("username_skeleton"),
    sa.column("display_skeleton"),
    sa.column("username_skeleton_cased"),
    sa.column("display_skeleton_cased"),
)
COLUMNS = (
    "username_skeleton",
    "display_skeleton",
    "username_skeleton_cased",
    "display_skeleton_cased",
)


def _nfd(text):
    return unicodedata.normalize("NFD", text)


def _cased_key(value, prototypes):
    # A copy of taskflow.names.cased_key as of this migration: the skeleton of the name as
    # written (a capital I is an l), then the confusable key of that.
    text = _nfd(unicodedata.normalize("NFKC", value))
    return _confusable_key(_nfd("".join(prototypes.get(ord(c), c) for c in text)), prototypes)


def _confusable_key(value, prototypes):
    # A copy of taskflow.names.confusable_key as of this migration: a migration must not
    # change when the application's code does.
    def ascii_prototype(char):
        prototype = prototypes.get(ord(char), char)
        return prototype if not char.isascii() and prototype.isascii() else char

    text = "".join(ascii_prototype(c) for c in unicodedata.normalize("NFKC", value))
    key = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    for _ in range(3):
        skeleton = _nfd("".join(prototypes.get(ord(c), c) for c in _nfd(key)))
        folded = _nfd(skeleton.casefold())
        if folded == key:
            break
        key = folded
    return key


def upgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))
            batch_op.create_index(f'ix_users_{column}', [column], unique=False)
    bind = op.get_bind()
    prototypes = load_prototypes()
    rows = bind.execute(sa.select(users.c.id, users.c.username, users.c.display_name)).all()
    for user_id, username, display_name in rows:
        values = {
            "username_skeleton": _confusable_key(username, prototypes),
            "username_skeleton_cased": _cased_key(username, prototypes),
            "display_skeleton": None,
            "display_skeleton_cased": None,
        }
        if display_name:
            values["display_skeleton"] = _confusable_key(display_name, prototypes)
            values["display_skeleton_cased"] = _cased_key(display_name, prototypes)
        bind.execute(users.update().where(users.c.id == user_id).values(values))


def downgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_index(f'ix_users_{column}')
            batch_op.drop_column(column)
