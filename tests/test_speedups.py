"""The speed-ups of the site build give the same results as the code they replace."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import pickle
import re
import subprocess
import sys
import types
import weakref
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import jinja2
import pytest
from docutils import nodes
from docutils.utils import new_document
from sphinx import addnodes
from sphinx.errors import NoUri
from sphinx_needs import layout

from generators.gc_pause import (
    pause_until_loaded,
    release_tree,
    resume_collections,
    set_aside_live_objects,
    set_aside_loaded_objects,
    set_aside_young_survivors,
    take_back_live_objects,
)
from generators.sphinxext.directives import _Linker
from generators.sphinxext.project import (
    READ_SET_ASIDE_PAGES,
    RELEASE_AFTER_PAGES,
    SET_ASIDE_MIN_PAGES,
    ReadProgress,
    release_written_page,
    set_aside_environment,
    set_aside_read_pages,
    take_back_environment,
)
from generators.sphinxext.speedups import (
    NeedsById,
    PickledNode,
    cache_layout_functions,
    cache_layout_labels,
    forget_cleared,
    keep_need_nodes_pickled,
    note_cleared,
    shorten_needs_repr,
    skip_empty_fields,
    skip_repeated_clearing,
)
from generators.template_cache import CACHE_FOLDER, settings_key, use_cache
from generators.workbook import evidence_workbook_bytes
from tests.conftest import run_sphinx

# sphinx-needs builds its inline parser with docutils' deprecated OptionParser
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _stand_in_handler() -> types.SimpleNamespace:
    """Return the attributes of a layout handler that its ``_parse`` reads."""
    settings, inliner = layout._generate_inline_parser()
    document = new_document("test", settings)
    memo = types.SimpleNamespace(document=document, reporter=document.reporter,
                                 language=None, title_styles=[], section_level=0,
                                 section_bubble_up_kludge=False, inliner=None)
    return types.SimpleNamespace(inline_parser=inliner, doc_memo=memo, dummy_doc=document)


def test_cached_label_matches_first_parse() -> None:
    cache_layout_labels()
    handler = _stand_in_handler()
    first = layout.LayoutHandler._parse(handler, "**status**: ")
    second = layout.LayoutHandler._parse(handler, "**status**: ")
    assert [n.pformat() for n in first] == [n.pformat() for n in second]
    assert isinstance(second[0], nodes.strong)
    assert second[0].astext() == "status"


def test_cached_label_is_a_fresh_copy() -> None:
    cache_layout_labels()
    handler = _stand_in_handler()
    first = layout.LayoutHandler._parse(handler, "*owner*: ")
    first[0] += nodes.Text(" changed")
    second = layout.LayoutHandler._parse(handler, "*owner*: ")
    assert second[0].astext() == "owner"
    assert second[0] is not first[0]


def test_label_with_reference_keeps_target() -> None:
    cache_layout_labels()
    handler = _stand_in_handler()
    line = "`site <https://example.org/>`_: "
    first = layout.LayoutHandler._parse(handler, line)
    second = layout.LayoutHandler._parse(handler, line)
    references = [n for n in second if isinstance(n, nodes.reference)]
    assert references[0]["refuri"] == "https://example.org/"
    assert second[0] is not first[0]


def test_patch_applied_once() -> None:
    cache_layout_labels()
    patched = layout.LayoutHandler._parse
    cache_layout_labels()
    assert layout.LayoutHandler._parse is patched


@pytest.mark.parametrize("name", ["status", "tags", "owner", "not_a_field"])
def test_empty_field_shows_nothing(name: str) -> None:
    skip_empty_fields()
    # the stand-in has no parser: reaching sphinx-needs' own code would raise
    handler = types.SimpleNamespace(need={"status": None, "tags": [], "owner": ""})
    assert layout.LayoutHandler.meta(handler, name, prefix="**label**: ") == []


def test_filled_field_reaches_sphinx_needs() -> None:
    skip_empty_fields()
    handler = types.SimpleNamespace(need={"owner": "ROLE_A"})
    with pytest.raises(AttributeError):
        layout.LayoutHandler.meta(handler, "owner", prefix="**owner**: ")


def test_content_line_patch_applied_once() -> None:
    from sphinx_needs import need_content

    from generators.sphinxext.speedups import share_content_line_items

    share_content_line_items()
    patched = need_content._parse_myst
    share_content_line_items()
    assert need_content._parse_myst is patched
    assert getattr(patched, "_iso27035_shared", False)


def test_needs_json_written_as_encoded(tmp_path: Path) -> None:
    from sphinx_needs import needsfile

    from generators.sphinxext.speedups import write_needs_json_at_once

    write_needs_json_at_once()
    data = {"versions": {"": {"needs": {"REQ_A": {"title": "Ünïcode & <b>", "links": []}}}}}
    stand_in = types.SimpleNamespace(outdir=str(tmp_path),
                                     dump_json=lambda: json.dumps(data, sort_keys=True))
    needsfile.NeedsList.write_json(stand_in, "needs.json", "")
    written = (tmp_path / "needs.json").read_text()
    with io.StringIO() as expected:
        json.dump(data, expected, sort_keys=True)
        assert written == expected.getvalue()


def test_exit_freezes_live_objects() -> None:
    # atexit calls the handler registered last first, so the probe runs after the freeze
    script = ("import atexit, gc\n"
              "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0))\n"
              "from generators.gc_pause import skip_collections_at_exit\n"
              "skip_collections_at_exit()\n"
              "skip_collections_at_exit()\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout == "frozen: True\n"


@pytest.mark.parametrize(("schemas", "validated"), [("", False),
                                                    ('needs_schema_definitions = {"schemas": []}',
                                                     True)])
def test_schema_validation_only_for_project_schemas(copy_root: Callable[[str], Path],
                                                    tmp_path: Path, schemas: str,
                                                    validated: bool) -> None:
    project = copy_root("complete")
    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + f"\n{schemas}\n", encoding="utf-8")
    result = run_sphinx(project / "docs", tmp_path / "out", confdir=project)
    assert result.returncode == 0, result.stderr
    assert ("Schema validation completed" in result.stdout) is validated


class _Env:
    """An environment whose pages read in this build wait in a cache until written."""

    def __init__(self, pages: int) -> None:
        self._write_doc_doctree_cache = {f"page{n}": nodes.document(None, None)
                                         for n in range(pages)}


@pytest.mark.parametrize(("env", "set_aside"), [
    (_Env(SET_ASIDE_MIN_PAGES), True),
    (_Env(SET_ASIDE_MIN_PAGES - 1), False),
    (types.SimpleNamespace(), False),
])
def test_set_aside_after_many_pages(env: object, set_aside: bool) -> None:
    app = types.SimpleNamespace(env=env)
    pages = len(getattr(env, "_write_doc_doctree_cache", {}))
    assert gc.get_freeze_count() == 0
    try:
        set_aside_environment(app, None)  # type: ignore[arg-type]
        assert (gc.get_freeze_count() > 0) is set_aside
        # pages become garbage once written, so they are never set aside
        remaining = len(getattr(env, "_write_doc_doctree_cache", {}))
        assert remaining == (0 if set_aside else pages)
    finally:
        take_back_environment(app, None)  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0


def test_template_cache_key_follows_settings() -> None:
    plain = jinja2.Environment()
    assert settings_key(plain) == settings_key(jinja2.Environment())
    assert settings_key(plain) != settings_key(jinja2.Environment(trim_blocks=True))
    assert settings_key(plain) != settings_key(jinja2.Environment(autoescape=True))
    assert settings_key(plain) != settings_key(jinja2.Environment(extensions=["jinja2.ext.i18n"]))


def test_template_cache_write_failure_ignored(tmp_path: Path) -> None:
    (tmp_path / "page.j2").write_text("{{ name }} & more", encoding="utf-8")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    use_cache(environment, tmp_path / "cache", "site")
    (folder,) = (tmp_path / "cache").iterdir()
    folder.rmdir()

    assert environment.get_template("page.j2").render(name="<b>") == "<b> & more"
    assert not folder.exists()


def test_template_cache_folder_unusable(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder would go", encoding="utf-8")
    environment = jinja2.Environment()
    use_cache(environment, tmp_path / "cache", "site")
    assert environment.bytecode_cache is None


def test_edited_template_not_taken_from_cache(copy_root: Callable[[str], Path],
                                              tmp_path: Path) -> None:
    project = copy_root("complete")
    templates = project / "templates/site"
    templates.mkdir(parents=True)
    (templates / "roles.md.j2").write_text("# Roles\n\nFirst wording.\n", encoding="utf-8")
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    result = run_sphinx(project / "docs", out, "-d", str(doctrees), confdir=project)
    assert result.returncode == 0, result.stderr
    folders = sorted(p.name.split("-")[0] for p in (doctrees / CACHE_FOLDER).iterdir())
    assert folders == ["site", "theme"]
    assert all(any(p.iterdir()) for p in (doctrees / CACHE_FOLDER).iterdir())

    # the same length, so only the checksum of the source distinguishes the two
    (templates / "roles.md.j2").write_text("# Roles\n\nOther wording.\n", encoding="utf-8")
    result = run_sphinx(project / "docs", out, "-d", str(doctrees), confdir=project)
    assert result.returncode == 0, result.stderr
    page = (out / "_generated/roles.html").read_text(encoding="utf-8")
    assert "Other wording." in page
    assert "First wording." not in page


class _Domain:
    """The parts of Sphinx's standard domain that table links use."""

    def __init__(self, anonlabels: dict[str, tuple[str, str]], error: Exception | None = None
                 ) -> None:
        self.anonlabels = anonlabels
        self.error = error

    def build_reference_node(self, fromdocname: str, builder: object, docname: str,
                             labelid: str, sectname: str, rolename: str) -> nodes.reference:
        if self.error is not None:
            raise self.error
        reference = nodes.reference("", "", internal=True, refuri=f"{docname}.html#{labelid}")
        reference += nodes.inline(sectname, sectname)
        return reference


