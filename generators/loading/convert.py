"""Check YAML nodes against a ``Struct`` and convert them to plain Python values."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generators.findings import Finding, Location
from generators.loading.schema import Field, Struct
from generators.loading.yaml_source import content_location, node_location

_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters, which YAML admits as escapes but no output can show or print."""
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DURATION_RE = re.compile(r"^(\d+)\s*(day|week|month|year)s?$")


@dataclass(frozen=True)
class Duration:
    """A review interval such as 12 months."""

    count: int
    unit: str  # day, week, month or year

    def after(self, start: dt.date) -> dt.date:
        """Return the date this interval after ``start`` (month ends are clamped)."""
        if self.unit == "day":
            return start + dt.timedelta(days=self.count)
        if self.unit == "week":
            return start + dt.timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "year" else 1)
        month_index = start.month - 1 + months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        for day in range(start.day, 0, -1):
            try:
                return dt.date(year, month, day)
            except ValueError:
                continue
        raise AssertionError("unreachable: day 1 exists in every month")

    def __str__(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"


@dataclass
class Record:
    """A converted mapping: values by field name, and where each field was written."""

    values: dict[str, Any]
    location: Location
    field_locations: dict[str, Location] = field(default_factory=dict)
    content_locations: dict[str, Location] = field(default_factory=dict)
    item_locations: dict[str, list[Location]] = field(default_factory=dict)

    def where(self, name: str) -> Location:
        """Return the location of a field, or of the record when the field is absent."""
        return self.field_locations.get(name, self.location)


class Converter:
    """Converts nodes of one file and collects the findings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def error(self, kind: str, message: str, node: Node | Location, hint: str | None = None,
              need_id: str | None = None) -> None:
        """Record a finding at a node or location."""
        where = node if isinstance(node, Location) else node_location(self.path, node)
        self.findings.append(Finding(kind, message, where, hint, need_id))

    def record(self, node: Node, struct: Struct, context: str,
               extra: list[tuple[ScalarNode, Node]] | None = None) -> Record | None:
        """Convert a mapping node; ``extra`` holds inherited key/value pairs (defaults).

        Return None when the node is not a mapping. Fields with invalid values are left
        out of the record, so one run reports every problem of the file.
        """
        if not isinstance(node, MappingNode):
            self.error("wrong-type", f"{context} must be a mapping of fields, "
                       f"not {_describe(node)}", node, "write one 'field: value' per line")
            return None
        record = Record({}, node_location(self.path, node))
        own = {key.value for key, _ in node.value if isinstance(key, ScalarNode)}
        inherited = [(k, v) for k, v in (extra or []) if k.value not in own]
        for key, value in [*inherited, *node.value]:
            if not isinstance(key, ScalarNode):
                self.error("wrong-type", f"keys of {context} must be plain names", key)
                continue
            spec = struct.by_name.get(key.value)
            if spec is None:
                self._unknown_field(key, struct, context)
                continue
            converted = self.value(value, spec, f"{context} field {key.value!r}")
            if converted is not None:
                record.values[key.value] = converted
                record.field_locations[key.value] = node_location(self.path, key)
                record.content_locations[key.value] = content_location(self.path, value)
                if spec.kind == "ids":
                    items = value.value if isinstance(value, SequenceNode) else [value]
                    record.item_locations[key.value] = [
                        node_location(self.path, item) for item in items if _has_text(item)]
        written = _names(node, inherited)
        for spec in struct.fields:
            if spec.required and spec.name not in written:
                self.error("missing-field", f"{context} has no {spec.name!r}",
                           record.location, f"add '{spec.name}:' ({spec.description})")
        return record

    def value(self, node: Node, spec: Field, context: str) -> Any:
        """Convert one value; return None (and record a finding) when it is invalid."""
        kind = spec.kind
        if _is_null(node):
            if spec.required:
                self.error("missing-field", f"{context} is empty", node,
                           f"give a value ({spec.description})")
            return None
        if kind in ("struct", "mapping"):
            if kind == "mapping":
                if isinstance(node, MappingNode):
                    return node
                self.error("wrong-type", f"{context} must be a mapping, not {_describe(node)}",
                           node)
                return None
            assert spec.struct is not None
            return self.record(node, spec.struct, context)
        if kind == "structs":
            items = self._sequence(node, context)
            if items is None:
                return None
            assert spec.struct is not None
            records = [self.record(item, spec.struct, f"{spec.struct.name} in {context}")
                       for item in items]
            return [r for r in records if r is not None]
        if kind in ("texts", "markups", "choices", "ids"):
            if kind == "ids" and isinstance(node, ScalarNode):
                items: list[Node] | None = [node]
            else:
                items = self._sequence(node, context)
                if items is not None:
                    items = self._filled_items(items, context)
            if items is None:
                return None
            item_kind = {"texts": "text", "markups": "markup", "choices": "choice",
                         "ids": "text"}[kind]
            item_spec = Field(spec.name, item_kind, spec.description, choices=spec.choices)
            values = [self.value(item, item_spec, f"an item of {context}") for item in items]
            if spec.required and not items:
                self.error("missing-field", f"{context} is an empty list", node,
                           f"give at least one value ({spec.description})")
            return [v for v in values if v is not None]
        return self._scalar(node, spec, context)

    def _scalar(self, node: Node, spec: Field, context: str) -> Any:
        if not isinstance(node, ScalarNode):
            self.error("wrong-type", f"{context} must be a single value, not {_describe(node)}",
                       node, f"expected {_expected(spec)}")
            return None
        text = node.value
        control = _CONTROL_RE.search(text)
        if control:
            self.error("invalid-value", f"{context} contains the control character "
                       f"U+{ord(control.group()):04X}", node,
                       "remove it: only printable text, tabs and line breaks can appear in "
                       "the outputs")
            return None
        if spec.kind == "markup":
            if spec.required and not text.strip():
                self.error("missing-field", f"{context} is blank", node,
                           f"give a value ({spec.description})")
                return None
            return text.rstrip("\n")
        if spec.kind == "text":
            value = " ".join(text.split())
            if not value:
                if spec.required:
                    self.error("missing-field", f"{context} is empty", node,
                               f"give a value ({spec.description})")
                return None
            return value
        if spec.kind == "choice":
            value = text.strip()
            if value not in spec.choices:
                close = difflib.get_close_matches(value, spec.choices, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.error("invalid-value", f"{context} is {value!r}, which is not allowed", node,
                           f"{hint}allowed values: {', '.join(spec.choices)}")
                return None
            return value
        if spec.kind == "bool":
            if node.tag != _BOOL_TAG:
                self.error("wrong-type", f"{context} must be true or false, not {text!r}", node,
                           "write true or false, without quotes")
                return None
            return text.lower() in ("true", "yes", "on", "y")
        if spec.kind == "int":
            if node.tag != _INT_TAG:
                self.error("wrong-type", f"{context} must be a whole number, not {text!r}", node,
                           "write digits only, without quotes")
                return None
            return int(text.replace("_", ""))
        if spec.kind == "date":
            return self._date(node, text, context)
        if spec.kind == "duration":
            match = _DURATION_RE.match(text.strip().lower())
            if not match or int(match.group(1)) == 0:
                self.error("invalid-value", f"{context} is {text!r}, not a review interval",
                           node, "write a number and a unit, e.g. '12 months', '90 days', "
                           "'2 weeks' or '1 year'")
                return None
            return Duration(int(match.group(1)), match.group(2))
        raise AssertionError(f"unhandled value kind {spec.kind}")

    def _date(self, node: ScalarNode, text: str, context: str) -> dt.date | None:
        value = text.strip()
        if _DATE_RE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError as error:
                self.error("invalid-date", f"{context} is {value!r}, which is not a date "
                           f"({error})", node, "use an existing date as YYYY-MM-DD")
                return None
        self.error("invalid-date", f"{context} is {value!r}, not a YYYY-MM-DD date", node,
                   "write the date as YYYY-MM-DD, e.g. 2026-03-31")
        return None

    def _sequence(self, node: Node, context: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.error("wrong-type", f"{context} must be a list, not {_describe(node)}", node,
                       "write one '- item' per line, or [a, b]")
            return None
        return list(node.value)

    def _filled_items(self, items: list[Node], context: str) -> list[Node]:
        """Return the items that are not empty, and report each empty one.

        An empty item is a slip (a stray '-' or '""'), and leaving it out silently would
        hide it.
        """
        filled = []
        for item in items:
            if isinstance(item, ScalarNode) and not _has_text(item):
                self.error("missing-field", f"an item of {context} is empty", item,
                           "write the item's value, or remove the item")
            else:
                filled.append(item)
        return filled

    def _unknown_field(self, key: ScalarNode, struct: Struct, context: str) -> None:
        close = difflib.get_close_matches(key.value, list(struct.by_name), n=1, cutoff=0.7)
        if close:
            hint = f"did you mean {close[0]!r}?"
        else:
            hint = f"fields of a {struct.name}: {', '.join(struct.by_name)}"
        self.error("unknown-field", f"{context} has unknown field {key.value!r}", key, hint)


def _names(node: MappingNode, inherited: list[tuple[ScalarNode, Node]]) -> set[str]:
    names = {k.value for k, _ in node.value if isinstance(k, ScalarNode)}
    return names | {k.value for k, _ in inherited}


def _has_text(node: Node) -> bool:
    """Whether a list item converts to a value (kept in step with ``Converter.value``)."""
    return isinstance(node, ScalarNode) and not _is_null(node) and bool(node.value.strip())


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the value {node.value!r}"


def _expected(spec: Field) -> str:
    return {
        "text": "text", "markup": "text", "int": "a whole number", "bool": "true or false",
        "date": "a YYYY-MM-DD date", "duration": "an interval such as '12 months'",
        "choice": "one of " + ", ".join(spec.choices),
    }.get(spec.kind, spec.kind)
