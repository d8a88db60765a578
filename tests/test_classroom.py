"""Classroom sessions: an academy schedules a session with its trainers and a partner academy, participants
are added, the trainer records attendance and paper test results (by form or CSV, all or nothing), and a
participant who attended and passed completes the course as a classroom completion, with a certificate.
A trainer sees only their own sessions."""

import io
from datetime import timedelta

import sqlalchemy as sa

from app.academy.models import Academy
from app.certificates.models import Certificate
from app.classroom.models import ClassroomSession, SessionParticipant
from app.curriculum.models import Course
from app.extensions import db
from app.learning.models import CourseProgress, ModuleProgress
from app.utils import utcnow
from tests.conftest import csrf_from, login
from tests.factories import get_academy


def _setup(app, make_user):
    with app.app_context():
        home, partner = get_academy("AL", "tirana"), get_academy("AL", "durres")
        db.session.commit()
        ids = {"home": home.id, "partner": partner.id}
        ids["course"] = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
    people = {
        "admin": make_user(email="admin@example.org", role="academy_admin", academy="tirana"),
        "partner_admin": make_user(email="padmin@example.org", role="academy_admin", academy="durres"),
        "trainer": make_user(email="trainer@example.org", role="trainer", academy="tirana", name="Tina Trainer"),
        "other_trainer": make_user(email="trainer2@example.org", role="trainer", academy="durres"),
        "ana": make_user(email="ana@example.org", academy="tirana", name="Ana Officer"),
        "besa": make_user(email="besa@example.org", academy="tirana", name="Besa Officer"),
        "zef": make_user(email="zef@example.org", academy="durres", name="Zef Officer"),
    }
    return ids, people


def _client(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _schedule(app, ids, people):
    admin = _client(app, "admin@example.org")
    form = admin.get("/academies/tirana/sessions").text
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    response = admin.post("/academies/tirana/sessions", data={
        "csrf_token": csrf_from(form), "title": "Basic course, intake 12", "course": ids["course"],
        "starts_on": yesterday, "ends_on": utcnow().date().isoformat(), "place": "Tirana academy, room 3",
        "pass_mark": 70, "trainers": [people["trainer"]["id"]], "partners": [ids["partner"]]})
    assert response.status_code == 302, response.text
    with app.app_context():
        session_id = db.session.scalar(sa.select(ClassroomSession.id))
    return admin, session_id


def test_schedule_add_record_and_complete(app, make_user):
    ids, people = _setup(app, make_user)
    admin, sid = _schedule(app, ids, people)
    page = admin.get(f"/sessions/{sid}").text
    # Unknown people: refused, nothing added.
    admin.post(f"/sessions/{sid}/participants", data={"csrf_token": csrf_from(page),
                                                      "identifiers": "ana@example.org\nnobody@example.org"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionParticipant.id))) == 0
    admin.post(f"/sessions/{sid}/participants", data={"csrf_token": csrf_from(page),
                                                      "identifiers": "ana@example.org\nbesa@example.org"})
    # The partner academy adds its own trainee, and cannot add the host's.
    partner = _client(app, "padmin@example.org")
    ppage = partner.get(f"/sessions/{sid}").text
    partner.post(f"/sessions/{sid}/participants", data={"csrf_token": csrf_from(ppage), "identifiers": "ana@example.org"})
    partner.post(f"/sessions/{sid}/participants", data={"csrf_token": csrf_from(ppage), "identifiers": "zef@example.org"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionParticipant.id))) == 3
        parts = {p.user_id: p.id for p in db.session.scalars(sa.select(SessionParticipant))}
    sheet = admin.get(f"/sessions/{sid}/sheet").text
    assert "Ana Officer" in sheet and "Zef Officer" in sheet and "Tina Trainer" in sheet

    # The trainer records: Ana present and passed, Besa present below the mark, Zef absent.
    trainer = _client(app, "trainer@example.org")
    assert "Basic course, intake 12" in trainer.get("/teach/").text
    tpage = trainer.get(f"/sessions/{sid}").text
    response = trainer.post(f"/sessions/{sid}/attendance", data={
        "csrf_token": csrf_from(tpage),
        f"attended-{parts[people['ana']['id']]}": "on", f"score-{parts[people['ana']['id']]}": "85",
        f"attended-{parts[people['besa']['id']]}": "on", f"score-{parts[people['besa']['id']]}": "55",
        f"score-{parts[people['zef']['id']]}": ""}, follow_redirects=True)
    assert "1 participant(s) completed" in response.text
    with app.app_context():
        ana = db.session.scalar(sa.select(CourseProgress).filter_by(user_id=people["ana"]["id"]))
        assert ana.completed_at is not None and ana.delivery == "classroom"
        assert db.session.scalar(sa.select(ModuleProgress.delivery).filter_by(user_id=people["ana"]["id"])) == "classroom"
        assert db.session.scalar(sa.select(Certificate.id).filter_by(user_id=people["ana"]["id"])) is not None
        assert db.session.scalar(sa.select(CourseProgress).filter_by(user_id=people["besa"]["id"])) is None
        assert db.session.scalar(sa.select(CourseProgress).filter_by(user_id=people["zef"]["id"])) is None


