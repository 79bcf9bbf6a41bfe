"""A measured speed-up of MyST-Parser for pages that hold many needs.

sphinx-needs parses the content of each need created with ``add_need`` and a
``MarkupContent`` (which keeps the YAML file and line of the content for messages)
with a fresh MyST parser. Building that parser costs more than parsing a short content.
Setting up its renderer in MyST-Parser 5 also builds a throwaway docutils document, with
default settings computed anew, even when the page's own document is given. Computing
the settings builds docutils' whole option parser: about 1.5 ms per need.

``cache_default_settings`` makes MyST-Parser compute the default settings once per
parser class and hand out copies. The settings are the same values either way.

sphinx-needs also parses the label of each field it shows on a need (``**status**: ``)
as reStructuredText, once per field and need, and does so before it finds the field
empty and shows nothing. ``cache_layout_labels`` parses each distinct label once, and
``skip_empty_fields`` returns at once for an empty field. Each function call in a layout
line (``<<meta_id()>>``) is parsed with Python's ``ast`` for each need as well:
``cache_layout_functions`` parses each distinct call once. At 20,000 needs that parsing
took about 5% of a clean build's samples in a py-spy profile.

To report a problem in a need's content at its line in the YAML file, sphinx-needs
gives the parser one (file, line) pair for every line of that file up to the content,
built anew for each need, so the work grows with the square of a file's length: 20 s
of a 20,000-need profile run, with a thousand needs per file. ``share_content_line_items``
builds the pairs of a file once and hands each need a copy of the part it needs, which
is the same list.

sphinx-needs writes ``needs.json`` with ``json.dump``, which always takes the pure
Python encoder. ``write_needs_json_at_once`` encodes it with ``json.dumps`` instead, whose
C encoder gives the same text: 0.07 s against 0.32 s for the needs.json of 5,000 needs.

sphinx-needs keeps a copy of every need's node in the environment, for ``needextract``
and the functions that read a need's content. Loading those nodes with the environment
took 0.11 s of a 1.9 s incremental build at 1,000 needs, and most builds never use one.
``keep_need_nodes_pickled`` stores each node as the bytes it is pickled to, and reads a
node back only when it is asked for.

Sphinx writes the ``repr`` of an event's arguments to its debug log, and builds that text
even when the log shows no debug messages. sphinx-needs passes all needs to two of its
events, so each build wrote every need out as text twice: 0.03 s at 1,000 needs.
``shorten_needs_repr`` gives the mapping of needs a ``repr`` that names only their number.
"""

from __future__ import annotations

import copy
import functools
import pickle
import weakref
from collections.abc import Iterable
from typing import Any

from generators.gc_pause import release_tree


def cache_default_settings() -> None:
    """Make MyST-Parser's ``make_document`` reuse the default settings it computes."""
    from docutils.utils import new_document
    from myst_parser.mdit_to_docutils import base

    original = getattr(base, "make_document", None)
    if original is None or getattr(original, "_iso27035_cached", False):
        return

    @functools.cache
    def defaults(parser_cls: Any) -> Any:
        return base.get_default_settings(parser_cls)

    def make_document(source_path: str = "notset", parser_cls: Any = base.RSTParser) -> Any:
        return new_document(source_path, settings=copy.copy(defaults(parser_cls)))

    make_document._iso27035_cached = True  # type: ignore[attr-defined]
    base.make_document = make_document


LABEL_CACHE_SIZE = 1024
"""Maximum of distinct layout lines held parsed: a layout has about one line per field."""


def cache_layout_labels() -> None:
    """Make sphinx-needs' layouts parse each distinct line of plain inline markup once.

    Only results made of text, emphasis, strong and literal nodes are kept: they do not
    depend on the page. Each use gets its own copy, since the layout changes the nodes.
    """
    from sphinx_needs import layout

    handler = getattr(layout, "LayoutHandler", None)
    original = getattr(handler, "_parse", None)
    if original is None or getattr(original, "_iso27035_cached", False):
        return
    parsed: dict[str, list[Any]] = {}

    def _parse(self: Any, line: str) -> list[Any]:
        cached = parsed.get(line)
        if cached is not None:
            return [node.deepcopy() for node in cached]

        result = original(self, line)
        if len(parsed) < LABEL_CACHE_SIZE and all(_is_plain(node) for node in result):
            parsed[line] = [node.deepcopy() for node in result]
        return result

    _parse._iso27035_cached = True  # type: ignore[attr-defined]
    handler._parse = _parse  # type: ignore[union-attr]


