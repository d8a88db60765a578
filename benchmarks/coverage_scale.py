"""Coverage at regional scale: synthetic data (12 countries, 60 academies, 200,000 trainees,
2,000,000 quiz attempts, 1,000,000 module completions), then the coverage API (country x prong)
next to the bare SQL aggregate, in the same run, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/coverage_scale.py [--backends sqlite,postgres] [--trainees 200000]
        [--attempts 2000000] [--completions 1000000] [--repeat 9]

The API is called in process through the Flask test client with a real token (server time, no
network). "bare" is the hand-written SQL for the same figures over the same tables; "source" is the
same trained count computed from module completions, for context.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _databases  # noqa: E402  (benchmarks/_databases.py, next to this script)

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

COUNTRIES = ["AL", "BA", "BG", "HR", "XK", "MD", "ME", "MK", "RO", "RS", "SI", "TR"]
PRONGS = ["police", "investigators", "judiciary"]

BARE_SQL = """
SELECT u.country_code, u.category,
       SUM(CASE WHEN s.serving = 1 AND cc.valid = 1 THEN 1 ELSE 0 END) AS trained,
       SUM(CASE WHEN s.serving = 1 AND cp.started_at < :end
                 AND (cc.done IS NULL OR cc.done = 0) THEN 1 ELSE 0 END) AS in_progress,
       SUM(CASE WHEN s.serving = 1 THEN 1 ELSE 0 END) AS enrolled,
       SUM(CASE WHEN s.serving = 0 AND s.joined <= :day AND cc.done = 1 THEN 1 ELSE 0 END) AS trained_lost,
       SUM(CASE WHEN s.serving = 1 AND cc.done = 1 AND cc.valid = 0 THEN 1 ELSE 0 END) AS lapsed
FROM "user" u
JOIN (SELECT user_id, MIN(started_on) AS joined,
             MAX(CASE WHEN started_on <= :day AND (ended_on IS NULL OR ended_on > :day) THEN 1 ELSE 0 END) AS serving
      FROM service_period GROUP BY user_id) s ON s.user_id = u.id
LEFT JOIN course c ON c.prong = u.category
LEFT JOIN course_progress cp ON cp.user_id = u.id AND cp.course_id = c.id
LEFT JOIN (SELECT user_id, course_id, MAX(CASE WHEN completed_at < :end THEN 1 ELSE 0 END) AS done,
                  MAX(CASE WHEN completed_at < :end AND (valid_until IS NULL OR valid_until > :day)
                           THEN 1 ELSE 0 END) AS valid
           FROM course_completion GROUP BY user_id, course_id) cc ON cc.user_id = u.id AND cc.course_id = c.id
WHERE u.role = 'trainee' {country_filter}
GROUP BY u.country_code, u.category
"""

SOURCE_SQL = """
SELECT u.country_code, u.category, COUNT(*) FROM "user" u
JOIN (SELECT mp.user_id, m.course_id, COUNT(DISTINCT mp.module_id) AS done
      FROM module_progress mp JOIN module m ON m.id = mp.module_id
      WHERE mp.completed_at IS NOT NULL GROUP BY mp.user_id, m.course_id) d ON d.user_id = u.id
