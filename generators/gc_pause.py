"""Pause Python's cyclic garbage collector while large, acyclic data is built.

Loading 20,000 needs creates millions of YAML nodes and records that stay alive, and
each full collection scans all of them again, so collection time grows faster than the
project. The data the loader and the renderers build holds no reference cycles, so
nothing is lost by not collecting while it is built. On a synthetic project of 20,000
needs (benchmarks/run.py, 2-core machine) loading took 4.8 s with the collector and
2.0 s with it paused.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block, then restore its state."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def skip_collections_at_exit() -> None:
    """Spare the interpreter its full garbage collections over every object at exit.

    When Python shuts down it runs several full collections while it tears down the
    modules, each scanning every object still alive: after a site build that is the
    whole Sphinx environment and all needs. On a synthetic project of 5,000 needs
    (benchmarks/run.py, 2-core machine) they took about 1.5 s after a build that had
    nothing to do. Freezing the live objects when the interpreter starts to exit makes
    those collections skip them. Objects are still released one by one as their
    modules are cleared, and a process that runs several builds is unaffected until
    it exits. The handler is registered once per process.
    """
    global _EXIT_HANDLER_REGISTERED
    if not _EXIT_HANDLER_REGISTERED:
        atexit.register(gc.freeze)
        _EXIT_HANDLER_REGISTERED = True


_EXIT_HANDLER_REGISTERED = False


def pause_until_loaded() -> None:
    """Disable the collector until ``set_aside_loaded_objects`` or ``resume_collections``.

    Until the project is loaded, a build mostly creates objects that live to its end:
    Sphinx unpickles its environment, sets up the builder and theme, and the extension
    loads the model. Each young collection meanwhile scans them, and the older
    generations scan them again. After an edit of a synthetic project of 1,000 needs
    (benchmarks/run.py, 2-core machine), pausing the collector there and setting the
    loaded objects aside cut its time from about 0.18 s to 0.09 s of a 1.7 s build.
    Nothing is done when the collector is already disabled. A program that builds in
    its own process and whose build may fail before the project is loaded, say on an
    unknown theme, calls ``resume_collections`` afterwards.
    """
    global _PAUSED
    # garbage that an earlier build of this process left would be set aside again with
    # this build's objects, build after build
    collect_given_back()
    if gc.isenabled():
        gc.disable()
        _PAUSED = True


def collect_given_back() -> None:
    """Collect garbage when ``take_back_live_objects`` gave back objects since the last time.

    A process that runs several builds calls this between them, while it has nothing
    else to do. Otherwise the next build does it before it pauses the collector.
    """
    global _UNCOLLECTED
    if _UNCOLLECTED:
        gc.collect()
        _UNCOLLECTED = False


def set_aside_loaded_objects() -> None:
    """Keep every object alive now out of later collections, then enable the collector.

    Nothing is collected first: the little garbage with cycles made while loading
    stays until ``take_back_live_objects``. Only a collector that ``pause_until_loaded``
    disabled is enabled.
    """
    global _SET_ASIDE
    if not _PAUSED:
        return
    if not _frozen_elsewhere():
        gc.freeze()
        _SET_ASIDE = True
    resume_collections()


def resume_collections() -> None:
    """Enable the collector again if ``pause_until_loaded`` disabled it."""
    global _PAUSED
    if _PAUSED:
        gc.enable()
        _PAUSED = False


_PAUSED = False


def set_aside_live_objects() -> None:
    """Collect garbage once, then keep every live object out of later collections.

    A site build keeps the model and the Sphinx environment alive to the end, and
    every full collection scans them again. Frozen, they are skipped until
    ``take_back_live_objects``. Objects that ``set_aside_young_survivors`` froze are
    collected again first, because some of them may have become garbage meanwhile.
    """
    global _SET_ASIDE, _UNCOLLECTED
    if _frozen_elsewhere():
        return
    if _SET_ASIDE:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
    _SET_ASIDE = True
    _UNCOLLECTED = False


def set_aside_young_survivors() -> None:
    """Collect the young generations, then keep every live object out of later collections.

    While Sphinx reads pages, nearly every object that survives a young collection
    lives until the pages are written, so full collections find little garbage but
    scan a heap that grows with every page. Freezing it now and then skips those scans
    at the cost of one young collection. The few objects that die meanwhile are
    collected by ``set_aside_live_objects`` or once ``take_back_live_objects`` runs.
    """
    global _SET_ASIDE
    if _frozen_elsewhere():
        return
    gc.collect(1)
    gc.freeze()
    _SET_ASIDE = True


def _frozen_elsewhere() -> bool:
    """Return whether objects are frozen that this module did not freeze.

    Python has a single permanent generation, so this module cannot unfreeze its own
    objects without unfreezing those: it then sets nothing aside.
    """
    return not _SET_ASIDE and gc.get_freeze_count() > 0


def take_back_live_objects() -> None:
    """Return the objects that the set-aside functions froze to the collector.

    When another part of the process had frozen objects first, nothing was set aside
    here, and they stay frozen.
    """
    global _SET_ASIDE, _UNCOLLECTED
    if _SET_ASIDE:
        gc.unfreeze()
        _SET_ASIDE = False
        _UNCOLLECTED = True


_SET_ASIDE = False
_UNCOLLECTED = False
"""Whether objects given back by ``take_back_live_objects`` may hold uncollected garbage."""


def release_tree(root: Any) -> None:
    """Empty the list of children of every node of a docutils tree, and its indexes.

    Each node of a page's tree points to its parent and the parent to it, so a written
    page is freed only by the cyclic collector, which first scans it in every generation
    it passes through. With the lists emptied, nearly all nodes are freed as soon as the
    tree is dropped. On a synthetic project of 20,000 needs (benchmarks/run.py, 2-core
    machine) the collector's time in a clean build fell from about 26 s to 12 s, for 2 s
    spent here. Each node keeps its parent: a warning that Sphinx holds back until the
    pages are written finds its file and line through the node's ancestors.

    A document's indexes of ids, names and references, and its lists of system
    messages, are emptied too. Together with the workbook and the stored need nodes,
    which are also freed at once now, this cut full collections in a clean build of
    5,000 needs from 1.5 s to 0.6 s.
    """
    stack = [root]
    for name in _DOCUMENT_MESSAGES:
        messages = getattr(root, name, None)
        if isinstance(messages, list):
            stack.extend(messages)
            messages.clear()
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children:
            stack.extend(children)
            node.children = []

    # every node points to its document, and the document's indexes point back to the
    # nodes with an id, a name or a reference
    for name in _DOCUMENT_INDEXES:
        index = getattr(root, name, None)
        if isinstance(index, (dict, list)):
            index.clear()


_DOCUMENT_INDEXES = ("ids", "nameids", "nametypes", "refnames", "refids", "indirect_targets",
                     "substitution_defs", "substitution_names", "footnote_refs",
                     "citation_refs", "autofootnotes", "autofootnote_refs", "symbol_footnotes",
                     "symbol_footnote_refs", "footnotes", "citations")
"""Attributes of a docutils document that index its nodes."""

_DOCUMENT_MESSAGES = ("parse_messages", "transform_messages")
"""Attributes of a docutils document that list its system messages, such as docutils'
note that a need's target is not referenced, one per need."""
