"""institutionalisation: the curriculum and date of a mandatory rule; a trainee's stage and sex

Revision ID: 5a7c9e1b3d24
Revises: e8f9a0b1c2d3
Create Date: 2026-12-08 02:20:00

Existing mandatory rules become rules of in-service training (every existing trainee is a serving officer, the
stage's default, so each rule keeps applying to the same people) since the day the rule was created. A course
may now be a rule of both curricula, so the rule's unique key takes the stage. No sex is recorded for anyone
("not stated") and no academy collects it until its administrator says so.
"""
from alembic import op
import sqlalchemy as sa


revision = '5a7c9e1b3d24'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('training_stage', sa.String(length=10), nullable=False,
                                      server_default='in_service'))
        batch_op.add_column(sa.Column('sex', sa.String(length=6), nullable=True))
        batch_op.create_check_constraint(op.f('ck_user_training_stage'), "training_stage IN ('basic', 'in_service')")
        batch_op.create_check_constraint(op.f('ck_user_sex'), "sex IS NULL OR sex IN ('female', 'male')")
    _keep_name_index()
    with op.batch_alter_table('academy') as batch_op:
        batch_op.add_column(sa.Column('collects_sex', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('mandatory_course') as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=10), nullable=False, server_default='in_service'))
        batch_op.add_column(sa.Column('since', sa.Date(), nullable=True))
    conn = op.get_bind()
    rules = sa.table('mandatory_course', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                     sa.column('since', sa.Date))
    for rule_id, created_at in conn.execute(sa.select(rules.c.id, rules.c.created_at)).all():
        conn.execute(rules.update().where(rules.c.id == rule_id).values(since=created_at.date()))
    with op.batch_alter_table('mandatory_course') as batch_op:
        batch_op.alter_column('since', existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint('uq_mandatory_course_rule', type_='unique')
        batch_op.create_unique_constraint('uq_mandatory_course_rule', ['academy_id', 'course_id', 'category', 'stage'])
        batch_op.create_check_constraint(op.f('ck_mandatory_course_stage'), "stage IN ('basic', 'in_service', 'optional')")
        batch_op.create_check_constraint(op.f('ck_mandatory_course_optional_without_deadline'),
                                         "stage <> 'optional' OR due_within_days IS NULL")


def downgrade():
    conn = op.get_bind()
    rules = sa.table('mandatory_course', sa.column('stage', sa.String))
    conn.execute(rules.delete().where(rules.c.stage != 'in_service'))
    with op.batch_alter_table('mandatory_course') as batch_op:
        batch_op.drop_constraint('ck_mandatory_course_optional_without_deadline', type_='check')
        batch_op.drop_constraint('ck_mandatory_course_stage', type_='check')
        batch_op.drop_constraint('uq_mandatory_course_rule', type_='unique')
        batch_op.create_unique_constraint('uq_mandatory_course_rule', ['academy_id', 'course_id', 'category'])
        batch_op.drop_column('since')
        batch_op.drop_column('stage')
    with op.batch_alter_table('academy') as batch_op:
        batch_op.drop_column('collects_sex')
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_constraint('ck_user_sex', type_='check')
        batch_op.drop_constraint('ck_user_training_stage', type_='check')
        batch_op.drop_column('sex')
        batch_op.drop_column('training_stage')
    _keep_name_index()


def _keep_name_index():
    """SQLite's batch mode rebuilds the table without the expression index of the trainee lists (which it cannot
    reflect): put it back where it is missing."""
    conn = op.get_bind()
    if conn.dialect.name != 'sqlite':
        return
    if not conn.scalar(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'ix_user_academy_lower_name'")):
        op.create_index('ix_user_academy_lower_name', 'user', ['academy_id', sa.text('lower(name)'), 'id'])
