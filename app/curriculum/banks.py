"""Question banks (assessments/<prong>/<module-id>.yml)."""

from __future__ import annotations

from pathlib import Path

from .definitions import QUESTION_TYPES, BankDef, Curriculum, QuestionDef
from .fields import _display, _int, _Reporter, _text, _text_list, _translation_blocks
from .source import LineDict, LineList, read_yaml_file, sha256


def _read_options(raw: LineDict, report: _Reporter) -> list[tuple[str, str]]:
    options: list[tuple[str, str]] = []
    raw_options = raw.get("options")
    if not isinstance(raw_options, list) or len(raw_options) < 2:
        report(raw.line_of("options"), "a choice question needs at least two options")
        raw_options = raw_options if isinstance(raw_options, list) else []
    for index, opt in enumerate(raw_options):
        opt_line = raw_options.line_of(index) if isinstance(raw_options, LineList) else raw.line
        if not isinstance(opt, LineDict):
            report(opt_line, "each option must be a mapping with 'id' and 'text'")
            continue
        oid, text = _text(opt, "id", report), _text(opt, "text", report)
        stray = [str(k) for k in opt if k not in ("id", "text")]
        if stray:
            report(opt_line, f"option has unexpected keys {', '.join(repr(k) for k in stray)}: "
                             f"a comma in unquoted text inside {{...}} splits it; put the text in quotes")
        if oid in {o for o, _ in options}:
            report(opt_line, f"duplicate option id '{oid}'")
            continue
        if oid:
            options.append((oid, text))
    return options


def _single_answer(raw_answer, ids: set[str], line: int, report: _Reporter) -> str:
    if not isinstance(raw_answer, str) or not raw_answer:
        report(line, "the answer of a single-choice question must be one option id")
    elif raw_answer not in ids:
        report(line, f"answer '{raw_answer}' points to no option (options: {', '.join(sorted(ids))})")
    return str(raw_answer) if raw_answer is not None else ""


def _multiple_answer(raw_answer, ids: set[str], line: int, report: _Reporter) -> list[str]:
    if not isinstance(raw_answer, list) or not raw_answer or not all(isinstance(a, str) for a in raw_answer):
        report(line, "the answer of a multiple-response question must be a list of option ids")
        return []
    for missing in [a for a in raw_answer if a not in ids]:
        report(line, f"answer '{missing}' points to no option (options: {', '.join(sorted(ids))})")
    if len(set(raw_answer)) != len(raw_answer):
        report(line, "the answer lists an option twice")
    return sorted(set(raw_answer))


def _options_and_answer(raw: LineDict, qtype: str, report: _Reporter) -> tuple[list[tuple[str, str]], object]:
    raw_answer = raw.get("answer")
    if qtype == "true_false":
        if "options" in raw:
            report(raw.line_of("options"), "a true_false question takes no options")
        if not isinstance(raw_answer, bool):
            report(raw.line_of("answer"), "the answer of a true_false question must be true or false")
        return [], bool(raw_answer)
    if qtype not in ("single", "multiple"):
        return [], None
    options = _read_options(raw, report)
    ids = {o for o, _ in options}
    read = _single_answer if qtype == "single" else _multiple_answer
    return options, read(raw_answer, ids, raw.line_of("answer"), report)


def _read_question(raw, line: int, report: _Reporter) -> QuestionDef | None:
    if not isinstance(raw, LineDict):
        report(line, "each question must be a mapping")
        return None
    key = _text(raw, "id", report)
    qtype = _text(raw, "type", report)
    if qtype and qtype not in QUESTION_TYPES:
        report(raw.line_of("type"), f"unknown question type '{qtype}' (expected one of: {', '.join(QUESTION_TYPES)})")
        qtype = ""
    prompt = _text(raw, "prompt", report)
    explanation = _text(raw, "explanation", report)
    options, answer = _options_and_answer(raw, qtype, report)
    countries = _text_list(raw, "countries", report) if "countries" in raw else None
    section = _text(raw, "section", report, required=False) or None
    return QuestionDef(key, qtype, prompt, options, answer, explanation, countries, raw.line, section)


def _read_retake(data: LineDict, report: _Reporter) -> dict:
    """`retake: {max_attempts: 3, wait_minutes: 60}`: both optional, both positive whole numbers."""
    raw = data.get("retake")
    if raw is None:
        return {}
    if not isinstance(raw, LineDict):
        report(data.line_of("retake"), "'retake' must be a mapping with 'max_attempts' and/or 'wait_minutes'")
        return {}
    stray = [str(k) for k in raw if k not in ("max_attempts", "wait_minutes")]
    if stray:
        report(data.line_of("retake"), f"'retake' has unexpected keys {', '.join(repr(k) for k in stray)} "
                                       f"(expected max_attempts, wait_minutes)")
    result = {}
    for key, maximum in (("max_attempts", 100), ("wait_minutes", 60 * 24 * 30)):
        if key in raw:
            result[key] = _int(raw, key, report, minimum=1, maximum=maximum)
    return result


def _read_bank(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    data = read_yaml_file(path, display)
    module_id = _text(data, "module", report)
    if module_id and module_id != path.stem:
        report(data.line_of("module"), f"module '{module_id}' does not match the file name '{path.name}'")
    pass_mark = _int(data, "pass_mark", report, minimum=1, maximum=100)
    draw = _int(data, "draw", report, minimum=1)
    questions: list[QuestionDef] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, LineList) or not raw_questions:
        report(data.line_of("questions"), "missing field 'questions' (a list of questions)")
        raw_questions = LineList()
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_questions):
        question = _read_question(raw, raw_questions.line_of(index), report)
        if question is None:
            continue
        if question.key in seen:
            report(question.line, f"duplicate question id '{question.key}' (first on line {seen[question.key]})")
            continue
        seen[question.key] = question.line
        questions.append(question)
    translations: dict[str, dict] = {}
    by_key = {q.key: q for q in questions}
    for lang, entry, status in _translation_blocks(
            data, report, "translated questions", "'status' and a 'questions' mapping", required_map="questions"):
        items = {}
        for qkey, item in entry["questions"].items():
            qline = entry["questions"].line_of(qkey)
            question = by_key.get(qkey)
            if question is None:
                report(qline, f"translation of question '{qkey}', which is not in this bank")
                continue
            if not isinstance(item, LineDict):
                report(qline, f"translation of question '{qkey}' must be a mapping")
                continue
            options = item.get("options") or {}
            if not isinstance(options, dict):
                report(item.line_of("options"), "translated 'options' must map option ids to text")
                options = {}
            for oid in options:
                if oid not in {o for o, _ in question.options}:
                    report(item.line_of("options"), f"translated option '{oid}' is not an option of question '{qkey}'")
            items[qkey] = {
                "prompt": _text(item, "prompt", report),
                "options": {str(k): str(v) for k, v in options.items()},
                "explanation": _text(item, "explanation", report),
            }
        translations[lang] = {"status": status, "questions": items}
    cur.banks[module_id or display] = BankDef(
        module_id, pass_mark, draw, questions, translations, display, sha256(path.read_text("utf-8")),
        _read_retake(data, report),
    )
