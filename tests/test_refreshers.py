"""Refreshers: a course's validity period, completions that lapse, and the refresher test that renews them.

A known story is built with the dates it needs (completions written through `learning.progress.record_completion`,
service through `auth.services.record_service`); the true figures (`coverage.services.tabulate`) on many dates must
equal the ones this test computes from the story by the definitions of docs/coverage.md. Renewal is then done as a
trainee does it, through the pages, and the published figures (API, dashboard) and the academy's report checked.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import ServicePeriod, User
from app.auth.services import record_service
from app.certificates import services as certificates
from app.classroom import services as classroom
from app.coverage import services
from app.coverage.models import TargetPopulation
from app.coverage.tokens import create_token
from app.curriculum.models import Course, Module
from app.curriculum.tree import read_curriculum
from app.extensions import db
from app.foundation import disclosure
from app.learning import progress
from app.learning.models import CourseCompletion, CourseProgress, ModuleProgress, QuizAttempt
from app.utils import utcnow
from tests.conftest import csrf_from, login
from tests.factories import get_academy
from tests.quiz_helpers import answer_form, attempt_token, open_course_test

VALIDITY = 12


@pytest.fixture
def validity(app):
    """The mini police course with a validity period of VALIDITY months (content is kept between tests: restored)."""
    with app.app_context():
        course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        course.validity_months = VALIDITY
        db.session.commit()
        course_id = course.id
    yield course_id
    with app.app_context():
        db.session.get(Course, course_id).validity_months = None
        db.session.commit()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10))


def police() -> Course:
    return db.session.scalar(sa.select(Course).filter_by(prong="police"))


# --- the rule ------------------------------------------------------------------------------------


def test_months_are_added_as_calendars_count_them():
    assert progress.add_months(date(2024, 3, 1), 12) == date(2025, 3, 1)
    assert progress.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert progress.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert progress.add_months(date(2024, 11, 15), 36) == date(2027, 11, 15)


def test_a_completion_is_current_due_then_lapsed(validity, ctx):
    course = police()
    academy = Academy(slug="state", name="State academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    user = User(email="state@example.org", name="State", password_hash="!", role="trainee", country_code="AL",
                academy_id=academy.id, category="police", language="en")
    db.session.add(user)
    db.session.flush()
    progress.record_completion(user.id, course, _at(date(2025, 1, 15)), how="first")
    state = progress.refresher_state
    assert state(user, course, date(2025, 11, 15)).state == "current"   # 61 days before it lapses
    assert state(user, course, date(2025, 11, 16)).state == "due"       # 60 days before
    assert state(user, course, date(2026, 1, 14)).state == "due"
    assert state(user, course, date(2026, 1, 15)).state == "lapsed"     # the day it lapses
    assert state(user, course, date(2026, 1, 15)).valid_until == date(2026, 1, 15)


def test_course_yml_sets_the_validity_period_and_a_bad_one_names_its_line(mini_copy):
    course_yml = mini_copy / "curricula" / "police" / "course.yml"
    text = course_yml.read_text("utf-8")
    course_yml.write_text(text.replace("tests:\n", "validity_months: 24\ntests:\n", 1), "utf-8")
    tree = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    assert tree.problems == [] and tree.courses["police"].validity_months == 24
    course_yml.write_text(text.replace("tests:\n", "validity_months: 0\ntests:\n", 1), "utf-8")
    found = [str(p) for p in read_curriculum(mini_copy / "curricula", mini_copy / "assessments").problems]
    assert found == ["curricula/police/course.yml:4: field 'validity_months' must be between 1 and 240"]
    course_yml.write_text(text, "utf-8")
    assert read_curriculum(mini_copy / "curricula", mini_copy / "assessments").courses["police"].validity_months is None


def test_the_police_course_lapses_after_three_years(real_app):
    with real_app.app_context():
        assert {c.prong: c.validity_months for c in db.session.scalars(sa.select(Course))} == \
            {"police": 36, "investigators": None, "judiciary": None}


# --- the story and its true figures ---------------------------------------------------------------


@dataclass
class Officer:
    """Service (join, and the day they left if they did), when they started, and their completions as
    (day, months of validity or None)."""

    name: str
    joined: date
    left: date | None = None
    started: date | None = None
    completions: list[tuple[date, int | None]] = field(default_factory=list)

    def serving(self, d: date) -> bool:
        return self.joined <= d and (self.left is None or self.left > d)

    def completed(self, d: date) -> bool:
        return any(day <= d for day, _ in self.completions)

    def valid(self, d: date) -> bool:
        return any(day <= d and (months is None or progress.add_months(day, months) > d)
                   for day, months in self.completions)

    def expected(self, d: date) -> dict[str, int]:
        serving = self.serving(d)
        return {"enrolled": int(serving), "trained": int(serving and self.valid(d)),
                "lapsed": int(serving and self.completed(d) and not self.valid(d)),
                "in_progress": int(serving and self.started is not None and self.started <= d and not self.completed(d)),
                "trained_lost": int(self.completed(d) and not serving and self.joined <= d)}


STORY = [
    # Completes, lapses a year later, renews three months after that, lapses again.
    Officer("ana", date(2024, 1, 10), started=date(2024, 2, 1),
            completions=[(date(2024, 3, 1), VALIDITY), (date(2025, 6, 15), VALIDITY)]),
    # Completes and never renews.
    Officer("ben", date(2024, 1, 10), started=date(2024, 2, 1), completions=[(date(2024, 6, 1), VALIDITY)]),
    # Completed before the course had a validity period: that completion never lapses.
    Officer("cai", date(2024, 1, 10), started=date(2024, 1, 20), completions=[(date(2024, 2, 1), None)]),
    # Completes, leaves before it lapses: trained staff lost, never lapsed.
    Officer("dan", date(2024, 1, 10), left=date(2025, 1, 1), started=date(2024, 2, 1),
            completions=[(date(2024, 3, 1), VALIDITY)]),
    # Starts, never completes.
    Officer("eva", date(2024, 1, 10), started=date(2024, 2, 1)),
]

DATES = [date(2024, 1, 9), date(2024, 2, 1), date(2024, 2, 29), date(2024, 3, 1), date(2024, 12, 31),
         date(2025, 1, 1), date(2025, 2, 28), date(2025, 3, 1), date(2025, 5, 31), date(2025, 6, 1),
         date(2025, 6, 14), date(2025, 6, 15), date(2026, 6, 14), date(2026, 6, 15), date(2026, 12, 31)]


def build(story: list[Officer]) -> dict[str, User]:
    academy = Academy(slug="refresh", name="Refresher academy", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    course = police()
    users = {}
    for officer in story:
        user = User(email=f"{officer.name}@example.org", name=officer.name, password_hash="!", role="trainee",
                    country_code="AL", academy_id=academy.id, category="police", language="en",
                    created_at=_at(officer.joined))
        db.session.add(user)
        db.session.flush()
        record_service(user, True, on=officer.joined)
        if officer.left:
            user.active = False
            record_service(user, False, on=officer.left, reason="left")
        if officer.started:
            first = officer.completions[0][0] if officer.completions else None
            db.session.add(CourseProgress(user_id=user.id, course_id=course.id, started_at=_at(officer.started),
                                          completed_at=_at(first) if first else None))
        for number, (day, months) in enumerate(officer.completions):
            course.validity_months = months  # the course's validity as it was when this completion was made
            progress.record_completion(user.id, course, _at(day), how="renewal" if number else "first")
        course.validity_months = VALIDITY
        users[officer.name] = user
    db.session.flush()
    return users


def _expected(day: date) -> dict[str, int]:
    totals = dict.fromkeys(services.MEASURES, 0)
    for officer in STORY:
        for name, value in officer.expected(day).items():
            totals[name] += value
    totals["trained_online"] = totals["trained"]  # every completion of the story is online
    return totals


def test_true_figures_on_many_dates_equal_the_story(validity, ctx):
    build(STORY)
    for day in DATES:
        result = services.tabulate(services.Query(day, group_by=("academy", "prong")), services.Scope())
        expected = _expected(day)
        if not any(expected.values()):
            assert all(r[m] == 0 for r in result["rows"] for m in services.MEASURES), day
            continue
        (row,) = [r for r in result["rows"] if r["academy"] == "refresh"]
        assert {m: row[m] for m in services.MEASURES} == expected, day
        assert {m: result["totals"][m] for m in services.MEASURES} == expected, day


def test_a_few_dates_by_hand(validity, ctx):
    """The story's figures written out: (enrolled, trained, lapsed, in progress, trained staff lost)."""
    build(STORY)

    def figures(day):
        t = services.tabulate(services.Query(day, group_by=("academy", "prong")), services.Scope())["totals"]
        return t["enrolled"], t["trained"], t["lapsed"], t["in_progress"], t["trained_lost"]

    # 1 March 2024: ana, cai and dan completed; ben and eva in progress.
    assert figures(date(2024, 3, 1)) == (5, 3, 0, 2, 0)
    # 1 March 2025: ana's completion lapsed today; dan left on 1 January (lost, not lapsed).
    assert figures(date(2025, 3, 1)) == (4, 2, 1, 1, 1)
    # 1 June 2025: ben lapses too; cai's never does.
    assert figures(date(2025, 6, 1)) == (4, 1, 2, 1, 1)
    # 15 June 2025: ana renewed.
    assert figures(date(2025, 6, 15)) == (4, 2, 1, 1, 1)
    # 15 June 2026: ana's renewal lapsed.
    assert figures(date(2026, 6, 15)) == (4, 1, 2, 1, 1)


