"""Write the docxtpl templates of the Word export: one NAME_tpl.docx per document kind.

Run it by hand after changing the layout here, with the project installed:

    python templates/word/make_templates.py [FOLDER]

It writes next to itself, or into FOLDER when one is given.

The templates are committed, so users can also open them in Word or LibreOffice and
restyle them directly: letterhead in the header, fonts and colours of the styles,
margins, a logo. Keep the ``{{ }}``, ``{%p %}`` and ``{%tr %}`` tags intact, and keep
the styles the export uses (listed in ``generators.word.wordml``). A project overrides a
template with its own copy in ``templates/word/`` of the project, or names a template
for one document under ``word.documents`` in iso27035.yaml.

The variables the templates use are built by ``generators.word.rendering``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from generators.reproducible import build_timestamp, normalize_office_zip
from generators.word.configuration import KIND_TEMPLATES, TRACEABILITY_TEMPLATE
from generators.word.wordml import (
    DRAFT_LABEL,
    TABLE_TEXT,
    ListNumbering,
    add_draft_styles,
    add_page_field,
    insert_paragraph_property,
    keep_rows_together,
    repeat_header_rows,
    set_relative_widths,
)

FOLDER = Path(__file__).parent
FONT = "Arial"
"""Font of the theme, which every style but the code styles inherits.

Word has it everywhere, and LibreOffice shows the metric-equal Liberation Sans.
"""
CODE_FONT = "Courier New"
NAVY = RGBColor(0x1F, 0x38, 0x64)
BLUE = RGBColor(0x2E, 0x5C, 0x8A)
GREY = RGBColor(0x59, 0x59, 0x59)
RED = RGBColor(0xC0, 0x00, 0x00)
HEADER_FILL = "D9E2F3"
LANDSCAPE = {TRACEABILITY_TEMPLATE}
"""Templates in landscape, for wide tables."""

CONTROL_ROWS = (
    ("Document id", "{{ document.id }}"),
    ("Version", "{{ document.version }}"),
    ("Status", "{{ document.status }}"),
    ("Owner", "{{ document.owner }}"),
    ("Approved by", "{{ document.approver }}"),
    ("Approval date", "{{ document.approved }}"),
    ("Last review", "{{ document.last_reviewed }}"),
    ("Review interval", "{{ document.review_interval }}"),
    ("Next review due", "{{ document.next_review }}"),
    ("Classification", "{{ document.classification }}"),
    ("Generated", "{{ generated }}, from the need files of {{ organization }}"),
)


def main(arguments: list[str]) -> int:
    """Write every template into the folder given, or next to this script; return 0."""
    folder = Path(arguments[0]) if arguments else FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name in [*KIND_TEMPLATES.values(), TRACEABILITY_TEMPLATE]:
        path = folder / name
        path.write_bytes(build_template(landscape=name in LANDSCAPE))
        print(f"wrote {path}")
    return 0


def build_template(*, landscape: bool) -> bytes:
    """Return the bytes of one template: page, styles, header, footer and front matter."""
    document = Document()
    _page_setup(document, landscape=landscape)
    _theme_fonts(document)
    _styles(document)
    _lists(document)
    _header_and_footer(document)
    _front_matter(document)
    first = document.paragraphs[0]
    if not first.text:
        first._p.getparent().remove(first._p)
    properties = document.core_properties
    for name in ("author", "last_modified_by", "title", "subject", "keywords", "comments",
                 "category", "identifier", "version", "content_status"):
        setattr(properties, name, "")
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    # fixed zip dates, so regenerating an unchanged template changes no byte
    return normalize_office_zip(buffer.getvalue(), build_timestamp())


def _page_setup(document: DocxDocument, *, landscape: bool) -> None:
    section = document.sections[0]
    width, height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.1)


def _theme_fonts(document: DocxDocument) -> None:
    """Make FONT the theme's heading and body font (Design > Fonts in Word)."""
    theme = document.part.part_related_by(RELATIONSHIP_TYPE.THEME)
    root = etree.fromstring(theme.blob)
    drawing = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    for latin in root.xpath(".//a:fontScheme/*/a:latin", namespaces=drawing):
        latin.set("typeface", FONT)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 standalone=True)


