"""Render docxtpl templates safely and reproducibly.

Every render escapes values, because docxtpl does not by default and an ``&`` or ``<``
in a value silently corrupts the document. A render fails on a variable the context
lacks, naming the template and the variable. The zip is normalized so that the same
inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.utils import missing
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


class MissingValueError(jinja2.UndefinedError):
    """Error of a template that uses an attribute or item that a value of the context lacks."""

    def __init__(self, message: str, *, holder: Any, name: Any) -> None:
        super().__init__(message)
        self.holder = holder
        self.name = name


class _ReportingUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose error keeps the value that lacked the attribute.

    Jinja's own message names only the value's type ("'dict object' has no
    attribute ..."). Keeping the value lets the message name it as the template does.
    """

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = missing,
                 name: str | None = None, exc: type[jinja2.UndefinedError] = jinja2.UndefinedError
                 ) -> None:
        super().__init__(hint, obj, name, exc)
        if obj is not missing:
            # Jinja raises what this attribute holds, called with the message alone
            self._undefined_exception = functools.partial(  # type: ignore[assignment]
                MissingValueError, holder=obj, name=name)


def docx_environment(filters: dict[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """Return the Jinja environment for Word templates: strict and escaping.

    Reuse one environment for many renders of the same template: it compiles each
    template once.
    """
    environment = _CompilingOnceEnvironment(undefined=_ReportingUndefined,
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
            f"context does not provide; available: {', '.join(sorted(context))}. "
            f"{_FIX_HINT}")
    try:
        template.render(context, jinja_env=environment, autoescape=True)
    except MissingValueError as error:
        raise TemplateError(_missing_value_message(path, error, context)) from None
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


_FIX_HINT = "Use one of these, or remove the tag from the template"


def _missing_value_message(path: Path, error: MissingValueError, context: dict[str, Any]
                           ) -> str:
    """Return a message naming the attribute the template used and those it could use."""
    owner = None
    for name, value in sorted(context.items()):
        if value is error.holder:
            owner = name
            break
        if isinstance(value, list | tuple) and any(item is error.holder for item in value):
            owner = f"an entry of {name}"
            break
    if owner is None:
        return f"Word template {path}: {error.message}"
    used = repr(f"{owner}.{error.name}") if owner in context else f"{error.name!r} of {owner}"
    if not isinstance(error.holder, Mapping):
        return (f"Word template {path} uses {used}, but {owner} is a single value without "
                f"attributes. Use {owner} alone, or remove the tag from the template")
    available = ", ".join(sorted(str(key) for key in error.holder))
    return (f"Word template {path} uses {used}, which the context does not provide; "
            f"available in {owner}: {available}. {_FIX_HINT}")
