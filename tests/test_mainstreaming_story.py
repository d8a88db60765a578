"""Issue 15's "Done when": a country with a known history, and the dashboard, its export and the API give figures
equal to ones this test computes independently from the story.

The story (two academies of one country, dates counted back from today): officers who join, complete, leave; a
completion that lapses and one that lapses and is renewed; a classroom session with attendance and a paper test,
with a participant from the partner academy; mandatory rules in basic and in in-service training (binding cadets
and serving officers of another category to the police course, from their `since`); a joint cohort of two
prosecutors assigned the police course, one of whom leaves the cohort. The figures are computed
here from the story by the definitions of docs/coverage.md, without the platform's queries, then published as the
cell-key method publishes them (each count perturbed by the sum of its people's record keys). The suite runs on
SQLite and on PostgreSQL, so this test does too.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.academy.services import set_suspended
from app.auth.models import User
from app.auth.services import record_service
from app.classroom import services as classroom
from app.coverage import services
from app.coverage.tokens import create_token
from app.curriculum.models import Course
from app.enrolment.models import Assignment, Cohort, CohortMembership, MandatoryCourse
from app.extensions import db
from app.foundation import disclosure
from app.learning.models import CourseProgress
from app.learning.progress import record_completion
from app.utils import utcnow
from tests.conftest import login
from tests.factories import create_test_user

VALIDITY = 24  # months: the police course's validity period in this story
TODAY = utcnow().date()


def _months_later(day: date, months: int) -> date:
    """The story's own month arithmetic (its dates avoid month ends, so no day needs clamping)."""
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, day.day)


def _safe(day: date) -> date:
    """A story date moved off the 29th to 31st, so month arithmetic needs no clamping."""
    return day - timedelta(days=3) if day.day > 28 else day


def ago(days: int) -> date:
    return _safe(TODAY - timedelta(days=days))


@dataclass
class Person:
    name: str
    academy: str  # "home" or "partner"
    category: str = "police"
    stage: str = "in_service"
    joined: date = field(default_factory=lambda: ago(1200))
    left: date | None = None
    started: date | None = None
    completions: list[date] = field(default_factory=list)  # online completions (the first, then renewals)
    classroom: bool = False  # completes in today's classroom session
    #: Extra obligations to the police course beyond the category's own: (from, until or None).
    owed: list[tuple[date, date | None]] = field(default_factory=list)

    # --- the definitions of docs/coverage.md, from the story alone ---------------------------------
    def all_completions(self) -> list[date]:
        return self.completions + ([TODAY] if self.classroom else [])

    def obliged(self, d: date) -> bool:
        return self.category == "police" or any(s <= d and (u is None or u > d) for s, u in self.owed)

    def serving(self, d: date) -> bool:
        return self.joined <= d and (self.left is None or self.left > d)

    def done(self, d: date) -> bool:
        return any(c <= d for c in self.all_completions())

    def valid(self, d: date) -> bool:
        return any(c <= d < _months_later(c, VALIDITY) for c in self.all_completions())

    def figures(self, d: date) -> dict[str, int]:
        owed, serving = self.obliged(d), self.serving(d)
        began = self.started is not None and self.started <= d
        enrolled = owed and serving
        trained = enrolled and self.valid(d)
        return {
            "enrolled": int(enrolled),
            "trained": int(trained),
            "lapsed": int(enrolled and self.done(d) and not self.valid(d)),
            "in_progress": int(enrolled and began and not self.done(d)),
            "trained_lost": int(owed and self.done(d) and self.joined <= d and not serving),
            "trained_classroom": int(trained and self.classroom),
            "trained_online": int(trained and not self.classroom),
        }


RULE_BASIC_SINCE, RULE_IN_SERVICE_SINCE = ago(400), ago(200)
COHORT_ASSIGNED, COHORT_JOINED, COHORT_LEFT = ago(100), ago(90), ago(10)

STORY = [
    # Joins, completes online; current.
    Person("ana", "home", started=ago(620), completions=[ago(600)]),
    # Completes, then leaves the service: trained staff lost from the day of leaving.
    Person("ben", "home", started=ago(660), completions=[ago(650)], left=ago(100)),
    # Completed long ago: lapsed about 170 days ago, never renewed.
    Person("cai", "home", joined=ago(1100), started=ago(910), completions=[ago(900)]),
    # Completed, lapsed, renewed by the refresher 30 days ago.
    Person("dea", "home", joined=ago(1100), started=ago(910), completions=[ago(900), ago(30)]),
    # Attends today's classroom session and passes its paper test.
    Person("eli", "home", joined=ago(300), classroom=True),
    # A cadet in basic training, in progress.
    Person("fan", "home", stage="basic", joined=ago(50), started=ago(20)),
    # Serving, never started.
    Person("gus", "home", joined=ago(700)),
    # An investigator bound by the in-service rule (police course for serving investigators).
    Person("ivo", "home", category="investigators", joined=ago(900), owed=[(RULE_IN_SERVICE_SINCE, None)]),
    # An investigator cadet bound by the basic-training rule.
    Person("ira", "home", category="investigators", stage="basic", joined=ago(450), owed=[(RULE_BASIC_SINCE, None)]),
    # The joint cohort with the police: two prosecutors assigned the police course; one stays, one leaves the cohort.
    Person("jon", "home", category="judiciary", joined=ago(800), owed=[(COHORT_JOINED, None)]),
    Person("jul", "home", category="judiciary", joined=ago(800), owed=[(COHORT_JOINED, COHORT_LEFT)]),
    # The partner academy: a participant of the classroom session, and an officer who completed online.
    Person("zef", "partner", joined=ago(500), classroom=True),
    Person("zoe", "partner", joined=ago(500), started=ago(300), completions=[ago(280)]),
    # A partner officer who left before completing anything.
    Person("zia", "partner", joined=ago(500), left=ago(40)),
]

