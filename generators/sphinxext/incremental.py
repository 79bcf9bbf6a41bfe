"""Keep incremental builds correct: read or write again the pages whose content is stale.

sphinx-needs fills need links, tables, lists and diagrams in when a page is written,
from all needs, but Sphinx reads and writes again only pages whose source changed.

- A generated page carries a digest of what Sphinx reads from it, so its source
  changes exactly when that does, and Sphinx reads it again.
- What is filled in at write time has a digest of its own per generated page. A page
  whose write digest differs from the one recorded when it was last written is
  written again, without being read again.
- A project's own pages that hold such dynamic content are read again whenever any
  page changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import weakref
from collections.abc import Iterable
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.directives.needextract import Needextract
from sphinx_needs.needs import NODE_TYPES

from generators.output import write_if_changed
from generators.site.pages import GENERATED_FOLDER
from generators.sphinxext.directives import TablePlaceholder
from generators.sphinxext.project import COVERAGE_DIGEST, EXPORTS_FOLDER, get_state
from generators.sphinxext.speedups import forget_cleared, note_cleared

logger = logging.getLogger(__name__)

_DYNAMIC_NODES = (*NODE_TYPES, Needextract, TablePlaceholder)
_ATTRIBUTE = "iso27035_dynamic_docs"

RECORD_NAME = "iso27035-written.json"
"""File in the doctree folder: the write digest of each generated page when it was last
written, per builder and output folder."""


def _dynamic_docs(env: BuildEnvironment) -> set[str]:
    docs: set[str] | None = getattr(env, _ATTRIBUTE, None)
    if docs is None:
        docs = set()
        setattr(env, _ATTRIBUTE, docs)
    return docs


def clear_pages_to_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Clear every page about to be read before the first is read, as a parallel read does.

    A serial read clears each page just before reading it. A need that moved to a page
    read earlier would then meet its old definition, still in place, and be dropped as
    a duplicate. Once its old page was cleared, no page would define it.
    """
    _dynamic_docs(env)
    for docname in docnames:
        app.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)
    note_cleared(env, docnames)


def note_dynamic_doc(app: Sphinx, doctree: nodes.document) -> None:
    """Remember a project page that shows content filled in at write time."""
    docname = app.env.docname
    if docname.startswith(f"{GENERATED_FOLDER}/"):
        return
    if next(doctree.findall(lambda n: isinstance(n, _DYNAMIC_NODES)), None) is not None:
        _dynamic_docs(app.env).add(docname)


def skip_export_dependencies(app: Sphinx, doctree: nodes.document) -> None:
    """Keep a page from being read again only because a generated export it offers changed.

    Sphinx reads a page again when a file behind one of its ``{download}`` links
    changed, although the page shows only the link, and it copies every download file
    in each build anyway. The exports change with every change of coverage, so the
    downloads page, and the page that lists it, would be read and written each time.
    """
    env = app.env
    dependencies = env.dependencies.get(env.docname)
    if not dependencies:
        return
    exports = (get_state(app).generated_dir / EXPORTS_FOLDER).resolve()
    digest = (get_state(app).generated_dir / COVERAGE_DIGEST).resolve()
    offered = set()
    for node in doctree.findall(addnodes.download_reference):
        target = node.get("reftarget", "")
        if "://" not in target:
            path = Path(env.relfn2path(target, env.docname)[1]).resolve()
            if path.parent == exports and path != digest:
                offered.add(path)
    srcdir = Path(env.srcdir)
    for dependency in list(dependencies):
        if (srcdir / dependency).resolve() in offered:
            dependencies.discard(dependency)


def outdated_dynamic_docs(app: Sphinx, env: BuildEnvironment, added: set[str],
                          changed: set[str], removed: set[str]) -> list[str]:
    """Return the dynamic pages to read again when any page changed."""
    if not (added or changed or removed or _tracker(app).stale):
        return []
    return sorted(_dynamic_docs(env) - changed - removed)


