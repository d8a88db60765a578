"""Question exchange with Moodle: GIFT and Moodle XML, both ways.

A bank is written as one Moodle question category named after the module
(`$course$/top/THB Academy/<module id>`); each question keeps its id as the Moodle question name,
its explanation as Moodle's general feedback and its section as a tag (`section:<heading>`; in GIFT,
where questions have no tags, as a `// section:` comment line, which Moodle ignores). Translations
travel as Moodle's multilang spans (`<span lang="sq" class="multilang">...</span>`, the form Moodle's
"Multi-language content" filter reads); `{mlang xx}...{mlang}` (the multilang2 filter) is read too.
Option ids are not a Moodle notion: options keep their order, and are named a, b, c... on import.

Multiple-response questions are Moodle multichoice questions with `single` false: each correct option
is worth 100/k percent and each wrong one -100, so that only the exact set scores full marks, as the
platform grades. GIFT escaping follows Moodle's documentation (a backslash before ~ = # { } :).

Readers return a list of `ImportedBank` (plain dicts ready to be written as YAML by `banks_yaml`),
or raise `ExchangeError` naming the line or question that is wrong. Files are UTF-8.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET

from app.curriculum.tree import BASE_LANGUAGE, BankDef

CATEGORY_ROOT = "$course$/top/THB Academy"
SECTION_TAG = "section:"


class ExchangeError(Exception):
    """A file that cannot be imported; the message says what and where."""


@dataclass
class ImportedBank:
    module: str
    questions: list[dict] = field(default_factory=list)
    #: {language: {question id: {"prompt", "options": {id: text}, "explanation"}}}
    translations: dict[str, dict] = field(default_factory=dict)


# --- multilang text ---------------------------------------------------------------------------

_SPAN_RE = re.compile(r'<span\s+(?:lang="([a-zA-Z-]+)"\s+class="multilang"|class="multilang"\s+lang="([a-zA-Z-]+)")\s*>(.*?)</span>',
                      re.S)
_MLANG_RE = re.compile(r"\{mlang\s+([a-zA-Z_-]+)\}(.*?)\{mlang\}", re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def multilang(texts: dict[str, str]) -> str:
    """One Moodle text holding every language: the base language first."""
    if set(texts) == {BASE_LANGUAGE}:
        return html.escape(texts[BASE_LANGUAGE], quote=False)
    return "".join(f'<span lang="{lang}" class="multilang">{html.escape(text, quote=False)}</span>'
                   for lang, text in texts.items())


def split_multilang(text: str) -> dict[str, str]:
    """{language: plain text} from a Moodle text (multilang spans, {mlang} blocks, or plain)."""
    found = {}
    for a, b, body in _SPAN_RE.findall(text):
        found[(a or b).split("-")[0].lower()] = _plain(body)
    for lang, body in _MLANG_RE.findall(text):
        lang = lang.lower()
        if lang == "other":
            lang = BASE_LANGUAGE
        found[lang.split("_")[0]] = _plain(body)
    if not found:
        return {BASE_LANGUAGE: _plain(text)}
    return found


def _plain(text: str) -> str:
    text = re.sub(r"<br\s*/?>", " ", text)
    return " ".join(html.unescape(_TAG_RE.sub("", text)).split())


def _texts(bank: BankDef, key: str, part: str, base: str, option: str | None = None) -> dict[str, str]:
    out = {BASE_LANGUAGE: base}
    for lang, tr in sorted(bank.translations.items()):
        item = tr.get("questions", {}).get(key)
        if not item:
            continue
        value = (item.get("options") or {}).get(option) if option else item.get(part)
        if value:
            out[lang] = value
    return out


# --- Moodle XML -----------------------------------------------------------------------------------


def _text_el(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def write_moodle_xml(banks: list[BankDef]) -> bytes:
    quiz = ET.Element("quiz")
    for bank in banks:
        category = ET.SubElement(quiz, "question", {"type": "category"})
        cat = ET.SubElement(category, "category")
        ET.SubElement(cat, "text").text = f"{CATEGORY_ROOT}/{bank.module_id}"
        for q in bank.questions:
            qtype = "truefalse" if q.type == "true_false" else "multichoice"
            el = ET.SubElement(quiz, "question", {"type": qtype})
            name = ET.SubElement(el, "name")
            ET.SubElement(name, "text").text = q.key
            _text_el(el, "questiontext", multilang(_texts(bank, q.key, "prompt", q.prompt)))
            _text_el(el, "generalfeedback", multilang(_texts(bank, q.key, "explanation", q.explanation)))
            ET.SubElement(el, "defaultgrade").text = "1"
            ET.SubElement(el, "penalty").text = "0"
            ET.SubElement(el, "hidden").text = "0"
            if q.type == "true_false":
                for value in (True, False):
                    answer = _text_el(el, "answer", "true" if value else "false", "moodle_auto_format")
                    answer.set("fraction", "100" if q.answer is value else "0")
                    _text_el(answer, "feedback", "")
            else:
                keys = set(q.answer) if isinstance(q.answer, list) else {q.answer}
                ET.SubElement(el, "single").text = "true" if q.type == "single" else "false"
                ET.SubElement(el, "shuffleanswers").text = "true"
                ET.SubElement(el, "answernumbering").text = "abc"
                for oid, text in q.options:
                    if q.type == "single":
                        fraction = "100" if oid in keys else "0"
                    else:
                        fraction = _fraction(100 / len(keys)) if oid in keys else "-100"
                    answer = _text_el(el, "answer", multilang(_texts(bank, q.key, "options", text, oid)))
                    answer.set("fraction", fraction)
                    _text_el(answer, "feedback", "")
            if q.section:
                tags = ET.SubElement(el, "tags")
                tag = ET.SubElement(tags, "tag")
                ET.SubElement(tag, "text").text = SECTION_TAG + q.section
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8") + b"\n"


def _fraction(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _child_text(el: ET.Element, path: str) -> str:
    found = el.find(path)
    return (found.text or "") if found is not None else ""


def read_moodle_xml(data: bytes, module: str | None = None) -> list[ImportedBank]:
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises several kinds; all mean the same to the author
        raise ExchangeError(f"not well-formed Moodle XML: {exc}") from None
    if root.tag != "quiz":
        raise ExchangeError(f"the root element is <{root.tag}>, expected <quiz> (Moodle XML)")
    banks: list[ImportedBank] = []
    current = ImportedBank(module) if module else None
    for number, el in enumerate(root.findall("question"), start=1):
        if el.get("type") == "category":
            if module is None:
                path = _child_text(el, "category/text").strip()
                current = ImportedBank(path.rstrip("/").rsplit("/", 1)[-1].strip())
                banks.append(current)
            continue
        name = _child_text(el, "name/text").strip() or f"q{number:02d}"
        where = f"question {number} ('{name}')"
        if current is None:
            raise ExchangeError(f"{where} comes before any category: give --module or a $course$ category")
        if current not in banks:
            banks.append(current)
        current.questions.append(_xml_question(el, name, where, current))
    if not banks or not any(b.questions for b in banks):
        raise ExchangeError("the file holds no questions")
    return [b for b in banks if b.questions]


def _xml_question(el, name: str, where: str, bank: ImportedBank) -> dict:
    """One Moodle <question> of type truefalse or multichoice, as a bank question (translations into `bank`)."""
    qtype = el.get("type")
    prompt = split_multilang(_child_text(el, "questiontext/text"))
    feedback = split_multilang(_child_text(el, "generalfeedback/text"))
    if qtype == "truefalse":
        question = _xml_true_false(el, name, where, prompt)
    elif qtype == "multichoice":
        question = _xml_multichoice(el, name, where, prompt, bank)
    else:
        raise ExchangeError(f"{where}: Moodle question type '{qtype}' cannot be imported "
                            f"(the platform takes multichoice and truefalse)")
    section = next((tag.text[len(SECTION_TAG):].strip() for tag in el.findall("tags/tag/text")
                    if (tag.text or "").startswith(SECTION_TAG)), None)
    if section:
        question["section"] = section
    question["explanation"] = feedback.get(BASE_LANGUAGE, "")
    _add_translations(bank, name, prompt, feedback)
    return question


def _xml_true_false(el, name: str, where: str, prompt: dict) -> dict:
    right = [(_child_text(a, "text").strip().lower(), _number(a.get("fraction"), where)) for a in el.findall("answer")]
    truth = [value for value, fraction in right if fraction > 0]
    if len(truth) != 1 or truth[0] not in ("true", "false"):
        raise ExchangeError(f"{where}: a true/false question needs exactly one answer with fraction 100")
    return {"id": name, "type": "true_false", "prompt": prompt.get(BASE_LANGUAGE, ""), "answer": truth[0] == "true"}


def _xml_multichoice(el, name: str, where: str, prompt: dict, bank: ImportedBank) -> dict:
    single = _child_text(el, "single").strip().lower() in ("true", "1")
    options, keys = [], []
    for index, a in enumerate(el.findall("answer")):
        oid = chr(ord("a") + index)
        texts = split_multilang(_child_text(a, "text"))
        options.append({"id": oid, "text": texts.get(BASE_LANGUAGE, "")})
        if _number(a.get("fraction"), where) > 0:
            keys.append(oid)
        for lang, text in texts.items():
            if lang != BASE_LANGUAGE:
                bank.translations.setdefault(lang, {}).setdefault(name, {}).setdefault("options", {})[oid] = text
    if len(options) < 2:
        raise ExchangeError(f"{where}: a multichoice question needs at least two answers")
    if not keys:
        raise ExchangeError(f"{where}: no answer has a positive fraction, so none is correct")
    if single and len(keys) != 1:
        raise ExchangeError(f"{where}: a single-answer question has {len(keys)} answers with a positive "
                            f"fraction; the platform needs exactly one")
    return {"id": name, "type": "single" if single else "multiple", "prompt": prompt.get(BASE_LANGUAGE, ""),
            "options": options, "answer": keys[0] if single else keys}


def _number(value: str | None, where: str) -> float:
    try:
        return float(value or 0)
    except ValueError:
        raise ExchangeError(f"{where}: fraction '{value}' is not a number") from None


def _add_translations(bank: ImportedBank, key: str, prompt: dict, feedback: dict) -> None:
    for lang in set(prompt) | set(feedback):
        if lang == BASE_LANGUAGE:
            continue
        entry = bank.translations.setdefault(lang, {}).setdefault(key, {})
        if lang in prompt:
            entry["prompt"] = prompt[lang]
        if lang in feedback:
            entry["explanation"] = feedback[lang]


# --- GIFT -------------------------------------------------------------------------------------

_GIFT_SPECIAL = "~=#{}:"


def gift_escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in _GIFT_SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def write_gift(banks: list[BankDef]) -> str:
    lines = ["// THB Academy question banks, GIFT format (UTF-8). Translations are Moodle multilang spans.", ""]
    for bank in banks:
        lines += [f"$CATEGORY: {CATEGORY_ROOT}/{bank.module_id}", ""]
        for q in bank.questions:
            if q.section:
                lines.append(f"// {SECTION_TAG} {q.section}")
            prompt = gift_escape(multilang(_texts(bank, q.key, "prompt", q.prompt)))
            feedback = gift_escape(multilang(_texts(bank, q.key, "explanation", q.explanation)))
            head = f"::{gift_escape(q.key)}::[html]{prompt}"
            if q.type == "true_false":
                lines.append(f"{head} {{{'TRUE' if q.answer else 'FALSE'}####{feedback}}}")
            else:
                keys = set(q.answer) if isinstance(q.answer, list) else {q.answer}
                lines.append(head + " {")
                for oid, text in q.options:
                    option = gift_escape(multilang(_texts(bank, q.key, "options", text, oid)))
                    if q.type == "single":
                        lines.append(f"\t{'=' if oid in keys else '~'}{option}")
                    else:
                        weight = _fraction(100 / len(keys)) if oid in keys else "-100"
                        lines.append(f"\t~%{weight}%{option}")
                lines.append(f"\t####{feedback}")
                lines.append("}")
            lines.append("")
    return "\n".join(lines)


def _gift_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out).strip()


def _split_unescaped(text: str, markers: str) -> list[tuple[str, str]]:
    """Split `text` at unescaped marker characters; returns (marker, piece) pairs."""
    parts, buf, marker, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i:i + 2])
            i += 2
            continue
        if ch in markers:
            parts.append((marker, "".join(buf)))
            buf, marker = [], ch
        else:
            buf.append(ch)
        i += 1
    parts.append((marker, "".join(buf)))
    return parts


def _find_unescaped(text: str, ch: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ch:
            return i
        i += 1
    return -1


def read_gift(text: str, module: str | None = None) -> list[ImportedBank]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    banks: list[ImportedBank] = []
    current = ImportedBank(module) if module else None
    section = None
    block: list[str] = []
    block_line = 0

    def flush():
        nonlocal block, section
        if block:
            if current is None:
                raise ExchangeError(f"line {block_line}: a question before any $CATEGORY: give --module")
            if current not in banks:
                banks.append(current)
            _gift_question("\n".join(block), block_line, current, section, len(current.questions) + 1)
        block, section = [], None

    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not block and stripped.startswith("//"):
            comment = stripped[2:].strip()
            if comment.startswith(SECTION_TAG):
                section = comment[len(SECTION_TAG):].strip()
            continue
        if not block and stripped.startswith("$CATEGORY:"):
            if module is None:
                current = ImportedBank(stripped[len("$CATEGORY:"):].strip().rstrip("/").rsplit("/", 1)[-1].strip())
                banks.append(current)
            continue
        if not stripped:
            flush()
            continue
        if not block:
            block_line = number
        block.append(line)
    flush()
    if not any(b.questions for b in banks):
        raise ExchangeError("the file holds no questions")
    return [b for b in banks if b.questions]


def _gift_parts(raw: str, where: str, name: str) -> tuple[str, str, str, str]:
    """Split a GIFT question into (name, prompt text, answer text, general feedback), still escaped."""
    body = raw.strip()
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise ExchangeError(f"{where}: the question title is not closed by '::'")
        name = _gift_unescape(body[2:end]) or name
        body = body[end + 2:]
    open_at = _find_unescaped(body, "{")
    close_at = _find_unescaped(body, "}", open_at + 1) if open_at >= 0 else -1
    if open_at < 0 or close_at < 0:
        raise ExchangeError(f"{where} ('{name}'): no answer block {{...}}")
    if body[close_at + 1:].strip():
        raise ExchangeError(f"{where} ('{name}'): text after the answer block is not supported")
    prompt_raw = body[:open_at].strip()
    if prompt_raw.startswith("[") and "]" in prompt_raw:
        prompt_raw = prompt_raw[prompt_raw.index("]") + 1:]
    inner = body[open_at + 1:close_at]
    feedback_at = inner.find("####")
    while feedback_at > 0 and inner[feedback_at - 1] == "\\":
        feedback_at = inner.find("####", feedback_at + 1)
    feedback = inner[feedback_at + 4:] if feedback_at >= 0 else ""
    answers = inner[:feedback_at] if feedback_at >= 0 else inner
    return name, prompt_raw, answers.strip(), feedback


def _gift_option(piece: str, where: str) -> tuple[float | None, str]:
    """An answer's %weight% (if any) and its text, with any per-answer #feedback dropped."""
    piece = piece.strip()
    weight = None
    if piece.startswith("%"):
        end = piece.find("%", 1)
        try:
            weight = float(piece[1:end])
        except ValueError:
            raise ExchangeError(f"{where}: weight '{piece[:end + 1]}' is not a number") from None
        piece = piece[end + 1:]
    hash_at = _find_unescaped(piece, "#")
    return weight, piece[:hash_at] if hash_at >= 0 else piece


