"""The demo document's text is canonical rich text and its two drafts differ as designed."""

from __future__ import annotations

from datetime import date
from difflib import SequenceMatcher

import pytest

from app.demo import content
from app.richtext import plain, sanitize_inline, segments, table_rows, table_text
from app.worddiff import word_ops

KINDS = {"heading", "paragraph", "bullet", "number", "quote", "table"}
DRAFTS = {"v1": content.VERSION_1, "v2": content.VERSION_2}
ALLOWED_LINK_PREFIXES = (
    "https://creativecommons.org/",
    "https://interoperable-europe.ec.europa.eu/",
    "https://www.dataportal.se/",
    "https://www.riksdagen.se/",
)


def _by_key(blocks) -> dict[str, tuple]:
    return {b[0]: b for b in blocks}


def _lcs(a: list[str], b: list[str]) -> set[str]:
    """Keys on a longest common subsequence of two key orders (the ones that did not move)."""
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = (
                lengths[i + 1][j + 1] + 1 if a[i] == b[j] else max(lengths[i + 1][j], lengths[i][j + 1])
            )
    kept, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def _changes() -> dict[str, set[str]]:
    v1, v2 = _by_key(content.VERSION_1), _by_key(content.VERSION_2)
    common = v1.keys() & v2.keys()
    order1 = [b[0] for b in content.VERSION_1 if b[0] in common]
    order2 = [b[0] for b in content.VERSION_2 if b[0] in common]
    return {
        "edited": {k for k in common if v1[k][3] != v2[k][3]},
        "new": set(v2) - set(v1),
        "removed": set(v1) - set(v2),
        "moved": common - _lcs(order1, order2),
    }


def test_document_metadata():
    assert content.SLUG == "oppna-licenser"
    assert content.LICENCE == "CC-BY-4.0"
    assert content.TITLE.startswith("Vägledning om öppna licenser")
    assert 0 < content.DESCRIPTION.count(".") <= 2


@pytest.mark.parametrize("name", DRAFTS)
def test_every_text_is_already_canonical_rich_text(name):
    for key, kind, _level, text in DRAFTS[name]:
        assert text, key
        if kind == "table":
            rows = table_rows(text)
            assert len(rows) >= 3 and len({len(r) for r in rows}) == 1, key
            assert all(sanitize_inline(cell) == cell and cell for row in rows for cell in row)
            assert table_text(rows) == text
        else:
            assert "\t" not in text and "\n" not in text, key
            assert sanitize_inline(text) == text, key


@pytest.mark.parametrize("name", DRAFTS)
def test_shape_of_each_draft(name):
    blocks = DRAFTS[name]
    keys = [b.key for b in blocks]
    assert len(blocks) >= 40
    assert len(set(keys)) == len(keys), "keys must be unique within a draft"
    assert blocks[0].kind == "heading" and blocks[0].level == 1
    for key, kind, level, _text in blocks:
        assert kind in KINDS, key
        assert 1 <= level <= 3, key
        if kind not in {"heading", "bullet", "number"}:
            assert level == 1, key
    headings = [b for b in blocks if b.kind == "heading"]
    assert sum(h.level == 1 for h in headings) >= 6
    assert {h.level for h in headings} == {1, 2, 3}
    kinds = [b.kind for b in blocks]
    assert kinds.count("quote") == 1 and kinds.count("table") == 1
    assert kinds.count("bullet") >= 3 and kinds.count("number") >= 3
    assert any(s.bold for b in blocks for s in segments(b.text))
    assert any(s.italic for b in blocks for s in segments(b.text))


def test_every_link_is_https_to_a_known_site():
    texts = [b.text for blocks in DRAFTS.values() for b in blocks]
    texts += [c.suggestion or "" for c in content.DEMO_COMMENTS]
    hrefs = {s.href for t in texts for s in segments(t) if s.href}
    assert len(hrefs) >= 3
    for href in hrefs:
        assert href.startswith(ALLOWED_LINK_PREFIXES), href


