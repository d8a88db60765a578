"""Trainer's guides: `flask curricula validate` requires one for every module, with its five sections; staff
read them, trainees never do."""

from tests.conftest import login
from tests.quiz_helpers import begin, read_all_sections
from tests.test_curriculum_validate import MODULE, edit, problems

GUIDE = "curricula/police/guides/police-01-basics.md"
SLUG = "police-01-basics"


def test_a_module_without_a_guide_is_a_problem(mini_copy):
    (mini_copy / GUIDE).unlink()
    assert any(p.startswith(f"{MODULE}:1: no trainer's guide: write police/guides/police-01-basics.md")
               for p in problems(mini_copy))


def test_validate_fails_without_guides(mini_copy, scratch_app):
    (mini_copy / GUIDE).unlink()
    runner = scratch_app.test_cli_runner()
    result = runner.invoke(args=["curricula", "validate"])
    assert result.exit_code == 1 and "no trainer's guide" in result.output


def test_sections_in_order_and_filled(mini_copy):
    edit(mini_copy, GUIDE, "## Running the case\n", "## Case\n")
    assert any("a trainer's guide has the sections '## Timing'" in p and "found:" in p for p in problems(mini_copy))


def test_empty_section_and_missing_model_answers(mini_copy):
    edit(mini_copy, GUIDE, "The module pages and a flip chart.", "")
    edit(mini_copy, GUIDE, "   Model answer: the act (section 1).", "   The act.")
    found = problems(mini_copy)
    assert any(p.startswith(GUIDE) and "section 'Materials' is empty" in p for p in found)
    assert any(p.startswith(GUIDE) and "need model answers" in p for p in found)


def test_guide_for_an_unknown_module(mini_copy):
    src = mini_copy / GUIDE
    (src.parent / "police-09-nothing.md").write_text(
        src.read_text("utf-8").replace("module: police-01-basics", "module: police-09-nothing"), "utf-8")
    assert any("guide for unknown module 'police-09-nothing'" in p for p in problems(mini_copy))


def test_staff_read_the_guide_trainees_never_do(app, client, make_user):
    make_user(email="aa@example.org", role="academy_admin")
    staff = app.test_client()
    login(staff, "aa@example.org")
    page = staff.get(f"/curriculum/modules/{SLUG}/guide")
    assert page.status_code == 200
    assert "FACILITATOR-ONLY TEXT" in page.text and "Discussion questions" in page.text and "<table>" in page.text
    assert f"/curriculum/modules/{SLUG}/guide" in staff.get("/curriculum/").text
    trainee = make_user(email="t@example.org")
    login(client, trainee["email"])
    assert client.get(f"/curriculum/modules/{SLUG}/guide").status_code == 403
    begin(client, SLUG)
    read_all_sections(client, SLUG, 3)
    pages = [client.get("/learn/").text, client.get(f"/learn/modules/{SLUG}").text]
    pages += [client.get(f"/learn/modules/{SLUG}/sections/{n}").text for n in (1, 2, 3)]
    for text in pages:
        assert "FACILITATOR-ONLY TEXT" not in text and "Model answer" not in text
