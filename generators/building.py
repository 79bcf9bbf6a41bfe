"""The ``build`` command: the site with Sphinx, then the files built from the model."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
from markupsafe import escape

from generators.check.baseline import BaselineError, read_baseline
from generators.check.placement import Placer
from generators.check.result import decide
from generators.check.text import format_checked, verdict
from generators.cli import EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, fail_input, parse_jobs
from generators.coverage import Coverage, compute_coverage
from generators.exports import EXPORT_NAMES, table_exports
from generators.findings import display_path
from generators.forms.commands import (
    FORMS_FOLDER,
    FormsError,
    forms_summary,
    render_forms,
    write_forms,
)
from generators.gc_pause import gc_paused, resume_collections
from generators.loading.project import DOCS_FOLDER, load_project
from generators.model import Model
from generators.output import (
    OutputError,
    atomic_write,
    cannot_write,
    check_generated_folder,
    reject_file_in_place,
)
from generators.output_lock import output_lock
from generators.reproducible import build_timestamp
from generators.settings import Settings
from generators.word.command import (
    WORD_FOLDER,
    WordExportError,
    render_word,
    report_word_failure,
    word_summary,
    write_word,
)
from generators.word.rendering import RenderedDocument

OnBuilt = Callable[[Any], None]
"""Called with the Sphinx application after a site build that succeeded."""

DOCTREES = ".doctrees"
"""Sphinx's cache of parsed pages, kept in the output folder between builds."""


def run_build(project_dir: Path, out_dir: Path | None, *, jobs: str = "1",
              verbose: bool = False, fail_on: tuple[str, ...] = (),
              baseline: Path | None = None) -> int:
    """Build every output of the project; return the exit code.

    With ``fail_on``, the findings of those kinds that are not in the ``baseline`` file
    are listed after the outputs are written, and the exit code is 1. The output folder
    is locked before the project is loaded, so a build that waited for another one
    builds the files as they are when it starts.
    """
    accepted = None
    if fail_on and baseline is not None:
        try:
            accepted = read_baseline(baseline)
        except BaselineError as error:
            click.echo(f"iso27035: {error}", err=True)
            return EXIT_INVALID
    out_dir = (out_dir if out_dir is not None else project_dir / "_build").resolve()
    if _reject_linked_site(out_dir):
        return EXIT_INVALID
    try:
        with _terminate_as_exit(), \
                output_lock(out_dir):
            return _build_locked(project_dir, out_dir, jobs=jobs, verbose=verbose,
                                 fail_on=fail_on, baseline=baseline, accepted=accepted)
    except OutputError as error:
        click.echo(f"iso27035: {error}", err=True)
        return EXIT_INVALID


def _build_locked(project_dir: Path, out_dir: Path, *, jobs: str, verbose: bool,
                  fail_on: tuple[str, ...], baseline: Path | None,
                  accepted: set[tuple[str, str]] | None) -> int:
    result = load_project(project_dir)
    if result.model is None or result.settings is None:
        fail_input(result.findings)
    model, settings = result.model, result.settings
    coverage = compute_coverage(model, settings.current_date(),
                                count_drafts=settings.count_drafts)
    try:
        word_documents = render_word(model, settings, coverage)
    except WordExportError as error:
        return report_word_failure(error)

    code = _write_outputs(project_dir.resolve(), out_dir, model, settings, coverage,
                          word_documents, jobs=jobs, verbose=verbose)
    if code != EXIT_OK:
        return code

    totals = coverage.totals
    click.echo(f"Coverage on {coverage.today.isoformat()}: {totals.covered} covered, "
               f"{totals.partial} partial, {totals.gap} gap, {totals.excluded} excluded "
               f"of {totals.total} requirements.")
    if not fail_on:
        click.echo("Run 'iso27035 check' for the findings.")
        return EXIT_OK
    checked = decide(project_dir, settings.organization, coverage, fail_on, accepted,
                     baseline, Placer(settings, model))
    for item in checked.findings:
        if item.fails:
            click.echo(format_checked(item))
    click.echo(verdict(checked))
    return EXIT_FINDINGS if checked.failed else EXIT_OK


