"""The MyST body of a need on the site: its content, then its structured fields.

Structured data (procedure steps, role duties, form fields) lives in YAML fields, not in
the content; it is appended here as lists and tables. Plain-text values are escaped, and
markup values (steps, responsibilities) are inserted as written.
"""

from __future__ import annotations

from generators.forms.choices import Choice, field_choices
from generators.model import Form, FormField, Model, Need, Procedure, Role
from generators.site.markdown import md_code, md_escape

FIELD_TYPE_LABELS = {
    "text": "Text",
    "long-text": "Long text",
    "date": "Date",
    "date-time": "Date and time",
    "choice": "One choice",
    "multi-choice": "Several choices",
    "yes-no": "Yes or no",
    "person": "Person (name, role, organization, email, phone)",
    "number": "Number",
}


def need_markup(need: Need, model: Model) -> str:
    """Return the MyST text shown as the body of ``need``."""
    blocks = [need.content] if need.content.strip() else []
    if isinstance(need, Procedure):
        blocks += _procedure(need)
    elif isinstance(need, Role):
        blocks += _role(need)
    elif isinstance(need, Form):
        blocks += _form(need, model)
    return "\n\n".join(blocks)


def _procedure(procedure: Procedure) -> list[str]:
    blocks = []
    if procedure.trigger:
        blocks.append(f"**Trigger:** {md_escape(procedure.trigger)}")
    if procedure.steps:
        blocks.append("\n".join(_list_item(f"{n}.", step)
                                for n, step in enumerate(procedure.steps, start=1)))
    return blocks


def _role(role: Role) -> list[str]:
    blocks = []
    for title, items in (("Responsibilities", role.responsibilities),
                         ("Authority", role.authority)):
        if items:
            blocks.append(f"**{title}:**\n\n" + "\n".join(_list_item("-", i) for i in items))
    if role.competencies:
        blocks.append("**Competencies:**\n\n" + "\n".join(
            f"- {md_escape(c)}" for c in role.competencies))
    if role.availability:
        blocks.append(f"**Availability:** {md_escape(role.availability)}")
    if role.contacts:
        rows = ["| Channel | Contact | When to use |", "|---|---|---|"]
        rows += [f"| {c.channel} | {md_escape(c.value)} | {md_escape(c.note or '-')} |"
                 for c in role.contacts]
        blocks.append("**Contacts:**\n\n" + "\n".join(rows))
    return blocks


def _form(form: Form, model: Model) -> list[str]:
    blocks = []
    for section in form.sections:
        heading = f"**{md_escape(section.title)}**"
        if section.repeating:
            need = "at least one entry" if section.required else "one entry per item"
            heading += (f" (repeating: {need}; in a report, the list {md_code(section.name)}"
                        ")")
        lines = [heading]
        if section.help:
            lines.append(f"\n{md_escape(section.help)}")
        if section.fields:
            lines += ["", "| Field | Name | Answer | Required | Help |", "|---|---|---|---|---|"]
            for item in section.fields:
                required = "**required**" if item.required else "optional"
                lines.append(f"| {md_escape(item.label)} | {md_code(item.name)} | "
                             f"{_answer(item, model)} | {required} | "
                             f"{md_escape(item.help or '-')} |")
        blocks.append("\n".join(lines))
    return blocks


def _answer(item: FormField, model: Model) -> str:
    """Return the answer column of a form field: its type, signature, range or choices."""
    answer = md_escape(FIELD_TYPE_LABELS[item.type])
    if item.signature:
        answer += ", who signs and dates the printed form"
    if item.minimum is not None or item.maximum is not None:
        low = "any" if item.minimum is None else str(item.minimum)
        high = "any" if item.maximum is None else str(item.maximum)
        answer += md_escape(f", from {low} to {high}")
    choices = field_choices(item, model)
    if choices:
        shown = ", ".join(_choice(c) for c in choices)
        source = model.scales.get(item.choices_from or "")
        if source is not None:
            answer += f" from the scale *{md_escape(source.title)}*"
        answer += f": {shown}"
    return answer


def _choice(choice: Choice) -> str:
    if choice.label == choice.value:
        return md_code(choice.value)
    return f"{md_escape(choice.label)} ({md_code(choice.value)})"


def _list_item(marker: str, text: str) -> str:
    """Return a list item; continuation lines are indented under the marker."""
    indent = " " * (len(marker) + 1)
    lines = text.strip().splitlines() or [""]
    return "\n".join([f"{marker} {lines[0]}", *(f"{indent}{line}" if line else ""
                                               for line in lines[1:])])
