"""Check a filled report against its form and say what is missing or invalid, field by field.

jsonschema validates the report against the form's JSON Schema with a format checker
for dates, dates and times and e-mail addresses. A tool that ignores ``format`` still
applies the schema's patterns, which reject the same values except impossible calendar
dates such as 2026-02-30. Each error is then rewritten as a sentence that names the
field by label and name, for the point of contact to ask the reporter for exactly that.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

from generators.findings import Finding, Location
from generators.forms.choices import Choice, describe_choice, field_choices
from generators.forms.report_file import JsonPath, Report
from generators.forms.schema import (
    DATE_PATTERN,
    DATE_TIME_PATTERN,
    EMAIL_PATTERN,
    PERSON_KEYS,
    form_schema,
)
from generators.model import Form, FormField, FormSection, Model

_DATE_RE = re.compile(DATE_PATTERN)
_DATE_TIME_RE = re.compile(DATE_TIME_PATTERN)
_EMAIL_RE = re.compile(EMAIL_PATTERN)

DATE_HINT = "write the date as YYYY-MM-DD, e.g. 2026-03-31"
DATE_TIME_HINT = ("write the date and time with seconds and a time zone, e.g. "
                  "2026-03-31T14:30:00Z (UTC) or 2026-03-31T14:30:00+01:00")

# A date and time as people often write it: a space for the T, no seconds, no time zone.
_LOOSE_DATE_TIME_RE = re.compile(
    r"\s*([0-9]{4}-[0-9]{2}-[0-9]{2})(\s+|[Tt])([0-9]{1,2}):([0-9]{2})(:[0-9]{2}(?:[.][0-9]+)?)?"
    r"\s*([Zz]|UTC|[+-][0-9]{2}:?[0-9]{2})?\s*")

# Checking order of the errors at one value: the first one found is reported.
_PRIORITY = ("type", "required", "additionalProperties", "oneOf", "format", "pattern",
             "minItems", "uniqueItems", "minimum", "maximum")


def format_checker() -> FormatChecker:
    """Return a checker for the formats the schemas use, independent of optional packages.

    jsonschema checks ``date-time`` only when an extra package is installed, so the
    date, date-time (RFC 3339) and e-mail rules are defined here. Each accepts what the
    schema's pattern for that format accepts, less impossible dates and values that end
    in a newline.
    """
    checker = FormatChecker(formats=())
    checker.checks("date")(_is_date)
    checker.checks("date-time")(_is_date_time)
    checker.checks("email")(_fits(_EMAIL_RE))
    return checker


def _fits(pattern: re.Pattern[str]) -> Callable[[object], bool]:
    return lambda value: not isinstance(value, str) or pattern.fullmatch(value) is not None


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_RE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _DATE_TIME_RE.fullmatch(value) is not None and _is_date(value[:10])


def date_time_hint(value: object) -> str:
    """Return how to write ``value`` as a valid date and time, from its own date and time.

    A value that does not read as a date and a time gets the general hint.
    """
    match = _LOOSE_DATE_TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return DATE_TIME_HINT
    date, separator, hour, minute, seconds, zone = match.groups()
    start = f"{date}T{int(hour):02d}:{minute}{seconds or ':00'}"
    if zone is None:
        examples = [f"{start}Z", f"{start}+01:00"]
    elif zone.upper() in ("Z", "UTC"):
        examples = [f"{start}Z"]
    else:
        examples = [f"{start}{zone[:3]}:{zone[-2:]}"]
    if not all(_is_date_time(example) for example in examples):
        return DATE_TIME_HINT

    fixes = []
    if separator not in ("T", "t"):
        fixes.append("a T in place of the space")
    if seconds is None:
        fixes.append("the seconds")
    if zone is None:
        fixes.append("a time zone")
    shown = f"{examples[0]} (UTC) or {examples[1]}" if zone is None else examples[0]
    if not fixes:
        return f"write it as {shown}"
    listed = fixes[0] if len(fixes) == 1 else f"{', '.join(fixes[:-1])} and {fixes[-1]}"
    return f"write it with {listed}, e.g. {shown}"


@dataclass(frozen=True)
class _Target:
    """What a value in a report answers: a field, a repeating section, or the report."""

    field: FormField | None = None
    section: FormSection | None = None
    entry: int | None = None  # 1-based number of the entry in a repeating section
    person_key: str | None = None

    def name(self) -> str:
        """Return the field or section as people read it: label and machine name."""
        if self.field is not None:
            text = f"{self.field.label} ({self.field.name})"
            if self.person_key is not None:
                text += f", {self.person_key}"
        elif self.section is not None:
            text = f"{self.section.title} ({self.section.name})"
            if self.entry is not None:
                return f"entry {self.entry} of {text}"
            return text
        else:
            return "the report"
        if self.entry is not None and self.section is not None:
            text = f"entry {self.entry} of {self.section.title}: {text}"
        return text


def check_report(form: Form, model: Model, report: Report) -> list[Finding]:
    """Return a finding per missing or invalid answer of ``report``, in form order."""
    if report.data is None:
        report.data = {}
    validator = Draft202012Validator(form_schema(form, model), format_checker=format_checker())
    checker = _ReportChecker(form, model, report)
    # at one path, a missing key and an unknown key are separate problems; of the errors
    # about the value itself, only the most telling one is reported
    problems: dict[tuple[JsonPath, str], jsonschema.ValidationError] = {}
    for error in validator.iter_errors(report.data):
        path = tuple(error.absolute_path)
        keyword = str(error.validator)
        key = (path, keyword if keyword in _MAPPING_KEYWORDS else "value")
        known = problems.get(key)
        if known is None or _rank(error) < _rank(known):
            problems[key] = error
    findings: list[tuple[tuple[int, ...], Finding]] = []
    for (path, _), error in problems.items():
        findings.extend(checker.explain(path, error))
    return [finding for _, finding in sorted(findings, key=lambda pair: pair[0])]


_MAPPING_KEYWORDS = ("required", "additionalProperties")


def _rank(error: jsonschema.ValidationError) -> int:
    keyword = str(error.validator)
    return _PRIORITY.index(keyword) if keyword in _PRIORITY else len(_PRIORITY)


class _ReportChecker:
    """Turns schema errors at report paths into findings about form fields."""

    def __init__(self, form: Form, model: Model, report: Report) -> None:
        self.form = form
        self.model = model
        self.report = report
        self.top: dict[str, tuple[int, FormField | FormSection]] = {}
        for index, section in enumerate(form.sections):
            if section.repeating:
                self.top[section.name] = (index, section)
            else:
                for item in section.fields:
                    self.top[item.name] = (index, item)
        self.order = {id(item): n for n, item in enumerate(form.iter_fields())}

    def explain(self, path: JsonPath, error: jsonschema.ValidationError
                ) -> Iterator[tuple[tuple[int, ...], Finding]]:
        """Yield (sort key, finding) pairs for the error at ``path``."""
        target = self._target(path)
        keyword = str(error.validator)
        if keyword == "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    child = self._target((*path, name))
                    yield self._sort_key((*path, name)), self._missing(child, path)
            return
        if keyword == "additionalProperties":
            known = self._known_keys(target)
            for key in error.instance:
                if key not in known:
                    yield self._sort_key(path), self._unknown(target, key, known, path)
            return
        yield self._sort_key(path), self._invalid(target, keyword, error, path)

    # -- what a path answers ----------------------------------------------------------

    def _target(self, path: JsonPath) -> _Target:
        if not path or not isinstance(path[0], str) or path[0] not in self.top:
            return _Target()
        _, item = self.top[path[0]]
        if isinstance(item, FormField):
            key = path[1] if len(path) > 1 and isinstance(path[1], str) else None
            return _Target(field=item, person_key=key)
        section = item
        if len(path) < 2 or not isinstance(path[1], int):
            return _Target(section=section)
        entry = path[1] + 1
        if len(path) < 3:
            return _Target(section=section, entry=entry)
        item_field = next((f for f in section.fields if f.name == path[2]), None)
        key = path[3] if len(path) > 3 and isinstance(path[3], str) else None
        return _Target(field=item_field, section=section, entry=entry, person_key=key)

    def _sort_key(self, path: JsonPath) -> tuple[int, ...]:
        """Order findings as the form lists its fields, entries in their order."""
        if not path or not isinstance(path[0], str) or path[0] not in self.top:
            return (len(self.form.sections), 0, 0, 0)
        section_index, item = self.top[path[0]]
        if isinstance(item, FormField):
            return (section_index, self.order[id(item)], 0, 0)
        entry = path[1] + 1 if len(path) > 1 and isinstance(path[1], int) else 0
        field_index = 0
        if len(path) > 2:
            field_index = next((n + 1 for n, f in enumerate(item.fields) if f.name == path[2]),
                               len(item.fields) + 1)
        return (section_index, entry, field_index, 0)

    def _known_keys(self, target: _Target) -> dict[str, str]:
        """Return the keys allowed in the mapping that ``target`` is, with their labels."""
        if target.field is not None:  # a person answer
            return {key: key for key in PERSON_KEYS}
        if target.section is not None:
            return {item.name: item.label for item in target.section.fields}
        return {name: item.label if isinstance(item, FormField) else item.title
                for name, (_, item) in self.top.items()}

    # -- findings ---------------------------------------------------------------------

    def _missing(self, target: _Target, parent: JsonPath) -> Finding:
        where = self.report.location(parent)
        if target.section is not None and target.field is None:
            return Finding("missing-field", f"{target.name()} needs at least one entry, and "
                           "the report has none", where, _ask(target.section.help))
        if target.person_key == "name":
            return Finding("missing-field", f"{target.name()} is required but missing", where,
                           "give the person's name; role, organization, email and phone "
                           "are optional")
        help_text = target.field.help if target.field is not None else None
        return Finding("missing-field", f"{target.name()} is required but missing", where,
                       _ask(help_text))

    def _unknown(self, target: _Target, key: str, known: dict[str, str],
                 parent: JsonPath) -> Finding:
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
        if close:
            hint = f"did you mean {close[0]!r} ({known[close[0]]})?"
        else:
            hint = f"the keys here are: {', '.join(known)}" if known else None
        where = self.report.location((*parent, key))
        owner = "the report" if target.field is None and target.section is None else \
            target.name()
        return Finding("unknown-field", f"{owner} has the key {key!r}, which the form "
                       f"{self.form.id} does not define", where, hint)

    def _invalid(self, target: _Target, keyword: str, error: jsonschema.ValidationError,
                 path: JsonPath) -> Finding:
        where = self.report.location(path)
        value = error.instance
        name = target.name()
        item = target.field
        if target.field is None and target.section is None:
            return Finding("wrong-type", f"the report must be a mapping of field names to "
                           f"answers, not {_describe(value)}", where,
                           "write one 'name: answer' line per field")
        if value is None:  # optional answers may be null, so this one is required
            if item is None and target.entry is None:
                assert target.section is not None
                return Finding("missing-field", f"{name} needs at least one entry, and the "
                               "report has none", where, _ask(target.section.help))
            if item is not None:
                return Finding("missing-field", f"{name} is required but empty", where,
                               _ask(item.help))
        if target.field is None:
            assert target.section is not None
            if keyword == "minItems":
                return Finding("missing-field", f"{name} needs at least one entry, and the "
                               "report has none", where, _ask(target.section.help))
            if target.entry is None:
                return Finding("wrong-type", f"{name} must be a list of entries, not "
                               f"{_describe(value)}", where, "write each entry as '- ' "
                               "followed by the entry's fields")
            return Finding("wrong-type", f"{name} must be a mapping of the entry's fields, "
                           f"not {_describe(value)}", where,
                           f"the fields of an entry: {', '.join(f.name for f in target.section.fields)}")
        assert item is not None
        if target.person_key is not None:
            return self._invalid_person(target, keyword, value, where)
        if keyword == "type":
            described = _describe(value)
            written = self.report.written.get(path)
            if written is not None:
                described += f" (YAML reads {written!r} as {_describe_briefly(value)})"
            return Finding("wrong-type", f"{name} must be {_expected(item)}, not "
                           f"{described}", where, _type_hint(item, value))
        dated = item.type in ("date", "date-time")
        if (keyword == "pattern" and not dated) or (keyword == "minItems" and value == []):
            return Finding("missing-field", f"{name} is required but empty", where,
                           _ask(item.help))
        if keyword in ("format", "pattern"):
            if item.type == "date":
                return Finding("invalid-date", f"{name} is {value!r}, which is not a valid "
                               "date in the form YYYY-MM-DD", where, DATE_HINT)
            return Finding("invalid-date", f"{name} is {value!r}, which is not a valid date "
                           "and time in the form YYYY-MM-DDThh:mm:ss with a time zone", where,
                           date_time_hint(value))
        if keyword == "oneOf" or (keyword == "uniqueItems" and isinstance(value, list)):
            return self._invalid_choice(target, keyword, value, where)
        if keyword in ("minimum", "maximum"):
            word = "below the minimum" if keyword == "minimum" else "above the maximum"
            return Finding("invalid-value", f"{name} is {value}, {word} of "
                           f"{error.validator_value}", where, _range_hint(item))
        return Finding("invalid-value", f"{name}: {error.message}", where)

    def _invalid_choice(self, target: _Target, keyword: str, value: Any,
                        where: Location) -> Finding:
        name = target.name()
        assert target.field is not None
        choices = field_choices(target.field, self.model)
        allowed = f"choose from: {', '.join(describe_choice(c) for c in choices)}"
        if keyword == "uniqueItems":
            repeated = next(v for n, v in enumerate(value) if v in value[:n])
            return Finding("invalid-value", f"{name} lists {repeated!r} twice", where,
                           "list each choice once")
        values = value if isinstance(value, list) else [value]
        wrong = [v for v in values if v not in {c.value for c in choices}]
        shown = wrong[0] if wrong else value
        if not isinstance(shown, str):
            return Finding("wrong-type", f"{name} must be {_expected(target.field)}, not "
                           f"{_describe(shown)}", where, _choice_hint(shown, choices) or allowed)
        hint = _choice_hint(shown, choices)
        return Finding("invalid-value", f"{name} is {shown!r}, which is not one of its "
                       "choices", where, f"{hint}; {allowed}" if hint else allowed)

    def _invalid_person(self, target: _Target, keyword: str, value: Any,
                        where: Location) -> Finding:
        name = target.name()
        if keyword == "format" or (keyword == "pattern" and target.person_key == "email"):
            return Finding("invalid-value", f"{name} is {value!r}, which is not an e-mail "
                           "address", where, "write it as name@example.org")
        if keyword == "pattern":
            return Finding("missing-field", f"{name} is required but empty", where,
                           "give the person's name")
        return Finding("wrong-type", f"{name} must be text, not {_describe(value)}", where,
                       "put the value in quotes")


def _choice_hint(value: object, choices: tuple[Choice, ...]) -> str | None:
    """Suggest the choice a wrong answer most likely meant: by value, label or spelling."""
    text = str(value).strip()
    for choice in choices:
        if text.casefold() in (choice.value.casefold(), choice.label.casefold()):
            return f"write the value {choice.value!r}" + (
                " in quotes" if not isinstance(value, str) else "")
    by_folded = {c.value.casefold(): c.value for c in choices}
    close = difflib.get_close_matches(text.casefold(), list(by_folded), n=1)
    return f"did you mean {by_folded[close[0]]!r}?" if close else None


def _expected(item: FormField) -> str:
    return {
        "text": "text", "long-text": "text", "date": "a date as text (YYYY-MM-DD)",
        "date-time": "a date and time as text", "choice": "one of its choices, as text",
        "multi-choice": "a list of its choices", "yes-no": "yes or no (true or false)",
        "person": "a person: a mapping with 'name' and, optionally, role, organization, "
                  "email and phone",
        "number": "a number",
    }[item.type]


def _type_hint(item: FormField, value: object) -> str | None:
    if item.type in ("text", "long-text") and isinstance(value, int | float | bool):
        return "put the answer in quotes to write it as text"
    if item.type == "multi-choice" and isinstance(value, str):
        return f"write a list, e.g. [{value}]"
    if item.type == "number" and isinstance(value, str):
        return "write the number alone, without units or quotes"
    if item.type == "person" and isinstance(value, str):
        return f"write e.g. {{name: {json.dumps(value, ensure_ascii=False)}, email: ..., " \
            "phone: ...}, and move any contact details into email: and phone:"
    if item.type == "yes-no":
        return "answer true or false, without quotes (a YAML report also takes yes or no)"
    return None


def _range_hint(item: FormField) -> str:
    if item.minimum is not None and item.maximum is not None:
        return f"give a number from {item.minimum} to {item.maximum}"
    if item.minimum is not None:
        return f"give a number of at least {item.minimum}"
    return f"give a number of at most {item.maximum}"


def _ask(help_text: str | None) -> str:
    return f"add it: {help_text}" if help_text else "add it to the report"


def _describe_briefly(value: object) -> str:
    if isinstance(value, bool):
        return "a yes-or-no value"
    if value is None:
        return "empty"
    return "a number"


def _describe(value: object) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the yes-or-no value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"
