"""Localisation: which text, national passage and notices a trainee of a country and language gets."""

import sqlalchemy as sa

from app.curriculum.models import ModuleRendition
from app.curriculum.render import pick_text, render_module
from app.curriculum.tree import read_curriculum
from app.extensions import db
from tests.conftest import MINI, csrf_from, login
from tests.quiz_helpers import begin, read_all_sections

SLUG = "police-01-basics"


def tree():
    return read_curriculum(MINI / "curricula", MINI / "assessments")


def render(country, language):
    cur = tree()
    return render_module(cur, cur.modules[SLUG], cur.profiles[country], language)


def all_text(content):
    return content["title"] + " ".join(s["heading"] + s["html"] for s in content["sections"])


def kinds(content):
    return [n["kind"] for n in content["notices"]] + [n["kind"] for s in content["sections"] for n in s["notices"]]


def test_fallback_chain_picks_country_language_then_language_then_english(ctx):
    cur = tree()
    module = cur.modules[SLUG]
    assert pick_text(cur, module, "XK", "sq").path.endswith("translations/sq-XK/police-01-basics.md")
    assert pick_text(cur, module, "AL", "sq").path.endswith("translations/sq/police-01-basics.md")
    assert pick_text(cur, module, "RS", "sq").path.endswith("translations/sq/police-01-basics.md")
    assert pick_text(cur, module, "RS", "sr") is None  # no Serbian translation: English base
    assert pick_text(cur, module, "AL", "en") is None


def test_country_variant_of_a_translation(ctx):
    content = render("XK", "sq")
    assert content["language"] == "sq" and content["title"] == "Bazat (Kosovë)"
    assert "TEKST KOSOVAR." in all_text(content)
    assert "draft_translation" not in kinds(content)  # the XK variant is reviewed


def test_language_translation_is_marked_draft(ctx):
    content = render("AL", "sq")
    assert content["title"] == "Bazat" and "TEKST SHQIP." in all_text(content)
    assert content["notices"] == [{"kind": "draft_translation", "language": "sq"}]


def test_english_base_with_placeholders_filled(ctx):
    content = render("RS", "en")
    text = all_text(content)
    assert content["language"] == "en"
    assert "The offence in Serbia" in text and "Criminal Code, Art. 388" in text
    assert "{{" not in text


def test_national_passage_replaces_fallback_and_unverified_is_flagged(ctx):
    content = render("AL", "en")
    section = content["sections"][1]
    assert "ALBANIAN NATIONAL PASSAGE in Albania." in section["html"]
    assert "GENERAL FALLBACK TEXT" not in section["html"]
    assert {"kind": "unverified_passage", "country": "Albania", "sources": ["Test passage source"]} in section["notices"]
    assert 'class="national unverified"' in section["html"]


def test_missing_passage_shows_fallback_with_not_localised_notice(ctx):
    section = render("RS", "en")["sections"][1]
    assert "GENERAL FALLBACK TEXT." in section["html"]
    assert {"kind": "not_localised", "country": "Serbia"} in section["notices"]


def test_unverified_legal_reference_is_flagged(ctx):
    section = render("XK", "en")["sections"][1]
    assert "Criminal Code (article to be confirmed)" in section["html"]
    assert {"kind": "unverified_fact", "citation": "Criminal Code (article to be confirmed)",
            "source": "Test source C"} in section["notices"]