def stale_generated_docs(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Return the generated pages whose write-time content changed since last written."""
    return sorted(_tracker(app).stale & env.found_docs)


def note_written_doc(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Remember that a page was written in this build."""
    _tracker(app).written.add(docname)


def record_written_docs(app: Sphinx, exception: Exception | None) -> None:
    """After a build that succeeded, record the write digest of every current page.

    The output files of generated pages that this build no longer has are deleted
    first, so that a page of a removed need cannot be opened with an old address.
    """
    if exception is not None:
        return
    tracker = _tracker(app)
    remove_pages(app, tracker.removed)
    tracker.save()


def remove_pages(app: Sphinx, docnames: Iterable[str]) -> None:
    """Delete the HTML files and source copies of generated pages that were removed.

    Only builders that write a file per page do so. The project's own pages are
    left to Sphinx, which keeps the files of removed pages.
    """
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or \
            isinstance(builder, SingleFileHTMLBuilder):
        return
    outdir = Path(app.outdir).resolve()
    for docname in sorted(docnames):
        if not docname.startswith(f"{GENERATED_FOLDER}/"):
            continue
        paths = [Path(builder.get_output_path(docname))]
        if builder.copysource and app.config.html_copy_source:
            paths.append(outdir / "_sources" / _source_name(app, docname))
        for path in paths:
            if not path.resolve().is_relative_to(outdir):
                continue
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                logger.warning("iso27035: cannot delete %s, left from a generated page "
                               "that no longer exists: %s (hint: delete it by hand)",
                               path, error.strerror, type="iso27035", subtype="output")
                continue
            _remove_empty_folders(path.parent, outdir)


def _remove_empty_folders(folder: Path, outdir: Path) -> None:
    """Remove ``folder`` and its parents inside ``outdir`` while they are empty.

    The ``dirhtml`` builder writes each page as ``index.html`` in a folder of its own.
    """
    while folder.resolve() != outdir and folder.resolve().is_relative_to(outdir):
        try:
            folder.rmdir()
        except OSError:  # not empty, or not ours to remove
            return
        folder = folder.parent


def _source_name(app: Sphinx, docname: str) -> str:
    """Return the name of a generated page's source copy, as the HTML builder names it."""
    name = f"{docname}.md"
    suffix = app.config.html_sourcelink_suffix
    return name if name.endswith(suffix) else name + suffix


def order_needs_as_read(app: Sphinx, env: BuildEnvironment) -> None:
    """Put the needs in the order a clean build reads them: by page, then as written.

    ``needextract`` and other lists without a sort option show needs in the order in
    which sphinx-needs stores them. A page read again adds its needs at the end, so
    after an incremental build they would appear elsewhere than after a clean one.
    Sphinx reads the pages of a clean build in the order of their names. Needs of no
    page, such as external needs loaded before any page is read, come first.
    """
    data = SphinxNeedsData(env)
    if data.needs_is_post_processed:
        return
    needs = data.get_needs_mutable()
    rank = {docname: number for number, docname in enumerate(sorted(env.found_docs))}
    ordered = sorted(needs.items(), key=lambda item: rank.get(item[1]["docname"] or "", -1))
    if [need_id for need_id, _ in ordered] != list(needs):
        needs.clear()
        needs.update(ordered)


def end_of_read(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Return every page when the navigation changed, and forget the cleared pages.

    Each page shows the site's navigation: the sidebar of most themes, and the titles of
    the previous and next pages. Sphinx writes again only the pages it read and their
    parents in the table of contents. After a page title or a table of contents changed,
    or a page was added or removed, the other pages would show the old navigation.
    The navigation digest is recorded only after a build that succeeded, so a build
    interrupted while writing is followed by one that writes every page.
    """
    forget_cleared(env)
    tracker = _tracker(app)
    tracker.navigation = navigation_digest(env)
    if tracker.navigation != tracker.navigation_recorded:
        return sorted(env.found_docs)
    return []


def end_of_build(app: Sphinx, exception: Exception | None) -> None:
    """Forget which pages were cleared, also after a build that failed while reading."""
    forget_cleared(app.env)


_TOCTREE_OPTIONS = ("entries", "caption", "numbered", "maxdepth", "hidden", "includehidden",
                    "titlesonly", "glob")
"""Options of a toctree that change how the navigation shows it."""


def navigation_digest(env: BuildEnvironment) -> str:
    """Return a digest of the navigation: every page, its title and its toctrees.

    Titles are compared with their markup. Section headings inside pages are not part
    of it: Furo, the default theme, shows page titles only.
    """
    digest = hashlib.sha256()
    for docname in sorted(env.found_docs):
        title = env.titles.get(docname)
        digest.update(f"\0{docname}\0{title.pformat() if title is not None else ''}".encode())
        toc = env.tocs.get(docname)
        if toc is None:
            continue
        for toctree in toc.findall(addnodes.toctree):
            options = [(key, toctree.get(key)) for key in _TOCTREE_OPTIONS]
            digest.update(repr(options).encode())
    return digest.hexdigest()[:16]


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a page that is about to be re-read or was removed."""
    _dynamic_docs(env).discard(docname)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames: list[str],
               other: BuildEnvironment) -> None:
    """Merge what a parallel reader noted."""
    _dynamic_docs(env).update(_dynamic_docs(other) & set(docnames))


class _WriteTracker:
    """The write digests of the generated pages: now, and when each was last written.

    The record is kept per builder and output folder, and only pages written in a
    build that succeeded, or unchanged since, are recorded as current. A page that a
    failed or partial build did not write stays stale and is written next time.
    """

    def __init__(self, app: Sphinx) -> None:
        self.path = Path(app.doctreedir) / RECORD_NAME
        # relative, so that a copied or moved build folder keeps its record
        outdir, doctreedir = Path(app.outdir).resolve(), Path(app.doctreedir).resolve()
        try:
            where = Path(os.path.relpath(outdir, doctreedir)).as_posix()
        except ValueError:  # on another drive
            where = outdir.as_posix()
        self.key = f"{app.builder.name}:{where}"
        self.current = get_state(app).write_digests
        self.records = self._load()
        recorded = self.records.get(self.key, {})
        self.stale = {doc for doc, digest in self.current.items() if recorded.get(doc) != digest}
        self.written: set[str] = set()
        self.navigation_recorded = self.records.get(self._navigation_key, {}).get("digest")
        self.navigation: str | None = None

    @property
    def _navigation_key(self) -> str:
        return f"navigation|{self.key}"

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {key: value for key, value in data.items() if isinstance(value, dict)}

    @property
    def removed(self) -> set[str]:
        """Return the generated pages recorded as written that the project no longer has."""
        return set(self.records.get(self.key, {})) - set(self.current)

    def save(self) -> None:
        recorded = self.records.get(self.key, {})
        self.records[self.key] = {
            doc: digest for doc, digest in sorted(self.current.items())
            if doc in self.written or recorded.get(doc) == digest}
        if self.navigation is not None:
            self.records[self._navigation_key] = {"digest": self.navigation}
        text = json.dumps(self.records, indent=1, sort_keys=True) + "\n"
        write_if_changed(self.path, text.encode("utf-8"))


_TRACKERS: weakref.WeakKeyDictionary[Sphinx, _WriteTracker] = weakref.WeakKeyDictionary()


def _tracker(app: Sphinx) -> _WriteTracker:
    tracker = _TRACKERS.get(app)
    if tracker is None:
        tracker = _TRACKERS[app] = _WriteTracker(app)
    return tracker
