"""The allowed answers of choice fields: listed in the form, or taken from a scale."""

from __future__ import annotations

from dataclasses import dataclass

from generators.model import FormField, Model

YES_NO = ((True, "Yes"), (False, "No"))
"""Answers of a yes-no field: the value stored in a report and the label shown."""


@dataclass(frozen=True)
class Choice:
    """One allowed answer: the value a report stores and the label people read."""

    value: str
    label: str


def field_choices(item: FormField, model: Model) -> tuple[Choice, ...]:
    """Return the allowed answers of a choice or multi-choice field, in order.

    A field with ``choices_from`` takes the levels of that scale, so changing the
    scale changes every form that cites it. Other field types have no choices.
    """
    if item.choices_from is not None:
        scale = model.scales.get(item.choices_from)
        if scale is None:  # rejected by validation; kept total for partial models
            return ()
        return tuple(Choice(level.value, level.label) for level in scale.levels)
    return tuple(Choice(value, value) for value in item.choices)


def describe_choice(choice: Choice) -> str:
    """Return ``value (label)``, or the value alone when the label repeats it."""
    if choice.label.casefold() == choice.value.casefold():
        return choice.value
    return f"{choice.value} ({choice.label})"
