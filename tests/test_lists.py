"""Lists an administrator works with (trainees, cohort members, audit log), bulk actions, confirmation pages,
and pages that tell the truth (assignments, overview, import through a cohort)."""

import io
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from app.academy import listing, reports
from app.academy.models import Academy
from app.audit.models import AuditEvent
from app.auth.models import User
from app.curriculum.models import Course, Module
from app.enrolment.models import Assignment, Cohort, CohortMembership, MandatoryCourse
from app.extensions import db
from app.learning import services as learning
from app.learning.models import CourseProgress, ModuleProgress
from app.learning.progress import record_completion
from tests.conftest import csrf_from, login
from tests.factories import get_academy

HEADER = "email,name,category,unit,personnel_number,language,cohort,due_date\n"


@pytest.fixture
def academies(app):
    with app.app_context():
        a = get_academy("AL", "academy-a")
        b = get_academy("RS", "academy-b")
        db.session.commit()
        return {"a": a.id, "b": b.id}


@pytest.fixture
def admin_client(app, make_user, academies):
    make_user(email="admin.a@example.org", role="academy_admin", academy="academy-a", name="Admin A")
    client = app.test_client()
    assert login(client, "admin.a@example.org").status_code == 302
    return client


def add_trainees(app, academy_id, specs):
    """Trainees from (name, category, unit, active) tuples; returns their ids in order."""
    with app.app_context():
        academy = db.session.get(Academy, academy_id)
        ids = []
        for i, (name, category, unit, active) in enumerate(specs):
            user = User(email=f"{name.lower().replace(' ', '.')}@{academy.slug}.example.org", name=name,
                        password_hash="!", role="trainee", country_code=academy.country_code, academy_id=academy.id,
                        category=category, unit=unit, active=active, personnel_number=f"PN-{academy.id}-{i:03d}",
                        language="en", last_login_at=datetime(2026, 1, 1) + timedelta(days=i) if i % 3 else None)
            db.session.add(user)
            db.session.flush()
            ids.append(user.id)
        db.session.commit()
        return ids


def names_in(html):
    return re.findall(r'<tr data-email="[^"]*">\s*<td><input type="checkbox" name="ids" value="\d+"[^>]*></td>\s*'
                      r'<td><a href="[^"]+">([^<]+)</a>', html)


def ids_in(html):
    return [int(v) for v in re.findall(r'name="ids" value="(\d+)"', html)]


def count(app, model, **filters):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**filters))


def complete(user_id, module):
    """A module completed, and with it the (one-module) course, as the learning area records both."""
    when = datetime(2026, 3, 1)
    db.session.add(ModuleProgress(user_id=user_id, module_id=module.id, module_version_id=module.current_version_id,
                                  furthest_section=2, reached_end_at=when, quiz_passed_at=when, completed_at=when))
    db.session.add(CourseProgress(user_id=user_id, course_id=module.course_id, started_at=when, completed_at=when))
    record_completion(user_id, module.course, when, how="first")


def police_course(app):
    with app.app_context():
        course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        return course.id


# --- the trainee list ---------------------------------------------------------------------------


SPECS = [(f"Trainee {i:02d}", ("police", "investigators", "judiciary")[i % 3], f"Unit {i % 4}" if i % 5 else None,
          i % 7 != 0) for i in range(60)]