def test_second_draft_differs_from_the_first_as_a_realistic_revision():
    changes = _changes()
    v1, v2 = _by_key(content.VERSION_1), _by_key(content.VERSION_2)
    assert 3 <= len(changes["edited"]) <= 5
    assert 1 <= len(changes["new"]) <= 2
    assert len(changes["removed"]) == 1
    assert len(changes["moved"]) == 1
    touched = set().union(*changes.values())
    assert all(v1.get(k, v2.get(k))[1] == "paragraph" for k in touched)
    # The moved paragraph moves as it was; everything untouched is byte-for-byte the same.
    assert not changes["moved"] & changes["edited"]
    for key in v1.keys() & v2.keys() - changes["edited"]:
        assert v1[key] == v2[key], key


def test_edits_are_word_level_clarifications_not_rewrites():
    v1, v2 = _by_key(content.VERSION_1), _by_key(content.VERSION_2)
    for key in _changes()["edited"]:
        before, after = plain(v1[key][3]).split(), plain(v2[key][3]).split()
        matcher = SequenceMatcher(None, before, after, autojunk=False)
        kept = sum(m.size for m in matcher.get_matching_blocks())
        assert kept / len(before) >= 0.7, key
        assert before != after, key


def test_versions_list_both_drafts_in_publication_order():
    labels = [v["label"] for v in content.VERSIONS]
    assert labels == ["Utkast 1", "Utkast 2"]
    assert content.VERSIONS[0]["blocks"] is content.VERSION_1
    assert content.VERSIONS[1]["blocks"] is content.VERSION_2
    dates = [date.fromisoformat(v["published"]) for v in content.VERSIONS]
    assert dates == sorted(dates) and dates[0] != dates[1]
    assert all(v["summary"].strip() for v in content.VERSIONS)


def test_demo_comments_point_at_real_blocks_and_quote_them_exactly():
    v1 = _by_key(content.VERSION_1)
    comments = content.DEMO_COMMENTS
    assert 6 <= len(comments) <= 12
    assert {c.author_email for c in comments} == {
        "member@demo.example",
        "member2@demo.example",
    }
    assert {c.kind for c in comments} == {"comment", "question", "suggestion"}
    for c in comments:
        assert c.block_key in v1, c.block_key
        assert c.body.strip()
        if c.quote is not None:
            assert plain(v1[c.block_key][3]).count(c.quote) == 1, c.quote
        if c.suggestion is not None:
            assert sanitize_inline(c.suggestion) == c.suggestion
    # One comment is on the paragraph the second draft removes ("comments on removed text").
    assert any(c.block_key in _changes()["removed"] for c in comments)


def test_accepted_suggestions_are_what_the_second_draft_says():
    v2 = _by_key(content.VERSION_2)
    edited = _changes()["edited"]
    applied = 0
    for c in content.DEMO_COMMENTS:
        if c.suggestion is None or c.block_key not in edited:
            continue
        # A suggestion is the whole paragraph as proposed, quote or no quote.
        assert c.suggestion == v2[c.block_key][3], c.block_key
        applied += 1
    assert applied >= 2


def test_every_demo_suggestion_proposes_a_changed_paragraph():
    v1, v2 = _by_key(content.VERSION_1), _by_key(content.VERSION_2)
    on_v1 = [(c, v1) for c in content.DEMO_COMMENTS] + [(c, v2) for c in content.DEMO_COMMENTS_V2]
    several = 0
    for c, blocks in on_v1:
        if c.kind != "suggestion":
            assert c.suggestion is None
            continue
        base = blocks[c.block_key][3]
        assert c.suggestion and c.suggestion != base, c.block_key
        ops = word_ops(base, c.suggestion)
        changes = sum(
            1 for i, (tag, _runs) in enumerate(ops) if tag != "equal" and (i == 0 or ops[i - 1][0] == "equal")
        )
        several += changes >= 2
        if c.quote is not None:
            # The quote points at words of the text the suggestion was made on.
            assert plain(base).count(c.quote) == 1
    assert several >= 2


def test_the_text_cites_the_sources_the_guidance_rests_on():
    text = " ".join(plain(b.text) for b in content.VERSION_1)
    for citation in [
        "(EU) 2019/1024",
        "lagen (2010:566) om vidareutnyttjande av handlingar",
        "lagen (1960:729) om upphovsrätt till litterära och konstnärliga verk",
        "9 §",
        "40 a §",
        "49 §",
        "2 kap. tryckfrihetsförordningen",
        "CC BY 4.0",
        "CC0",
        "EUPL",
        "Apache 2.0",
        "Kammarkollegiet",
        "Källa: Patent- och registreringsverket, licens CC BY 4.0",
    ]:
        assert citation in text, citation