def _gift_choices(answer_text: str, where: str, name: str, prompt: dict, bank: ImportedBank) -> dict:
    pieces = [(m, p) for m, p in _split_unescaped(answer_text, "=~") if m]
    if len(pieces) < 2:
        raise ExchangeError(f"{where}: a choice question needs at least two answers (= or ~)")
    options, keys, weighted = [], [], False
    for index, (marker, piece) in enumerate(pieces):
        oid = chr(ord("a") + index)
        weight, text = _gift_option(piece, where)
        weighted = weighted or weight is not None
        texts = split_multilang(_gift_unescape(text))
        options.append({"id": oid, "text": texts.get(BASE_LANGUAGE, "")})
        for lang, value in texts.items():
            if lang != BASE_LANGUAGE:
                bank.translations.setdefault(lang, {}).setdefault(name, {}).setdefault("options", {})[oid] = value
        if marker == "=" or (weight is not None and weight > 0):
            keys.append(oid)
    if not keys:
        raise ExchangeError(f"{where}: no answer is marked right (= or a positive %weight%)")
    multiple = weighted and all(m == "~" for m, _ in pieces)
    if not multiple and len(keys) != 1:
        raise ExchangeError(f"{where}: several answers are marked '='; use ~%weight% for multiple-response questions")
    return {"id": name, "type": "multiple" if multiple else "single", "prompt": prompt.get(BASE_LANGUAGE, ""),
            "options": options, "answer": keys if multiple else keys[0]}


