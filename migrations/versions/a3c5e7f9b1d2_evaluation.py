"""evaluation: reaction and follow-up questionnaires; follow_up_months per course

Revision ID: a3c5e7f9b1d2
Revises: a7c4e2f9b1d6
Create Date: 2026-12-08 02:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c5e7f9b1d2'
down_revision = 'a7c4e2f9b1d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course') as batch:
        batch.add_column(sa.Column('follow_up_months', sa.Integer(), nullable=True))
    op.create_table(
        'reaction_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_reaction_response_course_id_course')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reaction_response_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reaction_response')),
        sa.UniqueConstraint('user_id', 'course_id', 'completed_at',
                            name=op.f('uq_reaction_response_user_id')),
    )
    op.create_index(op.f('ix_reaction_response_user_id'), 'reaction_response', ['user_id'])
    op.create_table(
        'follow_up',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=False),
        sa.Column('invited_on', sa.Date(), nullable=False),
        sa.Column('reminded_on', sa.Date(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('identified', sa.String(length=10), nullable=True),
        sa.Column('referred', sa.JSON(), nullable=True),
        sa.Column('frequency', sa.String(length=10), nullable=True),
        sa.Column('obstacles', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_follow_up_course_id_course')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_follow_up_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up')),
        sa.UniqueConstraint('user_id', 'course_id', 'completed_at',
                            name=op.f('uq_follow_up_user_id')),
    )
    op.create_index(op.f('ix_follow_up_user_id'), 'follow_up', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_follow_up_user_id'), table_name='follow_up')
    op.drop_table('follow_up')
    op.drop_index(op.f('ix_reaction_response_user_id'), table_name='reaction_response')
    op.drop_table('reaction_response')
    with op.batch_alter_table('course') as batch:
        batch.drop_column('follow_up_months')