def test_trainee_list_sorts_filters_and_pages_in_the_database(app, admin_client, academies):
    add_trainees(app, academies["a"], SPECS)
    add_trainees(app, academies["b"], [("Other Academy Person", "police", "Unit 0", True)])
    first = admin_client.get("/academies/academy-a/trainees?per_page=25").text
    assert names_in(first) == [f"Trainee {i:02d}" for i in range(25)]
    assert "1–25 of 60" in first
    last = admin_client.get("/academies/academy-a/trainees?per_page=25&page=3").text
    assert names_in(last) == [f"Trainee {i:02d}" for i in range(50, 60)]
    backwards = admin_client.get("/academies/academy-a/trainees?per_page=25&sort=name&desc=1").text
    assert names_in(backwards)[:3] == ["Trainee 59", "Trainee 58", "Trainee 57"]
    assert "Other Academy Person" not in first + last + backwards
    # Filters combine; the count is of the filtered list.
    page = admin_client.get("/academies/academy-a/trainees?category=investigators&status=suspended").text
    expected = [n for n, c, _u, active in SPECS if c == "investigators" and not active]
    assert names_in(page) == expected and f"of {len(expected)}" in page
    page = admin_client.get("/academies/academy-a/trainees?unit=unit+2&per_page=100").text
    assert names_in(page) == [n for n, _c, u, _a in SPECS if u == "Unit 2"]
    # Search: name, e-mail or personnel number.
    assert names_in(admin_client.get("/academies/academy-a/trainees?q=trainee+1").text) == \
        [f"Trainee {i:02d}" for i in range(10, 20)]
    with app.app_context():
        number = db.session.scalar(sa.select(User.personnel_number).filter_by(name="Trainee 42"))
    assert names_in(admin_client.get(f"/academies/academy-a/trainees?q={number}").text) == ["Trainee 42"]
    # Units sort with the empty ones last, in both directions.
    by_unit = names_in(admin_client.get("/academies/academy-a/trainees?sort=unit&per_page=100").text)
    no_unit = {n for n, _c, u, _a in SPECS if u is None}
    assert set(by_unit[-len(no_unit):]) == no_unit
    by_unit_desc = names_in(admin_client.get("/academies/academy-a/trainees?sort=unit&desc=1&per_page=100").text)
    assert set(by_unit_desc[-len(no_unit):]) == no_unit and by_unit_desc[0].startswith("Trainee")


def test_trainee_list_service_pages_never_overlap_under_any_sort(app, academies):
    add_trainees(app, academies["a"], SPECS)
    with app.app_context():
        academy = db.session.get(Academy, academies["a"])
        for sort in listing.SORTS:
            for desc in (False, True):
                seen = []
                for page in (1, 2, 3):
                    result = listing.trainee_page(academy, listing.TraineeFilters(sort=sort, desc=desc, page=page,
                                                                                  per_page=25))
                    seen += [r.id for r in result.items]
                assert len(seen) == len(set(seen)) == 60, (sort, desc)


def test_cohort_and_progress_filters_agree_with_the_report(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], [("Done", "police", None, True), ("Started", "police", None, True),
                                             ("Late", "police", None, True), ("Idle", "police", None, True),
                                             ("Judge", "judiciary", None, True)])
    done, started, late, idle, judge = ids
    course_id = police_course(app)
    with app.app_context():
        module = db.session.scalar(sa.select(Module).filter_by(course_id=course_id))
        complete(done, module)
        learning.record_section_read(db.session.get(User, started), module, 0)
        db.session.add(Assignment(academy_id=academies["a"], course_id=course_id, user_id=late,
                                  due_date=date.today() - timedelta(days=2)))
        cohort = Cohort(academy_id=academies["a"], name="Intake")
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all([CohortMembership(cohort_id=cohort.id, user_id=u) for u in (done, idle, judge)])
        db.session.commit()
        cohort_id = cohort.id
        report = {r.user_id: r.status for r in reports.course_report(academies["a"], db.session.get(Course, course_id))}
    assert report == {done: "completed", started: "in_progress", late: "overdue", idle: "not_started"}
    for status in ("completed", "in_progress", "overdue", "not_started"):
        page = admin_client.get(f"/academies/academy-a/trainees?progress={status}&course={course_id}").text
        assert set(ids_in(page)) == {u for u, s in report.items() if s == status}, status
    # Without a course: each trainee's own course (the judge has no judiciary course here: not started).
    page = admin_client.get("/academies/academy-a/trainees?progress=not_started").text
    assert set(ids_in(page)) == {idle, judge}
    page = admin_client.get(f"/academies/academy-a/trainees?cohort={cohort_id}").text
    assert set(ids_in(page)) == {done, idle, judge}
    # The list shows each one's status.
    page = admin_client.get("/academies/academy-a/trainees").text
    assert re.search(r'data-email="late@academy-a[^"]*">.*?data-progress="overdue"', page, re.S)


