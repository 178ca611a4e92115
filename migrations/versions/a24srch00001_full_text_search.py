"""Full-text search (issue 24): indexes of chat messages, task comments and tasks, kept by
the database in the same transaction as the text.

SQLite: one FTS5 table per source, external content (the text is not stored twice), with the
`trigram` tokenizer (case-insensitive substrings, so words of scripts without spaces are
found too), kept by triggers on insert, update and delete. A deleted message (deleted_at
set) is not in its index.

PostgreSQL: a GIN index on each text's `to_tsvector('simple', ...)` (the words) and a
pg_trgm GIN index on the text itself (substrings: Chinese, Japanese), both expression
indexes: the database keeps them with the row. Messages' indexes are partial (not deleted).

A later migration that rebuilds one of these tables on SQLite (batch "move and copy") drops
its triggers with the old table: it must run `create_sqlite()` again for that table.

Revision ID: a24srch00001
Revises: a24cmd000001
Create Date: 2026-12-07 21:20:00

"""
from alembic import op

revision = 'a24srch00001'
down_revision = 'a24cmd000001'
branch_labels = None
depends_on = None

# (index, table, the indexed columns, the condition a row is indexed on)
SOURCES = (
    ('chat_messages_fts', 'chat_messages', ('content',), 'deleted_at IS NULL'),
    ('task_comments_fts', 'task_thread_comments', ('content',), None),
    ('tasks_fts', 'tasks', ('title', 'description'), None),
)

# PostgreSQL: the expressions search/matching.py queries with, exactly (else no index).
PG_TEXT = {
    'chat_messages': 'content',
    'task_thread_comments': 'content',
    'tasks': "title || ' ' || description",
}


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        create_postgres()
    else:
        for source in SOURCES:
            create_sqlite(*source)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in PG_TEXT:
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_words')
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_trigrams')
    else:
        for index, table, _columns, _when in SOURCES:
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_fts_{event}')
            op.execute(f'DROP TABLE IF EXISTS {index}')


def create_postgres():
    # Trusted since PostgreSQL 13: a database owner may create it.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, text in PG_TEXT.items():
        where = ' WHERE deleted_at IS NULL' if table == 'chat_messages' else ''
        op.execute(
            f"CREATE INDEX ix_{table}_words ON {table} "
            f"USING gin (to_tsvector('simple', {text})){where}"
        )
        op.execute(
            f"CREATE INDEX ix_{table}_trigrams ON {table} "
            f"USING gin (({text}) gin_trgm_ops){where}"
        )


def create_sqlite(index, table, columns, when):
    names = ', '.join(columns)
    old = ', '.join(f'old.{c}' for c in columns)
    new = ', '.join(f'new.{c}' for c in columns)
    old_when = f"WHERE old.{when}" if when else ''
    new_when = f"WHERE new.{when}" if when else ''
    op.execute(
        f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content='{table}', "
        f"content_rowid='id', tokenize='trigram')"
    )
    # An external content index is told what it held to forget it: the old values, under
    # the same condition they were indexed on.
    forget = f"INSERT INTO {index}({index}, rowid, {names}) SELECT 'delete', old.id, {old} {old_when};"
    learn = f"INSERT INTO {index}(rowid, {names}) SELECT new.id, {new} {new_when};"
    watched = ', '.join([*columns, 'deleted_at'] if when else columns)
    op.execute(f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN {learn} END")
    op.execute(f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN {forget} END")
    op.execute(
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {watched} ON {table} "
        f"BEGIN {forget} {learn} END"
    )
    where = f"WHERE {when}" if when else ''
    op.execute(f"INSERT INTO {index}(rowid, {names}) SELECT id, {names} FROM {table} {where}")
