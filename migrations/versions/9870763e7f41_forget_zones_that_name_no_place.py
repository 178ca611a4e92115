"""Forget stored time zones that name no place: "localtime", "Factory", "posixrules" and the
"posix/" and "right/" copies, which the profile accepted before it took only IANA names.
A user who had one kept it, and their next profile save failed (422) on a field they had
not touched. Each becomes no zone (NULL: read as UTC until the browser or the profile sets
one). The rule is taskflow/timezones.py zones()'s, copied: a migration does not import the
application, whose rule may change after it. Data only: the downgrade has nothing to undo.

Revision ID: 9870763e7f41
Revises: 150ecef18610
Create Date: 2026-12-07 03:15:00

"""
from zoneinfo import available_timezones

from alembic import op
import sqlalchemy as sa

revision = '9870763e7f41'
down_revision = '150ecef18610'
branch_labels = None
depends_on = None

NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
CHUNK = 500  # names per UPDATE: well within any database's bound parameters


def _is_zone(name: str, places: set[str]) -> bool:
    if name == "UTC":
        return True
    return name in places and name not in NOT_ZONES and not name.startswith(("posix/", "right/"))


def upgrade():
    connection = op.get_bind()
    stored = connection.execute(
        sa.text("SELECT DISTINCT time_zone FROM users WHERE time_zone IS NOT NULL")
    ).scalars()
    places = available_timezones()
    wrong = sorted(name for name in stored if not _is_zone(name, places))
    forget = sa.text("UPDATE users SET time_zone = NULL WHERE time_zone IN :names").bindparams(
        sa.bindparam("names", expanding=True)
    )
    for start in range(0, len(wrong), CHUNK):
        connection.execute(forget, {"names": wrong[start:start + CHUNK]})


def downgrade():
    pass  # the forgotten names were never zones: nothing to restore
