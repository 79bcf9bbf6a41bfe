"""Write ``form_tpl.docx``, the docxtpl template of every blank Word form.

Run it by hand after changing the layout here, with the project installed:

    python templates/forms/make_templates.py [FOLDER]

It writes next to itself, or into FOLDER when one is given.

The template is committed, so users can also open it in Word or LibreOffice and
restyle it directly: the paragraph styles ``Form Label``, ``Form Help``, ``Form Hint``,
``Form Choice`` and ``Form Answer``, the character style ``Form Required``, the
headings, the table style, the header and the footer. Keep the ``{% %}`` and ``{{ }}``
tags intact. A project overrides the template with its own copy in
``templates/forms/form_tpl.docx``, or for one form in ``templates/forms/FORM_ID_tpl.docx``.

The variables the template uses are built by ``generators.forms.word.form_context``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row

from generators.forms.word import TEMPLATE_NAME
from generators.reproducible import build_timestamp, normalize_office_zip

BOX = "\u2610\u00a0"
"""A tick box and a no-break space, so that a line never ends between box and label."""
GREY = RGBColor(0x59, 0x59, 0x59)
RED = RGBColor(0xC0, 0x00, 0x00)
TEXT_WIDTH = Cm(17)  # A4 width less two 2 cm margins
LABEL_WIDTH = Cm(6)


def main(arguments: list[str]) -> int:
    """Write the template next to this script, or into the folder given; return 0."""
    folder = Path(arguments[0]) if arguments else Path(__file__).parent
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TEMPLATE_NAME
    path.write_bytes(build_template())
    print(f"wrote {path}")
    return 0


def build_template() -> bytes:
    """Return the bytes of the template: page, styles, header, footer and body."""
    document = Document()
    _page_setup(document)
    _styles(document)
    _header_and_footer(document)
    body = _Body(document)
    body.front_matter()
    body.sections()
    # The default document starts with an empty paragraph; drop it.
    first = document.paragraphs[0]
    if not first.text:
        first._p.getparent().remove(first._p)
    properties = document.core_properties
    for name in ("author", "last_modified_by", "title", "subject", "keywords", "comments",
                 "category"):
        setattr(properties, name, "")
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    # fixed zip dates, so regenerating an unchanged template changes no byte
    return normalize_office_zip(buffer.getvalue(), build_timestamp())


def _page_setup(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))


def _styles(document: Document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)

    def paragraph_style(name: str, size: float, *, bold: bool = False, italic: bool = False,
                        color: RGBColor | None = None, after: float = 0) -> None:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        if color is not None:
            style.font.color.rgb = color
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(after)

    paragraph_style("Form Label", 10, bold=True, after=1)
    paragraph_style("Form Help", 8.5, italic=True, color=GREY, after=2)
    paragraph_style("Form Hint", 8, color=GREY, after=1)
    paragraph_style("Form Choice", 10, after=1)
    paragraph_style("Form Answer", 10)
    # a writing line tall enough for handwriting
    styles["Form Answer"].paragraph_format.line_spacing = Pt(20)
    required = styles.add_style("Form Required", WD_STYLE_TYPE.CHARACTER)
    required.font.bold = True
    required.font.color.rgb = RED
    required.quick_style = True


def _header_and_footer(document: Document) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.style = document.styles["Form Hint"]
    header.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    header.add_run("{{ organization }}\t{{ form.id }}{% if form.version %} \u00b7 "
                   "{{ form.document }} version {{ form.version }}{% endif %} \u00b7 "
                   "{{ form.classification }}")
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Form Hint"]
    footer.add_run("{{ form.classification }} \u2014 {{ form.id }} {{ form.title }}"
                   "{% if form.draft %} (DRAFT){% endif %} \u2014 page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _field(paragraph: object, instruction: str) -> None:
    """Append a Word field (page number, page count) to ``paragraph``."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)  # type: ignore[attr-defined]