HOSTILE = [
    "sort=DROP%20TABLE", "sort=__class__", "page=-5", "page=abc", "page=99999999999999999999", "per_page=0",
    "per_page=100000", "per_page=x", "cohort=abc", "cohort=99999999999999999999", "cohort=-1",
    "course=123456789012345", "progress=everything", "category=%27%20OR%201=1", "status=deleted",
    "q=%25%25%25_", "q=" + "x" * 5000, "q=%00", "action=%00a", "since=%00", "desc=maybe", "unit=%00", "not_in_cohort=1e9", "page=1&page=2",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_parameters_never_give_a_500(app, admin_client, academies, query):
    add_trainees(app, academies["a"], SPECS[:5])
    for url in ("/academies/academy-a/trainees", "/academies/academy-a/audit", "/academies/academy-a/assignments"):
        response = admin_client.get(f"{url}?{query}")
        # A NUL byte is refused everywhere with a 400 and a reason (foundation/limits.py); the rest falls back.
        expected = 400 if "%00" in query else 200
        assert response.status_code == expected, (url, query, response.status_code)


def test_a_page_past_the_end_shows_the_last_page(app, admin_client, academies):
    add_trainees(app, academies["a"], SPECS[:30])
    page = admin_client.get("/academies/academy-a/trainees?per_page=25&page=40").text
    assert names_in(page) == [f"Trainee {i:02d}" for i in range(25, 30)] and "Page 2 of 2" in page


def test_search_treats_wildcards_as_text(app, admin_client, academies):
    add_trainees(app, academies["a"], [("Ana 100% Sure", "police", None, True), ("Ana Other", "police", None, True)])
    assert names_in(admin_client.get("/academies/academy-a/trainees?q=100%25").text) == ["Ana 100% Sure"]
    assert names_in(admin_client.get("/academies/academy-a/trainees?q=_").text) == []


# --- bulk actions -------------------------------------------------------------------------------


def bulk(client, data, page="/academies/academy-a/trainees"):
    token = csrf_from(client.get(page).text)
    return client.post("/academies/academy-a/trainees/bulk", data={"csrf_token": token, **data})


def test_bulk_add_to_cohort_and_assign_are_done_in_one_go_and_audited(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], SPECS[:6])
    with app.app_context():
        cohort = Cohort(academy_id=academies["a"], name="Intake 2027")
        db.session.add(cohort)
        db.session.commit()
        cohort_id = cohort.id
    response = bulk(admin_client, {"ids": ids[:4], "action": "add_to_cohort", "cohort": cohort_id,
                                   "next": "/academies/academy-a/trainees?category=police"})
    assert response.status_code == 302 and response.location.endswith("/academies/academy-a/trainees?category=police")
    page = admin_client.get(response.location).text
    assert "4 added to the cohort (0 were already members)." in page
    assert count(app, CohortMembership, cohort_id=cohort_id) == 4
    # Again with two more: only they are added.
    bulk(admin_client, {"ids": ids, "action": "add_to_cohort", "cohort": cohort_id})
    assert count(app, CohortMembership, cohort_id=cohort_id) == 6
    due = (date.today() + timedelta(days=40)).isoformat()
    course_id = police_course(app)
    response = bulk(admin_client, {"ids": ids[:3], "action": "assign_course", "course": course_id, "due_date": due})
    assert "Course assigned to 3 trainees" in admin_client.get(response.location).text
    with app.app_context():
        assigned = set(db.session.scalars(sa.select(Assignment.user_id).filter_by(course_id=course_id)))
        assert assigned == set(ids[:3])
        actions = list(db.session.scalars(sa.select(AuditEvent.action)))
        assert actions.count("cohort.join") == 6 and actions.count("assignment.create") == 3
        assert {"bulk.add_to_cohort", "bulk.assign_course"} <= set(actions)
    # An unsafe "next" is not followed.
    response = bulk(admin_client, {"ids": ids[:1], "action": "reactivate", "next": "https://evil.example/"})
    assert response.location.endswith("/academies/academy-a/trainees")


