"""A reader whose language a module is not translated into gets the nearest language of their country's
fallback chain (country profile), with a notice, before English."""

from app.curriculum.models import Country
from app.curriculum.services import reading_languages
from app.extensions import db
from tests.conftest import login
from tests.quiz_helpers import begin

SLUG = "police-01-basics"


def test_chain_is_own_language_then_the_profile_then_english(ctx):
    kosovo = db.session.get(Country, "XK")
    assert reading_languages(kosovo, "tr") == ["tr", "sq", "sr", "en"]
    assert reading_languages(kosovo, "sr") == ["sr", "sq", "en"]
    assert reading_languages(kosovo, "en") == ["en"]
    assert reading_languages(None, "bg") == ["bg", "en"]


def test_chain_follows_an_explicit_fallback_list(ctx):
    serbia = db.session.get(Country, "RS")
    profile = dict(serbia.profile, fallback=["sr", "hr"])
    serbia.profile = profile
    assert reading_languages(serbia, "bs") == ["bs", "sr", "hr", "en"]


def test_reader_gets_the_nearest_language_with_a_notice(app, client, make_user):
    user = make_user(email="tr.xk@example.org", country="XK", language="tr")
    login(client, user["email"])
    begin(client, SLUG)
    page = client.get(f"/learn/modules/{SLUG}/sections/1").text
    assert "TEKST KOSOVAR" in page  # the Albanian text for Kosovo (its first language), not the English one
    assert "notice-language_fallback" in page and "notice-english_fallback" not in page
    dashboard = client.get("/learn/").text
    assert 'lang="sq"' in dashboard  # the module title is shown in Albanian too


def test_fallback_validation(mini_copy):
    from tests.test_curriculum_validate import edit, problems
    edit(mini_copy, "curricula/countries/xk.yml", "languages: [sq, sr]", "languages: [sq, sr]\nfallback: [sq, en]")
    assert any("fallback language 'en' must be an ISO 639 code other than 'en'" in p for p in problems(mini_copy))
