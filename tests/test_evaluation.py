"""Evaluation on more than one level: the reaction questionnaire, the follow-up by e-mail (a real SMTP server,
aiosmtpd) with one reminder, aggregates under small-number protection, and knowledge gain per course and
module in the API."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import User
from app.coverage.services import Scope
from app.coverage.tokens import create_token
from app.curriculum.models import Course, Module, Question
from app.evaluation import services as evaluation
from app.evaluation.models import FollowUp, ReactionResponse
from app.evaluation.questions import REACTION_KEYS
from app.extensions import db
from app.foundation import disclosure
from app.learning.models import AttemptAnswer, CourseProgress, QuizAttempt
from tests.conftest import csrf_from, login
from tests.factories import get_academy, people
from tests.mail_helpers import link_in, text_of

COMPLETED = datetime(2026, 1, 10, 9, 0)
DUE = date(2026, 4, 10)  # three months later (follow_up_months: 3 in the mini course)


def _course() -> Course:
    return db.session.scalar(sa.select(Course).filter_by(prong="police"))


def _academy(slug: str, country: str = "AL") -> Academy:
    academy = Academy(slug=slug, name=slug.upper(), country_code=country)
    db.session.add(academy)
    db.session.flush()
    return academy


def _react(users, course, answers, comment=None):
    for user in users:
        db.session.add(ReactionResponse(user_id=user.id, course_id=course.id, completed_at=COMPLETED,
                                        answers=answers, comment=comment))
    db.session.flush()


def test_reaction_answers_aggregate_with_protection(ctx):
    course = _course()
    big, small = _academy("ev-big"), _academy("ev-small")
    seven = people(big, 7, started=COMPLETED, completed=COMPLETED, tag="r")
    two = people(small, 2, started=COMPLETED, completed=COMPLETED, tag="s")
    _react(seven[:4], course, {"relevance": 5, "clarity": 4, "recommend": 5}, comment="Useful case.")
    _react(seven[4:], course, {"relevance": 3, "clarity": 4}, comment=None)
    _react(two, course, {"relevance": 1}, comment="Only two of us: never shown.")
    admin = User(email="admin@ev-big.example.org", name="A", password_hash="!", role="academy_admin",
                 country_code="AL", academy_id=big.id, language="en")
    db.session.add(admin)
    db.session.flush()

    keys7 = sum(u.record_key for u in seven)
    [row] = evaluation.aggregates(Scope(countries={"AL"}, academy_id=big.id), comments_for=admin)
    reaction = row["reaction"]
    assert reaction["respondents"] == disclosure.perturb(7, keys7) and not reaction["suppressed"]
    items = {i["item"]: i for i in reaction["items"]}
    assert list(items) == list(REACTION_KEYS)
    relevance = items["relevance"]
    assert abs(relevance["mean"] - (4 * 5 + 3 * 3) / 7) <= 0.105  # moved by at most ±0.1, then rounded to 0.01
    assert relevance["distribution"]["5"] == disclosure.perturb(4, sum(u.record_key for u in seven[:4]))
    assert relevance["distribution"]["3"] == disclosure.perturb(3, sum(u.record_key for u in seven[4:]))
    assert relevance["distribution"]["1"] == 0
    # Four answered it: shown only if their count is published as five or more.
    four = disclosure.perturb(4, sum(u.record_key for u in seven[:4]))
    assert (items["recommend"]["mean"] is None) == (four < 5)
    assert items["recommend"]["answered"] == (four if four >= 5 else None)
    assert reaction["comments"] == ["Useful case."] * 4  # the academy's own administrator

    # A coordinator of the country: the same figures for the nine people, never the comments.
    [country] = evaluation.aggregates(Scope(countries={"AL"}), comments_for=admin)
    keys9 = keys7 + sum(u.record_key for u in two)
    assert country["reaction"]["respondents"] == disclosure.perturb(9, keys9)
    assert country["reaction"]["comments"] is None
    # The small academy alone: withheld, comments and all, even for an administrator of it.
    small_admin = User(email="admin@ev-small.example.org", name="S", password_hash="!", role="academy_admin",
                       country_code="AL", academy_id=small.id, language="en")
    db.session.add(small_admin)
    db.session.flush()
    [alone] = evaluation.aggregates(Scope(countries={"AL"}, academy_id=small.id), comments_for=small_admin)
    assert alone["reaction"]["respondents"] is None and alone["reaction"]["items"] is None
    assert alone["reaction"]["comments"] is None
    assert alone["reaction"]["suppressed"] == (disclosure.perturb(2, sum(u.record_key for u in two)) > 0)
    # Raising the threshold withholds the big academy too.
    [high] = evaluation.aggregates(Scope(countries={"AL"}, academy_id=big.id), threshold=10, comments_for=admin)
    assert high["reaction"]["items"] is None and high["reaction"]["comments"] is None
    # Another country sees nothing of these answers.
    [other] = evaluation.aggregates(Scope(countries={"RS"}))
    assert other["reaction"]["respondents"] is None and not other["reaction"]["suppressed"]


def test_reaction_questionnaire_once_per_completion(app, client, trainee):
    with app.app_context():
        course = _course()
        cid = course.id
    login(client, trainee["email"])
    assert client.get(f"/evaluation/courses/{cid}/reaction").status_code == 404  # not completed yet
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email=trainee["email"]))
        db.session.add(CourseProgress(user_id=user.id, course_id=cid, started_at=COMPLETED, completed_at=COMPLETED))
        db.session.commit()
    page = client.get(f"/evaluation/courses/{cid}/reaction")
    assert page.status_code == 200 and "The course covered the national law enough." in page.text
    bad = client.post(f"/evaluation/courses/{cid}/reaction", data={"csrf_token": csrf_from(page.text),
                                                                   "relevance": "9"})
    assert bad.status_code == 422  # not a choice
    refused = client.post(f"/evaluation/courses/{cid}/reaction", data={"relevance": "5"})
    assert refused.status_code == 400  # no CSRF token
    sent = client.post(f"/evaluation/courses/{cid}/reaction", data={
        "csrf_token": csrf_from(page.text), "relevance": "5", "national_law": "2", "comment": "More case law."})
    assert sent.status_code == 302
    again = client.get(f"/evaluation/courses/{cid}/reaction")
    assert again.status_code == 200 and 'id="answered"' in again.text and 'name="relevance"' not in again.text
    client.post(f"/evaluation/courses/{cid}/reaction", data={"csrf_token": csrf_from(page.text), "relevance": "1"})
    with app.app_context():
        [row] = db.session.scalars(sa.select(ReactionResponse)).all()
        assert row.answers == {"relevance": 5, "national_law": 2} and row.comment == "More case law."


def _send(runner, day: date) -> str:
    result = runner.invoke(args=["evaluation", "send-follow-ups", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_follow_up_mail_reminder_link_and_aggregate(app, client, runner, smtp, make_user):
    with app.app_context():
        get_academy("AL", "ev-a")
        db.session.commit()
    besa = make_user(email="besa@example.org", name="Besa", academy="ev-a")
    john = make_user(email="john@example.org", name="John", academy="ev-a")
    with app.app_context():
        course = _course()
        for email in (besa["email"], john["email"]):
            user = db.session.scalar(sa.select(User).filter_by(email=email))
            db.session.add(CourseProgress(user_id=user.id, course_id=course.id, started_at=COMPLETED,
                                          completed_at=COMPLETED))
        # Six others of another academy answered their follow-up earlier (so that the aggregate shows).
        earlier = people(_academy("ev-b"), 6, started=COMPLETED, completed=COMPLETED, tag="f")
        for user in earlier:
            db.session.add(FollowUp(user_id=user.id, course_id=course.id, completed_at=COMPLETED, invited_on=DUE,
                                    answered_at=datetime(2026, 4, 12), identified="no", frequency="once"))
        db.session.commit()

    assert "0 follow-up invitations, 0 reminders" in _send(runner, date(2026, 4, 9))  # not before it is due
    smtp.wait_for(1, timeout=0.5)
    assert smtp.messages == []
    assert "2 follow-up invitations, 0 reminders" in _send(runner, DUE)
    smtp.wait_for(2)
    [to_besa], [to_john] = smtp.to("besa@example.org"), smtp.to("john@example.org")
    assert to_besa["Subject"] == "Applying the training at work: Test police course"
    assert "four short questions" in text_of(to_besa)
    assert "0 follow-up invitations, 0 reminders" in _send(runner, date(2026, 4, 15))  # once

    # The link in the mail: sign-in first (it carries no secret), then the questionnaire.
    path = link_in(to_besa)
    assert path.startswith("/evaluation/follow-up/")
    assert client.get(path).status_code == 302
    login(client, besa["email"])
    page = client.get(path)
    assert page.status_code == 200 and "have you identified a person who may be a victim" in page.text
    answered = client.post(path, data={"csrf_token": csrf_from(page.text), "identified": "yes",
                                       "referred": ["nrm", "ngo"], "frequency": "monthly",
                                       "obstacles": "No interpreter."})
    assert answered.status_code == 302
    assert 'id="answered"' in client.get(path).text

    # Ten days after the invitation: one reminder, to John only (Besa answered); never a second one.
    assert "0 follow-up invitations, 1 reminders" in _send(runner, date(2026, 4, 20))
    smtp.wait_for(3)
    assert len(smtp.to("john@example.org")) == 2 and len(smtp.to("besa@example.org")) == 1
    assert smtp.to("john@example.org")[1]["Subject"].startswith("Reminder: ")
    assert link_in(smtp.to("john@example.org")[1]) == link_in(to_john)
    assert "0 follow-up invitations, 0 reminders" in _send(runner, date(2026, 5, 30))
    smtp.wait_for(4, timeout=0.5)
    assert len(smtp.messages) == 3

    # Besa's answer is in the aggregate (seven respondents), counted under the cell-key method.
    with app.app_context():
        answered_users = db.session.scalars(sa.select(User).join(FollowUp, FollowUp.user_id == User.id)
                                            .where(FollowUp.answered_at.is_not(None))).all()
        assert len(answered_users) == 7
        besa_key = db.session.scalar(sa.select(User.record_key).filter_by(email=besa["email"]))
        [row] = evaluation.aggregates(Scope())
        follow = row["follow_up"]
        assert follow["respondents"] == disclosure.perturb(7, sum(u.record_key for u in answered_users))
        assert follow["identified"]["yes"] == disclosure.perturb(1, besa_key)
        assert follow["referred"]["nrm"] == disclosure.perturb(1, besa_key)
        assert follow["referred"]["prosecutor"] == 0
        assert follow["obstacles"] is None  # no comments without an academy administrator
    # A coordinator's page shows it.
    make_user(email="coord@example.org", role="coordinator", country="AL")
    coordinator = app.test_client()
    login(coordinator, "coord@example.org")
    results = coordinator.get("/evaluation/results")
    assert results.status_code == 200 and "Some months later" in results.text and "No interpreter." not in results.text


def test_trainee_sees_no_aggregates_and_no_one_elses_answers(app, client, make_user):
    owner = make_user(email="owner@example.org")
    other = make_user(email="other@example.org")
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email=owner["email"]))
        row = FollowUp(user_id=user.id, course_id=_course().id, completed_at=COMPLETED, invited_on=DUE)
        db.session.add(row)
        db.session.commit()
        fid = row.id
    login(client, other["email"])
    assert client.get("/evaluation/results").status_code == 403
    assert client.get(f"/evaluation/follow-up/{fid}").status_code == 404
    own = client.get("/learn/")
    assert client.post(f"/evaluation/follow-up/{fid}", data={"csrf_token": csrf_from(own.text),
                                                            "identified": "yes"}).status_code == 404
    assert client.get("/api/v1/evaluation").status_code == 401
    with app.app_context():
        assert db.session.get(FollowUp, fid).answered_at is None


@pytest.fixture
def gain_token(app):
    """Seven Albanian trainees who took both tests: pre-test 1 of 3 right on the module, post-test 3 of 3."""
    with app.app_context():
        course = _course()
        module = db.session.scalar(sa.select(Module).filter_by(course_id=course.id))
        questions = db.session.scalars(sa.select(Question).where(Question.bank_id == module.current_bank_id)
                                       .order_by(Question.id)).all()[:3]
        users = people(_academy("ev-gain"), 7, started=COMPLETED, completed=COMPLETED, tag="g")
        for user in users:
            for kind, right, score in (("pre_test", 1, 33), ("post_test", 3, 100)):
                attempt = QuizAttempt(token=f"{kind}{user.id}", user_id=user.id, kind=kind, course_id=course.id,
                                      drawn=[], question_count=3, submitted_at=COMPLETED, score_percent=score,
                                      correct_count=right)
                db.session.add(attempt)
                db.session.flush()
                for i, question in enumerate(questions):
                    db.session.add(AttemptAnswer(attempt_id=attempt.id, user_id=user.id, question_id=question.id,
                                                 bank_id=question.bank_id, module_id=module.id, kind=kind,
                                                 language="en", country_code="AL", correct=int(i < right),
                                                 chosen_mask=1))
        _t, secret = create_token("gain", country="AL")
        _t, other = create_token("gain-rs", country="RS")
        db.session.commit()
        keys = sum(u.record_key for u in users)
        return {"secret": secret, "other": other, "keys": keys, "module": module.slug}


def test_api_gives_knowledge_gain_per_course_and_module(client, gain_token):
    keys = gain_token["keys"]
    response = client.get("/api/v1/knowledge-gain?as_of=2026-06-01",
                          headers={"Authorization": f"Bearer {gain_token['secret']}"})
    assert response.status_code == 200, response.text
    [course] = response.json["courses"]
    pre, post = disclosure.perturb_mean(33.0, keys), disclosure.perturb_mean(100.0, keys + 1)
    assert course["course"] == "police" and course["people"] == disclosure.perturb(7, keys)
    assert course["pre"] == round(pre, 1) and course["post"] == round(min(100.0, post), 1)
    [module] = course["modules"]
    assert module["module"] == gain_token["module"] and module["people"] == disclosure.perturb(7, keys)
    m_pre, m_post = disclosure.perturb_mean(100 / 3, keys), min(100.0, disclosure.perturb_mean(100.0, keys + 1))
    assert module["pre"] == round(m_pre, 1) and module["gain"] == round(m_post - m_pre, 1)
    # Before the tests, nothing; another country's token sees nothing of these people.
    early = client.get("/api/v1/knowledge-gain?as_of=2026-01-01",
                       headers={"Authorization": f"Bearer {gain_token['secret']}"}).json
    assert early["courses"][0]["people"] is None and early["courses"][0]["suppressed"] is False
    elsewhere = client.get("/api/v1/knowledge-gain", headers={"Authorization": f"Bearer {gain_token['other']}"}).json
    assert elsewhere["courses"][0]["people"] is None
    # Bad input: a clear 400 in JSON, naming the parameter.
    bad = client.get("/api/v1/knowledge-gain?as_of=tomorrow", headers={"Authorization": f"Bearer {gain_token['secret']}"})
    assert bad.status_code == 400 and bad.json["error"]["parameter"] == "as_of"
    unknown = client.get("/api/v1/evaluation?x=1", headers={"Authorization": f"Bearer {gain_token['secret']}"})
    assert unknown.status_code == 400 and unknown.json["error"]["parameter"] == "x"
    figures = client.get("/api/v1/evaluation", headers={"Authorization": f"Bearer {gain_token['secret']}"}).json
    assert "comments" not in figures["courses"][0]["reaction"] and "obstacles" not in figures["courses"][0]["follow_up"]


def test_openapi_documents_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/knowledge-gain" in paths and "/api/v1/evaluation" in paths
