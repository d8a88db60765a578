"""Figures per course count who must take it on the date: the service category's course, direct and cohort
assignments of the whole course (while they apply) and the academy's mandatory-course rules (from their creation),
each person once per course however many reasons they have (`enrolment.rules.obligation_rows`)."""

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import User
from app.auth.services import record_service
from app.coverage import services
from app.curriculum.models import Course
from app.enrolment.models import Assignment, Cohort, CohortMembership, MandatoryCourse
from app.extensions import db
from app.foundation import disclosure
from app.learning.models import CourseProgress
from app.learning.progress import record_completion


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9))


@pytest.fixture
def world(ctx):
    academy = Academy(slug="joint", name="Joint academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    judiciary = Course(prong="judiciary", title="Judiciary", description="")
    db.session.add(judiciary)
    db.session.flush()
    police = db.session.scalar(sa.select(Course).filter_by(prong="police"))
    people = {}
    for name, category in (("iva", "investigators"), ("kai", "investigators"), ("max", "investigators"),
                           ("pol", "police"), ("pia", "police")):
        user = User(email=f"{name}@example.org", name=name, password_hash="!", role="trainee", country_code="AL",
                    academy_id=academy.id, category=category, language="en", created_at=_at(date(2026, 1, 1)))
        db.session.add(user)
        db.session.flush()
        record_service(user, True, on=date(2026, 1, 1))
        people[name] = user
    # iva: assigned the judiciary course on 1 March, completes it on 1 April.
    db.session.add(Assignment(academy_id=academy.id, course_id=judiciary.id, user_id=people["iva"].id,
                              created_at=_at(date(2026, 3, 1))))
    db.session.add(CourseProgress(user_id=people["iva"].id, course_id=judiciary.id, started_at=_at(date(2026, 3, 5)),
                                  completed_at=_at(date(2026, 4, 1))))
    record_completion(people["iva"].id, judiciary, _at(date(2026, 4, 1)), how="first")
    # max: assigned on 1 February, withdrawn on 1 May.
    db.session.add(Assignment(academy_id=academy.id, course_id=judiciary.id, user_id=people["max"].id,
                              created_at=_at(date(2026, 2, 1)), withdrawn_at=_at(date(2026, 5, 1))))
    # kai: in a joint cohort from 1 February to 1 June; the cohort was assigned the course on 15 January.
    cohort = Cohort(academy_id=academy.id, name="Joint cohort")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortMembership(cohort_id=cohort.id, user_id=people["kai"].id, joined_at=_at(date(2026, 2, 1)),
                                    left_at=_at(date(2026, 6, 1))))
    db.session.add(Assignment(academy_id=academy.id, course_id=judiciary.id, cohort_id=cohort.id,
                              created_at=_at(date(2026, 1, 15))))
    # From 1 July every investigator of the academy must take the judiciary course.
    db.session.add(MandatoryCourse(academy_id=academy.id, course_id=judiciary.id, category="investigators",
                                   since=date(2026, 7, 1), created_at=_at(date(2026, 7, 1))))
    # A rule that repeats what the category already owes: the police officers are counted once.
    db.session.add(MandatoryCourse(academy_id=academy.id, course_id=police.id, category="police",
                                   since=date(2026, 1, 1), created_at=_at(date(2026, 1, 1))))
    db.session.flush()
    return people


def _figures(day: date, prong: str) -> dict[str, int]:
    result = services.tabulate(services.Query(day, group_by=("academy", "prong")), services.Scope())
    rows = [r for r in result["rows"] if r["academy"] == "joint" and r["prong"] == prong]
    return {m: rows[0][m] for m in ("enrolled", "trained", "in_progress")} if rows else {}


@pytest.mark.parametrize(("day", "enrolled", "trained", "in_progress"), [
    (date(2026, 1, 20), 0, 0, 0),   # the cohort's assignment exists, kai joins the cohort only on 1 February
    (date(2026, 2, 15), 2, 0, 0),   # kai (cohort), max (direct)
    (date(2026, 3, 10), 3, 0, 1),   # and iva, started on 5 March
    (date(2026, 4, 15), 3, 1, 0),   # iva trained
    (date(2026, 5, 15), 2, 1, 0),   # max's assignment withdrawn on 1 May
    (date(2026, 6, 15), 1, 1, 0),   # kai left the cohort on 1 June
    (date(2026, 7, 15), 3, 1, 0),   # the mandatory rule brings every investigator back
])
def test_a_course_counts_who_must_take_it_on_the_day(world, day, enrolled, trained, in_progress):
    expected = {"enrolled": enrolled, "trained": trained, "in_progress": in_progress}
    assert (_figures(day, "judiciary") or dict.fromkeys(expected, 0)) == expected


def test_a_person_owed_a_course_for_two_reasons_is_counted_once(world):
    assert _figures(date(2026, 3, 10), "police")["enrolled"] == 2
    # Their own category's course still counts the investigators, whatever else they must take.
    assert _figures(date(2026, 3, 10), "investigators")["enrolled"] == 3


def test_the_published_figure_is_the_cell_key_of_the_people_owed_the_course(world):
    day = date(2026, 7, 15)
    result = services.compute(services.Query(day, group_by=("academy", "prong")), services.Scope(), threshold=1)
    (row,) = [r for r in result["rows"] if r["academy"] == "joint" and r["prong"] == "judiciary"]
    owed = [world[name] for name in ("iva", "kai", "max")]
    assert row["enrolled"] == disclosure.perturb(3, sum(u.record_key for u in owed))
    assert row["trained"] == disclosure.perturb(1, world["iva"].record_key)
