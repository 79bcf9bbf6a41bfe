"""Generate a synthetic programme of N needs, in the project format and as plain sphinx-needs.

One need in five is a requirement; the others are artifacts (policy statements,
procedures, forms, roles, evidence items in turn) with two links each. About 5% of the
requirements are left without a satisfying artifact, so the project has gaps. Both
variants hold the same needs with the same fields, spread over the same number of
files, so their build times compare the engines and not the content.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

FILES = 20
ARTIFACT_TYPES = ("pol", "proc", "form", "role", "evid")
PREFIX = {"req": "REQ_", "pol": "POL_", "proc": "PROC_", "form": "FORM_", "role": "ROLE_",
          "evid": "EVID_"}
PHASES = ("plan-prepare", "detect-report", "assess-decide", "respond", "learn-lessons")
SOURCE = "Synthetic standard"


def plan(size: int, seed: int = 27035) -> dict[str, list[dict[str, object]]]:
    """Return the needs of a synthetic programme, by file name."""
    rng = random.Random(seed)
    requirement_count = size // 5
    requirements = [f"REQ_S_{n:05d}" for n in range(requirement_count)]
    gaps = set(rng.sample(requirements, max(1, requirement_count // 20)))
    coverable = [r for r in requirements if r not in gaps]
    needs: list[dict[str, object]] = []
    for n, req_id in enumerate(requirements):
        needs.append({"id": req_id, "type": "req", "title": f"Synthetic requirement {n}",
                      "clause": f"{n // 10 + 1}.{n % 10 + 1}", "phase": PHASES[n % 5],
                      "artifacts": ["proc"], "content": f"Requirement {n} of the benchmark."})
    uncovered = list(coverable)
    rng.shuffle(uncovered)
    for n in range(size - requirement_count):
        need_type = ARTIFACT_TYPES[n % len(ARTIFACT_TYPES)]
        targets = [uncovered.pop() if uncovered else rng.choice(coverable),
                   rng.choice(coverable)]
        need: dict[str, object] = {
            "id": f"{PREFIX[need_type]}S_{n:05d}", "type": need_type,
            "title": f"Synthetic {need_type} {n}", "content": f"Artifact {n} of the benchmark.",
        }
        if need_type == "evid":
            need["group"] = "incident-execution"
            need["evidences"] = sorted(set(targets))
        else:
            need["satisfies"] = sorted(set(targets))
            if need_type in ("pol", "proc"):
                need["document"] = f"DOC-{n % FILES + 1}"
                need["section"] = "main"
            if need_type == "role":
                need["kind"] = "role"
            if need_type == "form":
                need["sections"] = [{"title": "Details", "fields": [
                    {"name": "description", "label": "Description", "type": "long-text",
                     "required": True}]}]
        needs.append(need)
    files: dict[str, list[dict[str, object]]] = {f"part{i:02d}": [] for i in range(FILES)}
    names = list(files)
    for index, need in enumerate(needs):
        files[names[index % FILES]].append(need)
    return files


def write_project(target: Path, size: int) -> None:
    """Write the programme in the project format (iso27035.yaml, needs/, docs/)."""
    files = plan(size)
    (target / "needs").mkdir(parents=True)
    (target / "docs").mkdir()
    (target / "iso27035.yaml").write_text(
        "organization: Benchmark Ltd\ncatalog: none\ntoday: 2026-01-01\n", encoding="utf-8")
    documents = [{"id": f"DOC-{i + 1}", "kind": "procedure", "title": f"Document {i + 1}",
                  "version": "1.0", "status": "draft", "owner": "Owner",
                  "classification": "INTERNAL", "sections": [{"id": "main", "title": "Main"}]}
                 for i in range(FILES)]
    header = {"sources": [{"name": SOURCE, "title": "Synthetic standard for benchmarks"}],
              "documents": documents}
    (target / "needs" / "setup.yaml").write_text(json.dumps(header, indent=1),
                                                  encoding="utf-8")
    for name, needs in files.items():
        records = []
        for need in needs:
            record = dict(need)
            if record["type"] == "req":
                record.update({"source": SOURCE, "clause_title": "Synthetic clause"})
            records.append(record)
        # JSON is valid YAML, and much faster to write here
        (target / "needs" / f"{name}.yaml").write_text(json.dumps({"needs": records}, indent=1),
                                                       encoding="utf-8")
    pages = ["coverage", "requirements/index", "matrix", "gaps", "applicability", "downloads",
             "documents/index", "roles", "forms/index", "evidence"]
    (target / "docs" / "index.md").write_text(
        "# Benchmark\n\n```{iso27035-coverage}\n```\n\n```{toctree}\n:maxdepth: 1\n\n"
        + "".join(f"_generated/{page}\n" for page in pages) + "```\n", encoding="utf-8")
    (target / "conf.py").write_text('extensions = ["generators.sphinxext"]\n'
                                    'project = "Benchmark"\n', encoding="utf-8")


PLAIN_CONF = '''\
extensions = ["myst_parser", "sphinx_needs"]
project = "Plain benchmark"
needs_types = [
    {"directive": t, "title": t, "prefix": p, "color": "#BFD8D2", "style": "node"}
    for t, p in [("req", "REQ_"), ("pol", "POL_"), ("proc", "PROC_"), ("form", "FORM_"),
                 ("role", "ROLE_"), ("evid", "EVID_")]
]
needs_links = {name: {"incoming": f"{name} back", "outgoing": name}
               for name in ("satisfies", "evidences", "uses", "performed_by")}
needs_fields = {name: {"nullable": True, "schema": {"type": "string"}}
                for name in FIELD_NAMES}
needs_id_regex = r"^[A-Z][A-Z0-9_]+$"
needs_build_json = True
needs_reproducible_json = True
needs_parse_dynamic_functions = False
'''


def write_plain_project(target: Path, project: Path) -> None:
    """Write the needs of ``project`` as a plain sphinx-needs MyST project.

    Each need keeps its title, links, the fields and the body the site shows (content,
    steps, form fields), so both builds render the same needs; the plain project adds
    one need table of the requirements.
    """
    from generators.coverage import compute_coverage
    from generators.loading.project import load_project
    from generators.site.need_content import need_markup
    from generators.sphinxext.configuration import NEED_FIELDS
    from generators.sphinxext.directives import need_fields

    result = load_project(project)
    assert result.model is not None and result.settings is not None
    model = result.model
    coverage = compute_coverage(model, result.settings.current_date())
    target.mkdir(parents=True)
    conf = f"FIELD_NAMES = {tuple(NEED_FIELDS)!r}\n{PLAIN_CONF}"
    (target / "conf.py").write_text(conf, encoding="utf-8")
    pages: dict[str, list[str]] = {}
    for need in model.needs.values():
        name = need.defined_at.path.stem
        lines = pages.setdefault(name, [f"# {name}", ""])
        lines.append(f"````{{{need.type}}} {need.title}")
        lines.append(f":id: {need.id}")
        for link, targets in need.links.items():
            lines.append(f":{link}: {', '.join(targets)}")
        for key, value in need_fields(need, coverage.requirements).items():
            lines.append(f":{key}: {value}")
        if getattr(need, "status", None):
            lines.append(f":status: {need.status}")
        lines += ["", need_markup(need, model), "````", ""]
    for name, lines in pages.items():
        (target / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")
    (target / "matrix.md").write_text(
        "# Matrix\n\n```{needtable}\n:types: req\n:columns: id;title;satisfies_back as "
        "\"Satisfied by\"\n:style: table\n```\n", encoding="utf-8")
    (target / "index.md").write_text(
        "# Plain benchmark\n\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(pages)
        + "\nmatrix\n```\n", encoding="utf-8")