def test_outdated_translation_is_flagged(ctx, mini_copy):
    rel = mini_copy / "curricula/police/01-basics.md"
    rel.write_text(rel.read_text("utf-8").replace("version: 1", "version: 2"), "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    content = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "sq")
    assert {"kind": "outdated_translation", "language": "sq", "source_version": "1", "version": "2"} in content["notices"]


def test_markdown_is_sanitised(ctx, mini_copy):
    rel = mini_copy / "curricula/police/01-basics.md"
    rel.write_text(rel.read_text("utf-8").replace(
        "The first section text.",
        "The first section text. <script>alert(1)</script> <a href=\"javascript:alert(1)\">x</a> <img src=x onerror=alert(1)>"),
        "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    html = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "en")["sections"][0]["html"]
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html
    assert "The first section text." in html


def test_trainee_reads_their_language_and_sees_the_draft_notice(app, client, make_user):
    user = make_user(email="sq@example.org", country="AL", language="sq")
    login(client, user["email"])
    begin(client, SLUG)
    page = client.get(f"/learn/modules/{SLUG}/sections/1").text
    assert "TEKST SHQIP." in page and 'lang="sq"' in page
    assert 'notice-draft_translation' in page and "Përkthim draft:" in page  # the notice, in the reader's language


def test_trainee_with_untranslated_language_gets_english_and_a_notice(app, client, make_user):
    user = make_user(email="sr@example.org", country="RS", language="sr")
    login(client, user["email"])
    begin(client, SLUG)
    page = client.get(f"/learn/modules/{SLUG}/sections/1").text
    assert "The first section text." in page and "notice-english_fallback" in page
    assert "prikazan je na engleskom" in page  # the notice is in Serbian, the reader's interface language
    read_all_sections(client, SLUG, 1)
    page = client.get(f"/learn/modules/{SLUG}/sections/2").text
    assert "notice-not_localised" in page and "GENERAL FALLBACK TEXT." in page


def test_renditions_are_stored_for_every_country_and_language(app):
    with app.app_context():
        keys = set(db.session.execute(sa.select(ModuleRendition.country_code, ModuleRendition.language)).all())
    assert keys == {("AL", "en"), ("AL", "sq"), ("RS", "en"), ("RS", "sq"), ("XK", "en"), ("XK", "sq")}


def test_pages_do_not_render_markdown_per_request(app, trainee_client, monkeypatch):
    """Markdown is rendered at load time; a request only reads the stored rendition."""
    import markdown

    calls = []
    original = markdown.markdown
    monkeypatch.setattr(markdown, "markdown", lambda *a, **k: calls.append(1) or original(*a, **k))
    from app.curriculum import render as render_module_
    render_module_._markdown_cached.cache_clear()
    for number in (1, 2, 3):
        read_all_sections(trainee_client, SLUG, number)
    assert trainee_client.get(f"/learn/modules/{SLUG}").status_code == 200
    assert calls == []


def test_passage_in_the_readers_language_wins_over_the_english_one(ctx, mini_copy):
    national = mini_copy / "curricula/police/national/al"
    (national / "police-01-basics.sq.md").write_text(
        "---\nmodule: police-01-basics\ncountry: AL\nverified: true\nsources:\n  - \"Test source A\"\n---\n\n"
        "::: passage offence\nPASAZH KOMBËTAR SHQIP.\n:::\n", "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    assert cur.problems == []
    albanian = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "sq")["sections"][1]
    english = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "en")["sections"][1]
    assert "PASAZH KOMBËTAR SHQIP." in albanian["html"] and "ALBANIAN NATIONAL PASSAGE" not in albanian["html"]
    assert not any(n["kind"] == "unverified_passage" for n in albanian["notices"])
    assert "ALBANIAN NATIONAL PASSAGE in Albania." in english["html"] and "PASAZH" not in english["html"]


def test_country_name_follows_the_text_language(ctx, mini_copy):
    profile = mini_copy / "curricula/countries/al.yml"
    profile.write_text(profile.read_text("utf-8").replace("legal_references:", "local_names:\n  sq: Shqipëri\nlegal_references:", 1), "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    assert cur.problems == []
    albanian = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "sq")
    english = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "en")
    # The Albanian text gets the Albanian name; the English national passage keeps the English one.
    assert "Shqipëri" in all_text(albanian) and "ALBANIAN NATIONAL PASSAGE in Albania." in all_text(albanian)
    assert "Shqipëri" not in all_text(english) and "Albania" in all_text(english)


def test_slot_labels_are_in_the_text_language(ctx):
    """The label above a national slot is stored in the rendition, so it is written in the text's
    language (the rendition hash includes the label's wording, so a catalog change re-renders)."""
    cur = tree()
    albanian = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "sq")["sections"][1]["html"]
    english = render_module(cur, cur.modules[SLUG], cur.profiles["AL"], "en")["sections"][1]["html"]
    assert "Pjesa kombëtare: " in albanian and "National passage: " not in albanian
    assert "National passage: Albania" in english


def test_dashboard_shows_course_and_module_titles_in_the_trainees_language(app, client, make_user):
    albanian = make_user(email="dash.sq@example.org", country="AL", language="sq")
    login(client, albanian["email"])
    page = client.get("/learn/").text
    assert '<h2 id="course-' in page and 'lang="sq">Kurs policor prove</h2>' in page
    assert 'lang="sq">Bazat</a>' in page and "Test police course" not in page
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    # A language the course and module are not translated into: the English titles, marked as English.
    serbian = make_user(email="dash.sr@example.org", country="RS", language="sr")
    login(client, serbian["email"])
    page = client.get("/learn/").text
    assert 'lang="en">Test police course</h2>' in page and 'lang="en">Basics</a>' in page


def test_course_translations_are_validated_with_their_line(mini_copy):
    course = mini_copy / "curricula/police/course.yml"
    course.write_text(course.read_text("utf-8").replace("    status: draft\n    title: Kurs policor prove\n",
                                                        "    status: final\n"), "utf-8")
    line = course.read_text("utf-8").splitlines().index("    status: final") + 1
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    messages = sorted(str(p) for p in cur.problems)
    assert any(m.startswith(f"curricula/police/course.yml:{line}: status 'final' must be one of") for m in messages), \
        messages
    assert any(m.startswith("curricula/police/course.yml:") and "missing field 'title'" in m for m in messages), messages
