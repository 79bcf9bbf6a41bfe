"""The bundled ISO/IEC 27035 catalog: every clause present, ids, confidence, paraphrases."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generators.loading.project import load_project
from generators.model import Model
from generators.resources import bundled_dir
from generators.validation import catalog_id

# The clause structure of each part as far as public sources show it; clauses whose
# number is not confirmed are listed in INFERRED.
CLAUSES = {
    "ISO/IEC 27035-1:2023": [
        "1", "2", "3", "3.1", "3.2", "4", "4.1", "4.2", "4.3", "4.4", "4.x", "5", "5.1",
        "5.2", "5.3", "5.4", "5.5", "5.6", "Annex A", "Annex B", "Annex C",
    ],
    "ISO/IEC 27035-2:2023": [
        "1", "2", "3", "3.1", "3.2", "4", "4.1", "4.2", "4.3", "5", "5.1", "5.2", "6", "6.1",
        "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9", "7", "7.1", "7.2", "7.2.1",
        "7.2.2", "7.3", "7.3.1", "7.3.2", "7.3.3", "8", "8.1", "8.2", "8.3", "9", "9.1",
        "9.2", "9.3", "10", "11", "11.1", "11.2", "11.2.1", "11.2.2", "11.2.3", "11.3",
        "11.3.1", "11.3.2", "12", "12.1", "12.2", "12.3", "12.x", "Annex A", "Annex B",
        "Annex C",
    ],
    "ISO/IEC 27035-3:2020": [
        "1", "2", "3", "4", "5", "5.1", "5.2", "6", "7", "7.1", "7.2", "7.3", "7.3.1",
        "7.3.2", "7.3.3", "7.3.4", "8", "8.1", "8.2", "8.2.1", "8.2.2", "8.2.3", "8.2.4",
        "8.3", "8.3.1", "8.3.2", "9", "9.1", "9.2", "10", "10.1", "10.2", "10.3", "10.4",
        "10.5", "10.6", "11", "11.1", "11.2", "11.2.1", "11.2.2", "11.2.3", "11.2.4", "11.3",
        "11.3.1", "11.3.2", "11.3.3", "11.4", "11.4.1", "11.4.2", "11.4.3", "12", "12.1",
        "12.2", "12.3", "12.4", "12.5", "12.6", "12.7", "Annex A",
    ],
}
CONFIRMED_IN_PART_1 = {"5", "5.2", "5.6"}
INFERRED = {
    "ISO/IEC 27035-1:2023": set(CLAUSES["ISO/IEC 27035-1:2023"]) - CONFIRMED_IN_PART_1,
    "ISO/IEC 27035-2:2023": {"12.x", "Annex A", "Annex B", "Annex C"},
    "ISO/IEC 27035-3:2020": set(),
}
PARTLY_VISIBLE_TITLES = {("ISO/IEC 27035-1:2023", "5"), ("ISO/IEC 27035-2:2023", "12.3"),
                         ("ISO/IEC 27035-3:2020", "12.7")}
# Topics an auditor of an ISO/IEC 27035 programme looks for, each with a pattern that
# must match the title or paraphrase of at least one requirement.
TOPICS = {
    "incident coordinator": r"incident coordinator",
    "point of contact": r"point of contact|\bPoC\b",
    "IMT": r"\bIMT\b|incident management team",
    "IRT": r"\bIRT\b|incident response team",
    "vulnerability routing": r"vulnerabilit(y|ies).*vulnerability management",
    "report completeness": r"complete",
    "classification scale": r"severity",
    "escalation": r"escalat",
    "chain of custody": r"chain of custody",
    "containment": r"containment",
    "eradication": r"eradicat",
    "recovery": r"recover",
    "information sharing": r"traffic-light|TLP",
    "exercises": r"exercise",
    "post-incident review": r"lessons|review",
    "metrics": r"metric",
    "awareness": r"awareness",
}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Model:
    project = tmp_path_factory.mktemp("catalog")
    (project / "needs").mkdir()
    (project / "iso27035.yaml").write_text("organization: Catalog check\n", encoding="utf-8")
    result = load_project(project)
    assert result.model is not None, [f.format() for f in result.findings]
    return result.model


def test_bundled_catalog_is_found() -> None:
    files = sorted(p.name for p in bundled_dir("catalog").glob("*.yaml"))
    assert files == ["iso27035-1.yaml", "iso27035-2.yaml", "iso27035-3.yaml"]


@pytest.mark.parametrize("source", sorted(CLAUSES))
def test_every_clause_is_in_the_index(catalog: Model, source: str) -> None:
    assert [c.clause for c in catalog.sources[source].clause_list] == CLAUSES[source]


@pytest.mark.parametrize("source", sorted(CLAUSES))
def test_inferred_clauses_stay_marked(catalog: Model, source: str) -> None:
    for clause in catalog.sources[source].clause_list:
        if clause.clause in INFERRED[source]:
            expected = "inferred"
        elif (source, clause.clause) in PARTLY_VISIBLE_TITLES:
            expected = "confirmed-partial"
        else:
            expected = "confirmed"
        assert clause.confidence == expected, f"{source} {clause.clause}"


def test_requirements_carry_their_clause_confidence(catalog: Model) -> None:
    for req in catalog.requirements:
        assert req.confidence == catalog.sources[req.source].clauses[req.clause].confidence


@pytest.mark.parametrize("source", sorted(CLAUSES))
def test_every_guidance_clause_has_a_requirement(catalog: Model, source: str) -> None:
    cited = {r.clause for r in catalog.requirements if r.source == source}
    guidance = {c.clause for c in catalog.sources[source].clause_list if c.guidance}
    assert guidance
    assert guidance <= cited
    assert cited <= guidance


def test_ids_derive_from_part_and_clause(catalog: Model) -> None:
    for req in catalog.requirements:
        assert req.part is not None
        assert re.fullmatch(re.escape(catalog_id(req.part, req.clause)) + r"_\d+", req.id)


def test_ids_are_numbered_from_one_per_clause(catalog: Model) -> None:
    stems: dict[str, list[int]] = {}
    for req in catalog.requirements:
        stem, number = req.id.rsplit("_", 1)
        stems.setdefault(stem, []).append(int(number))
    for stem, numbers in stems.items():
        assert numbers == list(range(1, len(numbers) + 1)), stem


def test_requirements_are_paraphrased_briefly(catalog: Model) -> None:
    for req in catalog.requirements:
        words = len(req.content.split())
        assert 8 <= words <= 90, f"{req.id} has {words} words"
        assert "shall" not in req.content.lower(), req.id
        assert len(req.title) <= 80, req.id


def test_each_part_is_cited_with_edition(catalog: Model) -> None:
    editions = {(s.part, s.edition) for s in catalog.sources.values()}
    assert editions == {(1, "2023"), (2, "2023"), (3, "2020")}


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_audited_topic_is_covered(catalog: Model, topic: str) -> None:
    pattern = re.compile(TOPICS[topic], re.IGNORECASE | re.DOTALL)
    assert any(pattern.search(f"{r.title}\n{r.content}") for r in catalog.requirements)


def test_external_project_uses_bundled_catalog(make_project: Callable[..., Path]) -> None:
    project = make_project({}, settings="organization: Outside\n")
    result = load_project(project)
    assert result.model is not None
    assert len(result.model.requirements) > 100