DATES = [TODAY, ago(60), ago(150), ago(250), ago(420), ago(700)]
COMPARED = ("enrolled", "trained", "lapsed", "in_progress", "trained_lost", "trained_classroom", "trained_online")


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10))


@pytest.fixture
def story(app):
    """The story in the database, through the platform's services where it has them."""
    with app.app_context():
        course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        old_validity, course.validity_months = course.validity_months, VALIDITY
        academies = {}
        for key, slug in (("home", "story-home"), ("partner", "story-partner")):
            academies[key] = Academy(slug=slug, name=f"Story {key} academy", country_code="AL")
            db.session.add(academies[key])
        db.session.flush()
        admin = db.session.get(User, create_test_user(email="story.admin@example.org", role="platform_admin")["id"])
        trainer = db.session.get(User, create_test_user(email="story.trainer@example.org", role="trainer",
                                                        academy="story-home")["id"])
        users = {}
        for person in STORY:
            academy = academies[person.academy]
            user = User(email=f"{person.name}@story.example.org", name=person.name.title(), password_hash="!",
                        role="trainee", country_code="AL", academy_id=academy.id, category=person.category,
                        training_stage=person.stage, language="en", created_at=_at(person.joined))
            db.session.add(user)
            db.session.flush()
            record_service(user, True, on=person.joined)
            if person.left:
                set_suspended(None, academy, user, True, on=person.left, reason="left")
            if person.started:
                first = person.completions[0] if person.completions else None
                db.session.add(CourseProgress(user_id=user.id, course_id=course.id, started_at=_at(person.started),
                                              completed_at=_at(first) if first else None))
                for index, day in enumerate(person.completions):
                    record_completion(user.id, course, _at(day), how="first" if index == 0 else "renewal")
            users[person.name] = user
        home = academies["home"]
        # Mandatory rules: the police course for investigators, in basic training and in in-service training.
        db.session.add(MandatoryCourse(academy_id=home.id, course_id=course.id, category="investigators",
                                       stage="basic", since=RULE_BASIC_SINCE, created_at=_at(RULE_BASIC_SINCE)))
        db.session.add(MandatoryCourse(academy_id=home.id, course_id=course.id, category="investigators",
                                       stage="in_service", since=RULE_IN_SERVICE_SINCE,
                                       created_at=_at(RULE_IN_SERVICE_SINCE)))
        # The joint cohort of two prosecutors, assigned the police course.
        cohort = Cohort(academy_id=home.id, name="Joint identification and referral", created_at=_at(COHORT_ASSIGNED))
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Assignment(academy_id=home.id, course_id=course.id, cohort_id=cohort.id,
                                  created_at=_at(COHORT_ASSIGNED)))
        db.session.add(CohortMembership(cohort_id=cohort.id, user_id=users["jon"].id, joined_at=_at(COHORT_JOINED)))
        db.session.add(CohortMembership(cohort_id=cohort.id, user_id=users["jul"].id, joined_at=_at(COHORT_JOINED),
                                        left_at=_at(COHORT_LEFT)))
        db.session.flush()
        # Today's classroom session (it began yesterday) with a participant of each academy.
        session = classroom.schedule(admin, home, course_id=course.id, module_ids=None, title="Police course in class",
                                     starts_on=TODAY - timedelta(days=1), ends_on=TODAY, place="Room 3",
                                     pass_mark=70, trainer_ids=[trainer.id], partner_ids=[academies["partner"].id])
        classroom.add_participants(admin, session, home, [users["eli"].email])
        classroom.add_participants(admin, session, academies["partner"], [users["zef"].email])
        completed = classroom.record(trainer, session, {users["eli"].id: classroom.Result(True, 85),
                                                        users["zef"].id: classroom.Result(True, 90)})
        assert completed == 2
        db.session.commit()
        keys = {p.name: users[p.name].record_key for p in STORY}
        _t, token = create_token("Story coordinator", country="AL")
        db.session.commit()
    yield {"keys": keys, "token": token}
    with app.app_context():
        db.session.scalar(sa.select(Course).filter_by(prong="police")).validity_months = old_validity
        db.session.commit()


