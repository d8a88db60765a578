"""Every country of the region in its own language (real Chromium, the real curricula): a trainee of each of the
twelve countries, with the country's default language, reads the interface, the police course's first module and
their country's national passage in that language, with no English on the page apart from cited titles."""

import re

import pytest

from app.curriculum.english import english_runs
from app.curriculum.tree import read_curriculum
from tests.browser.conftest import sign_in
from tests.browser.test_localised_reading import offence_section_number, read_up_to
from tests.conftest import REAL_ASSESSMENTS, REAL_CURRICULA
from tests.factories import create_test_user

pytestmark = pytest.mark.browser

COUNTRIES = ("AL", "BA", "BG", "HR", "MD", "ME", "MK", "RO", "RS", "SI", "TR", "XK")
#: What the page is checked in: everything but cited titles (<cite>) and the language switcher's own names.
VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('cite, form.language-switcher, select, option').forEach(e => e.remove());
  return copy.innerText;
}"""


def default_language(code: str) -> str:
    profile = read_curriculum(REAL_CURRICULA, REAL_ASSESSMENTS).countries[code]
    return profile.languages[0]


@pytest.mark.parametrize("country", COUNTRIES)
def test_a_trainee_of_each_country_reads_in_the_countrys_language(real_app, live_real, page, country):
    language = default_language(country)
    email = f"twelve.{country.lower()}@example.org"
    with real_app.app_context():
        create_test_user(email=email, country=country, language=language, name=f"Reader {country}")
    sign_in(page, live_real.url, email)
    page.wait_for_url(re.compile(r"/learn/$"))
    read_up_to(page, live_real.url, offence_section_number())

    article = page.locator("article")
    assert article.get_attribute("lang") == language, "the module is shown in the country's language"
    assert page.locator("html").get_attribute("lang").split("-")[0].replace("_", "-") in (
        language, {"cnr": "sr"}.get(language, language)), "the interface is in the country's language"
    national = article.locator(".national")
    assert national.count() == 1
    assert national.locator(".national-text").get_attribute("lang") == language, "the national passage's language"
    notices = {cls for el in page.locator("main .notice").all() for cls in (el.get_attribute("class") or "").split()}
    assert "notice-english_fallback" not in notices and "notice-not_localised" not in notices
    assert "notice-draft_translation" in notices  # announced: the translation awaits its native reviewer
    text = page.evaluate(VISIBLE_TEXT)
    assert english_runs(text, language) == [], "English left on the page"
