"""Read one YAML file into a node tree, rejecting what a need file or report must not contain.

Validation works on PyYAML's composed nodes rather than on constructed Python values:
nodes keep their line numbers, nothing is constructed (so no tag can run code), and
each scalar keeps the text the author wrote (``version: 1.10`` stays ``"1.10"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generators.findings import Finding, Location

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Size limit of one need file. The full ISO/IEC 27035 catalog is about 100 KB."""

_CORE_TAG_PREFIX = "tag:yaml.org,2002:"
_SAFE_TAGS = frozenset(
    _CORE_TAG_PREFIX + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class FileRole:
    """The kind of file being read, as the findings about it name it and advise on it."""

    noun: str
    """The file as the user knows it: "need file", "report"."""
    too_large_hint: str
    alias_hint: str


NEED_FILE = FileRole("need file", "split the file into several files under needs/",
                     "write the value out, or put shared fields under 'defaults:'")


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its root node (None when empty) and its path."""

    path: Path
    root: Node | None


def node_location(path: Path, node: Node) -> Location:
    """Return the 1-based location of a node's start."""
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


def content_location(path: Path, node: Node) -> Location:
    """Return the line where a scalar's text starts; a block scalar starts one line down."""
    line = node.start_mark.line + 1
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        line += 1
    return Location(path, line)


def read_yaml_file(path: Path, max_bytes: int = MAX_FILE_BYTES, role: FileRole = NEED_FILE
                   ) -> tuple[YamlDocument | None, list[Finding]]:
    """Read and compose one YAML file; its findings call it by the noun of ``role``.

    Return the document, or None with the findings that made it unreadable. A document
    is returned only when it is free of encoding problems, tabs in indentation, syntax
    errors, duplicate keys, aliases and non-standard tags.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [Finding(
                "file-too-large",
                f"file is {size:,} bytes; the limit for a {role.noun} is {max_bytes:,} bytes",
                Location(path),
                role.too_large_hint,
            )]
        data = path.read_bytes()
    except OSError as error:
        return None, [Finding("project", f"cannot read file: {error.strerror}", Location(path))]

    text, findings = _decode(path, data)
    if text is None:
        return None, findings

    findings = _find_tabs(path, text)
    if findings:
        return None, findings

    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_finding(path, error)]
    except yaml.YAMLError as error:
        return None, [Finding("yaml-syntax", f"invalid YAML: {error}", Location(path))]

    if root is None:
        return YamlDocument(path, None), []
    findings = _check_tree(path, root, role)
    if findings:
        return None, findings
    return YamlDocument(path, root), []


def _decode(path: Path, data: bytes) -> tuple[str | None, list[Finding]]:
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Finding(
            "bad-encoding",
            "file starts with a UTF-8 byte order mark (BOM)",
            Location(path, 1, 1),
            "save the file as UTF-8 without BOM",
        )]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Finding(
            "bad-encoding",
            f"file is not valid UTF-8: byte 0x{data[error.start]:02x} cannot be decoded",
            Location(path, line),
            "save the file as UTF-8; most editors offer it under 'Save with encoding'",
        )]


def _find_tabs(path: Path, text: str) -> list[Finding]:
    if "\t" not in text:
        return []
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            findings.append(Finding(
                "tab",
                "tab character in indentation",
                Location(path, number, indent.index("\t") + 1),
                "YAML indents with spaces only; replace the tab with spaces",
            ))
    return findings


def _syntax_finding(path: Path, error: yaml.MarkedYAMLError) -> Finding:
    mark = error.problem_mark or error.context_mark
    location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    problem = error.problem or "invalid YAML"
    context = error.context_mark
    if error.context and context is not None and (mark is None or context.line != mark.line):
        problem = f"{problem} ({error.context} started on line {context.line + 1})"
    elif error.context:
        problem = f"{problem} ({error.context})"
    return Finding(
        "yaml-syntax",
        f"invalid YAML: {problem}",
        location,
        "check the indentation and quoting near this line; text containing ': ' or "
        "starting with a special character needs quotes",
    )


def _check_tree(path: Path, root: Node, role: FileRole) -> list[Finding]:
    """Reject aliases, non-standard tags and duplicate keys anywhere in the tree.

    An alias shows as a node reached twice. The walk stops at the second visit, so an
    alias bomb costs one visit per distinct node, and each anchor is reported once.
    """
    findings: list[Finding] = []
    aliased: set[int] = set()
    seen: set[int] = {id(root)}
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if node.tag not in _SAFE_TAGS:
            findings.append(Finding(
                "unsafe-tag",
                f"YAML tag {_short_tag(node.tag)!r} is not allowed",
                node_location(path, node),
                f"remove the tag; {role.noun}s hold plain text, numbers, dates, lists and "
                "mappings only",
            ))
            continue
        children: list[Node] = []
        if isinstance(node, MappingNode):
            findings.extend(_duplicate_keys(path, node))
            for key, value in node.value:
                children += (key, value)
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        for child in children:
            if id(child) in seen:
                if id(child) not in aliased:
                    aliased.add(id(child))
                    findings.append(_alias_finding(path, child, role))
            else:
                seen.add(id(child))
                stack.append(child)
    return findings


def _alias_finding(path: Path, node: Node, role: FileRole) -> Finding:
    return Finding(
        "alias",
        f"YAML anchors and aliases are not supported in {role.noun}s",
        node_location(path, node),
        role.alias_hint,
    )


def _duplicate_keys(path: Path, node: MappingNode) -> list[Finding]:
    findings = []
    first_line: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode):
            continue
        if key.value in first_line:
            findings.append(Finding(
                "duplicate-key",
                f"key {key.value!r} appears twice in this mapping "
                f"(first on line {first_line[key.value]})",
                node_location(path, key),
                "remove one of the two entries; YAML would silently keep the last",
            ))
        else:
            first_line[key.value] = key.start_mark.line + 1
    return findings


def _short_tag(tag: str) -> str:
    if tag.startswith(_CORE_TAG_PREFIX):
        return "!!" + tag[len(_CORE_TAG_PREFIX):]
    return tag
