"""Warm-ups: PINs unique among open games, saved question sets, reveal when all answered.

Revision ID: c4d8e1f2a7b3
Revises: c4d8e1f2a3b6
Create Date: 2026-12-01 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e1f2a7b3'
down_revision = 'c4d8e1f2a3b6'
branch_labels = None
depends_on = None

_OPEN = sa.text("phase != 'finished'")


# Plain ADD COLUMN and CREATE INDEX, no batch table rebuild (see 68b101d4d4c1): on SQLite
# with foreign keys on, rebuilding live_game would cascade-delete its players and answers.
def upgrade():
    # Before the index: of open games sharing a PIN (the old check in code could race),
    # only the newest, the one players reach, stays open.
    op.execute(
        "UPDATE live_game SET phase = 'finished', ended_at = COALESCE(ended_at, created_at) "
        "WHERE phase != 'finished' AND id NOT IN (SELECT MAX(id) FROM live_game "
        "WHERE phase != 'finished' GROUP BY pin)")
    op.create_index('ux_live_game_open_pin', 'live_game', ['pin'], unique=True,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)
    op.add_column('live_game', sa.Column('auto_reveal', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.create_table(
        'live_question_set',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('question_ids', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['user.id'],
                                name=op.f('fk_live_question_set_owner_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_question_set')),
        sa.UniqueConstraint('owner_id', 'name',
                            name=op.f('uq_live_question_set_owner_id_name')))
    op.create_index(op.f('ix_live_question_set_owner_id'), 'live_question_set', ['owner_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_live_question_set_owner_id'), table_name='live_question_set')
    op.drop_table('live_question_set')
    op.drop_column('live_game', 'auto_reveal')
    op.drop_index('ux_live_game_open_pin', table_name='live_game')
