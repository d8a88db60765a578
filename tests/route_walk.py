"""Every route of the URL map with sample arguments, and a signed-in client per role: what the sweeps of
tests/test_get_writes_nothing.py and tests/test_hostile_inputs.py walk. A route added later is walked too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import User
from app.classroom.models import ClassroomSession, SessionParticipant
from app.coverage.tokens import create_token
from app.curriculum.models import Course, Module
from app.enrolment.models import Assignment, Cohort, CohortMembership, MandatoryCourse
from app.evaluation.models import FollowUp
from app.extensions import db
from tests.conftest import login
from tests.quiz_helpers import read_all_sections

#: Every role, and a second trainee who has not started yet (for whom the pre-test is open).
ROLES = ("anonymous", "trainee", "new_trainee", "academy_admin", "coordinator", "regional_coordinator",
         "platform_admin")
#: The sections of the fixture module that the trainee reads, so that its quiz is open.
SECTIONS_OF_FIRST_MODULE = 3
#: The query parameters any route reads (request.args), so every sweep sends each of them.
QUERY_PARAMETERS = ("as_of", "group_by", "country", "academy", "prong", "format", "page", "q", "course", "cohort",
                    "status", "unit", "sort", "desc", "next", "code", "language")


#: Text path arguments that must name something real for the route's own code to run.
SAMPLE_TEXT = {"code": "AL", "fmt": "csv", "table": "by_prong"}


@dataclass
class World:
    academy: str
    module: str
    ids: dict[str, int]
    token: str
    emails: dict[str, str]


def build_world(make_user) -> World:
    """An academy with an administrator, a trainee who has started the course, a cohort, an assignment,
    a mandatory rule and an API token; one user of each staff role."""
    emails = {
        "trainee": make_user(email="walk.trainee@example.org", country="AL")["email"],
        "new_trainee": make_user(email="walk.new@example.org", country="AL")["email"],
        "academy_admin": make_user(email="walk.admin@example.org", role="academy_admin", country="AL")["email"],
        "coordinator": make_user(email="walk.coord@example.org", role="coordinator", country="AL")["email"],
        "regional_coordinator": make_user(email="walk.region@example.org", role="regional_coordinator",
                                          country="AL")["email"],
        "platform_admin": make_user(email="walk.platform@example.org", role="platform_admin", country="AL")["email"],
    }
    academy = db.session.scalar(sa.select(Academy).filter_by(slug="test-academy-al"))
    trainee = db.session.scalar(sa.select(User).filter_by(email=emails["trainee"]))
    course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
    module = db.session.scalar(sa.select(Module).filter_by(course_id=course.id).order_by(Module.position))
    cohort = Cohort(academy_id=academy.id, name="Walk cohort")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortMembership(cohort_id=cohort.id, user_id=trainee.id))
    assignment = Assignment(academy_id=academy.id, course_id=course.id, cohort_id=cohort.id,
                            due_date=date.today() + timedelta(days=30))
    rule = MandatoryCourse(academy_id=academy.id, course_id=course.id, category="police")
    db.session.add_all([assignment, rule])
    token_row, secret = create_token("walk", country="AL")
    trainer = User(email="walk.trainer@example.org", name="Walk Trainer", password_hash="!", role="trainer",
                   country_code="AL", academy_id=academy.id, language="en")
    db.session.add(trainer)
    db.session.flush()
    session = ClassroomSession(academy_id=academy.id, course_id=course.id, title="Walk session",
                               starts_on=date.today() - timedelta(days=1), ends_on=date.today(), place="Room 1",
                               partner_academy_ids=[])
    session.trainers = [trainer]
    session.participants.append(SessionParticipant(user_id=trainee.id))
    db.session.add(session)
    follow_up = FollowUp(user_id=trainee.id, course_id=course.id, completed_at=datetime(2026, 1, 10),
                         invited_on=date.today())
    db.session.add(follow_up)
    db.session.commit()
    ids = {"trainee_id": trainee.id, "cohort_id": cohort.id, "course_id": course.id, "assignment_id": assignment.id,
           "rule_id": rule.id, "token_id": token_row.id, "number": 1, "user_id": trainee.id,
           "session_id": session.id, "participant_id": session.participants[0].id,
           "follow_up_id": follow_up.id}
    return World(academy=academy.slug, module=module.slug, ids=ids, token=secret, emails=emails)


def clients(app, world: World) -> dict:
    """A client per role, signed in (anonymous: none)."""
    made = {"anonymous": app.test_client()}
    for role, email in world.emails.items():
        client = app.test_client()
        assert login(client, email).status_code == 302, role
        made[role] = client
    read_all_sections(made["trainee"], world.module, SECTIONS_OF_FIRST_MODULE)
    return made


def routes(app, methods=("GET",)):
    """Every rule of the URL map answering one of `methods`, static files aside."""
    return [rule for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            if rule.endpoint != "static" and rule.methods & set(methods)]


def sample_args(rule, world: World) -> dict:
    """Path arguments that reach the route's own code: real ids and slugs of the world."""
    args = {}
    for name, converter in rule._converters.items():
        if name in world.ids:
            args[name] = world.ids[name]
        elif name == "slug":
            by_academy = rule.endpoint.startswith(("academy.", "classroom.", "coverage.", "reminders."))
            args[name] = world.academy if by_academy else world.module
        elif name in SAMPLE_TEXT:
            args[name] = SAMPLE_TEXT[name]
        elif type(converter).__name__ == "AnyConverter":
            args[name] = "pre-test" if "pre-test" in converter.items else sorted(converter.items)[0]
        else:
            args[name] = "sample"
    return args


def build_path(app, rule, args: dict, query: dict | None = None) -> str:
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, {**args, **(query or {})}, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])


def api_headers(rule, world: World) -> dict:
    return {"Authorization": f"Bearer {world.token}"} if rule.rule.startswith("/api/") else {}
