"""`flask curricula validate` on broken files: every problem names its file and line."""

from pathlib import Path

from app.curriculum.tree import read_curriculum

ROOT = Path(__file__).resolve().parent.parent
MODULE = "curricula/police/01-basics.md"
BANK = "assessments/police/police-01-basics.yml"


def problems(tree: Path) -> list[str]:
    return [str(p) for p in read_curriculum(tree / "curricula", tree / "assessments").problems]


def edit(tree: Path, rel: str, old: str, new: str) -> None:
    path = tree / rel
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_the_fixture_tree_is_valid(mini_copy):
    assert problems(mini_copy) == []


def test_missing_field_names_file_and_line(mini_copy):
    edit(mini_copy, MODULE, "title: Basics\n", "")
    assert f"{MODULE}:2: missing field 'title'" in problems(mini_copy)


def test_unknown_prong(mini_copy):
    edit(mini_copy, MODULE, "prong: police", "prong: traffic")
    assert any(p.startswith(f"{MODULE}:3: unknown prong 'traffic'") for p in problems(mini_copy))


def test_duplicate_module_ids(mini_copy):
    src = mini_copy / MODULE
    (src.parent / "02-copy.md").write_text(src.read_text("utf-8").replace("order: 1", "order: 2"), "utf-8")
    found = problems(mini_copy)
    assert f"curricula/police/02-copy.md:2: duplicate module id 'police-01-basics' (also in {MODULE})" in found


def test_answer_key_pointing_nowhere(mini_copy):
    edit(mini_copy, BANK, "    answer: a\n", "    answer: z\n")
    assert f"{BANK}:12: answer 'z' points to no option (options: a, b)" in problems(mini_copy)


def test_multiple_response_key_pointing_nowhere(mini_copy):
    edit(mini_copy, BANK, "answer: [a, c]", "answer: [a, x]")
    assert f"{BANK}:22: answer 'x' points to no option (options: a, b, c)" in problems(mini_copy)


def test_placeholder_without_value_for_a_country(mini_copy):
    edit(mini_copy, MODULE, "The offence is {{law.trafficking_offence}}.", "See {{law.child_trafficking}}.")
    found = problems(mini_copy)
    assert f"{MODULE}:20: placeholder '{{{{law.child_trafficking}}}}' has no value for AL (curricula/countries/al.yml)" in found
    assert sum("has no value for" in p and p.startswith(MODULE) for p in found) == 3  # AL, RS, XK


def test_unclosed_national_slot(mini_copy):
    edit(mini_copy, MODULE, "GENERAL FALLBACK TEXT.\n:::\n", "GENERAL FALLBACK TEXT.\n")
    assert f"{MODULE}:22: national slot 'offence' is not closed by ':::' before the next section" in problems(mini_copy)


def test_text_before_first_section(mini_copy):
    edit(mini_copy, MODULE, "---\n\n## First section", "---\nStray intro.\n## First section")
    assert f"{MODULE}:13: text before the first '## ' section heading" in problems(mini_copy)


def test_invalid_yaml_names_the_line(mini_copy):
    edit(mini_copy, BANK, "pass_mark: 60", "pass_mark: [60")
    assert any(p.startswith(f"{BANK}:") and "invalid YAML" in p for p in problems(mini_copy))


def test_duplicate_question_ids(mini_copy):
    edit(mini_copy, BANK, "  - id: q2\n", "  - id: q1\n")
    assert f"{BANK}:14: duplicate question id 'q1' (first on line 5)" in problems(mini_copy)


def test_unknown_question_type(mini_copy):
    edit(mini_copy, BANK, "type: multiple", "type: essay")
    assert any(p.startswith(f"{BANK}:15: unknown question type 'essay'") for p in problems(mini_copy))


def test_draw_larger_than_available_for_a_country(mini_copy):
    edit(mini_copy, BANK, "draw: 3", "draw: 4")
    assert f"{BANK}:1: draws 4 questions but only 3 are available for RS" in problems(mini_copy)


