"""Attempt.start_key: a start form sent twice makes one attempt.

Revision ID: 68b101d4d4c1
Revises: 66766c839116
Create Date: 2026-11-26 05:02:14.844025

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '68b101d4d4c1'
down_revision = '66766c839116'
branch_labels = None
depends_on = None


# Plain ADD COLUMN and CREATE UNIQUE INDEX, no batch table rebuild: on SQLite with foreign
# keys on, dropping the old table would cascade-delete every answer of every attempt.
def upgrade():
    op.add_column('attempt', sa.Column('start_key', sa.String(length=32), nullable=True))
    op.create_index('ux_attempt_user_id_start_key', 'attempt', ['user_id', 'start_key'],
                    unique=True)


def downgrade():
    op.drop_index('ux_attempt_user_id_start_key', table_name='attempt')
    op.drop_column('attempt', 'start_key')
