"""The outcome as DOCX: opens in python-docx, valid against the ECMA-376 schemas, converted by LibreOffice."""

from __future__ import annotations

import io
import subprocess
import zipfile

import docx
import pytest
from lxml import etree

from tests import office
from tests.meetings.ooxml import schema_problems, word_rule_problems
from tests.responses.test_outcome import demo  # noqa: F401  (fixture)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def outcome_docx(client, demo) -> bytes:  # noqa: F811
    response = client.get("/d/oppna-licenser/v/1/outcome.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "remissammanstallning.docx" in response.headers["Content-Disposition"]
    return response.get_data()


def test_python_docx_reads_the_report_with_its_sections_in_order(outcome_docx):
    document = docx.Document(io.BytesIO(outcome_docx))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading 1", "Title"))]
    assert headings == [
        "Remissammanställning",
        "Inkomna remissvar",
        "Ställningstaganden per avsnitt",
        "Remissvaren i sin helhet",
        "Synpunkter per beslut och organisation",
        "Synpunkter per stycke med beslut",
    ]
    responses = document.tables[0]
    rows = [[c.text for c in r.cells] for r in responses.rows]
    assert rows[0][:2] == ["Organisation", "Ställningstagande"]
    by_org = {r[0]: r[1] for r in rows[1:]}
    assert by_org["Samtrafiken"] == "Tillstyrker med synpunkter"
    assert by_org["Alingsås kommun"] == "Tillstyrker med synpunkter"  # the replacement, not the replaced
    assert by_org["Migrationsverket"] == "Inget svar"
    assert by_org["Arbetsförmedlingen"] == "Inget svar"  # a draft is no answer
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Ett tidigare svar inkom 2020-09-14 och ersattes 2020-09-21: Avstyrker." in text
    assert (
        "källhänvisning" in text
        and "**" not in text.split("Remissvaren i sin helhet")[1].split("Synpunkter")[0]
    )
    assert document.sections[-1].orientation == 1  # the comment tables in landscape
    assert document.sections[0].footer.paragraphs[0].text.startswith("Remissammanställning · Vägledning")


def test_every_part_is_valid_against_the_schemas_and_words_rules(outcome_docx):
    # The meeting pack's own checks (issue 13): every XML part against ECMA-376, and what Word refuses.
    assert schema_problems(outcome_docx) == []
    assert word_rule_problems(outcome_docx) == []
    with zipfile.ZipFile(io.BytesIO(outcome_docx)) as package:
        assert "word/footer1.xml" in package.namelist()
        assert "docProps/thumbnail.jpeg" not in package.namelist()


def test_the_same_outcome_gives_the_same_bytes(client, outcome_docx):
    assert client.get("/d/oppna-licenser/v/1/outcome.docx").get_data() == outcome_docx


@pytest.mark.libreoffice
def test_libreoffice_converts_the_report(tmp_path, outcome_docx):
    office.require("soffice", "pdftotext")
    source = tmp_path / "outcome.docx"
    source.write_bytes(outcome_docx)
    pdf = office.convert(source, "pdf", tmp_path)
    text = office.pdf_text(pdf, layout=True)
    for expected in (
        "Remissammanställning",
        "Inkomna remissvar",
        "Samtrafiken",
        "Tillstyrker med synpunkter",
        "Synpunkter per stycke med beslut",
        "Avstår från att yttra sig",
    ):
        assert expected in text, expected
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) >= 2


def test_an_english_reader_gets_the_report_in_english_and_valid(client, demo):  # noqa: F811
    response = client.get("/d/oppna-licenser/v/1/outcome.docx", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200
    body = response.get_data()
    document = docx.Document(io.BytesIO(body))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading 1", "Title"))]
    assert headings == [
        "Consultation outcome",
        "Responses received",
        "Positions per section",
        "The responses in full",
        "Comments by decision and organisation",
        "Comments per paragraph with decisions",
    ]
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert rows[0][:2] == ["Organisation", "Position"]
    assert {r[0]: r[1] for r in rows[1:]}["Samtrafiken"] == "Supports with comments"
    assert "Tillstyrker" not in "\n".join(p.text for p in document.paragraphs)
    assert document.core_properties.language == "en-GB"
    assert schema_problems(body) == [] and word_rule_problems(body) == []


def test_a_suggestion_reads_as_its_word_diff_in_the_paragraph_table(outcome_docx):
    with zipfile.ZipFile(io.BytesIO(outcome_docx)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    table = body.findall(f".//{W}tbl")[-1]
    cell = next(
        tc
        for tr in table.findall(f"{W}tr")
        for tc in tr.findall(f"{W}tc")
        if "märkas med CC0" in "".join(tc.itertext())
    )
    struck = "".join(
        r.findtext(f"{W}t") or "" for r in cell.iter(f"{W}r") if r.find(f"{W}rPr/{W}strike") is not None
    )
    underlined = "".join(
        r.findtext(f"{W}t") or "" for r in cell.iter(f"{W}r") if r.find(f"{W}rPr/{W}u") is not None
    )
    assert struck == "alltid vara fria att använda"
    assert underlined == "märkas med CC0 även när själva datamängden har en annan licens"
    # The comment comes first, then "Ändringsförslag:" and the whole paragraph with its changes marked.
    text = "".join(cell.itertext())
    assert "Ändringsförslag: Vi rekommenderar CC0" in text and text.index("Förtydliga") < text.index(
        "Ändringsförslag"
    )
