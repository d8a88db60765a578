"""Academy administration: scoping, trainees, import, cohorts, assignments, reports, certificates, audit."""

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.audit.models import AuditEvent
from app.auth.models import User
from app.certificates.models import Certificate
from app.curriculum.models import Course, Module
from app.enrolment.models import Assignment, Cohort, CohortMembership
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.factories import get_academy
from tests.quiz_helpers import answer_form, attempt_token, open_quiz, read_all_sections, submit

SLUG = "police-01-basics"
HEADER = "email,name,category,unit,personnel_number,language,cohort,due_date\n"


@pytest.fixture
def academies(app):
    with app.app_context():
        a = get_academy("AL", "academy-a")
        b = get_academy("RS", "academy-b")
        db.session.commit()
        return {"a": a.slug, "b": b.slug}


@pytest.fixture
def admin_client(app, make_user, academies):
    make_user(email="admin.a@example.org", role="academy_admin", academy="academy-a")
    client = app.test_client()
    assert login(client, "admin.a@example.org").status_code == 302
    return client


def post(client, url, data=None, page_url=None):
    token = csrf_from(client.get(page_url or url).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def upload(client, slug, text, filename="trainees.csv", encoding="utf-8"):
    token = csrf_from(client.get(f"/academies/{slug}/import").text)
    return client.post(f"/academies/{slug}/import", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode(encoding)), filename)},
        content_type="multipart/form-data")


def confirm_url(html):
    import re

    match = re.search(r'action="(/academies/[^"]+/confirm)"', html)
    assert match, "no confirm form"
    return match.group(1)


def count(app, model, **filters):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**filters))


# --- scoping ------------------------------------------------------------------------------------


