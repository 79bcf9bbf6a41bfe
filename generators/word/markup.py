"""MyST Markdown to Word: headings, paragraphs, emphasis, links, lists, tables and notes.

The text is parsed by MyST-Parser's own markdown-it configuration, with raw HTML
disabled as on the site, so Word and the site read the same structure. Each block
becomes its Word counterpart; nothing is dropped. What Word cannot show as on the site
is shown as text: a directive's title and body, an image's description, a role's
text, a footnote as a bracketed number with its text where it is defined.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from generators.word.wordml import (
    PLAIN,
    TABLE_TEXT,
    Blocks,
    RunFormat,
    TemplateParts,
    add_bottom_border,
    add_hyperlink,
    add_line_break,
    add_run,
    bookmark_name,
    cell_grid,
    column_widths,
    heading_style,
    is_safe_url,
    mark_heading,
    repeat_header_rows,
    set_column_widths,
    set_indent,
    set_list_item,
)

ADMONITION_TITLES = {
    "attention": "Attention", "caution": "Caution", "danger": "Danger", "error": "Error",
    "hint": "Hint", "important": "Important", "note": "Note", "seealso": "See also",
    "tip": "Tip", "warning": "Warning",
}
CODE_DIRECTIVES = frozenset({"code", "code-block", "sourcecode", "math"})
_CELL_PADDING = 230
"""Twips a table cell takes from its width for the cell margins (Word's default 0.08")."""
_MAX_LIST_LEVEL = 8
_SILENT_BLOCKS = frozenset({"myst_target", "myst_line_comment", "myst_block_break",
                            "front_matter"})
"""Blocks that MyST turns into nothing visible: targets, comments, block breaks."""
_ROLE_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_NEED_FIELD = re.compile(r"\[\[\s*(\w+)\s*\]\]")
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")


@cache
def _parser() -> MarkdownIt:
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(disable_syntax=["html_block", "html_inline"]),
                            RendererHTML)


@dataclass(frozen=True)
class NeedIndex:
    """The data ``{need}`` references need: each need's title, and the needs of this file."""

    titles: dict[str, str]
    anchors: frozenset[str]
    """Ids of the needs written in this document, which carry a bookmark of their id."""


@dataclass(frozen=True)
class _Context:
    heading_level: int
    """Word heading level of a level-1 Markdown heading."""
    width: int
    """Width available to tables, in twips."""
    style: str = "Normal"
    indent: int | None = None
    list_level: int = -1
    in_cell: bool = False


def split_directive(content: str) -> tuple[dict[str, str], str]:
    """Split a directive body into its options and its content.

    MyST gives options either as ``:name: value`` lines or as a YAML block between
    ``---`` lines, at the top of the body.
    """
    lines = content.splitlines()
    options: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
        if end is not None:
            try:
                loaded = yaml.safe_load("\n".join(lines[1:end]))
            except yaml.YAMLError:
                loaded = None
            if isinstance(loaded, dict):
                options = {str(k): "" if v is None else str(v) for k, v in loaded.items()}
                return options, "\n".join(lines[end + 1:]).strip("\n")
    index = 0
    while index < len(lines):
        match = _OPTION.match(lines[index])
        if not match:
            break
        options[match.group("name")] = match.group("value").strip()
        index += 1
    return options, "\n".join(lines[index:]).strip("\n")


