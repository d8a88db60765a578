"""attempt answers for item statistics

Revision ID: c4d8e2f1a7b3
Revises: b7e3c1a2f9d4
Create Date: 2026-12-07 18:30:00

One row per answered question of a submitted attempt; existing submitted attempts are backfilled
from their stored answers and the questions' keys.
"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'c4d8e2f1a7b3'
down_revision = 'b7e3c1a2f9d4'
branch_labels = None
depends_on = None


def _loads(value):
    return json.loads(value) if isinstance(value, str) else value


def upgrade():
    op.create_table(
        'attempt_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('bank_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('country_code', sa.String(length=2), nullable=False),
        sa.Column('correct', sa.Integer(), nullable=False),
        sa.Column('rest_score', sa.Float(), nullable=True),
        sa.Column('chosen_mask', sa.Integer(), nullable=False),
        sa.CheckConstraint('correct IN (0, 1)', name=op.f('ck_attempt_answer_correct_binary')),
        sa.CheckConstraint("kind IN ('module', 'pre_test', 'post_test')", name=op.f('ck_attempt_answer_kind')),
        sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'], name=op.f('fk_attempt_answer_attempt_id_quiz_attempt')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_attempt_answer_user_id_user')),
        sa.ForeignKeyConstraint(['bank_id'], ['question_bank.id'], name=op.f('fk_attempt_answer_bank_id_question_bank')),
        sa.ForeignKeyConstraint(['module_id'], ['module.id'], name=op.f('fk_attempt_answer_module_id_module')),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_attempt_answer_question_id_question')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_answer')),
    )
    op.create_index('ix_attempt_answer_attempt_id', 'attempt_answer', ['attempt_id'], unique=False)
    op.create_index('ix_attempt_answer_bank_kind', 'attempt_answer', ['bank_id', 'kind'], unique=False)
    op.create_index('ix_attempt_answer_module_kind', 'attempt_answer', ['module_id', 'kind'], unique=False)

    conn = op.get_bind()
    questions = {}
    for qid, bank_id, module_id, qtype, data in conn.execute(sa.text(
            "SELECT q.id, q.bank_id, b.module_id, q.type, q.data FROM question q "
            "JOIN question_bank b ON b.id = q.bank_id")):
        questions[qid] = (bank_id, module_id, qtype, _loads(data))
    rows = []
    for aid, uid, kind, language, country, answers in conn.execute(sa.text(
            'SELECT a.id, a.user_id, a.kind, a.language, u.country_code, a.answers FROM quiz_attempt a '
            'JOIN "user" u ON u.id = a.user_id WHERE a.submitted_at IS NOT NULL')):
        answers = _loads(answers) or {}
        graded = []
        for key, given in answers.items():
            found = questions.get(int(key))
            if found is None:
                continue
            bank_id, module_id, qtype, data = found
            answer = data.get("answer")
            if qtype == "true_false":
                right, mask = int(given == answer), (1 if given is True else 2)
            else:
                keys = sorted(answer) if isinstance(answer, list) else [answer]
                right = int(sorted(given or []) == keys)
                ids = [o["id"] for o in data.get("options", [])]
                mask = sum(1 << ids.index(o) for o in given or [] if o in ids)
            graded.append((int(key), bank_id, module_id, right, mask))
        total = sum(g[3] for g in graded)
        for qid, bank_id, module_id, right, mask in graded:
            rows.append({"attempt_id": aid, "user_id": uid, "question_id": qid, "bank_id": bank_id, "module_id": module_id,
                         "kind": kind, "language": language, "country_code": country, "correct": right,
                         "rest_score": (total - right) / (len(graded) - 1) if len(graded) > 1 else None,
                         "chosen_mask": mask})
    if rows:
        table = sa.table('attempt_answer', *(sa.column(c) for c in rows[0]))
        for start in range(0, len(rows), 5000):
            conn.execute(table.insert(), rows[start:start + 5000])


def downgrade():
    op.drop_index('ix_attempt_answer_module_kind', table_name='attempt_answer')
    op.drop_index('ix_attempt_answer_bank_kind', table_name='attempt_answer')
    op.drop_index('ix_attempt_answer_attempt_id', table_name='attempt_answer')
    op.drop_table('attempt_answer')
