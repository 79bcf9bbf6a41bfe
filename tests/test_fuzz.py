"""Fuzzing load and validate: any YAML input gives a model or located findings, never a crash."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generators.loading.project import load_project
from generators.loading.schema import NEED_STRUCTS

FIELD_NAMES = sorted({name for struct in NEED_STRUCTS.values() for name in struct.by_name}
                     | {"sources", "documents", "scales", "exclusions", "defaults", "needs",
                        "clauses", "levels", "sections", "fields", "choices_from", "value"})
TYPES = ["req", "pol", "proc", "form", "role", "evid", "other"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(TYPES + ["REQ_A", "POL_A", "D-1", "scope", "12 months", "2026-02-30",
                             "{{ x }}", "<script>", "=1+1", "[[copy('id')]]"]),
    st.text(max_size=30),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(FIELD_NAMES), children, max_size=6),
    ),
    max_leaves=25,
)
need_records = st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=8).map(
    lambda record: {"id": "POL_A", "type": "pol", **record})
files = st.one_of(
    st.dictionaries(st.sampled_from(["needs", "sources", "documents", "scales", "exclusions",
                                     "defaults", "unknown"]),
                    st.one_of(st.lists(need_records, max_size=4), values), max_size=4),
    values,
)
raw_texts = st.text(alphabet=st.sampled_from(list("ab: -[]{}&*!|>'\"#\t\n%@`")), max_size=80)


def _check(documents: list[Any], raw: str | None = None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="iso27035-fuzz-"))
    try:
        (folder / "needs").mkdir()
        (folder / "iso27035.yaml").write_text("organization: Fuzz\ncatalog: none\n")
        for index, document in enumerate(documents):
            text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
            (folder / "needs" / f"f{index}.yaml").write_text(text, encoding="utf-8")
        if raw is not None:
            (folder / "needs" / "raw.yaml").write_text(raw, encoding="utf-8")
        result = load_project(folder)
        if result.model is None:
            assert result.findings
        for finding in result.findings:
            if finding.kind != "project":
                assert finding.location is not None, finding
                assert finding.location.line is not None, finding
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(files, min_size=1, max_size=3))
def test_generated_documents_give_model_or_findings(documents: list[Any]) -> None:
    _check(documents)


@settings(max_examples=300, deadline=None)
@given(raw_texts)
def test_raw_text_gives_model_or_findings(raw: str) -> None:
    _check([], raw)