def test_a_trend_counts_each_month_end_as_it_was(validity, ctx):
    build(STORY)
    result = services.tabulate(services.Query(date(2025, 12, 31), group_by=("academy", "prong", "month")),
                               services.Scope())
    assert result["rows"]
    for row in result["rows"]:
        day = date.fromisoformat(row["period_end"])
        assert {m: row[m] for m in services.MEASURES} == _expected(day), day


# --- renewal through the pages ---------------------------------------------------------------------


def _lapsed_trainee(app, make_user, email="lapsed@example.org"):
    """A trainee serving since 2024 whose only completion (1 March 2024) lapsed on 1 March 2025."""
    made = make_user(email=email, country="AL")
    with app.app_context():
        db.session.execute(sa.update(ServicePeriod).where(ServicePeriod.user_id == made["id"])
                           .values(started_on=date(2024, 1, 10)))
        course = police()
        db.session.add(CourseProgress(user_id=made["id"], course_id=course.id, started_at=_at(date(2024, 2, 1)),
                                      completed_at=_at(date(2024, 3, 1))))
        progress.record_completion(made["id"], course, _at(date(2024, 3, 1)), how="first")
        made["code"] = certificates.issue(course, user=db.session.get(User, made["id"])).code
        db.session.commit()
    return made


def _take_refresher(app, client, cid, right):
    page = open_course_test(client, cid, "refresher")
    assert page.status_code == 200, page.status_code
    assert "You pass with 60% or more." in page.text  # the module quiz's pass mark
    token = attempt_token(page.text)
    response = client.post(f"/learn/courses/{cid}/refresher", data={
        "csrf_token": csrf_from(page.text), "attempt": token, **answer_form(app, token, right=right)})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).text