@pytest.mark.parametrize(("domain", "resolved"), [
    (_Domain({"req_a": ("requirements", "REQ_A")}), True),
    (_Domain({}), False),
    (_Domain({"req_a": ("requirements", "REQ_A")}, NoUri()), False),
])
def test_table_link_falls_back_to_pending(domain: _Domain, resolved: bool) -> None:
    linker = _Linker(domain, None, "matrix")  # type: ignore[arg-type]
    link = linker.link("REQ_A", "REQ_A")
    assert link.astext() == "REQ_A"
    assert linker.pending == (0 if resolved else 1)
    if resolved:
        assert isinstance(link, nodes.reference)
        assert link["refuri"] == "requirements.html#REQ_A"
    else:
        assert isinstance(link, addnodes.pending_xref)
        assert (link["reftarget"], link["refdoc"], link["refwarn"]) == ("req_a", "matrix", True)


@pytest.mark.parametrize(("call", "kept"), [
    ('meta("status", prefix="**status**: ")', True),
    ("meta_id()", True),
    ('meta_all(no_links=True, exclude=["layout", "style"])', False),
])
def test_layout_function_parsed_once(call: str, kept: bool) -> None:
    from sphinx_needs.functions.functions import DynamicFunctionParsed

    cache_layout_functions()
    cache_layout_functions()
    assert getattr(DynamicFunctionParsed.from_string, "_iso27035_cached", False)

    first = DynamicFunctionParsed.from_string(call)
    second = DynamicFunctionParsed.from_string(call)
    assert first == second
    assert (first is second) is kept
    assert first.name == call.split("(")[0]


