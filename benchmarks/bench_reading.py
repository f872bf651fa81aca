"""Reading view and commenting speed (issues 2 and 3): server time in-process, SQL query counts.

The reading page keeps rendered blocks and threads in a per-process cache (app.fragments);
the figures are for a warm cache, and the same pages are also timed with it turned off.

Targets: a 500-block version renders in ≤ 10 queries (same as 10 blocks) and p50 ≤ 60 ms;
with 3,000 comments ≤ 12 queries and p50 ≤ 150 ms; posting a comment p50 ≤ 30 ms.
Issue 22: the page with 500 open suggestions shown inside their paragraphs
(``?suggestions=1``) within those targets (≤ 12 queries, p50 ≤ 150 ms); posting a suggestion
as posting a comment.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from _setup import PASSWORD, add_comments, count_queries, make_app, make_document, make_users, temp_dir, timed

from app.extensions import db
from app.review import markdown
from app.review.models import Comment, CommentKind


def add_suggestions(document, total: int, users, rng: random.Random) -> None:
    """*total* open suggestions, one per paragraph in turn: each the whole paragraph with two
    words changed (one near the start, one near the end), as a member would make them."""
    import sqlalchemy as sa

    from app.documents.models import BlockKind, BlockRevision
    from app.richtext import plain

    version = document.versions[0]
    revisions = db.session.scalars(
        sa.select(BlockRevision)
        .where(BlockRevision.version_id == version.id, BlockRevision.kind == BlockKind.PARAGRAPH)
        .order_by(BlockRevision.position)
    ).all()
    for i in range(total):
        revision = revisions[i % len(revisions)]
        words = plain(revision.text).split(" ")
        words[1], words[-2] = "förslagsvis", "ändrat"
        author = users[rng.randrange(len(users))]
        body = "Tydligare så."
        db.session.add(
            Comment(
                document_id=document.id,
                number=i + 1,
                version_id=version.id,
                block_id=revision.block_id,
                author_id=author.id,
                organisation_id=author.organisation_id,
                kind=CommentKind.SUGGESTION,
                body=body,
                body_html=markdown.render(body),
                suggestion=" ".join(words),
                block_text=revision.text,
            )
        )
    db.session.commit()


def main() -> None:
    rng = random.Random(20200901)
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            users = make_users()
            make_document("small", 10, users, rng)
            make_document("large", 500, users, rng)
            commented = make_document("commented", 500, users, rng)
            add_comments(commented, 3000, users, rng)
            uid = db.session.execute(db.text("select uid from block order by id desc limit 1")).scalar()
            suggested = make_document("suggested", 500, users, rng)
            add_suggestions(suggested, 500, users, rng)
            suggested_uid = db.session.execute(
                db.text(
                    "select b.uid, r.id from block b join block_revision r on r.block_id = b.id"
                    " where b.document_id = :d and r.kind = 'paragraph' order by r.position limit 1"
                ),
                {"d": suggested.id},
            ).first()
            email = users[1].email
            busiest = db.session.execute(
                db.text(
                    "select b.uid, count(*) n from comment c join block b on b.id = c.block_id"
                    " group by b.uid order by n desc limit 1"
                )
            ).first()
        client = app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD})  # CSRF off below
        app.config["WTF_CSRF_ENABLED"] = False
        client.post("/login", data={"email": email, "password": PASSWORD})

        def page(slug):
            response = client.get(f"/d/{slug}")
            assert response.status_code == 200, response.status_code
            return response

        with app.app_context():
            for slug in ("small", "large", "commented", "suggested", "suggested?suggestions=1"):
                page(slug)
                with count_queries() as statements:
                    html = page(slug).get_data(as_text=True)
                print(f"/d/{slug}: {len(statements)} queries, {len(html) // 1024} KiB")
        p50, p95 = timed(lambda: page("large"))
        print(f"reading 500 blocks (signed in): p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p50 <= 60 ms)")
        client_anon = app.test_client()
        p50a, _ = timed(lambda: client_anon.get("/d/large"))
        print(f"reading 500 blocks (visitor):   p50 {p50a:.1f} ms (target p50 <= 60 ms)")
        p50c, p95c = timed(lambda: page("commented"), runs=15)
        print(f"500 blocks + 3,000 comments:    p50 {p50c:.1f} ms, p95 {p95c:.1f} ms (target p50 <= 150 ms)")

        # The same pages with the fragment cache off: what the first reader after a change pays.
        caches = app.extensions["remiss.cache"].values()
        sizes = [cache.maxsize for cache in caches]
        for cache in caches:
            cache.maxsize = 0
        p50u, _ = timed(lambda: page("large"))
        p50cu, _ = timed(lambda: page("commented"), runs=15)
        p50su, _ = timed(lambda: page("suggested?suggestions=1"), runs=15)
        for cache, size in zip(caches, sizes, strict=True):
            cache.maxsize = size
        print(
            f"no fragment cache:              500 blocks p50 {p50u:.1f} ms, 3,000 comments {p50cu:.1f} ms,"
            f" 500 suggestions in the text {p50su:.1f} ms"
        )

        p50s0, _ = timed(lambda: page("suggested"), runs=15)
        p50s1, p95s1 = timed(lambda: page("suggested?suggestions=1"), runs=15)
        cpu0, _ = timed(lambda: page("suggested"), runs=15, clock=time.process_time)
        cpu1, _ = timed(lambda: page("suggested?suggestions=1"), runs=15, clock=time.process_time)
        print(
            f"500 open suggestions in the text: p50 {p50s1:.1f} ms, p95 {p95s1:.1f} ms, "
            f"CPU p50 {cpu1:.1f} ms (the same page without them: {p50s0:.1f} ms, CPU {cpu0:.1f} ms;"
            " target p50 <= 150 ms)"
        )

        p50b, _ = timed(lambda: client.get(f"/d/commented/v/1/b/{busiest[0]}/comments"), runs=15)
        print(f"busiest block's discussion ({busiest[1]} comments incl. replies): p50 {p50b:.1f} ms")
        print("(over 300 threads a page shows counts per block; each block's discussion loads on demand)")

        counter = iter(range(10**6))

        def post():
            n = next(counter)
            response = client.post(
                f"/d/commented/v/1/b/{uid}/comment",
                data={"kind": "comment", "body": f"Synpunkt nummer {n} med *betoning*."},
            )
            assert response.status_code == 302, response.status_code

        p50p, p95p = timed(post, runs=40)
        print(f"posting a comment:              p50 {p50p:.1f} ms, p95 {p95p:.1f} ms (target p50 <= 30 ms)")

        def suggest():
            n = next(counter)
            response = client.post(
                f"/d/suggested/v/1/b/{suggested_uid[0]}/suggest",
                data={"revision": suggested_uid[1], "text": f"Ett nytt förslag nummer {n} med **betoning**."},
            )
            assert response.status_code == 302, response.status_code

        p50g, p95g = timed(suggest, runs=40)
        print(f"posting a suggestion:           p50 {p50g:.1f} ms, p95 {p95g:.1f} ms (target p50 <= 30 ms)")

        # A national consultation has thousands of accounts: no page may grow with their number.
        with app.app_context():
            organisation_id = db.session.execute(db.text("select organisation_id from user limit 1")).scalar()
            db.session.execute(
                db.text(
                    "insert into user (email, name, organisation_id, password_hash, active, language,"
                    " session_token, pseudonymised, may_answer, created_at)"
                    " values (:email, :name, :org, 'x', 1, 'sv', :token, 0, 0, CURRENT_TIMESTAMP)"
                ),
                [
                    {
                        "email": f"konto{i}@bench.example",
                        "name": f"Konto {i}",
                        "org": organisation_id,
                        "token": f"t{i}",
                    }
                    for i in range(5000)
                ],
            )
            db.session.commit()
        p50s, _ = timed(lambda: page("large"))
        p50v, _ = timed(lambda: client_anon.get("/d/large"))
        print(
            f"with 5,000 more accounts:       signed in p50 {p50s:.1f} ms (was {p50:.1f}), "
            f"visitor p50 {p50v:.1f} ms (was {p50a:.1f})"
        )


if __name__ == "__main__":
    main()