def _today_figures(app, day=None):
    with app.app_context():
        t = services.tabulate(services.Query(day or utcnow().date()), services.Scope())["totals"]
        return t["trained"], t["lapsed"]


def test_a_lapsed_trainee_renews_with_the_refresher_test(app, client, make_user, validity):
    made = _lapsed_trainee(app, make_user)
    past = date(2025, 6, 1)
    before = _today_figures(app, past)
    assert before == (0, 1) and _today_figures(app) == (0, 1)
    verify = client.get(f"/verify?code={made['code']}").text  # public: the training is no longer current
    assert 'id="certificate-validity" data-state="lapsed"' in verify
    login(client, made["email"])
    dashboard = client.get("/learn/").text
    assert 'data-state="lapsed"' in dashboard and "Lapsed on" in dashboard
    assert f"/learn/courses/{validity}/refresher" in dashboard

    failed = _take_refresher(app, client, validity, right=False)
    assert "Not passed" in failed and "60% is needed" in failed
    assert _today_figures(app) == (0, 1)  # a failed refresher renews nothing

    passed = _take_refresher(app, client, validity, right=True)
    assert "Passed" in passed and "Your completion is renewed" in passed
    today = utcnow().date()
    with app.app_context():
        rows = db.session.execute(sa.select(CourseCompletion.how, CourseCompletion.valid_until)
                                  .filter_by(user_id=made["id"]).order_by(CourseCompletion.completed_at)).all()
        assert [tuple(r) for r in rows] == [("first", date(2025, 3, 1)),
                                            ("renewal", progress.add_months(today, VALIDITY))]
        kinds = db.session.scalars(sa.select(QuizAttempt.kind).filter_by(user_id=made["id"])).all()
        assert set(kinds) == {"refresher"} and len(kinds) == 2
    assert _today_figures(app) == (1, 0)  # trained again from the day of renewal
    assert _today_figures(app, past) == before  # a past date is counted as it was

    dashboard = client.get("/learn/").text
    assert 'data-state="current"' in dashboard and "Valid until" in dashboard
    assert 'id="certificate-validity" data-state="current"' in client.get(f"/verify?code={made['code']}").text
    assert "The training counts until" in client.get(f"/certificates/{validity}").text
    assert f"/learn/courses/{validity}/refresher" not in dashboard
    # A current completion offers no refresher: refused with the reason, nothing recorded.
    refused = client.get(f"/learn/courses/{validity}/refresher")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/learn/")
    start = client.post(f"/learn/courses/{validity}/refresher/start", data={"csrf_token": csrf_from(dashboard)})
    assert start.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)
                                 .filter_by(user_id=made["id"])) == 2


