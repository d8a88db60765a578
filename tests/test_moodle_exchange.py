"""Question exchange with Moodle: GIFT and Moodle XML round trips, and a file written by Moodle."""

import shutil
from pathlib import Path

import pytest

from app.assessments import exchange
from app.curriculum.tree import read_curriculum
from tests.conftest import MINI, REAL_ASSESSMENTS, REAL_CURRICULA

MOODLE_FILE = Path(__file__).parent / "fixtures" / "moodle" / "moodle-export.xml"


def _shape(bank: exchange.ImportedBank) -> tuple:
    questions = [{k: v for k, v in q.items() if k != "countries"} for q in bank.questions]
    return bank.module, questions, bank.translations


@pytest.fixture(scope="module")
def real_banks():
    cur = read_curriculum(REAL_CURRICULA, REAL_ASSESSMENTS)
    return [cur.banks[k] for k in sorted(cur.banks)]


def test_every_real_bank_survives_a_gift_round_trip(real_banks):
    back = exchange.read_gift(exchange.write_gift(real_banks))
    assert [_shape(b) for b in back] == [_shape(exchange.from_bankdef(b)) for b in real_banks]


def test_every_real_bank_survives_a_moodle_xml_round_trip(real_banks):
    back = exchange.read_moodle_xml(exchange.write_moodle_xml(real_banks))
    assert [_shape(b) for b in back] == [_shape(exchange.from_bankdef(b)) for b in real_banks]


def test_gift_escapes_moodle_special_characters():
    text = 'Article 3(a): "means" = {force} ~ #1 \\ done'
    assert exchange._gift_unescape(exchange.gift_escape(text)) == text


def _tree(tmp_path) -> Path:
    target = tmp_path / "tree"
    shutil.copytree(MINI, target)
    return target


def _invoke(app, tree, *args):
    app.config["CURRICULA_DIR"], old_c = tree / "curricula", app.config["CURRICULA_DIR"]
    app.config["ASSESSMENTS_DIR"], old_a = tree / "assessments", app.config["ASSESSMENTS_DIR"]
    try:
        return app.test_cli_runner().invoke(args=list(args))
    finally:
        app.config["CURRICULA_DIR"], app.config["ASSESSMENTS_DIR"] = old_c, old_a


@pytest.mark.parametrize("fmt,suffix", [("gift", "gift"), ("moodle-xml", "xml")])
def test_export_then_import_gives_back_the_same_bank_file(app, tmp_path, fmt, suffix):
    tree = _tree(tmp_path)
    bank_file = tree / "assessments" / "police" / "police-01-basics.yml"
    before = read_curriculum(tree / "curricula", tree / "assessments").banks["police-01-basics"]
    out = tmp_path / f"bank.{suffix}"
    result = _invoke(app, tree, "assessments", "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    # The bank drifts after the export; importing the file brings back what was exported.
    drifted = bank_file.read_text("utf-8").replace("Which is an act?", "Which is an act, changed?")
    bank_file.write_text(drifted.replace("Cili është një veprim?", "Ndryshuar"), "utf-8")
    result = _invoke(app, tree, "assessments", "import", str(out))
    assert result.exit_code == 0, result.output
    after = read_curriculum(tree / "curricula", tree / "assessments").banks["police-01-basics"]
    assert [(q.key, q.type, q.prompt, q.options, q.answer, q.explanation, q.section, q.countries)
            for q in after.questions] == \
        [(q.key, q.type, q.prompt, q.options, q.answer, q.explanation, q.section, q.countries)
         for q in before.questions]
    assert after.translations == before.translations
    assert (after.pass_mark, after.draw) == (60, 3)


def test_a_file_written_by_moodle_with_multilang_imports_cleanly(app, tmp_path):
    tree = _tree(tmp_path)
    result = _invoke(app, tree, "assessments", "import", str(MOODLE_FILE))
    assert result.exit_code == 0, result.output
    bank = read_curriculum(tree / "curricula", tree / "assessments").banks["police-01-basics"]
    q = {x.key: x for x in bank.questions}
    assert q["q1"].prompt == "Which is an act of the offence?" and q["q1"].answer == "a"
    assert q["q1"].section == "First section"
    assert q["q2"].type == "multiple" and q["q2"].answer == ["a", "c"]
    assert q["q2"].section == "The offence in {{country.name}}"
    assert q["q3"].type == "true_false" and q["q3"].answer is False
    assert "ë, ç, š, ž, đ, ć" in q["q4"].prompt and q["q4"].countries == ["AL"]
    sq = bank.translations["sq"]["questions"]
    assert sq["q1"]["prompt"] == "Cili është një veprim i veprës penale?"
    assert sq["q1"]["options"]["b"] == "Mashtrimi"
    assert sq["q2"]["prompt"] == "Cilat janë mjete?"
    assert sq["q3"]["explanation"] == "Pëlqimi nuk ka rëndësi kur përdoret një mjet."


@pytest.mark.parametrize("content,message", [
    (b"<quiz><question type='essay'><name><text>e1</text></name></question></quiz>", "cannot be imported"),
    (b"<quiz><question", "not well-formed"),
    (b"<notquiz/>", "expected <quiz>"),
])
def test_a_bad_moodle_file_is_refused_and_nothing_is_written(app, tmp_path, content, message):
    tree = _tree(tmp_path)
    bank_file = tree / "assessments" / "police" / "police-01-basics.yml"
    before = bank_file.read_text("utf-8")
    source = tmp_path / "bad.xml"
    source.write_bytes(content)
    result = _invoke(app, tree, "assessments", "import", "--module", "police-01-basics", str(source))
    assert result.exit_code != 0 and message in result.output, result.output
    assert bank_file.read_text("utf-8") == before


def test_an_import_with_a_broken_question_names_it_and_writes_nothing(app, tmp_path):
    tree = _tree(tmp_path)
    bank_file = tree / "assessments" / "police" / "police-01-basics.yml"
    before = bank_file.read_text("utf-8")
    source = tmp_path / "bad.gift"
    source.write_text("$CATEGORY: $course$/top/police-01-basics\n\n::q1::Which? {=a =b ~c}\n", "utf-8")
    result = _invoke(app, tree, "assessments", "import", str(source))
    assert result.exit_code != 0 and "line 3 ('q1')" in result.output, result.output
    assert bank_file.read_text("utf-8") == before
