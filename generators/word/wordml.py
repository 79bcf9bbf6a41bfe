"""WordprocessingML building blocks: fragments, runs, links, bookmarks, fields, lists, tables.

python-docx covers paragraphs, runs and tables; the rest (hyperlinks, bookmarks,
fields, list numbering, repeating header rows) is written here as OOXML. Everything is
built against the opened template, so styles, numbering and relationships are the
template's own and a restyled template restyles the output.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Pt, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from generators.templating import TemplateError

Container = DocxDocument | _Cell
"""A place for blocks: the body of a fragment, or a table cell."""

TABLE_TEXT = "Table Text"
"""Paragraph style of text in table cells."""
DRAFT_NEED_NOTICE = "Draft Need Notice"
"""Paragraph style of the notice under a draft need in an approved document."""
DRAFT_LABEL = "Draft Label"
"""Character style of the word DRAFT in that notice and in the page header."""
PARAGRAPH_STYLES = (
    "Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5", "Heading 6",
    "List Paragraph", "Quote", "Caption", "Source Code", "Need Details", TABLE_TEXT,
    "toc 1", "toc 2", "toc 3", DRAFT_NEED_NOTICE,
)
CHARACTER_STYLES = ("Hyperlink", "Inline Code", DRAFT_LABEL)
TABLE_STYLES = ("Content Table", "Admonition")
MAX_HEADING_LEVEL = 6
TOC_LEVELS = 3
"""Heading levels listed in the table of contents."""

_SAFE_URL = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_MAX_BOOKMARK_NAME = 40
"""Word drops bookmarks whose names are longer."""
_DEFAULT_TEXT_WIDTH = 9638
"""Twips between the margins of an A4 page with 2 cm margins, for a template without size."""
_DEFAULT_TEXT_HEIGHT = 14570
"""Twips between the top and bottom margins of such a page."""
_CHAR_TWIPS = 110
"""Width of an average character of 9 pt Arial, the bundled table text, in twips."""
_CELL_MARGINS = 200
"""Left and right cell margins of the bundled table styles together, in twips."""
_LINE_TWIPS = 260
"""Height of a line of 9 pt table text with its spacing, in twips."""
_FULL_WIDTH = 5000
"""A table width of 100 percent, in the fiftieths of a percent that w:tblW type pct counts."""
_DRAFT_RED = "C00000"
_DEFAULT_INDENT = 720
"""Indent per list level in twips (half an inch), used where a template gives none."""
# children of w:pPr in the order of CT_PPrBase and CT_PPr (ECMA-376 Part 1, 17.3.1.26)
_PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
    "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
    "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
    "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
    "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
# elements that follow w:updateFields in CT_Settings (ECMA-376 Part 1, 17.15.1.78)
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
    "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
    "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
    "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)


_STYLE_IDS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
"""Style ids by style name, per template part being filled.

