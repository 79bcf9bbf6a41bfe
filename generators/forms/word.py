"""The blank Word form of each form: a docxtpl template filled with the form's layout.

The template (``templates/forms/form_tpl.docx``, written by
``templates/forms/make_templates.py``) decides the look; this module decides what each
field prints: its label, a required mark, its help, an instruction line, tick boxes
for its choices and blank lines to write on, with signature and date lines for a person
who signs. A repeating section prints as a log table with blank rows when its fields fit
in columns, else as numbered blank entry blocks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generators.docx_render import docx_environment, open_template, render_docx
from generators.forms.choices import YES_NO, field_choices
from generators.model import Form, FormField, FormSection, Model
from generators.templating import TemplateError, template_dirs

TEMPLATE_NAME = "form_tpl.docx"

_ENVIRONMENT = docx_environment()
"""One environment for all forms, so each template is compiled once."""

LOG_ROWS = 12
"""Blank rows of a repeating section printed as a table."""
ENTRY_BLOCKS = 3
"""Blank entry blocks of a repeating section printed field by field."""
MAX_COLUMNS = 6
"""Most fields a repeating section can have and still print as a table on A4 portrait."""
MAX_INLINE_CHOICES = 4
"""Most choices a field can have and still fit in a table cell as tick boxes."""

# Blank lines above the one that ends every answer box.
_ANSWER_LINES = {"long-text": 5}
PERSON_LINES = ("Name:", "Role and organization:", "Email:", "Phone:")
"""Labelled lines of a person field."""
SIGNATURE_LINES = ("Name:", "Signature:", "Date:", "Role and organization:", "Email:",
                   "Phone:")
"""Labelled lines of a person field that signs: name, signature and date come first."""
_COLUMN_TYPES = frozenset({"text", "number", "date", "date-time", "person", "yes-no", "choice"})


@dataclass(frozen=True)
class FormTemplate:
    """The template file a form renders with."""

    path: Path


def find_template(project_dir: Path | None, form_id: str) -> FormTemplate:
    """Return the template of ``form_id``: the project's ``FORM_ID_tpl.docx`` or
    ``form_tpl.docx`` in its ``templates/forms/``, else the bundled one.

    Raise TemplateError when no folder holds one.
    """
    folders = template_dirs(project_dir, "forms")
    for folder in folders:
        for name in (f"{form_id}_tpl.docx", TEMPLATE_NAME):
            if (folder / name).is_file():
                return FormTemplate(folder / name)
    searched = ", ".join(str(f) for f in folders)
    raise TemplateError(f"Word template {TEMPLATE_NAME} not found (searched: {searched})")


def render_form(form: Form, model: Model, timestamp: dt.datetime,
                template: FormTemplate | None = None) -> bytes:
    """Return the blank Word form of ``form`` as .docx bytes.

    The same form, model, template and timestamp give the same bytes. Raise
    TemplateError when the template is unusable or names a variable not provided.
    """
    template = template or find_template(model.project_dir, form.id)
    document = open_template(template.path)
    return render_docx(document, template.path, form_context(form, model), timestamp,
                       _ENVIRONMENT)


def form_context(form: Form, model: Model) -> dict[str, Any]:
    """Return the variables of the Word template for ``form``."""
    return {
        "organization": model.organization,
        "form": {
            "id": form.id,
            "title": form.title,
            "draft": form.status != "approved",
            "intro": plain_paragraphs(form.content),
        },
        "sections": [_section_context(section, model) for section in form.sections],
    }


def _section_context(section: FormSection, model: Model) -> dict[str, Any]:
    fields = [_field_context(item, model) for item in section.fields]
    context: dict[str, Any] = {
        "title": section.title,
        "help": section.help or "",
        "fields": fields,
        "layout": "fields",
        "rows": [],
        "entries": [],
        "entry_title": "Entry",
        "entry_note": "",
    }
    if not section.repeating:
        return context
    at_least_one = " At least one entry is required." if section.required else ""
    if _fits_in_columns(section, model):
        context["layout"] = "rows"
        context["rows"] = list(range(1, LOG_ROWS + 1))
        context["entry_note"] = f"One row per entry.{at_least_one} Continue on a copy of " \
                                "this page if you need more rows."
    else:
        context["layout"] = "blocks"
        context["entries"] = list(range(1, ENTRY_BLOCKS + 1))
        context["entry_note"] = f"One block per entry.{at_least_one} Continue on a copy " \
                                "of this page if you need more blocks."
    return context


def _fits_in_columns(section: FormSection, model: Model) -> bool:
    """Return whether every field fits in a table cell; a signature needs a block."""
    if not section.fields or len(section.fields) > MAX_COLUMNS:
        return False
    return all(item.type in _COLUMN_TYPES and not item.signature
               and len(field_choices(item, model)) <= MAX_INLINE_CHOICES
               for item in section.fields)


def _field_context(item: FormField, model: Model) -> dict[str, Any]:
    choices = [choice.label for choice in field_choices(item, model)]
    lines = [""] * _ANSWER_LINES.get(item.type, 0)
    instruction = ""
    if item.type == "choice":
        instruction = "Tick one."
    elif item.type == "multi-choice":
        instruction = "Tick every box that applies."
    elif item.type == "yes-no":
        instruction = "Tick one."
        choices = [label for _, label in YES_NO]
    elif item.type == "date":
        instruction = "Date: YYYY-MM-DD"
    elif item.type == "date-time":
        instruction = "Date YYYY-MM-DD, time hh:mm and time zone (e.g. UTC or +01:00)"
    elif item.type == "number":
        instruction = _number_instruction(item)
    elif item.type == "person":
        lines = list(SIGNATURE_LINES if item.signature else PERSON_LINES)
    return {
        "name": item.name,
        "label": item.label,
        "required": item.required,
        "signature": item.signature,
        "help": item.help or "",
        "type": item.type,
        "instruction": instruction,
        "choices": choices,
        "lines": lines,
    }


def _number_instruction(item: FormField) -> str:
    if item.minimum is not None and item.maximum is not None:
        return f"A number from {item.minimum} to {item.maximum}."
    if item.minimum is not None:
        return f"A number, at least {item.minimum}."
    if item.maximum is not None:
        return f"A number, at most {item.maximum}."
    return "A number."


_ROLE_RE = re.compile(r"\{[A-Za-z][\w:+.-]*\}`([^`]*)`")
_TITLED_TARGET_RE = re.compile(r"(.*?)\s*<([^<>]*)>")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|`)")


def plain_paragraphs(markup: str) -> list[str]:
    """Return the paragraphs of a MyST text as plain text, for a printed form.

    Roles keep their target or text, links keep their text, and emphasis and code
    markers are dropped.
    NOTE: lists, tables and directives are not rendered; their lines come out joined.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", markup.strip()):
        text = " ".join(block.split())
        text = _ROLE_RE.sub(_role_text, text)
        text = _LINK_RE.sub(r"\1", text)
        text = _EMPHASIS_RE.sub("", text)
        if text:
            paragraphs.append(text)
    return paragraphs


def _role_text(match: re.Match[str]) -> str:
    """Return what a role shows: the title of ``title <target>``, else the target."""
    titled = _TITLED_TARGET_RE.fullmatch(match.group(1))
    if titled is None:
        return match.group(1)
    title = titled.group(1).strip()
    # "[[id]]" is a sphinx-needs text template, which only the site can fill in
    return titled.group(2) if not title or "[[" in title else title