class _Body:
    """Writes the body of the template, paragraph by paragraph."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def tag(self, text: str) -> None:
        """Write a paragraph holding only a docxtpl paragraph tag such as ``{%p if x %}``."""
        self.document.add_paragraph(text)

    def text(self, text: str, style: str) -> None:
        self.document.add_paragraph(text, style=style)

    def front_matter(self) -> None:
        self.text("{{ form.title }}", "Title")
        self.text("{{ form.id }} \u00b7 {{ organization }}", "Subtitle")
        self.tag("{%p if form.draft %}")
        paragraph = self.document.add_paragraph(style="Form Label")
        paragraph.add_run("DRAFT: this form is not approved yet.", style="Form Required")
        self.tag("{%p endif %}")
        self.tag("{%p for paragraph in form.intro %}")
        self.text("{{ paragraph }}", "Normal")
        self.tag("{%p endfor %}")
        paragraph = self.document.add_paragraph(style="Form Help")
        paragraph.add_run("Fields marked ")
        paragraph.add_run("*", style="Form Required")
        paragraph.add_run(" are required. Tick one box \u2610 where one answer is asked for, "
                          "or every box that applies where the field says so. Write dates as "
                          "YYYY-MM-DD and times as hh:mm with the time zone.")

    def sections(self) -> None:
        self.tag("{%p for section in sections %}")
        self.text("{{ section.title }}", "Heading 1")
        self.tag("{%p if section.help %}")
        self.text("{{ section.help }}", "Form Help")
        self.tag("{%p endif %}")

        self.tag('{%p if section.layout == "rows" %}')
        self.text("{{ section.entry_note }}", "Form Help")
        self.rows_table()
        self.tag("{%p for column in section.fields if column.help %}")
        self.text("{{ column.label }}: {{ column.help }}", "Form Help")
        self.tag("{%p endfor %}")

        self.tag('{%p elif section.layout == "blocks" %}')
        self.text("{{ section.entry_note }}", "Form Help")
        self.tag("{%p for entry in section.entries %}")
        self.text("{{ section.entry_title }} {{ entry }}", "Heading 2")
        self.fields_table()
        self.tag("{%p endfor %}")

        self.tag("{%p elif section.fields %}")
        self.fields_table()
        self.tag("{%p endif %}")
        self.tag("{%p endfor %}")

    def fields_table(self) -> None:
        """Write a two-column table: label and help on the left, the answer box on the right."""
        table = self._table(rows=3, columns=2)
        table.columns[0].width = LABEL_WIDTH
        table.columns[1].width = TEXT_WIDTH - LABEL_WIDTH
        _tag_row(table.rows[0], "{%tr for field in section.fields %}")
        _tag_row(table.rows[2], "{%tr endfor %}")
        row = table.rows[1]
        _keep_row_together(row)
        label_cell, answer_cell = row.cells
        label_cell.width, answer_cell.width = LABEL_WIDTH, TEXT_WIDTH - LABEL_WIDTH
        label = label_cell.paragraphs[0]
        label.style = self.document.styles["Form Label"]
        label.add_run("{{ field.label }}")
        label.add_run("{%r if field.required %}")
        label.add_run(" *", style="Form Required")
        label.add_run("{%r endif %}")
        _cell_paragraph(label_cell, "{%p if field.help %}")
        _cell_paragraph(label_cell, "{{ field.help }}", "Form Help")
        _cell_paragraph(label_cell, "{%p endif %}")

        answer_cell.paragraphs[0].text = "{%p if field.instruction %}"
        _cell_paragraph(answer_cell, "{{ field.instruction }}", "Form Hint")
        _cell_paragraph(answer_cell, "{%p endif %}")
        _cell_paragraph(answer_cell, "{%p for choice in field.choices %}")
        _cell_paragraph(answer_cell, BOX + "{{ choice }}", "Form Choice")
        _cell_paragraph(answer_cell, "{%p endfor %}")
        _cell_paragraph(answer_cell, "{%p for line in field.lines %}")
        _cell_paragraph(answer_cell, "{{ line }}", "Form Answer")
        _cell_paragraph(answer_cell, "{%p endfor %}")
        # Every answer box ends with one empty writing line, so no cell is ever empty.
        _cell_paragraph(answer_cell, "", "Form Answer")

    def rows_table(self) -> None:
        """Write a log table: one column per field and one blank row per entry."""
        table = self._table(rows=4, columns=3)
        header, loop_start, body, loop_end = table.rows
        _repeat_as_header(header)
        _column_loop(header, "{{ column.label }}")
        label = header.cells[1].paragraphs[0]
        label.style = self.document.styles["Form Label"]
        label.add_run("{%r if column.required %}")
        label.add_run(" *", style="Form Required")
        label.add_run("{%r endif %}")
        _tag_row(loop_start, "{%tr for row in section.rows %}")
        _column_loop(body, "{% for choice in column.choices %}" + BOX + "{{ choice }}  "
                           "{% endfor %}")
        body.cells[1].paragraphs[0].style = self.document.styles["Form Answer"]
        _keep_row_together(body)
        _tag_row(loop_end, "{%tr endfor %}")
        # Column widths follow the number of fields; let Word and LibreOffice share the
        # page width out instead of keeping the template's three fixed widths.
        for row in table.rows:
            for cell in row.cells:
                width = cell._tc.get_or_add_tcPr().get_or_add_tcW()
                width.type, width.w = "auto", 0

    def _table(self, rows: int, columns: int) -> Table:
        table = self.document.add_table(rows=rows, cols=columns)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        properties = table._tbl.tblPr
        width = properties.find(qn("w:tblW"))
        if width is None:
            width = OxmlElement("w:tblW")
            properties.append(width)
        width.set(qn("w:type"), "pct")
        width.set(qn("w:w"), "5000")  # 100 % in fiftieths of a percent
        return table


def _tag_row(row: _Row, tag: str) -> None:
    row.cells[0].paragraphs[0].text = tag


def _column_loop(row: _Row, body: str) -> None:
    first, middle, last = row.cells
    first.paragraphs[0].text = "{%tc for column in section.fields %}"
    middle.paragraphs[0].text = body
    last.paragraphs[0].text = "{%tc endfor %}"


def _cell_paragraph(cell: _Cell, text: str, style: str | None = None) -> None:
    paragraph = cell.add_paragraph(text)
    if style is not None:
        paragraph.style = cell.part.document.styles[style]


def _keep_row_together(row: _Row) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _repeat_as_header(row: _Row) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
