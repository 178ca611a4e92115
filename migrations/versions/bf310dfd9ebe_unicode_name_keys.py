"""name keys compare names after Unicode normalization (NFKC, case-folded)

Revision ID: bf310dfd9ebe
Revises: b7e41c9a2f10
Create Date: 2026-11-27 15:40:00

Usernames and room names were compared lower-cased; now NFKC + case folding (see
taskflow/names.py). A data migration: each key is recomputed. Two existing rows that the new
rule makes equal (a room "ＧＥＮＥＲＡＬ" next to "general") cannot share a key under the
unique constraints, so one of them keeps its old key: nothing is lost or renamed, and new
names are compared by the new rule.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bf310dfd9ebe'
down_revision = 'b7e41c9a2f10'
branch_labels = None
depends_on = None


def _name_key(value):
    # A copy of taskflow.names.name_key as of this migration: a migration must not change
    # when the application's code does.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())


users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("username_key"))
rooms = sa.table(
    "chat_rooms",
    sa.column("id"),
    sa.column("board_id"),
    sa.column("name"),
    sa.column("name_key"),
)


def _rekey(bind, table, name, key, scope, new_key):
    """Set each row's `key` column to new_key(name), unless another row of the same scope
    (board, or all users) holds that key: then the row keeps its old, still unique, key."""
    scope_column = table.c[scope] if scope else sa.literal(0)
    query = sa.select(table.c.id, table.c[name], scope_column, table.c[key]).order_by(table.c.id)
    rows = bind.execute(query).all()
    taken = {(where, old) for _, _, where, old in rows}
    for row_id, value, where, old in rows:
        new = new_key(value)
        if new == old or (where, new) in taken:
            continue
        bind.execute(table.update().where(table.c.id == row_id).values({key: new}))
        taken.discard((where, old))
        taken.add((where, new))


def upgrade():
    bind = op.get_bind()
    _rekey(bind, users, "username", "username_key", None, lambda v: _name_key(v)[:30])
    _rekey(bind, rooms, "name", "name_key", "board_id", lambda v: _name_key(v)[:80])


def downgrade():
    bind = op.get_bind()
    _rekey(bind, users, "username", "username_key", None, lambda v: v.lower()[:30])
    _rekey(bind, rooms, "name", "name_key", "board_id", lambda v: v.lower()[:80])
