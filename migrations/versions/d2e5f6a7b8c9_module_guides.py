"""trainer's guides per module

Revision ID: d2e5f6a7b8c9
Revises: e6f1a4b3c9d5
Create Date: 2026-12-07 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd2e5f6a7b8c9'
down_revision = 'e6f1a4b3c9d5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'module_guide',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('duration_minutes', sa.Integer(), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_module_guide_module_id_module')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_module_guide')),
        sa.UniqueConstraint('module_id', name=op.f('uq_module_guide_module_id')),
    )


def downgrade():
    op.drop_table('module_guide')
