"""Turn plain text into MyST Markdown that shows exactly that text."""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: object) -> str:
    """Return ``text`` with every ASCII punctuation character backslash-escaped.

    CommonMark allows a backslash before any ASCII punctuation, so the result renders
    as the original characters: no emphasis, link, role, HTML, comment or table cell
    boundary can come out of user text. Line breaks become spaces.
    """
    flat = " ".join(str(text).split())
    return _PUNCTUATION.sub(r"\\\1", flat)


def md_code(text: object) -> str:
    """Return ``text`` as inline code, with a fence longer than any backtick run in it."""
    value = " ".join(str(text).split())
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{padding}{value}{padding}{fence}"


def need_ref(need_id: str) -> str:
    """Return a ``{ref}`` role that links to the need ``need_id`` and shows the id.

    The generated pages place a label named after each need (its id in lower case).
    """
    return f"{{ref}}`{need_id} <{need_id.lower()}>`"


def slug(text: str) -> str:
    """Return a lower-case file name stem for ``text``: ISO/IEC 27035-2:2023 -> iso-iec-27035-2-2023."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"