def _styles(document: DocxDocument) -> None:
    styles = document.styles

    def paragraph(name: str, size: float, *, bold: bool = False, italic: bool = False,
                  color: RGBColor | None = None, font: str | None = None, before: float = 0,
                  after: float = 6, keep: bool = False) -> ParagraphStyle:
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
        assert isinstance(style, ParagraphStyle)
        # Only the code styles name a font. The others inherit the font of Normal, and
        # through it the document default, which is the theme's body font.
        fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
        if fonts is not None:
            fonts.getparent().remove(fonts)
        if font is not None:
            style.font.name = font
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        style.font.color.rgb = color or RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = keep
        style.quick_style = True
        return style

    paragraph("Normal", 10)
    paragraph("Title", 24, bold=True, color=NAVY, after=4)
    paragraph("Subtitle", 13, color=GREY, after=4)
    sizes = {1: 15, 2: 12.5, 3: 11, 4: 10, 5: 10, 6: 10}
    for level, size in sizes.items():
        paragraph(f"Heading {level}", size, bold=True, italic=level >= 5,
                  color=NAVY if level == 1 else BLUE, before=14 if level <= 2 else 10,
                  after=4, keep=True)
    paragraph("TOC Heading", 14, bold=True, color=NAVY, before=16, after=6, keep=True)
    for level in (1, 2, 3):
        style = paragraph(f"toc {level}", 10, bold=level == 1, before=4 if level == 1 else 0,
                          after=2)
        style.paragraph_format.left_indent = Cm(0.5 * (level - 1))
    paragraph("List Paragraph", 10, after=2)
    quote = paragraph("Quote", 10, italic=True, color=GREY)
    quote.paragraph_format.left_indent = Cm(1)
    paragraph("Caption", 9, bold=True, color=NAVY, before=6, after=3, keep=True)
    code = paragraph("Source Code", 9, font=CODE_FONT, after=6)
    insert_paragraph_property(code.element.get_or_add_pPr(), parse_xml(
        f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="F2F2F2"/>'))
    paragraph("Need Details", 8.5, color=GREY, after=1)
    paragraph(TABLE_TEXT, 9, after=1)
    notice = paragraph("Draft Notice", 28, bold=True, color=RED, before=12, after=6)
    notice.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    insert_paragraph_property(notice.element.get_or_add_pPr(), parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="18" w:space="4" w:color="C00000"/>'
        '<w:bottom w:val="single" w:sz="18" w:space="4" w:color="C00000"/></w:pBdr>'))
    paragraph("Header", 8, color=GREY, after=0)
    paragraph("Footer", 8, color=GREY, after=0)
    add_draft_styles(document)

    hyperlink = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    hyperlink.font.underline = True
    inline_code = styles.add_style("Inline Code", WD_STYLE_TYPE.CHARACTER)
    inline_code.font.name = CODE_FONT
    inline_code.font.size = Pt(9)

    _table_style(document, "Content Table", (
        '<w:tblBorders>'
        + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
                  for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders>'), header=True)
    _table_style(document, "Admonition", (
        '<w:tblBorders><w:left w:val="single" w:sz="24" w:space="0" w:color="2E5C8A"/>'
        '</w:tblBorders>'), fill="EAF1FB")


def _table_style(document: DocxDocument, name: str, borders: str, *, header: bool = False,
                 fill: str | None = None) -> None:
    """Add a table style: borders, cell margins, compact paragraphs, a shaded header row."""
    style = document.styles.add_style(name, WD_STYLE_TYPE.TABLE)
    style.base_style = document.styles["Normal Table"]
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    header_part = ""
    if header:
        header_part = (
            '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr>'
            f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr>'
            '</w:tblStylePr>')
    element = style.element
    element.append(parse_xml(
        f'<w:pPr {nsdecls("w")}><w:spacing w:before="20" w:after="20"/></w:pPr>'))
    element.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:sz w:val="18"/></w:rPr>'))
    element.append(parse_xml(
        f'<w:tblPr {nsdecls("w")}>{borders}<w:tblCellMar>'
        '<w:top w:w="40" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="100" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr>'))
    if shading:
        element.append(parse_xml(f'<w:tcPr {nsdecls("w")}>{shading}</w:tcPr>'))
    if header_part:
        element.append(parse_xml(header_part.replace(
            "<w:tblStylePr ", f'<w:tblStylePr {nsdecls("w")} ', 1)))


def _lists(document: DocxDocument) -> None:
    """Point "List Bullet" and "List Number" at nine-level lists; the export uses them."""
    numbering = ListNumbering(document)
    for style_name, ordered in (("List Bullet", False), ("List Number", True)):
        abstract_id = numbering.add_definition(ordered)
        num = numbering.numbering.add_num(abstract_id)
        style = document.styles[style_name]
        num_pr = style.element.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_numId().val = int(num.numId)


def _text_width(document: DocxDocument) -> int:
    """Return the width between the margins in twips, which _page_setup has set."""
    section = document.sections[0]
    width, left, right = section.page_width, section.left_margin, section.right_margin
    assert width is not None
    assert left is not None
    assert right is not None
    return int(Emu(width - left - right).twips)


def _header_and_footer(document: DocxDocument) -> None:
    """Lay out the header and footer as borderless tables as wide as the text.

    A table follows the margins when a user changes them, where tab stops stay at
    the positions they were given.
    """
    section = document.sections[0]
    for name in ("Header", "Footer"):
        # Word's default header and footer styles bring tab stops of a Letter page
        tabs = document.styles[name].element.pPr.find(qn("w:tabs"))
        if tabs is not None:
            tabs.getparent().remove(tabs)

    header = section.header
    closing = header.paragraphs[0]
    cells = _layout_table(document, closing, "Header", [0.4, 0.6])
    cells[0].add_run("{{ organization }}")
    cells[1].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    cells[1].add_run("{{ document.id }} \u00b7 Version {{ document.version }} \u00b7 "
                     "{{ document.classification }}")
    for text in ("{%p if draft %}", "DRAFT \u2013 NOT APPROVED", "{%p endif %}"):
        paragraph = closing.insert_paragraph_before(style="Header")
        run = paragraph.add_run(text)
        if not text.startswith("{%"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_before = Pt(4)
            run.style = document.styles[DRAFT_LABEL]
            run.font.size = Pt(11)

    footer = section.footer
    cells = _layout_table(document, footer.paragraphs[0], "Footer", [0.3, 0.4, 0.3])
    cells[0].add_run("{{ document.classification }}")
    cells[1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    cells[1].add_run("{{ document.id }} {{ title }}")
    cells[2].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    cells[2].add_run("Page ")
    add_page_field(cells[2], "PAGE")
    cells[2].add_run(" of ")
    add_page_field(cells[2], "NUMPAGES")


def _layout_table(document: DocxDocument, closing: Paragraph, style: str,
                  shares: list[float]) -> list[Paragraph]:
    """Put a one-row borderless table before ``closing``; return the paragraph of each cell.

    ``closing``, the empty paragraph Word expects after a table in a header or footer,
    is made 1 pt high, so it adds no visible line.
    """
    table = document.add_table(rows=1, cols=len(shares))
    table.style = None
    closing._p.addprevious(table._tbl)
    set_relative_widths(table, shares, _text_width(document))
    # no cell padding, so the text lines up with the margins like the body text
    table._tbl.tblPr.insert_element_before(
        parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="0" w:type="dxa"/>'
                  '<w:right w:w="0" w:type="dxa"/></w:tblCellMar>'),
        "w:tblLook", "w:tblCaption", "w:tblDescription")
    paragraphs = []
    for cell in table.rows[0].cells:
        paragraph = cell.paragraphs[0]
        paragraph.style = document.styles[style]
        paragraphs.append(paragraph)
    closing.style = document.styles[style]
    insert_paragraph_property(closing._p.get_or_add_pPr(), parse_xml(
        f'<w:rPr {nsdecls("w")}><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>'))
    return paragraphs


def _front_matter(document: DocxDocument) -> None:
    """Write the title block, document control, change history and contents."""
    document.add_paragraph("{{ organization }}", style="Subtitle")
    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{ subtitle }}", style="Subtitle")
    document.add_paragraph("{%p if draft %}")
    document.add_paragraph("DRAFT", style="Draft Notice")
    notice = document.add_paragraph().add_run("{{ draft_notice }}")
    notice.bold = True
    notice.font.color.rgb = RED
    document.add_paragraph("{%p endif %}")

    document.add_paragraph("Document control", style="TOC Heading")
    control = _table(document, len(CONTROL_ROWS), [0.28, 0.72])
    for row, (label, value) in zip(control.rows, CONTROL_ROWS, strict=True):
        row.cells[0].paragraphs[0].add_run(label).bold = True
        row.cells[1].paragraphs[0].add_run(value)
    repeat_header_rows(control, 0)

    document.add_paragraph("Change history", style="TOC Heading")
    history = _table(document, 7, [0.12, 0.16, 0.24, 0.48])
    for cell, text in zip(history.rows[0].cells, ("Version", "Date", "Author", "Change"),
                          strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    history.rows[1].cells[0].paragraphs[0].add_run("{%tr for entry in history %}")
    for cell, name in zip(history.rows[2].cells, ("version", "date", "author", "change"),
                          strict=True):
        cell.paragraphs[0].add_run(f"{{{{ entry.{name} }}}}")
    history.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    history.rows[4].cells[0].paragraphs[0].add_run("{%tr if not history %}")
    for cell, text in zip(history.rows[5].cells, ("-", "-", "-", "No change recorded."),
                          strict=True):
        cell.paragraphs[0].add_run(text)
    history.rows[6].cells[0].paragraphs[0].add_run("{%tr endif %}")
    repeat_header_rows(history, 1)

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Contents", style="TOC Heading")
    document.add_paragraph("{{p table_of_contents }}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("{{p body }}")


def _table(document: DocxDocument, rows: int, shares: list[float]) -> Table:
    """Add a table as wide as the text, its rows kept whole on a page."""
    table: Table = document.add_table(rows=rows, cols=len(shares))
    table.style = document.styles["Content Table"]
    for cell in table._cells:
        cell.paragraphs[0].style = document.styles[TABLE_TEXT]
    set_relative_widths(table, shares, _text_width(document))
    keep_rows_together(table)
    return table


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
