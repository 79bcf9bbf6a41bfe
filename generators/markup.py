"""Reduce MyST Markdown to plain text, for table cells of CSV files and workbooks."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_ROLE = re.compile(r"\{[\w:+.-]+\}`([^`]*)`")
_EXPLICIT_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")


def plain_text(markup: str) -> str:
    """Return the text a reader sees in ``markup``, on one line.

    Emphasis and links keep their words, a role keeps its text (``{need}`X``` gives
    ``X``), and blocks are joined with spaces; raw HTML stays as written.
    """
    def role_text(match: re.Match[str]) -> str:
        inner = match.group(1)
        explicit = _EXPLICIT_TARGET.match(inner)
        return explicit.group(1) if explicit and explicit.group(1) else inner

    words: list[str] = []
    for token in _PARSER.parse(_ROLE.sub(role_text, markup)):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline", "html_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
        elif token.type in ("code_block", "fence", "html_block"):
            words.append(token.content)
    return " ".join("".join(words).split())
