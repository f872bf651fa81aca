"""Swedish word forms, phrases, case and å/ä/ö, the same on SQLite and PostgreSQL
(run with TEST_DATABASE_URL for the second)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.search.query import parse
from app.search.text import index_terms, is_stop, key, words
from tests.search.conftest import search, uids


def test_myndighet_finds_its_forms(client, sw):
    u = sw["uid"]
    found = uids(search(client, "myndighet"))
    # myndigheter (p3, and the heading), myndigheten (p1), myndighetens (p2)
    assert {u["h1"], u["p1"], u["p2"], u["p3"]} <= found
    assert u["p5"] not in found and u["p4"] not in found


def test_upphovsratt_finds_upphovsratten(client, sw):
    found = uids(search(client, "upphovsrätt"))
    assert found == {sw["uid"]["p2"], sw["uid"]["p6"]}


def test_several_words_must_all_occur_in_any_order(client, sw):
    u = sw["uid"]
    assert uids(search(client, "data öppna")) == {u["h1"], u["p1"]}
    assert uids(search(client, "öppna data")) == {u["h1"], u["p1"]}
    assert uids(search(client, "öppna fakta")) == set()


def test_quotes_find_the_phrase_only(client, sw):
    u = sw["uid"]
    # Both words are in p1 too, but not next to each other in that order.
    assert uids(search(client, '"publicera öppna data"')) == {u["p1"]}
    assert uids(search(client, '"data öppna"')) == set()
    # A stop word inside a phrase holds one position on both databases: "rätt till data" also
    # finds "rätt och data" (och and till are both stop words), never plain "rätt data".
    assert uids(search(client, '"rätt till data"')) == {u["p4"]}
    assert uids(search(client, '"rätt i i data"')) == set()


def test_case_does_not_matter(client, sw):
    assert uids(search(client, "MYNDIGHETEN")) == uids(search(client, "myndigheten"))
    assert uids(search(client, "Cc0")) == {sw["uid"]["p3"]}


def test_a_ring_and_dots_stay_distinct_letters(client, sw):
    u = sw["uid"]
    assert uids(search(client, "år")) == {u["p5"]}  # år, åren
    assert uids(search(client, "ar")) == set()
    assert uids(search(client, "bär")) == {u["p5"]}
    assert uids(search(client, "bar")) == {u["p5"]}  # "bar" is there too, as its own word
    assert uids(search(client, "barn")) == {u["p5"]}
    assert uids(search(client, "öppen")) != uids(search(client, "oppen"))
    assert uids(search(client, "oppen")) == set()


def test_where_snowball_falls_short(client, sw):
    """Snowball's Swedish stemmer leaves "licens" and "licenser" apart ("lic" and "licens"),
    and "myndigheternas" apart from "myndighet" ("myndighet" and "mynd"). The Swedish dictionary
    joins them again through their lemmas (tests/search/test_compounds.py); without it a search
    for one form does not find the other (test_without_the_dictionary_snowball_alone)."""
    assert key("licens") == "lic" and key("licenser") == "licens" and key("licensen") == "licens"
    assert key("myndigheternas") != key("myndighet")
    u = sw["uid"]
    assert u["p3"] in uids(search(client, "licenser"))
    assert u["p1"] in uids(search(client, "licens"))  # "licens" itself


def test_the_stemmer_is_the_one_postgresql_uses(app, sw):
    """On PostgreSQL: every fixture word stems the same in Python (SQLite's index) as in
    the database's swedish configuration."""
    from tests.search.conftest import V1, V2

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("compares with PostgreSQL's stemmer")
        vocabulary = sorted(
            {w for *_k, text in V1 + V2 for w in words(text)} | {"licenser", "myndigheternas"}
        )
        stems = db.session.execute(
            sa.text("SELECT w, ts_lexize('swedish_stem', w) FROM unnest(CAST(:w AS text[])) AS w"),
            {"w": vocabulary},
        ).all()
    for word, lexemes in stems:
        if not any(c.isdigit() for c in word):
            # A stop word gives no lexeme: the stop lists agree too.
            assert ([] if is_stop(word) else [key(word)]) == lexemes, word


def test_stop_words_keep_their_place_in_the_sqlite_index():
    assert index_terms("Rätt till data") == "rätt _ dat"
    assert parse('"rätt till data"').fts5() == '{terms name_terms} : "rätt _ dat"'
    assert parse('"rätt till data"').fts5(names=False) == '{terms} : "rätt _ dat"'
    # PostgreSQL is asked for the same keys (its 'simple' configuration takes them as they are).
    assert parse('"rätt till data"').tsquery() == "('rätt':AB <2> 'dat':AB)"


def test_first_hit_is_the_best_match_on_both(client, sw):
    """Where ranking agrees by design: a paragraph holding every word of the query ranks above
    ones that hold them less often (ts_rank counts occurrences, bm25 too)."""
    body = search(client, "data", type="text")
    assert body["text"]["items"][0]["block_uid"] == sw["uid"]["p4"]  # "data" three times


def test_snippets_mark_the_matching_word_forms(client, sw):
    body = search(client, "myndighet", type="text")
    snippets = {item["block_uid"]: item["snippet_html"] for item in body["text"]["items"]}
    assert "<mark>Myndighetens</mark>" in snippets[sw["uid"]["p2"]]
    assert "<mark>myndigheter</mark>" in snippets[sw["uid"]["p3"]]


def test_where_the_two_databases_rank_differently(app, client, factory):
    """bm25 (SQLite) weighs a rare word more than a common one; ts_rank (PostgreSQL) does not.

    X holds "data" three times and "kartor" once, Y the other way round, in a corpus where "data"
    is in every paragraph. SQLite puts Y
    first (its rare word counts more); PostgreSQL scores the two alike and falls back to the
    order of the rows, so X (indexed first) comes first. Both find the same two paragraphs.
    """
    filler = [(f"f{i}", "paragraph", 1, f"Data nummer {i} om annat.") for i in range(20)]
    blocks = [
        ("x", "paragraph", 1, "Data data data kartor."),
        ("y", "paragraph", 1, "Kartor kartor kartor data."),
        *filler,
    ]
    document = factory.document(slug="rangordning", versions=[blocks])
    body = search(client, "data kartor", type="text")
    order = [item["block_uid"] for item in body["text"]["items"]]
    x, y = document.block_uids["x"], document.block_uids["y"]
    assert set(order) == {x, y}
    with app.app_context():
        dialect = db.engine.dialect.name
    assert order == ([y, x] if dialect == "sqlite" else [x, y])
