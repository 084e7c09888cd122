"""Markdown written for Docusaurus (MDX) or Microsoft Docs, rewritten into what Python-Markdown
and pymdown-extensions understand, so articles imported from those sites read properly.

Only lines outside fenced code blocks are touched:

- MDX ``import … from '…'`` / ``export …`` lines are dropped (they are code, not content);
- Docusaurus admonitions ``:::tip Title`` … ``:::`` become ``!!! tip "Title"`` blocks;
- Microsoft Docs alerts ``> [!NOTE]`` become ``!!! note`` blocks, ``:::image …:::`` becomes a
  Markdown image and ``[!INCLUDE …]`` (the included file is not in the KB) is dropped.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_MDX_LINE = re.compile(
    r"""^(?:import\s+(?:[\w*{}\s,]+\s+from\s+)?['"][^'"]+['"]|export\s+(?:const|default|function)\b).*$"""
)
_DOCUSAURUS_OPEN = re.compile(r"^(\s*):::(\w+)\s*(.*?)\s*$")
_DOCUSAURUS_CLOSE = re.compile(r"^\s*:::\s*$")
_MS_IMAGE = re.compile(r":::image\s+(?P<attrs>[^:]*?):::")
_MS_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_MS_INCLUDE = re.compile(r"\[!INCLUDE\s*\[[^\]]*\]\([^)]*\)\]")
_ALERT = re.compile(r"^(\s*)>\s*\[!(\w+)\]\s*$")
_QUOTED = re.compile(r"^(\s*)>\s?(.*)$")
_INDENT = "    "
# Every construct above starts with one of these (an MDX line with "import" or "export"):
# most articles have none, and are returned as they are without reading them line by line.
_ANY_CONSTRUCT = re.compile(r":::|\[!|^(?:import|export)\s", re.M)


def normalize(source: str) -> str:
    """Rewrite Docusaurus / Microsoft Docs constructs into plain pymdown-extensions Markdown."""
    if not _ANY_CONSTRUCT.search(source):
        return source
    lines = source.split("\n")
    out: list[str] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opened:
            fence = opened.group(1)
            out.append(line)
            continue
        if _MDX_LINE.match(line):
            continue
        docusaurus = _DOCUSAURUS_OPEN.match(line)
        if docusaurus and not _MS_IMAGE.search(line):
            i = _admonition(lines, i, docusaurus, out)
            continue
        if alert := _ALERT.match(line):
            i = _alert(lines, i, alert, out)
            continue
        out.append(_inline(line))
    return "\n".join(out)


def _inline(line: str) -> str:
    line = _MS_INCLUDE.sub("", line)
    return _MS_IMAGE.sub(_ms_image, line)


def _ms_image(match: re.Match[str]) -> str:
    attrs = dict(_MS_ATTR.findall(match.group("attrs")))
    source = attrs.get("source", "")
    if not source:
        return ""
    alt = attrs.get("alt-text", "").replace("]", "")
    return f"![{alt}]({source})"


def _admonition(lines: list[str], i: int, opening: re.Match[str], out: list[str]) -> int:
    """Copy ``:::kind title`` … ``:::`` as an indented ``!!!`` block; return the next line."""
    indent, kind = opening.group(1), opening.group(2).lower()
    title = opening.group(3).replace('"', "'")
    out.append(f'{indent}!!! {kind} "{title}"' if title else f"{indent}!!! {kind}")
    depth = 1
    while i < len(lines):
        line = lines[i]
        i += 1
        if _DOCUSAURUS_CLOSE.match(line):
            depth -= 1
            if depth == 0:
                break
        elif _DOCUSAURUS_OPEN.match(line):
            depth += 1
        out.append(
            f"{indent}{_INDENT}{_inline(line[len(indent) :] if line.startswith(indent) else line)}"
        )
    out.append("")
    return i


def _alert(lines: list[str], i: int, opening: re.Match[str], out: list[str]) -> int:
    """Copy a ``> [!NOTE]`` blockquote as an indented ``!!! note`` block; return the next line."""
    indent, kind = opening.group(1), opening.group(2).lower()
    out.append(f"{indent}!!! {kind}")
    while i < len(lines):
        quoted = _QUOTED.match(lines[i])
        if not quoted:
            break
        out.append(f"{indent}{_INDENT}{_inline(quoted.group(2))}")
        i += 1
    out.append("")
    return i
