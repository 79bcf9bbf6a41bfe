"""Load a project: read every need file, convert it, build the model and validate it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generators.findings import Finding, Location, sorted_findings
from generators.gc_pause import gc_paused
from generators.loading import build
from generators.loading.build import RawRecords
from generators.loading.convert import Converter, Record
from generators.loading.schema import (
    DOCUMENT,
    EXCLUSION,
    NEED_FILE,
    NEED_STRUCTS,
    SCALE,
    SOURCE,
)
from generators.loading.yaml_source import node_location, read_yaml_file
from generators.model import Model
from generators.paths import OUTSIDE_HINT, leads_outside, paths_leading_outside
from generators.settings import Settings, load_settings
from generators.templating import TEMPLATES_FOLDER
from generators.trace_model import NEED_TYPES
from generators.validation import validate_model

NEED_FILE_SUFFIXES = (".yaml", ".yml")

DOCS_FOLDER = "docs"
"""Folder of the project's narrative pages, with the generated pages in its ``_generated``."""


@dataclass
class LoadResult:
    """The model, or None when input errors make it unusable, and every finding."""

    model: Model | None
    findings: list[Finding]
    settings: Settings | None = None

    @property
    def ok(self) -> bool:
        """Whether the input is free of errors."""
        return self.model is not None


def load_project(project_dir: Path) -> LoadResult:
    """Load and validate the project in ``project_dir``.

    Every problem of every file is reported in one run. The model is returned only
    when no finding is an input error.
    """
    with gc_paused():
        return _load_project(project_dir)


def _load_project(project_dir: Path) -> LoadResult:
    settings, findings = load_settings(project_dir)
    if settings is None:
        return LoadResult(None, sorted_findings(findings))

    files, findings = discover_files(settings)
    findings += check_folder_links(settings)
    records = RawRecords()
    for path in files:
        findings += _read_need_file(path, records)

    model, build_findings = build.build_model(settings, files, records)
    findings += build_findings
    findings += validate_model(model)
    findings = sorted_findings(list(dict.fromkeys(findings)))
    if any(f.is_input_error for f in findings):
        return LoadResult(None, findings, settings)
    return LoadResult(model, findings, settings)


