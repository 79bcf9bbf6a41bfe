"""Findings about the health of the trace: overdue reviews, expired exclusions, weak links.

These rules complement the status of each requirement: they find artifacts that trace
to nothing, procedures nobody performs, forms nobody uses, evidence without an owner,
documents and evidence overdue for review, exclusions past their expiry or dated
after today, and documents approved with a date after today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from generators.findings import Finding
from generators.model import Artifact, EvidenceItem, Form, Model, Procedure, Role


def review_due(item: EvidenceItem, today: dt.date) -> dt.date | None:
    """Return the date an overdue review fell due, or None when the item is not overdue.

    An item without both a review interval and a last review date is never overdue.
    """
    if item.review_interval is None or item.last_reviewed is None:
        return None
    due = item.review_interval.after(item.last_reviewed)
    return due if due < today else None


def trace_health(model: Model, today: dt.date) -> list[Finding]:
    """Return the findings of every trace health rule on ``today``."""
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(model, today))
    return findings


def stale_evidence(model: Model, today: dt.date) -> Iterator[Finding]:
    """Evidence items whose last review plus interval lies before today."""
    for item in model.of_type(EvidenceItem):
        due = review_due(item, today)
        if due is not None:
            yield Finding(
                "stale", f"evidence item {item.id} is overdue for review since {due} (last "
                f"reviewed {item.last_reviewed}, every {item.review_interval})",
                item.where("last_reviewed"), "review the record and update 'last_reviewed:'",
                item.id)


def stale_documents(model: Model, today: dt.date) -> Iterator[Finding]:
    """Documents whose review date lies before today."""
    for document in model.documents.values():
        due = document.review_due()
        if due is not None and due < today:
            yield Finding(
                "stale", f"document {document.id} ({document.title}) is overdue for review "
                f"since {due}", document.defined_at,
                "review the document, then update 'last_reviewed:' and 'next_review:'",
                document.id)


def expired_exclusions(model: Model, today: dt.date) -> Iterator[Finding]:
    """Exclusions whose expiry date has passed."""
    for exclusion in model.exclusions.values():
        if exclusion.expires is not None and exclusion.expires < today:
            yield Finding(
                "expired-exclusion", f"the exclusion of {exclusion.requirement} expired on "
                f"{exclusion.expires}; the requirement counts as applicable again",
                exclusion.defined_at, "renew the exclusion with a new approval and expiry "
                "date, or cover the requirement", exclusion.requirement)


def pending_exclusions(model: Model, today: dt.date) -> Iterator[Finding]:
    """Exclusions whose approval date lies after today."""
    for exclusion in model.exclusions.values():
        if exclusion.state(today) == "pending":
            yield Finding(
                "pending-exclusion", f"the exclusion of {exclusion.requirement} is dated "
                f"{exclusion.date}, after today ({today}); the requirement counts as "
                "applicable until then", exclusion.where("date"),
                "correct 'date:' if it is mistyped; until that date, cover the requirement",
                exclusion.requirement)


def pending_approvals(model: Model, today: dt.date) -> Iterator[Finding]:
    """Approved documents whose approval date lies after today."""
    for document in model.documents.values():
        if document.status == "approved" and not document.approved_on(today):
            yield Finding(
                "pending-approval", f"document {document.id} ({document.title}) is approved "
                f"on {document.approved}, after today ({today}); its exports are marked "
                "DRAFT until then", document.defined_at,
                "correct 'approved:' if it is mistyped, or set 'status: draft' until the "
                "approval", document.id)


def orphans(model: Model, today: dt.date) -> Iterator[Finding]:
    """Artifacts that trace to no requirement, and evidence items that prove nothing.

    A form used by a procedure, and a role that performs a procedure or keeps
    evidence, trace through those links even without 'satisfies:' of their own.
    """
    owners = {item.owner for item in model.of_type(EvidenceItem)}
    for need in model.needs.values():
        if isinstance(need, Artifact) and not need.outgoing("satisfies"):
            if isinstance(need, Form) and model.incoming(need.id, "uses"):
                continue
            if isinstance(need, Role) and (model.incoming(need.id, "performed_by")
                                           or need.id in owners):
                continue
            yield Finding(
                "orphan", f"{need.id} ({need.title}) traces to no requirement",
                need.defined_at, "add 'satisfies:' with the requirements it meets, or "
                "remove it if the programme no longer needs it", need.id)
        elif isinstance(need, EvidenceItem) and not need.outgoing("evidences"):
            yield Finding(
                "orphan", f"evidence item {need.id} ({need.title}) proves no requirement or "
                "procedure", need.defined_at, "add 'evidences:' with what the record proves",
                need.id)


def procedures_without_role(model: Model, today: dt.date) -> Iterator[Finding]:
    """Procedures that no role performs."""
    for procedure in model.of_type(Procedure):
        if not procedure.outgoing("performed_by"):
            yield Finding(
                "no-role", f"procedure {procedure.id} ({procedure.title}) names no role that "
                "performs it", procedure.defined_at,
                "add 'performed_by:' with the accountable role", procedure.id)


def unused_forms(model: Model, today: dt.date) -> Iterator[Finding]:
    """Forms that no procedure uses."""
    for form in model.of_type(Form):
        if not model.incoming(form.id, "uses"):
            yield Finding(
                "unused-form", f"form {form.id} ({form.title}) is used by no procedure",
                form.defined_at, f"add {form.id} to the 'uses:' of the procedure that fills "
                "it in", form.id)


def evidence_without_owner(model: Model, today: dt.date) -> Iterator[Finding]:
    """Evidence items without an owner."""
    for item in model.of_type(EvidenceItem):
        if item.owner is None:
            yield Finding(
                "no-owner", f"evidence item {item.id} ({item.title}) has no owner",
                item.defined_at, "add 'owner:' with the id of the role that keeps the record",
                item.id)


RULES: tuple[Callable[[Model, dt.date], Iterator[Finding]], ...] = (
    stale_evidence,
    stale_documents,
    expired_exclusions,
    pending_exclusions,
    pending_approvals,
    orphans,
    procedures_without_role,
    unused_forms,
    evidence_without_owner,
)
