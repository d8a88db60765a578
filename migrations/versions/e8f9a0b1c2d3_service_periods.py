"""service history: one row per period of a person's service

Revision ID: e8f9a0b1c2d3
Revises: d5e6f7a8b9c0
Create Date: 2026-12-07 23:40:00

Coverage counts who served on a date from these periods (docs/coverage.md). Every existing account gets one
period, from the day it was created to the day it was suspended (open if it is not suspended): the history
before this revision is not known, so an earlier suspension that was lifted leaves no trace.
"""
from alembic import op
import sqlalchemy as sa


revision = 'e8f9a0b1c2d3'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'service_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('end_reason', sa.String(length=10), nullable=True),
        sa.CheckConstraint("(ended_on IS NULL AND end_reason IS NULL) OR (ended_on IS NOT NULL AND "
                           "end_reason IN ('suspended', 'left'))", name=op.f('ck_service_period_end_reason')),
        sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on',
                           name=op.f('ck_service_period_ends_after_start')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_service_period_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_period')),
    )
    op.create_index(op.f('ix_service_period_user_id'), 'service_period', ['user_id'], unique=False)
    op.create_index('uq_service_period_open', 'service_period', ['user_id'], unique=True,
                    sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))

    conn = op.get_bind()
    users = sa.table('user', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                     sa.column('suspended_at', sa.DateTime))
    periods = sa.table('service_period', sa.column('user_id', sa.Integer), sa.column('started_on', sa.Date),
                       sa.column('ended_on', sa.Date), sa.column('end_reason', sa.String))
    rows = []
    for uid, created_at, suspended_at in conn.execute(sa.select(users.c.id, users.c.created_at, users.c.suspended_at)):
        started = created_at.date()
        ended = max(suspended_at.date(), started) if suspended_at is not None else None
        rows.append({'user_id': uid, 'started_on': started, 'ended_on': ended,
                     'end_reason': 'suspended' if ended is not None else None})
    for start in range(0, len(rows), 1000):
        conn.execute(periods.insert(), rows[start:start + 1000])


def downgrade():
    op.drop_index('uq_service_period_open', table_name='service_period')
    op.drop_index(op.f('ix_service_period_user_id'), table_name='service_period')
    op.drop_table('service_period')
