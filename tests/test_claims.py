"""National facts with what stands behind them: claims in passages and profiles, validated and shown."""

from app.curriculum.render import render_module
from app.curriculum.tree import read_curriculum

PASSAGE = "curricula/police/national/al/police-01-basics.md"
PROFILE = "curricula/countries/al.yml"

WITH_CLAIMS = """---
module: police-01-basics
country: AL
claims:
  c1:
    status: law
    law: "Criminal Code of the Republic of Albania"
    article: "Art. 110/a"
    publication: "Official Journal 1995/2"
  c2:
    status: secondary
    document: "GRETA, third evaluation round report on Albania, GRETA(2020)09"
    year: 2020
    paragraph: "112"
  c3:
    status: unconfirmed
    confirm: "the length of the reflection period"
---

::: passage offence
The offence is in Art. 110/a. [[c1]] Victims are referred by the police. [[c2]]
The reflection period is to be confirmed. [[c3]]
:::
"""


def _problems(tree):
    return [str(p) for p in read_curriculum(tree / "curricula", tree / "assessments").problems]


def test_a_passage_with_claims_is_valid_and_derives_its_status(mini_copy):
    (mini_copy / PASSAGE).write_text(WITH_CLAIMS, "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    assert cur.problems == []
    passage = next(p for p in cur.passages if p.country == "AL")
    assert [c.status for c in passage.claims.values()] == ["law", "secondary", "unconfirmed"]
    assert passage.verified is False  # one claim is not the law's text
    assert "GRETA, third evaluation round report on Albania, GRETA(2020)09 (2020), para. 112" in passage.sources


def test_the_reader_sees_each_claims_status_and_source(app, mini_copy):
    (mini_copy / PASSAGE).write_text(WITH_CLAIMS, "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    with app.test_request_context():
        content = render_module(cur, cur.modules["police-01-basics"], cur.profiles["AL"], "en")
    html = "".join(s["html"] for s in content["sections"])
    assert "Art. 110/a. <sup>[1]</sup>" in html and "<sup>[3]</sup>" in html
    assert 'class="claim claim-law"' in html and "The law&#39;s text:" in html
    assert "Criminal Code of the Republic of Albania, Art. 110/a (Official Journal 1995/2)" in html
    assert "Secondary source, not the law&#39;s text:" in html
    # An unconfirmed claim is marked as such; the question it puts to the national coordinator is theirs (review
    # sheet), not the reader's.
    assert "Not yet confirmed</span>" in html and "the length of the reflection period" not in html


def test_a_law_claim_without_title_article_or_publication_is_refused(mini_copy):
    (mini_copy / PASSAGE).write_text(WITH_CLAIMS.replace('    article: "Art. 110/a"\n', "")
                                     .replace('    publication: "Official Journal 1995/2"\n', ""), "utf-8")
    found = _problems(mini_copy)
    assert any("claim 'c1' (law) needs 'article'" in p for p in found), found
    assert any("claim 'c1' (law) needs 'publication'" in p for p in found), found


def test_a_secondary_claim_without_year_or_place_is_refused(mini_copy):
    (mini_copy / PASSAGE).write_text(WITH_CLAIMS.replace("    year: 2020\n", "")
                                     .replace('    paragraph: "112"\n', ""), "utf-8")
    found = _problems(mini_copy)
    assert any("claim 'c2' (secondary) needs 'year'" in p for p in found), found
    assert any("claim 'c2' (secondary) needs one of paragraph, page, section" in p for p in found), found


def test_marks_and_claims_must_match(mini_copy):
    text = WITH_CLAIMS.replace("[[c3]]", "[[c4]]")
    (mini_copy / PASSAGE).write_text(text, "utf-8")
    found = _problems(mini_copy)
    assert any("[[c4]] names no claim" in p for p in found), found
    assert any("claim 'c3' is not marked anywhere" in p for p in found), found
    (mini_copy / PASSAGE).write_text(WITH_CLAIMS.replace("claims:", "verified: true\nclaims:"), "utf-8")
    assert any("'verified' follows from the claims" in p for p in _problems(mini_copy))


def test_a_profile_reference_with_a_status(mini_copy):
    path = mini_copy / PROFILE
    text = path.read_text("utf-8")
    path.write_text(text.replace('    source: "Test source A"\n    verified: true\n',
                                 '    status: secondary\n    document: "US Department of State, Trafficking in Persons '
                                 'Report 2018, Albania chapter"\n    year: 2018\n    section: "Prosecution"\n'), "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    assert cur.problems == []
    ref = cur.profiles["AL"].legal_references["trafficking_offence"]
    assert ref.verified is False and ref.claim.status == "secondary"
    assert ref.source == "US Department of State, Trafficking in Persons Report 2018, Albania chapter (2018), section Prosecution"
    path.write_text(text.replace('    source: "Test source A"\n    verified: true\n', "    status: law\n"), "utf-8")
    found = _problems(mini_copy)
    assert any("claim 'trafficking_offence' (law) needs 'law'" in p for p in found), found
