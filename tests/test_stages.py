"""Institutionalisation and figures by stage, sex and delivery (issue 15): a mandatory rule's curriculum and date,
the coordinator's table of them by scope, a trainee's stage and sex (sex only where the academy records it), the
import's new columns, and coverage split by stage, sex and delivery, true in the service and protected outside."""

import csv
import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import User
from app.coverage import services
from app.coverage.models import TargetPopulation
from app.coverage.tokens import create_token
from app.curriculum.models import Course
from app.enrolment import services as enrolment
from app.enrolment.models import MandatoryCourse
from app.enrolment.rules import entitlements_for
from app.extensions import db
from app.foundation import disclosure
from app.learning.models import CourseProgress
from tests.conftest import csrf_from, login
from tests.factories import create_test_user, get_academy, people

DAY = date(2026, 6, 30)
DONE = {"started": datetime(2026, 2, 1), "completed": datetime(2026, 3, 1)}


def _client_as(app, role, country="AL", academy=None, email=None):
    client = app.test_client()
    with app.app_context():
        user = create_test_user(email=email or f"{role}.{country.lower()}@example.org", role=role, country=country,
                                academy=academy)
    assert login(client, user["email"]).status_code == 302
    return client


def _post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(url).text), **data})


# --- rules: curriculum and since, and the coordinator's table -----------------------------------------


@pytest.fixture
def rules(app):
    with app.app_context():
        tirana = get_academy("AL", "tirana")
        tirana.name = "Tirana academy"
        durres = get_academy("AL", "durres")
        durres.name = "Durres academy"
        belgrade = get_academy("RS", "belgrade")
        belgrade.name = "Belgrade academy"
        police = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        enrolment.set_mandatory(None, tirana, police, "police", 90, stage="basic", since=date(2019, 9, 1))
        enrolment.set_mandatory(None, tirana, police, "police", None, stage="in_service", since=date(2021, 1, 15))
        enrolment.set_mandatory(None, durres, police, "investigators", None, stage="optional", since=date(2022, 3, 1))
        enrolment.set_mandatory(None, belgrade, police, "police", None, stage="basic", since=date(2020, 10, 1))
        db.session.commit()
    return {"tirana": "tirana", "durres": "durres", "belgrade": "belgrade"}


