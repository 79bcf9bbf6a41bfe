"""Configure sphinx-needs and MyST-Parser from the trace model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from generators.site.pages import GENERATED_FOLDER
from generators.trace_model import LINK_TYPES, NEED_TYPES
from generators.validation import NEED_ID_RE

NEED_FIELDS: dict[str, str] = {
    "source": "Source of a requirement: a part of ISO/IEC 27035, a law, a contract",
    "part": "Part of ISO/IEC 27035",
    "edition": "Edition of the source",
    "clause": "Clause cited",
    "clause_title": "Title of the clause",
    "confidence": "How sure the clause number is",
    "phase": "Incident management phase",
    "artifacts": "Artifact types expected to satisfy the requirement",
    "evidence": "Whether evidence is expected",
    "level": "should or shall",
    "coverage": "Coverage status of a requirement",
    "evidence_items": "Evidence items that prove a requirement, directly or through an "
                      "artifact that satisfies it",
    "document": "Document holding the artifact",
    "section": "Section of that document",
    "kind": "Kind of procedure or role",
    "scope": "Internal or external role",
    "owner": "Role keeping an evidence item",
    "location": "Where an evidence item is kept",
    "group": "Evidence pack group",
    "review_interval": "How often an evidence item is reviewed",
    "last_reviewed": "Last review of an evidence item",
    "retention": "How long records are kept",
}
"""Fields shown on needs; every value is a string, and none is parsed for functions."""


def configure(app: Sphinx, config: Config) -> None:
    """Set the sphinx-needs and MyST configuration that the trace model needs.

    Need types, link types and fields of the project's own configuration are kept
    when their names differ from ours.
    """
    ours = [{"directive": t.name, "title": t.title, "prefix": t.prefix, "color": t.color,
             "style": t.style} for t in NEED_TYPES.values()]
    config.needs_types = ours + [t for t in config.needs_types
                                 if t.get("directive") not in NEED_TYPES]

    links: dict[str, Any] = dict(config.needs_links)
    for link in LINK_TYPES.values():
        links[link.name] = {"outgoing": link.outgoing, "incoming": link.incoming,
                            "description": link.description,
                            "target_types": list(link.targets),
                            "parse_dynamic_functions": False}
    config.needs_links = links

    fields: dict[str, Any] = dict(config.needs_fields)
    for name, description in NEED_FIELDS.items():
        fields[name] = {"description": description, "nullable": True,
                        "schema": {"type": "string"}, "parse_dynamic_functions": False}
    config.needs_fields = fields

    config.needs_id_required = True
    config.needs_id_regex = NEED_ID_RE.pattern
    config.needs_build_json = True
    config.needs_reproducible_json = True
    config.needs_flow_engine = "graphviz"
    config.needs_parse_dynamic_functions = False
    # The loader has already checked every field and link of the needs it places.
    # sphinx-needs' own pass over all needs, on every build, would find nothing new.
    # It still runs when the project's conf.py defines schemas of its own.
    if not (config.needs_schema_definitions or config.needs_schema_definitions_from_json):
        config.needs_schema_validation_enabled = False
    # user text is shown as written: "=HYPERLINK("x")" must not get curly quotes
    config.smartquotes = False
    # a reference to a need shows its whole title, as the Word export does
    config.needs_role_need_max_title_length = -1

    # raw HTML in Markdown would reach the page as markup; it is shown as text instead
    disabled = list(config.myst_disable_syntax)
    config.myst_disable_syntax = disabled + [s for s in ("html_block", "html_inline")
                                             if s not in disabled]

    srcdir = Path(app.srcdir)
    if not any((srcdir / f"{config.root_doc}{suffix}").is_file() for suffix in (".md", ".rst")):
        config.root_doc = f"{GENERATED_FOLDER}/index"