class _Cycle:
    """An object in a reference cycle, so only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_read_pages_set_aside_periodically() -> None:
    state = types.SimpleNamespace(reading=ReadProgress())
    app = types.SimpleNamespace()
    assert gc.get_freeze_count() == 0
    try:
        with mock.patch("generators.sphinxext.project.get_state", return_value=state):
            for _ in range(READ_SET_ASIDE_PAGES - 1):
                set_aside_read_pages(app, None)  # type: ignore[arg-type]
            assert gc.get_freeze_count() == 0
            set_aside_read_pages(app, None)  # type: ignore[arg-type]
        assert gc.get_freeze_count() > 0
        assert state.reading.pages == READ_SET_ASIDE_PAGES
    finally:
        take_back_live_objects()
    assert gc.get_freeze_count() == 0


def test_garbage_set_aside_while_reading_is_freed() -> None:
    cycle = _Cycle()
    probe = weakref.ref(cycle)
    try:
        set_aside_young_survivors()
        del cycle
        gc.collect()
        assert probe() is not None  # frozen: the collector skips it

        set_aside_live_objects()
        assert probe() is None
    finally:
        take_back_live_objects()
    assert gc.get_freeze_count() == 0



class _Placed:
    """A need as sphinx-needs' clearing uses it: it reports whether a page defines it."""

    def __init__(self, docname: str) -> None:
        self.docname = docname
        self.asked: list[str] = []

    def is_in_document(self, docname: str) -> bool:
        self.asked.append(docname)
        return docname == self.docname


