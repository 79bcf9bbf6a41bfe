"""Load the project at the start of a build and write the generated pages."""

from __future__ import annotations

import contextlib
import gc
import shutil
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

from generators.check.placement import Placement, Placer
from generators.check.result import CheckResult, decide
from generators.coverage import Coverage, compute_coverage
from generators.exports import EXPORT_NAMES, table_exports
from generators.findings import Finding
from generators.gc_pause import (
    gc_paused,
    pause_until_loaded,
    release_tree,
    resume_collections,
    set_aside_live_objects,
    set_aside_loaded_objects,
    set_aside_young_survivors,
    take_back_live_objects,
)
from generators.loading.project import load_project
from generators.model import Model
from generators.output import OutputError, sync_generated_folder, write_if_changed
from generators.reproducible import ReproducibilityError, build_timestamp
from generators.settings import Settings
from generators.site.pages import GENERATED_FOLDER, SiteOptions, render_pages
from generators.site.tables import Cell, table_rows
from generators.sphinxext.background import (
    BackgroundError,
    WriteJob,
    can_fork,
    finish_writing,
    start_writing,
)
from generators.sphinxext.gate import gate_settings, report_gate
from generators.template_cache import CACHE_FOLDER, use_cache
from generators.templating import TemplateError

logger = logging.getLogger(__name__)

EXPORTS_FOLDER = "downloads"
"""Folder of the generated pages with the matrix files that the site offers."""

COVERAGE_DIGEST = f"{EXPORTS_FOLDER}/coverage-digest.txt"
"""Generated file that changes whenever coverage changes; pages showing coverage
depend on it, so Sphinx re-reads them exactly then."""


@dataclass
class ReadProgress:
    """Pages read so far in this build, by this process when several read pages."""

    pages: int = 0


@dataclass(frozen=True)
class BuildState:
    """The model and coverage of the project being built."""

    project_dir: Path
    model: Model
    coverage: Coverage
    generated_dir: Path
    write_digests: dict[str, str]
    """Digest of what is filled in when each generated page is written, by docname."""
    settings: Settings | None = None
    gate: CheckResult | None = None
    """The findings that fail the build, when ``iso27035_fail_on`` is set."""
    reading: ReadProgress = field(default_factory=ReadProgress)
    tables: dict[str, tuple[list[str], list[list[Cell]]]] = field(default_factory=dict)

    def table(self, name: str) -> tuple[list[str], list[list[Cell]]]:
        """Return the header and rows of table ``name``, computed once per build.

        Every page of a table shows a slice of the same rows.
        """
        if name not in self.tables:
            self.tables[name] = table_rows(name, self.model, self.coverage)
        return self.tables[name]


_STATES: weakref.WeakKeyDictionary[Sphinx, BuildState] = weakref.WeakKeyDictionary()


def get_state(app: Sphinx) -> BuildState:
    """Return the state of the running build; raise ExtensionError before it is loaded."""
    try:
        return _STATES[app]
    except KeyError:
        raise ExtensionError("iso27035: the project was not loaded") from None


def project_dir_of(app: Sphinx) -> Path:
    """Return the project folder: ``iso27035_project``, else the parent of the sources."""
    configured = app.config.iso27035_project
    if configured:
        return (Path(app.confdir) / configured).resolve()
    return Path(app.srcdir).resolve().parent


def pause_collector(app: Sphinx, config: Config) -> None:
    """Pause the garbage collector while Sphinx loads its environment, until prepared."""
    pause_until_loaded()


def prepare_build(app: Sphinx) -> None:
    """Load and validate the project, compute coverage and write the generated pages.

    Once the project is loaded, what is alive is set aside from later garbage
    collections and the collector runs again.
    """
    try:
        _prepare_build(app)
    except BaseException:
        resume_collections()
        with contextlib.suppress(BackgroundError):  # the first error is the one to report
            wait_for_exports(app)
        raise
    set_aside_loaded_objects()


