"""Jinja2 environments for the templates in ``templates/``, which a project can override.

A template is looked up first in the project's own ``templates/`` folder, then among the
bundled templates. Loading the project rejects project templates that lead outside it
(``generators.loading.project``). Every environment uses ``StrictUndefined``: a template
that names a variable the context lacks fails with the template name and the variable, instead of
rendering empty text.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.resources import bundled_dir

if TYPE_CHECKING:
    import jinja2

TEMPLATES_FOLDER = "templates"
"""Folder of a project's own templates, and of the bundled ones."""


class TemplateError(Exception):
    """A template is missing or fails to render; the message names template and cause."""


def template_dirs(project_dir: Path | None, subfolder: str) -> list[Path]:
    """Return the folders searched for templates of ``subfolder``, project first."""
    folders = []
    if project_dir is not None:
        own = project_dir / TEMPLATES_FOLDER / subfolder
        if own.is_dir():
            folders.append(own)
    folders.append(bundled_dir(TEMPLATES_FOLDER) / subfolder)
    return folders


def make_environment(folders: list[Path], filters: dict[str, Callable[..., Any]]
                     ) -> jinja2.Environment:
    """Return an environment over ``folders`` that fails on undefined variables."""
    import jinja2  # imported on first use: ``iso27035 check`` renders no template

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is MyST, escaped by the filters where it holds text
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(filters)
    return environment


def render(environment: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render template ``name``; raise TemplateError naming the template and the cause."""
    import jinja2

    try:
        template = environment.get_template(name)
    except jinja2.TemplateNotFound:
        searched = ", ".join(str(p) for p in environment.loader.searchpath)  # type: ignore[union-attr]
        raise TemplateError(f"template {name} not found (searched: {searched})") from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"template {error.filename or name}:{error.lineno}: "
                            f"syntax error: {error.message}") from None
    try:
        return template.render(context)
    except jinja2.UndefinedError as error:
        where = _template_line(error)
        raise TemplateError(f"template {where or template.filename}: {error.message}; the "
                            f"variables available are: {', '.join(sorted(context))}") from None
    except jinja2.TemplateNotFound as error:
        where = _template_line(error)
        raise TemplateError(f"template {where or template.filename} uses template "
                            f"{error.name}, which is not found") from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"template {error.filename or name}:{error.lineno}: "
                            f"syntax error: {error.message}") from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"template {template.filename}: {error}") from None
    except Exception as error:
        # An expression of the template failed, such as a division by zero. An error
        # outside every template frame is a defect of the tool, so it keeps its trace.
        where = _template_line(error)
        if where is None:
            raise
        raise TemplateError(f"template {where}: {type(error).__name__}: {error}") from None


def _template_line(error: Exception) -> str | None:
    """Return ``file:line`` of the innermost template frame of ``error``'s traceback.

    Jinja2 rewrites tracebacks so that template code appears with the template's file
    name and line.
    """
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.endswith(".j2")]
    if not frames:
        return None
    return f"{frames[-1].filename}:{frames[-1].lineno}"
