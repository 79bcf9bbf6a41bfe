"""Read a filled report, YAML or JSON, into plain JSON values with the line of each value.

YAML goes through the same reader as need files (no tags, anchors, aliases or duplicate
keys, a size limit), and scalars are typed by the YAML core rules except timestamps,
which stay text so that dates and times are checked as the author wrote them. JSON
is parsed strictly: duplicate keys and NaN or Infinity are rejected.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generators.findings import Finding, Location
from generators.loading.yaml_source import MAX_FILE_BYTES, FileRole, read_yaml_file

JsonPath = tuple[str | int, ...]

MAX_DEPTH = 64
"""Deepest nesting read. A valid report nests four levels; this guards the recursion."""

_TAG = "tag:yaml.org,2002:"

REPORT = FileRole("report", "check that this is the filled report, and keep large "
                  "evidence such as logs in files of their own",
                  "write the value out in each place that uses it")


@dataclass
class Report:
    """A filled report as JSON values, and the 1-based line of each value where known."""

    path: Path
    data: Any
    lines: dict[JsonPath, int] = field(default_factory=dict)
    written: dict[JsonPath, str] = field(default_factory=dict)
    """The YAML text of each value that YAML read as something other than the text."""

    def location(self, path: JsonPath) -> Location:
        """Return the location of the value at ``path``, or of its nearest parent."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return Location(self.path, line)
        return Location(self.path)


def read_report(path: Path) -> tuple[Report | None, list[Finding]]:
    """Read the report at ``path``: JSON when it ends in ``.json``, YAML otherwise.

    Return None with findings when the file cannot be read or parsed.
    """
    if path.suffix.lower() == ".json":
        return _read_json(path)
    return _read_yaml(path)


def _read_yaml(path: Path) -> tuple[Report | None, list[Finding]]:
    try:
        document, findings = read_yaml_file(path, role=REPORT)
    except RecursionError:
        return None, [_too_deep(path)]
    if document is None:
        return None, findings
    report = Report(path, None)
    if document.root is None:
        return report, []
    reader = _NodeReader(report)
    try:
        report.data = reader.value(document.root, (), 0)
    except _ReadError as error:
        return None, [error.finding]
    return report, []


def _json_text(value: Any) -> str:
    """Return how JSON writes a scalar value."""
    return json.dumps(value)


class _ReadError(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


class _NodeReader:
    """Turns composed YAML nodes into JSON values, noting the line of each."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.constructor = yaml.constructor.SafeConstructor()

    def value(self, node: Node, at: JsonPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _ReadError(_too_deep(self.report.path))
        self.report.lines[at] = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            mapping: dict[str, Any] = {}
            for key, value in node.value:
                if not isinstance(key, ScalarNode):
                    raise _ReadError(Finding(
                        "wrong-type", "a key of the report is a list or mapping",
                        Location(self.report.path, key.start_mark.line + 1),
                        "keys are the names of the form's fields"))
                mapping[key.value] = self.value(value, (*at, key.value), depth + 1)
            return mapping
        if isinstance(node, SequenceNode):
            return [self.value(item, (*at, index), depth + 1)
                    for index, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        value = self.scalar(node)
        if not isinstance(value, str) and node.value != _json_text(value):
            self.report.written[at] = node.value
        return value

    def scalar(self, node: ScalarNode) -> Any:
        """Return the JSON value of a scalar; timestamps and non-finite floats stay text."""
        if node.tag.removeprefix(_TAG) not in ("int", "float", "bool", "null"):
            return node.value
        value = self.constructor.construct_object(node)  # type: ignore[no-untyped-call]
        if isinstance(value, float) and not math.isfinite(value):
            return node.value
        return value


def _read_json(path: Path) -> tuple[Report | None, list[Finding]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Finding("file-too-large", f"file is {size:,} bytes; the limit for a "
                                  f"{REPORT.noun} is {MAX_FILE_BYTES:,} bytes", Location(path),
                                  REPORT.too_large_hint)]
        data = path.read_bytes()
    except OSError as error:
        return None, [Finding("project", f"cannot read file: {error.strerror}",
                              Location(path))]
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Finding("bad-encoding", "file starts with a UTF-8 byte order mark (BOM)",
                              Location(path, 1), "save the file as UTF-8 without BOM")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Finding("bad-encoding", "file is not valid UTF-8", Location(path, line),
                              "save the file as UTF-8")]
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys,
                           parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        return None, [Finding("yaml-syntax", f"invalid JSON: {error.msg}",
                              Location(path, error.lineno, error.colno),
                              "check the brackets, commas and quotes near this line")]
    except _DuplicateKey as error:
        return None, [Finding("duplicate-key", f"key {error.key!r} appears twice in one "
                              "object", Location(path), "remove one of the two entries")]
    except _NonFinite as error:
        return None, [Finding("wrong-type", f"{error.constant} is not a JSON number",
                              Location(path), "write a finite number")]
    except RecursionError:
        return None, [_too_deep(path)]
    return Report(path, value), []


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _NonFinite(ValueError):
    def __init__(self, constant: str) -> None:
        super().__init__(constant)
        self.constant = constant


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise _DuplicateKey(key)
        mapping[key] = value
    return mapping


def _reject_constant(constant: str) -> Any:
    raise _NonFinite(constant)


def _too_deep(path: Path) -> Finding:
    return Finding("wrong-type", f"the report nests deeper than {MAX_DEPTH} levels",
                   Location(path), "a report nests at most four levels: report, section "
                   "entries, entry, person")
