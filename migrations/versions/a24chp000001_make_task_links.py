"""Make task (issue 24): a task made from a chat message or a task comment names it
(`tasks.source_message_id`, `source_comment_id`), and the message or comment names the task
it became (`made_task_id`); each SET NULL when the other goes.

Revision ID: a24chp000001
Revises: a24num000001
Create Date: 2026-12-07 21:40:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'a24chp000001'
down_revision = 'a24num000001'
branch_labels = None
depends_on = None

LINKS = [  # table, column, the table it names, the constraint's name
    ('tasks', 'source_message_id', 'chat_messages', 'fk_tasks_source_message'),
    ('tasks', 'source_comment_id', 'task_thread_comments', 'fk_tasks_source_comment'),
    ('chat_messages', 'made_task_id', 'tasks', 'fk_chat_messages_made_task'),
    ('task_thread_comments', 'made_task_id', 'tasks', 'fk_task_thread_comments_made_task'),
]


def upgrade():
    for table, column, target, name in LINKS:
        with op.batch_alter_table(table, schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(name, target, [column], ['id'], ondelete='SET NULL')


def downgrade():
    for table, column, _target, name in reversed(LINKS):
        with op.batch_alter_table(table, schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
            batch_op.drop_constraint(name, type_='foreignkey')
            batch_op.drop_column(column)
