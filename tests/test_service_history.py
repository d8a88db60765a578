"""The service history (one `ServicePeriod` per stretch of service) and coverage counted from it.

A known history is built by hand, through the services the platform uses (`auth.services.record_service`
and `academy.services.set_suspended`, with the dates of the story): officers who join, complete the course,
are suspended, return and leave. The true figures (`coverage.services.tabulate`) on many dates must equal the
ones this test computes from the story itself, by the definitions in docs/coverage.md.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from app.academy import imports
from app.academy import services as academies
from app.academy.models import Academy
from app.auth.models import ServicePeriod, User
from app.auth.services import record_service
from app.coverage import services
from app.curriculum.models import Course
from app.extensions import db
from app.foundation import disclosure
from app.learning.models import CourseProgress
from app.learning.progress import record_completion
from app.utils import utcnow


@pytest.fixture
def data(ctx):
    yield
    db.session.rollback()


@dataclass
class Officer:
    """One officer's story: service events (day, "join" | "return" | "suspend" | "leave"), course dates."""

    name: str
    events: list[tuple[date, str]]
    started: date | None = None
    completed: date | None = None
    periods: list[tuple[date, date | None]] = field(default_factory=list)

    def __post_init__(self):
        for day, what in self.events:
            if what in ("join", "return"):
                self.periods.append((day, None))
            else:
                start, _ = self.periods[-1]
                self.periods[-1] = (start, day)

    # The definitions of docs/coverage.md, computed from the story alone.
    def serving(self, d: date) -> bool:
        return any(start <= d and (end is None or end > d) for start, end in self.periods)

    def done(self, d: date) -> bool:
        return self.completed is not None and self.completed <= d

    def expected(self, d: date) -> dict[str, int]:
        serving = self.serving(d)
        began = self.started is not None and self.started <= d and not self.done(d)
        return {"enrolled": int(serving), "trained": int(serving and self.done(d)),
                "in_progress": int(serving and began),
                "trained_lost": int(self.done(d) and not serving and self.periods[0][0] <= d)}


STORY = [
    # Joins, completes, is suspended, returns, leaves.
    Officer("ana", [(date(2026, 1, 10), "join"), (date(2026, 4, 1), "suspend"), (date(2026, 6, 1), "return"),
                    (date(2026, 9, 1), "leave")], started=date(2026, 1, 20), completed=date(2026, 2, 15)),
    # Joins and completes; serves throughout.
    Officer("ben", [(date(2026, 1, 10), "join")], started=date(2026, 2, 1), completed=date(2026, 3, 1)),
    # Starts, is suspended before completing, returns; never completes.
    Officer("cai", [(date(2026, 1, 10), "join"), (date(2026, 3, 10), "suspend"), (date(2026, 5, 1), "return")],
            started=date(2026, 2, 1)),
    # Joins late, completes later.
    Officer("dan", [(date(2026, 5, 15), "join")], started=date(2026, 5, 20), completed=date(2026, 7, 1)),
    # Completes, then leaves for good: trained staff lost from the day of leaving.
    Officer("eva", [(date(2026, 1, 10), "join"), (date(2026, 2, 20), "leave")], started=date(2026, 1, 12),
            completed=date(2026, 2, 1)),
    # Completes while suspended (a classroom result recorded late), then returns.
    Officer("fil", [(date(2026, 1, 10), "join"), (date(2026, 3, 1), "suspend"), (date(2026, 4, 15), "return")],
            started=date(2026, 2, 1), completed=date(2026, 3, 20)),
    # Suspended and reactivated on the same day: never out of service.
    Officer("gus", [(date(2026, 2, 1), "join"), (date(2026, 3, 1), "suspend"), (date(2026, 3, 1), "return")]),
    # Never starts; leaves.
    Officer("hal", [(date(2026, 1, 10), "join"), (date(2026, 8, 1), "leave")]),
]

DATES = [date(2026, 1, 9), date(2026, 1, 10), date(2026, 2, 1), date(2026, 2, 15), date(2026, 2, 19),
         date(2026, 2, 20), date(2026, 3, 1), date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 20),
         date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 15), date(2026, 5, 14), date(2026, 5, 31),
         date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1), date(2026, 8, 31), date(2026, 9, 1),
         date(2026, 12, 31)]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10))