def test_bulk_action_is_all_or_nothing(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], SPECS[:3])
    others = add_trainees(app, academies["b"], [("B Person", "police", None, True)])
    course_id = police_course(app)
    before = count(app, AuditEvent)
    # One trainee of another academy among the selection: refused as a whole.
    response = bulk(admin_client, {"ids": ids + others, "action": "assign_course", "course": course_id})
    assert response.status_code == 404 and "Nothing was changed" in response.text
    response = bulk(admin_client, {"ids": ids + others, "action": "reactivate"})
    assert response.status_code == 404
    # A due date in the past is refused for the first trainee: nobody is assigned.
    response = bulk(admin_client, {"ids": ids, "action": "assign_course", "course": course_id,
                                   "due_date": (date.today() - timedelta(days=1)).isoformat()})
    assert "The due date is in the past." in admin_client.get(response.location).text
    # Without the cohort it needs, or with nothing selected, nothing happens either.
    response = bulk(admin_client, {"ids": ids, "action": "add_to_cohort"})
    assert "Choose the cohort" in admin_client.get(response.location).text
    response = bulk(admin_client, {"action": "suspend"})
    assert "Select at least one trainee." in admin_client.get(response.location).text
    assert count(app, Assignment) == 0 and count(app, CohortMembership) == 0
    assert count(app, AuditEvent) == before
    with app.app_context():
        assert all(db.session.get(User, i).active for i in ids[1:])
    # Without the CSRF token: 400.
    response = admin_client.post("/academies/academy-a/trainees/bulk", data={"ids": ids, "action": "suspend"})
    assert response.status_code == 400


def test_bulk_suspend_is_confirmed_on_a_page_first(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], [("Ana", "police", None, True), ("Besa", "police", None, True),
                                             ("Cene", "police", None, False)])
    response = bulk(admin_client, {"ids": ids, "action": "suspend"})
    assert response.status_code == 303
    confirm_url = response.location
    assert parse_qs(urlparse(confirm_url).query)["ids"] == [str(i) for i in ids]
    page = admin_client.get(confirm_url)
    assert page.status_code == 200
    assert "3 trainees will be suspended" in page.text and "Besa" in page.text
    with app.app_context():
        assert [db.session.get(User, i).active for i in ids] == [True, True, False]  # GET changed nothing
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    data = {k: v for k, v in form.items() if k != "ids"}
    data["ids"] = re.findall(r'name="ids" value="(\d+)"', page.text)
    done = admin_client.post("/academies/academy-a/trainees/bulk", data=data)
    assert done.status_code == 302
    assert "2 suspended (1 were already suspended)." in admin_client.get(done.location).text
    with app.app_context():
        assert not any(db.session.get(User, i).active for i in ids)
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).filter_by(action="trainee.suspend")) == 2
    # The confirmation page refuses someone else's trainee too.
    other = add_trainees(app, academies["b"], [("B One", "police", None, True)])
    assert admin_client.get(f"/academies/academy-a/trainees/bulk?action=suspend&ids={other[0]}").status_code == 404


# --- confirmation pages -------------------------------------------------------------------------