python-docx resolves a style name by scanning every style of the document, twice, for
each paragraph; with thousands of paragraphs that dominates the export time.
"""


def style_id(part: Any, name: str) -> str:
    """Return the id of style ``name`` in the template that ``part`` belongs to."""
    return _STYLE_IDS[part][name]


@dataclass(frozen=True)
class RunFormat:
    """Character formatting of a run of text."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    superscript: bool = False
    subscript: bool = False
    link: bool = False

    def but(self, **changes: bool) -> RunFormat:
        """Return this format with ``changes`` applied."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return RunFormat(**values)


PLAIN = RunFormat()
"""Text without character formatting."""


@dataclass(frozen=True)
class Heading:
    """A heading written to the body, as the table of contents lists it."""

    level: int
    text: str
    bookmark: str


class TemplateParts:
    """The opened template being filled: its styles, numbering and relationships.

    It also counts bookmarks and lists, and records the headings written so far, so
    the table of contents can be built once the body is complete.
    """

    def __init__(self, template_docx: DocxDocument, template_path: Path) -> None:
        self.docx = template_docx
        self.path = template_path
        add_draft_styles(template_docx)
        _STYLE_IDS[template_docx.part] = check_styles(template_docx, template_path)
        existing = [int(value) for value in template_docx.element.body.xpath(
            ".//w:bookmarkStart/@w:id") if value.isdigit()]
        self._next_bookmark_id = max(existing, default=0) + 1
        self.headings: list[Heading] = []
        self.numbering = ListNumbering(template_docx)
        section = template_docx.sections[-1]
        width = (section.page_width or 0) - (section.left_margin or 0) - \
            (section.right_margin or 0)
        self.text_width = Emu(width).twips if width > 0 else _DEFAULT_TEXT_WIDTH
        height = (section.page_height or 0) - (section.top_margin or 0) - \
            (section.bottom_margin or 0)
        self.text_height = Emu(height).twips if height > 0 else _DEFAULT_TEXT_HEIGHT
        self.bookmark_names: set[str] = set()

    def next_bookmark_id(self) -> int:
        """Return a bookmark id that no other bookmark of the document has."""
        value = self._next_bookmark_id
        self._next_bookmark_id += 1
        return value

    def request_field_update(self) -> None:
        """Ask Word to update fields (table of contents, page references) when it opens."""
        settings = self.docx.settings.element
        if settings.find(qn("w:updateFields")) is not None:
            return
        element = OxmlElement("w:updateFields")
        element.set(qn("w:val"), "true")
        settings.insert_element_before(element, *_AFTER_UPDATE_FIELDS)


class Fragment:
    """Blocks for one ``{{p name }}`` placeholder, which docxtpl replaces with them.

    The blocks are built in a scratch python-docx document that shares the template's
    main part, so style names, numbering and hyperlink relationships resolve in the
    template. ``__html__`` returns the XML, which Jinja inserts as markup.
    """

    def __init__(self, parts: TemplateParts) -> None:
        self.parts = parts
        self.body = docx.Document()
        self.body._part = parts.docx.part
        self.blocks = Blocks(self.body)

    def __html__(self) -> str:
        # the scratch document's section properties stay behind: the template has its own
        return "".join(etree.tostring(child, encoding="unicode")
                       for child in self.body.element.body if child.tag != qn("w:sectPr"))

    def __str__(self) -> str:
        return self.__html__()


def check_styles(document: DocxDocument, path: Path) -> dict[str, str]:
    """Return the ids of the styles the export uses, by name.

    Raise TemplateError naming every style the template lacks.
    """
    missing = []
    ids: dict[str, str] = {}
    for names, style_type, kind in ((PARAGRAPH_STYLES, WD_STYLE_TYPE.PARAGRAPH, "paragraph"),
                                    (CHARACTER_STYLES, WD_STYLE_TYPE.CHARACTER, "character"),
                                    (TABLE_STYLES, WD_STYLE_TYPE.TABLE, "table")):
        for name in names:
            try:
                style = document.styles[name]
            except KeyError:
                missing.append(f"{kind} style {name!r}")
                continue
            if style.type != style_type:
                missing.append(f"{kind} style {name!r} (the template's is another type)")
            ids[name] = style.style_id
    if missing:
        raise TemplateError(
            f"Word template {path} lacks {', '.join(missing)}; start from a copy of a bundled "
            "template in templates/word/, which defines every style the export uses")
    return ids


def add_draft_styles(document: DocxDocument) -> None:
    """Add the styles that mark a draft need, where ``document`` lacks them.

    The bundled templates define both styles with this look. A template made before
    they existed gets them here, so it keeps working and still shows the marking.
    """
    styles = document.styles.element
    names = {style.name_val for style in styles.style_lst}
    if DRAFT_LABEL not in names:
        styles.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" '
            f'w:styleId="DraftLabel"><w:name w:val="{DRAFT_LABEL}"/><w:qFormat/>'
            '<w:rPr><w:b/><w:color w:val="FFFFFF"/>'
            f'<w:shd w:val="clear" w:color="auto" w:fill="{_DRAFT_RED}"/></w:rPr></w:style>'))
    if DRAFT_NEED_NOTICE not in names:
        border = f'w:val="single" w:sz="12" w:space="3" w:color="{_DRAFT_RED}"'
        styles.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" '
            f'w:styleId="DraftNeedNotice"><w:name w:val="{DRAFT_NEED_NOTICE}"/>'
            '<w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/>'
            f'<w:pBdr><w:top {border}/><w:left {border}/><w:bottom {border}/>'
            f'<w:right {border}/></w:pBdr>'
            '<w:shd w:val="clear" w:color="auto" w:fill="FBE4E4"/>'
            '<w:spacing w:before="60" w:after="120"/></w:pPr>'
            f'<w:rPr><w:b/><w:color w:val="{_DRAFT_RED}"/></w:rPr></w:style>'))


class Blocks:
    """The place blocks are added to: the body of a fragment, or a table cell.

    Word requires a paragraph in every cell, so a new cell starts with an empty one.
    The first paragraph written to the cell reuses it, and a first table replaces it.
    """

    def __init__(self, container: Container) -> None:
        self.container = container
        self._unused: Paragraph | None = None
        self._after_table = False
        if isinstance(container, _Cell):
            self._unused = container.paragraphs[0]

    @property
    def in_cell(self) -> bool:
        """Whether the blocks go into a table cell."""
        return isinstance(self.container, _Cell)

    @property
    def width(self) -> int | None:
        """Width of the cell in twips, or None for the body (the text width applies)."""
        if isinstance(self.container, _Cell) and self.container.width is not None:
            return int(self.container.width.twips)
        return None

    def paragraph(self, style: str) -> Paragraph:
        """Add a paragraph of ``style``."""
        if self._unused is not None:
            paragraph, self._unused = self._unused, None
        else:
            paragraph = self.container.add_paragraph()
        paragraph._p.style = style_id(paragraph.part, style)
        if self._after_table:
            # a table has no spacing of its own; keep the next paragraph off its border
            paragraph.paragraph_format.space_before = Pt(6)
        self._after_table = False
        return paragraph

    def table(self, rows: int, columns: int, style: str) -> Table:
        """Add a table of ``style`` with empty cells."""
        if self._unused is not None:
            self._unused._p.getparent().remove(self._unused._p)
            self._unused = None
        elif self._after_table:
            # Word joins two tables with nothing between them into one
            self.paragraph("Normal")
        table = self.container.add_table(rows, columns)
        table._tbl.tblStyle_val = style_id(table.part, style)
        # python-docx puts an empty paragraph after a table in a cell, but not in the body
        self._after_table = not self.in_cell
        return table


def add_run(paragraph: Paragraph, text: str, fmt: RunFormat = PLAIN,
            parent: Any = None) -> Run:
    """Append a run of ``text`` to ``paragraph`` (or to ``parent``, a hyperlink in it).

    Tabs and line breaks in ``text`` become Word tabs and breaks.
    """
    element = OxmlElement("w:r")
    (parent if parent is not None else paragraph._p).append(element)
    run = Run(element, paragraph)
    run.text = text
    if fmt.code:
        element.style = style_id(paragraph.part, "Inline Code")
    elif fmt.link:
        element.style = style_id(paragraph.part, "Hyperlink")
    if fmt.bold:
        run.bold = True
    if fmt.italic:
        run.italic = True
    if fmt.strike:
        run.font.strike = True
    if fmt.superscript:
        run.font.superscript = True
    if fmt.subscript:
        run.font.subscript = True
    return run


def add_line_break(paragraph: Paragraph, parent: Any = None) -> None:
    """Append a line break (Shift+Enter in Word)."""
    element = OxmlElement("w:r")
    element.append(OxmlElement("w:br"))
    (parent if parent is not None else paragraph._p).append(element)


def is_safe_url(url: str) -> bool:
    """Return whether ``url`` may become a hyperlink: http, https or mailto only."""
    return bool(_SAFE_URL.match(url))


def add_hyperlink(paragraph: Paragraph, *, url: str | None = None,
                  anchor: str | None = None) -> Any:
    """Append an empty hyperlink to ``url`` or to bookmark ``anchor``; return it for runs."""
    link = OxmlElement("w:hyperlink")
    if url is not None:
        relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK,
                                                is_external=True)
        link.set(qn("r:id"), relationship)
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def bookmark_name(text: str) -> str:
    """Return a Word bookmark name for ``text``: at most 40 letters, digits and underscores.

    A text that is not already such a name gets a digest of itself appended, so two
    texts never share a bookmark.
    """
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not name[:1].isalpha():
        name = f"B{name}"
    if name != text or len(name) > _MAX_BOOKMARK_NAME:
        digest = hashlib.sha1(text.encode()).hexdigest()[:8]
        name = f"{name[: _MAX_BOOKMARK_NAME - 9]}_{digest}"
    return name


def add_bookmark(paragraph: Paragraph, name: str, parts: TemplateParts) -> None:
    """Mark the whole of ``paragraph`` with bookmark ``name``."""
    bookmark_id = str(parts.next_bookmark_id())
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), bookmark_id)
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), bookmark_id)
    p_pr = paragraph._p.pPr
    if p_pr is not None:
        p_pr.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)
    parts.bookmark_names.add(name)


def heading_style(level: int) -> str:
    """Return the built-in heading style of ``level``; levels past 6 use Heading 6."""
    return f"Heading {max(1, min(level, MAX_HEADING_LEVEL))}"


def mark_heading(paragraph: Paragraph, level: int, parts: TemplateParts,
                 bookmarks: tuple[str, ...] = ()) -> None:
    """Bookmark a written heading for the table of contents and for ``bookmarks``."""
    toc_name = f"_Toc{len(parts.headings) + 1:08d}"
    add_bookmark(paragraph, toc_name, parts)
    for name in bookmarks:
        if name not in parts.bookmark_names:
            add_bookmark(paragraph, name, parts)
    level = max(1, min(level, MAX_HEADING_LEVEL))
    parts.headings.append(Heading(level, paragraph.text, toc_name))


def add_heading(blocks: Blocks, text: str, level: int, parts: TemplateParts,
                bookmarks: tuple[str, ...] = ()) -> Paragraph:
    """Add a heading of plain ``text``, bookmarked for the table of contents."""
    paragraph = blocks.paragraph(heading_style(level))
    add_run(paragraph, text)
    mark_heading(paragraph, level, parts, bookmarks)
    return paragraph


def _field_runs(parent: Any, instruction: str, result: str, *, dirty: bool = False) -> None:
    """Append a complex field: begin, instruction, separate, cached result, end."""
    parent.append(_fld_char("begin", dirty=dirty))
    parent.append(_instruction(instruction))
    parent.append(_fld_char("separate"))
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = result
    run.append(text)
    parent.append(run)
    parent.append(_fld_char("end"))


def _fld_char(kind: str, *, dirty: bool = False) -> Any:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run.append(char)
    return run


def _instruction(text: str) -> Any:
    run = OxmlElement("w:r")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {text} "
    run.append(instruction)
    return run


def write_table_of_contents(fragment: Fragment, headings: list[Heading], empty_text: str,
                            *, as_field: bool = True) -> None:
    """Write the table of contents: an entry for each heading of levels 1 to 3.

    The entries link to the headings' bookmarks, so the contents work before any
    update, and their page numbers are PAGEREF fields. With ``as_field`` the entries
    are the cached result of a TOC field, which Word rebuilds when it updates fields
    on opening (``TemplateParts.request_field_update`` requests that). LibreOffice
    keeps a TOC field's cached text as it is, page numbers included, so a copy meant
    for LibreOffice's PDF export leaves the field out and keeps the PAGEREF fields,
    which LibreOffice computes.
    """
    parts = fragment.parts
    listed: list[Heading | None] = [h for h in headings if h.level <= TOC_LEVELS]
    paragraphs = []
    for heading in listed or [None]:
        paragraph = fragment.blocks.paragraph(f"toc {heading.level}" if heading else "toc 1")
        tabs = parse_xml(f'<w:tabs {nsdecls("w")}><w:tab w:val="right" w:leader="dot" '
                         f'w:pos="{parts.text_width}"/></w:tabs>')
        insert_paragraph_property(paragraph._p.get_or_add_pPr(), tabs)
        paragraphs.append((paragraph, heading))
    if as_field:
        parts.request_field_update()
        first = paragraphs[0][0]._p
        first.append(_fld_char("begin", dirty=True))
        first.append(_instruction(f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u'))
        first.append(_fld_char("separate"))
    for paragraph, heading in paragraphs:
        if heading is None:
            add_run(paragraph, empty_text)
            continue
        link = add_hyperlink(paragraph, anchor=heading.bookmark)
        add_run(paragraph, heading.text, parent=link)
        tab = OxmlElement("w:r")
        tab.append(OxmlElement("w:tab"))
        link.append(tab)
        _field_runs(link, f"PAGEREF {heading.bookmark} \\h", "")
    if as_field:
        paragraphs[-1][0]._p.append(_fld_char("end"))


def add_page_field(paragraph: Paragraph, instruction: str) -> None:
    """Append a simple field such as PAGE or NUMPAGES to ``paragraph``."""
    _field_runs(paragraph._p, instruction, "1")


class ListNumbering:
    """Word list numbering: one abstract definition per list kind, one instance per list.

    Where the template's "List Bullet" and "List Number" styles point to a multi-level
    list, the export uses that list, so restyling those styles in Word restyles the
    lists. Otherwise it adds definitions of its own. Each list gets its own numbering instance,
    so every numbered list starts again at its first number.
    """

    def __init__(self, document: DocxDocument) -> None:
        self.numbering = document.part.numbering_part.element
        self.document = document
        self._abstract: dict[bool, int] = {}

    def new_list(self, ordered: bool, start: int = 1) -> int:
        """Return the numId of a new list instance, numbered from ``start`` if ``ordered``."""
        abstract_id = self._abstract_id(ordered)
        num = self.numbering.add_num(abstract_id)
        if ordered:
            override = num.add_lvlOverride(ilvl=0)
            override.add_startOverride(start)
        return int(num.numId)

    def indent(self, ordered: bool, level: int) -> int:
        """Return the left indent in twips of list ``level``, for continuation paragraphs."""
        abstract_id = self._abstract_id(ordered)
        values = self.numbering.xpath(
            f'./w:abstractNum[@w:abstractNumId="{abstract_id}"]/w:lvl[@w:ilvl="{level}"]'
            "/w:pPr/w:ind/@w:left")
        return int(values[0]) if values and values[0].isdigit() else _DEFAULT_INDENT * (level + 1)

    def _abstract_id(self, ordered: bool) -> int:
        if ordered not in self._abstract:
            found = self._from_style("List Number" if ordered else "List Bullet")
            self._abstract[ordered] = found if found is not None else \
                self.add_definition(ordered)
        return self._abstract[ordered]

    def _from_style(self, style_name: str) -> int | None:
        """Return the abstractNumId behind a list style, if it defines nine levels."""
        try:
            style = self.document.styles[style_name]
        except KeyError:
            return None
        num_ids = style.element.xpath("./w:pPr/w:numPr/w:numId/@w:val")
        if not num_ids:
            return None
        abstract_ids = self.numbering.xpath(
            f'./w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val')
        if not abstract_ids:
            return None
        levels = self.numbering.xpath(
            f'./w:abstractNum[@w:abstractNumId="{abstract_ids[0]}"]/w:lvl')
        return int(abstract_ids[0]) if len(levels) >= 9 else None

    def add_definition(self, ordered: bool) -> int:
        """Add a nine-level definition of bullets or of numbers 1., 2., 3.; return its id."""
        used = [int(v) for v in self.numbering.xpath("./w:abstractNum/@w:abstractNumId")]
        abstract_id = max(used, default=-1) + 1
        bullets = ("\u2022", "\u25e6", "\u25aa")
        levels = []
        for level in range(9):
            indent = _DEFAULT_INDENT * (level + 1)
            if ordered:
                number = f'<w:numFmt w:val="decimal"/><w:lvlText w:val="%{level + 1}."/>'
            else:
                number = ('<w:numFmt w:val="bullet"/>'
                          f'<w:lvlText w:val="{bullets[level % 3]}"/>')
            levels.append(
                f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/>{number}<w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr></w:lvl>')
        element = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:nsid w:val="{0x49534F00 + abstract_id:08X}"/>'
            f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>')
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(element)
        else:
            self.numbering.append(element)
        return abstract_id


def set_list_item(paragraph: Paragraph, num_id: int, level: int) -> None:
    """Make ``paragraph`` an item of list ``num_id`` at ``level`` (0 is the outermost)."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def set_indent(paragraph: Paragraph, twips: int) -> None:
    """Indent ``paragraph`` from the left, to line up with list text."""
    paragraph.paragraph_format.left_indent = Twips(twips)