def _prepare_build(app: Sphinx) -> None:
    project_dir = project_dir_of(app)
    gate = gate_settings(app, project_dir)
    result = load_project(project_dir)
    if result.model is None or result.settings is None:
        for finding in result.findings:
            log_finding(finding, as_warning=True)
        errors = sum(1 for f in result.findings if f.is_input_error)
        raise ExtensionError(f"iso27035: {errors} input error(s) in the project at "
                             f"{project_dir}; fix them and build again")
    for finding in result.findings:
        log_finding(finding, as_warning=True)

    settings = result.settings
    coverage = compute_coverage(result.model, settings.current_date(),
                                count_drafts=settings.count_drafts)
    generated_dir = Path(app.srcdir) / GENERATED_FOLDER
    diagrams = shutil.which(app.config.graphviz_dot) is not None
    template_cache = Path(app.doctreedir) / CACHE_FOLDER
    options = SiteOptions(diagrams=diagrams,
                          own_index=app.config.root_doc != f"{GENERATED_FOLDER}/index",
                          template_cache=template_cache)
    cache_theme_templates(app, template_cache)
    exports = [f"{EXPORTS_FOLDER}/{name}" for name in EXPORT_NAMES]
    # a page that offers a file, read while it is written again, finds the old one
    in_background = can_fork() and all((generated_dir / name).is_file() for name in exports)
    try:
        with gc_paused():
            pages = render_pages(result.model, coverage, options)
            files = {path: text.encode("utf-8") for path, text in pages.texts.items()}
            timestamp = build_timestamp(settings.current_date())
            if not in_background:
                for name, data in table_exports(result.model, coverage, timestamp).items():
                    files[f"{EXPORTS_FOLDER}/{name}"] = data
    except TemplateError as error:
        raise ExtensionError(f"iso27035: {error}. Fix the template, or delete the project's "
                             "copy of it to use the bundled one.") from None
    except ReproducibilityError as error:
        raise ExtensionError(f"iso27035: {error}; unset it or give whole seconds") from None
    files[COVERAGE_DIGEST] = coverage_digest(coverage)
    try:
        changed = sync_generated_folder(generated_dir, files,
                                        pending=exports if in_background else ())
    except OutputError as error:
        raise ExtensionError(f"iso27035: {error}") from None
    if in_background:
        model = result.model
        _EXPORT_JOBS[app] = start_writing(
            generated_dir / EXPORTS_FOLDER,
            lambda: table_exports(model, coverage, timestamp))
    logger.info("iso27035: %d requirement(s), %d generated file(s) changed",
                len(coverage.requirements), len(changed))

    placer = Placer(settings, result.model)
    checked = None
    if gate.kinds:
        checked = decide(project_dir, settings.organization, coverage, gate.kinds,
                         gate.baseline, gate.baseline_path, placer)
    write_digests = {f"{GENERATED_FOLDER}/{path.removesuffix('.md')}": digest
                     for path, digest in pages.write_digests.items()}
    _STATES[app] = BuildState(project_dir, result.model, coverage, generated_dir,
                              write_digests, settings, checked)
    relax_garbage_collection()

    warn_on = set(app.config.iso27035_warn_on)
    if checked is None:
        for finding in coverage.findings:
            log_finding(finding, as_warning=finding.kind in warn_on,
                        placement=placer.place(finding))
    else:
        # a finding that fails the build is a warning, also of a kind not in iso27035_warn_on
        for item in checked.findings:
            log_finding(item.finding, as_warning=item.fails or item.finding.kind in warn_on,
                        placement=item.placement)
    if not diagrams:
        logger.info("iso27035: Graphviz 'dot' was not found, so the pages show no trace "
                    "diagrams; install Graphviz (e.g. 'apt-get install graphviz' or "
                    "'brew install graphviz') and build again to get them")


_EXPORT_JOBS: weakref.WeakKeyDictionary[Sphinx, WriteJob] = weakref.WeakKeyDictionary()


def finish_exports(app: Sphinx, *args: object) -> None:
    """Wait for the matrix files written in the background, before Sphinx copies them.

    Connected to ``write-started`` and, for builders that write no pages, to
    ``build-finished``. A build that failed already reports its own error.
    """
    failed = bool(args) and isinstance(args[-1], BaseException)
    try:
        wait_for_exports(app)
    except BackgroundError as error:
        if failed:
            return
        raise ExtensionError(f"iso27035: the matrix files could not be written into "
                             f"{get_state(app).generated_dir / EXPORTS_FOLDER}: {error}") \
            from None


def wait_for_exports(app: Sphinx) -> None:
    """Wait for the child writing the matrix files of ``app``, if there is one.

    Raise BackgroundError when it failed.
    """
    job = _EXPORT_JOBS.pop(app, None)
    if job is not None:
        finish_writing(job)


def fail_on_findings(app: Sphinx, exception: Exception | None) -> None:
    """Fail a finished build when a finding of the ``iso27035_fail_on`` kinds is left."""
    state = _STATES.get(app)
    if state is not None and state.gate is not None:
        report_gate(app, state.gate, exception)


def cache_theme_templates(app: Sphinx, folder: Path) -> None:
    """Keep the compiled templates of the builder's theme in ``folder`` between builds.

    Builders without Sphinx's own Jinja2 template loader (a custom ``template_bridge``)
    are left alone.
    """
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if isinstance(environment, jinja2.Environment) and environment.bytecode_cache is None:
        use_cache(environment, folder, "theme")


GC_THRESHOLDS = (5000, 10, 10)
"""Allocations between young-generation collections, and the default ratios above it."""


def relax_garbage_collection() -> None:
    """Collect the young generation less often during the build.

    A build allocates millions of short-lived docutils nodes while the model and
    sphinx-needs' data stay alive, so Python's default threshold of 700 makes the
    collector scan the same long-lived objects again and again. On a synthetic project
    of 5,000 needs (benchmarks/run.py, 2-core machine), a threshold of 5,000 cut a clean
    build from about 43 s to 37 s with the same peak memory. Larger thresholds for the
    older generations saved a little more time but raised peak memory by 70%.
    """
    current = gc.get_threshold()
    if current[0] < GC_THRESHOLDS[0]:
        gc.set_threshold(*GC_THRESHOLDS)


