"""Sessions that end and throttling that cannot lock anyone out (issue 18): the probes, as tests."""

import time

import sqlalchemy as sa

from app.auth.models import User
from app.auth.sessions import SEEN_AT, SESSION_ID, SIGNED_IN_AT
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from, login


def _client_at(app, address: str):
    """A browser whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _with_cookie(app, cookie: str):
    """A fresh browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _sign_out(client):
    token = csrf_from(client.get("/learn/").text)
    return client.post("/logout", data={"csrf_token": token})


# --- sessions ------------------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_no_longer_opens_anything(app, client, trainee):
    assert login(client, trainee["email"]).status_code == 302
    copied = client.get_cookie("session").value
    assert _with_cookie(app, copied).get("/learn/").status_code == 200  # the copy works while signed in
    _sign_out(client)
    response = _with_cookie(app, copied).get("/learn/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_ends_the_sessions_on_every_device(app, trainee):
    office, phone = app.test_client(), app.test_client()
    login(office, trainee["email"])
    login(phone, trainee["email"])
    _sign_out(office)
    assert phone.get("/learn/").status_code == 302


def test_a_password_change_ends_every_session(app, client, trainee):
    login(client, trainee["email"])
    copied = client.get_cookie("session").value
    with app.app_context():
        db.session.get(User, trainee["id"]).set_password("a completely new password")
        db.session.commit()
    assert client.get("/learn/").status_code == 302
    assert _with_cookie(app, copied).get("/learn/").status_code == 302
    assert login(app.test_client(), trainee["email"], "a completely new password").status_code == 302


def test_suspension_by_the_academy_ends_the_trainees_sessions(app, client, make_user):
    person = make_user(email="to.suspend@example.org", country="AL")
    admin = make_user(email="admin.al@example.org", role="academy_admin", country="AL")
    login(client, person["email"])
    assert client.get("/learn/").status_code == 200
    staff = app.test_client()
    login(staff, admin["email"])
    page = staff.get(f"/academies/test-academy-al/trainees/{person['id']}")
    staff.post(f"/academies/test-academy-al/trainees/{person['id']}/suspend",
               data={"csrf_token": csrf_from(page.text)})
    assert client.get("/learn/").status_code == 302


def test_an_idle_session_ends_after_the_idle_limit(app, client, trainee):
    login(client, trainee["email"])
    with client.session_transaction() as session:
        session[SEEN_AT] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    assert client.get("/learn/").status_code == 302


def test_a_busy_session_still_ends_at_the_absolute_limit(app, client, trainee):
    login(client, trainee["email"])
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = int(time.time()) - app.config["SESSION_MAX_HOURS"] * 3600 - 5
        session[SEEN_AT] = int(time.time())
    assert client.get("/learn/").status_code == 302


def test_activity_keeps_a_session_alive_within_the_limits(app, client, trainee):
    login(client, trainee["email"])
    with client.session_transaction() as session:
        session[SEEN_AT] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 + 60
    assert client.get("/learn/").status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session[SEEN_AT] < 5  # the request counted as activity


def test_sign_in_starts_a_new_session(app, client, trainee):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    login(client, trainee["email"])
    with client.session_transaction() as session:
        assert "planted" not in session and session[SESSION_ID]
        first_id = session[SESSION_ID]
    assert client.get_cookie("session").value != before
    _sign_out(client)
    login(client, trainee["email"])
    with client.session_transaction() as session:
        assert session[SESSION_ID] != first_id


# --- throttling ----------------------------------------------------------------------------------


def test_the_owner_signs_in_from_elsewhere_while_the_attacker_is_throttled(app, trainee):
    attacker = _client_at(app, "203.0.113.7")
    answers = [login(attacker, trainee["email"], f"guess number {i}").status_code for i in range(8)]
    assert answers[:5] == [200] * 5 and answers[5:] == [429] * 3
    throttled = login(attacker, trainee["email"])  # even the right password waits: no oracle for the attacker
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert "Too many attempts" in throttled.text
    owner = _client_at(app, "198.51.100.20")
    assert login(owner, trainee["email"]).status_code == 302
    assert owner.get("/learn/").status_code == 200


def test_fifty_wrong_passwords_from_one_address_are_not_all_answered(app, trainee):
    attacker = _client_at(app, "203.0.113.8")
    page = attacker.get("/login")
    token = csrf_from(page.text)
    answers = [attacker.post("/login", data={"email": trainee["email"], "password": f"guess {i}",
                                             "csrf_token": token}).status_code for i in range(50)]
    assert answers.count(200) <= 5 and answers.count(429) >= 45


def test_spraying_one_password_over_many_accounts_is_slowed(app, make_user):
    emails = [make_user(email=f"spray{i}@example.org")["email"] for i in range(14)]
    sprayer = _client_at(app, "203.0.113.9")
    answers = [login(sprayer, email, "Summer2026!").status_code for email in emails]
    assert answers[:10] == [200] * 10 and set(answers[10:]) == {429}


def test_the_wait_grows_with_repeated_failures(app, trainee, monkeypatch):
    monkeypatch.setitem(app.config, "THROTTLE_SIGN_IN_PER_ACCOUNT_AND_ADDRESS", "2 per 2 second; 3 per hour")
    attacker = _client_at(app, "203.0.113.10")
    assert [login(attacker, trainee["email"], "wrong!!!!!!").status_code for _ in range(3)] == [200, 200, 429]
    short_wait = int(login(attacker, trainee["email"], "wrong!!!!!!").headers["Retry-After"])
    time.sleep(2.1)
    assert login(attacker, trainee["email"], "wrong!!!!!!").status_code == 200
    long_wait = login(attacker, trainee["email"], "wrong!!!!!!")
    assert long_wait.status_code == 429
    assert short_wait <= 3 < 60 < int(long_wait.headers["Retry-After"])


def test_successful_sign_ins_are_never_counted(app, trainee):
    office = _client_at(app, "198.51.100.30")  # a classroom behind one address signs in all morning
    for _ in range(15):
        assert login(office, trainee["email"]).status_code == 302
        _sign_out(office)


def test_bad_sign_in_links_are_throttled(app):
    prober = _client_at(app, "203.0.113.11")
    answers = [prober.get(f"/set-password/not-a-token-{i}").status_code for i in range(12)]
    assert answers[:10] == [404] * 10 and answers[10:] == [429, 429]


def test_guessing_api_tokens_is_throttled_in_json(app):
    prober = _client_at(app, "203.0.113.12")
    answers = [prober.get("/api/v1/coverage", headers={"Authorization": f"Bearer thb_guess{i}"})
               for i in range(22)]
    assert [r.status_code for r in answers[:20]] == [401] * 20
    last = answers[-1]
    assert last.status_code == 429 and last.is_json and int(last.headers["Retry-After"]) > 0


def test_no_account_is_locked_in_the_database(app, trainee):
    attacker = _client_at(app, "203.0.113.13")
    for i in range(6):
        login(attacker, trainee["email"], f"wrong {i} wrong")
    with app.app_context():
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("user")}
    assert not {"locked_until", "failed_logins"} & columns
    assert login(_client_at(app, "198.51.100.40"), trainee["email"], PASSWORD).status_code == 302


