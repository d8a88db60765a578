"""Reading curriculum files so that every problem can name its file and line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a curriculum file, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict = {}

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that remembers its line and the line of each item."""

    line: int = 1

    def __init__(self, *args):
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml's parser when PyYAML was built with it (about ten times faster on the whole tree).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """SafeLoader that builds LineDict/LineList so that validators can point at lines."""

    line_offset = 0

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1 + self.line_offset
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "found an unhashable key", key_node.start_mark
                ) from None
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1 + self.line_offset
        return mapping

    def construct_sequence(self, node, deep=False):  # type: ignore[override]
        seq = LineList(self.construct_object(child, deep=True) for child in node.value)
        seq.line = node.start_mark.line + 1 + self.line_offset
        seq.item_lines = [child.start_mark.line + 1 + self.line_offset for child in node.value]
        return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence)


class SourceError(Exception):
    """A file that cannot be read at all; carries the Problem that says where."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def load_yaml(text: str, path: str, line_offset: int = 0):
    """Parse YAML text into LineDict/LineList values; raise SourceError with the failing line."""
    loader = _LineLoader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
        raise SourceError(Problem(path, line, f"invalid YAML: {exc.problem or exc}")) from None
    except yaml.YAMLError as exc:
        raise SourceError(Problem(path, 1 + line_offset, f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()


@dataclass
class MarkdownDoc:
    """A Markdown file split into front matter (with line numbers) and body."""

    path: str
    meta: LineDict
    body: str
    body_start_line: int  # line number of the first body line
    raw: str

    @property
    def content_hash(self) -> str:
        return sha256(self.raw)


def read_text(path: Path, display: str) -> str:
    """Read a UTF-8 file (a BOM is tolerated) or raise SourceError naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(Problem(display, 1, f"cannot read file: {exc.strerror}")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(Problem(display, line, "file is not valid UTF-8")) from None
    return text.replace("\r\n", "\n")


def read_markdown(path: Path, display: str) -> MarkdownDoc:
    """Read a Markdown file with YAML front matter delimited by `---` lines."""
    return parse_markdown(read_text(path, display), display)


def parse_markdown(text: str, display: str) -> MarkdownDoc:
    """Split Markdown text with YAML front matter (as read from a file, or as stored for a module version)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError(Problem(display, 1, "missing front matter: the file must start with a '---' line"))
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise SourceError(Problem(display, 1, "front matter is not closed by a '---' line")) from None
    meta = load_yaml("\n".join(lines[1:end]), display, line_offset=1)
    if meta is None:
        meta = LineDict()
        meta.line = 2
    if not isinstance(meta, LineDict):
        raise SourceError(Problem(display, 2, "front matter must be a mapping of keys to values"))
    body = "\n".join(lines[end + 1:])
    return MarkdownDoc(display, meta, body, end + 2, text)


def read_yaml_file(path: Path, display: str):
    """Read a YAML file whose top level must be a mapping."""
    data = load_yaml(read_text(path, display), display)
    if not isinstance(data, LineDict):
        raise SourceError(Problem(display, 1, "the file must contain a YAML mapping"))
    return data


def sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()
