"""The compilation of comments as CSV (for Excel) and JSON, and its grouping and labels."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.review.compilation import (
    PackComment,
    by_section,
    compilation_csv,
    compilation_json,
    fill,
    labels,
    status_label,
)

WHEN = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def comment(number: int, **changes) -> PackComment:
    return replace(
        PackComment(
            number=number,
            block_uid=f"b{number}",
            ref=f"1 ¶{number}",
            section="1 Inledning",
            organisation="Lunds universitet",
            author="Åsa Öberg",
            body_text=f"Synpunkt {number}",
            version_label="0.1",
            created_at=WHEN,
        ),
        **changes,
    )


COMMENTS = [
    comment(
        1,
        kind="suggestion",
        suggestion="En <strong>ny</strong> lydelse av stycket.",
        suggestion_base="En gammal lydelse av stycket.",
        quote="gammal lydelse",
    ),
    comment(2, section="2 Licenser", status="accepted", response="Ändrat.", decided_by="Eva"),
    comment(3, block_uid=None, ref="", section="", kind="question", body_text="Allmänt"),
    comment(4, withdrawn=True, body_text="Återkallad"),
    comment(5, status="duplicate", duplicate_of=1, section="2 Licenser"),
]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_groups_put_general_comments_first_then_sections_in_reading_order():
    groups = by_section(COMMENTS, labels("sv"))
    assert [(label, [c.number for c in group]) for label, group in groups] == [
        ("Allmänna synpunkter", [3]),
        ("1 Inledning", [1, 4]),
        ("2 Licenser", [2, 5]),
    ]


def test_status_labels_name_withdrawn_and_duplicates():
    sv = labels("sv")
    assert status_label(COMMENTS[1], sv) == "Beaktad"
    assert status_label(COMMENTS[3], sv) == "Återkallad"
    assert status_label(COMMENTS[4], sv) == "Dubblett av #1"
    # An open comment is "Öppen" / "Open" in the files as on the pages (issue 23): one name.
    assert status_label(COMMENTS[0], sv) == "Öppen"
    assert status_label(COMMENTS[0], labels("en")) == "Open"


def test_labels_fall_back_to_swedish_and_take_overrides():
    assert labels("fi")["compilation"] == "Sammanställning av inkomna synpunkter"
    assert labels("en", {"compilation": "Comments"})["compilation"] == "Comments"


def test_fill_leaves_braces_in_values_and_unknown_placeholders_alone():
    assert fill("Version {label} {other}", label="{x}") == "Version {x} {other}"


def test_csv_is_excel_friendly_utf8_with_bom_and_crlf():
    data = compilation_csv(COMMENTS, labels("sv"))
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = read_csv(data)
    assert rows[0][:4] == ["Nr", "Version", "Avsnitt", "Stycke"]
    assert [r[0] for r in rows[1:]] == ["3", "1", "4", "2", "5"]
    by_number = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    # The whole proposed paragraph, and the text it was made on.
    assert by_number["1"]["Ändringsförslag"] == "En ny lydelse av stycket."
    assert by_number["1"]["Text som förslaget gäller"] == "En gammal lydelse av stycket."
    assert by_number["2"]["Text som förslaget gäller"] == ""
    assert by_number["1"]["Citat"] == "gammal lydelse"
    assert by_number["1"]["Författare"] == "Åsa Öberg"
    assert by_number["2"]["Status"] == "Beaktad"
    assert by_number["2"]["Svar och motivering"] == "Ändrat."
    assert by_number["3"]["Avsnitt"] == "Allmänna synpunkter"
    assert by_number["3"]["Typ"] == "Fråga"
    assert by_number["4"]["Status"] == "Återkallad"
    assert by_number["1"]["Inkommen"] == "2025-03-01T09:30:00Z"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_csv_neutralises_formulas(start):
    hostile = comment(9, body_text=f'{start}HYPERLINK("http://x")', author=f"{start}1+1", organisation="-2")
    rows = read_csv(compilation_csv([hostile], labels("sv")))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Synpunkt"] == f'\'{start}HYPERLINK("http://x")'
    assert row["Författare"] == f"'{start}1+1"
    assert row["Organisation"] == "'-2"


def test_csv_keeps_line_breaks_inside_a_cell():
    rows = read_csv(compilation_csv([comment(1, body_text="rad ett\nrad två")], labels("sv")))
    assert len(rows) == 2 and rows[1][7] == "rad ett\nrad två"


def test_json_has_a_fixed_key_order_and_machine_values():
    data = compilation_json(COMMENTS, labels("sv"), about={"meeting_date": WHEN, "version": "0.2"})
    assert "Åsa".encode() in data  # not \u00c5 escapes
    document = json.loads(data)
    assert document["about"] == {"meeting_date": "2025-03-01T09:30:00Z", "version": "0.2"}
    rows = document["comments"]
    assert [r["number"] for r in rows] == [3, 1, 4, 2, 5]
    assert list(rows[0]) == [
        "number", "version", "section", "ref", "block_uid", "organisation", "author", "kind",
        "body", "quote", "suggestion", "suggestion_html", "suggestion_base", "suggestion_base_html",
        "status", "status_label",
        "duplicate_of", "response", "replies", "decided_by", "withdrawn", "hidden", "hidden_reason", "open",
        "created_at", "decided_in_version", "decided_at",
    ]  # fmt: skip
    by_number = {r["number"]: r for r in rows}
    assert by_number[1]["suggestion"] == "En ny lydelse av stycket."
    assert by_number[1]["suggestion_html"] == "En <strong>ny</strong> lydelse av stycket."
    assert by_number[1]["suggestion_base"] == "En gammal lydelse av stycket."
    assert by_number[1]["suggestion_base_html"] == "En gammal lydelse av stycket."
    assert by_number[2]["suggestion_base"] is None and by_number[2]["suggestion_base_html"] is None
    assert by_number[1]["open"] is True
    assert by_number[4]["status"] == "withdrawn" and by_number[4]["open"] is False
    assert by_number[5]["status_label"] == "Dubblett av #1"
    assert by_number[3]["block_uid"] is None


def test_outputs_are_deterministic():
    strings = labels("sv")
    assert compilation_csv(COMMENTS, strings) == compilation_csv(list(COMMENTS), strings)
    assert compilation_json(COMMENTS, strings) == compilation_json(list(COMMENTS), strings)