def test_admin_cannot_see_or_change_another_academys_records(app, admin_client, make_user):
    other = make_user(email="b.trainee@example.org", country="RS", academy="academy-b")
    with app.app_context():
        cohort = Cohort(academy_id=db.session.scalar(sa.select(Academy.id).filter_by(slug="academy-b")), name="B intake")
        db.session.add(cohort)
        db.session.commit()
        cohort_id = cohort.id
    for url in ("/academies/academy-b/", "/academies/academy-b/trainees", f"/academies/academy-b/trainees/{other['id']}",
                f"/academies/academy-b/cohorts/{cohort_id}", "/academies/academy-b/reports",
                "/academies/academy-b/audit", "/academies/academy-b/import",
                f"/academies/academy-a/trainees/{other['id']}", f"/academies/academy-a/cohorts/{cohort_id}"):
        assert admin_client.get(url).status_code == 404, url
    token = csrf_from(admin_client.get("/academies/academy-a/").text)
    for url in (f"/academies/academy-b/trainees/{other['id']}/suspend", f"/academies/academy-a/trainees/{other['id']}/suspend"):
        assert admin_client.post(url, data={"csrf_token": token}).status_code == 404
    response = admin_client.post(f"/academies/academy-a/cohorts/{cohort_id}", data={
        "csrf_token": token, "identifiers": "b.trainee@example.org"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(User, other["id"]).active is True
        assert db.session.scalar(sa.select(sa.func.count(CohortMembership.id))) == 0


def test_trainees_cannot_reach_any_admin_page(app, trainee_client, academies):
    for url in ("/academies/", "/academies/academy-a/", "/academies/academy-a/trainees",
                "/academies/academy-a/import", "/academies/academy-a/cohorts", "/academies/academy-a/assignments",
                "/academies/academy-a/mandatory", "/academies/academy-a/reports", "/academies/academy-a/audit",
                "/audit", "/curriculum/"):
        assert trainee_client.get(url).status_code == 403, url


def test_state_changes_need_csrf(app, admin_client, make_user):
    person = make_user(email="t1@example.org", academy="academy-a")
    response = admin_client.post(f"/academies/academy-a/trainees/{person['id']}/suspend")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, person["id"]).active


def test_platform_admin_creates_academies_and_academy_admin_cannot(app, client, make_user, academies):
    make_user(email="root@example.org", role="platform_admin")
    login(client, "root@example.org")
    response = post(client, "/academies/", {"name": "Border Police Training Centre (test)", "slug": "bptc",
                                            "country": "AL", "kind": "border_police_centre"})
    assert response.status_code == 302
    assert count(app, Academy, slug="bptc") == 1
    admin = app.test_client()
    make_user(email="admin.x@example.org", role="academy_admin", academy="academy-a")
    login(admin, "admin.x@example.org")
    token = csrf_from(admin.get("/academies/academy-a/").text)
    assert admin.post("/academies/", data={"csrf_token": token, "name": "X", "slug": "x", "country": "AL",
                                           "kind": "other"}).status_code == 403
    assert count(app, Academy, slug="x") == 0


# --- trainees -----------------------------------------------------------------------------------


def test_create_edit_suspend_and_reactivate_keeps_history(app, admin_client):
    response = post(admin_client, "/academies/academy-a/trainees/new", {
        "name": "Ana Officer", "email": "ana@example.org", "category": "police", "unit": "North",
        "personnel_number": "P-1", "language": "sq"})
    assert response.status_code == 302
    with app.app_context():
        ana = db.session.scalar(sa.select(User).filter_by(email="ana@example.org"))
        ana_id = ana.id
        assert (ana.unit, ana.personnel_number, ana.country_code) == ("North", "P-1", "AL")
    # The same personnel number for someone else is refused.
    response = post(admin_client, "/academies/academy-a/trainees/new", {
        "name": "Other", "email": "other@example.org", "category": "police", "personnel_number": "P-1",
        "language": "sq"})
    assert "already used by another trainee" in response.text
    assert count(app, User, email="other@example.org") == 0
    # History, then suspension: the history stays and the account cannot sign in.
    with app.app_context():
        from app.learning import services as learning

        user = db.session.get(User, ana_id)
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        learning.record_section_read(user, module, 0)
        db.session.commit()
    post(admin_client, f"/academies/academy-a/trainees/{ana_id}/suspend", page_url=f"/academies/academy-a/trainees/{ana_id}")
    page = admin_client.get(f"/academies/academy-a/trainees/{ana_id}").text
    assert "suspended since" in page and "1 / 3" in page
    post(admin_client, f"/academies/academy-a/trainees/{ana_id}/reactivate", page_url=f"/academies/academy-a/trainees/{ana_id}")
    with app.app_context():
        assert db.session.get(User, ana_id).active
        actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions[-3:] == ["trainee.create", "trainee.suspend", "trainee.reactivate"][-3:] or \
            {"trainee.create", "trainee.suspend", "trainee.reactivate"} <= set(actions)


def test_sign_in_link_sets_a_password_once(app, admin_client):
    post(admin_client, "/academies/academy-a/trainees/new", {
        "name": "New One", "email": "new.one@example.org", "category": "police", "language": "en"})
    with app.app_context():
        uid = db.session.scalar(sa.select(User.id).filter_by(email="new.one@example.org"))
    trainee = app.test_client()
    assert login(trainee, "new.one@example.org", "").status_code == 200  # no password yet
    page = post(admin_client, f"/academies/academy-a/trainees/{uid}/sign-in-link",
                page_url=f"/academies/academy-a/trainees/{uid}").text
    import re

    link = re.search(r'value="http://[^/]+(/set-password/[^"]+)"', page).group(1)
    form = trainee.get(link)
    assert form.status_code == 200
    done = trainee.post(link, data={"csrf_token": csrf_from(form.text), "password": "my new password",
                                    "confirm": "my new password"})
    assert done.status_code == 302 and "Sign out" in trainee.get("/", follow_redirects=True).text  # signed in
    assert login(app.test_client(), "new.one@example.org", "my new password").status_code == 302
    assert trainee.get(link).status_code == 404  # used once
    # Now that the account has a password, no printable link can be made: it would take the account over.
    refused = post(admin_client, f"/academies/academy-a/trainees/{uid}/sign-in-link",
                   page_url=f"/academies/academy-a/trainees/{uid}")
    assert refused.status_code == 302 and "/set-password/" not in refused.text
    assert "has already set a password" in admin_client.get(f"/academies/academy-a/trainees/{uid}").text


# --- import -------------------------------------------------------------------------------------


def test_import_rejects_the_whole_file_and_names_every_bad_row(app, admin_client):
    text = HEADER + (
        "ok.one@example.org,OK One,police,North,P-10,sq,,\n"
        ",No Email,police,,,,,\n"
        "bad.cat@example.org,Bad Category,firefighter,,,,,\n"
        "ok.one@example.org,Duplicate,police,,,,,\n"
        "bad.date@example.org,Bad Date,police,,,,,2027-13-45\n"
        "num.dup@example.org,Number Dup,police,,P-10,,,\n"
    )
    response = upload(admin_client, "academy-a", text)
    assert response.status_code == 422
    page = response.text
    assert "Line 3: e-mail is missing" in page
    assert "Line 4: unknown category &#39;firefighter&#39;" in page
    assert "Line 5: e-mail ok.one@example.org appears twice in the file (also line 2)" in page
    assert "Line 6: due date &#39;2027-13-45&#39; is not a date in the form YYYY-MM-DD" in page
    assert "Line 7: personnel number P-10 appears twice in the file (also line 2)" in page
    assert "Confirm the import" not in page
    assert count(app, User, email="ok.one@example.org") == 0


def test_import_with_bom_and_semicolons_previews_then_confirms_and_is_idempotent(app, admin_client):
    due = (date.today() + timedelta(days=60)).isoformat()
    text = "\ufeff" + HEADER.replace(",", ";") + (
        f"one@example.org;Officer One;police;North;P-1;sq;Intake 1;{due}\n"
        "two@example.org;Officer Two;investigator;South;P-2;en;Intake 1;\n"
    )
    preview = upload(admin_client, "academy-a", text)
    assert preview.status_code == 200 and "2 new, 0 to update, 0 unchanged." in preview.text
    assert count(app, User, email="one@example.org") == 0  # preview writes no trainee
    confirm = admin_client.post(confirm_url(preview.text), data={"csrf_token": csrf_from(preview.text)})
    assert confirm.status_code == 302
    with app.app_context():
        one = db.session.scalar(sa.select(User).filter_by(email="one@example.org"))
        two = db.session.scalar(sa.select(User).filter_by(email="two@example.org"))
        assert (one.category, one.unit, one.personnel_number, one.language) == ("police", "North", "P-1", "sq")
        assert two.category == "investigators"
        assert db.session.scalar(sa.select(sa.func.count(CohortMembership.id))) == 2
        assignment = db.session.scalar(sa.select(Assignment).filter_by(user_id=one.id))
        assert assignment.due_date.isoformat() == due
    # Confirming the same preview twice does nothing more.
    again = admin_client.post(confirm_url(preview.text), data={"csrf_token": csrf_from(preview.text)})
    assert again.status_code == 302
    # Importing the same file again creates no duplicates.
    second = upload(admin_client, "academy-a", text)
    assert "0 new, 0 to update, 2 unchanged." in second.text
    admin_client.post(confirm_url(second.text), data={"csrf_token": csrf_from(second.text)})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).filter(User.email.in_(["one@example.org", "two@example.org"]))) == 2
        assert db.session.scalar(sa.select(sa.func.count(CohortMembership.id))) == 2
        assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == 1


