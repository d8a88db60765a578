"""module version source text

Revision ID: e6f1a4b3c9d5
Revises: d5e9f3a2b8c4
Create Date: 2026-12-07 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e6f1a4b3c9d5'
down_revision = 'd5e9f3a2b8c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('module_version', schema=None) as batch_op:
        batch_op.drop_column('source')