def test_the_academy_administrator_sets_curriculum_and_since_in_the_form(app, rules):
    client = _client_as(app, "academy_admin", academy="tirana", email="admin.tirana@example.org")
    with app.app_context():
        police_id = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
    response = _post(client, "/academies/tirana/mandatory", {"course": police_id, "category": "investigators",
                                                             "stage": "in_service", "since": "2024-02-01"})
    assert response.status_code == 302
    refused = _post(client, "/academies/tirana/mandatory", {"course": police_id, "category": "investigators",
                                                            "stage": "optional", "due_within_days": "30"})
    assert refused.status_code == 422 and "optional course has no deadline" in refused.text
    future = _post(client, "/academies/tirana/mandatory", {"course": police_id, "category": "judiciary",
                                                           "stage": "basic", "since": "2199-01-01"})
    assert future.status_code == 422
    with app.app_context():
        found = {(r.category, r.stage, r.since) for r in db.session.scalars(
            sa.select(MandatoryCourse).join(Academy).where(Academy.slug == "tirana"))}
    assert found == {("police", "basic", date(2019, 9, 1)), ("police", "in_service", date(2021, 1, 15)),
                     ("investigators", "in_service", date(2024, 2, 1))}
    page = client.get("/academies/tirana/mandatory").text
    assert "Basic training" in page and "2019-09-01" in page


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_institutionalisation_table_shows_each_viewer_their_scope(app, rules):
    national = _client_as(app, "coordinator", country="AL")
    page = national.get("/coverage/institutionalisation")
    assert page.status_code == 200
    assert "Tirana academy" in page.text and "Durres academy" in page.text and "Belgrade academy" not in page.text
    listed = _csv(national.get("/coverage/institutionalisation/rules.csv"))
    assert listed[0] == ["Country", "Academy", "Course", "Service category", "Curriculum", "Since"]
    assert [(r[1], r[4], r[5]) for r in listed[1:]] == [
        ("Durres academy", "Optional", "2022-03-01"),
        ("Tirana academy", "Basic training", "2019-09-01"),
        ("Tirana academy", "In-service training", "2021-01-15")]
    regional = _client_as(app, "regional_coordinator", country="AL")
    everyone = _csv(regional.get("/coverage/institutionalisation/rules.csv"))
    assert {r[1] for r in everyone[1:]} == {"Tirana academy", "Durres academy", "Belgrade academy"}
    # Per year: academies that had the police course in basic training by 31 December (Belgrade from 2020).
    years = _csv(regional.get("/coverage/institutionalisation/per_year.csv"))
    basic = {int(r[0]): int(r[3]) for r in years[1:] if r[2] == "Basic training"}
    assert basic[2019] == 1 and basic[2020] == 2 and basic[2021] == 2
    assert {int(r[0]) for r in years[1:] if r[2] == "Optional"} == set(range(2022, date.today().year + 1))
    academy = _client_as(app, "academy_admin", academy="durres", email="admin.durres@example.org")
    own = _csv(academy.get("/coverage/institutionalisation/rules.csv"))
    assert [r[1] for r in own[1:]] == ["Durres academy"]
    trainee = _client_as(app, "trainee", academy="tirana", email="cadet@example.org")
    assert trainee.get("/coverage/institutionalisation").status_code == 403
    assert national.get("/coverage/institutionalisation/rules.pdf").status_code == 404


def test_a_rule_binds_the_trainees_of_its_stage_from_its_date(app, rules):
    with app.app_context():
        tirana = db.session.scalar(sa.select(Academy).filter_by(slug="tirana"))
        durres = db.session.scalar(sa.select(Academy).filter_by(slug="durres"))
        cadet, officer = people(tirana, 2, prong="police", tag="t")
        cadet.training_stage = "basic"
        (investigator,) = people(durres, 1, prong="investigators", tag="inv")
        db.session.flush()
        police_id = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))

        def sources(user):
            return {e.course_id: e.sources for e in entitlements_for(user)}.get(police_id, set())

        assert "mandatory" in sources(cadet) and "mandatory" in sources(officer)
        # The basic rule's deadline (90 days from joining) binds the cadet only.
        assert next(e for e in entitlements_for(cadet) if e.course_id == police_id).due_date is not None
        assert next(e for e in entitlements_for(officer) if e.course_id == police_id).due_date is None
        # An optional rule binds nobody: the investigator does not owe the police course.
        assert sources(investigator) == set()
        result = services.tabulate(services.Query(DAY, group_by=("academy", "prong")), services.Scope())
        assert not [r for r in result["rows"] if r["academy"] == "durres" and r["prong"] == "police"]


# --- figures by stage, sex and delivery ---------------------------------------------------------------


@pytest.fixture
def staged(app):
    """One Albanian academy that records sex: cadets and officers, women, men and not stated, completions online,
    in class and blended; a target for the academy."""
    with app.app_context():
        academy = get_academy("AL", "split")
        academy.collects_sex = True
        groups = {
            # tag: (count, stage, sex, completed?, delivery)
            "cf": (7, "basic", "female", True, "classroom"),
            "cm": (6, "basic", "male", False, None),
            "of": (9, "in_service", "female", True, "online"),
            "om": (8, "in_service", "male", True, "blended"),
            "on": (6, "in_service", None, True, "online"),
            "os": (2, "in_service", None, False, None),
            "bx": (2, "basic", None, True, "online"),  # a small group: withheld where it stands alone
        }
        made = {}
        for tag, (n, stage, sex, done, delivery) in groups.items():
            users = people(academy, n, tag=tag, **(DONE if done else {"started": datetime(2026, 2, 1)}))
            for user in users:
                user.training_stage, user.sex = stage, sex
            if delivery:
                db.session.execute(sa.update(CourseProgress).where(CourseProgress.user_id.in_([u.id for u in users]))
                                   .values(delivery=delivery))
            made[tag] = users
        db.session.add(TargetPopulation(country_code="AL", academy_id=academy.id, prong="police", target=50,
                                        effective_from=date(2026, 1, 1)))
        _t, token = create_token("AL", country="AL")
        db.session.commit()
        keys = {tag: [u.record_key for u in users] for tag, users in made.items()}
        return {"groups": groups, "keys": keys, "token": token}