class _Environment:
    """A stand-in for Sphinx's environment, which sphinx-needs keeps its data on."""

    _needs_all_needs: dict[str, _Placed]
    _needs_all_nodes: dict[str, object]


def test_page_cleared_twice_scanned_once() -> None:
    from sphinx_needs.data import SphinxNeedsData

    skip_repeated_clearing()
    skip_repeated_clearing()
    assert getattr(SphinxNeedsData.remove_doc, "_iso27035_once", False)

    need = _Placed("b")
    env = _Environment()
    env._needs_all_needs = {"N_1": need}
    env._needs_all_nodes = {}
    data = SphinxNeedsData(env)  # type: ignore[arg-type]
    note_cleared(env, ["a", "b"])
    data.remove_doc("b")  # noted as cleared: skipped once
    assert need.asked == []
    assert "N_1" in env._needs_all_needs

    data.remove_doc("b")  # the second time, it is scanned
    assert need.asked == ["b"]
    assert "N_1" not in env._needs_all_needs

    forget_cleared(env)
    data.remove_doc("a")  # forgotten: scanned as usual
    assert need.asked == ["b"]  # the need is gone, so nothing is asked


@pytest.mark.parametrize("damage", ["truncate", "junk"])
def test_damaged_template_cache_compiled_again(copy_root: Callable[[str], Path],
                                               tmp_path: Path, damage: str) -> None:
    project = copy_root("complete")
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    result = run_sphinx(project / "docs", out, "-d", str(doctrees), confdir=project)
    assert result.returncode == 0, result.stderr
    entries = sorted((doctrees / CACHE_FOLDER).glob("*/*.cache"))
    assert entries
    roles_page = out / "_generated/roles.html"
    expected = _without_container_ids(roles_page.read_text(encoding="utf-8"))

    for entry in entries:
        data = entry.read_bytes()
        # keep Jinja2's header, so only the reading of what follows it fails
        entry.write_bytes(data[:16] if damage == "truncate" else data[:15] + b"\x00junk" * 8)
    result = run_sphinx(project / "docs", out, "-d", str(doctrees), "-E", confdir=project)
    assert result.returncode == 0, result.stderr
    assert _without_container_ids(roles_page.read_text(encoding="utf-8")) == expected


def _without_container_ids(page: str) -> str:
    """Return ``page`` without the random ids sphinx-needs gives each need's container."""
    return re.sub(r"SNCB-[0-9a-f]+", "SNCB-", page)


def test_objects_frozen_elsewhere_stay_frozen() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        set_aside_young_survivors()
        set_aside_live_objects()
        take_back_live_objects()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def _need_node(text: str) -> nodes.Element:
    """Return a need node holding one paragraph, inside a section as when it is read."""
    from sphinx_needs.nodes import Need

    need = Need("", nodes.paragraph(text, text), ids=["N_1"], refid="N_1")
    nodes.section("", need)
    return need


