"""The trace model: need types, link types, phases and coverage statuses.

This module is the one definition of the model. The loader validates against it, the
Sphinx extension configures sphinx-needs from it, and the docs page on the trace model
is rendered from it, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NeedType:
    """A kind of need object, as sphinx-needs declares it."""

    name: str
    title: str
    plural: str
    prefix: str
    color: str
    style: str
    description: str


@dataclass(frozen=True)
class LinkType:
    """A typed link between needs, with the need types it may join."""

    name: str
    outgoing: str
    incoming: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    description: str


NEED_TYPES: dict[str, NeedType] = {
    t.name: t
    for t in (
        NeedType(
            "req",
            "Requirement",
            "Requirements",
            "REQ_",
            "#BFD8D2",
            "node",
            "A recommendation of ISO/IEC 27035-1, -2 or -3, or a requirement the "
            "organization adds (a regulation, a contract clause).",
        ),
        NeedType(
            "pol",
            "Policy statement",
            "Policy statements",
            "POL_",
            "#FEDCD2",
            "node",
            "A statement of the incident management policy, placed in a section of a "
            "policy document.",
        ),
        NeedType(
            "proc",
            "Procedure",
            "Procedures",
            "PROC_",
            "#F4B183",
            "node",
            "A procedure, playbook, plan section or register of the incident management "
            "plan.",
        ),
        NeedType(
            "form",
            "Form",
            "Forms",
            "FORM_",
            "#DCB239",
            "node",
            "A form, log or template, defined field by field.",
        ),
        NeedType(
            "role",
            "Role",
            "Roles",
            "ROLE_",
            "#C9B3D9",
            "agent",
            "A role or team with terms of reference: IMT, IRT, incident coordinator, "
            "point of contact, internal and external specialists.",
        ),
        NeedType(
            "evid",
            "Evidence item",
            "Evidence items",
            "EVID_",
            "#D9D9D9",
            "artifact",
            "A record the programme keeps to prove that something is done: logs, "
            "minutes, exercise reports, training records.",
        ),
    )
}

ARTIFACT_TYPES: tuple[str, ...] = ("pol", "proc", "form", "role")
"""The need types that can satisfy a requirement, in matrix column order."""

LINK_TYPES: dict[str, LinkType] = {
    t.name: t
    for t in (
        LinkType(
            "satisfies",
            "satisfies",
            "satisfied by",
            ARTIFACT_TYPES,
            ("req",),
            "The artifact meets the requirement.",
        ),
        LinkType(
            "evidences",
            "evidences",
            "evidenced by",
            ("evid",),
            ("req", "proc"),
            "The record proves that the requirement, or the procedure, is carried out.",
        ),
        LinkType(
            "uses",
            "uses",
            "used by",
            ("proc",),
            ("form",),
            "The procedure uses the form.",
        ),
        LinkType(
            "performed_by",
            "performed by",
            "performs",
            ("proc",),
            ("role",),
            "The role carries out the procedure and is accountable for it.",
        ),
    )
}

PHASES: dict[str, str] = {
    "plan-prepare": "Plan and prepare",
    "detect-report": "Detect and report",
    "assess-decide": "Assess and decide",
    "respond": "Respond",
    "learn-lessons": "Learn lessons",
}
"""The phases of the incident management process of ISO/IEC 27035-1:2023 clause 5."""

CONFIDENCE: dict[str, str] = {
    "confirmed": "Clause number and title confirmed from public sources",
    "confirmed-partial": "Clause number confirmed; the title was only partly visible",
    "inferred": "Clause number inferred; verify it against a licensed copy",
}
"""How sure the catalog is of a clause number, since the standards are paywalled."""

STATUSES: dict[str, str] = {
    "covered": "Satisfied by at least one artifact, and evidenced where evidence is expected.",
    "partial": "Satisfied, but the expected evidence is missing or stale.",
    "gap": "Applicable, and nothing satisfies it.",
    "excluded": "Declared not applicable, with a justification.",
}
"""Coverage statuses of a requirement, in report order."""