def _true(groups, keep) -> dict[str, int]:
    """Trained, in progress, enrolled and trained by delivery of the groups `keep` selects, counted here."""
    chosen = [g for g in groups.values() if keep(g)]
    figures = {"enrolled": sum(g[0] for g in chosen), "trained": sum(g[0] for g in chosen if g[3]),
               "in_progress": sum(g[0] for g in chosen if not g[3])}
    for delivery in services.DELIVERIES:
        figures[f"trained_{delivery}"] = sum(g[0] for g in chosen if g[4] == delivery)
    return figures


def _pick(row: dict) -> dict[str, int]:
    return {k: row[k] for k in ("enrolled", "trained", "in_progress", *services.DELIVERY_MEASURES)}


def test_grouping_by_stage_and_sex_gives_the_true_figures(app, staged):
    groups = staged["groups"]
    with app.app_context():
        by_stage = services.tabulate(services.Query(DAY, group_by=("prong", "stage")), services.Scope())
        rows = {r["stage"]: r for r in by_stage["rows"]}
        assert set(rows) == {"basic", "in_service"}
        for stage, row in rows.items():
            assert _pick(row) == _true(groups, lambda g, s=stage: g[1] == s), stage
            assert row["target"] is None and row["coverage"] is None  # targets have no stage
        by_sex = services.tabulate(services.Query(DAY, group_by=("prong", "sex")), services.Scope())
        rows = {r["sex"]: r for r in by_sex["rows"]}
        assert set(rows) == {"female", "male", "not_stated"}
        for sex, row in rows.items():
            want = None if sex == "not_stated" else sex
            assert _pick(row) == _true(groups, lambda g, w=want: g[2] == w), sex
        both = services.tabulate(services.Query(DAY, group_by=("academy", "prong", "stage", "sex")),
                                 services.Scope())
        assert {(r["stage"], r["sex"]): r["enrolled"] for r in both["rows"]} == {
            ("basic", "female"): 7, ("basic", "male"): 6, ("basic", "not_stated"): 2, ("in_service", "female"): 9,
            ("in_service", "male"): 8, ("in_service", "not_stated"): 8}
        # Unsplit, the row keeps its target, and delivery adds up to trained.
        whole = services.tabulate(services.Query(DAY, group_by=("prong",)), services.Scope())
        (row,) = whole["rows"]
        assert _pick(row) == _true(groups, lambda g: True) and row["target"] == 50
        assert sum(row[m] for m in services.DELIVERY_MEASURES) == row["trained"] == 32


