"""Reading typed fields out of parsed YAML, reporting each problem with its file and line."""

from __future__ import annotations

from pathlib import Path

from .definitions import LANGUAGE_RE, TRANSLATION_STATUSES
from .source import LineDict, LineList, Problem


class _Reporter:
    """Collects problems for one file."""

    def __init__(self, problems: list[Problem], path: str):
        self.problems = problems
        self.path = path

    def __call__(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _text(meta: LineDict, key: str, report: _Reporter, *, required: bool = True) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            report(meta.line_of(key), f"missing field '{key}'")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        report(meta.line_of(key), f"field '{key}' must be text")
        return ""
    return str(value).strip()


def _int(meta: LineDict, key: str, report: _Reporter, *, minimum: int, maximum: int | None = None) -> int:
    value = meta.get(key)
    if value is None:
        report(meta.line_of(key), f"missing field '{key}'")
        return minimum
    if not isinstance(value, int) or isinstance(value, bool):
        report(meta.line_of(key), f"field '{key}' must be a whole number")
        return minimum
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        report(meta.line_of(key), f"field '{key}' must be {bound}")
        return minimum
    return value


def _text_list(meta: LineDict, key: str, report: _Reporter, *, required: bool = True) -> list[str]:
    value = meta.get(key)
    if value is None:
        if required:
            report(meta.line_of(key), f"missing field '{key}'")
        return []
    if not isinstance(value, list):
        report(meta.line_of(key), f"field '{key}' must be a list of texts")
        return []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            line = value.line_of(index) if isinstance(value, LineList) else meta.line_of(key)
            hint = " (quote it: a ': ' inside makes YAML read a mapping)" if isinstance(item, dict) else ""
            report(line, f"item {index + 1} of '{key}' must be a text{hint}")
            return []
    if required and not value:
        report(meta.line_of(key), f"field '{key}' must not be empty")
    return [v.strip() for v in value]


def _bool(meta: LineDict, key: str, report: _Reporter) -> bool:
    value = meta.get(key)
    if not isinstance(value, bool):
        report(meta.line_of(key), f"field '{key}' must be true or false")
        return False
    return value


def _translation_blocks(data: LineDict, report: _Reporter, contents: str, needs: str, required_map: str | None = None):
    """The `translations: {<lang>: {status: draft|reviewed, ...}}` blocks of a course.yml or a bank:
    yields (language, entry, status) for each well-formed block and reports the others by line.
    `required_map` names a key whose value must be a mapping (a bank's `questions`)."""
    raw = data.get("translations")
    if raw is None:
        return
    if not isinstance(raw, LineDict):
        report(data.line_of("translations"), f"field 'translations' must map languages to {contents}")
        return
    for lang, entry in raw.items():
        line = raw.line_of(lang)
        if not isinstance(lang, str) or not LANGUAGE_RE.match(lang):
            report(line, f"language '{lang}' is not an ISO 639 code")
            continue
        if not isinstance(entry, LineDict) or (required_map and not isinstance(entry.get(required_map), LineDict)):
            report(line, f"translation '{lang}' needs {needs}")
            continue
        status = _text(entry, "status", report)
        if status and status not in TRANSLATION_STATUSES:
            report(entry.line_of("status"), f"status '{status}' must be one of: {', '.join(TRANSLATION_STATUSES)}")
        yield lang, entry, status or "draft"