def _is_plain(node: Any) -> bool:
    from docutils import nodes

    plain = (nodes.Text, nodes.emphasis, nodes.strong, nodes.literal, nodes.inline)
    return all(type(part) in plain for part in node.findall())



def reuse_need_content_parsers() -> None:
    """Make sphinx-needs reuse MyST parsers for need contents instead of building one each.

    sphinx-needs builds a MyST parser for each ``MarkupContent`` it parses (importing
    ``create_md_parser`` at call time, unlike MyST-Parser's own page parser, which bound
    it at import), then resets the parser's renderer for the content with
    ``setup_render``. A parser whose renderer is not rendering is reused; a content
    parsed while another is being rendered gets a parser of its own.
    """
    # the page parsers bind create_md_parser when imported; import them first, so that
    # they keep the original
    import myst_parser.parsers.docutils_  # noqa: F401
    import myst_parser.parsers.sphinx_  # noqa: F401
    from myst_parser.parsers import mdit

    original = mdit.create_md_parser
    if getattr(original, "_iso27035_pooled", False):
        return
    pool = _PARSER_POOL

    def create_md_parser(config: Any, renderer: Any) -> Any:
        if not hasattr(renderer, "nested_render_text"):  # not a docutils renderer of MyST
            return original(config, renderer)
        parsers = pool.setdefault((id(config), renderer), [])
        for parser in parsers:
            if not parser.renderer.__dict__.get("_iso27035_busy"):
                return parser
        parser = original(config, renderer)
        _mark_busy_while_rendering(parser.renderer)
        parsers.append(parser)
        return parser

    create_md_parser._iso27035_pooled = True  # type: ignore[attr-defined]
    mdit.create_md_parser = create_md_parser


_PARSER_POOL: dict[tuple[int, Any], list[Any]] = {}
"""The parsers of need contents, by MyST configuration and renderer class."""


def forget_need_content_parsers(app: Any, exception: Exception | None) -> None:
    """Drop the pooled parsers at the end of a build.

    Each parser keeps the last document it rendered, and with it the build's
    environment: a process that runs several builds would keep every one of them.
    """
    _PARSER_POOL.clear()


def _mark_busy_while_rendering(renderer: Any) -> None:
    render = renderer.nested_render_text

    def nested_render_text(*args: Any, **kwargs: Any) -> Any:
        renderer.__dict__["_iso27035_busy"] = True
        try:
            return render(*args, **kwargs)
        finally:
            renderer.__dict__["_iso27035_busy"] = False

    renderer.nested_render_text = nested_render_text


def skip_empty_fields() -> None:
    """Make sphinx-needs' layouts return nothing for an empty field before parsing its label.

    The result is the one sphinx-needs gives: no output for a field whose value is
    missing, None, an empty text or an empty list, unless ``show_empty`` is set.
    """
    from sphinx_needs import layout

    handler = getattr(layout, "LayoutHandler", None)
    original = getattr(handler, "meta", None)
    if original is None or getattr(original, "_iso27035_skipping", False):
        return

    def meta(self: Any, name: str, prefix: str | None = None, show_empty: bool = False
             ) -> Any:
        if not show_empty:
            try:
                value = self.need[name]
            except KeyError:
                value = ""
            if value is None or (isinstance(value, str | list) and not value):
                return []
        return original(self, name, prefix, show_empty)

    meta._iso27035_skipping = True  # type: ignore[attr-defined]
    handler.meta = meta  # type: ignore[union-attr]