# --- where the counters live ---------------------------------------------------------------------

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def test_redis_url_selects_redis_for_the_counters(tmp_path, monkeypatch):
    from app.config import build_config

    monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    assert build_config(tmp_path)["RATELIMIT_STORAGE_URI"] == REDIS_TEST_URL
    monkeypatch.delenv("REDIS_URL")
    assert build_config(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


def test_throttling_counts_in_redis_shared_by_every_worker(app, trainee):
    """With Redis storage, the attacker's failures are counted there (so every worker sees them)."""
    import redis
    from limits.storage import storage_from_string
    from limits.strategies import STRATEGIES

    from app.extensions import limiter

    storage = storage_from_string(REDIS_TEST_URL)
    assert storage.check(), "Redis must run on 127.0.0.1:6379 (scripts/test.sh starts it)"
    storage.reset()
    kept = limiter._storage, limiter._limiter
    limiter._storage, limiter._limiter = storage, STRATEGIES["fixed-window"](storage)
    try:
        attacker = _client_at(app, "203.0.113.50")
        answers = [login(attacker, trainee["email"], f"guess {i} guess").status_code for i in range(6)]
        assert answers == [200] * 5 + [429]
        keys = [k.decode() for k in redis.Redis.from_url(REDIS_TEST_URL).keys("*")]
        assert any("sign-in-account-address" in k for k in keys), keys
        assert login(_client_at(app, "198.51.100.50"), trainee["email"]).status_code == 302
    finally:
        storage.reset()
        limiter._storage, limiter._limiter = kept
