"""The outcome report: figures equal the database's, visibility rules, hostile text, constant queries."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter

import pytest
import sqlalchemy as sa
from lxml import etree, html

from app.accounts.models import Organisation
from app.database import utcnow
from app.documents.models import CommentVisibility, Document, Version, Visibility
from app.extensions import db
from app.responses.models import Position, Response, ResponseState, SectionPosition
from app.review.models import Comment
from app.worddiff import word_ops
from tests.browser.xss import payloads
from tests.responses.conftest import form_of, response_data, store_hostile_responses, submit


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.fixture
def demo(app):
    from app.demo.seed import seed

    with app.app_context():
        seed()
        db.session.commit()


def test_the_demo_outcome_figures_are_the_databases(app, client, demo):
    with app.app_context():
        version = db.session.scalar(
            sa.select(Version).join(Document).where(Document.slug == "oppna-licenser", Version.number == 1)
        )
        submitted = db.session.scalars(
            sa.select(Response).where(
                Response.version_id == version.id, Response.state == ResponseState.SUBMITTED
            )
        ).all()
        replaced = db.session.scalar(
            sa.select(sa.func.count()).where(
                Response.version_id == version.id, Response.state == ResponseState.REPLACED
            )
        )
        drafts = db.session.scalar(
            sa.select(sa.func.count()).where(
                Response.version_id == version.id, Response.state == ResponseState.DRAFT
            )
        )
        consulted = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.name.not_in(["PRV", "DIGG"]))
        )
        positions = Counter(r.position for r in submitted)
        comments = db.session.scalars(
            sa.select(Comment).where(Comment.version_id == version.id, Comment.parent_id.is_(None))
        ).all()
        statuses = Counter("withdrawn" if c.withdrawn_at else c.status.value for c in comments)
        by_org = Counter(c.organisation.name for c in comments)
    # The demo: several organisations answered, one of them twice, some did not, one only drafted.
    assert len(submitted) >= 4 and replaced == 1 and drafts == 1 and consulted > len(submitted)

    page = html.fromstring(client.get("/d/oppna-licenser/v/1/outcome").get_data(as_text=True))
    assert _text(page.get_element_by_id("answered-count")) == (
        f"{len(submitted)} av {consulted} remissinstanser har svarat."
    )
    shown = {
        _text(li).rsplit(":", 1)[0]: int(li.find("strong").text)
        for li in page.get_element_by_id("position-counts")
    }
    labels = {
        Position.SUPPORTS: "Tillstyrker",
        Position.SUPPORTS_WITH_COMMENTS: "Tillstyrker med synpunkter",
        Position.OPPOSES: "Avstyrker",
        Position.ABSTAINS: "Avstår från att yttra sig",
    }
    assert shown == {
        **{labels[p]: positions.get(p, 0) for p in Position},
        "Inget svar": consulted - len(submitted),
    }
    table = page.get_element_by_id("decision-table")
    assert int(page.get_element_by_id("comment-total").text) == len(comments)
    rows = {_text(tr.find("th")): int(tr.findall("td")[-1].text) for tr in table.find("tbody")}
    assert rows == dict(by_org)
    headers = [_text(th) for th in table.find("thead").find("tr")][1:-1]
    footer = [int(td.text) for td in table.find("tfoot").find("tr").findall("td")][:-1]
    status_names = {
        "Öppen": "open",
        "Beaktad": "accepted",
        "Delvis beaktad": "partly_accepted",
        "Ej beaktad": "rejected",
        "Noterad": "noted",
        "Dubblett": "duplicate",
        "Återkallad": "withdrawn",
    }
    assert {status_names[h]: n for h, n in zip(headers, footer, strict=True)} == {
        s: statuses.get(s, 0) for s in status_names.values()
    }
    # The same figures in the open data and the API.
    data = client.get("/d/oppna-licenser/v/1/downloads/outcome.json").get_json()
    assert data["positions"] == {p.value: positions.get(p, 0) for p in Position}
    assert data["comment_counts"]["total"] == len(comments)
    assert sum(1 for o in data["organisations"] if o["answered"]) == len(submitted)
    api = client.get("/api/v1/documents/oppna-licenser/versions/1/outcome").get_json()
    assert api["positions"] == data["positions"] and api["comment_counts"] == data["comment_counts"]
    csv_text = client.get("/d/oppna-licenser/v/1/downloads/outcome.csv").get_data().decode("utf-8-sig")
    states = Counter(row[1] for row in list(csv.reader(io.StringIO(csv_text)))[1:])
    assert states == {"submitted": len(submitted), "replaced": replaced, "none": consulted - len(submitted)}


def test_the_reading_views_link_to_the_outcome(client, demo):
    first = client.get("/d/oppna-licenser/v/1").get_data(as_text=True)
    assert 'href="/d/oppna-licenser/v/1/outcome"' in first
    second = client.get("/d/oppna-licenser/v/2").get_data(as_text=True)
    assert 'href="/d/oppna-licenser/v/1/outcome"' in second  # the previous version's outcome


def _set(app, slug="remiss", **values):
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        for key, value in values.items():
            setattr(document, key, value)
        db.session.commit()


def _submit(make_client, consultation, **changes):
    anna = make_client()
    anna.login(consultation["answerer"].email)
    url = consultation["edit_url"]
    assert submit(anna, url, response_data(**changes)).status_code == 302
    return anna


def test_comment_visibility_rules_hold_on_the_page_and_in_the_api(app, make_client, client, consultation):
    _submit(make_client, consultation, summary="Vårt svar.", officer="Hedda Handläggare")
    kalle = make_client()
    kalle.login(consultation["colleague"].email)
    # Organisation (the default): visitors see organisations, never names.
    page = client.get("/d/remiss/v/2/outcome").get_data(as_text=True)
    assert "Vårt svar." in page and "Bra stycke." in page and "Kommun A" in page
    assert "Kalle Kollega" not in page  # the author of "Bra stycke."
    assert "Anna Svarare" not in page
    api = client.get("/api/v1/documents/remiss/versions/2/outcome").get_json()
    assert api["names_included"] is False and all(c["author"] is None for c in api["comments"])
    assert api["organisations"][0]["response"]["submitted_by"] is None
    signed_in = kalle.get("/d/remiss/v/2/outcome").get_data(as_text=True)
    assert "Anna Svarare" in signed_in
    # None: visitors see the responses (public records) but no comments, in HTML, API and files.
    _set(app, comment_visibility=CommentVisibility.NONE)
    page = client.get("/d/remiss/v/2/outcome").get_data(as_text=True)
    assert "Vårt svar." in page and "Bra stycke." not in page
    assert "visas bara för inloggade" in page
    api = client.get("/api/v1/documents/remiss/versions/2/outcome").get_json()
    assert api["comments_visible"] is False and api["comments"] == [] and api["comment_counts"]["total"] == 0
    docx = client.get("/d/remiss/v/2/outcome.docx").get_data()
    assert b"Bra stycke." not in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
    assert "Bra stycke." in kalle.get("/d/remiss/v/2/outcome").get_data(as_text=True)
    # A network document: nothing for visitors.
    _set(app, visibility=Visibility.NETWORK)
    assert client.get("/d/remiss/v/2/outcome").status_code == 302
    assert client.get("/api/v1/documents/remiss/versions/2/outcome").status_code == 401
    assert client.get("/api/v1/documents/remiss/versions/2/responses").status_code == 401
    assert kalle.get("/d/remiss/v/2/outcome").status_code == 200


def test_drafts_are_seen_only_by_the_organisation(app, make_client, client, consultation):
    kalle = make_client()
    kalle.login(consultation["colleague"].email)
    url = consultation["edit_url"]
    kalle.post(url, {**form_of(kalle, url), **response_data(summary="Hemligt utkast."), "save": "1"})
    olle = make_client()
    olle.login(consultation["other"].email)
    org_page = f"/d/remiss/v/2/responses/{consultation['org_a']}"
    for viewer in (client, olle):
        for path in (org_page, "/d/remiss/v/2/outcome", "/api/v1/documents/remiss/versions/2/responses"):
            assert "Hemligt utkast." not in viewer.get(path).get_data(as_text=True), path
    assert "Hemligt utkast." in kalle.get(url).get_data(as_text=True)
    assert "Fortsätt på utkastet" in kalle.get(org_page).get_data(as_text=True)


def _many(app, consultation, organisations: int, comments: int, prefix: str = "Instans"):
    """*organisations* answered (each with a section position) and *comments* more comments."""
    from app.accounts.models import User
    from tests.conftest import add_comment

    document = consultation["document"]
    with app.app_context():
        version = db.session.scalar(
            sa.select(Version).where(Version.document_id == document.id, Version.number == 2)
        )
        for n in range(organisations):
            org = Organisation(name=f"{prefix} {n}")
            db.session.add(org)
            db.session.flush()
            db.session.add(
                Response(
                    document_id=document.id,
                    version_id=version.id,
                    organisation_id=org.id,
                    state=ResponseState.SUBMITTED,
                    position=list(Position)[n % 4],
                    summary="Svar",
                    summary_html="<p>Svar</p>",
                    submitted_at=utcnow(),
                    sections=[
                        SectionPosition(
                            block_uid=document.block_uids["h2"],
                            heading="2 Licenser",
                            position=Position.SUPPORTS,
                        )
                    ],
                )
            )
        db.session.commit()
        author = db.session.get(User, consultation["other"].id)
        for n in range(comments):
            add_comment(document, ["p1", "p2", "p3"][n % 3], author, version_number=2, body=f"Synpunkt {n}")


def test_the_outcome_page_needs_the_same_queries_whatever_the_size(app, client, consultation, count_queries):
    _many(app, consultation, organisations=1, comments=0, prefix="Första")
    client.get("/d/remiss/v/2/outcome")  # warm caches (layouts) alike for both runs
    with count_queries() as small:
        assert client.get("/d/remiss/v/2/outcome").status_code == 200
    _many(app, consultation, organisations=12, comments=30)
    with count_queries() as large:
        page = client.get("/d/remiss/v/2/outcome")
    assert page.status_code == 200 and "Instans 11" in page.get_data(as_text=True)
    assert len(large) == len(small), large


ACTIVE = {"script", "iframe", "object", "embed", "img", "svg", "video", "audio", "base", "style", "math"}


def _assert_inert(page_html: str, where: str) -> None:
    tree = html.fromstring(page_html)
    main = tree.find(".//main")
    for element in main.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ACTIVE, (where, etree.tostring(element)[:120])
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, name, value[:80])
            if name in ("href", "src", "action", "formaction"):
                assert (
                    not re.sub(r"\s", "", value).lower().startswith(("javascript:", "data:", "vbscript:"))
                ), where
    for script in tree.iter("script"):
        assert (script.get("src") or "").startswith("/static/js/"), where


def test_the_xss_corpus_in_every_field_is_inert_on_the_web_and_escaped_in_docx(
    app, make_client, client, consultation
):
    corpus = payloads()
    # Through the form: every field at once, the summary with the whole corpus.
    anna = _submit(
        make_client,
        consultation,
        summary="\n\n".join(corpus)[:20000],
        reference=corpus[0][:100],
        decision_maker=corpus[2][:200],
        decision_maker_title=corpus[4][:200],
        officer=corpus[10][:200],
    )
    _assert_inert(anna.get(consultation["edit_url"]).get_data(as_text=True), "edit page")
    # Stored directly: one organisation per payload, the payload in every field (to each column's size).
    document = consultation["document"]
    with app.app_context():
        version = db.session.scalar(
            sa.select(Version).where(Version.document_id == document.id, Version.number == 2)
        )
        store_hostile_responses(version.id, corpus)
        org_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name.like("001 %")))
    for path in (
        "/d/remiss/v/2/outcome",
        f"/d/remiss/v/2/responses/{org_id}",
        f"/d/remiss/v/2/responses/{consultation['org_a']}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_inert(response.get_data(as_text=True), path)
    editor = make_client()
    editor.login(consultation["editor"].email)
    _assert_inert(editor.get("/d/remiss/v/2/responses").get_data(as_text=True), "editors' table")
    for path in ("/api/v1/documents/remiss/versions/2/outcome", "/d/remiss/v/2/downloads/outcome.json"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/json"
    csv_body = client.get("/d/remiss/v/2/downloads/outcome.csv").get_data().decode("utf-8-sig")
    assert "\n=" not in csv_body and ",=" not in csv_body  # formula starts are defused
    docx = client.get("/d/remiss/v/2/outcome.docx").get_data()
    body = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
    tree = etree.fromstring(body)  # well-formed whatever the text
    texts = "".join(tree.itertext())
    for payload in corpus[:40]:
        assert payload.replace("\t", " ") in texts or payload[:100] in texts, payload


def test_a_suggestion_reads_as_its_word_diff_on_the_page_and_whole_in_the_open_data(client, demo):
    page = client.get("/d/oppna-licenser/v/1/outcome").get_data(as_text=True)
    assert (
        "bör <del>alltid vara fria att använda</del><ins>märkas med CC0 även när själva datamängden "
        "har en annan licens</ins>." in page
    )
    data = client.get("/d/oppna-licenser/v/1/downloads/outcome.json").get_json()
    cc0 = next(c for c in data["comments"] if c["suggestion"] and "märkas med CC0" in c["suggestion"])
    assert cc0["suggestion"].startswith("Vi rekommenderar CC0 för data och metadata.")
    assert cc0["suggestion_base"].endswith("bör alltid vara fria att använda.")
    assert all(c["suggestion_base"] is None for c in data["comments"] if not c["suggestion"])


def test_the_xss_corpus_in_suggestions_is_inert_on_the_page_and_escaped_in_a_valid_docx(
    app, client, consultation
):
    from app.review.models import CommentKind
    from tests.conftest import add_comment
    from tests.meetings.ooxml import schema_problems, word_rule_problems

    corpus = payloads()
    with app.app_context():
        for n, payload in enumerate(corpus):
            # Struck (odd) or underlined (even) in the word diff: hostile text on both sides.
            add_comment(
                consultation["document"],
                "p2",
                consultation["other"],
                version_number=2,
                body="",
                kind=CommentKind.SUGGESTION,
                suggestion=f"Ny {payload} text." if n % 2 == 0 else "Ny text.",
            )
    page = client.get("/d/remiss/v/2/outcome")
    assert page.status_code == 200
    _assert_inert(page.get_data(as_text=True), "outcome page with hostile suggestions")
    docx = client.get("/d/remiss/v/2/outcome.docx").get_data()
    assert schema_problems(docx) == [] and word_rule_problems(docx) == []
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "<script" not in xml.lower() and "<w:strike/>" in xml and '<w:u w:val="single"/>' in xml
    # Every diff's words are text in the file (what markup the sanitiser left is escaped).
    texts = " ".join("".join(etree.fromstring(xml.encode()).itertext()).split())
    with app.app_context():
        rows = db.session.execute(
            sa.select(Comment.block_text, Comment.suggestion).where(Comment.suggestion.is_not(None))
        ).all()
        for base, proposal in rows:
            words = "".join(run.text for _tag, runs in word_ops(base, proposal) for run in runs)
            assert " ".join(words.split()) in texts, proposal
