"""The editor's markup: rich text to Markdown inline markup and back, tables, splitting, span replacement."""

from __future__ import annotations

import random

import pytest

from app.documents.models import BlockKind
from app.drafting.markup import block_from_markup, block_to_markup, from_markup, split_parts, to_markup
from app.richtext import Segment, from_segments, replace_span, segments


@pytest.mark.parametrize(
    ("html", "markup"),
    [
        ("Vanlig text.", "Vanlig text."),
        ("Myndigheter skapar <strong>mycket</strong> material.", "Myndigheter skapar **mycket** material."),
        ("En <em>kursiv</em> och <strong><em>båda</em></strong>.", "En *kursiv* och ***båda***."),
        ('Se <a href="https://www.digg.se/">DIGG</a>.', "Se [DIGG](https://www.digg.se/)."),
        ('<a href="https://e.org/"><strong>Fet</strong> länk</a>', "[**Fet** länk](https://e.org/)"),
        ("Tecken * _ [ ] &amp; &lt;b&gt; `kod`", r"Tecken \* \_ \[ \] \& \<b\> \`kod\`"),
        ("<strong>Fet </strong>text", "**Fet** text"),
    ],
)
def test_to_markup_and_back(html, markup):
    assert to_markup(html) == markup
    assert _marks(from_markup(markup)) == _marks(html)


def _marks(html):
    """Each visible character with its formatting: what a reader sees, spaces aside."""
    return [(c, run.marks()) for run in segments(html) for c in run.text if c != " "]


def test_ordinary_prose_round_trips_exactly():
    rng = random.Random(7)
    words = ["ord", "text.", "(se", "bilaga)", "slut,", "å", '"citat"', "3 §", "x", "ä-ö"]
    for _ in range(2000):
        runs = [
            Segment(
                rng.choice(words) + " ",
                rng.random() < 0.3,
                rng.random() < 0.3,
                rng.choice([None, None, "https://e.org/a", "https://e.org/(x)"]),
            )
            for _ in range(rng.randint(1, 6))
        ]
        html = from_segments(runs)
        assert _marks(from_markup(to_markup(html))) == _marks(html), html


def test_markup_cannot_smuggle_html_or_script_links():
    assert from_markup("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<a" not in from_markup("[klicka](javascript:alert(1))")
    assert from_markup("[klicka](https://e.org/)") == '<a href="https://e.org/">klicka</a>'
    assert from_markup('<img src=x onerror="alert(1)">') == '&lt;img src=x onerror="alert(1)"&gt;'


def test_tables_one_row_per_line_cells_split_by_pipes():
    stored = "Licens\tAnvändning\nCC BY <strong>4.0</strong>\tText | bild"
    markup = block_to_markup(BlockKind.TABLE, stored)
    assert markup == "Licens | Användning\nCC BY **4.0** | Text \\| bild"
    assert block_from_markup(BlockKind.TABLE, markup) == stored
    assert block_from_markup(BlockKind.TABLE, "a | b\nc\n\n") == "a\tb\nc\t"


def test_split_parts_cut_at_empty_lines():
    assert split_parts("Ett.\n\nTvå.\r\n  \r\nTre.\n") == ["Ett.", "Två.", "Tre."]
    assert split_parts("Bara en\nrad till.") == ["Bara en\nrad till."]


def test_replace_span_keeps_formatting_around_it():
    html = "Data <strong>ska publiceras</strong> med CC0."
    assert replace_span(html, 5, 19, "bör <em>alltid</em> publiceras") == (
        "Data bör <em>alltid</em> publiceras med CC0."
    )
    assert replace_span(html, 9, 19, "släppas") == "Data <strong>ska </strong>släppas med CC0."
    assert replace_span("Hej", 0, 3, "<script>x</script>Hå") == "Hå"
