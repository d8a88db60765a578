"""session version replaces the sign-in lockout

Revision ID: c1d4e5f6a7b8
Revises: b9c3d4e5f6a7
Create Date: 2026-12-07 20:00:00

Sign-in is throttled by Flask-Limiter now (per address and per account, no hard lock), so the failure count
and lock time go; a session version on the user ends every session of an account at once.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c1d4e5f6a7b8'
down_revision = 'b9c3d4e5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.drop_column('session_version')
