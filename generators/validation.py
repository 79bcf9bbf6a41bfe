"""Rules that span records: ids, links, references and markup safety.

Each rule walks the whole model and returns its findings, so one run reports every
problem. Field-level checks (types, required fields, allowed values) happen earlier,
while nodes are converted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator

from generators.findings import Finding, Location
from generators.model import (
    Artifact,
    EvidenceItem,
    Form,
    FormField,
    Model,
    Need,
    Procedure,
    Requirement,
    Role,
)
from generators.paths import OUTSIDE_HINT, UnsafePathError, resolve_project_file
from generators.trace_model import LINK_TYPES, NEED_TYPES

ID_BODY = r"[A-Z0-9]+(?:_[A-Z0-9]+)*"
NEED_ID_RE = re.compile(rf"^(?:{'|'.join(t.prefix for t in NEED_TYPES.values())}){ID_BODY}$")
DOCUMENT_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
SCALE_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
CHOICE_FIELD_TYPES = ("choice", "multi-choice")

SAFE_DIRECTIVES = frozenset({
    "admonition", "attention", "caution", "code", "code-block", "danger", "epigraph", "error",
    "hint", "important", "list-table", "math", "note", "seealso", "sourcecode", "tip",
    "topic", "warning",
})
"""Directives allowed in markup from need files. Others can read files (include,
literalinclude, download, image), inject raw output (raw, eval-rst) or run code."""

SAFE_ROLES = frozenset({
    "abbr", "code", "doc", "dfn", "emphasis", "guilabel", "kbd", "literal", "math", "need",
    "ref", "strong", "sub", "subscript", "sup", "superscript", "term",
})
_DIRECTIVE_RE = re.compile(r"^[ \t]*(?:`{3,}|~{3,}|:{3,})\s*\{([^}\s]+)\}", re.MULTILINE)
_ROLE_RE = re.compile(r"\{([A-Za-z][\w:+.-]*)\}`")


def validate_model(model: Model) -> list[Finding]:
    """Return the findings of every cross-record rule."""
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(model))
    return findings


def check_need_ids(model: Model) -> Iterator[Finding]:
    """Ids start with their type's prefix and use A-Z, 0-9 and single underscores."""
    for need in model.needs.values():
        prefix = NEED_TYPES[need.type].prefix
        if not need.id.startswith(prefix) or not NEED_ID_RE.match(need.id):
            yield Finding(
                "id-rule", f"id {need.id!r} does not follow the id rule of a "
                f"{NEED_TYPES[need.type].title.lower()}", need.where("id"),
                f"start with {prefix} and use only A-Z, 0-9 and single underscores, "
                f"e.g. {prefix}INCIDENT_TRIAGE", need.id)


def catalog_id(part: int, clause: str) -> str:
    """Return the id stem of a catalog requirement: part 2, clause 6.5 -> REQ_P2_6_5."""
    body = clause.upper().replace("ANNEX ", "ANNEX_").replace(".", "_")
    return f"REQ_P{part}_{body}"


def check_catalog_ids(model: Model) -> Iterator[Finding]:
    """A requirement of an ISO/IEC 27035 part is REQ_P<part>_<clause>_<n>."""
    for req in model.requirements:
        if req.part is None or not req.clause:
            continue  # an empty clause is the placeholder of an invalid one, reported already
        stem = catalog_id(req.part, req.clause)
        if not re.fullmatch(re.escape(stem) + r"_\d+", req.id):
            yield Finding(
                "id-rule", f"catalog requirement id {req.id!r} does not match its part and "
                f"clause (part {req.part}, clause {req.clause})", req.where("id"),
                f"use {stem}_1, {stem}_2, ... for the requirements of this clause", req.id)


