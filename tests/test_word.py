"""The Word export: real .docx files opened with python-docx and checked against the model."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docx.text.paragraph import Paragraph

from generators.coverage import Coverage, compute_coverage
from generators.docx_render import open_template, render_docx
from generators.loading.project import load_project
from generators.model import Form, Model, PolicyStatement, Procedure, Role
from generators.settings import Settings
from generators.templating import TemplateError
from generators.word.command import render_word
from generators.word.configuration import document_needs, file_name_problem
from generators.word.pdf import find_libreoffice
from generators.word.wordml import (
    DRAFT_LABEL,
    DRAFT_NEED_NOTICE,
    bookmark_name,
    column_widths,
)
from tests.conftest import REPOSITORY, run_cli

SPECIAL = "Escaping & <tags> \"quotes\" {{ var }} {% if x %}"
SCRIPTS = "Кириллица, العربية, 中文, עברית, Ελληνικά, emoji 🙂"


# -- helpers ------------------------------------------------------------------------


def _load(project: Path) -> tuple[Model, Settings, Coverage]:
    result = load_project(project)
    assert result.model is not None, [f.format() for f in result.findings]
    assert result.settings is not None
    coverage = compute_coverage(result.model, result.settings.current_date())
    return result.model, result.settings, coverage


def _open(path: Path) -> DocxDocument:
    return docx.Document(str(path))


def _paragraph_text(element: object) -> str:
    """Return the text of a paragraph's runs; tabs and breaks become \\t and \\n."""
    parts = []
    nodes = element.xpath(".//w:r/w:t | .//w:r/w:tab | .//w:r/w:br")  # type: ignore[attr-defined]
    for node in nodes:
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == qn("w:tab") else "\n")
    return "".join(parts)


def _paragraphs(document: DocxDocument) -> list[tuple[str, str]]:
    """Return (style name, text) of every paragraph of the body, tables included."""
    names = {style.style_id: style.name for style in document.styles}
    result = []
    for paragraph in document.element.body.iter(qn("w:p")):
        style = paragraph.xpath("./w:pPr/w:pStyle/@w:val")
        result.append((names.get(style[0], style[0]) if style else "Normal",
                       _paragraph_text(paragraph)))
    return result


def _part_paragraphs_text(element: object) -> str:
    """Return the text of every paragraph in a header or footer, table cells included."""
    return " ".join(_paragraph_text(p) for p in element.iter(qn("w:p")))  # type: ignore[attr-defined]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _body_text(document: DocxDocument) -> str:
    return _flat(" ".join(text for _, text in _paragraphs(document)))


def _headings(document: DocxDocument) -> list[tuple[int, str]]:
    return [(int(style.split()[-1]), text) for style, text in _paragraphs(document)
            if style.startswith("Heading ")]


def _tables(document: DocxDocument) -> list[list[list[str]]]:
    """Return every table of the body (nested ones too) as rows of cell texts."""
    tables = []
    for table in document.element.body.iter(qn("w:tbl")):
        rows = []
        for row in table.iterchildren(qn("w:tr")):
            rows.append([_flat(" ".join(_paragraph_text(p) for p in cell.iter(qn("w:p"))))
                         for cell in row.iterchildren(qn("w:tc"))])
        tables.append(rows)
    return tables


def _part_text(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


def _plain(markup: str) -> list[str]:
    """Return the prose lines of a MyST snippet without markup, for searching.

    Table rows, directive fences and option lines are left out.
    """
    text = re.sub(r"\{need\}`([^`<]*?)\s*<[^>]+>`", r"\1", markup)
    text = re.sub(r"[*`]|^\s*(?:[-+]|\d+\.)\s", "", text, flags=re.M)
    return [_flat(line) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith(("|", ":", "{", "~~~"))]


@pytest.fixture
def word_project(copy_root: Callable[[str], Path]) -> Path:
    return copy_root("word")


@pytest.fixture
def word_output(word_project: Path, tmp_path: Path) -> Path:
    """Run ``iso27035 docx`` on the Word test project; return the word/ folder."""
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path / "out" / "word"


# -- the command ----------------------------------------------------------------------


def test_docx_writes_one_file_per_document(word_output: Path) -> None:
    names = sorted(p.name for p in word_output.glob("*.docx"))
    assert names == ["WRD-POL-01.docx", "WRD-PRC-01.docx", "WRD-TOR-01.docx",
                     "traceability.docx"]


def test_docx_lists_files_and_drafts(word_project: Path, tmp_path: Path) -> None:
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0]: line for line in result.stdout.splitlines()
              if line.startswith("  ")}
    assert listed["WRD-PRC-01.docx"].endswith("[DRAFT]")
    assert not listed["WRD-POL-01.docx"].endswith("[DRAFT]")
    assert "Word:   4 document(s) in" in result.stdout


def test_docx_default_out_is_project_build(word_project: Path) -> None:
    result = run_cli("docx", "--project", str(word_project))
    assert result.returncode == 0, result.stderr
    assert (word_project / "_build" / "word" / "WRD-POL-01.docx").is_file()


def test_docx_builds_are_byte_identical(word_project: Path, tmp_path: Path) -> None:
    for name in ("one", "two"):
        result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    first = sorted((tmp_path / "one" / "word").glob("*.docx"))
    assert first
    for path in first:
        assert path.read_bytes() == (tmp_path / "two" / "word" / path.name).read_bytes(), path


def test_docx_zip_entries_have_fixed_dates(word_output: Path) -> None:
    with zipfile.ZipFile(word_output / "WRD-POL-01.docx") as archive:
        dates = {info.date_time for info in archive.infolist()}
        core = archive.read("docProps/core.xml").decode()
    assert dates == {(2026, 6, 30, 0, 0, 0)}
    assert "2026-06-30T00:00:00Z" in core


