"""record keys for the cell-key method of small-number protection

Revision ID: d5e6f7a8b9c0
Revises: c1d4e5f6a7b8
Create Date: 2026-12-07 23:00:00

Every person gets a random record key (0 .. 2^31 - 1); a published count's perturbation is read from the
sum of its people's keys (app/foundation/disclosure.py). Existing accounts are given keys here.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'd5e6f7a8b9c0'
down_revision = 'c1d4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_key', sa.Integer(), nullable=True))
    conn = op.get_bind()
    users = sa.table('user', sa.column('id', sa.Integer), sa.column('record_key', sa.Integer))
    ids = [row[0] for row in conn.execute(sa.select(users.c.id))]
    for start in range(0, len(ids), 1000):
        conn.execute(users.update().where(users.c.id == sa.bindparam('uid')).values(record_key=sa.bindparam('key')),
                     [{'uid': uid, 'key': secrets.randbelow(2 ** 31)} for uid in ids[start:start + 1000]])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('record_key', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('record_key')
