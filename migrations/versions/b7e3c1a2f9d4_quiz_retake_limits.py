"""quiz retake limits per question bank

Revision ID: b7e3c1a2f9d4
Revises: 5c1e2b7d9a40
Create Date: 2026-12-07 18:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e3c1a2f9d4'
down_revision = '5c1e2b7d9a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_bank', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_attempts', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retake_wait_minutes', sa.Integer(), nullable=True))
        batch_op.create_check_constraint('max_attempts_positive', 'max_attempts IS NULL OR max_attempts > 0')
        batch_op.create_check_constraint('retake_wait_positive', 'retake_wait_minutes IS NULL OR retake_wait_minutes > 0')


def downgrade():
    with op.batch_alter_table('question_bank', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_question_bank_retake_wait_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_question_bank_max_attempts_positive'), type_='check')
        batch_op.drop_column('retake_wait_minutes')
        batch_op.drop_column('max_attempts')
