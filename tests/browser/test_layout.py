"""Every page type, for every role, at 1280x800 and 360x740: saved as a screenshot, and failed when the page
is wider than the screen, a table cell breaks a date, a chart's text is smaller than 12 px, the header
wraps, or axe-core finds a violation.

The pages come from the application's URL map (every GET route: those without arguments as they are, the
others with one sample per argument), so that a page added later is visited without anyone listing it. A
route with an argument this test cannot fill fails the test, naming the argument to add to `sample()`.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import AnyConverter

from app.auth import tokens
from app.auth.models import User
from app.certificates.services import issue
from app.classroom.models import ClassroomSession, SessionParticipant
from app.coverage import services as coverage
from app.coverage.tokens import create_for
from app.curriculum.models import Course, Module
from app.enrolment import services as enrolment
from app.evaluation.models import FollowUp
from app.extensions import db
from app.learning.models import QuizAttempt
from tests.browser.conftest import CHROMIUM, axe_violations, sign_in
from tests.conftest import login
from tests.factories import create_test_user, get_academy, people
from tests.quiz_helpers import answer_form, attempt_token, open_quiz, read_all_sections, submit

pytestmark = pytest.mark.browser

WIDTHS = [(1280, 800), (360, 740)]
#: Long but real-looking values, so that a layout that only fits short ones fails here.
ACADEMY_NAME = "Demo Judicial Training Centre of the Republic of North Macedonia (fictional)"
TRAINEE_NAME = "Aleksandra Stojanović-Dimitrijević"
VISITORS = {
    "anonymous": None,
    "trainee": "aleksandra.stojanovic-dimitrijevic@police-academy.example.org",
    "academy_admin": "academy.administrator@police-academy.example.org",
    "coordinator": "national.coordinator@ministry.example.org",
    "regional_coordinator": "regional.coordinator@secretariat.example.org",
    "platform_admin": "platform.administrator@thb-academy.example.org",
    "trainer": "trainer.border-police@police-academy.example.org",
}

#: Measured in the page: width, dates broken across lines in table cells, chart text under 12 px, and
#: whether everything in the header's first row sits on one line.
MEASURE = r"""() => {
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const out = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
               brokenDates: [], smallChartText: [], headerWrapped: []};
  const dateRe = /\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?/g;
  for (const cell of document.querySelectorAll('td, th')) {
    if (!visible(cell)) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(dateRe)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) out.brokenDates.push(m[0] + ' in "' + cell.textContent.trim().slice(0, 80) + '"');
      }
    }
  }
  for (const el of document.querySelectorAll('.chart *')) {
    if (!visible(el) || el.closest('.visually-hidden')) continue;
    const ownText = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.data.trim());
    if (!ownText || el.tagName === 'title') continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.ownerSVGElement) size *= el.ownerSVGElement.getScreenCTM().a;
    if (size < 12) out.smallChartText.push(el.textContent.trim().slice(0, 40) + ' at ' + size.toFixed(1) + ' px');
  }
  const row = document.querySelector('.header-row');
  if (row) {
    const items = Array.from(row.querySelectorAll(':scope > .brand, :scope > .header-tools > *, :scope > .menu > summary, :scope > .header-narrow > .language-switcher'))
      .filter(visible);
    const brand = row.querySelector('.brand').getBoundingClientRect();
    for (const item of items) {
      const box = item.getBoundingClientRect();
      if (box.top >= brand.bottom || box.bottom <= brand.top) out.headerWrapped.push(item.className || item.tagName);
    }
  }
  return out;
}"""


def _complete_first_module(app, email):
    """Read every section of the first police module and pass its quiz, through the real pages."""
    with app.app_context():
        module = db.session.scalar(sa.select(Module).join(Course).filter(Course.prong == "police")
                                   .order_by(Module.position).limit(1))
        slug, sections = module.slug, module.current_version.section_count
    client = app.test_client()
    login(client, email)
    read_all_sections(client, slug, sections)
    quiz = open_quiz(client, slug)
    token = attempt_token(quiz.text)
    from tests.conftest import csrf_from

    response = submit(client, slug, token, csrf_from(quiz.text), answer_form(app, token, right=True))
    assert response.status_code in (200, 302), response.status_code
    return slug


@pytest.fixture
def world(real_app):
    """An academy with long names, one account per role, trainees with progress, a cohort, an assignment,
    a mandatory rule, targets, an API token and a certificate: every page has something to show."""
    app = real_app
    with app.app_context():
        academy = get_academy("MK", "demo-judicial-centre-mk")
        academy.name = ACADEMY_NAME
        db.session.commit()
        create_test_user(email=VISITORS["trainee"], country="MK", academy=academy.slug, name=TRAINEE_NAME)
        create_test_user(email=VISITORS["academy_admin"], role="academy_admin", country="MK", academy=academy.slug,
                         name="Elira Administratorja-Hoxhaj")
        create_test_user(email=VISITORS["coordinator"], role="coordinator", country="MK",
                         name="Genti National-Coordinator")
        create_test_user(email=VISITORS["regional_coordinator"], role="regional_coordinator", country="RS",
                         name="Regional Coordinator of the Secretariat")
        create_test_user(email=VISITORS["platform_admin"], role="platform_admin", country="AL",
                         name="Platform Administrator")
        create_test_user(email=VISITORS["trainer"], role="trainer", country="MK", academy=academy.slug,
                         name="Trainer of the Border Police Directorate")
    slug = _complete_first_module(app, VISITORS["trainee"])
    with app.app_context():
        academy = get_academy("MK", "demo-judicial-centre-mk")
        admin = db.session.scalar(sa.select(User).filter_by(email=VISITORS["academy_admin"]))
        coordinator = db.session.scalar(sa.select(User).filter_by(email=VISITORS["coordinator"]))
        trainee = db.session.scalar(sa.select(User).filter_by(email=VISITORS["trainee"]))
        trainee.unit = "Border and Migration Police Directorate, Region North-East"
        trainee.personnel_number = "MK-2027-000123"
        police = db.session.scalar(sa.select(Course).filter_by(prong="police"))
        judiciary = db.session.scalar(sa.select(Course).filter_by(prong="judiciary"))
        start = datetime(2026, 2, 3, 9)
        people(academy, 14, prong="police", started=start, completed=start + timedelta(days=20), tag="done")
        people(academy, 9, prong="police", started=start, tag="going")
        people(academy, 3, prong="judiciary", started=start, tag="few")
        cohort = enrolment.create_cohort(admin, academy, "Intake 2027 – Border and Migration Police, North-East")
        for user in db.session.scalars(sa.select(User).filter_by(academy_id=academy.id, role="trainee")):
            enrolment.join_cohort(admin, academy, cohort, user)
        assignment = enrolment.assign(admin, academy, course=police, cohort=cohort, due_date=date(2027, 3, 31))
        enrolment.assign(admin, academy, course=judiciary, trainee=trainee, due_date=date(2027, 12, 31))
        rule = enrolment.set_mandatory(admin, academy, police, "police", 180)
        trainer = db.session.scalar(sa.select(User).filter_by(email=VISITORS["trainer"]))
        session = ClassroomSession(academy_id=academy.id, course_id=police.id, starts_on=date(2026, 11, 30),
                                   ends_on=date(2026, 12, 4), title="Basic course for the North-East border units",
                                   place="Kumanovo training centre, hall 2", partner_academy_ids=[])
        session.trainers = [trainer]
        session.participants.append(SessionParticipant(user_id=trainee.id))
        db.session.add(session)
        db.session.flush()
        coverage.set_target(coordinator, country="MK", academy=None, prong="police", target=400,
                            effective_from=date(2025, 1, 1))
        coverage.set_target(admin, country="MK", academy=academy, prong="police", target=120,
                            effective_from=date(2025, 1, 1))
        create_for(coordinator, "Ministry statistics office, quarterly report")
        issue(judiciary, trainee)
        follow_up = FollowUp(user_id=trainee.id, course_id=judiciary.id, completed_at=start + timedelta(days=20),
                             invited_on=date(2026, 6, 1))
        db.session.add(follow_up)
        db.session.commit()
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(user_id=trainee.id))
        samples = {
            "academy_slug": academy.slug, "module_slug": slug, "trainee_id": trainee.id, "user_id": trainee.id,
            "cohort_id": cohort.id, "course_id": judiciary.id, "number": 1, "result_token": attempt.token,
            "setup_token": tokens.issue(trainee, tokens.INVITATION), "country": "MK",
            "email_token": tokens.issue(trainee, tokens.EMAIL_CHANGE, new_email="new.address@example.org"),
            "assignment_id": assignment.id, "rule_id": rule.id, "session_id": session.id,
            "participant_id": session.participants[0].id, "follow_up_id": follow_up.id,
        }
    return samples


def sample(rule, argument, samples):
    """A value for one argument of a route, or None when this test does not know one."""
    converter = rule._converters.get(argument)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    before = rule.rule.split(f"<{argument}")[0] if f"<{argument}" in rule.rule else rule.rule
    if argument == "slug":
        return samples["academy_slug"] if "academ" in before else samples["module_slug"]
    if argument in ("academy", "academy_slug"):
        return samples["academy_slug"]
    if argument == "token":
        if "result" in rule.endpoint:
            return samples["result_token"]
        if "password" in rule.endpoint:
            return samples["setup_token"]
        if "email_change" in rule.endpoint:
            return samples["email_token"]
        return None
    if argument in ("country", "country_code", "code"):
        return samples["country"]
    if argument in samples:
        return samples[argument]
    return None


#: Routes that answer with a file, not a page.
DOWNLOAD = re.compile(r"\.(csv|xlsx|pdf)$|\.<fmt>$")


def page_urls(app, samples) -> tuple[list[tuple[str, str]], list[str]]:
    """(endpoint, path) for every GET route, and the routes whose arguments could not be filled."""
    urls, unknown = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static" or DOWNLOAD.search(rule.rule):
                continue  # files to download (CSV, XLSX, PDF), not pages
            values = {}
            for argument in rule.arguments:
                values[argument] = sample(rule, argument, samples)
                if values[argument] is None:
                    unknown.append(f"{rule.rule} ({argument})")
            if all(v is not None for v in values.values()):
                urls.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return urls, unknown


#: (endpoint, status, width) already checked by axe-core in this run: a page type is checked once, as the first
#: role that reaches it sees it (axe takes about a second a page; the header of every role is checked on its
#: first page).
AXE_DONE: set[tuple] = set()


def check_page(page, where, shots, name, problems, axe_key=None):
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)  # tables.js re-marks scrolling tables on resize
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        m = page.evaluate(MEASURE)
        label = f"{where} at {width}px"
        if m["scrollWidth"] > m["innerWidth"]:
            problems.append(f"{label}: the page is {m['scrollWidth']} px wide")
        if m["brokenDates"]:
            problems.append(f"{label}: dates broken across lines: {m['brokenDates'][:3]}")
        if m["smallChartText"]:
            problems.append(f"{label}: chart text under 12 px: {m['smallChartText'][:3]}")
        if m["headerWrapped"]:
            problems.append(f"{label}: the header wraps: {m['headerWrapped']}")
        if axe_key is not None and (*axe_key, width) in AXE_DONE:
            continue
        AXE_DONE.add((*axe_key, width) if axe_key else (where, width))
        # A module's own Markdown table with an empty corner cell is the content's (curricula/), not the layout's.
        violations = [v for v in axe_violations(page)
                      if not (v["id"] == "empty-table-header" and all("article" in n for n in v["nodes"]))]
        if violations:
            problems.append(f"{label}: axe-core: {violations}")


@pytest.fixture(scope="module")
def shots():
    """A directory of its own (SCREENSHOT_DIR, or a new temporary one), kept after the run for a person to look at."""
    wanted = os.environ.get("SCREENSHOT_DIR")
    path = Path(wanted) if wanted else Path(tempfile.mkdtemp(prefix="thb-screenshots-"))
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {path}")
    return path


@pytest.mark.parametrize("role", list(VISITORS))
def test_every_page_fits_the_screen_at_1280_and_360(real_app, live_real, chromium, world, shots, role):
    urls, unknown = page_urls(real_app, world)
    assert not unknown, f"routes with an argument this test cannot fill (add it to sample()): {unknown}"
    context = chromium.new_context(bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    base = live_real.url
    if VISITORS[role]:
        sign_in(page, base, VISITORS[role])
        page.wait_for_url(re.compile(r"/(learn|home|teach)/?$"))
    problems, visited, errors_seen = [], [], set()
    try:
        for endpoint, path in urls:
            response = context.request.get(base + path, max_redirects=0)
            if 300 <= response.status < 400 or "text/html" not in response.headers.get("content-type", ""):
                continue  # a redirect, a download or an API answer: not a page
            if response.status != 200:
                if response.status in errors_seen:
                    continue  # one error page of each kind is enough
                errors_seen.add(response.status)
            page.goto(base + path)
            visited.append(f"{path} ({response.status})")
            check_page(page, f"{role} {path}", shots, f"{role}-{endpoint}-{response.status}", problems,
                       axe_key=(endpoint, response.status) if visited[1:] else None)
    finally:
        context.close()
    assert visited, "no page was visited"
    assert not problems, "\n".join(problems)
    if role != "anonymous":
        assert any(v.endswith("(200)") and "login" not in v for v in visited), visited
    assert CHROMIUM  # the real browser, not a stand-in


def test_the_check_fails_on_a_page_wider_than_the_screen_and_on_a_broken_date(page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.set_content("<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
                     "<div style='width: 500px'>wide</div><table style='width: 60px'><tr><td>2027-03-31</td>"
                     "<td>a long text that takes the room</td></tr></table></main></body></html>")
    measured = page.evaluate(MEASURE)
    assert measured["scrollWidth"] > measured["innerWidth"]
    assert measured["brokenDates"] and measured["brokenDates"][0].startswith("2027-03-31")


def test_narrow_menu_and_language_switcher_work_without_javascript(real_app, live_real, chromium):
    with real_app.app_context():
        create_test_user(email=VISITORS["platform_admin"], role="platform_admin", country="AL",
                         name="Platform Administrator")
    context = chromium.new_context(java_script_enabled=False, locale="en-GB", viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        base = live_real.url
        page.goto(f"{base}/login")
        switcher = page.locator(".header-narrow .language-switcher")
        switcher.get_by_label("Language").select_option("sq")
        switcher.get_by_role("button", name="Change language").click()
        page.wait_for_url(f"{base}/login")
        assert page.locator("html").get_attribute("lang") == "sq"
        switcher = page.locator(".header-narrow .language-switcher")
        switcher.locator("select").select_option("en")
        switcher.locator("button").click()
        sign_in(page, base, VISITORS["platform_admin"])
        page.wait_for_url(re.compile(r"/home$"))
        sign_out = page.get_by_role("button", name="Sign out")
        assert not sign_out.is_visible()  # folded into the menu
        page.locator("details.menu > summary").click()
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").is_visible()
        assert sign_out.is_visible()
        box = page.locator(".menu-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        sign_out.click()
        page.wait_for_url(re.compile(r"/login$"))
        assert page.get_by_label("Password").is_visible()
    finally:
        context.close()
