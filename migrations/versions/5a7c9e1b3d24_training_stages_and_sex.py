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


STAGE_CHECK = "training_stage IN ('basic', 'in_service')"
SEX_CHECK = "sex IS NULL OR sex IN ('female', 'male')"


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name == 'sqlite':
        # Columns added in place: rebuilding `user` or `academy` (batch mode) would drop tables that other rows
        # refer to, which SQLite's enforced foreign keys refuse on a database with data. SQLite takes a CHECK in
        # the added column's definition.
        op.execute('ALTER TABLE "user" ADD COLUMN training_stage VARCHAR(10) DEFAULT \'in_service\' NOT NULL '
                   f"CONSTRAINT ck_user_training_stage CHECK ({STAGE_CHECK})")
        op.execute(f'ALTER TABLE "user" ADD COLUMN sex VARCHAR(6) CONSTRAINT ck_user_sex CHECK ({SEX_CHECK})')
    else:
        op.add_column('user', sa.Column('training_stage', sa.String(length=10), nullable=False,
                                        server_default='in_service'))
        op.add_column('user', sa.Column('sex', sa.String(length=6), nullable=True))
        op.create_check_constraint(op.f('ck_user_training_stage'), 'user', STAGE_CHECK)
        op.create_check_constraint(op.f('ck_user_sex'), 'user', SEX_CHECK)
    op.add_column('academy', sa.Column('collects_sex', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('mandatory_course') as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=10), nullable=False, server_default='in_service'))
        batch_op.add_column(sa.Column('since', sa.Date(), nullable=True))
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
        batch_op.drop_constraint(op.f('ck_mandatory_course_optional_without_deadline'), type_='check')
        batch_op.drop_constraint(op.f('ck_mandatory_course_stage'), type_='check')
        batch_op.drop_constraint('uq_mandatory_course_rule', type_='unique')
        batch_op.create_unique_constraint('uq_mandatory_course_rule', ['academy_id', 'course_id', 'category'])
        batch_op.drop_column('since')
        batch_op.drop_column('stage')
    op.drop_column('academy', 'collects_sex')
    if conn.dialect.name == 'sqlite':
        op.execute('ALTER TABLE "user" DROP COLUMN sex')  # SQLite 3.35+: the column's own CHECK goes with it
        op.execute('ALTER TABLE "user" DROP COLUMN training_stage')
    else:
        op.drop_constraint(op.f('ck_user_sex'), 'user', type_='check')
        op.drop_constraint(op.f('ck_user_training_stage'), 'user', type_='check')
        op.drop_column('user', 'sex')
        op.drop_column('user', 'training_stage')