def test_docx_without_fixed_date_uses_build_day(word_project: Path, tmp_path: Path) -> None:
    settings = word_project / "iso27035.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("today: 2026-06-30\n", ""),
                        encoding="utf-8")
    before = dt.date.today()
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    after = dt.date.today()
    assert result.returncode == 0, result.stderr
    days = {before, after}
    with zipfile.ZipFile(tmp_path / "out" / "word" / "WRD-POL-01.docx") as archive:
        dates = {dt.date(*info.date_time[:3]) for info in archive.infolist()}
    assert len(dates) == 1
    assert dates <= days
    texts = [text for _, text in _paragraphs(_open(tmp_path / "out" / "word" / "WRD-POL-01.docx"))]
    assert not any("1980-01-01" in text for text in texts)


def test_docx_removes_files_of_dropped_documents(word_project: Path, tmp_path: Path) -> None:
    assert run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out")
                   ).returncode == 0
    settings = word_project / "iso27035.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "word:\n  traceability:\n    include: false\n", encoding="utf-8")
    assert run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out")
                   ).returncode == 0
    assert not (tmp_path / "out" / "word" / "traceability.docx").exists()
    assert (tmp_path / "out" / "word" / "WRD-POL-01.docx").is_file()


def test_build_writes_word_documents(copy_root: Callable[[str], Path]) -> None:
    project = copy_root("complete")
    result = run_cli("build", "--project", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "_build" / "word" / "TST-POL-01.docx").is_file()
    assert re.search(r"^Word:   3 document\(s\) in .*word", result.stdout, re.M)


# -- structure and content --------------------------------------------------------------


def test_headings_are_sections_and_needs(word_project: Path, word_output: Path) -> None:
    model, _, _ = _load(word_project)
    document = _open(word_output / "WRD-POL-01.docx")
    headings = _headings(document)
    for section in model.documents["WRD-POL-01"].sections:
        assert (1, section.title) in headings
    for need in document_needs(model, model.documents["WRD-POL-01"]):
        assert (2, f"{need.id} \u2013 {need.title}") in headings


def test_needs_carry_bookmarks_of_their_ids(word_output: Path) -> None:
    xml = _part_text(word_output / "WRD-POL-01.docx", "word/document.xml")
    assert 'w:name="POL_RICH"' in xml
    assert 'w:name="POL_ESCAPE"' in xml


def test_every_policy_statement_is_present(word_project: Path, word_output: Path) -> None:
    model, _, _ = _load(word_project)
    text = _body_text(_open(word_output / "WRD-POL-01.docx"))
    statements = [n for n in model.of_type(PolicyStatement) if n.document == "WRD-POL-01"]
    assert statements
    for statement in statements:
        assert statement.id in text
        for line in ("Section text before the statements.", "Remember the note.",
                     "The footnote text.", "A quoted sentence.", "nested two"):
            assert line in text


def test_every_procedure_step_is_a_list_item(word_project: Path, word_output: Path) -> None:
    model, _, _ = _load(word_project)
    paragraphs = _paragraphs(_open(word_output / "WRD-PRC-01.docx"))
    items = [_flat(text) for style, text in paragraphs if style == "List Paragraph"]
    for procedure in model.of_type(Procedure):
        for step in procedure.steps:
            first_line = _plain(step)[0]
            assert any(item.startswith(first_line) for item in items), first_line
    assert "high when data is exposed" in items
    assert any(text.startswith("Trigger: A report arrives") for _, text in paragraphs)