def discover_files(settings: Settings) -> tuple[list[Path], list[Finding]]:
    """Return the need files of the project and the catalog, each once, in stable order.

    In a folder of the project, a need file that is a symbolic link to a file outside
    the project is reported and not read, unless the settings allow outside paths.
    """
    findings: list[Finding] = []
    folders = [settings.needs_dir]
    if settings.catalog_dir is not None:
        folders.append(settings.catalog_dir)
    files: dict[Path, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            findings.append(Finding("project", f"need folder {folder} does not exist", None,
                                    "create it, or set 'needs:' in iso27035.yaml"))
            continue
        # the bundled catalog lies outside every project, so only project folders are checked
        guarded = not settings.allow_outside_paths and \
            not leads_outside(settings.project_dir, folder)
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() and path.is_dir():
                findings.append(Finding(
                    "project", "this folder is a symbolic link, and need files in linked "
                    "folders are not read", Location(path),
                    "move its files into the need folder, or replace the link with the folder"))
                continue
            if path.suffix not in NEED_FILE_SUFFIXES or not path.is_file():
                continue
            if guarded and leads_outside(settings.project_dir, path):
                findings.append(_link_finding(path))
                continue
            files.setdefault(path.resolve(), path)
    return list(files.values()), findings


def check_folder_links(settings: Settings) -> list[Finding]:
    """Report each file or folder under ``templates/`` and ``docs/`` that leads outside.

    The build reads the site, Word, forms and evidence-pack templates from
    ``templates/`` and the pages from ``docs/``, so this one check at load keeps those
    reads inside the project. Nothing is reported when the settings allow outside
    paths. Writing through a link at ``docs/_generated`` is rejected even then, by
    ``sync_generated_folder``.
    """
    if settings.allow_outside_paths:
        return []
    project_dir = settings.project_dir
    return [_link_finding(path) for folder in (TEMPLATES_FOLDER, DOCS_FOLDER)
            for path in paths_leading_outside(project_dir, project_dir / folder)]


def _link_finding(path: Path) -> Finding:
    entry_type = "folder" if path.is_dir() else "file"
    return Finding("unsafe-path", f"this path is a symbolic link to a {entry_type} outside the "
                   "project folder", Location(path),
                   f"replace the link with the {entry_type} itself; {OUTSIDE_HINT}")


def _read_need_file(path: Path, records: RawRecords) -> list[Finding]:
    document, findings = read_yaml_file(path)
    if document is None:
        return findings
    if document.root is None:
        return [Finding("empty-file", "need file is empty", Location(path, 1),
                        "add 'needs:' with at least one need, or delete the file")]

    converter = Converter(path)
    root = document.root
    if not isinstance(root, MappingNode):
        converter.error("wrong-type", "a need file must be a mapping with keys such as "
                        "'needs:' and 'documents:'", root,
                        "start the file with 'needs:' and list the needs under it")
        return converter.findings

    sections = {key.value: value for key, value in root.value if isinstance(key, ScalarNode)}
    for key, _ in root.value:
        if not isinstance(key, ScalarNode) or key.value not in NEED_FILE.by_name:
            converter.error("unknown-field", f"unknown top-level key {getattr(key, 'value', '')!r}",
                            key, f"top-level keys of a need file: {', '.join(NEED_FILE.by_name)}")

    defaults = _defaults(converter, sections.get("defaults"))
    if "needs" in sections:
        for item in _items(converter, sections["needs"], "needs"):
            _read_need(converter, item, defaults, records)
    for key, struct, target in (
        ("sources", SOURCE, records.sources),
        ("documents", DOCUMENT, records.documents),
        ("scales", SCALE, records.scales),
        ("exclusions", EXCLUSION, records.exclusions),
    ):
        if key in sections:
            for item in _items(converter, sections[key], key):
                record = converter.record(item, struct, f"{struct.name} entry")
                if record is not None:
                    target.append(record)
    return converter.findings


def _items(converter: Converter, node: Node, key: str) -> list[Node]:
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        return []
    if not isinstance(node, SequenceNode):
        converter.error("wrong-type", f"'{key}:' must be a list of entries", node,
                        "start each entry with '- '")
        return []
    return list(node.value)


def _defaults(converter: Converter, node: Node | None) -> list[tuple[ScalarNode, Node]]:
    """Return the pairs of the ``defaults:`` mapping whose keys are need fields."""
    if node is None:
        return []
    if not isinstance(node, MappingNode):
        converter.error("wrong-type", "'defaults:' must be a mapping of need fields", node)
        return []
    known = {name for struct in NEED_STRUCTS.values() for name in struct.by_name} - {"id"}
    pairs = []
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value in known:
            pairs.append((key, value))
        else:
            converter.error("unknown-field", f"'defaults:' has unknown field "
                            f"{getattr(key, 'value', '')!r}", key,
                            "defaults take the fields of needs, except 'id'")
    return pairs


def _read_need(converter: Converter, node: Node, defaults: list[tuple[ScalarNode, Node]],
               records: RawRecords) -> None:
    if not isinstance(node, MappingNode):
        written = "a list" if isinstance(node, SequenceNode) else repr(getattr(node, "value", ""))
        converter.error("wrong-type", f"a need must be a mapping of fields, not {written}",
                        node, "write the need as '- id: ...' followed by one 'field: value' "
                        "per line, indented under it")
        return
    own = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
    type_node = own.get("type") or dict((k.value, v) for k, v in defaults).get("type")
    need_id = own["id"].value if isinstance(own.get("id"), ScalarNode) else None
    if type_node is None or not isinstance(type_node, ScalarNode) or not type_node.value:
        converter.error("missing-field", f"need {need_id or ''} has no 'type'".replace("  ", " "),
                        node_location(converter.path, node),
                        f"add 'type:' with one of: {', '.join(NEED_TYPES)}", need_id)
        _keep_untyped(converter, node, need_id, records)
        return
    need_type = type_node.value.strip()
    if need_type not in NEED_STRUCTS:
        converter.value(type_node, NEED_STRUCTS["req"].by_name["type"],
                        f"need {need_id or ''} field 'type'".replace("  ", " "))
        _keep_untyped(converter, node, need_id, records)
        return
    context = f"{NEED_TYPES[need_type].title.lower()} {need_id}" if need_id else "need"
    record = converter.record(node, NEED_STRUCTS[need_type], context, defaults)
    if record is not None:
        records.needs.append((need_type, record))


def _keep_untyped(converter: Converter, node: MappingNode, need_id: str | None,
                  records: RawRecords) -> None:
    """Keep the id of a need without a valid type, so that links to it are not unknown."""
    id_key = next((k for k, _ in node.value if isinstance(k, ScalarNode) and k.value == "id"),
                  None)
    need_id = " ".join(need_id.split()) if need_id else None
    if id_key is None or not need_id:
        return
    location = node_location(converter.path, node)
    records.needs.append((None, Record({"id": need_id}, location,
                                       {"id": node_location(converter.path, id_key)})))
