"""The per-country review sheet of national claims, and recording a legal expert's confirmations."""

import csv
import io

from app.curriculum import review
from app.curriculum.tree import read_curriculum
from tests.conftest import login
from tests.test_claims import PASSAGE, WITH_CLAIMS


def _tree(mini_copy):
    (mini_copy / PASSAGE).write_text(WITH_CLAIMS, "utf-8")
    return read_curriculum(mini_copy / "curricula", mini_copy / "assessments")


def test_the_sheet_lists_every_claim_with_status_source_and_statement(mini_copy):
    sheet = review.rows(_tree(mini_copy), "AL")
    by_claim = {r.claim: r for r in sheet if r.file == PASSAGE}
    assert [by_claim[k].status for k in ("c1", "c2", "c3")] == ["law", "secondary", "unconfirmed"]
    assert by_claim["c2"].statement == "Victims are referred by the police."
    assert by_claim["c2"].source.startswith("GRETA, third evaluation round report on Albania")
    assert by_claim["c3"].confirm == "the length of the reflection period"
    rows = list(csv.DictReader(io.StringIO(review.to_csv(sheet).lstrip("\ufeff"))))
    assert len(rows) == len(sheet) and rows[0].keys() >= {"file", "claim", "confirmed_by"}


def _filled(mini_copy, **values):
    sheet = review.rows(_tree(mini_copy), "AL")
    rows = list(csv.DictReader(io.StringIO(review.to_csv(sheet).lstrip("\ufeff"))))
    for row in rows:
        if row["file"] == PASSAGE and row["claim"] == "c2":
            row.update(values)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=review.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_a_confirmation_is_recorded_in_the_file_and_the_tree_stays_valid(mini_copy):
    text = _filled(mini_copy, law="Law No. 10192 on prevention", article="Art. 12", publication="Official Journal 2009/179",
                   confirmed_by="A. Expert", confirmed_on="2026-12-01")
    changed = review.apply(text, mini_copy / "curricula", mini_copy / "assessments")
    assert changed == [PASSAGE]
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    assert cur.problems == []
    claim = next(p for p in cur.passages if p.path == PASSAGE).claims["c2"]
    assert claim.status == "law" and claim.fields["confirmed_by"] == "A. Expert"
    assert claim.citation == "Law No. 10192 on prevention, Art. 12 (Official Journal 2009/179)"
    assert "Victims are referred by the police. [[c2]]" in (mini_copy / PASSAGE).read_text("utf-8")


def test_an_incomplete_confirmation_is_refused_and_nothing_changes(mini_copy):
    before = _tree(mini_copy) and (mini_copy / PASSAGE).read_text("utf-8")
    text = _filled(mini_copy, law="Law No. 10192", article="", publication="OJ", confirmed_by="A. Expert",
                   confirmed_on="2026-12-01")
    try:
        review.apply(text, mini_copy / "curricula", mini_copy / "assessments")
    except review.SheetError as exc:
        assert "needs 'article'" in str(exc)
    else:
        raise AssertionError("an incomplete confirmation was accepted")
    assert (mini_copy / PASSAGE).read_text("utf-8") == before


def test_coordinators_see_their_own_countrys_sheet(app, client, make_user):
    coordinator = make_user(email="coord.sheet@example.org", role="coordinator", country="AL")
    login(client, coordinator["email"])
    page = client.get("/curriculum/review-sheet?country=RS")
    assert page.status_code == 200 and "Albania" in page.text  # their own country, whatever is asked
    download = client.get("/curriculum/review-sheet?format=csv")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    trainee = make_user(email="t.sheet@example.org")
    other = app.test_client()
    login(other, trainee["email"])
    assert other.get("/curriculum/review-sheet").status_code == 403
