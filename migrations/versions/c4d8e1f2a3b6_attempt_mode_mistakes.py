"""Attempt.mode may be "mistakes": a practice quiz of the facts last answered wrong.

Revision ID: c4d8e1f2a3b6
Revises: a0d6ec181cbd
Create Date: 2026-12-01 18:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4d8e1f2a3b6'
down_revision = 'a0d6ec181cbd'
branch_labels = None
depends_on = None

OLD = "CHECK (mode IN ('practice', 'review', 'assignment'))"
NEW = "CHECK (mode IN ('practice', 'review', 'assignment', 'mistakes'))"


def _sqlite_check(old: str, new: str) -> None:
    # No batch table rebuild (see 68b101d4d4c1): dropping the old attempt table with foreign
    # keys on would cascade-delete every answer. SQLite documents this in-place edit of the
    # stored CREATE TABLE for loosening a CHECK constraint (lang_altertable.html, "otheralter"):
    # rows already stored satisfy the wider check, so the file format is unchanged.
    conn = op.get_bind()
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
                         "WHERE type = 'table' AND name = 'attempt'", (old, new))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_check(OLD, NEW)
    else:
        op.drop_constraint(op.f('ck_attempt_attemptmode'), 'attempt', type_='check')
        op.create_check_constraint(
            op.f('ck_attempt_attemptmode'), 'attempt',
            "mode IN ('practice', 'review', 'assignment', 'mistakes')")


def downgrade():
    op.execute("DELETE FROM attempt WHERE mode = 'mistakes'")
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_check(NEW, OLD)
    else:
        op.drop_constraint(op.f('ck_attempt_attemptmode'), 'attempt', type_='check')
        op.create_check_constraint(op.f('ck_attempt_attemptmode'), 'attempt',
                                   "mode IN ('practice', 'review', 'assignment')")