def check_links(model: Model) -> Iterator[Finding]:
    """Links point at existing needs of the types the link type joins."""
    ids = list(model.needs)
    for need in model.needs.values():
        for name, targets in need.links.items():
            link = LINK_TYPES[name]
            where = need.where(name)
            if need.type not in link.sources:
                yield Finding(
                    "wrong-link-kind", f"{_a(NEED_TYPES[need.type].title.lower())} cannot use "
                    f"'{name}:' (it links from {_types(link.sources)})", where,
                    _link_hint(need.type), need.id)
                continue
            for index, target_id in enumerate(targets):
                where = need.where_item(name, index)
                target = model.needs.get(target_id)
                if target_id == need.id:
                    yield Finding("self-link", f"{need.id} links to itself through '{name}:'",
                                  where, "remove the id from the list", need.id)
                elif target_id in model.untyped_ids:
                    continue  # the target has no valid type, which is reported already
                elif target is None:
                    close = difflib.get_close_matches(target_id, ids, n=1, cutoff=0.8)
                    hint = f"did you mean {close[0]}?" if close else (
                        "check the spelling, or define the need")
                    yield Finding("unknown-link", f"{need.id} '{name}:' links to unknown id "
                                  f"{target_id!r}", where, hint, need.id)
                elif target.type not in link.targets:
                    yield Finding(
                        "wrong-link-kind", f"{need.id} '{name}:' points at {target_id}, a "
                        f"{NEED_TYPES[target.type].title.lower()}; '{name}' links to "
                        f"{_types(link.targets)}", where,
                        f"link {_types(link.targets)} here, or use another link type", need.id)


def _types(names: tuple[str, ...]) -> str:
    titles = [NEED_TYPES[n].plural.lower() for n in names]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]


def _link_hint(need_type: str) -> str:
    allowed = [name for name, link in LINK_TYPES.items() if need_type in link.sources]
    return f"{_a(NEED_TYPES[need_type].title.lower())} links with: {', '.join(allowed)}"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def check_documents(model: Model) -> Iterator[Finding]:
    """Document ids follow the rule; approved documents name approver and date."""
    for document in model.documents.values():
        if not DOCUMENT_ID_RE.match(document.id):
            yield Finding("id-rule", f"document id {document.id!r} does not follow the rule",
                          document.defined_at,
                          "use upper-case letters, digits and single hyphens, e.g. IM-POL-01")
        if document.status == "approved":
            for name in ("approver", "approved"):
                if getattr(document, name) is None:
                    yield Finding(
                        "missing-field", f"approved document {document.id} has no '{name}'",
                        document.defined_at,
                        f"add '{name}:', or set 'status: draft' until it is approved")
        seen: set[str] = set()
        for section in document.sections:
            if section.id in seen:
                yield Finding("duplicate-id", f"document {document.id} has two sections with "
                              f"id {section.id!r}", section.defined_at,
                              "give each section its own id")
            seen.add(section.id)


def check_artifact_references(model: Model) -> Iterator[Finding]:
    """Artifacts name existing documents and sections; evidence owners are roles."""
    for need in model.needs.values():
        if isinstance(need, Artifact) and need.document is not None:
            document = model.documents.get(need.document)
            if document is None:
                yield _unknown(need, "document", need.document, list(model.documents))
            elif need.section is not None and document.section(need.section) is None:
                known = [s.id for s in document.sections]
                yield _unknown(need, "section", need.section, known,
                               f"in document {document.id}")
        if isinstance(need, EvidenceItem) and need.owner is not None:
            yield from _check_owner(model, need, need.owner)


def _check_owner(model: Model, item: EvidenceItem, owner_id: str) -> Iterator[Finding]:
    owner = model.needs.get(owner_id)
    if isinstance(owner, Role) or owner_id in model.untyped_ids:
        return
    roles = [r.id for r in model.of_type(Role)]
    if owner is None:
        yield _unknown(item, "owner", owner_id, roles, "(owners are role ids)")
        return
    yield Finding("wrong-link-kind", f"{item.id} 'owner:' names {owner_id}, "
                  f"{_a(NEED_TYPES[owner.type].title.lower())}; an owner must be a role",
                  item.where("owner"), "give the id of the role that keeps the record; "
                  + _suggestion(owner_id, roles), item.id)