def confirm_and_post(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    return page, client.post(url, data={"csrf_token": csrf_from(page.text)})


def test_destructive_actions_are_confirmed_on_a_page(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], SPECS[:4])
    course_id = police_course(app)
    with app.app_context():
        cohort = Cohort(academy_id=academies["a"], name="Class A")
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all([CohortMembership(cohort_id=cohort.id, user_id=u) for u in ids[:3]])
        assignment = Assignment(academy_id=academies["a"], course_id=course_id, cohort_id=cohort.id)
        rule = MandatoryCourse(academy_id=academies["a"], course_id=course_id, category="judiciary")
        db.session.add_all([assignment, rule])
        db.session.commit()
        cohort_id, assignment_id, rule_id = cohort.id, assignment.id, rule.id
    # Suspend one trainee.
    page, done = confirm_and_post(admin_client, f"/academies/academy-a/trainees/{ids[0]}/suspend")
    assert "will no longer be able to sign in" in page.text and done.status_code == 302
    with app.app_context():
        assert db.session.get(User, ids[0]).active is False
    # Remove from a cohort.
    page = admin_client.get(f"/academies/academy-a/cohorts/{cohort_id}/members/{ids[1]}/remove")
    assert "no longer apply" in page.text
    assert count(app, CohortMembership, cohort_id=cohort_id, left_at=None) == 3
    admin_client.post(f"/academies/academy-a/cohorts/{cohort_id}/members/{ids[1]}/remove",
                      data={"csrf_token": csrf_from(page.text)})
    assert count(app, CohortMembership, cohort_id=cohort_id, left_at=None) == 2
    # Withdraw the whole cohort's assignment: the page says how many people it affects.
    page = admin_client.get(f"/academies/academy-a/assignments/{assignment_id}/withdraw")
    assert "This affects 2 trainees" in page.text
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).withdrawn_at is None
    admin_client.post(f"/academies/academy-a/assignments/{assignment_id}/withdraw",
                      data={"csrf_token": csrf_from(page.text)})
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).withdrawn_at is not None
    assert admin_client.get(f"/academies/academy-a/assignments/{assignment_id}/withdraw").status_code == 404
    # The pages that list these things link to the confirmation pages, not to one-click buttons.
    for url in ("/academies/academy-a/mandatory", f"/academies/academy-a/trainees/{ids[2]}",
                f"/academies/academy-a/cohorts/{cohort_id}", "/academies/academy-a/assignments"):
        html = admin_client.get(url).text
        assert not re.search(r'action="[^"]*/(remove|withdraw|suspend)"', html), url
    assert f'href="/academies/academy-a/mandatory/{rule_id}/remove"' in admin_client.get("/academies/academy-a/mandatory").text
    # Remove a mandatory rule.
    page = admin_client.get(f"/academies/academy-a/mandatory/{rule_id}/remove")
    judges = sum(1 for _n, c, _u, _a in SPECS[:4] if c == "judiciary")
    assert f"This affects the {judges} trainees" in page.text and count(app, MandatoryCourse) == 1
    admin_client.post(f"/academies/academy-a/mandatory/{rule_id}/remove", data={"csrf_token": csrf_from(page.text)})
    assert count(app, MandatoryCourse) == 0


def test_cohort_members_are_listed_filtered_and_removed_in_bulk(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], SPECS[:8])
    with app.app_context():
        cohort = Cohort(academy_id=academies["a"], name="Class B")
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all([CohortMembership(cohort_id=cohort.id, user_id=u) for u in ids[:5]])
        db.session.commit()
        cohort_id = cohort.id
    url = f"/academies/academy-a/cohorts/{cohort_id}"
    assert set(ids_in(admin_client.get(url).text)) == set(ids[:5])
    police = {i for i, spec in zip(ids, SPECS[:8], strict=True) if spec[1] == "police"}
    assert set(ids_in(admin_client.get(url + "?category=police").text)) == police & set(ids[:5])
    # The page to add members lists only the others, and adds the ticked ones.
    add_page = admin_client.get(url + "/add").text
    assert set(ids_in(add_page)) == set(ids[5:])
    response = admin_client.post("/academies/academy-a/trainees/bulk", data={
        "csrf_token": csrf_from(add_page), "ids": ids[5:7], "action": "add_to_cohort", "cohort": cohort_id,
        "next": url})
    assert response.location.endswith(url)
    assert count(app, CohortMembership, cohort_id=cohort_id, left_at=None) == 7
    # Removing the ticked members asks first.
    page = admin_client.get(url).text
    response = admin_client.post("/academies/academy-a/trainees/bulk", data={
        "csrf_token": csrf_from(page), "ids": ids[:2], "action": "remove_from_cohort", "cohort": cohort_id})
    assert response.status_code == 303
    confirm = admin_client.get(response.location)
    assert "2 trainees will leave the cohort Class B" in confirm.text
    assert count(app, CohortMembership, cohort_id=cohort_id, left_at=None) == 7
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', confirm.text))
    data["ids"] = re.findall(r'name="ids" value="(\d+)"', confirm.text)
    admin_client.post("/academies/academy-a/trainees/bulk", data=data)
    assert count(app, CohortMembership, cohort_id=cohort_id, left_at=None) == 5
    # The paste box still works, second to the list.
    add_page = admin_client.get(url + "/add").text
    with app.app_context():
        email = db.session.get(User, ids[7]).email
    admin_client.post(url, data={"csrf_token": csrf_from(add_page), "identifiers": email})
    assert count(app, CohortMembership, cohort_id=cohort_id, left_at=None) == 6