def test_need_node_stored_pickled() -> None:
    from sphinx_needs.data import SphinxNeedsData

    keep_need_nodes_pickled()
    keep_need_nodes_pickled()
    assert getattr(SphinxNeedsData.set_need_node, "_iso27035_pickled", False)

    env = _Environment()
    env._needs_all_nodes = {}
    data = SphinxNeedsData(env)  # type: ignore[arg-type]
    node = _need_node("Receive the report.")
    data.set_need_node("N_1", node)
    node[0][0] = nodes.Text("changed after reading")  # later transforms change the page
    first, second = data.get_need_node("N_1"), data.get_need_node("N_1")
    assert first is not second
    assert first.astext() == "Receive the report."
    assert first.parent is None

    # the environment as Sphinx saves and loads it: bytes only, no node until asked
    stored_node = env._needs_all_nodes["N_1"]._node
    env._needs_all_nodes = pickle.loads(pickle.dumps(env._needs_all_nodes))
    # the node is released once pickled, so the collector need not free it
    assert stored_node.children == []
    stored = env._needs_all_nodes["N_1"]
    assert isinstance(stored, PickledNode)
    assert stored._node is None
    loaded = data.get_need_node("N_1")
    assert loaded.pformat() == first.pformat()
    loaded[0][0] = nodes.Text("changed by its user")
    assert data.get_need_node("N_1").astext() == "Receive the report."
    assert data.get_need_node("N_2") is None


@pytest.mark.parametrize("stored", [None, {"N_1": "need"}])
def test_needs_repr_names_their_number(stored: dict[str, str] | None) -> None:
    from sphinx_needs.data import SphinxNeedsData

    shorten_needs_repr()
    shorten_needs_repr()
    env = _Environment()
    if stored is not None:
        env._needs_all_needs = stored  # type: ignore[assignment]
    needs = SphinxNeedsData(env)._env_needs  # type: ignore[arg-type]
    assert isinstance(needs, NeedsById)
    assert needs is env._needs_all_needs
    assert needs == (stored or {})
    assert repr((needs,)) == f"(<{len(needs)} needs>,)"
    assert SphinxNeedsData(env)._env_needs is needs  # type: ignore[arg-type]
    restored = pickle.loads(pickle.dumps(needs))
    assert (type(restored), restored) == (NeedsById, needs)


def test_released_tree_freed_without_collector() -> None:
    document = new_document("page")
    section = nodes.section("", nodes.title("Title", "Title"))
    paragraph = nodes.paragraph("", "Text ", nodes.strong("bold", "bold"))
    section += paragraph
    document += section
    everything = list(document.findall())
    assert len(everything) == 8
    alive = weakref.ref(paragraph)

    parents = [node.parent for node in everything]
    release_tree(document)
    assert all(not getattr(node, "children", ()) for node in everything)
    # kept for the location of a warning Sphinx logs once all pages are written
    assert [node.parent for node in everything] == parents

    enabled = gc.isenabled()
    gc.disable()
    try:
        del everything, parents, section, paragraph
        assert alive() is None
    finally:
        if enabled:
            gc.enable()


def test_released_tree_frees_nodes_with_ids() -> None:
    document = new_document("page")
    section = nodes.section("", nodes.title("Title", "Title"))
    document += section
    document.note_implicit_target(section, section)
    target = nodes.target("", "", refname="elsewhere")
    section += target
    document.note_refname(target)
    message = document.reporter.info("Hyperlink target is not referenced.")
    document.transform_messages.append(message)
    assert section["ids"]
    assert document.ids
    assert document.refnames
    alive = [weakref.ref(section), weakref.ref(target), weakref.ref(message)]

    release_tree(document)
    assert document.ids == {}
    assert document.nameids == {}
    assert document.refnames == {}
    assert document.transform_messages == []

    enabled = gc.isenabled()
    gc.disable()
    try:
        del section, target, message
        assert [ref() for ref in alive] == [None, None, None]
    finally:
        if enabled:
            gc.enable()


