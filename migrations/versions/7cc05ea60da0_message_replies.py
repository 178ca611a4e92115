"""A chat message may reply to another of its room: the original's id (set to NULL if it is
ever removed) and the quote, the original's first words as they were then.

Revision ID: 7cc05ea60da0
Revises: d3f1a7c0e5b2
Create Date: 2026-11-27 22:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "7cc05ea60da0"
down_revision = "d3f1a7c0e5b2"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table for the foreign key: keep its AUTOINCREMENT (a1d0c4e5f6b7).
    with op.batch_alter_table(
        "chat_messages", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("reply_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reply_excerpt", sa.String(length=200), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_chat_messages_reply_to_id"), ["reply_to_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_chat_messages_reply_to_id_chat_messages",
            "chat_messages",
            ["reply_to_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table(
        "chat_messages", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint("fk_chat_messages_reply_to_id_chat_messages", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_chat_messages_reply_to_id"))
        batch_op.drop_column("reply_excerpt")
        batch_op.drop_column("reply_to_id")
