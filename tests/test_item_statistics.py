"""Item statistics: a seeded cohort answers with known difficulty; the page and the CSV give the figures
that this test computes independently from the answers it generated."""

import csv
import io
import random
import statistics

import pytest
import sqlalchemy as sa

from app.curriculum.models import Module, Question
from app.extensions import db
from app.foundation import disclosure
from app.learning import services
from app.learning.models import ModuleProgress
from app.utils import utcnow
from tests.conftest import login

SLUG = "police-01-basics"
#: Known generating model: the chance of a right answer given the trainee's ability (0..1).
MODEL = {
    "q1": lambda a: 0.05 + 0.9 * a,      # discriminating
    "q2": lambda a: 0.05 + 0.9 * a,      # discriminating
    "q3": lambda a: 0.85 - 0.5 * a,      # negatively discriminating: the better trainees get it wrong
}


def ability(index: int, count: int) -> float:
    """Two kinds of trainee: those who read (1.0) and those who did not (0.0)."""
    return 0.0 if index < count // 2 else 1.0
#: (country, language, trainees, attempts each); AL's two trainees are under the threshold of five whatever their
#: perturbation (at most +2), and seven are over it whatever theirs (at most -2).
COHORT = [("RS", "en", 7, 14), ("XK", "sq", 7, 14), ("AL", "en", 2, 3)]


def _form_for(attempt, questions, wants):
    form = {}
    for entry in attempt.drawn:
        q = questions[entry["question_id"]]
        right = wants[q.key]
        key = q.data["answer"]
        if q.type == "true_false":
            form[f"q-{q.id}"] = ["true" if (key if right else not key) else "false"]
            continue
        keys = set(key) if isinstance(key, list) else {key}
        positions = {oid: str(pos) for pos, oid in enumerate(entry["order"], start=1)}
        chosen = [oid for oid in entry["order"] if oid in keys] if right else \
            [oid for oid in entry["order"] if oid not in keys][:1]
        form[f"q-{q.id}"] = [positions[o] for o in chosen]
    return form


@pytest.fixture
def seeded(app, make_user):
    """Trainees answer the mini bank; returns the generated answers: [(country, language, {key: right}, the
    answerer's record key)]."""
    rng = random.Random(20261207)
    generated = []
    for country, language, count, attempts in COHORT:
        for index in range(count):
            level = ability(index, count)
            user_ref = make_user(email=f"stat-{country}-{index}@example.org", country=country, language=language)
            with app.test_request_context():
                from app.auth.models import User

                user = db.session.get(User, user_ref["id"])
                module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
                db.session.add(ModuleProgress(user_id=user.id, module_id=module.id,
                                              module_version_id=module.current_version_id, furthest_section=2,
                                              reached_end_at=utcnow()))
                db.session.flush()
                for _ in range(attempts):
                    attempt = services.start_quiz(user, module)
                    questions = {q.id: q for q in db.session.scalars(
                        sa.select(Question).filter(Question.id.in_([e["question_id"] for e in attempt.drawn])))}
                    drawn_keys = [questions[e["question_id"]].key for e in attempt.drawn]
                    wants = {k: rng.random() < MODEL[k](level) if k in MODEL else True for k in drawn_keys}
                    services.submit_quiz(user, attempt.token, _form_for(attempt, questions, wants))
                    generated.append((country, language, {k: wants[k] for k in drawn_keys}, user.record_key))
                db.session.commit()
    return generated


def _expected(generated, key, group=lambda c, lang: True):
    """Facility, point-biserial (right vs rest of the attempt) and the number of answers computed here from the
    raw answers, the counts published as the cell-key method publishes them (each perturbed by the sum of the
    record keys behind it) and the facility read from those published counts."""
    xs, rests, keys = [], [], []
    for country, language, answers, record_key in generated:
        if key not in answers or not group(country, language):
            continue
        x = int(answers[key])
        others = [int(v) for k, v in answers.items() if k != key]
        xs.append(x)
        rests.append(sum(others) / len(others))
        keys.append(record_key)
    n = disclosure.perturb(len(xs), sum(keys))
    right = disclosure.perturb(sum(xs), sum(k for x, k in zip(xs, keys, strict=True) if x))
    return right / n, statistics.correlation(xs, rests), n


