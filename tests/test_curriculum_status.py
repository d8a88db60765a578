"""The localisation matrix: `flask curricula status` and the platform administrators' page."""

from app.curriculum.status import MISSING, UNVERIFIED, VERIFIED, matrix
from app.curriculum.tree import read_curriculum
from tests.conftest import MINI, login


def test_matrix_on_the_fixture_tree(ctx):
    rows = matrix(read_curriculum(MINI / "curricula", MINI / "assessments"))
    assert len(rows) == 1
    row = rows[0]
    assert row.slots == ["offence"] and row.questions == 4
    assert row.national == {"AL": UNVERIFIED, "RS": MISSING, "XK": MISSING}
    assert row.translations == {"sq": "draft", "sq-XK": "reviewed"}


def test_matrix_marks_verified_passages_and_outdated_translations(ctx, mini_copy):
    passage = mini_copy / "curricula/police/national/al/police-01-basics.md"
    passage.write_text(passage.read_text("utf-8").replace("verified: false", "verified: true"), "utf-8")
    module = mini_copy / "curricula/police/01-basics.md"
    module.write_text(module.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    row = matrix(read_curriculum(mini_copy / "curricula", mini_copy / "assessments"))[0]
    assert row.national["AL"] == VERIFIED
    assert row.translations["sq"] == "draft (outdated)"


def test_cli_prints_the_matrix(app, runner):
    result = runner.invoke(args=["curricula", "status"])
    assert result.exit_code == 0
    line = next(row for row in result.output.splitlines() if row.startswith("police-01-basics"))
    assert line.split()[1:3] == ["1", "4"]  # version, questions
    assert "~  ·  ·" in line and "sq draft, sq-XK reviewed" in line
    assert "[police]  course title and description translated: sq draft" in result.output


def test_status_page_is_for_platform_administrators(app, client, make_user, trainee):
    coordinator = make_user(email="c@example.org", role="coordinator")
    login(client, coordinator["email"])
    assert client.get("/curriculum/status").status_code == 403
    admin = app.test_client()
    make_user(email="root@example.org", role="platform_admin")
    login(admin, "root@example.org")
    page = admin.get("/curriculum/status")
    assert page.status_code == 200 and "police-01-basics" in page.text and "sq-XK: reviewed" in page.text
    assert "<li>Police: sq: draft</li>" in page.text  # the course title and description, under its label


def test_matrix_lists_question_bank_translations(ctx):
    from app.curriculum.status import as_text

    cur = read_curriculum(MINI / "curricula", MINI / "assessments")
    rows = matrix(cur)
    bank = cur.banks["police-01-basics"]
    assert bank.translations, "the fixture bank has a translation"
    # The fixture bank has an Albanian translation marked draft (tests/fixtures/mini/assessments).
    assert rows[0].quiz_translations == {"sq": "draft"}
    line = next(row for row in as_text(rows, ["AL", "RS", "XK"]).splitlines() if row.startswith("police-01-basics"))
    assert line.endswith("quiz: sq draft")
