"""A blank YAML report of a form: every key in order, with the question as a comment.

Reporters and tools start from it; ``validate-report`` then lists what is still
missing. Its shape is the one the form's JSON Schema describes.
"""

from __future__ import annotations

from generators.forms.choices import describe_choice, field_choices
from generators.forms.schema import PERSON_KEYS
from generators.model import Form, FormField, Model

_ANSWER = {
    "text": "text",
    "long-text": "text; use '|' and indented lines for several lines",
    "date": 'date in quotes, e.g. "2026-03-31"',
    "date-time": 'date and time with time zone, in quotes, e.g. "2026-03-31T14:30:00Z"',
    "yes-no": "yes or no",
    "number": "number",
    "person": "person: name, and optionally role, organization, email and phone",
    "choice": "one of",
    "multi-choice": "a list of",
}


def blank_report(form: Form, model: Model) -> str:
    """Return the blank report of ``form`` as YAML text with comments."""
    lines = [
        f"# {_comment(form.title)} ({form.id}): a blank report.",
        "# Fill in the answers, then check the file with:",
        f"#   iso27035 validate-report --project DIR {form.id} FILE",
        "# where DIR is the project folder; '--project DIR' can be left out there.",
        "# Leave an optional answer empty, or delete its line.",
    ]
    for section in form.sections:
        lines += ["", f"# == {_comment(section.title)} =="]
        if section.help:
            lines.append(f"# {_comment(section.help)}")
        if not section.repeating:
            for item in section.fields:
                lines += _field_lines(item, model, "")
            continue
        if section.required:
            lines.append("# A list of at least one entry. Repeat the block from '- ' for "
                         "each further entry.")
        else:
            lines.append("# A list of entries. Repeat the block from '- ' for each further "
                         f"entry, or write '{section.name}: []' when there is none.")
        lines.append(f"{section.name}:")
        for number, item in enumerate(section.fields):
            entry_lines = _field_lines(item, model, "    ")
            if number == 0:
                # the first key of the entry carries the list marker
                key_index = next(n for n, line in enumerate(entry_lines)
                                 if not line.lstrip().startswith("#"))
                entry_lines[key_index] = "  - " + entry_lines[key_index].lstrip()
            lines += entry_lines
    return "\n".join(lines) + "\n"


def _field_lines(item: FormField, model: Model, indent: str) -> list[str]:
    answer = _ANSWER[item.type]
    choices = field_choices(item, model)
    if choices:
        answer += " " + ", ".join(describe_choice(c) for c in choices)
    if item.signature:
        answer += "; signs and dates the printed form"
    if item.type == "number" and (item.minimum is not None or item.maximum is not None):
        low = "" if item.minimum is None else str(item.minimum)
        high = "" if item.maximum is None else str(item.maximum)
        answer += f" from {low or 'any'} to {high or 'any'}"
    mark = "required" if item.required else "optional"
    lines = [f"{indent}# {_comment(item.label)} ({mark}; {_comment(answer)})"]
    if item.help:
        lines.append(f"{indent}#   {_comment(item.help)}")
    if item.type == "person" and item.required:
        lines.append(f"{indent}{item.name}:")
        lines += [f"{indent}  {key}:" for key in PERSON_KEYS]
    elif item.type == "multi-choice":
        lines.append(f"{indent}{item.name}: []")
    else:
        lines.append(f"{indent}{item.name}:")
    return lines


def _comment(text: str) -> str:
    """Return ``text`` on one line, so that all of it stays inside a YAML comment."""
    return " ".join(text.split())