def test_a_refresher_is_not_offered_without_a_completion_or_a_validity(app, client, make_user, validity):
    made = make_user(email="new@example.org", country="AL")
    login(client, made["email"])
    assert client.get(f"/learn/courses/{validity}/refresher").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0
        course = police()
        course.validity_months = None
        progress.record_completion(made["id"], course, _at(date(2020, 1, 1)), how="first")
        db.session.commit()
    dashboard = client.get("/learn/").text
    assert f"/courses/{validity}/refresher" not in dashboard and 'id="refresher-' not in dashboard
    assert client.get(f"/learn/courses/{validity}/refresher").status_code == 302


def test_the_refresher_opens_sixty_days_before_the_lapse(app, client, make_user, validity):
    made = make_user(email="soon@example.org", country="AL")
    with app.app_context():
        soon = progress.add_months(utcnow().date(), -VALIDITY) + timedelta(days=30)
        progress.record_completion(made["id"], police(), _at(soon), how="first")
        db.session.commit()
    login(client, made["email"])
    dashboard = client.get("/learn/").text
    assert 'data-state="due"' in dashboard and "Refresher due by" in dashboard
    page = open_course_test(client, validity, "refresher")
    assert page.status_code == 200 and 'name="attempt"' in page.text


# --- published figures and the academy's report ----------------------------------------------------


@pytest.fixture
def lapsed_world(app, validity):
    """An academy with ten trainees whose completions lapsed and six whose completions are current (on 30 June
    2026), a target, and an API token for the country."""
    with app.app_context():
        academy = Academy(slug="lapse-one", name="Lapse one", country_code="AL")
        db.session.add(academy)
        db.session.flush()
        course = police()
        groups = {}
        for tag, n, completed in (("old", 10, date(2024, 3, 1)), ("new", 6, date(2026, 3, 1))):
            made = []
            for i in range(n):
                user = User(email=f"{tag}{i}@example.org", name=f"{tag} {i}", password_hash="!", role="trainee",
                            country_code="AL", academy_id=academy.id, category="police", language="en",
                            created_at=_at(date(2024, 1, 10)))
                db.session.add(user)
                db.session.flush()
                record_service(user, True, on=date(2024, 1, 10))
                db.session.add(CourseProgress(user_id=user.id, course_id=course.id, started_at=_at(date(2024, 2, 1)),
                                              completed_at=_at(completed)))
                progress.record_completion(user.id, course, _at(completed), how="first")
                made.append(user)
            groups[tag] = made
        db.session.add(TargetPopulation(country_code="AL", academy_id=academy.id, prong="police", target=40,
                                        effective_from=date(2024, 1, 1)))
        _t, token = create_token("AL", country="AL")
        db.session.commit()
        shown = {tag: disclosure.perturb(len(users), sum(u.record_key for u in users)) for tag, users in groups.items()}
        return {"token": token, "shown": shown, "slug": academy.slug, "course_id": course.id}


def test_the_api_publishes_lapsed_under_the_cell_key_method(client, lapsed_world):
    headers = {"Authorization": f"Bearer {lapsed_world['token']}"}
    params = {"as_of": "2026-06-30", "group_by": "academy,prong"}
    body = client.get("/api/v1/coverage", query_string=params, headers=headers).json
    (row,) = [r for r in body["rows"] if r["academy"] == "lapse-one"]
    assert (row["trained"], row["lapsed"]) == (lapsed_world["shown"]["new"], lapsed_world["shown"]["old"])
    assert "lapsed" in body["totals"]
    text = client.get("/api/v1/coverage.csv", query_string=params, headers=headers).text.lstrip("\ufeff")
    (csv_row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["academy"] == "lapse-one"]
    assert int(csv_row["lapsed"]) == lapsed_world["shown"]["old"]
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert "lapsed" in schema["Row"]["required"] and "lapsed" in schema["Totals"]["required"]
    # Before anyone's completion lapsed, nobody is counted lapsed.
    early = client.get("/api/v1/coverage", query_string={**params, "as_of": "2024-12-31"}, headers=headers).json
    (row,) = [r for r in early["rows"] if r["academy"] == "lapse-one"]
    assert row["lapsed"] == 0