def _unknown(need: Need, name: str, value: str, known: list[str], where: str = "") -> Finding:
    suffix = f" {where}" if where else ""
    return Finding("unknown-reference", f"{need.id} '{name}:' names unknown {name} {value!r}"
                   f"{suffix}", need.where(name), _suggestion(value, known), need.id)


def _suggestion(value: str, known: list[str]) -> str:
    """Return 'did you mean ...?' for a close match, else the first known ids."""
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if not known:
        return "none is defined yet"
    return f"known: {', '.join(known[:12])}" + (" ..." if len(known) > 12 else "")


def check_forms(model: Model) -> Iterator[Finding]:
    """Form fields have unique machine names and consistent choices."""
    for form in model.of_type(Form):
        seen: dict[str, Location] = {}
        for item in form.iter_fields():
            if not FIELD_NAME_RE.match(item.name):
                yield Finding("id-rule", f"form {form.id} field name {item.name!r} is not "
                              "lower_snake_case", item.defined_at,
                              "use lower-case letters, digits and underscores", form.id)
            if item.name in seen:
                yield Finding("duplicate-id", f"form {form.id} has two fields named "
                              f"{item.name!r} (first at {seen[item.name].display()})",
                              item.defined_at, "give each field its own name", form.id)
            seen.setdefault(item.name, item.defined_at)
            has_choices = bool(item.choices) or item.choices_from is not None
            if item.type in CHOICE_FIELD_TYPES:
                if item.choices and item.choices_from:
                    yield Finding("invalid-value", f"form {form.id} field {item.name!r} has "
                                  "both 'choices' and 'choices_from'", item.defined_at,
                                  "keep one of the two", form.id)
                elif not has_choices:
                    yield Finding("missing-field", f"form {form.id} field {item.name!r} is a "
                                  f"{item.type} field without choices", item.defined_at,
                                  "add 'choices:' or 'choices_from: SCALE_ID'", form.id)
            elif has_choices:
                yield Finding("invalid-value", f"form {form.id} field {item.name!r} of type "
                              f"{item.type} cannot have choices", item.defined_at,
                              "set 'type: choice' or 'type: multi-choice', or remove the "
                              "choices", form.id)
            if item.choices_from is not None and item.choices_from not in model.scales:
                close = difflib.get_close_matches(item.choices_from, list(model.scales), n=1)
                yield Finding("unknown-reference", f"form {form.id} field {item.name!r} takes "
                              f"choices from unknown scale {item.choices_from!r}",
                              item.defined_at, f"did you mean {close[0]!r}?" if close else
                              f"known scales: {', '.join(model.scales) or 'none'}", form.id)


def check_form_layout(model: Model) -> Iterator[Finding]:
    """Repeating sections have fields and a usable key; bounds and signatures fit their fields.

    A filled report holds the fields of ordinary sections at its top level and each
    repeating section's entries under the section's name, so those names share one
    namespace with the field names.
    """
    for form in model.of_type(Form):
        field_names = {item.name for item in form.iter_fields()}
        section_names: set[str] = set()
        for section in form.sections:
            where = section.defined_at or form.defined_at
            if not section.fields:
                kind = "repeating section" if section.repeating else "section"
                hint = "the fields of one entry" if section.repeating else "its fields"
                yield Finding("missing-field", f"form {form.id} {kind} {section.title!r} has "
                              "no fields", where, f"add {hint} under 'fields:'", form.id)
            if not section.repeating:
                if section.required:
                    yield Finding("invalid-value", f"form {form.id} section "
                                  f"{section.title!r} is 'required' but not repeating", where,
                                  "mark required fields instead, or set 'repeating: true'",
                                  form.id)
                continue
            if not FIELD_NAME_RE.match(section.name):
                yield Finding("id-rule", f"form {form.id} repeating section "
                              f"{section.title!r} has the key {section.name!r}, which is not "
                              "lower_snake_case", where,
                              "add 'name:' with lower-case letters, digits and underscores, "
                              "starting with a letter", form.id)
            elif section.name in field_names or section.name in section_names:
                yield Finding("duplicate-id", f"form {form.id} repeating section "
                              f"{section.title!r} has the key {section.name!r}, which another "
                              "field or section of the form uses", where,
                              "add 'name:' with a key of its own", form.id)
            section_names.add(section.name)
        for item in form.iter_fields():
            yield from _number_bounds(form, item)
            if item.signature and item.type != "person":
                yield Finding("invalid-value", f"form {form.id} field {item.name!r} of type "
                              f"{item.type} cannot have 'signature'", item.defined_at,
                              "set 'type: person', or remove 'signature:'", form.id)
            repeated = sorted({c for c in item.choices if item.choices.count(c) > 1})
            if repeated:
                yield Finding("duplicate-id", f"form {form.id} field {item.name!r} lists the "
                              f"choice {repeated[0]!r} twice", item.defined_at,
                              "list each choice once", form.id)