def test_translation_with_different_sections(mini_copy):
    rel = "curricula/police/translations/sq/police-01-basics.md"
    edit(mini_copy, rel, "## Seksioni i fundit\n", "")
    assert any(p.startswith(rel) and "has 2 sections but the module has 3" in p for p in problems(mini_copy))


def test_passage_for_unknown_slot(mini_copy):
    rel = "curricula/police/national/al/police-01-basics.md"
    edit(mini_copy, rel, "::: passage offence", "::: passage referral")
    assert f"{rel}:9: module 'police-01-basics' has no national slot 'referral' (slots: offence)" in problems(mini_copy)


def test_legal_reference_without_source(mini_copy):
    edit(mini_copy, "curricula/countries/al.yml", '    source: "Test source A"\n', "")
    assert "curricula/countries/al.yml:6: missing field 'source'" in problems(mini_copy)


def test_module_without_question_bank(mini_copy):
    (mini_copy / BANK).unlink()
    assert any(p.startswith(f"{MODULE}:1: module 'police-01-basics' has no question bank") for p in problems(mini_copy))


def test_non_utf8_file(mini_copy):
    (mini_copy / MODULE).write_bytes((mini_copy / MODULE).read_bytes() + b"\n\xff\xfe broken\n")
    assert any(p.startswith(f"{MODULE}:") and "not valid UTF-8" in p for p in problems(mini_copy))


def test_cli_prints_problems_and_exits_non_zero(app, mini_copy):
    edit(mini_copy, BANK, "    answer: a\n", "    answer: z\n")
    result = app.test_cli_runner().invoke(args=[
        "curricula", "validate", "--curricula", str(mini_copy / "curricula"),
        "--assessments", str(mini_copy / "assessments")])
    assert result.exit_code == 1
    assert f"{BANK}:12: answer 'z' points to no option" in result.output


def test_cli_passes_on_the_fixture_tree(app, mini_copy):
    result = app.test_cli_runner().invoke(args=[
        "curricula", "validate", "--curricula", str(mini_copy / "curricula"),
        "--assessments", str(mini_copy / "assessments")])
    assert result.exit_code == 0 and result.output.startswith("OK: 1 modules")


def test_the_real_curriculum_is_valid(app):
    """The shipped curriculum passes validation (the CLI, as an author runs it)."""
    result = app.test_cli_runner().invoke(args=[
        "curricula", "validate", "--curricula", str(ROOT / "curricula"), "--assessments", str(ROOT / "assessments")])
    assert result.exit_code == 0, result.output


def test_unquoted_colon_in_a_list_item_is_explained(mini_copy):
    edit(mini_copy, MODULE, "  - Know the basics.", "  - Know the basics: act, means, purpose.")
    assert f"{MODULE}:9: item 1 of 'objectives' must be a text (quote it: a ': ' inside makes YAML read a mapping)" in problems(mini_copy)


def test_passage_file_language_suffix_must_match_front_matter(mini_copy):
    rel = "curricula/police/national/al/police-01-basics.sr.md"
    source = (mini_copy / "curricula/police/national/al/police-01-basics.md").read_text("utf-8")
    (mini_copy / rel).write_text(source.replace("country: AL\n", "country: AL\nlanguage: sq\n"), "utf-8")
    assert f"{rel}:4: language 'sq' does not match the file name 'police-01-basics.sr.md' (expected 'sr')" in problems(mini_copy)


def test_comma_in_unquoted_option_text_is_caught(mini_copy):
    # YAML reads {id: b, text: Deception, for example} as text "Deception" plus a key "for example".
    edit(mini_copy, BANK, "{id: b, text: Deception}", "{id: b, text: Deception, for example lies}")
    assert any(p.startswith(f"{BANK}:11: option has unexpected keys 'for example lies'") and "quotes" in p
               for p in problems(mini_copy)), problems(mini_copy)
