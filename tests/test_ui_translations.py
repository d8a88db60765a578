"""Interface message catalogs: compiled files match their sources, placeholders survive translation,
and a trainee whose language has a catalog gets the interface in that language."""

import re

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.foundation.languages import UI_LANGUAGES, catalog_dir
from tests.conftest import ROOT, login
from tests.quiz_helpers import begin

CATALOGS = ROOT / "app" / "translations"
LANGUAGES = [code for code in UI_LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)\w")


def po(language):
    with open(CATALOGS / catalog_dir(language) / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


def _key(value):
    """Plural messages: babel reads their ids and strings as tuples from .po, lists from .mo."""
    return tuple(value) if isinstance(value, list) else value


def translated(catalog):
    return {_key(m.id): _key(m.string) for m in catalog
            if m.id and m.string and (not isinstance(m.string, (tuple, list)) or all(m.string)) and not m.fuzzy}


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_source(language):
    with open(CATALOGS / catalog_dir(language) / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = read_mo(fh)
    assert translated(compiled) == translated(po(language)), \
        f"app/translations/{language}: .mo is stale; run scripts/update-translations.sh"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    for message in po(language):
        if not message.id or not message.string:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(source)), (language, source, string)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_covers_every_message_of_the_interface(language):
    with open(CATALOGS / "messages.pot", "rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    missing = template - set(translated(po(language)))
    assert not missing, f"{len(missing)} untranslated in {language}, e.g. {sorted(missing)[:5]}"


@pytest.mark.parametrize("language, continue_label, lang_attr", [("sr", "Nastavi", "sr-Latn"), ("sq", "Vazhdo", "sq")])
def test_trainee_gets_the_interface_in_their_language(app, client, make_user, language, continue_label, lang_attr):
    user = make_user(email=f"ui.{language}@example.org", language=language)
    login(client, user["email"])
    page = client.get("/learn/").get_data(as_text=True)
    assert f'<html lang="{lang_attr}">' in page
    assert "My training" not in page  # the dashboard heading is translated
    modules = re.findall(r'href="(/learn/modules/[^"/]+)"', page)
    begin(client, modules[0].rsplit("/", 1)[1])
    section = client.get(modules[0] + "/sections/1").get_data(as_text=True)
    assert continue_label in section


def test_english_interface_for_languages_without_a_catalog(app, client, make_user):
    user = make_user(email="ui.de@example.org", language="de", country="RS")  # a language with no catalog here
    login(client, user["email"])
    page = client.get("/learn/").get_data(as_text=True)
    assert '<html lang="en">' in page and "My training" in page


# Each language of the region: a phrase of its catalog on the trainee's dashboard (the heading "My training").
REGION = [("bg", "bg"), ("mk", "mk"), ("ro", "ro"), ("tr", "tr"), ("hr", "hr"), ("bs", "bs"), ("sl", "sl"),
          ("cnr", "sr-Latn-ME"), ("sr_Cyrl", "sr-Cyrl")]


@pytest.mark.parametrize("language, lang_attr", REGION)
def test_every_language_of_the_region_has_the_interface(app, client, make_user, language, lang_attr):
    user = make_user(email=f"ui.{language.lower()}@example.org", language=language, country="RS")
    login(client, user["email"])
    page = client.get("/learn/").get_data(as_text=True)
    assert f'<html lang="{lang_attr}">' in page
    assert "My training" not in page and "Sign out" not in page  # translated, not English


@pytest.mark.parametrize("language, expected", [
    ("sq", "Lexoni modulin deri në fund para se të bëni kuizin e tij."),
    ("sr", "Pročitajte modul do kraja pre nego što radite njegov kviz."),
])
def test_a_service_refusal_reaches_the_trainee_in_their_language(app, client, make_user, language, expected):
    """The learning service's refusal (quiz before reading) is a translatable message, shown translated."""
    user = make_user(email=f"refusal.{language}@example.org", language=language)
    login(client, user["email"])
    response = client.get("/learn/modules/police-01-basics/quiz")
    assert response.status_code == 302
    assert expected in client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)


def test_serbian_cyrillic_is_the_transliteration_of_the_latin_catalog(tmp_path):
    """One Serbian text is kept by hand (Latin); the Cyrillic catalog is made from it, never edited."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("serbian_cyrillic", ROOT / "scripts" / "serbian_cyrillic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = tmp_path / "messages.po"
    module.build(target=fresh)
    with open(fresh, "rb") as fh:
        expected = translated(read_po(fh))
    assert translated(po("sr_Cyrl")) == expected, "run scripts/update-translations.sh"
    assert expected["Quiz"] == "Тест знања" and "%(n)d" in module.to_cyrillic("Dodato učesnika: %(n)d.")


def test_serbian_in_cyrillic_for_a_trainee_who_chose_it(app, client, make_user):
    user = make_user(email="cyr@example.org", country="RS", language="sr_Cyrl")
    login(client, user["email"])
    page = client.get("/learn/").get_data(as_text=True)
    assert '<html lang="sr-Cyrl">' in page and "Моја обука" in page
