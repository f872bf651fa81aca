"""Reference numbers for headings and paragraphs."""

from types import SimpleNamespace as B

from app.documents.numbering import number_blocks


def refs(*blocks):
    return [(r.section, r.paragraph) for r in number_blocks([B(kind=k, level=lv) for k, lv in blocks])]


def test_headings_are_numbered_by_level_and_paragraphs_within_sections():
    assert refs(
        ("paragraph", 1),
        ("heading", 1),
        ("paragraph", 1),
        ("heading", 2),
        ("paragraph", 1),
        ("bullet", 1),
        ("heading", 3),
        ("heading", 2),
        ("heading", 1),
        ("table", 1),
    ) == [
        ("", 1),
        ("1", None),
        ("1", 1),
        ("1.1", None),
        ("1.1", 1),
        ("1.1", 2),
        ("1.1.1", None),
        ("1.2", None),
        ("2", None),
        ("2", 1),
    ]


def test_a_skipped_level_counts_from_one():
    # 1.1.1 implies a 1.1, so the next level-2 heading is 1.2.
    assert refs(("heading", 1), ("heading", 3), ("heading", 2)) == [
        ("1", None),
        ("1.1.1", None),
        ("1.2", None),
    ]


def test_leading_heading_level_two_gets_a_parent_number():
    assert refs(("heading", 2), ("paragraph", 1)) == [("1.1", None), ("1.1", 1)]
