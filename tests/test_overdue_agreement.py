"""One rule decides who is overdue: the academy report, the trainee's dashboard, the coordinator's dashboard
and the API agree (issue: "one rule in one place")."""

from datetime import timedelta

import sqlalchemy as sa

from app.academy.models import Academy
from app.academy.reports import course_report
from app.auth.models import User
from app.coverage.tokens import create_token
from app.curriculum.models import Course
from app.enrolment import services as enrolment
from app.extensions import db
from app.foundation import disclosure
from app.learning import services as learning
from app.utils import utcnow
from tests.conftest import login
from tests.factories import create_test_user, get_academy

DAYS = 30
LATE = 6  # past the mandatory rule's deadline: more than the small-number threshold, so every view shows them


def _build(app):
    """An academy with a mandatory police course due 30 days after joining: six trainees who joined 40 days
    ago (overdue), one who joined 10 days ago (inside the deadline), one investigator (not on that course)."""
    with app.app_context():
        academy = get_academy("AL", "agree-academy")
        slug = academy.slug
        people = {"late": [], "inside": None, "other": None}
        for i in range(LATE):
            people["late"].append(create_test_user(email=f"late{i}@example.org", academy=slug)["id"])
        people["inside"] = create_test_user(email="inside@example.org", academy=slug)["id"]
        people["other"] = create_test_user(email="other@example.org", academy=slug, category="investigators")["id"]
        now = utcnow()
        for uid in people["late"]:
            db.session.get(User, uid).created_at = now - timedelta(days=40)
        db.session.get(User, people["inside"]).created_at = now - timedelta(days=10)
        db.session.get(User, people["other"]).created_at = now - timedelta(days=40)
        course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        enrolment.set_mandatory(None, db.session.get(Academy, academy.id), course, "police", DAYS)
        db.session.commit()
        return slug, course.id, people


def test_report_dashboards_and_api_agree_on_who_is_overdue(app, client, make_user):
    slug, course_id, people = _build(app)
    late = set(people["late"])
    with app.test_request_context():
        academy = db.session.scalar(sa.select(Academy).filter_by(slug=slug))
        course = db.session.get(Course, course_id)
        # The academy report: the six, and nobody else, are overdue.
        statuses = {row.user_id: row.status for row in course_report(academy.id, course)}
        assert {uid for uid, status in statuses.items() if status == "overdue"} == late
        assert statuses[people["inside"]] == "not_started"
        assert people["other"] not in statuses  # an investigator is not on the police course's report
        # Each trainee's dashboard.
        for uid in late | {people["inside"]}:
            plan = next(p for p in learning.my_courses(db.session.get(User, uid)) if p.course.id == course_id)
            assert plan.overdue is (uid in late), uid
        other_plans = learning.my_courses(db.session.get(User, people["other"]))
        assert all(p.course.id != course_id for p in other_plans) and not any(p.overdue for p in other_plans)
        _t, secret = create_token("agreement", country="AL")
        db.session.commit()
    # The coordinator's dashboard.
    coordinator = make_user(email="coord.agree@example.org", role="coordinator", country="AL")
    login(client, coordinator["email"])
    page = client.get("/coverage/").get_data(as_text=True)
    assert "Academy" in page and "Test academy AL" in page
    overdue_section = page.split('id="h-overdue"', 1)[1].split("</section>", 1)[0]
    with app.app_context():  # the six's count as the cell-key method publishes it, computed here
        shown = disclosure.perturb(LATE, sum(db.session.get(User, uid).record_key for uid in late))
    assert f'<td class="num">{shown}</td>' in overdue_section
    # The API: the same cell, the same figure.
    answer = client.get("/api/v1/overdue", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert answer["rows"] == [{"country": "AL", "academy": slug, "overdue": shown, "suppressed": False}]


def test_completing_the_course_or_a_suspension_ends_overdue_everywhere(app, client):
    slug, course_id, people = _build(app)
    with app.test_request_context():
        first, second = people["late"][:2]
        from app.learning.models import CourseProgress

        db.session.add(CourseProgress(user_id=first, course_id=course_id, started_at=utcnow(), completed_at=utcnow()))
        db.session.get(User, second).active = False
        db.session.commit()
        academy = db.session.scalar(sa.select(Academy).filter_by(slug=slug))
        statuses = {row.user_id: row.status for row in course_report(academy.id, db.session.get(Course, course_id))}
        assert statuses[second] != "overdue"
        plan = next(p for p in learning.my_courses(db.session.get(User, first)) if p.course.id == course_id)
        assert not plan.overdue
        from app.coverage.services import Query, Scope, tabulate

        today = utcnow().date()
        true = tabulate(Query(today, group_by=("academy",), overdue_on=today), Scope(countries={"AL"}))
        assert [r["overdue"] for r in true["rows"]] == [LATE - 2]
        still = [uid for uid in people["late"][2:]]
        shown = disclosure.perturb(LATE - 2, sum(db.session.get(User, uid).record_key for uid in still))
        _t, secret = create_token("agreement", country="AL")
        db.session.commit()
    # The academy's row is large enough to show; its overdue count (four people) is published perturbed.
    answer = client.get("/api/v1/overdue", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert answer["rows"] == [{"country": "AL", "academy": slug, "overdue": shown, "suppressed": False}]