# --- pages that tell the truth ------------------------------------------------------------------


def test_assignments_page_shows_who_is_due_under_a_mandatory_rule(app, admin_client, academies, make_user):
    course_id = police_course(app)
    one = make_user(email="one@example.org", academy="academy-a", name="Officer One")
    two = make_user(email="two@example.org", academy="academy-a", name="Officer Two")
    make_user(email="judge@example.org", academy="academy-a", category="judiciary", name="Judge Three")
    with app.app_context():
        db.session.add(MandatoryCourse(academy_id=academies["a"], course_id=course_id, category="police",
                                       due_within_days=30))
        for uid, days_ago in ((one["id"], 40), (two["id"], 5)):
            db.session.get(User, uid).created_at = datetime.now() - timedelta(days=days_ago)
        db.session.commit()
    page = admin_client.get("/academies/academy-a/assignments").text
    assert "Nothing assigned yet" not in page
    due_table = page[page.index('id="due-table"'):]
    assert "one@example.org" in due_table and "two@example.org" in due_table and "judge@example.org" not in due_table
    assert "mandatory-course rule" in due_table
    overdue_row = re.search(r'data-email="one@example.org">.*?</tr>', due_table, re.S).group(0)
    assert "overdue" in overdue_row
    obligations = re.search(rf'<tr data-course="{course_id}">.*?</tr>', page, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", obligations, re.S)
    assert cells[1:3] == ["2", "2"]  # two police trainees take it, both with a due date
    assert '<td class="overdue">1</td>' in obligations
    # Only the overdue: the one past the date.
    overdue = admin_client.get("/academies/academy-a/assignments?overdue=1").text
    assert "one@example.org" in overdue and "two@example.org" not in overdue


def test_overview_shows_progress_and_overdue_as_the_report_counts_them(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], SPECS[:9])
    course_id = police_course(app)
    with app.app_context():
        module = db.session.scalar(sa.select(Module).filter_by(course_id=course_id))
        police = [i for i, spec in zip(ids, SPECS[:9], strict=True) if spec[1] == "police"]
        complete(police[0], module)
        learning.record_section_read(db.session.get(User, police[2]), module, 0)
        db.session.add(Assignment(academy_id=academies["a"], course_id=course_id, user_id=police[1],
                                  due_date=date.today() - timedelta(days=1)))
        db.session.add(Assignment(academy_id=academies["a"], course_id=course_id, user_id=ids[1],
                                  due_date=date.today() - timedelta(days=1)))
        db.session.commit()
        expected = reports.summary(reports.course_report(academies["a"], db.session.get(Course, course_id)))
    page = admin_client.get("/academies/academy-a/").text
    row = re.search(rf'<tr data-course="{course_id}">.*?</tr>', page, re.S).group(0)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[:4] == [str(expected[k]) for k in ("total", "completed", "in_progress", "not_started")]
    assert f">{expected['overdue']}</a>" in row and expected["overdue"] == 2
    assert "2 trainees overdue on at least one course" in page


def upload(client, text):
    token = csrf_from(client.get("/academies/academy-a/import").text)
    preview = client.post("/academies/academy-a/import", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), "t.csv")}, content_type="multipart/form-data")
    return preview


