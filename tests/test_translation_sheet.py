"""The per-language translation sheet: module by module, what is missing, draft, outdated or reviewed."""

import io

import openpyxl

from tests.conftest import login


def test_sheet_per_language_with_exports(app, client, make_user):
    make_user(email="coord@example.org", role="coordinator")
    login(client, "coord@example.org")
    page = client.get("/curriculum/translations?language=sq")
    assert page.status_code == 200 and 'id="translation-sheet"' in page.text
    row = page.text.split("police-01-basics")[1].split("</tr>")[0]
    assert "draft" in row and "native review" in row
    serbian = client.get("/curriculum/translations?language=sr").text.split("police-01-basics")[1].split("</tr>")[0]
    assert "missing" in serbian and "translate" in serbian
    csv = client.get("/curriculum/translations?language=sq&format=csv")
    assert csv.status_code == 200 and csv.headers["Cache-Control"] == "no-store"
    assert "police-01-basics" in csv.get_data(as_text=True)
    xlsx = client.get("/curriculum/translations?language=sq&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]][:3] == ["course", "module", "version"]
    assert client.get("/curriculum/translations?language=xx").status_code == 404


def test_trainees_and_academy_administrators_cannot_see_it(app, client, make_user):
    make_user(email="t@example.org")
    login(client, "t@example.org")
    assert client.get("/curriculum/translations").status_code == 403