def test_the_dashboard_and_its_export_show_lapsed(client, make_user, lapsed_world):
    coordinator = make_user(email="coord@example.org", role="coordinator", country="AL")
    login(client, coordinator["email"])
    page = client.get("/coverage/?as_of=2026-06-30").text
    table = page[page.index('id="by-academy"'):]
    table = table[:table.index("</table>")]
    assert ">Lapsed<" in table
    number = r'\s*<td class="num">(?:<a [^>]*>)?(\d+)(?:</a>)?</td>'
    found = re.search(r'<td><a [^>]*>Lapse one</a></td>\s*<td>Police</td>' + number * 3, table)
    assert found, table
    assert (int(found.group(2)), int(found.group(3))) == (lapsed_world["shown"]["new"], lapsed_world["shown"]["old"])
    export = client.get("/coverage/export/by_academy.csv?as_of=2026-06-30")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    (line,) = [r for r in rows if "Lapse one" in r]
    assert int(line[header.index("Lapsed")]) == lapsed_world["shown"]["old"]


def test_the_academy_report_shows_and_filters_the_refresher_state(client, make_user, lapsed_world):
    admin = make_user(email="admin@example.org", role="academy_admin", country="AL", academy=lapsed_world["slug"])
    login(client, admin["email"])
    url = f"/academies/{lapsed_world['slug']}/reports?course={lapsed_world['course_id']}"
    page = client.get(url).text
    assert page.count('data-refresher="lapsed"') == 10 and page.count('data-refresher="current"') == 6
    assert "6 current, 0 with a refresher due, 10 lapsed" in page
    lapsed = client.get(url + "&refresher=lapsed").text
    assert lapsed.count('data-refresher="lapsed"') == 10 and 'data-refresher="current"' not in lapsed
    export = client.get(url + "&refresher=lapsed&format=csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(export)))
    assert len(rows) == 10 and {r["refresher"] for r in rows} == {"lapsed"}
    assert {r["valid_until"] for r in rows} == {"2025-03-01"}
    # The trainee list says it beside the course status (current completions need no word there).
    listed = client.get(f"/academies/{lapsed_world['slug']}/trainees?per_page=50").text
    assert listed.count('data-refresher="lapsed"') == 10 and 'data-refresher="current"' not in listed


def test_a_classroom_session_of_the_whole_course_renews_a_lapsed_completion(app, make_user, validity):
    with app.app_context():
        get_academy("AL", "class-one")
        db.session.commit()
    admin = make_user(email="cadmin@example.org", role="academy_admin", country="AL", academy="class-one")
    trainer = make_user(email="ctrainer@example.org", role="trainer", country="AL", academy="class-one")
    lapsed = make_user(email="clapsed@example.org", country="AL", academy="class-one")
    current = make_user(email="ccurrent@example.org", country="AL", academy="class-one")
    with app.app_context():
        course = police()
        for made, day in ((lapsed, date(2024, 3, 1)), (current, utcnow().date() - timedelta(days=30))):
            for module in db.session.scalars(sa.select(Module).filter_by(course_id=course.id, retired=False)):
                db.session.add(ModuleProgress(user_id=made["id"], module_id=module.id,
                                              module_version_id=module.current_version_id, furthest_section=2,
                                              reached_end_at=_at(day), quiz_passed_at=_at(day), completed_at=_at(day)))
            db.session.add(CourseProgress(user_id=made["id"], course_id=course.id, started_at=_at(day),
                                          completed_at=_at(day)))
            progress.record_completion(made["id"], course, _at(day), how="first")
        academy = db.session.scalar(sa.select(Academy).filter_by(slug="class-one"))
        actor = db.session.get(User, admin["id"])
        today = utcnow().date()
        session = classroom.schedule(actor, academy, course_id=course.id, module_ids=None, title="Refresher day",
                                     starts_on=today, ends_on=today, place="Room 1", pass_mark=70,
                                     trainer_ids=[trainer["id"]], partner_ids=[])
        classroom.add_participants(actor, session, academy, [lapsed["email"], current["email"]])
        results = {made["id"]: classroom.Result(True, 90) for made in (lapsed, current)}
        assert classroom.record(db.session.get(User, trainer["id"]), session, results) == 1  # the lapsed one only
        db.session.commit()
        rows = db.session.execute(sa.select(CourseCompletion.user_id, CourseCompletion.how, CourseCompletion.delivery,
                                            CourseCompletion.valid_until).where(CourseCompletion.how == "renewal")).all()
        assert [tuple(r) for r in rows] == [(lapsed["id"], "renewal", "classroom", progress.add_months(today, VALIDITY))]
        assert progress.refresher_state(db.session.get(User, lapsed["id"]), course).state == "current"