def build(story: list[Officer]) -> tuple[Academy, dict[str, User]]:
    """The story in the database, through the platform's own service functions, on the story's dates."""
    academy = Academy(slug="history", name="History academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
    users = {}
    for officer in story:
        joined = officer.events[0][0]
        user = User(email=f"{officer.name}@example.org", name=officer.name, password_hash="!", role="trainee",
                    country_code="AL", academy_id=academy.id, category="police", language="en",
                    created_at=_at(joined))
        db.session.add(user)
        db.session.flush()
        record_service(user, True, on=joined)
        for day, what in officer.events[1:]:
            if what == "return":
                academies.set_suspended(None, academy, user, False, on=day)
            else:
                academies.set_suspended(None, academy, user, True, on=day,
                                        reason="left" if what == "leave" else "suspended")
        if officer.started:
            db.session.add(CourseProgress(user_id=user.id, course_id=course.id, started_at=_at(officer.started),
                                          completed_at=_at(officer.completed) if officer.completed else None))
            if officer.completed:
                record_completion(user.id, course, _at(officer.completed), how="first")
        users[officer.name] = user
    db.session.flush()
    return academy, users


def _query(as_of: date, group_by=("academy", "prong")) -> services.Query:
    return services.Query(as_of, group_by=group_by)


def _expected(story: list[Officer], day: date) -> dict[str, int]:
    totals = dict.fromkeys(services.MEASURES, 0)
    for officer in story:
        for name, value in officer.expected(day).items():
            totals[name] += value
    totals["trained_online"] = totals["trained"]  # every completion of the story is online
    return totals


def test_periods_follow_the_story(data):
    _academy, users = build(STORY)
    for officer in STORY:
        rows = db.session.execute(sa.select(ServicePeriod.started_on, ServicePeriod.ended_on, ServicePeriod.end_reason)
                                  .filter_by(user_id=users[officer.name].id).order_by(ServicePeriod.started_on,
                                                                                      ServicePeriod.id)).all()
        assert [(s, e) for s, e, _ in rows] == officer.periods, officer.name
    ana = db.session.execute(sa.select(ServicePeriod.end_reason).filter_by(user_id=users["ana"].id)
                             .order_by(ServicePeriod.started_on)).scalars().all()
    assert ana == ["suspended", "left"]
    assert users["ana"].active is False and users["ben"].active is True


def test_figures_on_many_dates_equal_the_story(data):
    build(STORY)
    for day in DATES:
        result = services.tabulate(_query(day), services.Scope())
        expected = _expected(STORY, day)
        if not any(expected.values()):
            assert all(r[m] == 0 for r in result["rows"] for m in services.MEASURES), day
            continue
        (row,) = [r for r in result["rows"] if r["academy"] == "history"]
        assert {m: row[m] for m in services.MEASURES} == expected, day
        assert {m: result["totals"][m] for m in services.MEASURES} == expected, day


def test_a_few_dates_by_hand(data):
    """The same story, read on four dates with the figures written out (a check on the test's own arithmetic)."""
    build(STORY)

    def figures(day):
        row = services.tabulate(_query(day), services.Scope())["totals"]
        return row["enrolled"], row["trained"], row["in_progress"], row["trained_lost"]

    # 15 March: ana, ben, gus serve (cai suspended on 10 March, fil on 1 March, eva left); ana and ben trained,
    # hal never started; eva trained and lost; fil completes only on 20 March.
    assert figures(date(2026, 3, 15)) == (4, 2, 0, 1)
    # 20 April: ana suspended (trained, lost for now), fil back and trained, cai still suspended.
    assert figures(date(2026, 4, 20)) == (4, 2, 0, 2)
    # 1 June: ana returns, cai back in progress, dan in progress.
    assert figures(date(2026, 6, 1)) == (7, 3, 2, 1)
    # 31 December: ana and hal left; ben, fil, dan trained; cai in progress; gus serving.
    assert figures(date(2026, 12, 31)) == (5, 3, 1, 2)


def test_a_trend_counts_each_month_end_from_the_history(data):
    build(STORY)
    result = services.tabulate(_query(date(2026, 12, 31), ("academy", "prong", "month")), services.Scope())
    for row in result["rows"]:
        day = date.fromisoformat(row["period_end"])
        assert {m: row[m] for m in services.MEASURES} == _expected(STORY, day), day


def test_trained_staff_lost_is_published_under_the_cell_key_method(data):
    _academy, users = build(STORY)
    day = date(2026, 12, 31)
    lost = [users[o.name] for o in STORY if o.expected(day)["trained_lost"]]
    result = services.compute(_query(day), services.Scope(), threshold=1)
    assert result["totals"]["trained_lost"] == disclosure.perturb(len(lost), sum(u.record_key for u in lost))


def test_reactivation_opens_a_new_period_and_keeps_the_earlier_one(data):
    academy = Academy(slug="react", name="Reactivation academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    user = academies.create_trainee(None, academy, email="back@example.org", name="Back", category="police",
                                    unit=None, personnel_number=None, language="en", password="a long password!")
    today = utcnow().date()

    def periods():
        return db.session.execute(sa.select(ServicePeriod.started_on, ServicePeriod.ended_on, ServicePeriod.end_reason)
                                  .filter_by(user_id=user.id).order_by(ServicePeriod.id)).all()

    assert periods() == [(today, None, None)]
    academies.set_suspended(None, academy, user, True)
    assert periods() == [(today, today, "suspended")]
    academies.set_suspended(None, academy, user, False)
    assert periods() == [(today, today, "suspended"), (today, None, None)]
    academies.set_suspended(None, academy, user, False)  # already active: nothing changes
    assert len(periods()) == 2


def test_a_period_cannot_end_before_it_began_or_overlap_the_last(data):
    academy = Academy(slug="order", name="Order academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    user = User(email="order@example.org", name="Order", password_hash="!", role="trainee", country_code="AL",
                academy_id=academy.id, category="police", created_at=_at(date(2026, 3, 1)))
    db.session.add(user)
    db.session.flush()
    record_service(user, True, on=date(2026, 3, 1))
    with pytest.raises(ValueError):
        record_service(user, False, on=date(2026, 2, 1))
    record_service(user, False, on=date(2026, 5, 1), reason="left")
    with pytest.raises(ValueError):
        record_service(user, True, on=date(2026, 4, 1))
    with pytest.raises(ValueError):
        record_service(user, False, reason="retired")


def test_the_csv_import_opens_a_period_for_each_new_trainee(data):
    academy = Academy(slug="imported", name="Import academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    actor = User(email="imp.admin@example.org", name="Admin", password_hash="!", role="academy_admin",
                 country_code="AL", academy_id=academy.id)
    db.session.add(actor)
    db.session.flush()
    text = "email,name,category\none@example.org,One,police\ntwo@example.org,Two,judiciary\n"
    plan = imports.apply(actor, academy, imports.stage(actor, academy, "people.csv", text))
    assert plan.ok
    today = utcnow().date()
    opened = db.session.execute(sa.select(User.email, ServicePeriod.started_on, ServicePeriod.ended_on)
                                .join(ServicePeriod, ServicePeriod.user_id == User.id)
                                .where(User.academy_id == academy.id, User.role == "trainee")
                                .order_by(User.email)).all()
    assert opened == [("one@example.org", today, None), ("two@example.org", today, None)]


def test_the_command_line_records_leaving_and_return(app, runner, make_user):
    person = make_user(email="cli.officer@example.org")
    result = runner.invoke(args=["users", "suspend", "--email", person["email"], "--left", "--on", "2020-01-05"])
    assert result.exit_code != 0 and "before it started" in result.output  # refused; nothing changed
    result = runner.invoke(args=["users", "suspend", "--email", person["email"], "--left"])
    assert result.exit_code == 0, result.output
    assert "left the service" in result.output
    result = runner.invoke(args=["users", "reactivate", "--email", person["email"]])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(sa.select(ServicePeriod.ended_on, ServicePeriod.end_reason)
                                  .filter_by(user_id=person["id"]).order_by(ServicePeriod.id)).all()
        assert rows == [(utcnow().date(), "left"), (None, None)]