def _write_outputs(project_dir: Path, out_dir: Path, model: Model, settings: Settings,
                   coverage: Coverage, word_documents: list[RenderedDocument], *, jobs: str,
                   verbose: bool) -> int:
    """Write the site, the matrix files, the forms and the Word documents; return the exit code."""
    html_dir, matrix_dir = out_dir / "html", out_dir / "matrix"
    forms_dir, word_dir = out_dir / FORMS_FOLDER, out_dir / WORD_FOLDER
    try:
        form_files = render_forms(model, settings)
    except FormsError as error:
        click.echo(f"iso27035: {error}", err=True)
        return EXIT_INVALID

    # a blocked later step stops the build before the site is replaced
    reject_file_in_place(matrix_dir)
    for name in EXPORT_NAMES:
        if (matrix_dir / name).is_dir():
            raise OutputError(f"{matrix_dir / name} is a folder, where iso27035 writes a "
                              "matrix file; move the folder out of the way and build again")
    check_generated_folder(forms_dir, form_files)
    check_generated_folder(word_dir, [document.file_name for document in word_documents])

    code = build_site_atomically(project_dir, out_dir, jobs=jobs, verbose=verbose,
                                 organization=model.organization)
    if code != EXIT_OK:
        return code
    timestamp = build_timestamp(settings.current_date())
    write_matrix_files(model, coverage, matrix_dir, timestamp)
    try:
        form_count = write_forms(model, settings, forms_dir, form_files)
        write_word(word_documents, word_dir)
    except (FormsError, WordExportError) as error:
        click.echo(f"iso27035: {error}; the site was written already", err=True)
        return EXIT_INVALID

    click.echo(f"Site:   {display_path(html_dir / 'index.html')}")
    if shutil.which("dot") is None:
        click.echo("        (no trace diagrams: Graphviz 'dot' was not found; install Graphviz, "
                   "e.g. 'apt-get install graphviz' or 'brew install graphviz', and build "
                   "again)")
    click.echo(f"Matrix: {display_path(matrix_dir)}{os.sep} (traceability matrix as CSV, "
               "JSON and workbook; statement of applicability)")
    click.echo(forms_summary(forms_dir, form_count))
    click.echo(word_summary(word_dir, len(word_documents)))
    return EXIT_OK


def write_matrix_files(model: Model, coverage: Coverage, folder: Path,
                       timestamp: dt.datetime) -> Path:
    """Write the matrix files and the statement of applicability into ``folder``."""
    with gc_paused():
        files = table_exports(model, coverage, timestamp)
    for name, data in files.items():
        atomic_write(folder / name, data)
    return folder


def build_site_atomically(project_dir: Path, out_dir: Path, *, jobs: str, verbose: bool,
                          organization: str, on_built: OnBuilt | None = None) -> int:
    """Build the site into a staging folder and swap it in only when the build succeeds.

    A failed or interrupted build leaves the previous site as it was. The staging
    folder starts as a copy of the previous site, so Sphinx still rewrites only the
    pages that changed. The doctree cache is moved in and back. ``on_built`` is called
    with the Sphinx application after a build that succeeded.
    """
    if _reject_linked_site(out_dir):
        return EXIT_INVALID
    try:
        with _terminate_as_exit(), \
                output_lock(out_dir):
            _remove_left_staging(out_dir)
            reject_file_in_place(out_dir / "html")
            return _build_in_staging(project_dir, out_dir, jobs=jobs, verbose=verbose,
                                     organization=organization, on_built=on_built)
    except OutputError as error:
        click.echo(f"iso27035: {error}", err=True)
        return EXIT_INVALID


def _reject_linked_site(out_dir: Path) -> bool:
    """Return whether the site folder is a symbolic link, after reporting it as an error.

    The new site replaces the folder as a whole, so the link would become a folder and
    its target would keep the old site.
    """
    html_dir = out_dir / "html"
    if not html_dir.is_symlink():
        return False
    click.echo(f"iso27035: {display_path(html_dir)} is a symbolic link, and a build replaces "
               "the site folder as a whole. Remove the link, or point a link of yours at the "
               "site folder instead of the other way round.", err=True)
    return True


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Turn SIGTERM, which CI sends when it cancels a job, into SystemExit in the block.

    The staging folder is then removed and the doctree cache put back, as after
    Ctrl+C. A process killed with SIGKILL still leaves its staging folder behind.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> NoReturn:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _remove_left_staging(out_dir: Path) -> None:
    """Remove the staging folders of builds into ``out_dir`` that were killed (SIGKILL).

    The caller holds the lock of ``out_dir``, so no other build is using them. Only
    names that ``tempfile.mkdtemp`` gives with this folder's prefix are removed.
    """
    name = re.compile(re.escape(_staging_prefix(out_dir)) + r"[a-z0-9_]{8}")
    for folder in out_dir.parent.iterdir():
        if name.fullmatch(folder.name) and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def _staging_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}-staging-"