def test_the_csv_gives_the_independently_computed_figures(app, client, seeded, make_user):
    admin = make_user(email="author@example.org", role="platform_admin", country="AL")
    login(client, admin["email"])
    response = client.get(f"/item-statistics/{SLUG}.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    by = {}
    for row in rows:
        by.setdefault((row["question"], row["group"]), row)
    for key in ("q1", "q2", "q3"):
        facility, r_pb, n = _expected(seeded, key)
        row = by[(key, "all")]
        assert int(row["answers"]) == n
        assert float(row["facility"]) == pytest.approx(facility, abs=0.0005)
        assert float(row["discrimination"]) == pytest.approx(r_pb, abs=0.0005)
        for group, pick in (("language:sq", lambda c, lang: lang == "sq"), ("country:RS", lambda c, lang: c == "RS")):
            facility, r_pb, n = _expected(seeded, key, pick)
            assert int(by[(key, group)]["answers"]) == n
            assert float(by[(key, group)]["facility"]) == pytest.approx(facility, abs=0.0005)
            assert float(by[(key, group)]["discrimination"]) == pytest.approx(r_pb, abs=0.0005)
        # Two trainees in Albania: under the threshold of five people, withheld.
        assert by[(key, "country:AL")]["answers"] == "withheld"
        assert by[(key, "country:AL")]["facility"] == ""


def test_the_figures_recover_the_known_difficulty_and_the_flags(app, client, seeded, make_user):
    admin = make_user(email="author@example.org", role="platform_admin", country="AL")
    login(client, admin["email"])
    rows = list(csv.DictReader(io.StringIO(client.get(f"/item-statistics/{SLUG}.csv").text.lstrip("\ufeff"))))
    overall = {r["question"]: r for r in rows if r["group"] == "all"}
    # The generating model's mean chance of a right answer, over the cohort's abilities.
    for key, model in MODEL.items():
        n = int(overall[key]["answers"])
        expected = statistics.mean(model(ability(i, c)) for _cc, _l, c, a in COHORT for i in range(c) for _ in range(a))
        se = (expected * (1 - expected) / n) ** 0.5
        assert abs(float(overall[key]["facility"]) - expected) < 4 * se + 0.02, key
    assert float(overall["q1"]["discrimination"]) > 0.2
    assert float(overall["q2"]["discrimination"]) > 0.2
    assert "negative_discrimination" in overall["q3"]["flags"]
    assert float(overall["q3"]["discrimination"]) < 0
    # Option shares: for the true/false q3, the two values add up to all answers.
    q3 = [r for r in rows if r["question"] == "q3" and r["group"] == "all"]
    # Each share is read from its own perturbed count (at most 2 away), so they add up to 1 within 4 answers.
    assert sum(float(r["option_chosen_share"]) for r in q3) == pytest.approx(1.0, abs=2 * disclosure.MAX_NOISE / n + 0.002)


def test_the_page_shows_the_figures_and_only_platform_admins_see_it(app, client, seeded, make_user):
    admin = make_user(email="author@example.org", role="platform_admin", country="AL")
    coordinator = make_user(email="coord@example.org", role="coordinator", country="AL")
    login(client, coordinator["email"])
    assert client.get(f"/item-statistics/{SLUG}").status_code == 403
    assert client.get(f"/item-statistics/{SLUG}.csv").status_code == 403
    client.post("/logout", data={})
    other = app.test_client()
    login(other, admin["email"])
    page = other.get(f"/item-statistics/{SLUG}")
    assert page.status_code == 200
    facility, _r, _n = _expected(seeded, "q2")
    assert f"{facility * 100:.0f}%" in page.text
    assert 'data-flag="negative_discrimination"' in page.text
    assert "withheld" in page.text
    assert other.get("/item-statistics/").status_code == 200
    assert other.get("/item-statistics/no-such-module").status_code == 404


def test_flags_follow_the_documented_thresholds(app):
    from app.itemstats.services import Sums, _cell

    with app.app_context():
        q = db.session.scalar(sa.select(Question).filter_by(key="q1"))  # single: options a (key), b
        easy = _cell(Sums(n=100, people=20, right=96, bits=[96, 1] + [0] * 8), q, 5)
        assert "too_easy" in easy.flags and "unused_distractor" in easy.flags
        hard = _cell(Sums(n=100, people=20, right=20, bits=[20, 80] + [0] * 8), q, 5)
        assert hard.flags == ["too_hard"]
        few = _cell(Sums(n=100, people=4, right=50, bits=[50, 50] + [0] * 8), q, 5)
        assert few.withheld and few.facility is None and few.n is None
