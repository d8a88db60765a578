"""A regional coordinator drills down region → country → academy → unit in headless Chromium, and downloads
the academy's table as XLSX: the same rows as the page, small cells withheld, no axe violations."""

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.foundation import disclosure
from tests.browser.conftest import sign_in
from tests.factories import create_test_user, get_academy, people

pytestmark = pytest.mark.browser


def test_regional_coordinator_drills_down_and_downloads_an_export(real_app, live_real, page, assert_accessible):
    with real_app.app_context():
        create_test_user(email="drill.regional@example.org", role="regional_coordinator", country="RS",
                         name="Regional Coordinator")
        academy = get_academy("AL", "drill-police-academy")
        academy.name = "Drill Police Academy"
        tirana = people(academy, 7, tag="drill-a", started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1))
        for user in tirana:
            user.unit = "Tirana station"
        # The seven are both trained and enrolled: one cell key, one figure, as the cell-key method publishes it.
        shown = disclosure.perturb(7, sum(u.record_key for u in tirana))
        for user in people(academy, 6, tag="drill-b", started=datetime(2026, 4, 1)):
            user.unit = "Vlorë station"
        for index, user in enumerate(people(academy, 2, tag="drill-c")):
            user.unit = "Kukës station"
            user.record_key = disclosure.KEY_SPACE // 2 if index == 0 else 0  # published as 2: withheld
        db.session.commit()

    sign_in(page, live_real.url, "drill.regional@example.org")
    page.goto(f"{live_real.url}/coverage/")
    page.get_by_role("link", name="Drill down").click()
    assert page.get_by_role("heading", name="Training coverage: All countries").is_visible()
    # Every country of the installation, by name; those without trainees say so.
    level = page.locator("#level")
    for name in ("Albania", "Kosovo", "North Macedonia", "Türkiye"):
        assert level.get_by_role("rowheader", name=name).first.is_visible(), name
    assert level.get_by_text("No trainees yet").first.is_visible()
    assert_accessible(page)

    level.get_by_role("link", name="Albania").first.click()
    assert page.get_by_role("heading", name="Training coverage: Albania").is_visible()
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    assert crumbs.get_by_role("link", name="All countries").is_visible()

    page.locator("#level").get_by_role("link", name="Drill Police Academy").first.click()
    assert page.get_by_role("heading", name="Training coverage: Drill Police Academy").is_visible()
    rows = page.locator("#level tbody tr")
    texts = [" | ".join(rows.nth(i).locator("th, td").all_inner_texts()) for i in range(rows.count())]
    # Target, trained, lapsed, in progress, enrolled.
    assert any(t.startswith(f"Tirana station | Police | — | {shown} | 0 | 0 | {shown}") for t in texts), texts
    kukes = next(t for t in texts if t.startswith("Kukës station"))
    assert "withheld" in kukes and " 2 " not in kukes
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:7] == ["Unit", "Prong", "Target", "Trained", "Lapsed", "In progress", "Enrolled"]
    row = next(r for r in values if r[0] == "Tirana station")
    assert row[3:7] == [shown, 0, 0, shown]
    assert next(r for r in values if r[0] == "Kukës station")[3] == "withheld"

    page.locator("#level").get_by_role("link", name="Vlorë station").first.click()
    assert page.get_by_role("heading", name="Training coverage: Vlorë station").is_visible()
    assert crumbs.get_by_role("link", name="Drill Police Academy").is_visible()