def _build_in_staging(project_dir: Path, out_dir: Path, *, jobs: str, verbose: bool,
                      organization: str, on_built: OnBuilt | None) -> int:
    html_dir, doctree_dir = out_dir / "html", out_dir / DOCTREES
    # the lock has created the output folder, so an earlier build shows as a site or a cache
    existed = html_dir.exists() or doctree_dir.exists()
    try:
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(out_dir), dir=out_dir.parent))
    except OSError as error:
        raise OutputError(f"cannot create a staging folder beside {out_dir}: "
                          f"{error.strerror}; the site is built there and then moved in, so "
                          "make that folder writable or choose another output folder") from None
    staged_html, staged_doctrees = staging / "html", staging / DOCTREES
    code, swapped = EXIT_INVALID, False
    try:
        try:
            if html_dir.is_dir():
                shutil.copytree(html_dir, staged_html, symlinks=True)
            if doctree_dir.is_dir():
                os.replace(doctree_dir, staged_doctrees)
        except OSError as error:
            raise OutputError(cannot_write(staging, error)) from None
        code = build_site(project_dir, staged_html, staged_doctrees, jobs=jobs,
                          verbose=verbose, organization=organization, on_built=on_built)
        if code == EXIT_OK:
            out_dir.mkdir(exist_ok=True)
            _swap(staged_html, html_dir)
            swapped = True
        return code
    finally:
        # the cache is kept after a failure too, unless this run would leave it alone in
        # an output folder it created
        if staged_doctrees.is_dir() and (existed or code == EXIT_OK):
            if not swapped:
                _forget_written_pages(staged_doctrees)
            out_dir.mkdir(exist_ok=True)
            try:
                os.replace(staged_doctrees, doctree_dir)
            except OSError as error:
                click.echo(f"iso27035: cannot put the page cache back into "
                           f"{display_path(doctree_dir)} ({error.strerror}): another build "
                           "wrote to the same output folder at the same time. Run one build "
                           "at a time for an output folder, and delete the folder if pages "
                           "look outdated.", err=True)
        shutil.rmtree(staging, ignore_errors=True)


def _forget_written_pages(doctree_dir: Path) -> None:
    """Delete the extension's record of the pages it wrote into a site that was discarded.

    Left in place, the record would mark those pages as written, although the live site
    still shows the previous ones. Without it, the next build writes every generated
    page again.
    """
    from generators.sphinxext.incremental import RECORD_NAME

    (doctree_dir / RECORD_NAME).unlink(missing_ok=True)


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``; the old folder is removed after the rename."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def build_site(project_dir: Path, html_dir: Path, doctree_dir: Path, *, jobs: str,
               verbose: bool, organization: str, on_built: OnBuilt | None = None) -> int:
    """Run Sphinx over ``project_dir/docs``; return the exit code.

    A project without ``conf.py`` is built with the extension and the default theme,
    so a project needs no Python file of its own. ``on_built`` is called with the
    Sphinx application after a build that succeeded.
    """
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.console import color_terminal, nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    srcdir = project_dir / DOCS_FOLDER
    srcdir.mkdir(exist_ok=True)
    has_conf = (project_dir / "conf.py").is_file()
    # the command gates on its own --fail-on, after every output is written
    overrides: dict[str, object] = {"iso27035_fail_on": []}
    if not has_conf:
        overrides |= {"extensions": ["generators.sphinxext"], "html_theme": "furo",
                     "project": organization, "html_title": _html_title(organization),
                     "iso27035_project": os.fspath(project_dir)}
    status = sys.stdout if verbose else io.StringIO()
    if not color_terminal():
        nocolor()  # as sphinx-build does: a log file or pipe gets no terminal codes
    try:
        with patch_docutils(project_dir), docutils_namespace(), warnings.catch_warnings():
            if not verbose:
                # deprecations inside sphinx-needs are for its maintainers, not for the
                # readers of a build log
                warnings.filterwarnings("ignore", category=DeprecationWarning,
                                        module=r"sphinx_needs(\.|$)")
                warnings.filterwarnings("ignore", category=PendingDeprecationWarning,
                                        module=r"sphinx_needs(\.|$)")
            app = Sphinx(
                srcdir=srcdir,
                confdir=project_dir if has_conf else None,
                outdir=html_dir,
                doctreedir=doctree_dir,
                buildername="html",
                confoverrides=overrides,
                status=status,
                warning=sys.stderr,
                parallel=parse_jobs(jobs),
            )
            app.build()
    except SphinxError as error:
        message = str(error).removeprefix("iso27035: ")
        click.echo(f"iso27035: the site build failed: {message}", err=True)
        return EXIT_INVALID
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        # an extension's own error, such as an unknown layout name: sphinx-needs derives
        # some of its errors from BaseException
        click.echo(f"iso27035: the site build failed: {type(error).__name__}: {error} (hint: "
                   "check the directive options of the pages; sphinx-build shows where the "
                   "error came from)", err=True)
        return EXIT_INVALID
    finally:
        # a build that failed before the project was loaded left the collector paused
        resume_collections()
    if app.statuscode != 0:
        return EXIT_INVALID
    if on_built is not None:
        on_built(app)
    return EXIT_OK


def _html_title(organization: str) -> str:
    """Return the site title for ``organization``, escaped for HTML.

    Sphinx treats ``html_title`` as markup, and Furo prints it unescaped in the sidebar.
    Furo's page titles strip tags and escape the text again, which first turns the
    entities back into the characters, so the name reads as written everywhere.
    """
    return f"{escape(organization)} documentation"