def confirm(client, preview):
    action = re.search(r'action="(/academies/[^"]+/confirm)"', preview.text).group(1)
    return client.post(action, data={"csrf_token": csrf_from(preview.text)})


def test_import_with_a_cohort_column_assigns_through_the_cohort(app, admin_client, academies):
    due = (date.today() + timedelta(days=90)).isoformat()
    rows = "".join(f"cadet{i}@example.org,Cadet {i},police,North,,sq,Intake 2027,{due}\n" for i in range(5))
    preview = upload(admin_client, HEADER + rows)
    assert preview.status_code == 200
    assert "Cohort Intake 2027: the Police course will be assigned to the cohort" in preview.text
    assert confirm(admin_client, preview).status_code == 302
    with app.app_context():
        cohort_id = db.session.scalar(sa.select(Cohort.id).filter_by(name="Intake 2027"))
        assignments = list(db.session.scalars(sa.select(Assignment)))
        assert [(a.cohort_id, a.user_id, a.due_date.isoformat()) for a in assignments] == [(cohort_id, None, due)]
        assert db.session.scalar(sa.select(sa.func.count(CohortMembership.id)).filter_by(cohort_id=cohort_id)) == 5
        from app.enrolment.rules import entitlements_for

        cadet = db.session.scalar(sa.select(User).filter_by(email="cadet3@example.org"))
        assert [(e.due_date.isoformat(), sorted(e.sources)) for e in entitlements_for(cadet)] == \
            [(due, ["category", "cohort"])]
    # The same file again adds nothing.
    again = upload(admin_client, HEADER + rows)
    assert "already assigned the Police course" in again.text
    confirm(admin_client, again)
    assert count(app, Assignment) == 1


def test_import_keeps_personal_due_dates_where_the_cohort_is_not_the_files_alone(app, admin_client, academies):
    due = (date.today() + timedelta(days=90)).isoformat()
    other = (date.today() + timedelta(days=120)).isoformat()
    # One cohort with two due dates, and one whose member outside the file must not be given a due date.
    ids = add_trainees(app, academies["a"], [("Old Member", "police", None, True)])
    with app.app_context():
        cohort = Cohort(academy_id=academies["a"], name="Existing")
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMembership(cohort_id=cohort.id, user_id=ids[0]))
        db.session.commit()
    text = HEADER + (f"a1@example.org,A One,police,,,,Mixed,{due}\n"
                     f"a2@example.org,A Two,police,,,,Mixed,{other}\n"
                     f"e1@example.org,E One,police,,,,Existing,{due}\n")
    preview = upload(admin_client, text)
    assert "will be assigned to the cohort" not in preview.text
    confirm(admin_client, preview)
    with app.app_context():
        assigned = set(db.session.execute(sa.select(Assignment.user_id, Assignment.cohort_id)).all())
        emails = dict(db.session.execute(sa.select(User.id, User.email)).all())
        assert {(emails[u], c) for u, c in assigned} == {("a1@example.org", None), ("a2@example.org", None),
                                                         ("e1@example.org", None)}


# --- the audit log ------------------------------------------------------------------------------