def _gift_question(raw: str, line: int, bank: ImportedBank, section: str | None, number: int) -> None:
    name, prompt_raw, answer_text, feedback_raw = _gift_parts(raw, f"line {line}", f"q{number:02d}")
    where = f"line {line} ('{name}')"
    prompt = split_multilang(_gift_unescape(prompt_raw))
    feedback = split_multilang(_gift_unescape(feedback_raw)) if feedback_raw else {BASE_LANGUAGE: ""}
    if answer_text.upper() in ("T", "TRUE", "F", "FALSE"):
        question = {"id": name, "type": "true_false", "prompt": prompt.get(BASE_LANGUAGE, ""),
                    "answer": answer_text.upper().startswith("T")}
    else:
        question = _gift_choices(answer_text, where, name, prompt, bank)
    if section:
        question["section"] = section
    question["explanation"] = feedback.get(BASE_LANGUAGE, "")
    _add_translations(bank, name, prompt, feedback)
    bank.questions.append(question)


def check_translations(bank: ImportedBank) -> None:
    """Every translated question needs its prompt and explanation (general feedback) in that language."""
    for lang, items in sorted(bank.translations.items()):
        for key, item in items.items():
            missing = [name for name, field_ in (("question text", "prompt"), ("general feedback", "explanation"))
                       if not item.get(field_)]
            if missing:
                raise ExchangeError(f"category '{bank.module}', question '{key}': the '{lang}' translation has no "
                                    f"{' and no '.join(missing)} (add a multilang span for '{lang}' or remove it)")


