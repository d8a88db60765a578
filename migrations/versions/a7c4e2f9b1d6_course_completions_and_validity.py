"""course completions kept as a dated history; a course's validity period; refresher tests

Revision ID: a7c4e2f9b1d6
Revises: e8f9a0b1c2d3
Create Date: 2026-12-08 02:30:00

Coverage counts a person as trained on a date when a completion is valid on it (docs/coverage.md). Every
existing completion (`course_progress.completed_at`) becomes a first completion of the history; no course had a
validity period before this revision, so none of them lapses (valid_until null).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c4e2f9b1d6'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('module', 'pre_test', 'post_test')"
NEW_KINDS = "kind IN ('module', 'pre_test', 'post_test', 'refresher')"


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
    for table in ('quiz_attempt', 'attempt_answer'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
            batch_op.create_check_constraint('kind', sa.text(NEW_KINDS))


def downgrade():
    op.execute("DELETE FROM attempt_answer WHERE kind = 'refresher'")
    op.execute("DELETE FROM quiz_attempt WHERE kind = 'refresher'")
    for table in ('quiz_attempt', 'attempt_answer'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
            batch_op.create_check_constraint('kind', sa.text(OLD_KINDS))
    op.drop_index('ix_course_completion_course', table_name='course_completion')
    op.drop_index('ix_course_completion_user_course', table_name='course_completion')
    op.drop_table('course_completion')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('validity_months')