def test_import_refuses_an_email_of_another_academy_and_non_utf8(app, admin_client, make_user):
    make_user(email="taken@example.org", country="RS", academy="academy-b")
    response = upload(admin_client, "academy-a", HEADER + "taken@example.org,Someone,police,,,,,\n")
    assert "Line 2: e-mail taken@example.org cannot be used for a trainee of this academy" in response.text
    response = upload(admin_client, "academy-a", HEADER + "é@example.org,Čedomir,police,,,,,\n", encoding="cp1250")
    assert response.status_code == 400 and "not UTF-8" in response.text


def test_import_header_errors_and_template(app, admin_client):
    response = upload(admin_client, "academy-a", "mail,fullname\nx@example.org,X\n")
    assert "Line 1: Header: missing column(s): email, name, category; unknown column(s): mail, fullname" in response.text
    template = admin_client.get("/academies/academy-a/import/template.csv")
    assert template.status_code == 200 and template.text.startswith("email,name,category")


# --- cohorts, assignments, mandatory ------------------------------------------------------------


def dashboard_courses(client):
    return client.get("/learn/").text


def test_cohort_assignment_covers_later_joiners_and_leaving_keeps_completion(app, admin_client, make_user):
    judge = make_user(email="judge.x@example.org", category="judiciary", academy="academy-a")
    judge_client = app.test_client()
    login(judge_client, judge["email"])
    assert "Test police course" not in dashboard_courses(judge_client)
    post(admin_client, "/academies/academy-a/cohorts", {"name": "Mixed class"})
    with app.app_context():
        cohort_id = db.session.scalar(sa.select(Cohort.id).filter_by(name="Mixed class"))
        course_id = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
    due = (date.today() + timedelta(days=30)).isoformat()
    response = post(admin_client, "/academies/academy-a/assignments",
                    {"course": course_id, "module": 0, "cohort": cohort_id, "trainee": "", "due_date": due})
    assert response.status_code == 302
    # The judge joins after the assignment was made and is covered.
    post(admin_client, f"/academies/academy-a/cohorts/{cohort_id}", {"identifiers": "judge.x@example.org"})
    page = dashboard_courses(judge_client)
    assert "Test police course" in page and f"Due by {due}" in page
    read_all_sections(judge_client, SLUG, 3)
    quiz = open_quiz(judge_client, SLUG).text
    token = attempt_token(quiz)
    submit(judge_client, SLUG, token, csrf_from(quiz), answer_form(app, token, right=True))
    post(admin_client, f"/academies/academy-a/cohorts/{cohort_id}/members/{judge['id']}/remove",
         page_url=f"/academies/academy-a/cohorts/{cohort_id}")
    assert "Test police course" not in dashboard_courses(judge_client)
    history = admin_client.get(f"/academies/academy-a/trainees/{judge['id']}").text
    assert "left " in history and "3 / 3" in history
    with app.app_context():
        assert db.session.scalar(sa.select(Certificate.course_title).filter_by(user_id=judge["id"])) == "Test police course"


