"""Trainees of different countries and languages read their own country's national passage (real Chromium)."""

import re

import pytest

from app.curriculum.tree import read_curriculum
from tests.browser.conftest import sign_in
from tests.conftest import REAL_ASSESSMENTS, REAL_CURRICULA
from tests.factories import create_test_user

pytestmark = pytest.mark.browser

MODULE = "police-01-what-trafficking-is"


def offence_section_number() -> int:
    module = read_curriculum(REAL_CURRICULA, REAL_ASSESSMENTS).modules[MODULE]
    return next(i for i, s in enumerate(module.body.sections, 1) if any(c.slot == "offence" for c in s.chunks))


def read_up_to(page, base_url, number):
    page.goto(f"{base_url}/learn/modules/{MODULE}")
    if re.search(r"/learn/courses/\d+/start$", page.url):  # the pre-test choice: skip it (the second button)
        page.locator('form[action$="/pre-test/skip"] button').click()
        page.wait_for_url(re.compile(rf"/learn/modules/{MODULE}$"))
    # Located by address and place, not by label: the interface itself is in the trainee's language.
    page.locator(f'a[href$="/learn/modules/{MODULE}/sections/1"]').first.click()
    for current in range(1, number):
        page.wait_for_url(re.compile(rf"/sections/{current}$"))
        page.locator("nav.pager button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/sections/{number}$"))


@pytest.mark.parametrize("country, language, heading, expected, absent, notices", [
    # Serbian trainee reading the draft Serbian translation: Serbian passage, Art. 388, draft notice;
    # the article is not yet checked against the official text, so passage and reference are flagged.
    ("RS", "sr", "Srbija", "člana 388 Krivičnog zakonika", "Article 110/a",
     ["draft_translation", "unverified_passage", "unverified_fact"]),
    # Romanian trainee in English: both Romanian articles; they rest on secondary sources (not yet read in the
    # official text), so passage and reference are flagged; no translation notice.
    ("RO", "en", "Romania", "Article 210 of the Criminal Code", "Article 388", ["unverified_passage", "unverified_fact"]),
    # Albanian trainee in Albanian: Albanian passage, its articles from secondary sources flagged.
    ("AL", "sq", "Shqipëri", "nenit 110/a të Kodit Penal", "Article 210",
     ["draft_translation", "unverified_passage", "unverified_fact"]),
])
def test_trainee_sees_their_countrys_passage_in_their_language(real_app, live_real, page, assert_accessible,
                                                               country, language, heading, expected, absent, notices):
    email = f"reader.{country.lower()}.{language}@example.org"
    with real_app.app_context():
        create_test_user(email=email, country=country, language=language, name=f"Reader {country}")
    sign_in(page, live_real.url, email)
    page.wait_for_url(re.compile(r"/learn/$"))
    number = offence_section_number()
    read_up_to(page, live_real.url, number)

    article = page.locator("article")
    assert heading in article.locator("h1").inner_text()
    national = article.locator(".national")
    assert national.count() == 1
    assert expected in national.inner_text()
    assert absent not in article.inner_text()
    assert article.get_attribute("lang") == language
    shown = {cls.removeprefix("notice-") for el in page.locator("main .notice").all()
             for cls in (el.get_attribute("class") or "").split() if cls.startswith("notice-")}
    assert shown == set(notices)
    assert_accessible(page)
