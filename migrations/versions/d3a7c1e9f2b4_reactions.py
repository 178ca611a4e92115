"""reactions on chat messages and task comments

Revision ID: d3a7c1e9f2b4
Revises: bf310dfd9ebe
Create Date: 2026-11-27 22:00:00

One table for both targets: each row names exactly one of a message or a comment (a check
constraint), and a user reacts with an emoji once per target (a unique key per target, which
also serves "the reactions of these messages"). Rows go with their message, comment or user.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3a7c1e9f2b4'
down_revision = 'bf310dfd9ebe'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('emoji', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(message_id IS NULL) <> (comment_id IS NULL)', name='ck_reactions_one_target'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['chat_messages.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['task_thread_comments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'user_id', 'emoji', name='uq_reactions_message_user_emoji'),
    sa.UniqueConstraint('comment_id', 'user_id', 'emoji', name='uq_reactions_comment_user_emoji'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.create_index('ix_reactions_user_id', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.drop_index('ix_reactions_user_id')
    op.drop_table('reactions')