def insert_paragraph_property(p_pr: Any, element: Any) -> None:
    """Insert a child of ``w:pPr`` where the schema orders it; Word rejects other orders."""
    tag = element.tag.split("}")[-1]
    successors = _PPR_ORDER[_PPR_ORDER.index(f"w:{tag}") + 1:]
    p_pr.insert_element_before(element, *successors)


def add_bottom_border(paragraph: Paragraph) -> None:
    """Draw a line under ``paragraph``; a thematic break in the source becomes one."""
    border = parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
                       'w:color="auto"/></w:pBdr>')
    insert_paragraph_property(paragraph._p.get_or_add_pPr(), border)


def repeat_header_rows(table: Table, count: int) -> None:
    """Mark the first ``count`` rows as header rows, repeated at the top of each page."""
    for row in table.rows[:count]:
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        tr_pr.append(header)
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:
        # the attributes are Word's; LibreOffice reads the bit mask in w:val
        look.set(qn("w:firstRow"), "1" if count else "0")
        look.set(qn("w:firstColumn"), "0")
        look.set(qn("w:val"), "0420" if count else "0400")


def set_column_widths(table: Table, widths: list[int]) -> None:
    """Fix the column widths of ``table`` in twips, so Word and LibreOffice agree."""
    table.autofit = False
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(widths)))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Twips(width)