def _number_bounds(form: Form, item: FormField) -> Iterator[Finding]:
    bounds = {"minimum": item.minimum, "maximum": item.maximum}
    if item.type != "number":
        for name, value in bounds.items():
            if value is not None:
                yield Finding("invalid-value", f"form {form.id} field {item.name!r} of type "
                              f"{item.type} cannot have '{name}'", item.defined_at,
                              f"set 'type: number', or remove '{name}:'", form.id)
    elif item.minimum is not None and item.maximum is not None and item.minimum > item.maximum:
        yield Finding("invalid-value", f"form {form.id} field {item.name!r} has minimum "
                      f"{item.minimum} above maximum {item.maximum}", item.defined_at,
                      "swap the two values", form.id)


def check_scales(model: Model) -> Iterator[Finding]:
    """Scale ids follow the rule, level values are unique, documents exist."""
    for scale in model.scales.values():
        if not SCALE_ID_RE.match(scale.id):
            yield Finding("id-rule", f"scale id {scale.id!r} does not follow the rule",
                          scale.defined_at, "use lower-case letters, digits and hyphens, "
                          "e.g. incident-category")
        values = [level.value for level in scale.levels]
        for value in sorted({v for v in values if values.count(v) > 1}):
            yield Finding("duplicate-id", f"scale {scale.id} has the level value {value!r} "
                          "twice", scale.defined_at, "give each level its own value")
        for level in scale.levels:
            target = level.escalate_to
            if target and NEED_ID_RE.match(target) and target not in model.untyped_ids \
                    and not isinstance(model.needs.get(target), Role):
                yield Finding("unknown-reference", f"scale {scale.id} level {level.value!r} "
                              f"escalates to {target!r}, which is not a role", scale.defined_at,
                              "give the id of a role, or the name of a body in words")
        if scale.document is not None and scale.document not in model.documents:
            yield Finding("unknown-reference", f"scale {scale.id} names unknown document "
                          f"{scale.document!r}", scale.defined_at,
                          f"known documents: {', '.join(model.documents) or 'none'}")


def check_exclusions(model: Model) -> Iterator[Finding]:
    """Exclusions name existing requirements and expire no earlier than their approval."""
    for exclusion in model.exclusions.values():
        if exclusion.expires is not None and exclusion.expires < exclusion.date:
            yield Finding("invalid-date", f"the exclusion of {exclusion.requirement} expires on "
                          f"{exclusion.expires}, before its approval date {exclusion.date}",
                          exclusion.where("expires"), "correct 'expires:' or 'date:'; an "
                          "exclusion counts from its approval date until its expiry date",
                          exclusion.requirement)
        target = model.needs.get(exclusion.requirement)
        if not isinstance(target, Requirement) and exclusion.requirement not in model.untyped_ids:
            close = difflib.get_close_matches(
                exclusion.requirement, [r.id for r in model.requirements], n=1, cutoff=0.8)
            yield Finding("unknown-reference", f"exclusion names {exclusion.requirement!r}, "
                          "which is not a requirement", exclusion.defined_at,
                          f"did you mean {close[0]}?" if close else
                          "give the id of a requirement")


