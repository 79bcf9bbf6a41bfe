"""Sphinx extension: the traceability site of an ISO/IEC 27035 programme.

Add ``"generators.sphinxext"`` to ``extensions``; it sets up MyST-Parser and
sphinx-needs and configures them from the trace model. At the start of each build it
loads the project's need files, computes coverage, writes the generated pages into
``docs/_generated/`` and reports each gap as a warning at the requirement's source.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from generators import __version__
from generators.gc_pause import skip_collections_at_exit
from generators.sphinxext import configuration, directives, incremental, project, speedups

ENV_VERSION = 2
"""Raised when pages built by an older version would show something else, so that the
next build reads and writes every page again."""


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    app.setup_extension("myst_parser")
    app.setup_extension("sphinx_needs")
    speedups.cache_default_settings()
    speedups.reuse_need_content_parsers()
    speedups.cache_layout_labels()
    speedups.cache_layout_functions()
    speedups.skip_empty_fields()
    speedups.share_content_line_items()
    speedups.write_needs_json_at_once()
    speedups.skip_repeated_clearing()
    speedups.keep_need_nodes_pickled()
    speedups.shorten_needs_repr()
    skip_collections_at_exit()

    app.add_config_value("iso27035_project", None, "env", types=frozenset({str, type(None)}),
                         description="Project folder; default: the parent of the source "
                         "folder.")
    app.add_config_value("iso27035_warn_on", ["gap"], "env", types=frozenset({list, tuple}),
                         description="Coverage finding kinds logged as warnings (so that "
                         "-W fails on them); other kinds are logged as information.")
    app.add_config_value("iso27035_fail_on", [], "", types=frozenset({list, tuple, str}),
                         description="Finding kinds, or 'all', that make the build exit "
                         "with status 1, as 'iso27035 check --fail-on' does.")
    app.add_config_value("iso27035_baseline", "", "", types=frozenset({str}),
                         description="Baseline file of accepted findings, relative to the "
                         "project folder, as 'iso27035 check --baseline' reads it.")

    # before sphinx-needs reads its own configuration (its earliest handler runs at 10)
    app.connect("config-inited", configuration.configure, priority=5)
    app.connect("config-inited", project.pause_collector, priority=1)
    app.connect("builder-inited", project.prepare_build)
    app.connect("build-finished", project.write_root_redirect)
    app.connect("build-finished", project.fail_on_findings, priority=990)
    app.connect("write-started", project.finish_exports, priority=1)
    app.connect("build-finished", project.finish_exports, priority=1)
    app.connect("doctree-read", project.set_aside_read_pages, priority=900)
    app.connect("write-started", project.set_aside_environment, priority=900)
    app.connect("build-finished", project.take_back_environment, priority=900)
    app.connect("html-page-context", project.release_written_page)
    app.connect("build-finished", speedups.forget_need_content_parsers)
    app.connect("env-before-read-docs", incremental.clear_pages_to_read)
    app.connect("env-get-outdated", incremental.outdated_dynamic_docs)
    app.connect("env-updated", incremental.stale_generated_docs)
    app.connect("env-updated", incremental.end_of_read)
    app.connect("env-updated", incremental.order_needs_as_read, priority=400)
    app.connect("build-finished", incremental.end_of_build)
    app.connect("doctree-read", incremental.note_dynamic_doc)
    app.connect("doctree-read", incremental.skip_export_dependencies, priority=900)
    app.connect("doctree-resolved", incremental.note_written_doc)
    app.connect("build-finished", incremental.record_written_docs)
    app.connect("env-purge-doc", incremental.purge_doc)
    app.connect("env-merge-info", incremental.merge_info)

    app.add_directive("iso27035-needs", directives.NeedsDirective)
    app.add_directive("iso27035-coverage", directives.CoverageDirective)
    app.add_directive("iso27035-table", directives.TableDirective)
    app.add_post_transform(directives.FillTables)
    app.add_directive("iso27035-trace-model", directives.TraceModelDirective)
    app.add_directive("iso27035-finding-kinds", directives.FindingKindsDirective)
    app.add_directive("iso27035-format", directives.FormatDirective)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
