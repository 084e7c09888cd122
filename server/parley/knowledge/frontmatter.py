"""YAML front matter: split it from the Markdown and parse it, keeping line numbers for errors.

Writers fix what they can find: every error carries the line of the file it is about, so
``bad YAML`` becomes "line 4: mapping values are not allowed here".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

# libyaml when PyYAML was built with it: front matter parsing is a quarter of indexing otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


class FrontMatterError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, object]
    body: str
    body_line: int  # the file line the Markdown body starts on (1-based)
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


def parse(text: str) -> FrontMatter:
    """Split ``text`` into front matter and body; a file without front matter is all body."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    opening = _OPEN.match(text)
    if opening is None:
        return FrontMatter({}, text, 1)
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise FrontMatterError(1, "front matter starts with '---' but is never closed")
    source = text[opening.end() : closing.start()]
    body = text[closing.end() :].removeprefix("\n")
    body_line = text.count("\n", 0, closing.end()) + 2
    meta, key_lines = _load(source)
    return FrontMatter(meta, body, body_line, key_lines)


def _load(source: str) -> tuple[dict[str, object], dict[str, int]]:
    """Parse YAML once, keeping where each top-level key sits (file lines: YAML starts on 2)."""
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if mark is None or (mark.line >= source.count("\n") and exc.context_mark is not None):
            mark = exc.context_mark  # an unclosed "[" is found at the end: point at its start
        line = mark.line + 2 if mark is not None else None
        raise FrontMatterError(line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(2, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(2, "front matter must be 'key: value' lines")
    key_lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    return {str(key): value for key, value in data.items()}, key_lines
