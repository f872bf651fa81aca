"""The meeting pack anchors a Word comment on its quoted words where they now stand, as the reading
page marks them (app.review.anchoring): found again after an edit, else on the whole paragraph."""

from __future__ import annotations

from dataclasses import replace

from app.meetings.pack import write_pack
from app.review.compilation import PackComment
from tests.meetings.ooxml import schema_problems, word_rule_problems
from tests.meetings.test_docx_writer import CHANGED, make_pack
from tests.meetings.test_pack_validity import _range_text

# Paragraph p1 of the writer's test pack reads "Detta är fet text med länk." in the presented
# version; it read "Detta är gammal text med länken." when these comments were made.
THEN = "Detta är gammal text med länken."


def quoted(number: int, author: str, exact: str) -> PackComment:
    start = THEN.index(exact)
    end = start + len(exact)
    return PackComment(
        number, "p1", "1 ¶1", "1 Inledning", "SKR", author, "Om citatet.", "0.1", CHANGED,
        quote=exact, quote_prefix=THEN[max(0, start - 32) : start], quote_suffix=THEN[end : end + 32],
        quote_start=start,
    )  # fmt: skip


def test_a_quote_edited_since_is_anchored_on_its_words_now_a_lost_one_on_the_paragraph():
    pack = make_pack()
    extra = [
        quoted(30, "Inflected", "text med länken"),  # "länken" is now "länk"
        quoted(31, "Lost", "gammal"),  # the word was replaced
    ]
    data = write_pack(replace(pack, comments=[*pack.comments, *extra]))
    assert schema_problems(data) == [] and word_rule_problems(data) == []
    assert _range_text(data, "Inflected (SKR)") == "text med länk"
    assert _range_text(data, "Lost (SKR)") == "Detta är gammalfet text med länk."  # the whole paragraph
