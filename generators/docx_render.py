"""Render docxtpl templates safely and reproducibly.

Every render escapes values, because docxtpl does not by default and an ``&`` or ``<``
in a value silently corrupts the document. A render fails on a variable the context
lacks, naming the template and the variable. The zip is normalized so that the same
inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from generators.reproducible import normalize_office_zip
from generators.templating import TemplateError


def escape_value(value: Any) -> Markup:
    """Escape a value for WordprocessingML, and keep docxtpl from rewriting it.

    After rendering, docxtpl turns ``{_{``, ``}_}``, ``{_%`` and ``%_}`` into Jinja
    delimiters (its way to print delimiters from a template). A character reference
    for the brace keeps such text in a value as written.
    """
    text = str(escape(value))
    return Markup(text.replace("{_", "&#123;_").replace("_}", "_&#125;"))


class _CompilingOnceEnvironment(jinja2.Environment):
    """An environment that compiles each template source once.

    docxtpl hands the whole document XML to ``from_string`` on every render; rendering
    many forms or documents from one template would otherwise compile it each time.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: Any, globals: Any = None,  # noqa: A002
                    template_class: Any = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


def docx_environment(filters: dict[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """Return the Jinja environment for Word templates: strict and escaping.

    Reuse one environment for many renders of the same template: it compiles each
    template once.
    """
    environment = _CompilingOnceEnvironment(undefined=jinja2.StrictUndefined,
                                            autoescape=True, finalize=escape_value)
    environment.filters.update(filters or {})
    return environment


_VARIABLES: dict[tuple[str, int, int], frozenset[str]] = {}


def template_variables(template: Any, path: Path, environment: jinja2.Environment
                       ) -> frozenset[str]:
    """Return the variables a template uses, computed once per template file and version.

    docxtpl finds them by opening and parsing the template again, which costs more than
    rendering it.
    """
    status = path.stat()
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
    if key not in _VARIABLES:
        _VARIABLES[key] = frozenset(template.get_undeclared_template_variables(environment))
    return _VARIABLES[key]


def open_template(path: Path) -> Any:
    """Return a ``DocxTemplate`` for ``path``; raise TemplateError if it cannot be used."""
    from docxtpl import DocxTemplate

    if not path.is_file():
        raise TemplateError(f"Word template {path} not found")
    if not zipfile.is_zipfile(path):
        raise TemplateError(f"Word template {path} is not a .docx file")
    try:
        template = DocxTemplate(path)
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise TemplateError(f"Word template {path} cannot be opened: {error}") from None
    return template


def render_docx(template: Any, path: Path, context: dict[str, Any], timestamp: dt.datetime,
                environment: jinja2.Environment | None = None,
                properties: dict[str, str] | None = None) -> bytes:
    """Render an opened template with ``context``; return the normalized .docx bytes.

    ``path`` names the template in messages. ``properties`` sets core properties
    (title, subject, identifier ...) after rendering, because docxtpl renders the
    template's own properties as Jinja. Raise TemplateError when the template uses a
    variable the context lacks or is not valid Jinja.
    """
    environment = environment or docx_environment()
    try:
        missing = sorted(template_variables(template, path, environment) - context.keys())
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"Word template {path}: syntax error: {error.message}") from None
    if missing:
        raise TemplateError(
            f"Word template {path} uses {', '.join(repr(m) for m in missing)}, which the "
            f"context does not provide; available: {', '.join(sorted(context))}")
    try:
        template.render(context, jinja_env=environment, autoescape=True)
    except jinja2.UndefinedError as error:
        raise TemplateError(f"Word template {path}: {error.message}") from None
    except jinja2.TemplateSyntaxError as error:
        lines = " / ".join(line.strip() for line in getattr(error, "docx_context", []) if
                           line.strip())
        raise TemplateError(f"Word template {path}: syntax error: {error.message}"
                            + (f" near: {lines}" if lines else "")) from None
    for name, value in (properties or {}).items():
        setattr(template.docx.core_properties, name, value)
    buffer = io.BytesIO()
    template.save(buffer)
    return normalize_office_zip(buffer.getvalue(), timestamp)
