"""The demo's region: a fictional police academy and a demo trainee in each of the twelve countries, in the
country's default language, and enough fictional trainees with a history over the quarters of the year
that a coordinator's dashboard, a country's API figures and the item statistics show real numbers on a
fresh install (figures under five people are withheld, so a handful of accounts would show nothing).

Everything is fictional and named so; the history trainees have no password and never sign in. Quiz
attempts go through the learning area's own services (drawn, graded and recorded as a trainee's would
be); course starts and completions are dated across the year. Idempotent: a second run adds nothing."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.academy import services as academies
from app.auth.models import User
from app.auth.services import UNUSABLE_PASSWORD, record_service
from app.coverage.models import TargetPopulation
from app.curriculum.models import Country, Course, Module, Question
from app.enrolment import services as enrolment
from app.enrolment.models import MandatoryCourse
from app.evaluation import services as evaluation
from app.evaluation.models import FollowUp
from app.evaluation.questions import REACTION_KEYS
from app.extensions import db
from app.learning import services as learning
from app.learning.models import CourseProgress, ModuleProgress
from app.learning.progress import add_months, record_completion
from app.utils import utcnow

DEMO_DOMAIN = "demo.example.org"
#: Country -> (first name of its demo trainee); the academy is "Demo Police Academy (<country>, fictional)".
DEMO_TRAINEES = {
    "AL": "Ilir", "BA": "Amra", "BG": "Petar", "HR": "Marko", "MD": "Ion", "ME": "Milena", "MK": "Elena",
    "RO": "Andrei", "RS": "Nikola", "SI": "Maja", "TR": "Ayşe", "XK": "Drilon",
}
HISTORY_PER_ACADEMY = 40
QUIZ_TAKERS = 20
TEST_TAKERS = 12
TARGET_PER_ACADEMY = 60
YEAR_START = date(2026, 1, 5)
#: Some demo academies have built the police course into a curriculum (for every police officer), since a date:
#: the institutionalisation table has content. No deadline, so no figure moves.
DEMO_CURRICULA = {"RS": ("basic", date(2021, 9, 1)), "HR": ("in_service", date(2023, 3, 1)),
                  "MK": ("basic", date(2022, 9, 1)), "BG": ("optional", date(2024, 1, 15)),
                  "RO": ("in_service", date(2020, 2, 1))}


def academy_slug(code: str) -> str:
    return f"demo-police-academy-{code.lower()}"


def seed_region(password: str) -> list[dict]:
    """Create what is missing; return the demo trainees (one per country) for the command to list."""
    course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
    listed = []
    for code, first in DEMO_TRAINEES.items():
        country = db.session.get(Country, code)
        if country is None or course is None:
            continue
        slug = academy_slug(code)
        academy = academies.academy_by_slug(slug)
        if academy is None:
            academy = academies.create_academy(None, slug=slug, name=f"Demo Police Academy ({country.name}, fictional)",
                                               country=code, kind="police_academy")
        language = (country.languages or ["en"])[0]
        email = f"trainee.{code.lower()}@{DEMO_DOMAIN}"
        if db.session.scalar(sa.select(User.id).filter_by(email=email)) is None:
            academies.create_account(None, email=email, name=f"{first} Demo", role="trainee", country=code,
                                     password=password, academy=slug, category="police", language=language)
        listed.append({"email": email, "country": code, "language": language})
        academy.collects_sex = True  # the demo academies record sex, so that figures by sex have content
        _curriculum(academy, course, code)
        _history(academy, course, language)
    db.session.flush()
    return listed


def _curriculum(academy, course, code: str) -> None:
    if code not in DEMO_CURRICULA:
        return
    stage, since = DEMO_CURRICULA[code]
    if db.session.scalar(sa.select(MandatoryCourse.id).filter_by(academy_id=academy.id, course_id=course.id,
                                                                 category="police", stage=stage)) is None:
        enrolment.set_mandatory(None, academy, course, "police", None, stage=stage, since=since)


def _history(academy, course, language: str) -> None:
    """Forty fictional trainees of the academy with starts and completions over the year, a target, quiz
    attempts at module 1 and pre- and post-tests (idempotent: nothing if they exist)."""
    tag = f"history.{academy.slug}"
    if db.session.scalar(sa.select(User.id).filter(User.email.like(f"%.{tag}@{DEMO_DOMAIN}")).limit(1)):
        return
    rng = random.Random(academy.slug)
    today = utcnow().date()
    people = []
    for i in range(HISTORY_PER_ACADEMY):
        joined = YEAR_START + timedelta(days=rng.randrange(0, 200))
        user = User(email=f"p{i:02d}.{tag}@{DEMO_DOMAIN}", name=f"Fictional trainee {i + 1:02d}",
                    password_hash=UNUSABLE_PASSWORD, role="trainee", country_code=academy.country_code,
                    academy_id=academy.id, category="police", language=language,
                    created_at=datetime.combine(joined, datetime.min.time()),
                    # A cadet in four; sex recorded for four in five (fixed by position: the random draws stay
                    # as they were, and so do the other figures).
                    training_stage="basic" if i % 4 == 0 else "in_service",
                    sex=None if i % 5 == 4 else ("female" if i % 2 else "male"))
        left = joined + timedelta(days=150) if rng.random() < 0.05 else None
        db.session.add(user)
        people.append((user, joined, left))
    db.session.flush()
    for user, joined, left in people:
        record_service(user, True, on=joined)
        if left is not None:  # left the service (on the day of seeding at the latest)
            left = max(joined, min(left, today))
            user.active, user.suspended_at = False, datetime.combine(left, datetime.min.time())
            record_service(user, False, on=left, reason="left")
    people = [(user, joined) for user, joined, _left in people]
    for user, joined in people:
        if rng.random() < 0.8:
            started = joined + timedelta(days=rng.randrange(1, 60))
            completed = started + timedelta(days=rng.randrange(20, 140)) if rng.random() < 0.7 else None
            if completed is not None and completed >= today:
                completed = None
            completed_at = datetime.combine(completed, datetime.min.time()) if completed else None
            db.session.add(CourseProgress(user_id=user.id, course_id=course.id,
                                          started_at=datetime.combine(started, datetime.min.time()),
                                          completed_at=completed_at))
            if completed_at is not None:
                record_completion(user.id, course, completed_at, how="first")
    db.session.add(TargetPopulation(country_code=academy.country_code, academy_id=academy.id, prong="police",
                                    target=TARGET_PER_ACADEMY, effective_from=YEAR_START))
    db.session.flush()
    _attempts(rng, [u for u, _ in people if u.active], course)
    _evaluation(rng, [u for u, _ in people if u.active], course)


def _evaluation(rng: random.Random, users: list[User], course: Course) -> None:
    """The reaction questionnaire from most of those who completed, and the follow-up (answered) from some of
    those who completed more than the course's follow-up interval ago: figures above the threshold."""
    today = utcnow().date()
    for user in users:
        progress = evaluation.completion(user, course)
        if progress is None or rng.random() < 0.2:
            continue
        answers = {key: min(5, max(1, round(rng.gauss(4.0 if key != "national_law" else 3.4, 0.8))))
                   for key in REACTION_KEYS if rng.random() < 0.95}
        evaluation.submit_reaction(user, course, answers, None)
        if course.follow_up_months and rng.random() < 0.6 and \
                add_months(progress.completed_at.date(), course.follow_up_months) <= today:
            referred = [choice for choice in ("nrm", "specialised_unit", "social_services", "ngo") if rng.random() < 0.3]
            db.session.add(FollowUp(user_id=user.id, course_id=course.id, completed_at=progress.completed_at,
                                    invited_on=today, answered_at=utcnow(),
                                    identified=rng.choice(("yes", "no", "no", "unsure")), referred=referred or ["none"],
                                    frequency=rng.choice(("never", "once", "once", "monthly", "weekly"))))
    db.session.flush()