class MarkupWriter:
    """Writes MyST Markdown into Word blocks of one document."""

    def __init__(self, parts: TemplateParts, needs: NeedIndex) -> None:
        self.parts = parts
        self.needs = needs

    def write(self, blocks: Blocks, text: str, *, heading_level: int,
              width: int | None = None) -> None:
        """Write ``text``; its level-1 headings become Word headings of ``heading_level``."""
        if not text.strip():
            return
        tree = SyntaxTreeNode(_parser().parse(text))
        available = width or blocks.width
        if available is not None and blocks.in_cell:
            available -= _CELL_PADDING
        context = _Context(heading_level=heading_level, width=available or self.parts.text_width,
                           in_cell=blocks.in_cell)
        self._blocks(blocks, tree.children, context)

    def write_inline(self, paragraph: Paragraph, text: str, fmt: RunFormat = PLAIN) -> None:
        """Append ``text``, one paragraph of Markdown, to ``paragraph`` as formatted runs."""
        tree = SyntaxTreeNode(_parser().parse(text))
        first = True
        for block in tree.children:
            if not first:
                add_line_break(paragraph)
            first = False
            inline = _inline_child(block)
            if inline is not None:
                self._inline(paragraph, inline, fmt)
            else:
                add_run(paragraph, block.content.strip(), fmt)

    # -- blocks -----------------------------------------------------------------

    def _blocks(self, blocks: Blocks, nodes: list[SyntaxTreeNode], context: _Context) -> None:
        for node in nodes:
            self._block(blocks, node, context)

    def _block(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        kind = node.type
        if kind in _SILENT_BLOCKS:
            return
        handlers: dict[str, Callable[[Blocks, SyntaxTreeNode, _Context], None]] = {
            "paragraph": self._paragraph,
            "heading": self._heading,
            "bullet_list": self._list,
            "ordered_list": self._list,
            "blockquote": self._blockquote,
            "fence": self._fence,
            "code_block": self._code_block,
            "table": self._table,
            "hr": self._rule,
            "footnote_block": self._footnotes,
            "footnote_reference": self._footnote,
        }
        handler = handlers.get(kind)
        if handler is not None:
            handler(blocks, node, context)
            return
        # NOTE: a block type this writer does not know is written as its source text
        paragraph = self._new_paragraph(blocks, context)
        add_run(paragraph, _source_text(node))

    def _new_paragraph(self, blocks: Blocks, context: _Context, style: str | None = None
                       ) -> Paragraph:
        paragraph = blocks.paragraph(style or context.style)
        if context.indent is not None:
            set_indent(paragraph, context.indent)
        return paragraph

    def _paragraph(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        paragraph = self._new_paragraph(blocks, context)
        inline = _inline_child(node)
        if inline is not None:
            self._inline(paragraph, inline, RunFormat())

    def _heading(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        depth = int(node.tag[1:])
        inline = _inline_child(node)
        if context.in_cell or context.list_level >= 0:
            # a heading inside a table or list stays out of the navigation pane
            paragraph = self._new_paragraph(blocks, context)
            if inline is not None:
                self._inline(paragraph, inline, RunFormat(bold=True))
            return
        level = context.heading_level + depth - 1
        paragraph = blocks.paragraph(heading_style(level))
        if inline is not None:
            self._inline(paragraph, inline, RunFormat())
        mark_heading(paragraph, level, self.parts)

    def _list(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1))
        num_id = self.parts.numbering.new_list(ordered, start)
        level = min(context.list_level + 1, _MAX_LIST_LEVEL)
        item_context = replace(context, style="List Paragraph", list_level=level,
                               indent=self.parts.numbering.indent(ordered, level))
        for item in node.children:
            children = list(item.children)
            first = blocks.paragraph("List Paragraph")
            set_list_item(first, num_id, level)
            if children and children[0].type == "paragraph":
                inline = _inline_child(children.pop(0))
                if inline is not None:
                    self._inline(first, inline, RunFormat())
            self._blocks(blocks, children, item_context)

    def _blockquote(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        style = "Quote" if context.list_level < 0 else context.style
        self._blocks(blocks, node.children, replace(context, style=style))

    def _code_block(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        self._code(blocks, node.content, context)

    def _code(self, blocks: Blocks, text: str, context: _Context) -> None:
        paragraph = self._new_paragraph(blocks, context, "Source Code")
        add_run(paragraph, text.rstrip("\n"))

    def _rule(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        add_bottom_border(self._new_paragraph(blocks, context))

    def _footnotes(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        self._blocks(blocks, node.children, context)

    def _footnote(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        label = str(node.meta.get("label", ""))
        children = list(node.children)
        paragraph = self._new_paragraph(blocks, context)
        add_run(paragraph, f"[{label}] ", RunFormat(superscript=True))
        if children and children[0].type == "paragraph":
            inline = _inline_child(children.pop(0))
            if inline is not None:
                self._inline(paragraph, inline, RunFormat())
        self._blocks(blocks, children, context)

    # -- directives ---------------------------------------------------------------

    def _fence(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        match = _DIRECTIVE.match(node.info.strip())
        if match is None:
            self._code(blocks, node.content, context)
            return
        name, argument = match.group("name"), match.group("argument").strip()
        options, body = split_directive(node.content)
        if name == "list-table":
            self._list_table(blocks, argument, options, body, context)
        elif name in ADMONITION_TITLES:
            title = ADMONITION_TITLES[name] + (f": {argument}" if argument else "")
            self._box(blocks, title, body, context)
        elif name in ("admonition", "topic"):
            self._box(blocks, argument, body, context)
        elif name == "epigraph":
            self._blocks(blocks, self._parse(f"{argument}\n\n{body}" if argument else body),
                         replace(context, style="Quote"))
        elif name in CODE_DIRECTIVES:
            if "caption" in options:
                caption = self._new_paragraph(blocks, context, "Caption")
                self.write_inline(caption, options["caption"])
            self._code(blocks, f"{argument}\n{body}" if name == "math" and argument else body,
                       context)
        else:
            # NOTE: validation admits only the directives above; any other is shown as source
            self._code(blocks, f"{node.markup}{node.info}\n{node.content}{node.markup}",
                       context)

    def _parse(self, text: str) -> list[SyntaxTreeNode]:
        return list(SyntaxTreeNode(_parser().parse(text)).children)

    def _box(self, blocks: Blocks, title: str, body: str, context: _Context) -> None:
        """Write an admonition as a one-cell table: a bold title, then the body."""
        table = blocks.table(1, 1, "Admonition")
        set_column_widths(table, [context.width])
        cell_blocks = Blocks(cell_grid(table)[0][0])
        inner = replace(context, style=TABLE_TEXT, indent=None, list_level=-1, in_cell=True,
                        width=context.width - _CELL_PADDING)
        if title:
            self.write_inline(cell_blocks.paragraph(TABLE_TEXT), title, RunFormat(bold=True))
        self._blocks(cell_blocks, self._parse(body), inner)

    def _list_table(self, blocks: Blocks, title: str, options: dict[str, str], body: str,
                    context: _Context) -> None:
        rows = _list_table_rows(self._parse(body))
        if rows is None:
            # not a list of lists: the site reports an error; show the body as written
            self._blocks(blocks, self._parse(body), context)
            return
        if title:
            caption = self._new_paragraph(blocks, context, "Caption")
            self.write_inline(caption, title)
        columns = max(len(row) for row in rows)
        header_rows = _int_option(options, "header-rows")
        stub_columns = _int_option(options, "stub-columns")
        texts = [[_source_text(cell) for cell in row] for row in rows]
        weights = _widths_option(options.get("widths", ""), columns)
        widths = column_widths(texts, context.width, weights)
        table = blocks.table(len(rows), columns, "Content Table")
        set_column_widths(table, widths)
        repeat_header_rows(table, min(header_rows, len(rows)))
        grid = cell_grid(table)
        for row_index, row in enumerate(rows):
            for column, cell in enumerate(row):
                target = grid[row_index][column]
                inner = replace(context, style=TABLE_TEXT, indent=None, list_level=-1,
                                in_cell=True, width=widths[column] - _CELL_PADDING)
                self._blocks(Blocks(target), list(cell.children), inner)
                if column < stub_columns or row_index < header_rows:
                    for paragraph in target.paragraphs:
                        for run in paragraph.runs:
                            run.bold = True

    # -- tables ---------------------------------------------------------------------

    def _table(self, blocks: Blocks, node: SyntaxTreeNode, context: _Context) -> None:
        rows: list[tuple[list[SyntaxTreeNode], bool]] = []
        for section in node.children:
            for row in section.children:
                rows.append((list(row.children), section.type == "thead"))
        if not rows:
            return
        columns = max(len(cells) for cells, _ in rows)
        texts = [[_source_text(cell) for cell in cells] for cells, _ in rows]
        widths = column_widths(texts, context.width)
        table = blocks.table(len(rows), columns, "Content Table")
        set_column_widths(table, widths)
        repeat_header_rows(table, sum(1 for _, header in rows if header))
        grid = cell_grid(table)
        for row_index, (cells, header) in enumerate(rows):
            for column, cell in enumerate(cells):
                paragraph = Blocks(grid[row_index][column]).paragraph(TABLE_TEXT)
                alignment = str(cell.attrs.get("style", ""))
                if "center" in alignment:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif "right" in alignment:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                inline = _inline_child(cell)
                if inline is not None:
                    self._inline(paragraph, inline, RunFormat(bold=header))

    # -- inline ---------------------------------------------------------------------

    def _inline(self, paragraph: Paragraph, node: SyntaxTreeNode, fmt: RunFormat,
                link: Any = None) -> None:
        for child in node.children:
            kind = child.type
            if kind == "text":
                add_run(paragraph, child.content, fmt, link)
            elif kind == "softbreak":
                add_run(paragraph, " ", fmt, link)
            elif kind == "hardbreak":
                add_line_break(paragraph, link)
            elif kind == "em":
                self._inline(paragraph, child, fmt.but(italic=True), link)
            elif kind == "strong":
                self._inline(paragraph, child, fmt.but(bold=True), link)
            elif kind == "s":
                self._inline(paragraph, child, fmt.but(strike=True), link)
            elif kind == "code_inline":
                add_run(paragraph, child.content, fmt.but(code=True), link)
            elif kind == "link":
                self._link(paragraph, child, fmt, link)
            elif kind == "image":
                source = str(child.attrs.get("src", ""))
                add_run(paragraph, f"[image: {_plain_text(child) or source}]", fmt, link)
            elif kind == "myst_role":
                self._role(paragraph, child, fmt, link)
            elif kind == "footnote_ref":
                label = str(child.meta.get("label", ""))
                add_run(paragraph, f"[{label}]", fmt.but(superscript=True), link)
            else:
                add_run(paragraph, child.content, fmt, link)

    def _link(self, paragraph: Paragraph, node: SyntaxTreeNode, fmt: RunFormat,
              link: Any) -> None:
        href = str(node.attrs.get("href", ""))
        if link is None and is_safe_url(href):
            hyperlink = add_hyperlink(paragraph, url=href)
            self._inline(paragraph, node, fmt.but(link=True), hyperlink)
            return
        # NOTE: links to pages of the site have no target in Word; their text stays
        self._inline(paragraph, node, fmt, link)

    def _role(self, paragraph: Paragraph, node: SyntaxTreeNode, fmt: RunFormat,
              link: Any) -> None:
        name = str(node.meta.get("name", ""))
        content = node.content
        match = _ROLE_TARGET.match(content)
        text, target = (match.group("text"), match.group("target")) if match else (content, "")
        if name == "need":
            self._need_reference(paragraph, text, target, fmt, link)
        elif name in ("ref", "doc", "term"):
            add_run(paragraph, text or target, fmt, link)
        elif name in ("code", "literal", "kbd", "math"):
            add_run(paragraph, content, fmt.but(code=True), link)
        elif name in ("emphasis", "dfn"):
            add_run(paragraph, content, fmt.but(italic=True), link)
        elif name == "strong":
            add_run(paragraph, content, fmt.but(bold=True), link)
        elif name in ("sub", "subscript"):
            add_run(paragraph, content, fmt.but(subscript=True), link)
        elif name in ("sup", "superscript"):
            add_run(paragraph, content, fmt.but(superscript=True), link)
        elif name == "guilabel":
            add_run(paragraph, re.sub(r"&(&?)", r"\1", content), fmt.but(bold=True), link)
        else:
            add_run(paragraph, content, fmt, link)

    def _need_reference(self, paragraph: Paragraph, text: str, target: str, fmt: RunFormat,
                        link: Any) -> None:
        """Show a need reference as the site does: 'Title (ID)', or the text given."""
        need_id = (target or text).strip()
        main_id = need_id.split(".")[0]
        title = self.needs.titles.get(main_id)
        if target and text:
            fields = {"id": need_id, "title": title or ""}
            label = _NEED_FIELD.sub(lambda m: fields.get(m.group(1), m.group(0)), text)
        elif title is not None:
            label = f"{title} ({need_id})"
        else:
            label = need_id
        if link is None and main_id in self.needs.anchors:
            hyperlink = add_hyperlink(paragraph, anchor=bookmark_name(main_id))
            add_run(paragraph, label, fmt.but(link=True), hyperlink)
        else:
            add_run(paragraph, label, fmt, link)


def _inline_child(node: SyntaxTreeNode) -> SyntaxTreeNode | None:
    for child in node.children:
        if child.type == "inline":
            return child
    return None


def _plain_text(node: SyntaxTreeNode) -> str:
    """Return the text content of an inline node and its descendants."""
    if node.type in ("text", "code_inline", "myst_role"):
        return node.content
    return "".join(_plain_text(child) for child in node.children)


def _source_text(node: SyntaxTreeNode) -> str:
    """Return the text of a block as written, for measuring and as a last resort."""
    if node.type == "inline":
        return node.content
    if node.type in ("fence", "code_block"):
        return node.content
    parts = [_source_text(child) for child in node.children]
    return " ".join(part for part in parts if part) or node.content


def _list_table_rows(nodes: list[SyntaxTreeNode]) -> list[list[SyntaxTreeNode]] | None:
    """Return the cells of a list-table body (a list of lists), or None if it is not one."""
    lists = [n for n in nodes if n.type == "bullet_list"]
    if len(lists) != 1:
        return None
    rows = []
    for item in lists[0].children:
        inner = [n for n in item.children if n.type == "bullet_list"]
        if len(inner) != 1 or len(item.children) != 1:
            return None
        rows.append(list(inner[0].children))
    return rows or None


def _int_option(options: dict[str, str], name: str) -> int:
    try:
        return max(int(options.get(name, "0") or 0), 0)
    except ValueError:
        return 0


def _widths_option(value: str, columns: int) -> list[float] | None:
    """Return the relative column widths of a ``:widths:`` option, or None for automatic."""
    numbers = re.findall(r"\d+(?:\.\d+)?", value)
    if len(numbers) != columns:
        return None
    weights = [float(n) for n in numbers]
    return weights if all(w > 0 for w in weights) else None
