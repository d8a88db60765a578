"""The trainee list of one academy with 20,000 trainees: pages of the list (first, middle, last, sorted,
filtered, searched, by cohort, by course progress), a cohort's members, the audit log, the assignments page
and the overview, through the real HTTP handlers (Flask test client, in process: server time per request,
without network). Goal: under 200 ms per page on PostgreSQL.

    .venv/bin/python benchmarks/trainee_list.py [--backends postgres,sqlite] [--trainees 20000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import random
import re
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
from app.curriculum.loader import load_curriculum  # noqa: E402
from app.curriculum.tree import read_curriculum  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "benchmark password"
GOAL_MS = 200
FIRST = ("Ana", "Besnik", "Dritan", "Elira", "Marko", "Jelena", "Ivan", "Maja", "Nikola", "Teuta", "Arben", "Vesna")
LAST = ("Hoxha", "Petrović", "Kovač", "Shehu", "Jovanović", "Popescu", "Dimitrov", "Novak", "Berisha", "Marić")


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def curriculum_dirs() -> tuple[Path, Path]:
    real = (ROOT / "curricula", ROOT / "assessments")
    if real[0].is_dir() and not read_curriculum(*real).problems:
        return real
    mini = ROOT / "tests" / "fixtures" / "mini"
    return mini / "curricula", mini / "assessments"


def populate(trainees: int) -> dict:
    """Bulk-insert the academy's trainees, three cohorts, module progress, assignments and audit events."""
    from app.academy.models import Academy
    from app.audit.models import AuditEvent
    from app.auth.models import User
    from app.auth.services import create_user
    from app.curriculum.models import Course, Module
    from app.enrolment.models import Assignment, Cohort, CohortMembership, MandatoryCourse
    from app.learning.models import CourseProgress, ModuleProgress

    rng = random.Random(14)
    academy = Academy(slug="bench", name="Benchmark academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    admin = create_user(email="admin@bench.example", name="Admin", role="academy_admin", country="AL",
                        password=PASSWORD, academy=academy)
    db.session.flush()
    start = datetime(2025, 1, 1)
    categories = ("police", "police", "police", "investigators", "judiciary")
    rows = []
    for i in range(trainees):
        rows.append(dict(
            email=f"trainee{i:05d}@bench.example", name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:05d}",
            password_hash="!", role="trainee", country_code="AL", academy_id=academy.id,
            category=categories[i % len(categories)], language="sq", unit=f"Unit {i % 40:02d}" if i % 9 else None,
            personnel_number=f"P-{i:05d}", active=i % 50 != 0, created_at=start + timedelta(minutes=i * 13),
            last_login_at=start + timedelta(hours=i) if i % 4 else None, failed_logins=0))
    for chunk in range(0, len(rows), 5000):
        db.session.execute(sa.insert(User), rows[chunk:chunk + 5000])
    ids = list(db.session.scalars(sa.select(User.id).filter_by(academy_id=academy.id, role="trainee").order_by(User.id)))
    cohorts = [Cohort(academy_id=academy.id, name=f"Intake {n}") for n in (2025, 2026, 2027)]
    db.session.add_all(cohorts)
    db.session.flush()
    db.session.execute(sa.insert(CohortMembership), [
        dict(cohort_id=cohorts[i % 3].id, user_id=uid, joined_at=start) for i, uid in enumerate(ids) if i % 4])
    course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
    modules = db.session.execute(sa.select(Module.id, Module.current_version_id).filter_by(course_id=course.id,
                                                                                           retired=False)).all()
    progress, courses = [], []
    for i, uid in enumerate(ids):
        if categories[i % len(categories)] != "police" or rng.random() < 0.3:
            continue
        done = rng.random() < 0.5
        courses.append(dict(user_id=uid, course_id=course.id, started_at=start, completed_at=start if done else None))
        for module_id, version_id in modules:
            progress.append(dict(user_id=uid, module_id=module_id, module_version_id=version_id, furthest_section=3,
                                 started_at=start, updated_at=start, completed_at=start if done else None))
    for chunk in range(0, len(progress), 10000):
        db.session.execute(sa.insert(ModuleProgress), progress[chunk:chunk + 10000])
    db.session.execute(sa.insert(CourseProgress), courses)
    today = datetime.now().date()
    db.session.add(Assignment(academy_id=academy.id, course_id=course.id, cohort_id=cohorts[0].id,
                              due_date=today - timedelta(days=10)))
    db.session.add(Assignment(academy_id=academy.id, course_id=course.id, cohort_id=cohorts[2].id,
                              due_date=today + timedelta(days=60)))
    db.session.add(MandatoryCourse(academy_id=academy.id, course_id=course.id, category="investigators",
                                   due_within_days=365))
    db.session.execute(sa.insert(AuditEvent), [
        dict(academy_id=academy.id, actor_id=admin.id, action=("trainee.create", "cohort.join", "trainee.suspend")[i % 3],
             target_type="user", target_id=ids[i % len(ids)], summary=f"Benchmark event {i}",
             created_at=start + timedelta(minutes=i)) for i in range(trainees * 2)])
    db.session.commit()
    return {"academy": academy.slug, "cohort": cohorts[1].id, "course": course.id, "modules": len(modules),
            "progress_rows": len(progress)}