def _expected(academy: str, day: date, keys: dict[str, int]) -> dict[str, tuple[int, int]]:
    """(true count, published count) per figure for the police course's row of an academy on a day."""
    out = {}
    for measure in COMPARED:
        people = [p for p in STORY if p.academy == academy and p.figures(day)[measure]]
        count = len(people)
        out[measure] = (count, disclosure.perturb(count, sum(keys[p.name] for p in people)))
    return out


def test_the_true_figures_equal_the_story(app, story):
    with app.app_context():
        for day in DATES:
            result = services.tabulate(services.Query(day, group_by=("academy", "prong")), services.Scope())
            for academy, slug in (("home", "story-home"), ("partner", "story-partner")):
                rows = [r for r in result["rows"] if r["academy"] == slug and r["prong"] == "police"]
                expected = {m: true for m, (true, _) in _expected(academy, day, story["keys"]).items()}
                got = {m: rows[0][m] for m in COMPARED} if rows else dict.fromkeys(COMPARED, 0)
                assert got == expected, (academy, day)


def test_the_story_by_hand(app, story):
    """Today's figures written out, a check on the story's own arithmetic. Home academy: ana, dea (renewed), eli
    (classroom) trained; cai lapsed; fan in progress; ben lost; enrolled are ana, cai, dea, eli, fan, gus, ivo, ira,
    jon (jul left the cohort)."""
    home = _expected("home", TODAY, story["keys"])
    assert {m: v[0] for m, v in home.items()} == {
        "enrolled": 9, "trained": 3, "lapsed": 1, "in_progress": 1, "trained_lost": 1, "trained_classroom": 1,
        "trained_online": 2}
    # Sixty days ago: dea's renewal had not happened (lapsed with cai); jul was still in the cohort; eli not yet
    # trained; fan had not joined; ben had already left (lost).
    earlier = _expected("home", ago(60), story["keys"])
    assert {m: earlier[m][0] for m in ("enrolled", "trained", "lapsed", "trained_lost")} == {
        "enrolled": 9, "trained": 1, "lapsed": 2, "trained_lost": 1}


def test_dashboard_export_and_api_publish_the_same_figures(app, story, client, monkeypatch):
    monkeypatch.setitem(app.config, "COVERAGE_MIN_CELL", 1)  # the story's groups are small: show every figure
    with app.app_context():
        create_test_user(email="story.coordinator@example.org", role="coordinator")
    assert login(client, "story.coordinator@example.org").status_code == 302
    for day in (TODAY, ago(60), ago(250)):
        expected = {a: {m: pub for m, (_, pub) in _expected(a, day, story["keys"]).items()}
                    for a in ("home", "partner")}
        # The API.
        body = client.get("/api/v1/coverage", query_string={"as_of": day.isoformat(), "group_by": "academy,prong",
                                                            "prong": "police"},
                          headers={"Authorization": f"Bearer {story['token']}"}).get_json()
        api = {r["academy"]: r for r in body["rows"]}
        for academy, slug in (("home", "story-home"), ("partner", "story-partner")):
            assert {m: api[slug][m] for m in COMPARED} == expected[academy], (academy, day)
        # The dashboard's table export (the same cells as the page).
        export = client.get(f"/coverage/export/by_academy.csv?as_of={day.isoformat()}").get_data(as_text=True)
        rows = {(r["Academy"], r["Prong"]): r for r in csv.DictReader(io.StringIO(export.lstrip("\ufeff")))}
        headers = {"enrolled": "Enrolled", "trained": "Trained", "lapsed": "Lapsed", "in_progress": "In progress",
                   "trained_lost": "Trained staff lost"}
        for academy in ("home", "partner"):
            row = rows[(f"Story {academy} academy", "Police")]
            assert {m: int(row[h]) for m, h in headers.items()} == {m: expected[academy][m] for m in headers}, \
                (academy, day)
        # The dashboard page shows the same figures.
        page = client.get(f"/coverage/?as_of={day.isoformat()}").get_data(as_text=True)
        assert "Story home academy" in page
        # The API's CSV agrees with its JSON.
        api_csv = client.get("/api/v1/coverage.csv", query_string={"as_of": day.isoformat(),
                                                                   "group_by": "academy,prong", "prong": "police"},
                             headers={"Authorization": f"Bearer {story['token']}"}).get_data(as_text=True)
        csv_rows = {r["academy"]: r for r in csv.DictReader(io.StringIO(api_csv.lstrip("\ufeff")))}
        for slug in ("story-home", "story-partner"):
            assert {m: int(csv_rows[slug][m]) for m in COMPARED} == {m: api[slug][m] for m in COMPARED}


def test_the_delivery_split_reads_the_classroom_session(app, story):
    with app.app_context():
        delivery = dict(db.session.execute(
            sa.select(User.name, CourseProgress.delivery).join(CourseProgress, CourseProgress.user_id == User.id)
            .where(User.email.like("%@story.example.org"), CourseProgress.completed_at.is_not(None))).all())
    assert delivery == {"Ana": "online", "Ben": "online", "Cai": "online", "Dea": "online", "Eli": "classroom",
                        "Zef": "classroom", "Zoe": "online"}
