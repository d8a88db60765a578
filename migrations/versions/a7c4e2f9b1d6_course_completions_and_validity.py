"""course completions kept as a dated history; a course's validity period; refresher tests

Revision ID: a7c4e2f9b1d6
Revises: 5a7c9e1b3d24
Create Date: 2026-12-08 02:30:00

Coverage counts a person as trained on a date when a completion is valid on it (docs/coverage.md). Every
existing completion (`course_progress.completed_at`) becomes a first completion of the history; no course had a
validity period before this revision, so none of them lapses (valid_until null).
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c4e2f9b1d6'
down_revision = "5a7c9e1b3d24"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('module', 'pre_test', 'post_test')"
NEW_KINDS = "kind IN ('module', 'pre_test', 'post_test', 'refresher')"


def _rebuild(work):
    """Run `work` (batch operations that rebuild a table) with SQLite's foreign keys off, as SQLite asks for a
    table rebuild: dropping the old quiz_attempt (or course) would otherwise trip the rows that refer to it
    (attempt answers, progress), even though the rebuilt table holds the same rows. The pragma is ignored
    inside a transaction, so the one open is committed first (Python's sqlite3 opens one only for a data
    change: a change that changes nothing makes sure there is one to commit). Nothing refers to these tables
    ON DELETE CASCADE, and the keys are checked afterwards."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        work()
        return

    def commit():
        op.execute('UPDATE alembic_version SET version_num = version_num')
        op.execute('COMMIT')

    commit()
    op.execute('PRAGMA foreign_keys = OFF')
    try:
        work()
    finally:
        commit()
        op.execute('PRAGMA foreign_keys = ON')
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'foreign keys broken by the rebuild: {broken[:5]}')


def _kinds(allowed):
    def work():
        for table in ('quiz_attempt', 'attempt_answer'):
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
                batch_op.create_check_constraint('kind', sa.text(allowed))
    return work


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('validity_months', sa.Integer(), nullable=True))

    op.create_table(
        'course_completion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('how', sa.String(length=10), nullable=False),
        sa.Column('delivery', sa.String(length=10), server_default='online', nullable=False),
        sa.CheckConstraint("how IN ('first', 'renewal')", name=op.f('ck_course_completion_how')),
        sa.CheckConstraint("delivery IN ('online', 'classroom', 'blended')",
                           name=op.f('ck_course_completion_delivery')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_completion_course_id_course')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_course_completion_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_completion')),
    )
    op.create_index('ix_course_completion_user_course', 'course_completion', ['user_id', 'course_id'], unique=False)
    op.create_index('ix_course_completion_course', 'course_completion', ['course_id'], unique=False)
    op.execute("INSERT INTO course_completion (user_id, course_id, completed_at, valid_until, how, delivery) "
               "SELECT user_id, course_id, completed_at, NULL, 'first', delivery FROM course_progress "
               "WHERE completed_at IS NOT NULL")

    # A refresher test is a quiz attempt of its own kind (drawn like the post-test, with a pass mark).
    _rebuild(_kinds(NEW_KINDS))


def downgrade():
    op.execute("DELETE FROM attempt_answer WHERE kind = 'refresher'")
    op.execute("DELETE FROM quiz_attempt WHERE kind = 'refresher'")
    _rebuild(_kinds(OLD_KINDS))
    op.drop_index('ix_course_completion_course', table_name='course_completion')
    op.drop_index('ix_course_completion_user_course', table_name='course_completion')
    op.drop_table('course_completion')

    def drop_validity():
        with op.batch_alter_table('course', schema=None) as batch_op:
            batch_op.drop_column('validity_months')
    _rebuild(drop_validity)