def test_csv_results_all_or_nothing(app, make_user):
    ids, people = _setup(app, make_user)
    admin, sid = _schedule(app, ids, people)
    page = admin.get(f"/sessions/{sid}").text
    admin.post(f"/sessions/{sid}/participants", data={"csrf_token": csrf_from(page),
                                                      "identifiers": "ana@example.org\nbesa@example.org"})
    page = admin.get(f"/sessions/{sid}").text
    bad = b"email,attended,score\nana@example.org,yes,90\nbesa@example.org,maybe,101\nzz@example.org,no,\n"
    response = admin.post(f"/sessions/{sid}/attendance.csv", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(bad), "results.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Line 3" in response.text and "Line 4" in response.text and "Nothing was recorded" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionParticipant)
                                 .filter(SessionParticipant.recorded_at.is_not(None))) == 0
        assert db.session.scalar(sa.select(CourseProgress).filter_by(user_id=people["ana"]["id"])) is None
    good = b"email;attended;score\nana@example.org;yes;90\nbesa@example.org;no;\n"
    response = admin.post(f"/sessions/{sid}/attendance.csv", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(good), "results.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "1 participant(s) completed" in response.text
    nul = admin.post(f"/sessions/{sid}/attendance.csv", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(b"email,attended\x00"), "r.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "NUL" in nul.text


def test_who_sees_what(app, make_user):
    ids, people = _setup(app, make_user)
    admin, sid = _schedule(app, ids, people)
    other_trainer = _client(app, "trainer2@example.org")
    assert other_trainer.get(f"/sessions/{sid}").status_code == 404
    assert "Basic course" not in other_trainer.get("/teach/").text
    trainee = _client(app, "ana@example.org")
    assert trainee.get(f"/sessions/{sid}").status_code == 403
    assert trainee.get("/teach/").status_code == 403
    with app.app_context():
        get_academy("RS", "far-away")
        db.session.commit()
    make_user(email="far@example.org", role="academy_admin", academy="far-away", country="RS")
    far = _client(app, "far@example.org")
    assert far.get(f"/sessions/{sid}").status_code == 404
    assert admin.get("/sessions/99999999999999999999").status_code == 404


def test_removal_is_confirmed_and_not_after_recording(app, make_user):
    ids, people = _setup(app, make_user)
    admin, sid = _schedule(app, ids, people)
    page = admin.get(f"/sessions/{sid}").text
    admin.post(f"/sessions/{sid}/participants", data={"csrf_token": csrf_from(page), "identifiers": "ana@example.org"})
    with app.app_context():
        pid = db.session.scalar(sa.select(SessionParticipant.id))
    confirm = admin.get(f"/sessions/{sid}/participants/{pid}/remove")
    assert confirm.status_code == 200 and "Remove Ana Officer from this session?" in confirm.text
    with app.app_context():
        assert db.session.get(SessionParticipant, pid) is not None  # GET changed nothing
    admin.post(f"/sessions/{sid}/participants/{pid}/remove", data={"csrf_token": csrf_from(confirm.text)})
    with app.app_context():
        assert db.session.get(SessionParticipant, pid) is None


def test_session_cannot_end_before_it_starts(app, make_user):
    ids, people = _setup(app, make_user)
    admin = _client(app, "admin@example.org")
    form = admin.get("/academies/tirana/sessions").text
    response = admin.post("/academies/tirana/sessions", data={
        "csrf_token": csrf_from(form), "title": "Backwards", "course": ids["course"], "starts_on": "2026-12-10",
        "ends_on": "2026-12-01", "place": "Room", "pass_mark": 70, "trainers": [people["trainer"]["id"]]})
    assert response.status_code == 200 and "cannot end before it starts" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ClassroomSession.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Academy.id))) >= 2