def _attempts(rng: random.Random, users: list[User], course: Course) -> None:
    """Module 1's quiz for some, the course's pre- and post-tests for others, answered with a chance of
    being right that differs by question (and is higher after the course), through the real services."""
    module = db.session.scalar(sa.select(Module).filter_by(course_id=course.id, position=1, retired=False))
    if module is None or module.current_version_id is None:
        return
    for user in users[:QUIZ_TAKERS]:
        if db.session.scalar(sa.select(ModuleProgress.id).filter_by(user_id=user.id, module_id=module.id)) is None:
            db.session.add(ModuleProgress(user_id=user.id, module_id=module.id,
                                          module_version_id=module.current_version_id,
                                          furthest_section=module.current_version.section_count - 1,
                                          reached_end_at=utcnow()))
            db.session.flush()
        attempt = learning.start_quiz(user, module)
        learning.submit_quiz(user, attempt.token, _answers(rng, attempt, boost=0.15))
    if course.test_draw:
        takers = [u for u in users[QUIZ_TAKERS:] if db.session.scalar(sa.select(CourseProgress.id).filter_by(
            user_id=u.id, course_id=course.id)) is None][:TEST_TAKERS]
        for user in takers:
            pre = learning.start_course_test(user, course, "pre_test")
            learning.submit_quiz(user, pre.token, _answers(rng, pre, boost=-0.15))
            record = db.session.scalar(sa.select(CourseProgress).filter_by(user_id=user.id, course_id=course.id))
            if record is None:
                record = CourseProgress(user_id=user.id, course_id=course.id, started_at=utcnow())
                db.session.add(record)
            if record.completed_at is None:
                record.completed_at = utcnow() - timedelta(days=1)
                record_completion(user.id, course, record.completed_at, how="first")
            db.session.flush()
            post = learning.start_course_test(user, course, "post_test")
            learning.submit_quiz(user, post.token, _answers(rng, post, boost=0.2))


def _answers(rng: random.Random, attempt, *, boost: float) -> dict[str, list[str]]:
    """Form fields for an attempt as a trainee would fill them in: right with a probability per question."""
    questions = {q.id: q for q in db.session.scalars(
        sa.select(Question).filter(Question.id.in_([e["question_id"] for e in attempt.drawn])))}
    form: dict[str, list[str]] = {}
    for entry in attempt.drawn:
        question = questions[entry["question_id"]]
        chance = min(0.95, max(0.1, 0.45 + (question.id % 7) * 0.06 + boost))
        right = rng.random() < chance
        key = question.data["answer"]
        if question.type == "true_false":
            form[f"q-{question.id}"] = ["true" if (key if right else not key) else "false"]
            continue
        keys = set(key) if isinstance(key, list) else {key}
        positions = {oid: str(pos) for pos, oid in enumerate(entry["order"], start=1)}
        if right:
            form[f"q-{question.id}"] = [positions[oid] for oid in entry["order"] if oid in keys]
        else:
            wrong = [oid for oid in entry["order"] if oid not in keys]
            form[f"q-{question.id}"] = [positions[rng.choice(wrong)]] if wrong else [positions[entry["order"][0]]]
    return form
