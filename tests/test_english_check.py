"""English left in translated text is a validation problem; quoted titles and the target language's own
short words are not."""

from app.curriculum.english import english_runs
from tests.test_curriculum_validate import edit, problems


def test_runs_of_english_are_found():
    assert english_runs("Viktima ka të drejtë. The officer must refer the person to the unit.", "sq") == [
        "The officer must refer the person to the unit"]


def test_quoted_titles_and_own_words_are_not_english():
    assert english_runs("Konventa „Convention on Action against Trafficking in Human Beings“ e vitit 2005.", "sq") == []
    assert english_runs("Vidi *Trafficking in Persons Report* za 2023.", "sr") == []
    assert english_runs("Ako je to on do kraja uradio, a i to no.", "sr") == []


def test_validate_reports_english_in_a_translation(mini_copy):
    edit(mini_copy, "curricula/police/translations/sq/police-01-basics.md", "TEKST SHQIP.",
         "TEKST SHQIP. Then the officer should call the unit and wait for it.")
    found = problems(mini_copy)
    assert any("English left in a translated text: 'Then the officer should call the unit and wait for it'" in p
               for p in found), found
