"""Academy administration at scale: a 5,000-row CSV import, and the cohort progress report with
5,000 trainees and 100,000 quiz attempts, on SQLite and PostgreSQL, through the real HTTP handlers
(Flask test client, in process: the figures are server time per request, without network).

    .venv/bin/python benchmarks/academy_scale.py [--backends sqlite,postgres] [--trainees 5000]
                                                 [--attempts 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _databases  # noqa: E402  (benchmarks/_databases.py, next to this script)

from app import create_app  # noqa: E402
from app.curriculum.loader import load_curriculum  # noqa: E402
from app.curriculum.tree import read_curriculum  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "benchmark password"


def fresh_database(backend: str, tmp: Path) -> str:
    return _databases.fresh_database(backend, tmp / "bench.sqlite3", "thb_bench_academy")


def curriculum_dirs() -> tuple[Path, Path]:
    real = (ROOT / "curricula", ROOT / "assessments")
    if real[0].is_dir() and not read_curriculum(*real).problems:
        return real
    mini = ROOT / "tests" / "fixtures" / "mini"
    return mini / "curricula", mini / "assessments"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run(backend: str, trainees: int, attempts: int, repeat: int) -> dict:
    from flask_migrate import upgrade

    from app.academy.models import Academy
    from app.auth.models import User
    from app.auth.services import create_user
    from app.curriculum.models import Course, Module
    from app.enrolment.models import Cohort, CohortMembership
    from app.learning.models import ModuleProgress, QuizAttempt
    from app.utils import utcnow

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = fresh_database(backend, tmp)
        curricula, assessments = curriculum_dirs()
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CURRICULA_DIR": curricula,
                          "ASSESSMENTS_DIR": assessments})
        with app.app_context():
            upgrade()
            load_curriculum(read_curriculum(curricula, assessments))
            country = "AL"
            db.session.add(Academy(slug="bench", name="Benchmark academy", country_code=country))
            db.session.flush()
            create_user(email="admin@bench.example", name="Admin", role="academy_admin", country=country,
                        password=PASSWORD, academy="bench")
            db.session.commit()

        client = app.test_client()
        page = client.get("/login")
        client.post("/login", data={"email": "admin@bench.example", "password": PASSWORD, "csrf_token": csrf(page.text)})

        # 1. Import: upload (parse + check + preview) and confirm (write), one request each.
        lines = ["email,name,category,unit,personnel_number,language,cohort,due_date"]
        due = (utcnow().date() + timedelta(days=120)).isoformat()
        for i in range(trainees):
            lines.append(f"officer{i:05d}@bench.example,Officer {i:05d},police,Unit {i % 40},P-{i:05d},sq,Intake,{due}")
        data = ("\n".join(lines) + "\n").encode()
        token = csrf(client.get("/academies/bench/import").text)
        start = time.perf_counter()
        preview = client.post("/academies/bench/import", data={"csrf_token": token, "file": (io.BytesIO(data), "big.csv")},
                              content_type="multipart/form-data")
        upload_ms = (time.perf_counter() - start) * 1000
        assert preview.status_code == 200, preview.text[:2000]
        confirm = re.search(r'action="(/academies/bench/import/[^"]+/confirm)"', preview.text).group(1)
        start = time.perf_counter()
        done = client.post(confirm, data={"csrf_token": csrf(preview.text)})
        confirm_ms = (time.perf_counter() - start) * 1000
        assert done.status_code == 302

        # 2. Activity: progress rows and quiz attempts, bulk-inserted.
        with app.app_context():
            users = list(db.session.scalars(sa.select(User.id).filter_by(academy_id=1, role="trainee")))
            course_id = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
            modules = db.session.execute(sa.select(Module.id, Module.current_version_id, Module.current_bank_id)
                                         .filter_by(course_id=course_id)).all()
            cohort_id = db.session.scalar(sa.select(Cohort.id).filter_by(name="Intake"))
            members = db.session.scalar(sa.select(sa.func.count(CohortMembership.id)))
            rng = random.Random(7)
            now = utcnow()
            progress_rows, attempt_rows = [], []
            for uid in users:
                for module_id, version_id, _bank in modules:
                    state = rng.random()
                    if state < 0.25:
                        continue
                    complete = state > 0.6
                    progress_rows.append(dict(user_id=uid, module_id=module_id, module_version_id=version_id,
                                              furthest_section=3 if complete else 1, started_at=now, updated_at=now,
                                              reached_end_at=now if complete else None,
                                              quiz_passed_at=now if complete else None,
                                              completed_at=now if complete else None))
            for i in range(attempts):
                module_id, version_id, bank_id = modules[i % len(modules)]
                score = rng.randint(0, 100)
                attempt_rows.append(dict(token=f"bench{i:09d}", user_id=users[i % len(users)], module_id=module_id,
                                         module_version_id=version_id, bank_id=bank_id, drawn=[], language="en",
                                         started_at=now, submitted_at=now, answers={}, correct_count=0,
                                         question_count=6, score_percent=score, passed=score >= 70))
            db.session.execute(sa.insert(ModuleProgress), progress_rows)
            for chunk in range(0, len(attempt_rows), 10000):
                db.session.execute(sa.insert(QuizAttempt), attempt_rows[chunk:chunk + 10000])
            db.session.commit()
            if backend == "postgres":
                db.session.execute(sa.text("ANALYZE"))
                db.session.commit()

        report_url = f"/academies/bench/reports?course={course_id}&cohort={cohort_id}"

        def report():
            response = client.get(report_url)
            assert response.status_code == 200

        def report_filtered():
            assert client.get(report_url + "&status=overdue&sort=score&desc=1").status_code == 200

        def export_csv():
            assert client.get(report_url + "&format=csv").status_code == 200

        report()  # warm-up
        result = {
            "backend": backend, "trainees": len(users), "cohort_members": members, "modules": len(modules),
            "attempts": attempts, "progress_rows": len(progress_rows),
            "import_upload_ms": upload_ms, "import_confirm_ms": confirm_ms,
            "report_ms": statistics.median(timed(report, repeat)),
            "report_filtered_ms": statistics.median(timed(report_filtered, repeat)),
            "report_csv_ms": statistics.median(timed(export_csv, repeat)),
        }
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--trainees", type=int, default=5000)
    parser.add_argument("--attempts", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = [run(b.strip(), args.trainees, args.attempts, args.repeat) for b in args.backends.split(",")]
    print(f"Academy scale benchmark: {args.trainees} trainees in one cohort, {args.attempts} quiz attempts "
          f"(median of {args.repeat} requests; server time in process, no network)")
    print(f"{'backend':<10} {'import upload':>14} {'import confirm':>15} {'report':>9} {'filtered':>9} {'csv':>9}")
    for r in results:
        print(f"{r['backend']:<10} {r['import_upload_ms']:>11.0f} ms {r['import_confirm_ms']:>12.0f} ms "
              f"{r['report_ms']:>6.0f} ms {r['report_filtered_ms']:>6.0f} ms {r['report_csv_ms']:>6.0f} ms")
    for r in results:
        print(f"  {r['backend']}: {r['trainees']} trainees, {r['cohort_members']} cohort members, {r['modules']} modules, "
              f"{r['progress_rows']} progress rows, {r['attempts']} attempts")


if __name__ == "__main__":
    main()