def share_content_line_items() -> None:
    """Make sphinx-needs reuse the (file, line) pairs of each file for MyST need contents.

    The replacement does what ``sphinx_needs.need_content._parse_myst`` of sphinx-needs
    9.1 does. It applies only when that function exists with the expected parameters.
    """
    import inspect

    from sphinx_needs import need_content

    original = getattr(need_content, "_parse_myst", None)
    if original is None or getattr(original, "_iso27035_shared", False):
        return
    if list(inspect.signature(original).parameters) != [
            "state", "lines", "source", "first_line", "node"]:
        return

    from docutils.statemachine import StringList
    from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
    from myst_parser.parsers import mdit
    from sphinx.util.docutils import switch_source_input

    pairs_by_file: dict[str, list[tuple[str, int]]] = {}

    def line_pairs(source: str, count: int) -> list[tuple[str, int]]:
        pairs = pairs_by_file.setdefault(source, [])
        if len(pairs) < count:
            pairs.extend((source, i) for i in range(len(pairs), max(count, 2 * len(pairs))))
        return pairs[:count]

    def _parse_myst(state: Any, lines: Any, *, source: str, first_line: int,
                    node: Any) -> None:
        document = state.document
        parser = mdit.create_md_parser(document.settings.env.myst_config, SphinxRenderer)
        renderer = parser.renderer
        renderer.setup_render({**parser.options, "document": document, "current_node": node},
                              {})

        # the content's own lines follow one blank per line of the file before it, so a
        # problem on content line k is reported at line first_line + k of the file
        padding = first_line - 1
        block = StringList([""] * padding + list(lines),
                           items=line_pairs(source, padding + len(lines)))
        previous_source = document["source"]
        document["source"] = source
        try:
            with switch_source_input(state, block):
                renderer.nested_render_text("\n".join(lines), padding)
        finally:
            document["source"] = previous_source

    _parse_myst._iso27035_shared = True  # type: ignore[attr-defined]
    need_content._parse_myst = _parse_myst


def write_needs_json_at_once() -> None:
    """Make sphinx-needs encode ``needs.json`` in one call to the C JSON encoder.

    ``json.dump`` and ``json.dumps`` with the same options give the same text; only
    ``dumps`` uses the C encoder.
    """
    import os

    from sphinx_needs import needsfile

    needs_list = getattr(needsfile, "NeedsList", None)
    original = getattr(needs_list, "write_json", None)
    if original is None or getattr(original, "_iso27035_at_once", False) \
            or not hasattr(needs_list, "dump_json"):
        return

    def write_json(self: Any, needs_file: str = "needs.json", needs_path: str = "") -> None:
        text = self.dump_json()
        with open(os.path.join(needs_path or self.outdir, needs_file), "w") as file:
            file.write(text)

    write_json._iso27035_at_once = True  # type: ignore[attr-defined]
    needs_list.write_json = write_json  # type: ignore[union-attr]


FUNCTION_CACHE_SIZE = 256
"""Maximum of distinct function calls kept parsed: a layout names a few dozen."""


def cache_layout_functions() -> None:
    """Make sphinx-needs parse each distinct function call of a layout line once.

    A layout line such as ``<<meta("status")>>`` is parsed with Python's ``ast`` for
    every need shown. The parsed call is a frozen dataclass. Only calls without a list
    among their arguments are kept, because a list could be changed by its user.
    """
    from sphinx_needs.functions import functions

    parsed_class = getattr(functions, "DynamicFunctionParsed", None)
    original = getattr(parsed_class, "from_string", None)
    if original is None or getattr(original, "_iso27035_cached", False):
        return
    parsed: dict[tuple[str, bool], Any] = {}

    def from_string(cls: Any, func_string: str, *, allow_need: bool = False) -> Any:
        key = (func_string, allow_need)
        cached = parsed.get(key)
        if cached is not None:
            return cached

        result = original.__func__(cls, func_string, allow_need=allow_need)
        values = [*result.args, *(value for _, value in result.kwargs)]
        if len(parsed) < FUNCTION_CACHE_SIZE and not any(isinstance(v, list) for v in values):
            parsed[key] = result
        return result

    from_string._iso27035_cached = True  # type: ignore[attr-defined]
    parsed_class.from_string = classmethod(from_string)  # type: ignore[union-attr]


_CLEARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
"""Per environment, the pages cleared before the read that Sphinx has not cleared again."""