def test_the_api_publishes_stage_and_sex_under_the_cell_key_method(client, staged):
    keys = staged["keys"]
    response = client.get("/api/v1/coverage", query_string={"as_of": DAY.isoformat(), "group_by": "prong,sex"},
                          headers={"Authorization": f"Bearer {staged['token']}"})
    assert response.status_code == 200
    rows = {r["sex"]: r for r in response.json["rows"]}
    female = keys["cf"] + keys["of"]
    assert rows["female"]["enrolled"] == disclosure.perturb(16, sum(female))
    assert rows["female"]["trained_classroom"] == disclosure.perturb(7, sum(keys["cf"]))
    assert rows["female"]["trained_online"] == disclosure.perturb(9, sum(keys["of"]))
    assert rows["female"]["target"] is None and rows["female"]["coverage"] is None
    not_stated = keys["on"] + keys["os"] + keys["bx"]
    assert rows["not_stated"]["enrolled"] == disclosure.perturb(10, sum(not_stated))
    # Grouped by stage too, the two cadets who did not state their sex are a group of their own, too small to show.
    small = client.get("/api/v1/coverage", query_string={"as_of": DAY.isoformat(), "group_by": "prong,stage,sex"},
                       headers={"Authorization": f"Bearer {staged['token']}"}).json
    assert all(r["sex"] in ("female", "male", "not_stated") and r["stage"] in ("basic", "in_service")
               for r in small["rows"])
    (row,) = [r for r in small["rows"] if r["stage"] == "in_service" and r["sex"] == "not_stated"]
    assert row["enrolled"] == disclosure.perturb(8, sum(keys["on"] + keys["os"]))
    (tiny,) = [r for r in small["rows"] if r["stage"] == "basic" and r["sex"] == "not_stated"]
    shown = disclosure.perturb(2, sum(keys["bx"]))
    if disclosure.withheld(shown, small["threshold"]):
        assert tiny["suppressed"] and tiny["enrolled"] is None and tiny["trained_online"] is None
    else:  # the perturbation took it to 0
        assert tiny["enrolled"] == 0
    csv_rows = _csv(client.get("/api/v1/coverage.csv", query_string={"as_of": DAY.isoformat(), "group_by": "stage"},
                               headers={"Authorization": f"Bearer {staged['token']}"}))
    header = csv_rows[0]
    assert "stage" in header and "trained_blended" in header
    assert {r[header.index("stage")] for r in csv_rows[1:]} == {"basic", "in_service"}
    bad = client.get("/api/v1/coverage", query_string={"group_by": "sex,prong"},
                     headers={"Authorization": f"Bearer {staged['token']}"})
    assert bad.status_code == 400 and bad.json["error"]["parameter"] == "group_by"


def test_the_dashboard_and_its_exports_split_by_stage_sex_and_delivery(app, staged):
    client = _client_as(app, "coordinator", country="AL")
    page = client.get("/coverage/", query_string={"as_of": DAY.isoformat()})
    assert page.status_code == 200
    assert 'id="by-stage"' in page.text and 'id="by-sex"' in page.text and 'id="by-delivery"' in page.text
    rows = _csv(client.get("/coverage/export/by_delivery.csv", query_string={"as_of": DAY.isoformat()}))
    assert rows[0] == ["Prong", "Trained", "Trained online", "Trained in class", "Trained blended"]
    with app.app_context():
        keys = staged["keys"]
        assert rows[1][3] == str(disclosure.perturb(7, sum(keys["cf"])))
    sexes = _csv(client.get("/coverage/export/by_sex.csv", query_string={"as_of": DAY.isoformat()}))
    assert {r[1] for r in sexes[1:]} == {"Female", "Male", "Not stated"}


# --- the trainee's stage and sex on the academy's pages -------------------------------------------------


@pytest.fixture
def admin(app):
    with app.app_context():
        get_academy("AL", "forms")
        db.session.commit()
    return _client_as(app, "academy_admin", academy="forms", email="admin.forms@example.org")