def check_clause_index(model: Model) -> Iterator[Finding]:
    """Clause entries are unique; guidance clauses are cited; the others say why not."""
    cited: dict[str, set[str]] = {}
    for req in model.requirements:
        cited.setdefault(req.source, set()).add(req.clause)
    for source in model.sources.values():
        seen: set[str] = set()
        for clause in source.clause_list:
            if clause.clause in seen:
                yield Finding("duplicate-id", f"clause {clause.clause} appears twice in the "
                              f"index of {source.name}", clause.defined_at,
                              "keep one entry per clause")
            seen.add(clause.clause)
            is_cited = clause.clause in cited.get(source.name, set())
            if clause.guidance and not is_cited:
                yield Finding("catalog-clause", f"clause {clause.clause} of {source.name} "
                              "carries guidance but no requirement cites it",
                              clause.defined_at, "add a requirement for it, or set "
                              "'guidance: false' with a note saying why")
            if not clause.guidance and not clause.note:
                yield Finding("missing-field", f"clause {clause.clause} of {source.name} has "
                              "'guidance: false' but no note", clause.defined_at,
                              "add 'note:' saying why no requirement cites it")


def check_markup(model: Model) -> Iterator[Finding]:
    """Markup from need files uses no directive or role that reads files or emits raw output."""
    for text, where, owner in _markup_texts(model):
        for pattern, allowed, noun in ((_DIRECTIVE_RE, SAFE_DIRECTIVES, "directive"),
                                       (_ROLE_RE, SAFE_ROLES, "role")):
            for match in pattern.finditer(text):
                name = match.group(1)
                if name not in allowed:
                    line = None if where.line is None else where.line + text[
                        : match.start()].count("\n")
                    yield Finding(
                        "unsafe-markup", f"{noun} {{{name}}} is not allowed in need files",
                        Location(where.path, line), f"allowed {noun}s: "
                        f"{', '.join(sorted(allowed))}; put other markup in a page under docs/",
                        owner)


def _markup_texts(model: Model) -> Iterator[tuple[str, Location, str | None]]:
    for need in model.needs.values():
        yield need.content, need.content_at or need.defined_at, need.id
        extra: tuple[str, ...] = ()
        if isinstance(need, Procedure):
            extra = need.steps
        elif isinstance(need, Role):
            extra = need.responsibilities + need.authority
        for text in extra:
            yield text, need.defined_at, need.id
    for document in model.documents.values():
        yield document.intro, document.intro_at or document.defined_at, None
        for section in document.sections:
            yield section.text, section.text_at or section.defined_at, None
    for scale in model.scales.values():
        yield scale.description, scale.defined_at, None
    for exclusion in model.exclusions.values():
        yield exclusion.justification, exclusion.defined_at, exclusion.requirement


def check_attachments(model: Model) -> Iterator[Finding]:
    """Attachments name files inside the project (unless the project allows otherwise)."""
    for item in model.of_type(EvidenceItem):
        for reference in item.attachments:
            try:
                resolve_project_file(model.project_dir, reference,
                                     allow_outside=model.allow_outside_paths)
            except UnsafePathError as error:
                yield Finding("unsafe-path", f"{item.id} attachment {error}",
                              item.where("attachments"),
                              "give the path of a file inside the project, relative to the "
                              f"folder of iso27035.yaml; {OUTSIDE_HINT}",
                              item.id)


RULES: tuple[Callable[[Model], Iterator[Finding]], ...] = (
    check_need_ids,
    check_catalog_ids,
    check_links,
    check_documents,
    check_artifact_references,
    check_forms,
    check_form_layout,
    check_scales,
    check_exclusions,
    check_clause_index,
    check_markup,
    check_attachments,
)