def test_audit_log_filters_by_actor_action_dates_and_text_and_pages(app, client, make_user, academies):
    make_user(email="root@example.org", role="platform_admin", name="Root Admin")
    admin = make_user(email="admin.a@example.org", role="academy_admin", academy="academy-a", name="Admin A")
    with app.app_context():
        for i in range(60):
            db.session.add(AuditEvent(academy_id=academies["a"] if i % 2 else academies["b"],
                                      actor_id=admin["id"] if i % 3 == 0 else None,
                                      action="trainee.suspend" if i % 4 == 0 else "cohort.join", target_type="user",
                                      summary=f"Event number {i:02d}", created_at=datetime(2026, 5, 1) + timedelta(days=i)))
        db.session.commit()
    login(client, "root@example.org")
    page = client.get("/audit?per_page=25").text
    assert "1–25 of 60" in page and "Event number 59" in page and "Event number 34" not in page
    assert "Event number 34" in client.get("/audit?per_page=25&page=2").text
    page = client.get(f"/audit?actor={admin['id']}&per_page=100").text
    assert len(re.findall(r"Event number", page)) == 20
    page = client.get("/audit?action=trainee&per_page=100").text
    assert len(re.findall(r"Event number", page)) == 15
    page = client.get("/audit?since=2026-05-11&until=2026-05-20&per_page=100").text
    assert sorted(re.findall(r"Event number (\d+)", page)) == [f"{i:02d}" for i in range(10, 20)]
    page = client.get("/audit?q=number+07").text
    assert re.findall(r"Event number (\d+)", page) == ["07"]
    # The academy's own page shows only its events, with the same filters.
    academy_admin = app.test_client()
    login(academy_admin, "admin.a@example.org")
    page = academy_admin.get("/academies/academy-a/audit?action=cohort.join&per_page=100").text
    numbers = [int(n) for n in re.findall(r"Event number (\d+)", page)]
    assert numbers and all(n % 2 == 1 and n % 4 != 0 for n in numbers)
    assert len(numbers) == sum(1 for i in range(60) if i % 2 == 1)


def test_hostile_bulk_addresses_are_refused_with_a_reason_not_a_500(app, admin_client, academies):
    ids = add_trainees(app, academies["a"], SPECS[:2])
    for query, status in (("action=drop", 400), ("", 400), ("action=suspend", 400), ("action=suspend&ids=abc", 400),
                          (f"action=suspend&ids={ids[0]}&cohort=999999", 404),
                          (f"action=remove_from_cohort&ids={ids[0]}", 400),
                          (f"action=suspend&ids={ids[0]}&next=//evil.example", 200)):
        response = admin_client.get(f"/academies/academy-a/trainees/bulk?{query}")
        assert response.status_code == status, (query, response.status_code)
    page = admin_client.get(f"/academies/academy-a/trainees/bulk?action=suspend&ids={ids[0]}&next=//evil.example")
    # Nothing on the page leads there (the language switcher keeps this page's own address to come back to).
    assert not re.search(r'(href|action)="[^"]*evil\.example', page.text)
    assert 'value="//evil.example"' not in page.text
    token = csrf_from(admin_client.get("/academies/academy-a/trainees").text)
    response = admin_client.post("/academies/academy-a/trainees/bulk", data={
        "csrf_token": token, "ids": ["1e9", "x"], "action": "reactivate"})
    assert response.status_code == 302
    with app.app_context():
        assert [db.session.get(User, i).active for i in ids] == [spec[3] for spec in SPECS[:2]] == [False, True]


def test_bulk_invitation_reaches_those_without_a_password(app, client, make_user, smtp):
    """'Send an invitation' on a selection: one e-mail each to those who have not set a password."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.extensions import db
    from tests.conftest import csrf_from, login
    from tests.factories import get_academy

    with app.app_context():
        get_academy("AL", "academy-inv")
        db.session.commit()
    make_user(email="aa.inv@example.org", role="academy_admin", academy="academy-inv")
    using = make_user(email="using@example.org", academy="academy-inv")
    fresh = make_user(email="fresh@example.org", academy="academy-inv")
    with app.app_context():
        db.session.get(User, fresh["id"]).password_hash = "!"
        db.session.commit()
    login(client, "aa.inv@example.org")
    page = client.get("/academies/academy-inv/trainees").text
    assert 'value="invite"' in page
    response = client.post("/academies/academy-inv/trainees/bulk", data={
        "csrf_token": csrf_from(page), "action": "invite", "ids": [str(using["id"]), str(fresh["id"])]},
        follow_redirects=True)
    assert response.status_code == 200 and "1 invitations sent" in response.text
    assert [m["To"] for m in smtp.wait_for(1)] == ["fresh@example.org"]
    with app.app_context():
        assert db.session.scalar(sa.select(User.password_hash).filter_by(email="using@example.org")) != "!"
