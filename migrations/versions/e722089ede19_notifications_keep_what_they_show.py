"""A notification keeps what the center shows of it, from when it was made: the excerpt of its
message, comment or task description (rendered once, not parsed from the Markdown on every
load of the center), and its place's names (a room's or a task's title, and its board's), so
a reader removed from a board never sees what its board, rooms and tasks are renamed to.

Revision ID: e722089ede19
Revises: c9f5e1a3b7d2
Create Date: 2026-12-07 03:00:00

Existing notifications get their excerpt rendered once here, by the code that makes them
(taskflow.markup.excerpt, the first 140 characters of the Markdown's text; none for a deleted
message), and their place's names as they are now. A direct message keeps no names: it is
named by its people.
"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}
EXCERPT = 140  # taskflow.models.notification.EXCERPT
BATCH = 500  # sources read (and their notifications updated) at a time

revision = 'e722089ede19'
down_revision = 'c9f5e1a3b7d2'
branch_labels = None
depends_on = None

notifications = sa.table(
    'notifications',
    sa.column('id', sa.Integer),
    sa.column('type', sa.String),
    sa.column('chat_message_id', sa.Integer),
    sa.column('task_thread_comment_id', sa.Integer),
    sa.column('task_id', sa.Integer),
    sa.column('excerpt', sa.String),
    sa.column('place_name', sa.String),
    sa.column('board_name', sa.String),
)
messages = sa.table(
    'chat_messages',
    sa.column('id', sa.Integer),
    sa.column('room_id', sa.Integer),
    sa.column('content', sa.Text),
    sa.column('deleted_at', sa.DateTime),
)
rooms = sa.table(
    'chat_rooms',
    sa.column('id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('kind', sa.String),
    sa.column('board_id', sa.Integer),
)
comments = sa.table(
    'task_thread_comments',
    sa.column('id', sa.Integer),
    sa.column('task_id', sa.Integer),
    sa.column('content', sa.Text),
)
tasks = sa.table(
    'tasks',
    sa.column('id', sa.Integer),
    sa.column('column_id', sa.Integer),
    sa.column('title', sa.String),
    sa.column('description', sa.Text),
)
columns = sa.table('columns', sa.column('id', sa.Integer), sa.column('board_id', sa.Integer))
boards = sa.table('boards', sa.column('id', sa.Integer), sa.column('name', sa.String))
n = notifications.c


def upgrade():
    with op.batch_alter_table('notifications', table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('excerpt', sa.String(length=EXCERPT), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('place_name', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('board_name', sa.String(length=100), server_default='', nullable=False)
        )
    _fill_names()
    _fill_excerpts()


def _fill_names():
    """Each notification's place's names as they are now, in one UPDATE per kind."""
    bind = op.get_bind()
    room = rooms.join(messages, messages.c.room_id == rooms.c.id).join(
        boards, boards.c.id == rooms.c.board_id
    )
    in_room = (messages.c.id == n.chat_message_id) & (rooms.c.kind != 'direct')
    on_task = tasks.join(columns, columns.c.id == tasks.c.column_id).join(
        boards, boards.c.id == columns.c.board_id
    )
    commented = on_task.join(comments, comments.c.task_id == tasks.c.id)
    of_comment = comments.c.id == n.task_thread_comment_id
    for source, where, linked in (
        (room, in_room, n.chat_message_id),
        (commented, of_comment, n.task_thread_comment_id),
        (on_task, tasks.c.id == n.task_id, n.task_id),
    ):
        place = rooms.c.name if source is room else tasks.c.title
        names = {'place_name': place, 'board_name': boards.c.name}
        bind.execute(
            sa.update(notifications)
            .where(linked.is_not(None))
            .values(
                {
                    key: sa.func.coalesce(
                        sa.select(column).select_from(source).where(where).scalar_subquery(), ''
                    )
                    for key, column in names.items()
                }
            )
        )


def _fill_excerpts():
    """Each source's excerpt rendered once, then written to every notification of it (an
    assignment quotes its task's description)."""
    from taskflow.markup import excerpt

    every, assigned = sa.true(), n.type == 'task_assigned'
    undeleted = messages.c.deleted_at.is_(None)
    for key, text, linked, alive, kind in (
        (messages.c.id, messages.c.content, n.chat_message_id, undeleted, every),
        (comments.c.id, comments.c.content, n.task_thread_comment_id, every, every),
        (tasks.c.id, tasks.c.description, n.task_id, every, assigned),
    ):
        notified = sa.exists().where(linked == key, kind)
        query = sa.select(key, text).where(notified, alive).order_by(key).limit(BATCH)
        update = (
            sa.update(notifications)
            .where(linked == sa.bindparam('source'), kind)
            .values(excerpt=sa.bindparam('quote'))
        )
        _in_batches(query, key, update, lambda content: excerpt(content, EXCERPT))


def _in_batches(query, key, update, quote):
    bind, after = op.get_bind(), None
    while True:
        page = query if after is None else query.where(key > after)
        found = bind.execute(page).all()
        rows = [{'source': row[0], 'quote': quote(row[1])} for row in found if row[1]]
        if rows:
            bind.execute(update, rows)
        if len(found) < BATCH:
            return
        after = found[-1][0]


def downgrade():
    with op.batch_alter_table('notifications', table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('board_name')
        batch_op.drop_column('place_name')
        batch_op.drop_column('excerpt')
