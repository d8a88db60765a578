"""indexes for the lists: trainees of an academy by name, an academy's audit log newest first

Revision ID: b9c3d4e5f6a7
Revises: f7a1b2c3d4e5
Create Date: 2026-12-07 20:30:00

The trainee list sorts an academy's trainees by lower(name) and pages with LIMIT/OFFSET: with this index a
page is read in order from the index instead of sorting every trainee of the academy. The audit log of an
academy is read newest first (by id), with the same effect.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b9c3d4e5f6a7'
down_revision = 'f7a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_user_academy_lower_name', 'user', ['academy_id', sa.text('lower(name)'), 'id'])
    op.create_index('ix_audit_event_academy_id_id', 'audit_event', ['academy_id', 'id'])
    op.create_index('ix_audit_event_actor_id', 'audit_event', ['actor_id'])


def downgrade():
    op.drop_index('ix_audit_event_actor_id', table_name='audit_event')
    op.drop_index('ix_audit_event_academy_id_id', table_name='audit_event')
    op.drop_index('ix_user_academy_lower_name', table_name='user')
