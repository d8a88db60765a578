"""Item statistics at the coverage benchmark's scale: the coverage data (200,000 trainees, 2,000,000 quiz
attempts) plus one answer row per question of every attempt (6 per attempt: 12,000,000 rows) and course-test
answers, then the item statistics of one module's bank and the knowledge gain of one course, next to the
bare aggregate (answers counted per question of that bank), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/item_statistics.py [--backends sqlite,postgres] [--trainees 200000]
        [--attempts 2000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _databases  # noqa: E402
import coverage_scale  # noqa: E402  (its generator: countries, courses, trainees, attempts)

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

QUESTIONS_PER_BANK = 16
TYPES = ["single"] * 6 + ["multiple"] * 5 + ["true_false"] * 5


def add_questions_and_answers(backend: str, test_share: float = 0.05) -> dict:
    from app.curriculum.models import Question

    rng = random.Random(7)
    banks = db.session.execute(sa.text("SELECT id, module_id FROM question_bank ORDER BY id")).all()
    for bank_id, _module_id in banks:
        for position in range(QUESTIONS_PER_BANK):
            qtype = TYPES[position]
            options = [] if qtype == "true_false" else [{"id": c, "text": f"option {c}"} for c in "abcd"]
            answer = True if qtype == "true_false" else (["a", "c"] if qtype == "multiple" else "b")
            db.session.add(Question(bank_id=bank_id, key=f"q{position + 1:02d}", position=position, type=qtype,
                                    data={"prompt": "p", "options": options, "answer": answer, "explanation": "e"}))
    db.session.commit()
    questions = {}
    for qid, bank_id in db.session.execute(sa.text("SELECT id, bank_id FROM question ORDER BY id")):
        questions.setdefault(bank_id, []).append(qid)
    module_of = dict(banks)
    attempts = db.session.execute(sa.text(
        'SELECT a.id, a.user_id, a.bank_id, u.country_code FROM quiz_attempt a JOIN "user" u ON u.id = a.user_id')).all()
    count = 0

    def rows():
        nonlocal count
        for attempt_id, user_id, bank_id, country in attempts:
            pool = questions[bank_id]
            drawn = rng.sample(pool, 6)
            rights = [int(rng.random() < 0.3 + 0.1 * (i % 6)) for i in range(6)]
            total = sum(rights)
            kind = "module"
            if rng.random() < test_share:
                kind = "pre_test" if rng.random() < 0.5 else "post_test"
            for qid, right in zip(drawn, rights, strict=True):
                count += 1
                yield (attempt_id, user_id, qid, bank_id, module_of[bank_id], kind, "en", country, right,
                       (total - right) / 5, 1 << rng.randrange(4))

    coverage_scale.bulk_insert(backend, "attempt_answer", [
        "attempt_id", "user_id", "question_id", "bank_id", "module_id", "kind", "language", "country_code",
        "correct", "rest_score", "chosen_mask"], rows())
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return {"answers": count}


def run(backend: str, args) -> dict:
    from flask_migrate import upgrade

    from app.curriculum.models import Course, Module
    from app.itemstats import services

    with tempfile.TemporaryDirectory() as tmp_name:
        url = _databases.fresh_database(backend, Path(tmp_name) / "items.sqlite3", "thb_bench_items")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            sizes = coverage_scale.generate(backend, args.trainees, args.attempts, args.trainees * 5)
            sizes.update(add_questions_and_answers(backend))
            generate_s = time.perf_counter() - started
            module = db.session.scalar(sa.select(Module).order_by(Module.id).limit(1))
            course = db.session.get(Course, module.course_id)
            bank_id = module.current_bank_id

            def stats():
                services.bank_statistics(module)

            def gain():
                services.knowledge_gain(course)

            def bare():
                db.session.execute(sa.text(
                    "SELECT question_id, COUNT(*), SUM(correct) FROM attempt_answer "
                    "WHERE bank_id = :b AND kind = 'module' GROUP BY question_id"), {"b": bank_id}).all()

            bank_answers = db.session.scalar(sa.text(
                "SELECT COUNT(*) FROM attempt_answer WHERE bank_id = :b"), {"b": bank_id})
            result = {"backend": backend, "generate_s": generate_s, **sizes, "bank_answers": bank_answers,
                      "stats_ms": coverage_scale.median_ms(stats, args.repeat),
                      "gain_ms": coverage_scale.median_ms(gain, args.repeat),
                      "bare_ms": coverage_scale.median_ms(bare, args.repeat)}
            db.session.remove()
            db.engine.dispose()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--trainees", type=int, default=200_000)
    parser.add_argument("--attempts", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = [run(b.strip(), args) for b in args.backends.split(",")]
    print(f"Item statistics benchmark (median of {args.repeat}, in process)")
    print(f"{'backend':<10} {'bank statistics':>16} {'bare count':>11} {'ratio':>6} | {'course gain':>12}")
    for r in results:
        print(f"{r['backend']:<10} {r['stats_ms']:>13.1f} ms {r['bare_ms']:>8.1f} ms {r['stats_ms'] / r['bare_ms']:>5.2f}x | "
              f"{r['gain_ms']:>9.1f} ms")
    for r in results:
        print(f"  {r['backend']}: {r['attempts']} attempts, {r['answers']} answer rows ({r['bank_answers']} in the "
              f"measured bank); generated in {r['generate_s']:.0f} s")


if __name__ == "__main__":
    main()