def run(backend: str, trainees: int, repeat: int) -> dict:
    from flask_migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp_name:
        url = _databases.fresh_database(backend, Path(tmp_name) / "bench.sqlite3", "thb_bench_trainee_list")
        curricula, assessments = curriculum_dirs()
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CURRICULA_DIR": curricula,
                          "ASSESSMENTS_DIR": assessments})
        with app.app_context():
            upgrade()
            load_curriculum(read_curriculum(curricula, assessments))
            db.session.commit()
            started = time.perf_counter()
            facts = populate(trainees)
            facts["populate_s"] = time.perf_counter() - started
            if backend == "postgres":
                db.session.execute(sa.text("ANALYZE"))
                db.session.commit()
        client = app.test_client()
        page = client.get("/login")
        client.post("/login", data={"email": "admin@bench.example", "password": PASSWORD, "csrf_token": csrf(page.text)})
        base = f"/academies/{facts['academy']}"
        middle = trainees // 50 // 2
        pages = {
            "reference: import page (no list)": "/import",
            "first page": "/trainees",
            f"middle page ({middle})": f"/trainees?page={middle}",
            "last page": "/trainees?page=100000",
            "200 per page": "/trainees?per_page=200&page=10",
            "sorted by e-mail, desc": "/trainees?sort=email&desc=1&page=50",
            "sorted by last sign-in": "/trainees?sort=last_login&page=20",
            "sorted by unit": "/trainees?sort=unit&page=30",
            "filtered (category+unit+active)": "/trainees?category=police&unit=Unit+07&status=active",
            "filtered by cohort": f"/trainees?cohort={facts['cohort']}&page=10",
            "searched (name)": "/trainees?q=hoxha",
            "searched (personnel no.)": "/trainees?q=P-12345",
            "progress: overdue (own course)": "/trainees?progress=overdue",
            "progress: completed (police)": f"/trainees?progress=completed&course={facts['course']}&page=5",
            "cohort members": f"/cohorts/{facts['cohort']}?page=20",
            "add to cohort (non-members)": f"/cohorts/{facts['cohort']}/add?q=marko",
            "audit log": "/audit?page=100",
            "audit log filtered": "/audit?action=trainee&q=event+1&since=2025-01-02",
            "assignments (due dates)": "/assignments?page=20",
            "overview": "/",
        }
        results = {}
        for label, path in pages.items():
            response = client.get(base + path)
            assert response.status_code == 200, (label, response.status_code)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(base + path)
                times.append((time.perf_counter() - started) * 1000)
            results[label] = statistics.median(times)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return {"backend": backend, "facts": facts, "pages": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="postgres")
    parser.add_argument("--trainees", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = [run(b.strip(), args.trainees, args.repeat) for b in args.backends.split(",")]
    print(f"Trainee list benchmark: {args.trainees} trainees in one academy (median of {args.repeat} requests; "
          f"server time in process, no network; goal < {GOAL_MS} ms per page on PostgreSQL)")
    print(f"Load average (1 min) before/after: {load_before:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: "
          "a loaded machine slows every page alike; compare with the reference row.")
    labels = list(results[0]["pages"])
    print(f"{'page':<36}" + "".join(f"{r['backend']:>12}" for r in results))
    for label in labels:
        print(f"{label:<36}" + "".join(f"{r['pages'][label]:>9.0f} ms" for r in results))
    for r in results:
        slowest = max(r["pages"].items(), key=lambda item: item[1])
        facts = r["facts"]
        print(f"  {r['backend']}: built in {facts['populate_s']:.1f} s ({facts['progress_rows']} progress rows, "
              f"{args.trainees * 2} audit events); slowest page: {slowest[0]} {slowest[1]:.0f} ms"
              + (f" ({'within' if slowest[1] < GOAL_MS else 'OVER'} the goal)" if r["backend"] == "postgres" else ""))


if __name__ == "__main__":
    main()