def test_the_sex_field_appears_only_where_the_academy_records_it(app, admin):
    assert 'name="sex"' not in admin.get("/academies/forms/trainees/new").text
    response = _post(admin, "/academies/forms/trainees/new", {
        "name": "Cadet One", "email": "cadet.one@example.org", "category": "police", "language": "en",
        "training_stage": "basic", "sex": "female"})
    assert response.status_code == 302
    with app.app_context():
        cadet = db.session.scalar(sa.select(User).filter_by(email="cadet.one@example.org"))
        assert (cadet.training_stage, cadet.sex) == ("basic", None)  # the field was not there: nothing recorded
        cadet_id = cadet.id
    assert _post(admin, "/academies/forms/settings", {"collects_sex": "y"}).status_code == 302
    assert 'name="sex"' in admin.get("/academies/forms/trainees/new").text
    edit = f"/academies/forms/trainees/{cadet_id}/edit"
    response = _post(admin, edit, {"name": "Cadet One", "email": "cadet.one@example.org", "category": "police",
                                   "language": "en", "training_stage": "in_service", "sex": "female"})
    assert response.status_code == 302
    with app.app_context():
        cadet = db.session.get(User, cadet_id)
        assert (cadet.training_stage, cadet.sex) == ("in_service", "female")
    page = admin.get(f"/academies/forms/trainees/{cadet_id}").text
    assert "In-service (serving officer)" in page and "Female" in page
    bad = _post(admin, edit, {"name": "Cadet One", "email": "cadet.one@example.org", "category": "police",
                              "language": "en", "training_stage": "retired", "sex": "other"})
    assert bad.status_code == 422
    # Turning it off keeps what was recorded, and takes the field away again.
    assert _post(admin, "/academies/forms/settings", {}).status_code == 302
    assert 'name="sex"' not in admin.get(edit).text
    with app.app_context():
        assert db.session.get(User, cadet_id).sex == "female"


def _upload(client, text):
    token = csrf_from(client.get("/academies/forms/import").text)
    return client.post("/academies/forms/import", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), "trainees.csv")}, content_type="multipart/form-data")


def _confirm(client, preview):
    import re

    url = re.search(r'action="(/academies/[^"]+/confirm)"', preview.text).group(1)
    return client.post(url, data={"csrf_token": csrf_from(preview.text)})


def test_the_import_reads_stage_and_sex_all_or_nothing(app, admin):
    header = "email,name,category,training_stage,sex\n"
    refused = _upload(admin, header + "a@example.org,A,police,basic,\n")
    assert refused.status_code == 422 and "does not record trainees&#39; sex" in refused.text
    assert _post(admin, "/academies/forms/settings", {"collects_sex": "y"}).status_code == 302
    bad = _upload(admin, header + "a@example.org,A,police,cadet,f\n"
                                  "b@example.org,B,police,retired,m\n"
                                  "c@example.org,C,police,,unknown\n")
    assert bad.status_code == 422
    assert "Line 3: unknown training stage &#39;retired&#39;" in bad.text
    assert "Line 4: unknown sex &#39;unknown&#39;" in bad.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email.in_(
            ["a@example.org", "b@example.org", "c@example.org"]))) == 0
    good = header + "a@example.org,A,police,cadet,f\nb@example.org,B,police,in_service,not stated\n" \
                    "c@example.org,C,police,,male\n"
    preview = _upload(admin, good)
    assert preview.status_code == 200 and "3 new" in preview.text
    assert _confirm(admin, preview).status_code == 302
    with app.app_context():
        found = {u.email: (u.training_stage, u.sex) for u in db.session.scalars(
            sa.select(User).where(User.email.in_(["a@example.org", "b@example.org", "c@example.org"])))}
    assert found == {"a@example.org": ("basic", "female"), "b@example.org": ("in_service", None),
                     "c@example.org": ("in_service", "male")}
    # Again: nothing changes; an empty stage keeps the cadet a cadet.
    again = _upload(admin, header + "a@example.org,A,police,,\n")
    assert "0 new, 0 to update, 1 unchanged." in again.text
    promoted = _upload(admin, header + "a@example.org,A,police,in_service,\n")
    assert "0 new, 1 to update" in promoted.text and "training stage" in promoted.text
    template = admin.get("/academies/forms/import/template.csv").text
    assert template.splitlines()[0].endswith("training_stage,sex")