def skip_repeated_clearing() -> None:
    """Make sphinx-needs skip clearing a page that ``note_cleared`` recorded as clear.

    To clear a page, sphinx-needs looks at every need read so far. Sphinx clears each
    page just before reading it, so over a clean build that work grows with the square
    of the project: 4.5 s of a 20,000-need build in a py-spy profile. The extension
    clears every page to read before the first is read (``clear_pages_to_read``), and
    nothing adds needs to a page until it is read, so the second clearing finds nothing.
    """
    from sphinx_needs.data import SphinxNeedsData

    original = getattr(SphinxNeedsData, "remove_doc", None)
    if original is None or getattr(original, "_iso27035_once", False):
        return

    def remove_doc(self: Any, docname: str) -> None:
        cleared = _CLEARED.get(self.env)
        if cleared is not None and docname in cleared:
            cleared.discard(docname)
            return
        original(self, docname)

    remove_doc._iso27035_once = True  # type: ignore[attr-defined]
    SphinxNeedsData.remove_doc = remove_doc  # type: ignore[method-assign]


def note_cleared(env: Any, docnames: Iterable[str]) -> None:
    """Note pages that were just cleared and will be cleared once more before being read."""
    _CLEARED[env] = set(docnames)


def forget_cleared(env: Any) -> None:
    """Forget the cleared pages once the read is over, so a later clearing is never skipped."""
    _CLEARED.pop(env, None)


class PickledNode:
    """A need's node as sphinx-needs keeps it: the node until it is pickled, then the bytes.

    Loading the environment loads only the bytes, not the node. Each ``copy`` is a fresh
    tree, as sphinx-needs hands out a deep copy each time.
    """

    __slots__ = ("_data", "_node")

    def __init__(self, node: Any = None, data: bytes | None = None) -> None:
        self._node = node
        self._data = data

    def __reduce__(self) -> tuple[type[PickledNode], tuple[None, bytes]]:
        if self._data is None:
            self._data = pickle.dumps(self._node, protocol=pickle.HIGHEST_PROTOCOL)
            # the node is this object's own copy, so its nodes can be freed at once
            release_tree(self._node)
            self._node = None
        return PickledNode, (None, self._data)

    def copy(self) -> Any:
        """Return a deep copy of the node."""
        if self._data is None:
            return self._node.deepcopy()
        return pickle.loads(self._data)  # the bytes __reduce__ wrote


def keep_need_nodes_pickled() -> None:
    """Make sphinx-needs keep need nodes as ``PickledNode`` objects in the environment.

    sphinx-needs still copies each node when the need is read, and again each time the
    node is asked for. Only the stored form changes.
    """
    from sphinx_needs.data import SphinxNeedsData

    original = getattr(SphinxNeedsData, "set_need_node", None)
    if original is None or getattr(original, "_iso27035_pickled", False) \
            or not hasattr(SphinxNeedsData, "get_need_node"):
        return

    def set_need_node(self: Any, need_id: str, node: Any) -> None:
        self._needs_all_nodes[need_id] = PickledNode(node.deepcopy())

    def get_need_node(self: Any, need_id: str) -> Any:
        stored = self._needs_all_nodes.get(need_id)
        if stored is None:
            return None
        return stored.copy() if isinstance(stored, PickledNode) else stored.deepcopy()

    set_need_node._iso27035_pickled = True  # type: ignore[attr-defined]
    SphinxNeedsData.set_need_node = set_need_node  # type: ignore[method-assign]
    SphinxNeedsData.get_need_node = get_need_node  # type: ignore[method-assign]


class NeedsById(dict[str, Any]):
    """sphinx-needs' mapping of need ids to needs, whose ``repr`` does not list the needs."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} needs>"


def shorten_needs_repr() -> None:
    """Make sphinx-needs keep its needs in a ``NeedsById`` mapping, on first access."""
    from sphinx_needs.data import SphinxNeedsData

    accessor = SphinxNeedsData.__dict__.get("_env_needs")
    if not isinstance(accessor, property) or accessor.fget is None \
            or getattr(accessor.fget, "_iso27035_short", False):
        return
    original = accessor.fget

    def _env_needs(self: Any) -> Any:
        needs = original(self)
        if type(needs) is dict:
            needs = self.env._needs_all_needs = NeedsById(needs)
        return needs

    _env_needs._iso27035_short = True  # type: ignore[attr-defined]
    SphinxNeedsData._env_needs = property(_env_needs)  # type: ignore[method-assign,assignment]
