"""Reminders: before a due date, once when overdue, the weekly digest; on the right dates, once, in the
recipient's language; settings per academy. Sent through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import User
from app.curriculum.models import Course
from app.enrolment import services as enrolment
from app.extensions import db
from app.learning.models import CourseProgress
from app.reminders.models import SentReminder
from app.utils import utcnow
from tests.conftest import csrf_from, login
from tests.factories import get_academy
from tests.mail_helpers import text_of


def _sunday_at_least(days: int) -> date:
    start = utcnow().date() + timedelta(days=days)
    return start + timedelta(days=(6 - start.weekday()) % 7)


@pytest.fixture
def due(app, make_user):
    """Three trainees of academy-a with the police course due on a Sunday ≥ 20 days ahead: Besa (Albanian),
    John (English), and Done, who has completed the course; an administrator; the digest on Mondays."""
    with app.app_context():
        get_academy("AL", "academy-a")
        db.session.commit()
    make_user(email="admin.a@example.org", role="academy_admin", academy="academy-a", name="Admin A", language="sq")
    for email, name, language in (("besa@example.org", "Besa", "sq"), ("john@example.org", "John", "en"),
                                  ("done@example.org", "Done", "en")):
        make_user(email=email, academy="academy-a", name=name, language=language)
    day = _sunday_at_least(20)
    with app.app_context():
        academy = db.session.scalar(sa.select(Academy).filter_by(slug="academy-a"))
        academy.reminder_days_before, academy.digest_weekday = "14,3", 0
        admin = db.session.scalar(sa.select(User).filter_by(email="admin.a@example.org"))
        course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        cohort = enrolment.create_cohort(admin, academy, "Intake")
        for user in db.session.scalars(sa.select(User).filter_by(role="trainee")):
            enrolment.join_cohort(admin, academy, cohort, user)
        enrolment.assign(admin, academy, course=course, cohort=cohort, due_date=day)
        done = db.session.scalar(sa.select(User).filter_by(email="done@example.org"))
        db.session.add(CourseProgress(user_id=done.id, course_id=course.id, started_at=utcnow(),
                                      completed_at=utcnow()))
        db.session.commit()
    return day


def run(runner, day: date) -> str:
    result = runner.invoke(args=["reminders", "send", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_go_on_the_right_days_once_each_and_in_the_recipients_language(app, runner, smtp, due):
    assert "0 before a due date, 0 overdue notices, 0 digests" in run(runner, due - timedelta(days=15))
    assert smtp.messages == []
    assert "2 before a due date" in run(runner, due - timedelta(days=14))
    [besa], [john] = smtp.to("besa@example.org"), smtp.to("john@example.org")
    assert smtp.to("done@example.org") == []  # completed: nothing to remind
    assert john["Subject"] == "Due in 14 days: Test police course"
    assert besa["Content-Language"] == "sq" and "trajnim kundër trafikimit" in text_of(besa)
    months_sq = ("janar", "shkurt", "mars", "prill", "maj", "qershor", "korrik", "gusht", "shtator", "tetor",
                 "nëntor", "dhjetor")
    assert any(f"{due.day} {m} {due.year}" in text_of(besa) for m in months_sq)  # the date in Albanian
    assert "/learn/" in text_of(john)
    # The same day again, and the days in between: nothing new.
    assert "0 before a due date" in run(runner, due - timedelta(days=14))
    run(runner, due - timedelta(days=10))
    assert len(smtp.messages) == 2
    # Three days before (and a run missed on that day still reminds the day after): once more each.
    assert "2 before a due date" in run(runner, due - timedelta(days=2))
    assert smtp.to("john@example.org")[-1]["Subject"] == "Due in 2 days: Test police course"
    run(runner, due)
    assert len(smtp.messages) == 4
    # Monday after the Sunday due date: overdue, once each, and the administrator's digest.
    monday = due + timedelta(days=1)
    assert "2 overdue notices, 1 digests" in run(runner, monday)
    assert smtp.to("john@example.org")[-1]["Subject"] == "Overdue: Test police course"
    [digest] = smtp.to("admin.a@example.org")
    assert digest["Content-Language"] == "sq" and "Test academy AL: 2" in digest["Subject"]
    body = text_of(digest)
    assert "Besa <besa@example.org>" in body and "John <john@example.org>" in body and "Done" not in body
    assert "/academies/academy-a/reports" in body
    assert "0 before a due date, 0 overdue notices, 0 digests" in run(runner, monday)
    run(runner, monday + timedelta(days=3))  # the same week: no second digest, no second notice
    assert len(smtp.messages) == 7
    assert "0 overdue notices, 1 digests" in run(runner, monday + timedelta(days=7))  # next week's digest
    with app.app_context():
        kinds = [k for (k,) in db.session.execute(sa.select(SentReminder.kind).order_by(SentReminder.id))]
        assert kinds.count("due_soon") == 4 and kinds.count("overdue") == 2 and kinds.count("digest") == 2


def test_a_suspended_trainee_and_an_academy_without_reminders_get_none(app, runner, smtp, due):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == "john@example.org").values(active=False))
        academy = db.session.scalar(sa.select(Academy).filter_by(slug="academy-a"))
        academy.reminder_days_before = "3"
        academy.overdue_notice = False
        academy.digest_weekday = None
        db.session.commit()
    run(runner, due - timedelta(days=14))
    assert smtp.messages == []
    run(runner, due - timedelta(days=3))
    assert [m["To"] for m in smtp.messages] == ["besa@example.org"]
    run(runner, due + timedelta(days=1))
    assert len(smtp.messages) == 1


def test_an_academy_administrator_sets_the_reminders(app, make_user):
    with app.app_context():
        get_academy("AL", "academy-a")
        get_academy("RS", "academy-b")
        db.session.commit()
    make_user(email="admin.a@example.org", role="academy_admin", academy="academy-a")
    client = app.test_client()
    assert login(client, "admin.a@example.org").status_code == 302
    page = client.get("/academies/academy-a/reminders")
    assert page.status_code == 200 and 'value="14, 3"' in page.text and "/academies/academy-a/reminders" in \
        client.get("/academies/academy-a/").text
    bad = client.post("/academies/academy-a/reminders", data={"csrf_token": csrf_from(page.text),
                                                              "days_before": "7, soon", "digest_weekday": "4"})
    assert bad.status_code == 422 and "&#39;soon&#39; is not a number of days" in bad.text
    good = client.post("/academies/academy-a/reminders", data={"csrf_token": csrf_from(page.text),
                                                               "days_before": "1, 7", "digest_weekday": "4"})
    assert good.status_code == 302
    with app.app_context():
        academy = db.session.scalar(sa.select(Academy).filter_by(slug="academy-a"))
        assert (academy.reminder_days_before, academy.overdue_notice, academy.digest_weekday) == ("7,1", False, 4)
    assert client.get("/academies/academy-b/reminders").status_code == 404  # not their academy
    trainee = app.test_client()
    make_user(email="t@example.org", academy="academy-a")
    login(trainee, "t@example.org")
    assert trainee.get("/academies/academy-a/reminders").status_code == 403