def write_root_redirect(app: Sphinx, exception: Exception | None) -> None:
    """Write ``index.html`` that forwards to the generated home page, when that is the root."""
    if exception is not None or app.builder.format != "html":
        return
    root = app.config.root_doc
    if root != f"{GENERATED_FOLDER}/index":
        return
    target = f"{root}{app.builder.out_suffix}"  # type: ignore[attr-defined]
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url={target}">'
            f"<title>Redirect</title></head>"
            f'<body><p><a href="{target}">Open the site</a></p></body></html>\n')
    write_if_changed(Path(app.outdir) / "index.html", page.encode("utf-8"))


def coverage_digest(coverage: Coverage) -> bytes:
    """Return a text that changes whenever any requirement's status or a total changes."""
    lines = [coverage.today.isoformat(), repr(coverage.totals)]
    lines += [f"{name} {totals!r}" for name, totals in coverage.by_source.items()]
    lines += [f"{name} {totals!r}" for name, totals in coverage.by_phase.items()]
    lines += [f"{rid} {r.status}" for rid, r in coverage.requirements.items()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def log_finding(finding: Finding, *, as_warning: bool, placement: Placement | None = None
                ) -> None:
    """Log a finding with type ``iso27035`` and its kind as subtype, at its location.

    With a ``placement``, a finding defined outside the project, such as a requirement of
    the installed catalog, is logged at the project line that brings it in.
    """
    where = placement.anchor if placement is not None else finding.location
    location = where.display() if where else None
    message = finding.message + (placement.origin_note() if placement is not None else "")
    message += f" (hint: {finding.hint})" if finding.hint else ""
    if as_warning:
        logger.warning(message, type="iso27035", subtype=finding.kind, location=location)
    else:
        logger.info("%s: %s [iso27035.%s]", location or "iso27035", message, finding.kind)


def set_aside_environment(app: Sphinx, builder: Builder) -> None:
    """Once all pages are read, keep the environment out of later garbage collections.

    Sphinx keeps the pages read in this build in a cache until it writes them, and
    each becomes garbage once written: set aside, they would stay in memory to the
    end. The cache is emptied first, so the pages are loaded from the doctree folder
    when written. With a Sphinx that has no such cache, nothing is set aside.

    The cached trees are released before they are dropped, so that most of their nodes
    are freed at once and the collection that follows finds less garbage. In a clean
    build of a synthetic project of 20,000 needs (benchmarks/run.py), that collection
    took 3.1 s instead of 4.6 s.
    """
    cache = getattr(app.env, "_write_doc_doctree_cache", None)
    if not isinstance(cache, dict) or len(cache) < SET_ASIDE_MIN_PAGES:
        return
    for doctree in cache.values():
        release_tree(doctree)
    cache.clear()
    set_aside_live_objects()


def set_aside_read_pages(app: Sphinx, doctree: nodes.document) -> None:
    """Count a page read, and every READ_SET_ASIDE_PAGES pages freeze what is alive."""
    reading = get_state(app).reading
    reading.pages += 1
    if reading.pages % READ_SET_ASIDE_PAGES == 0:
        set_aside_young_survivors()


READ_SET_ASIDE_PAGES = 20
"""Pages read between two freezes of the live objects.

On a synthetic project of 20,000 needs, full collections while reading took about
14 s of a 114 s clean build, each scanning the growing environment and the pages
read so far. A freeze costs one young collection."""


SET_ASIDE_MIN_PAGES = 50
"""Minimum of pages read in a build for the environment to be set aside.

Setting it aside costs one full collection (0.33 s after an edit of a synthetic project
of 5,000 needs), which only pays off when many pages are written after it."""


def release_written_page(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Release the tree of the page written before this one.

    An HTML builder emits ``html-page-context`` just before it renders a page's
    template, and uses the page's tree no more once the page is written. Each tree is
    released when the next page comes, so that handlers of this event and functions
    the template calls still see the whole tree of their page. The trees of the first
    RELEASE_AFTER_PAGES pages are left whole, because a build after an edit writes only
    a few pages and ends soon after.
    """
    written = _WRITTEN.setdefault(app, _Written())
    previous, written.doctree = written.doctree, doctree
    if previous is not None and previous is not doctree:
        written.pages += 1
        if written.pages > RELEASE_AFTER_PAGES:
            release_tree(previous)


RELEASE_AFTER_PAGES = 20
"""The number of pages at the start of a build whose trees are left whole.

Later pages are released. Releasing the trees of the five pages that an edit of one
need file makes a build write took 0.02 s of its 1.5 s at 1,000 needs (benchmarks/run.py).
"""


@dataclass
class _Written:
    """Pages written in a build so far, and the tree of the page being written."""

    pages: int = 0
    doctree: nodes.document | None = None


_WRITTEN: weakref.WeakKeyDictionary[Sphinx, _Written] = weakref.WeakKeyDictionary()
"""Per build, the pages written so far."""


def take_back_environment(app: Sphinx, exception: Exception | None) -> None:
    """At the end of a build, let the collector free the environment again."""
    resume_collections()
    take_back_live_objects()