def test_lists_are_word_numbering(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    numbered = {}
    for paragraph in document.element.body.iter(qn("w:p")):
        ilvl = paragraph.xpath("./w:pPr/w:numPr/w:ilvl/@w:val")
        num = paragraph.xpath("./w:pPr/w:numPr/w:numId/@w:val")
        if num:
            numbered[_paragraph_text(paragraph)] = (int(num[0]), int(ilvl[0]))
    assert numbered["first bullet"][1] == 0
    assert numbered["nested one"][1] == 1
    assert numbered["nested one"][0] != numbered["first bullet"][0]
    numbering = document.part.numbering_part.element
    third = numbering.xpath(f'./w:num[@w:numId="{numbered["third item"][0]}"]'
                            '/w:lvlOverride/w:startOverride/@w:val')
    assert third == ["3"]


def test_tables_keep_rows_and_repeat_header(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    tables = _tables(document)
    assert [["Column A", "Column B"], ["a1", "b1"], ["a2", "b2"]] in tables
    assert [["Name", "Phone"], ["Service desk", "+44 20 7946 0000"]] in tables
    for table in document.element.body.iter(qn("w:tbl")):
        first = _paragraph_text(table.find(qn("w:tr")))
        if first.startswith(("Column A", "Name")):
            assert table.find(qn("w:tr")).xpath("./w:trPr/w:tblHeader")


def test_emphasis_code_and_links_reach_word(word_output: Path) -> None:
    path = word_output / "WRD-POL-01.docx"
    xml = _part_text(path, "word/document.xml")
    rels = _part_text(path, "word/_rels/document.xml.rels")
    assert 'Target="https://example.com/a?b=1&amp;c=2"' in rels
    assert 'TargetMode="External"' in rels
    document = _open(path)
    runs = [(r.text, r.bold, r.italic) for p in document.paragraphs for r in p.runs]
    assert ("bold", True, None) in runs
    assert ("italic", None, True) in runs
    assert "Triage &amp; assessment (PROC_TRIAGE)" in xml
    assert "a named one" in xml
    assert re.search(r'<w:hyperlink [^>]*r:id="rId\d+"', xml)


def test_need_references_link_within_document(word_output: Path) -> None:
    xml = _part_text(word_output / "WRD-PRC-01.docx", "word/document.xml")
    assert 'w:anchor="ROLE_TEAM"' not in xml  # the role is in another document
    policy = _part_text(word_output / "WRD-POL-01.docx", "word/document.xml")
    assert 'w:anchor="PROC_TRIAGE"' not in policy


def test_need_details_list_links(word_output: Path) -> None:
    paragraphs = _paragraphs(_open(word_output / "WRD-PRC-01.docx"))
    details = [text for style, text in paragraphs if style == "Need Details"]
    assert "Satisfies: REQ_WORD_TRIAGE (Word test standard 5.2)" in details
    assert "Performed by: ROLE_TEAM (Response team)" in details
    # the whole document is a draft, so its needs need no notice of their own
    assert not any(style == DRAFT_NEED_NOTICE for style, _ in paragraphs)


def _draft_notice(document: DocxDocument, heading: str) -> Paragraph:
    """Return the paragraph right after the heading ``heading``."""
    paragraphs = document.paragraphs
    index = next(i for i, p in enumerate(paragraphs) if p.text == heading)
    return paragraphs[index + 1]


def test_draft_need_in_approved_document_is_marked(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    notice = _draft_notice(document, f"POL_ESCAPE \u2013 {SPECIAL}")
    assert notice.style.name == DRAFT_NEED_NOTICE
    assert notice.text == ("DRAFT POL_ESCAPE is not approved, although this document is. "
                           "Do not rely on it until it is approved.")
    label = notice.runs[0]
    assert label.text == "DRAFT"
    assert label.style.name == DRAFT_LABEL
    assert label.style.font.bold
    assert label.style.element.xpath("./w:rPr/w:shd/@w:fill") == ["C00000"]
    assert len(notice.style.element.xpath("./w:pPr/w:pBdr/*")) == 4
    approved = _draft_notice(document, "POL_RICH \u2013 Rich statement")
    assert approved.style.name != DRAFT_NEED_NOTICE


def test_draft_need_marking_follows_template(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    source = docx.Document(str(template))
    source.styles[DRAFT_LABEL].font.highlight_color = WD_COLOR_INDEX.YELLOW
    source.save(str(template))
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    document = _open(tmp_path / "out" / "word" / "WRD-POL-01.docx")
    label = _draft_notice(document, f"POL_ESCAPE \u2013 {SPECIAL}").runs[0]
    assert label.style.font.highlight_color == WD_COLOR_INDEX.YELLOW
    assert label.font.highlight_color is None


def test_draft_styles_added_to_older_template(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    source = docx.Document(str(template))
    for name in (DRAFT_LABEL, DRAFT_NEED_NOTICE):
        element = source.styles[name].element
        element.getparent().remove(element)
    source.save(str(template))
    assert DRAFT_LABEL not in {style.name for style in docx.Document(str(template)).styles}
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    document = _open(tmp_path / "out" / "word" / "WRD-POL-01.docx")
    notice = _draft_notice(document, f"POL_ESCAPE \u2013 {SPECIAL}")
    assert notice.style.name == DRAFT_NEED_NOTICE
    assert notice.runs[0].style.name == DRAFT_LABEL
    assert notice.runs[0].style.font.bold


def test_empty_section_says_so(word_output: Path) -> None:
    paragraphs = _paragraphs(_open(word_output / "WRD-POL-01.docx"))
    index = paragraphs.index(("Heading 1", "Nothing here yet"))
    assert paragraphs[index + 1][1] == "This section has no content yet."


def test_scale_rows_and_criteria(word_output: Path) -> None:
    tables = _tables(_open(word_output / "WRD-PRC-01.docx"))
    scale = next(t for t in tables if t[0][:2] == ["Value", "Level"])
    assert scale[1][:2] == ["high", "High"]
    assert scale[1][2] == "Serious harm. Customer data exposed Service down for a day"
    assert scale[1][4] == "ROLE_TEAM (Response team)"
    assert scale[2][3] == "-"


def test_role_duties_and_contacts(word_project: Path, word_output: Path) -> None:
    model, _, _ = _load(word_project)
    document = _open(word_output / "WRD-TOR-01.docx")
    text = _body_text(document)
    role = model.needs["ROLE_TEAM"]
    assert isinstance(role, Role)
    for line in (*role.responsibilities, *role.authority, *role.competencies):
        assert line in text
    assert ["phone", "+44 20 7946 0001", "Always"] in _tables(document)[-1]


def test_table_of_contents_field(word_output: Path) -> None:
    path = word_output / "WRD-POL-01.docx"
    xml = _part_text(path, "word/document.xml")
    assert re.search(r'<w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u', xml)
    assert "PAGEREF _Toc00000001" in xml
    assert '<w:updateFields w:val="true"/>' in _part_text(path, "word/settings.xml")
    entries = [text for style, text in _paragraphs(_open(path)) if style == "toc 1"]
    assert entries[0].startswith("Rich text")


# -- document control -------------------------------------------------------------------


def test_document_control_matches_model(word_project: Path, word_output: Path) -> None:
    model, _, _ = _load(word_project)
    source = model.documents["WRD-POL-01"]
    document = _open(word_output / "WRD-POL-01.docx")
    control = dict(row for row in _tables(document)[0])
    assert control["Document id"] == source.id
    assert control["Version"] == source.version
    assert control["Status"] == "Approved"
    assert control["Owner"] == source.owner
    assert control["Approved by"] == source.approver
    assert control["Approval date"] == "2026-01-10"
    assert control["Next review due"] == "2027-01-10"
    assert control["Review interval"] == "12 months"
    assert control["Classification"] == source.classification
    history = _tables(document)[1]
    assert history[0] == ["Version", "Date", "Author", "Change"]
    assert history[1:] == [[e.version, e.date.isoformat(), e.author, e.change]
                           for e in source.history]


def test_overdue_review_is_flagged(word_project: Path) -> None:
    settings = word_project / "iso27035.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "today: 2026-06-30", "today: 2027-02-01"), encoding="utf-8")
    document = _render_project(word_project)["WRD-POL-01.docx"]
    control = dict(row for row in _tables(document)[0])
    assert control["Next review due"] == "2027-01-10 (overdue)"


def test_header_and_footer_carry_id_version_classification(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    section = document.sections[0]
    header = _part_paragraphs_text(section.header._element)
    assert "WRD-POL-01 \u00b7 Version 2.1 \u00b7 INTERNAL & RESTRICTED" in header
    assert "DRAFT" not in header
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml
    assert "NUMPAGES" in footer_xml
    assert "INTERNAL &amp; RESTRICTED" in footer_xml


def _style_font(document: DocxDocument, style_id: str) -> str | None:
    """Return the font a style sets or inherits through basedOn, or None for the default."""
    styles = document.styles.element
    while style_id:
        found = styles.xpath(f'./w:style[@w:styleId="{style_id}"]')
        if not found:
            return None
        fonts = found[0].xpath("./w:rPr/w:rFonts/@w:ascii")
        if fonts:
            return str(fonts[0])
        based_on = found[0].xpath("./w:basedOn/@w:val")
        style_id = based_on[0] if based_on else ""
    return None


def _used_styles(document: DocxDocument, kind: str) -> set[str]:
    """Return the ids of the ``kind`` styles (pStyle, rStyle) used in body, header, footer."""
    section = document.sections[0]
    used = set()
    for part in (document.element.body, section.header._element, section.footer._element):
        used.update(part.xpath(f".//w:{kind}/@w:val"))
    return used


def test_styles_inherit_default_font(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    paragraph_styles = _used_styles(document, "pStyle")
    assert {"Heading1", "Title", "TableText", "Header", "Footer", "DraftNeedNotice"} <= \
        paragraph_styles
    for style_id in paragraph_styles - {"SourceCode"}:
        assert _style_font(document, style_id) is None, style_id
    for style_id in _used_styles(document, "rStyle") - {"InlineCode"}:
        assert _style_font(document, style_id) is None, style_id
    assert _style_font(document, "InlineCode") == "Courier New"
    defaults = document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:rFonts")
    assert defaults[0].get(qn("w:asciiTheme")) == "minorHAnsi"
    theme = _part_text(word_output / "WRD-POL-01.docx", "word/theme/theme1.xml")
    assert re.search(r'<a:minorFont>\s*<a:latin typeface="Arial"/>', theme)


def test_normal_font_restyles_document(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    source = docx.Document(str(template))
    source.styles["Normal"].font.name = "Georgia"
    source.save(str(template))
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    document = _open(tmp_path / "out" / "word" / "WRD-POL-01.docx")
    for style_id in _used_styles(document, "pStyle") - {"SourceCode"}:
        assert _style_font(document, style_id) == "Georgia", style_id


def _text_width(document: DocxDocument) -> int:
    section = document.sections[0]
    return int(Emu(section.page_width - section.left_margin - section.right_margin).twips)


def test_layout_follows_template_margins(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    source = docx.Document(str(template))
    source.sections[0].left_margin = Cm(4.5)
    source.sections[0].right_margin = Cm(3)
    source.save(str(template))
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    document = _open(tmp_path / "out" / "word" / "WRD-POL-01.docx")
    width = _text_width(document)
    assert width == 7654  # 13.5 cm: 21 cm less 7.5 cm of margins

    body = document.element.body
    tables = body.findall(qn("w:tbl"))
    front_matter = tables[:2]
    for table in front_matter:
        assert table.xpath("./w:tblPr/w:tblW/@w:type") == ["pct"]
        assert table.xpath("./w:tblPr/w:tblW/@w:w") == ["5000"]
        for row in table.findall(qn("w:tr")):
            shares = [int(value) for value in row.xpath("./w:tc/w:tcPr/w:tcW/@w:w")]
            assert sum(shares) == 5000
            assert set(row.xpath("./w:tc/w:tcPr/w:tcW/@w:type")) == {"pct"}
    for table in tables[2:]:
        grid = sum(int(value) for value in table.xpath("./w:tblGrid/w:gridCol/@w:w"))
        assert grid <= width
        if _paragraph_text(table.find(qn("w:tr"))).startswith("Column A"):
            assert grid == width

    section = document.sections[0]
    for part in (section.header._element, section.footer._element):
        assert part.xpath(".//w:tabs") == []
        assert part.xpath("./w:tbl/w:tblPr/w:tblW/@w:type") == ["pct"]
        assert part.xpath("./w:tbl/w:tblPr/w:tblW/@w:w") == ["5000"]

    toc_stops = {int(value) for value in body.xpath(".//w:pPr/w:tabs/w:tab/@w:pos")}
    assert toc_stops == {width}


def test_draft_document_is_marked(word_output: Path) -> None:
    document = _open(word_output / "WRD-PRC-01.docx")
    assert ("Draft Notice", "DRAFT") in _paragraphs(document)
    header = _part_paragraphs_text(document.sections[0].header._element)
    assert "DRAFT \u2013 NOT APPROVED" in header
    control = dict(row for row in _tables(document)[0])
    assert control["Status"] == "Draft"
    assert control["Approval date"] == "Not approved"
    approved = _open(word_output / "WRD-POL-01.docx")
    assert all(text != "DRAFT" for _, text in _paragraphs(approved))


def test_future_approval_is_draft_until_then(word_project: Path, tmp_path: Path) -> None:
    documents = word_project / "needs" / "documents.yaml"
    text = documents.read_text(encoding="utf-8")
    documents.write_text(text.replace("    approved: 2026-01-10\n", "    approved: 2099-01-01\n", 1),
                         encoding="utf-8")
    check = run_cli("check", "--project", str(word_project), "--format", "json")
    findings = json.loads(check.stdout)["findings"]
    pending = [f for f in findings if f["kind"] == "pending-approval"]
    assert [f["subject"] for f in pending] == ["WRD-POL-01"]
    assert "after today (2026-06-30)" in pending[0]["message"]

    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "WRD-POL-01.docx" in result.stdout
    document = _open(tmp_path / "out" / "word" / "WRD-POL-01.docx")
    assert ("Draft Notice", "DRAFT") in _paragraphs(document)
    header = _part_paragraphs_text(document.sections[0].header._element)
    assert "DRAFT \u2013 NOT APPROVED" in header
    control = dict(row for row in _tables(document)[0])
    assert control["Status"] == "Approved from 2099-01-01"


def test_table_rows_do_not_split(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    tables = list(document.element.body.iter(qn("w:tbl")))
    assert len(tables) >= 4
    for table in tables:
        for row in table.findall(qn("w:tr")):
            assert row.xpath("./w:trPr/w:cantSplit"), _paragraph_text(row)


LONG_ROW_PROJECT = {"needs/a.yaml": f"""\
    documents:
      - {{id: LONG-01, kind: other, title: Long, version: "1", status: approved, owner: Me,
         approver: Board, approved: 2026-01-01, classification: PUBLIC,
         sections: [{{id: s, title: S}}]}}
    needs:
      - id: POL_LONG
        type: pol
        title: Long rows
        document: LONG-01
        section: s
        content: |
          | Item | Text |
          |---|---|
          | short | A short row. |
          | long | {"A row far taller than half a page. " * 120} |
    """}


def test_long_table_row_may_split(make_project: Callable[..., Path]) -> None:
    document = _render_project(make_project(LONG_ROW_PROJECT))["LONG-01.docx"]
    table = next(t for t in document.element.body.iter(qn("w:tbl"))
                 if _paragraph_text(t.find(qn("w:tr"))).startswith("Item"))
    splits = {_paragraph_text(row.find(qn("w:tc"))): bool(row.xpath("./w:trPr/w:cantSplit"))
              for row in table.findall(qn("w:tr"))}
    assert splits == {"Item": True, "short": True, "long": False}


def test_core_properties_describe_document(word_output: Path) -> None:
    properties = _open(word_output / "WRD-POL-01.docx").core_properties
    assert properties.title == "Policy & <principles> \"quoted\" {{ title }}"
    assert properties.identifier == "WRD-POL-01"
    assert properties.version == "2.1"
    assert properties.content_status == "Approved"


# -- escaping ---------------------------------------------------------------------------


def test_special_characters_appear_literally(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    paragraphs = _paragraphs(document)
    assert ("Title", "Policy & <principles> \"quoted\" {{ title }}") in paragraphs
    assert ("Heading 2", f"POL_ESCAPE \u2013 {SPECIAL}") in paragraphs
    text = _body_text(document)
    assert "Literal {{ jinja }} and {% block %}" in text
    assert "<b>html</b> & AT&T's \"quotes\"" in text
    history = _tables(document)[1]
    assert history[1][3] == "First issue {% if x %} & <b> {_{ kept }_}"
    header = _part_paragraphs_text(document.sections[0].header._element)
    assert "Müller & Söhne <Test> \"GmbH\"" in header


def test_non_latin_scripts_survive(word_output: Path) -> None:
    document = _open(word_output / "WRD-POL-01.docx")
    assert SCRIPTS in _body_text(document)
    assert _tables(document)[1][2][2] == "Борис Петров"


def test_render_keeps_docxtpl_markers_in_values(tmp_path: Path) -> None:
    source = docx.Document()
    source.add_paragraph("{{ value }}")
    path = tmp_path / "marker_tpl.docx"
    source.save(str(path))
    data = render_docx(open_template(path), path, {"value": "a {_{ b }_} {_% c %_} & <d>"},
                       dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert texts == ["a {_{ b }_} {_% c %_} & <d>"]


def _render_project(project: Path) -> dict[str, DocxDocument]:
    model, settings, coverage = _load(project)
    return {item.file_name: docx.Document(io.BytesIO(item.data))
            for item in render_word(model, settings, coverage)}


ODD_PROJECT = {"needs/a.yaml": """\
    documents:
      - {id: ODD-01, kind: other, title: Odd, version: "1", status: draft, owner: Me,
         classification: PUBLIC, sections: [{id: s, title: S}]}
      - {id: EMPTY-01, kind: other, title: Empty, version: "1", status: draft, owner: Me,
         classification: PUBLIC}
    needs:
      - id: POL_ODD
        type: pol
        title: Odd
        document: ODD-01
        section: s
        content: |
          # Inner heading

          ```{note}
          First box.
          ```

          ```{tip}
          Second box.
          ```

          See ![the logo](logo.png) and <script>x</script>, then {abbr}`LIFO (last in)`.
    """}


def test_adjacent_tables_stay_apart(make_project: Callable[..., Path]) -> None:
    document = _render_project(make_project(ODD_PROJECT))["ODD-01.docx"]
    tags = [element.tag for element in document.element.body]
    for first, second in zip(tags, tags[1:], strict=False):
        assert not (first == second == qn("w:tbl"))
    assert ["Note First box."] in _tables(document)[-2]
    assert ["Tip Second box."] in _tables(document)[-1]


def test_markup_without_word_form_stays_text(make_project: Callable[..., Path]) -> None:
    document = _render_project(make_project(ODD_PROJECT))["ODD-01.docx"]
    assert (3, "Inner heading") in _headings(document)
    text = _body_text(document)
    assert "See [image: the logo] and <script>x</script>, then LIFO (last in)." in text


def test_empty_document_says_so(make_project: Callable[..., Path]) -> None:
    document = _render_project(make_project(ODD_PROJECT))["EMPTY-01.docx"]
    texts = [text for _, text in _paragraphs(document)]
    assert "This document has no content yet." in texts
    assert "This document has no headings." in texts


# -- the traceability appendix -------------------------------------------------------------


def test_appendix_rows_follow_coverage(word_project: Path, word_output: Path) -> None:
    _, _, coverage = _load(word_project)
    tables = _tables(_open(word_output / "traceability.docx"))
    rows = {row[0].split()[0]: row for table in tables
            if table[0][:2] == ["Requirement", "Clause"] for row in table[1:]}
    assert set(rows) == set(coverage.requirements)
    for requirement_id, result in coverage.requirements.items():
        row = rows[requirement_id]
        assert row[1].startswith(result.requirement.clause)
        assert row[3] == result.status
        for artifact in result.satisfied_by:
            assert artifact in row[4]
    assert rows["REQ_WORD_UNMET"][4] == "Nothing; expected: procedure"
    assert rows["REQ_WORD_TRIAGE"][5] == "Missing"


def test_appendix_totals_match_coverage(word_project: Path, word_output: Path) -> None:
    _, _, coverage = _load(word_project)
    tables = _tables(_open(word_output / "traceability.docx"))
    totals = next(t for t in tables if t[0][0] == "Source")
    totals_row = coverage.totals
    assert totals[-1] == ["All requirements", str(totals_row.total), str(totals_row.covered),
                          str(totals_row.partial), str(totals_row.gap),
                          str(totals_row.excluded), "33.3%"]


def test_appendix_exclusions_say_if_in_force(word_project: Path, tmp_path: Path) -> None:
    path = word_project / "needs/requirements.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """\
exclusions:
  - requirement: REQ_WORD_POLICY
    justification: Covered by the group policy.
    approved_by: Board
    date: 2026-01-15
  - requirement: REQ_WORD_TRIAGE
    justification: Outsourced until March.
    approved_by: Board
    date: 2026-01-15
    expires: 2026-03-01
  - requirement: REQ_WORD_UNMET
    justification: Approved ahead of the reorganization.
    approved_by: Board
    date: 2026-07-01
""", encoding="utf-8")  # the project's today is 2026-06-30

    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))

    assert result.returncode == 0, result.stdout + result.stderr
    tables = _tables(_open(tmp_path / "out/word/traceability.docx"))
    exclusions = next(t for t in tables if t[0][-1] == "In force")
    in_force = {row[0]: row[-1] for row in exclusions[1:]}
    assert in_force == {"REQ_WORD_POLICY": "yes", "REQ_WORD_TRIAGE": "no, expired",
                        "REQ_WORD_UNMET": "no, from 2026-07-01"}


def test_appendix_without_document_is_draft(word_output: Path) -> None:
    document = _open(word_output / "traceability.docx")
    control = dict(row for row in _tables(document)[0])
    assert control["Document id"] == "TRACEABILITY"
    assert control["Status"] == "Draft"
    assert control["Version"] == "2026-06-30"
    assert document.sections[0].page_width > document.sections[0].page_height


# -- configuration ----------------------------------------------------------------------------


def _configure(project: Path, word: str) -> None:
    settings = project / "iso27035.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + word, encoding="utf-8")


def test_documents_setting_chooses_set_and_names(word_project: Path, tmp_path: Path) -> None:
    _configure(word_project, "word:\n  documents:\n    - id: WRD-TOR-01\n"
               "      file: Terms of reference\n    - id: WRD-POL-01\n")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    names = [line.split("  ")[1].strip() for line in result.stdout.splitlines()
             if line.startswith("  ")]
    assert names == ["Terms of reference.docx", "WRD-POL-01.docx", "traceability.docx"]


def test_separate_procedures_get_own_files(word_project: Path, tmp_path: Path) -> None:
    _configure(word_project, "word:\n  procedures: separate\n")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "word"
    single = _open(folder / "WRD-PRC-01-PROC_TRIAGE.docx")
    assert (1, "PROC_TRIAGE \u2013 Triage & assessment") in _headings(single)
    assert "Read the report." in _body_text(single)
    control = dict(row for row in _tables(single)[0])
    assert control["Document id"] == "WRD-PRC-01 PROC_TRIAGE"
    cover = _body_text(_open(folder / "WRD-PRC-01.docx"))
    assert "PROC_TRIAGE \u2013 Triage & assessment: see the separate document " \
           "WRD-PRC-01-PROC_TRIAGE.docx." in cover
    assert "Read the report." not in cover


def test_separate_draft_procedure_not_shown_approved(word_project: Path, tmp_path: Path
                                                   ) -> None:
    documents = word_project / "needs" / "documents.yaml"
    text = documents.read_text(encoding="utf-8")
    documents.write_text(text.replace(
        '    version: "0.3"\n    status: draft\n',
        '    version: "0.3"\n    status: approved\n    approver: Board\n'
        '    approved: 2026-03-01\n', 1), encoding="utf-8")
    _configure(word_project, "word:\n  procedures: separate\n")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / "word"
    draft = dict(row for row in _tables(_open(folder / "WRD-PRC-01-PROC_DRAFT_STEP.docx"))[0])
    assert draft["Status"] == "Draft"
    assert draft["Approved by"] == "-"
    assert draft["Approval date"] == "Not approved"
    approved = dict(row for row in _tables(_open(folder / "WRD-PRC-01-PROC_TRIAGE.docx"))[0])
    assert approved["Status"] == "Approved"
    assert approved["Approval date"] == "2026-03-01"


def test_traceability_document_opens_appendix(word_project: Path, tmp_path: Path) -> None:
    _configure(word_project, "word:\n  traceability:\n    document: WRD-TOR-01\n"
               "    file: appendix\n")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "out" / "word" / "WRD-TOR-01.docx").exists()
    document = _open(tmp_path / "out" / "word" / "appendix.docx")
    control = dict(row for row in _tables(document)[0])
    assert control["Document id"] == "WRD-TOR-01"
    assert control["Status"] == "Approved"
    assert (1, "Coverage summary") in _headings(document)
    assert (2, "ROLE_TEAM \u2013 Response team") in _headings(document)


@pytest.mark.parametrize(("word", "expected"), [
    ("word:\n  documents:\n    - id: WRD-POL-02\n",
     r"iso27035\.yaml:8: error: word settings name document 'WRD-POL-02', which no need "
     r"file defines \[iso27035\.unknown-reference\]\n    hint: did you mean WRD-POL-01\?"),
    ("word:\n  procedures: sometimes\n",
     r"iso27035\.yaml:7: error: iso27035\.yaml field 'word' field 'procedures' is "
     r"'sometimes', which is not allowed \[iso27035\.invalid-value\]\n"
     r"    hint: allowed values: volume, separate"),
    ("word:\n  documents:\n    - id: WRD-POL-01\n      template: letterhead.docx\n",
     r"iso27035\.yaml:9: error: Word template of document WRD-POL-01 cannot be used: "
     r"'letterhead\.docx' is not a file of the project \[iso27035\.unsafe-path\]"),
    ("word:\n  documents:\n    - id: WRD-POL-01\n      file: 'a/b'\n",
     r"iso27035\.yaml:9: error: file name 'a/b' contains '/', which file names cannot "
     r"contain \[iso27035\.invalid-value\]"),
    ("word:\n  documents:\n    - id: WRD-POL-01\n      file: same\n    - id: WRD-TOR-01\n"
     "      file: SAME\n",
     r"error: two Word documents would be written to SAME\.docx: document WRD-POL-01 and "
     r"document WRD-TOR-01 \[iso27035\.invalid-value\]"),
    ("word:\n  documents:\n    - id: WRD-POL-01\n    - id: WRD-POL-01\n",
     r"iso27035\.yaml:9: error: document WRD-POL-01 is listed twice in word\.documents"),
])
def test_invalid_word_settings_exit_2(word_project: Path, tmp_path: Path, word: str,
                                      expected: str) -> None:
    _configure(word_project, word)
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(expected, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "word").exists()


def test_file_name_rules() -> None:
    assert file_name_problem("IM-POL-01 Policy v2.1") is None
    assert file_name_problem("") == "is empty"
    assert file_name_problem("a:b") == "contains ':', which file names cannot contain"
    assert file_name_problem("name.") == "starts or ends with a space or a dot"
    assert file_name_problem("CON") == "is a device name that Windows reserves"


# -- templates ----------------------------------------------------------------------------


def _project_template(project: Path, name: str) -> Path:
    folder = project / "templates" / "word"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPOSITORY / "templates" / "word" / name, folder / name)
    return folder / name


def _append_paragraph(path: Path, text: str) -> None:
    document = docx.Document(str(path))
    document.add_paragraph(text)
    document.save(str(path))


def test_project_template_overrides_bundled(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    _append_paragraph(template, "Letterhead of {{ organization }}")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    texts = [text for _, text in _paragraphs(_open(tmp_path / "out" / "word" / "WRD-POL-01.docx"))]
    assert "Letterhead of Müller & Söhne <Test> \"GmbH\"" in texts
    tor = [text for _, text in _paragraphs(_open(tmp_path / "out" / "word" / "WRD-TOR-01.docx"))]
    assert not any(text.startswith("Letterhead") for text in tor)


def test_document_template_setting(word_project: Path, tmp_path: Path) -> None:
    template = word_project / "letterhead_tpl.docx"
    shutil.copy(REPOSITORY / "templates" / "word" / "document_tpl.docx", template)
    _append_paragraph(template, "Own template")
    _configure(word_project, "word:\n  documents:\n    - id: WRD-TOR-01\n"
               "      template: letterhead_tpl.docx\n")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    texts = [text for _, text in _paragraphs(_open(tmp_path / "out" / "word" / "WRD-TOR-01.docx"))]
    assert "Own template" in texts


def test_unknown_template_variable_exits_2(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    _append_paragraph(template, "Approved by {{ signatory }}")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert re.search(r"WRD-POL-01\.docx: Word template .*policy_tpl\.docx uses 'signatory', "
                     "which the context does not provide", result.stderr), result.stderr
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "out" / "word").exists()


def test_unknown_attribute_in_template_exits_2(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    _append_paragraph(template, "{{ document.signatory }}")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert re.search(r"WRD-POL-01\.docx: Word template .*policy_tpl\.docx uses "
                     r"'document\.signatory', which the context does not provide; available "
                     r"in document: approved, approver, classification, id, ", result.stderr), \
        result.stderr
    assert "Use one of these, or remove the tag from the template" in result.stderr
    assert "dict object" not in result.stderr
    assert not (tmp_path / "out" / "word").exists()


def test_unknown_entry_attribute_exits_2(word_project: Path, tmp_path: Path) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    source = docx.Document(str(template))
    history = source.tables[1]
    history.rows[2].cells[2].paragraphs[0].runs[0].text = "{{ entry.signer }}"
    source.save(str(template))
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert re.search(r"policy_tpl\.docx uses 'signer' of an entry of history, which the "
                     r"context does not provide; available in an entry of history: author, "
                     r"change, date, version\.", result.stderr), result.stderr


def _replace_placeholder(path: Path, old: str, new: str) -> None:
    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        if paragraph.text.strip() == old:
            for run in paragraph.runs[1:]:
                run.text = ""
            paragraph.runs[0].text = new
            break
    else:
        raise AssertionError(f"{old!r} not in {path}")
    document.save(str(path))


@pytest.mark.parametrize(("original", "placeholder", "message"), [
    ("{{p body }}", "Body goes here", r"does not place body: add \{\{p body \}\}"),
    ("{{p body }}", "Body: {{ body }}", r"places body inside a line of text, where Word does "
                                        r"not show it: put \{\{p body \}\} in a paragraph"),
    ("{{p body }}", "{{r body }}", r"places body inside a line of text"),
    ("{{p table_of_contents }}", "Contents: {{ table_of_contents }}",
     r"places table_of_contents inside a line of text, where Word does not show it: put "
     r"\{\{p table_of_contents \}\} in a paragraph of its own"),
], ids=["missing", "inline", "run", "inline-contents"])
def test_template_fragment_misplaced_exits_2(word_project: Path, tmp_path: Path, original: str,
                                             placeholder: str, message: str) -> None:
    template = _project_template(word_project, "policy_tpl.docx")
    _replace_placeholder(template, original, placeholder)
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert re.search(r"policy_tpl\.docx " + message, result.stderr), result.stderr
    assert not (tmp_path / "out" / "word").exists()


def test_template_without_export_styles_exits_2(word_project: Path, tmp_path: Path) -> None:
    folder = word_project / "templates" / "word"
    folder.mkdir(parents=True)
    plain = docx.Document()
    plain.add_paragraph("{{p body }}")
    plain.save(str(folder / "policy_tpl.docx"))
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert re.search(r"lacks paragraph style 'Source Code'", result.stderr), result.stderr
    assert "start from a copy of a bundled template" in result.stderr


def test_broken_template_file_exits_2(word_project: Path, tmp_path: Path) -> None:
    folder = word_project / "templates" / "word"
    folder.mkdir(parents=True)
    (folder / "policy_tpl.docx").write_text("not a zip", encoding="utf-8")
    result = run_cli("docx", "--project", str(word_project), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "is not a .docx file" in result.stderr


def test_bundled_templates_are_current(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, str(REPOSITORY / "templates/word/make_templates.py"),
                             str(tmp_path)], capture_output=True, text=True, timeout=120,
                            check=False, env=environment)
    assert result.returncode == 0, result.stderr
    written = sorted(tmp_path.glob("*_tpl.docx"))
    assert len(written) == 7
    for path in written:
        committed = REPOSITORY / "templates" / "word" / path.name
        assert path.read_bytes() == committed.read_bytes(), \
            f"{path.name} differs from what make_templates.py writes; run the script"


def test_bundled_templates_open_and_render(tmp_path: Path) -> None:
    for path in sorted((REPOSITORY / "templates" / "word").glob("*_tpl.docx")):
        document = docx.Document(str(path))
        assert any("{{p body }}" in p.text for p in document.paragraphs), path


# -- PDF -----------------------------------------------------------------------------------


def _path_without_libreoffice(tmp_path: Path) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    os.symlink(sys.executable, folder / "python")
    return str(folder)


def test_pdf_without_libreoffice_says_how(word_project: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": _path_without_libreoffice(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "generators", "docx", "--pdf", "--project",
                             str(word_project), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=600, check=False, env=env)
    if find_libreoffice() and Path("/Applications/LibreOffice.app").exists():
        pytest.skip("LibreOffice is installed in /Applications")
    assert result.returncode == 2
    assert "--pdf needs LibreOffice" in result.stderr
    assert "apt-get install libreoffice-writer" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(find_libreoffice() is None, reason="LibreOffice is not installed")
def test_pdf_next_to_each_document(copy_root: Callable[[str], Path], tmp_path: Path) -> None:
    project = copy_root("complete")
    result = run_cli("docx", "--pdf", "--project", str(project), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    for path in (tmp_path / "out" / "word").glob("*.docx"):
        pdf = path.with_suffix(".pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
    assert "3 document(s) and 3 PDF(s)" in result.stdout


# -- units -----------------------------------------------------------------------------------


def test_bookmark_names_fit_word() -> None:
    assert bookmark_name("POL_SCOPE") == "POL_SCOPE"
    long_name = bookmark_name("PROC_" + "X" * 60)
    assert len(long_name) <= 40
    assert long_name != bookmark_name("PROC_" + "X" * 61)
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", bookmark_name("1-two"))


def test_column_widths_share_total() -> None:
    widths = column_widths([["Id", "Description"], ["A", "A long text " * 10]], 9000)
    assert sum(widths) == 9000
    assert widths[0] < widths[1]
    assert column_widths([["a", "b"]], 1000, [1, 3]) == [250, 750]


def test_missing_bundled_template_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not found"):
        open_template(tmp_path / "nothing_tpl.docx")


# -- the bundled example --------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_documents() -> dict[str, DocxDocument]:
    """Render the bundled example's documents in memory, opened with python-docx."""
    model, settings, coverage = _load(REPOSITORY)
    return {item.file_name: docx.Document(io.BytesIO(item.data))
            for item in render_word(model, settings, coverage)}


def test_example_exports_full_set(example_documents: dict[str, DocxDocument]) -> None:
    model, _, _ = _load(REPOSITORY)
    expected = {f"{document_id}.docx" for document_id in model.documents}
    assert set(example_documents) == expected | {"traceability.docx"}


def test_example_policy_shows_every_statement(example_documents: dict[str, DocxDocument]
                                              ) -> None:
    model, _, _ = _load(REPOSITORY)
    document = example_documents["IM-POL-01.docx"]
    headings = _headings(document)
    text = _body_text(document)
    statements = [n for n in model.of_type(PolicyStatement) if n.document == "IM-POL-01"]
    assert statements
    for statement in statements:
        assert (2, f"{statement.id} \u2013 {statement.title}") in headings
        for line in _plain(statement.content)[:3]:
            words = line.split()[:4]
            assert " ".join(words) in text, (statement.id, line)


def test_example_procedures_show_every_step(example_documents: dict[str, DocxDocument]
                                            ) -> None:
    model, _, _ = _load(REPOSITORY)
    for document_id in ("IM-PRC-01", "IM-PB-01"):
        if document_id not in model.documents:
            continue
        text = _body_text(example_documents[f"{document_id}.docx"])
        for procedure in document_needs(model, model.documents[document_id]):
            assert procedure.id in text
            if isinstance(procedure, Procedure):
                for step in procedure.steps:
                    words = _plain(step)[0].split()[:4]
                    assert " ".join(words) in text, (procedure.id, step[:40])


def test_example_plan_shows_scales_and_forms(example_documents: dict[str, DocxDocument]
                                            ) -> None:
    model, _, _ = _load(REPOSITORY)
    document = example_documents["IM-PLAN-01.docx"]
    headings = [text for _, text in _headings(document)]
    tables = _tables(document)
    for scale in model.scales.values():
        if scale.document == "IM-PLAN-01":
            assert scale.title in headings
            rows = next(t for t in tables if t[0][:2] == ["Value", "Level"]
                        and t[1][0] == scale.levels[0].value)
            assert [row[1] for row in rows[1:]] == [level.label for level in scale.levels]
    forms = [f for f in model.of_type(Form) if f.document == "IM-PLAN-01"]
    if forms:
        assert "Forms of this document" in headings
        text = _body_text(document)
        for form in forms:
            assert form.id in text


def test_example_appendix_lists_every_requirement(example_documents: dict[str, DocxDocument]
                                                  ) -> None:
    _, _, coverage = _load(REPOSITORY)
    tables = _tables(example_documents["traceability.docx"])
    rows = {row[0].split()[0]: row[3] for table in tables
            if table[0][:2] == ["Requirement", "Clause"] for row in table[1:]}
    assert rows == {key: result.status for key, result in coverage.requirements.items()}
