"""Coverage: the status of every requirement, and the totals per source and per phase.

``compute_coverage`` is a pure function of the model and a date. Every output (site,
matrix files, Word appendix, check) shows its numbers, and no renderer derives a status
of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generators.findings import Finding, sorted_findings
from generators.model import Artifact, EvidenceItem, Exclusion, Model, Requirement
from generators.trace_health import review_due, trace_health
from generators.trace_model import NEED_TYPES, PHASES, STATUSES


@dataclass(frozen=True)
class RequirementCoverage:
    """The coverage of one requirement and what it rests on."""

    requirement: Requirement
    status: str
    satisfied_by: tuple[str, ...]
    evidenced_by: tuple[str, ...]
    types_present: tuple[str, ...]
    types_missing: tuple[str, ...]
    exclusion: Exclusion | None
    excluded_drafts: tuple[str, ...] = ()
    stale_evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Totals:
    """Counts of requirements per status."""

    covered: int = 0
    partial: int = 0
    gap: int = 0
    excluded: int = 0

    @property
    def total(self) -> int:
        """All requirements counted."""
        return self.covered + self.partial + self.gap + self.excluded

    @property
    def applicable(self) -> int:
        """Requirements not excluded."""
        return self.total - self.excluded

    @property
    def percent_covered(self) -> float | None:
        """Share of applicable requirements that are covered, 0-100, one decimal.

        None when no requirement is applicable.
        """
        if self.applicable == 0:
            return None
        return round(100 * self.covered / self.applicable, 1)

    def add(self, status: str) -> Totals:
        """Return these totals with one more requirement of ``status``."""
        counts = {name: getattr(self, name) for name in STATUSES}
        counts[status] += 1
        return Totals(**counts)

    def as_dict(self) -> dict[str, int | float | None]:
        """Return the counts, total, applicable and percent covered."""
        return {**{name: getattr(self, name) for name in STATUSES}, "total": self.total,
                "applicable": self.applicable, "percent_covered": self.percent_covered}


@dataclass(frozen=True)
class Coverage:
    """Coverage of a whole model on one date."""

    today: dt.date
    requirements: dict[str, RequirementCoverage]
    totals: Totals
    by_source: dict[str, Totals]
    by_phase: dict[str, Totals]
    findings: list[Finding] = field(default_factory=list)

    def with_status(self, status: str) -> list[RequirementCoverage]:
        """Return the requirements with ``status``, in catalog order."""
        return [c for c in self.requirements.values() if c.status == status]


def compute_coverage(model: Model, today: dt.date, *, count_drafts: bool = True) -> Coverage:
    """Compute the coverage status of every requirement of ``model`` on ``today``.

    The findings are those of each requirement's status and of the trace health rules.
    A requirement is excluded when an exclusion in force names it (approved on or before
    today and not expired); a gap
    when no artifact satisfies it; partial when it expects evidence and no evidence item
    that is up to date proves it (directly, or through an artifact that satisfies it);
    covered otherwise.
    With ``count_drafts`` false, draft artifacts do not count.
    """
    results: dict[str, RequirementCoverage] = {}
    findings: list[Finding] = []
    totals = Totals()
    by_source: dict[str, Totals] = {name: Totals() for name in model.sources}
    by_phase: dict[str, Totals] = {name: Totals() for name in PHASES}

    for req in model.requirements:
        result = _requirement_coverage(model, req, today, count_drafts)
        results[req.id] = result
        totals = totals.add(result.status)
        by_source[req.source] = by_source.get(req.source, Totals()).add(result.status)
        by_phase[req.phase] = by_phase[req.phase].add(result.status)
        findings.extend(_findings(result))
    findings.extend(trace_health(model, today))

    return Coverage(
        today=today,
        requirements=results,
        totals=totals,
        by_source={name: t for name, t in by_source.items() if t.total},
        by_phase=by_phase,
        findings=sorted_findings(findings),
    )


def _requirement_coverage(model: Model, req: Requirement, today: dt.date,
                          count_drafts: bool) -> RequirementCoverage:
    exclusion = model.exclusions.get(req.id)
    in_force = exclusion is not None and exclusion.state(today) == "in force"

    satisfying: list[str] = []
    drafts: list[str] = []
    for artifact_id in model.incoming(req.id, "satisfies"):
        artifact = model.needs[artifact_id]
        if count_drafts or not isinstance(artifact, Artifact) or artifact.status != "draft":
            satisfying.append(artifact_id)
        else:
            drafts.append(artifact_id)

    evidence = set(model.incoming(req.id, "evidences"))
    for artifact_id in satisfying:
        evidence.update(model.incoming(artifact_id, "evidences"))
    items = [model.needs[e] for e in sorted(evidence)]
    evidence_ids = tuple(e.id for e in items if isinstance(e, EvidenceItem)
                         and review_due(e, today) is None)
    stale_ids = tuple(e.id for e in items if isinstance(e, EvidenceItem)
                      and review_due(e, today) is not None)

    present = {model.needs[a].type for a in satisfying}
    types_present = tuple(t for t in NEED_TYPES if t in present)
    types_missing = tuple(t for t in req.artifacts if t not in present)

    if in_force:
        status = "excluded"
    elif not satisfying:
        status = "gap"
    elif req.evidence and not evidence_ids:
        status = "partial"
    else:
        status = "covered"
    return RequirementCoverage(
        requirement=req,
        status=status,
        satisfied_by=tuple(satisfying),
        evidenced_by=evidence_ids,
        types_present=types_present,
        types_missing=types_missing,
        exclusion=exclusion,
        excluded_drafts=tuple(drafts),
        stale_evidence=stale_ids,
    )


def format_percent(value: float | None) -> str:
    """Return a percentage as '66.7%', or '-' when there is none."""
    return "-" if value is None else f"{value:.1f}%"


def describe_requirement(req: Requirement) -> str:
    """Return ``ID (source clause title)`` for messages."""
    return f"{req.id} ({req.source} {req.clause} {req.clause_title})"


def _findings(result: RequirementCoverage) -> list[Finding]:
    req = result.requirement
    if result.status == "gap":
        expected = ", ".join(NEED_TYPES[t].title.lower() for t in req.artifacts)
        drafts = ""
        if result.excluded_drafts:
            drafts = f"; drafts not counted: {', '.join(result.excluded_drafts)}"
        return [Finding(
            "gap",
            f"{describe_requirement(req)} is not covered: nothing satisfies it "
            f"(expected: {expected}){drafts}",
            req.defined_at,
            f"add 'satisfies: [{req.id}]' to an artifact, or declare it not applicable "
            "under 'exclusions:' with a justification",
            req.id,
        )]
    if result.status == "partial":
        if result.stale_evidence:
            overdue = ", ".join(result.stale_evidence)
            return [Finding(
                "partial",
                f"{describe_requirement(req)} is satisfied by {', '.join(result.satisfied_by)} "
                f"but its evidence is overdue for review ({overdue})",
                req.defined_at,
                f"review {overdue} and update 'last_reviewed:'",
                req.id,
            )]
        return [Finding(
            "partial",
            f"{describe_requirement(req)} is satisfied by {', '.join(result.satisfied_by)} "
            "but no evidence item proves it",
            req.defined_at,
            f"add an evidence item with 'evidences: [{req.id}]', or one that evidences a "
            "procedure satisfying it",
            req.id,
        )]
    return []