def test_mandatory_rule_covers_every_new_trainee_of_the_category(app, admin_client, make_user):
    with app.app_context():
        course_id = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
    post(admin_client, "/academies/academy-a/mandatory", {"course": course_id, "category": "investigators",
                                                          "due_within_days": "90"})
    newcomer = make_user(email="inv.new@example.org", category="investigators", academy="academy-a")
    client = app.test_client()
    login(client, newcomer["email"])
    expected = (date.today() + timedelta(days=90)).isoformat()
    page = client.get("/learn/").text
    assert "Test police course" in page and f"Due by {expected}" in page
    # A trainee of another academy is not covered.
    outsider = make_user(email="inv.b@example.org", country="RS", category="investigators", academy="academy-b")
    other = app.test_client()
    login(other, outsider["email"])
    assert "Test police course" not in other.get("/learn/").text


def test_assignment_of_a_due_date_in_the_past_is_refused(app, admin_client, make_user):
    make_user(email="p1@example.org", academy="academy-a")
    with app.app_context():
        course_id = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
    response = post(admin_client, "/academies/academy-a/assignments", {
        "course": course_id, "module": 0, "cohort": 0, "trainee": "p1@example.org",
        "due_date": (date.today() - timedelta(days=1)).isoformat()})
    assert "The due date is in the past." in response.text
    assert count(app, Assignment) == 0


# --- reports ------------------------------------------------------------------------------------


def test_report_statuses_filters_and_exports(app, admin_client, make_user):
    done = make_user(email="done@example.org", academy="academy-a", name="Done Person")
    started = make_user(email="started@example.org", academy="academy-a", name="Started Person")
    late = make_user(email="late@example.org", academy="academy-a", name="=Late Person")
    make_user(email="idle@example.org", academy="academy-a", name="Idle Person")
    with app.app_context():
        from app.learning import services as learning

        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        learning.record_section_read(db.session.get(User, started["id"]), module, 0)
        db.session.add(Assignment(academy_id=db.session.scalar(sa.select(Academy.id).filter_by(slug="academy-a")),
                                  course_id=module.course_id, user_id=late["id"],
                                  due_date=date.today() - timedelta(days=3)))
        db.session.commit()
    client = app.test_client()
    login(client, done["email"])
    read_all_sections(client, SLUG, 3)
    quiz = open_quiz(client, SLUG).text
    token = attempt_token(quiz)
    submit(client, SLUG, token, csrf_from(quiz), answer_form(app, token, right=True))

    page = admin_client.get("/academies/academy-a/reports").text
    assert "4 trainees: 1 completed, 1 in progress, 1 not started, 1 overdue." in page
    filtered = admin_client.get("/academies/academy-a/reports?status=overdue").text
    assert 'data-email="late@example.org"' in filtered and 'data-email="done@example.org"' not in filtered
    by_score = admin_client.get("/academies/academy-a/reports?sort=score&desc=1").text
    assert by_score.index("done@example.org") < by_score.index("idle@example.org")

    exported = admin_client.get("/academies/academy-a/reports?format=csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    statuses = {r["email"]: r["status"] for r in rows}
    assert statuses == {"done@example.org": "completed", "started@example.org": "in_progress",
                        "late@example.org": "overdue", "idle@example.org": "not_started"}
    assert next(r for r in rows if r["email"] == "late@example.org")["name"] == "'=Late Person"
    assert next(r for r in rows if r["email"] == "done@example.org")["score_percent"] == "100"

    from openpyxl import load_workbook

    xlsx = admin_client.get("/academies/academy-a/reports?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.values)
    assert values[0][:5] == ("name", "email", "personnel_number", "unit", "status")
    assert len(values) == 5


# --- certificates -------------------------------------------------------------------------------


def test_certificate_on_completion_and_public_verification(app, trainee_client, trainee):
    with app.app_context():
        course_id = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
    assert trainee_client.get(f"/certificates/{course_id}").status_code == 404  # not complete yet
    read_all_sections(trainee_client, SLUG, 3)
    quiz = open_quiz(trainee_client, SLUG).text
    token = attempt_token(quiz)
    submit(trainee_client, SLUG, token, csrf_from(quiz), answer_form(app, token, right=True))
    page = trainee_client.get(f"/certificates/{course_id}").text
    with app.app_context():
        code = db.session.scalar(sa.select(Certificate.code).filter_by(user_id=trainee["id"]))
    assert code in page
    pdf = trainee_client.get(f"/certificates/{course_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    public = app.test_client()
    result = public.get(f"/verify?code={code.replace('-', '').lower()}")
    assert result.status_code == 200
    assert "Valid: Test User completed “Test police course”" in result.text
    assert trainee["email"] not in result.text
    assert public.get("/verify?code=AAAA-BBBB-CCCC").status_code == 404
