"""course title and description translations

Revision ID: 5c1e2b7d9a40
Revises: 1707baba9791
Create Date: 2026-11-30 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e2b7d9a40'
down_revision = '1707baba9791'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('translations')
