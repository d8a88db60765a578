"""A native reviewer's round trip: a module's translation exported as PO, edited as a CAT tool would, and
imported back with the reviewer's name; stale and malformed files are refused and change nothing."""

import re
from datetime import date

import polib
import pytest

from app.curriculum.reviewfiles import KEPT_RE, ReviewFileError, export_po, import_po
from app.curriculum.tree import read_curriculum

MODULE = "police-01-basics"


def _dirs(tree):
    return tree / "curricula", tree / "assessments"


def _snapshot(tree):
    return {p: p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


def _mock_translation(text: str) -> str:
    """A stand-in for the reviewer's own words: each word reversed (no English left, as distinct as the
    source), with placeholders, claim marks and slots kept as they are."""
    kept = KEPT_RE.findall(text)
    parts = [re.sub(r"[A-Za-z]{2,}", lambda m: m.group(0)[::-1], part) for part in KEPT_RE.split(text)]
    return "".join(p + (kept[i] if i < len(kept) else "") for i, p in enumerate(parts))


def _reviewed(po: polib.POFile) -> str:
    """What a reviewer's tool sends back: every entry translated, none fuzzy, one sentence corrected."""
    for entry in po:
        if not entry.msgstr:  # a translation of the reviewer's own, keeping what must be kept
            entry.msgstr = _mock_translation(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        if entry.msgctxt == "module.title":
            entry.msgstr = "Bazat, rishikuar"
    return str(po)


def _in_msgstr(text: str, old: str, new: str) -> str:
    po = polib.pofile(text)
    for entry in po:
        entry.msgstr = entry.msgstr.replace(old, new)
    return str(po)


def test_export_holds_text_passages_and_bank_with_drafts_fuzzy(mini_copy):
    po = export_po(*_dirs(mini_copy), MODULE, "sq")
    contexts = {e.msgctxt for e in po}
    assert "module.title" in contexts and "module.section.1" in contexts
    assert any(c.startswith("bank.") and c.endswith(".prompt") for c in contexts)
    assert any(c.startswith("passage.AL.") for c in contexts)  # Albania reads Albanian
    assert not any(c.startswith("passage.RS.") for c in contexts)  # Serbia does not
    title = next(e for e in po if e.msgctxt == "module.title")
    assert title.msgstr and "fuzzy" in title.flags  # the draft translation, to be reviewed
    assert po.metadata["X-THB-Module"] == MODULE and po.metadata["Language"] == "sq"


def test_reviewed_file_changes_the_text_and_marks_it_reviewed(mini_copy):
    text = _reviewed(export_po(*_dirs(mini_copy), MODULE, "sq"))
    report = import_po(*_dirs(mini_copy), text, reviewer="Arta Hoxha", on=date(2026, 12, 7))
    assert report.entries > 10
    cur = read_curriculum(*_dirs(mini_copy))
    assert cur.problems == []
    translation = next(t for t in cur.translations_of(MODULE) if t.language == "sq" and t.country is None)
    assert translation.title == "Bazat, rishikuar" and translation.status == "reviewed"
    assert cur.banks[MODULE].translations["sq"]["status"] == "reviewed"
    saved = (mini_copy / "curricula/police/translations/sq" / f"{MODULE}.md").read_text("utf-8")
    assert "reviewed_by: Arta Hoxha" in saved and "reviewed_on: '2026-12-07'" in saved
    # Exported again, nothing is fuzzy any more.
    again = export_po(*_dirs(mini_copy), MODULE, "sq")
    assert not [e for e in again if e.msgctxt.startswith(("module.", "bank.")) and "fuzzy" in e.flags]


def test_stale_file_is_refused_and_changes_nothing(mini_copy):
    text = _reviewed(export_po(*_dirs(mini_copy), MODULE, "sq"))
    module = mini_copy / "curricula/police/01-basics.md"
    module.write_text(module.read_text("utf-8").replace("The first section text.", "The first section, rewritten."),
                      "utf-8")
    before = _snapshot(mini_copy)
    with pytest.raises(ReviewFileError) as refused:
        import_po(*_dirs(mini_copy), text, reviewer="Arta Hoxha", on=date(2026, 12, 7))
    assert any("module.section.1: the English text changed since this file was exported" in p
               for p in refused.value.problems)
    assert _snapshot(mini_copy) == before


@pytest.mark.parametrize("mangle, expected", [
    (lambda t: "this is not a PO file \x00", "not a PO file"),
    (lambda t: t.replace("msgstr", "msgstr msgstr", 3), "not a PO file"),
    (lambda t: t.replace('"X-THB-Module: police-01-basics\\n"', '"X-THB-Module: police-99\\n"'), "names no module"),
    (lambda t: _in_msgstr(t, "{{country.name}}", "VENDI"), "the translation lost {{country.name}}"),
    (lambda t: t.replace('msgstr "Bazat, rishikuar"', 'msgstr ""'), "module.title: not translated"),
])
def test_malformed_files_are_refused_with_the_reason(mini_copy, mangle, expected):
    text = _reviewed(export_po(*_dirs(mini_copy), MODULE, "sq"))
    before = _snapshot(mini_copy)
    with pytest.raises(ReviewFileError) as refused:
        import_po(*_dirs(mini_copy), mangle(text), reviewer="Arta Hoxha", on=date(2026, 12, 7))
    assert any(expected in p for p in refused.value.problems), refused.value.problems
    assert _snapshot(mini_copy) == before


def test_cli_round_trip(mini_copy, scratch_app, tmp_path):
    runner = scratch_app.test_cli_runner()
    out = tmp_path / "review.po"
    result = runner.invoke(args=["curricula", "export-review", MODULE, "sq", "-o", str(out)])
    assert result.exit_code == 0, result.output
    out.write_text(_reviewed(polib.pofile(str(out))), "utf-8")
    result = runner.invoke(args=["curricula", "import-review", str(out), "--reviewer", "Arta Hoxha"])
    assert result.exit_code == 0, result.output
    assert "reviewed entries" in result.output
    broken = tmp_path / "broken.po"
    broken.write_text('msgid "x"\nmsgstr "y"\n', "utf-8")
    result = runner.invoke(args=["curricula", "import-review", str(broken), "--reviewer", "X"])
    assert result.exit_code == 1 and "nothing was changed" in result.output