def test_cached_pages_released_when_set_aside() -> None:
    env = _Env(SET_ASIDE_MIN_PAGES)
    paragraphs = []
    for document in env._write_doc_doctree_cache.values():
        paragraph = nodes.paragraph("", "", nodes.Text("Text"))
        document += paragraph
        paragraphs.append(paragraph)
    app = types.SimpleNamespace(env=env)
    try:
        set_aside_environment(app, None)  # type: ignore[arg-type]
    finally:
        take_back_environment(app, None)  # type: ignore[arg-type]
    assert [p.children for p in paragraphs] == [[]] * len(paragraphs)


def test_pages_released_after_first_ones() -> None:
    class App:  # what a build is known by: only its identity matters here
        pass

    app = App()
    pages = []
    for number in range(RELEASE_AFTER_PAGES + 3):
        document = new_document(f"page-{number}")
        document += nodes.paragraph("", f"Page {number}")
        pages.append(document)
        release_written_page(app, f"page-{number}", "page.html", {}, document)  # type: ignore[arg-type]

    # The first pages, as many as a build after an edit writes, are left whole. The tree
    # of the page being written is released only when the next page comes.
    assert [bool(page.children) for page in pages] == \
        [True] * RELEASE_AFTER_PAGES + [False, False, True]


def test_pooled_parsers_leave_html_renderer_alone() -> None:
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers import mdit

    from generators.sphinxext.speedups import reuse_need_content_parsers

    reuse_need_content_parsers()
    parser = mdit.create_md_parser(MdParserConfig(), RendererHTML)
    assert parser.render("**bold** & more") == "<p><strong>bold</strong> &amp; more</p>\n"


def test_collector_paused_until_loaded() -> None:
    assert gc.isenabled()
    try:
        pause_until_loaded()
        assert not gc.isenabled()
        set_aside_loaded_objects()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        resume_collections()
        take_back_live_objects()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_collector_disabled_elsewhere_left_alone() -> None:
    gc.disable()
    try:
        pause_until_loaded()
        set_aside_loaded_objects()
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


BUILD_AND_REPORT_COLLECTOR = """\
import gc, sys
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
project, out = sys.argv[1], sys.argv[2]
try:
    Sphinx(project + "/docs", project, out, out + "/.doctrees", "html", status=None,
           warning=None).build()
except SphinxError:
    print("failed")
print(gc.isenabled(), gc.get_freeze_count())
"""


@pytest.mark.parametrize("valid", [True, False])
def test_build_gives_the_collector_back(copy_root: Callable[[str], Path], tmp_path: Path,
                                        valid: bool) -> None:
    project = copy_root("complete")
    if not valid:
        (project / "needs/broken.yaml").write_text("needs: [\n", encoding="utf-8")

    result = subprocess.run([sys.executable, "-c", BUILD_AND_REPORT_COLLECTOR, str(project),
                             str(tmp_path / "out")], capture_output=True, text=True,
                            check=False, timeout=300)

    expected = "True 0" if valid else "failed\nTrue 0"
    assert result.stdout.strip() == expected, result.stderr


BUILD_WITH_UNKNOWN_THEME = """\
import gc, sys
from pathlib import Path
from generators.building import build_site
project = Path(sys.argv[1])
conf = project / "conf.py"
conf.write_text(conf.read_text() + "html_theme = 'no_such_theme'\\n")
code = build_site(project, Path(sys.argv[2]), Path(sys.argv[2]) / ".doctrees", jobs="1",
                  verbose=False, organization="Test")
print(code, gc.isenabled())
"""


def test_collector_back_after_early_failure(
        copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_root("complete")

    result = subprocess.run([sys.executable, "-c", BUILD_WITH_UNKNOWN_THEME, str(project),
                             str(tmp_path / "out")], capture_output=True, text=True,
                            check=False, timeout=300)

    assert result.stdout.strip() == "2 True", result.stderr


def test_closed_workbook_leaves_no_cycles() -> None:
    organization = types.SimpleNamespace(organization="Org")
    timestamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        data = evidence_workbook_bytes(organization, ["Id", "Title"],  # type: ignore[arg-type]
                                       [[f"EV_{n}", "Log"] for n in range(200)], timestamp)
        gc.collect()
        left = [o for o in gc.garbage if type(o).__module__.startswith("xlsxwriter")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert data.startswith(b"PK")
    assert left == []
