"""Keep incremental builds correct: re-read pages whose dynamic content may be stale.

sphinx-needs fills need tables, lists, diagrams and need references at write time from
all needs, but Sphinx re-reads only pages whose source changed. Generated pages carry a
digest of what they show, so they change when their data does. A project's own pages
are re-read here whenever any page changed and they hold such dynamic content.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.directives.needextract import Needextract
from sphinx_needs.needs import NODE_TYPES

from generators.site.pages import GENERATED_FOLDER

_DYNAMIC_NODES = (*NODE_TYPES, Needextract)
_ATTRIBUTE = "iso27035_dynamic_docs"


def _dynamic_docs(env: BuildEnvironment) -> set[str]:
    docs: set[str] | None = getattr(env, _ATTRIBUTE, None)
    if docs is None:
        docs = set()
        setattr(env, _ATTRIBUTE, docs)
    return docs


def init_env(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Make sure the environment has the set of dynamic pages."""
    _dynamic_docs(env)


def note_dynamic_doc(app: Sphinx, doctree: nodes.document) -> None:
    """Remember a project page that shows content sphinx-needs computes at write time."""
    docname = app.env.docname
    if docname.startswith(f"{GENERATED_FOLDER}/"):
        return
    if next(doctree.findall(lambda n: isinstance(n, _DYNAMIC_NODES)), None) is not None:
        _dynamic_docs(app.env).add(docname)


def outdated_dynamic_docs(app: Sphinx, env: BuildEnvironment, added: set[str],
                          changed: set[str], removed: set[str]) -> list[str]:
    """Return the dynamic pages to re-read when any page was added, changed or removed."""
    if not (added or changed or removed):
        return []
    return sorted(_dynamic_docs(env) - changed - removed)


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a page that is about to be re-read or was removed."""
    _dynamic_docs(env).discard(docname)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames: list[str],
               other: BuildEnvironment) -> None:
    """Merge what a parallel reader noted."""
    _dynamic_docs(env).update(_dynamic_docs(other) & set(docnames))