def set_relative_widths(table: Table, shares: list[float], text_width: int) -> None:
    """Make ``table`` as wide as the text area, its columns taking ``shares`` of it.

    The table and cell widths are percentages, so the table follows the margins and
    page size of the document it is in, even when they change after it was written.
    The grid, which Word and LibreOffice also read, is laid out for ``text_width``
    twips.
    """
    total = sum(shares)
    fiftieths = [round(_FULL_WIDTH * share / total) for share in shares]
    fiftieths[-1] += _FULL_WIDTH - sum(fiftieths)
    table.autofit = True
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "pct")
        tbl_w.set(qn("w:w"), str(_FULL_WIDTH))
    for column, share in zip(table.columns, fiftieths, strict=True):
        column.width = Twips(text_width * share // _FULL_WIDTH)
    for row in table.rows:
        for cell, share in zip(row.cells, fiftieths, strict=False):
            tc_w = cell._tc.get_or_add_tcPr().get_or_add_tcW()
            tc_w.set(qn("w:type"), "pct")
            tc_w.set(qn("w:w"), str(share))


def keep_rows_together(table: Table) -> None:
    """Keep each row of ``table`` on one page: Word's "Allow row to break across pages" off."""
    for row in table.rows:
        _set_cant_split(row._tr)


def keep_short_rows_together(body: Any, text_height: int) -> None:
    """Keep every table row in ``body`` on one page, unless it may be taller than half a page.

    A row that may not break but is taller than a page cannot be laid out whole, and
    Word may then cut it off. So long rows stay free to break.
    """
    limit = text_height // 2
    for row in body.iter(qn("w:tr")):
        # NOTE: the height is estimated from the text length, as if all of it were 9 pt text
        if _estimated_height(row) <= limit:
            _set_cant_split(row)


def _set_cant_split(row: Any) -> None:
    tr_pr = row.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        # the children of w:trPr are a choice, so any order is valid
        tr_pr.insert(0, OxmlElement("w:cantSplit"))


def _estimated_height(row: Any) -> int:
    """Return the estimated height of a table row in twips: its tallest cell's lines."""
    tallest = 0
    for cell in row.iterchildren(qn("w:tc")):
        widths = cell.xpath("./w:tcPr/w:tcW[@w:type='dxa']/@w:w")
        width = int(widths[0]) if widths and widths[0].isdigit() else _DEFAULT_TEXT_WIDTH // 2
        per_line = max(8, (width - _CELL_MARGINS) // _CHAR_TWIPS)
        lines = 0
        for paragraph in cell.iter(qn("w:p")):
            length = sum(len(text) for text in paragraph.xpath(".//w:t/text()"))
            lines += max(1, -(-length // per_line))
        tallest = max(tallest, lines * _LINE_TWIPS)
    return tallest


def column_widths(texts: list[list[str]], total: int, weights: list[float] | None = None
                  ) -> list[int]:
    """Return column widths in twips that share ``total`` by the text in each column.

    Explicit ``weights`` share it in proportion. Otherwise each column gets room for
    its longest word (up to 24 characters), so no word breaks in the middle, and the
    rest goes to the columns whose text would need more lines.
    """
    columns = max((len(row) for row in texts), default=1)
    if weights is not None:
        share = sum(weights)
        widths = [int(total * weight / share) for weight in weights]
    else:
        minimum, natural = [], []
        for index in range(columns):
            cells = [row[index] for row in texts if index < len(row)]
            word = max((len(w) for cell in cells for w in cell.split()), default=1)
            line = max((len(text) for cell in cells for text in cell.splitlines()), default=1)
            minimum.append(min(word, 24) * _CHAR_TWIPS + _CELL_MARGINS)
            natural.append(min(max(line, word), 200) * _CHAR_TWIPS + _CELL_MARGINS)
        if sum(natural) <= total or sum(minimum) >= total:
            basis = natural if sum(natural) <= total else minimum
            widths = [int(total * width / sum(basis)) for width in basis]
        else:
            spare = total - sum(minimum)
            flexible = [n - m for n, m in zip(natural, minimum, strict=True)]
            widths = [m + int(spare * f / sum(flexible))
                      for m, f in zip(minimum, flexible, strict=True)]
    widths[-1] += total - sum(widths)
    return widths


def cell_grid(table: Table) -> list[list[_Cell]]:
    """Return the cells of ``table`` by row; one pass, where ``table.cell`` scans each time."""
    cells = table._cells
    columns = len(table.columns)
    return [cells[start:start + columns] for start in range(0, len(cells), columns)]
