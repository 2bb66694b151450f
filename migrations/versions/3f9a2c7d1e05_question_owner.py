"""Question.owner_id: an instructor's edit or retirement of a seed question is their own.

Revision ID: 3f9a2c7d1e05
Revises: 68b101d4d4c1
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f9a2c7d1e05'
down_revision = '68b101d4d4c1'
branch_labels = None
depends_on = None


# Plain ADD COLUMN, no batch table rebuild (see 68b101d4d4c1): SQLite takes the reference
# inline; it cannot add a foreign key constraint afterwards.
def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE question ADD COLUMN owner_id INTEGER '
                   'CONSTRAINT fk_question_owner_id_user REFERENCES "user" (id)')
    else:
        op.add_column('question', sa.Column('owner_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_question_owner_id_user'), 'question', 'user',
                              ['owner_id'], ['id'])
    op.create_index(op.f('ix_question_owner_id'), 'question', ['owner_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_question_owner_id'), table_name='question')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_question_owner_id_user'), 'question', type_='foreignkey')
    op.drop_column('question', 'owner_id')
