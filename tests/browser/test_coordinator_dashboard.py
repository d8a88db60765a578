"""The coordinator dashboard in headless Chromium: charts drawn without JavaScript, no axe violations."""

import pytest

from tests.browser.conftest import sign_in
from tests.factories import create_test_user

pytestmark = pytest.mark.browser


def test_coverage_dashboard_is_accessible_and_draws_charts(real_app, live_real, page, assert_accessible):
    with real_app.app_context():
        create_test_user(email="browser.coordinator@example.org", role="coordinator", country="AL", name="Coordinator")
    sign_in(page, live_real.url, "browser.coordinator@example.org")
    page.goto(f"{live_real.url}/coverage/")
    assert page.get_by_role("heading", name="Coverage by prong").is_visible()
    assert page.locator(".chart [role=img]").count() == 2
    assert page.locator("#knowledge-gain").is_visible()
    assert_accessible(page)
    page.goto(f"{live_real.url}/coverage/targets")
    assert_accessible(page)
    page.goto(f"{live_real.url}/coverage/tokens")
    assert_accessible(page)