JOIN course c ON c.id = d.course_id AND c.prong = u.category
WHERE d.done = (SELECT COUNT(*) FROM module m2 WHERE m2.course_id = c.id AND m2.retired = false)
GROUP BY u.country_code, u.category
"""


def fresh_database(backend: str, tmp: Path) -> str:
    return _databases.fresh_database(backend, tmp / "coverage.sqlite3", "thb_bench_coverage")


def bulk_insert(backend: str, table: str, columns: list[str], rows) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    if backend == "postgres":
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        return
    placeholders = ", ".join("?" for _ in columns)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        batch = []
        for row in rows:
            batch.append(tuple(v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in row))
            if len(batch) >= 50000:
                cur.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})', batch)
                batch = []
        if batch:
            cur.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})', batch)
        raw.commit()
    finally:
        raw.close()


def generate(backend: str, trainees: int, attempts: int, completions: int) -> dict:
    """Countries, courses with modules, 60 academies, trainees, progress, completions and attempts."""
    from app.academy.models import Academy
    from app.coverage.models import TargetPopulation
    from app.curriculum.models import Country, Course, Module, ModuleVersion, QuestionBank

    rng = random.Random(2026)
    for code in COUNTRIES:
        db.session.add(Country(code=code, name=code, languages=["en"], profile={}))
    courses = {}
    for prong in PRONGS:
        course = Course(prong=prong, title=f"{prong} course", description="")
        db.session.add(course)
        db.session.flush()
        courses[prong] = course
        for position in range(1, 9):
            module = Module(slug=f"{prong}-{position:02d}", course_id=course.id, position=position)
            db.session.add(module)
            db.session.flush()
            version = ModuleVersion(module_id=module.id, number=1, label="1", title=module.slug, estimated_minutes=45,
                                    objectives=[], sources=[], section_count=5, content_hash=f"{module.id:064d}")
            bank = QuestionBank(module_id=module.id, content_hash=f"{module.id:064d}", pass_mark=70, draw_count=6,
                                translations={})
            db.session.add_all([version, bank])
            db.session.flush()
            module.current_version_id, module.current_bank_id = version.id, bank.id
    academies = []
    for i in range(60):
        academy = Academy(slug=f"academy-{i:02d}", name=f"Academy {i:02d}", country_code=COUNTRIES[i % 12])
        db.session.add(academy)
        db.session.flush()
        academies.append(academy)
        for prong in PRONGS:
            db.session.add(TargetPopulation(country_code=academy.country_code, academy_id=academy.id, prong=prong,
                                            target=trainees // 60 // 2, effective_from=datetime(2025, 1, 1).date()))
    db.session.commit()
    modules = {prong: db.session.execute(sa.select(Module.id, Module.current_version_id, Module.current_bank_id)
                                         .filter_by(course_id=course.id).order_by(Module.position)).all()
               for prong, course in courses.items()}
    start = datetime(2025, 1, 1)
    users = []
    for uid in range(1, trainees + 1):
        academy = academies[uid % 60]
        prong = PRONGS[0] if uid % 10 < 6 else PRONGS[1] if uid % 10 < 8 else PRONGS[2]
        created = start + timedelta(days=rng.randint(0, 600))
        suspended = created + timedelta(days=300) if uid % 97 == 0 else None
        users.append((uid, f"u{uid}@bench.example", f"Trainee {uid}", "!", "trainee", academy.country_code, academy.id,
                      prong, "en", suspended is None, created, suspended, rng.randrange(2 ** 31)))
    bulk_insert(backend, "user", ["id", "email", "name", "password_hash", "role", "country_code", "academy_id",
                                  "category", "language", "active", "created_at", "suspended_at", "record_key"], users)
    # The service history: one period each, to the suspension for those suspended.
    bulk_insert(backend, "service_period", ["user_id", "started_on", "ended_on", "end_reason"],
                ((u[0], u[10].date(), u[11].date() if u[11] else None, "suspended" if u[11] else None) for u in users))
    # Module completions: whole courses for some, partial for others, until the count is reached.
    progress, course_rows, done = [], [], 0
    for user in users:
        if done >= completions:
            break
        uid, prong, created = user[0], user[7], user[10]
        count = 8 if rng.random() < 0.55 else rng.randint(1, 7)
        began = created + timedelta(days=rng.randint(1, 60))
        finished = None
        for index, (module_id, version_id, _bank) in enumerate(modules[prong][:count]):
            at = began + timedelta(days=index * 3)
            progress.append((uid, module_id, version_id, 4, at, at, at, at, at))
            done += 1
            finished = at
        course_rows.append((uid, courses[prong].id, began, finished if count == 8 else None))
    bulk_insert(backend, "module_progress", ["user_id", "module_id", "module_version_id", "furthest_section",
                                             "started_at", "updated_at", "reached_end_at", "quiz_passed_at",
                                             "completed_at"], progress)
    bulk_insert(backend, "course_progress", ["user_id", "course_id", "started_at", "completed_at"], course_rows)
    # The dated history of completions: one each, half of them lapsing a year after completion.
    bulk_insert(backend, "course_completion", ["user_id", "course_id", "completed_at", "valid_until", "how", "delivery"],
                ((uid, course_id, finished, (finished + timedelta(days=365)).date() if uid % 2 else None, "first",
                  "online") for uid, course_id, _began, finished in course_rows if finished is not None))

    def attempt_rows():
        for i in range(attempts):
            user = users[i % len(users)]
            module_id, version_id, bank_id = modules[user[7]][i % 8]
            score = (i * 37) % 101
            at = user[10] + timedelta(days=10)
            yield (f"a{i:010d}", user[0], module_id, version_id, bank_id, "[]", "en", at, at, "{}", 0, 6, score,
                   score >= 70)

    bulk_insert(backend, "quiz_attempt", ["token", "user_id", "module_id", "module_version_id", "bank_id", "drawn",
                                          "language", "started_at", "submitted_at", "answers", "correct_count",
                                          "question_count", "score_percent", "passed"], attempt_rows())
    if backend == "postgres":
        for table in ("user", "service_period", "module_progress", "course_progress", "course_completion",
                      "quiz_attempt"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                       f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return {"trainees": len(users), "completions": len(progress), "course_rows": len(course_rows), "attempts": attempts}


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(backend: str, args) -> dict:
    from flask_migrate import upgrade

    from app.coverage.tokens import create_token

    with tempfile.TemporaryDirectory() as tmp_name:
        url = fresh_database(backend, Path(tmp_name))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            sizes = generate(backend, args.trainees, args.attempts, args.completions)
            generate_s = time.perf_counter() - started
            _token, secret = create_token("bench", country="AL")
            db.session.commit()
            # The regional view (all countries) is what a token cannot ask for; measure the service directly
            # for it, and the API for a country token.
            from app.coverage import services
            from app.utils import utcnow

            today = utcnow().date()
            end = datetime.combine(today + timedelta(days=1), datetime.min.time())
            query = services.Query(today, group_by=("country", "prong"))

            def service_all():
                services.compute(query, services.Scope())

            def bare_all():
                db.session.execute(sa.text(BARE_SQL.format(country_filter="")), {"end": end, "day": today}).all()

            def bare_country():
                db.session.execute(sa.text(BARE_SQL.format(country_filter="AND u.country_code = 'AL'")),
                                   {"end": end, "day": today}).all()

            def source_all():
                db.session.execute(sa.text(SOURCE_SQL)).all()

            result = {"backend": backend, "generate_s": generate_s, **sizes,
                      "service_ms": median_ms(service_all, args.repeat),
                      "bare_ms": median_ms(bare_all, args.repeat),
                      "bare_country_ms": median_ms(bare_country, args.repeat),
                      "source_ms": median_ms(source_all, max(3, args.repeat // 3))}
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}

        def api_country():
            response = client.get("/api/v1/coverage?group_by=country,prong", headers=headers)
            assert response.status_code == 200, response.text

        result["api_ms"] = median_ms(api_country, args.repeat)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--trainees", type=int, default=200_000)
    parser.add_argument("--attempts", type=int, default=2_000_000)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    results = [run(b.strip(), args) for b in args.backends.split(",")]
    print(f"Coverage benchmark, country x prong (median of {args.repeat}, in process, no network)")
    print("API: a country token (AL), GET /api/v1/coverage?group_by=country,prong, vs the bare SQL for that country;")
    print("regional: the service for all 12 countries (dashboard of a regional coordinator) vs the bare SQL for all.")
    print(f"{'backend':<10} {'API':>10} {'bare':>9} {'ratio':>6} | {'regional':>10} {'bare':>9} {'ratio':>6} | {'from module rows':>16}")
    for r in results:
        print(f"{r['backend']:<10} {r['api_ms']:>7.1f} ms {r['bare_country_ms']:>6.1f} ms {r['api_ms'] / r['bare_country_ms']:>5.2f}x | "
              f"{r['service_ms']:>7.1f} ms {r['bare_ms']:>6.1f} ms {r['service_ms'] / r['bare_ms']:>5.2f}x | "
              f"{r['source_ms']:>13.1f} ms")
    for r in results:
        print(f"  {r['backend']}: {r['trainees']} trainees, {r['completions']} module completions, "
              f"{r['course_rows']} course records, {r['attempts']} quiz attempts; generated in {r['generate_s']:.0f} s")


if __name__ == "__main__":
    main()
