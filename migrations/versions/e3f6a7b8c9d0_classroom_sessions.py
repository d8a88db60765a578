"""classroom sessions, trainers, attendance; delivery of completions

Revision ID: e3f6a7b8c9d0
Revises: d2e5f6a7b8c9
Create Date: 2026-12-07 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e3f6a7b8c9d0'
down_revision = 'd2e5f6a7b8c9'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('trainee', 'academy_admin', 'coordinator', 'regional_coordinator', 'platform_admin')"
NEW_ROLES = "role IN ('trainee', 'academy_admin', 'trainer', 'coordinator', 'regional_coordinator', 'platform_admin')"


def upgrade():
    op.create_table(
        'classroom_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('academy_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('module_ids', sa.JSON(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('pass_mark', sa.Integer(), nullable=False),
        sa.Column('partner_academy_ids', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_classroom_session_dates')),
        sa.CheckConstraint('pass_mark BETWEEN 1 AND 100', name=op.f('ck_classroom_session_pass_mark')),
        sa.ForeignKeyConstraint(['academy_id'], ['academy.id'], name=op.f('fk_classroom_session_academy_id_academy')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_classroom_session_course_id_course')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom_session')),
    )
    op.create_index(op.f('ix_classroom_session_academy_id'), 'classroom_session', ['academy_id'], unique=False)
    op.create_table(
        'session_trainer',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['classroom_session.id'],
                                name=op.f('fk_session_trainer_session_id_classroom_session')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_session_trainer_user_id_user')),
        sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_session_trainer')),
    )
    op.create_table(
        'session_participant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('attended', sa.Boolean(), nullable=True),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('score IS NULL OR score BETWEEN 0 AND 100', name=op.f('ck_session_participant_score')),
        sa.ForeignKeyConstraint(['session_id'], ['classroom_session.id'],
                                name=op.f('fk_session_participant_session_id_classroom_session')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_session_participant_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_participant')),
        sa.UniqueConstraint('session_id', 'user_id', name='uq_session_participant'),
    )
    op.create_index(op.f('ix_session_participant_session_id'), 'session_participant', ['session_id'], unique=False)
    op.create_index(op.f('ix_session_participant_user_id'), 'session_participant', ['user_id'], unique=False)
    with op.batch_alter_table('course_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=10), server_default='online', nullable=False))
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=10), server_default='online', nullable=False))
    # Autogenerate does not compare CHECK constraints: the trainer role is added by hand.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint('role', sa.text(NEW_ROLES))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint('role', sa.text(OLD_ROLES))
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_column('delivery')
    with op.batch_alter_table('course_progress', schema=None) as batch_op:
        batch_op.drop_column('delivery')
    op.drop_table('session_participant')
    op.drop_table('session_trainer')
    op.drop_table('classroom_session')
