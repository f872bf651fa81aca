"""Search speed (issue 19): ten documents of 500 paragraphs in two versions each, 3,000 comments.

Targets: a search answers within 50 ms (p50, in-process) in a constant number of SQL queries, on
SQLite and on PostgreSQL (set BENCH_DATABASE_URL to an empty PostgreSQL schema); keeping the index
up to date adds at most 5 ms to posting a comment.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import _setup
import sqlalchemy as sa
import sqlalchemy.orm as so
from _setup import add_comments, count_queries, make_app, make_document, make_users, temp_dir, timed

from app.accounts.models import User
from app.documents.loaders import version_blocks
from app.documents.models import Document
from app.drafting import operations as drafting
from app.extensions import db
from app.review import operations as review
from app.review.models import CommentKind
from app.search import index
from app.search.models import SearchEntry

QUERIES = ["myndighet", "licens upphovsrätt", '"öppen data"', "vidareutnyttjande villkor källa"]


def _app(tmp: Path):
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return make_app(tmp)
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import limiter

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
            "RATELIMIT_ENABLED": False,
        }
    )
    limiter.enabled = False
    with app.app_context():
        upgrade()
    return app


def demo_words() -> list[str]:
    """Every word of the demo guidance in order, repeats included: drawing from it gives paragraphs
    with the word frequencies of real Swedish guidance text ("licens" in about half of them),
    rather than the other benchmarks' 20-word vocabulary, in which every word is in nearly every
    paragraph."""
    from app.demo.content import VERSION_1
    from app.search.text import html_to_text, words

    return [w for block in VERSION_1 for w in words(html_to_text(block.text)) if w.isalpha()]


def main() -> None:
    rng = random.Random(20261130)
    _setup.WORDS = demo_words()
    keep = os.environ.get("BENCH_KEEP")  # a folder to build the SQLite database in and keep
    with temp_dir() as tmp:
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            tmp = keep
        app = _app(Path(tmp))
        with app.app_context():
            dialect = db.engine.dialect.name
            users = make_users()
            start = time.perf_counter()
            documents = [make_document(f"doc{i}", 500, users, rng) for i in range(10)]
            for document in documents:
                add_comments(document, 300, users, rng)
            db.session.commit()
            ids = [d.id for d in documents]
            author_id = users[3].id
            # The second version of each: a draft (500 blocks copied), ten edited paragraphs, published.
            editor = db.session.get(User, users[0].id)
            for document_id in ids:
                document = db.session.get(Document, document_id)
                draft = drafting.start_draft(document, editor)
                db.session.commit()
                for revision in version_blocks(draft)[1:500:50]:
                    drafting.edit_block(
                        draft,
                        revision.uid,
                        base_revision=revision.revision.revision,
                        kind=revision.revision.kind,
                        level=1,
                        text=revision.text + " Ny mening om vidareutnyttjande.",
                        editor=editor,
                    )
                db.session.commit()
                drafting.publish_draft(draft, summary="Andra versionen", editor=editor)
                db.session.commit()
            built = time.perf_counter() - start
            started = time.perf_counter()
            blocks, comments = index.reindex(db.session.connection())
            db.session.commit()
            # Table statistics, as PostgreSQL's autovacuum (or a nightly ANALYZE on SQLite) keeps
            # them on a running site: without them the planner takes the bulk-loaded tables for empty.
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            rebuilt = time.perf_counter() - started
            entries = db.session.scalar(sa.select(sa.func.count()).select_from(SearchEntry))
            print(
                f"{dialect}: {blocks} paragraphs and {comments} comments indexed ({entries} rows); "
                f"set-up {built:.1f} s, flask search-reindex {rebuilt:.2f} s"
            )
        client = app.test_client()
        for q in QUERIES:
            for path in ("/api/v1/search", "/search"):

                def run(q=q, path=path):
                    response = client.get(path, query_string={"q": q})
                    assert response.status_code == 200, response.status_code

                p50, p95 = timed(run, runs=20)
                with app.app_context(), count_queries() as statements:
                    run()
                print(
                    f"  {path:16} q={q!r:38} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {len(statements)} queries"
                )
        # Posting a comment, with and without the index's before_commit hook.
        with app.app_context():
            document = db.session.get(Document, ids[0])
            version = document.current_version
            revisions = version_blocks(version)
            author = db.session.get(User, author_id)

            def post():
                revision = rng.choice(revisions).revision
                review.create_comment(
                    version=version,
                    revision=revision,
                    author=author,
                    kind=CommentKind.COMMENT,
                    body="Synpunkt om myndighetens licenser och vidareutnyttjande av data.",
                    quote=None,
                )
                db.session.commit()

            # The index's own share: the before_commit hook timed inside each commit (the
            # difference of two whole timings drowns in the noise of a shared machine).
            hook_times: list[float] = []

            def timed_write(session):
                started = time.perf_counter()
                index._write(session)
                hook_times.append((time.perf_counter() - started) * 1000)

            sa.event.remove(so.Session, "before_commit", index._write)
            sa.event.listen(so.Session, "before_commit", timed_write)
            with_index = timed(post, runs=40)
            sa.event.remove(so.Session, "before_commit", timed_write)
            without_index = timed(post, runs=40)
            sa.event.listen(so.Session, "before_commit", index._write)
            hook_times.sort()
            print(
                f"  posting a comment: p50 {with_index[0]:.1f} ms with the index, {without_index[0]:.1f} ms "
                f"without; the index's hook itself p50 {hook_times[len(hook_times) // 2]:.2f} ms, "
                f"p95 {hook_times[int(len(hook_times) * 0.95)]:.2f} ms"
            )


if __name__ == "__main__":
    main()