# --- writing a bank file --------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def bank_yaml(bank: ImportedBank, *, pass_mark: int, draw: int, retake: dict | None = None,
              statuses: dict[str, str] | None = None) -> str:
    """The bank as a file in the platform's format (docs/curriculum-format.md)."""
    out = [f"module: {bank.module}", f"pass_mark: {pass_mark}", f"draw: {draw}"]
    if retake:
        out.append("retake: {" + ", ".join(f"{k}: {v}" for k, v in retake.items()) + "}")
    out.append("questions:")
    for q in bank.questions:
        out.append(f"  - id: {q['id']}")
        out.append(f"    type: {q['type']}")
        if q.get("countries"):
            out.append(f"    countries: [{', '.join(q['countries'])}]")
        if q.get("section"):
            out.append(f"    section: {_q(q['section'])}")
        out.append(f"    prompt: {_q(q['prompt'])}")
        if q["type"] != "true_false":
            out.append("    options:")
            for o in q["options"]:
                out.append(f"      - {{id: {o['id']}, text: {_q(o['text'])}}}")
        answer = q["answer"]
        if isinstance(answer, bool):
            out.append(f"    answer: {'true' if answer else 'false'}")
        elif isinstance(answer, list):
            out.append(f"    answer: [{', '.join(answer)}]")
        else:
            out.append(f"    answer: {answer}")
        out.append(f"    explanation: {_q(q['explanation'])}")
    if bank.translations:
        out.append("translations:")
        for lang, items in sorted(bank.translations.items()):
            out.append(f"  {lang}:")
            out.append(f"    status: {(statuses or {}).get(lang, 'draft')}")
            out.append("    questions:")
            for key in [q["id"] for q in bank.questions if q["id"] in items]:
                item = items[key]
                out.append(f"      {key}:")
                if "prompt" in item:
                    out.append(f"        prompt: {_q(item['prompt'])}")
                if item.get("options"):
                    out.append("        options:")
                    for oid, text in sorted(item["options"].items()):
                        out.append(f"          {oid}: {_q(text)}")
                if "explanation" in item:
                    out.append(f"        explanation: {_q(item['explanation'])}")
    return "\n".join(out) + "\n"


def from_bankdef(bank: BankDef) -> ImportedBank:
    """A loaded bank in the import shape, for comparing a round trip."""
    out = ImportedBank(bank.module_id)
    for q in bank.questions:
        item = {"id": q.key, "type": q.type, "prompt": q.prompt}
        if q.type != "true_false":
            item["options"] = [{"id": oid, "text": text} for oid, text in q.options]
        item["answer"] = q.answer
        if q.countries:
            item["countries"] = list(q.countries)
        if q.section:
            item["section"] = q.section
        item["explanation"] = q.explanation
        out.questions.append(item)
    for lang, tr in bank.translations.items():
        out.translations[lang] = {k: {kk: vv for kk, vv in v.items() if vv} for k, v in tr["questions"].items()}
    return out
