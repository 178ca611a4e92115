"""Task numbers: `tasks.number`, unique on its board ("#42", never reused), given from
`boards.task_counter`; existing tasks are numbered by id on each board.

Revision ID: a24num000001
Revises: c23his000001
Create Date: 2026-12-07 21:20:00

"""
from alembic import op
import sqlalchemy as sa

# SQLite may rebuild the table: keep its AUTOINCREMENT (a1d0c4e5f6b7, c9f5e1a3b7d2).
NEVER_REUSE_IDS = {'sqlite_autoincrement': True}

revision = 'a24num000001'
down_revision = 'c23his000001'
branch_labels = None
depends_on = None

# Window functions and UPDATE ... FROM: SQLite >= 3.33 and PostgreSQL alike.
NUMBER_EXISTING = """
UPDATE tasks SET number = numbered.n FROM (
    SELECT tasks.id AS id,
           row_number() OVER (PARTITION BY columns.board_id ORDER BY tasks.id) AS n
    FROM tasks JOIN columns ON columns.id = tasks.column_id
) AS numbered WHERE tasks.id = numbered.id
"""
COUNT_EXISTING = """
UPDATE boards SET task_counter = (
    SELECT count(*) FROM tasks JOIN columns ON columns.id = tasks.column_id
    WHERE columns.board_id = boards.id
)
"""


def upgrade():
    with op.batch_alter_table('boards', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('task_counter', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_tasks_number', ['number'])
    op.execute(NUMBER_EXISTING)
    op.execute(COUNT_EXISTING)


def downgrade():
    with op.batch_alter_table('tasks', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_index('ix_tasks_number')
        batch_op.drop_column('number')
    with op.batch_alter_table('boards', schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op:
        batch_op.drop_column('task_counter')
