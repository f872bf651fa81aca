"""The outcome report (issue 17): 40 organisations, 500 paragraphs, 3,000 comments (a fifth of
them suggestions, each shown as its word diff since issue 22).

Targets: the outcome page in at most 200 ms and a constant number of SQL queries; its DOCX
("Remissammanställning") within 0.5 s.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import sqlalchemy as sa
from _setup import PASSWORD, count_queries, make_app, make_document, sentence, temp_dir, timed

from app.accounts.models import Organisation, Role, User
from app.database import utcnow
from app.documents.loaders import page_blocks
from app.extensions import db
from app.responses.models import Position, Response, ResponseState, SectionPosition
from app.responses.operations import sections_of
from app.review import markdown
from app.review.models import Comment, CommentKind, CommentStatus

ORGANISATIONS = 40
COMMENTS = 3000


def _world(rng: random.Random, comments: int) -> None:
    author_org = Organisation(name="Författarverket")
    db.session.add(author_org)
    editor = User(email="editor@bench.example", name="Redaktör", organisation=author_org)
    editor.set_roles({Role.EDITOR, Role.MEMBER})
    editor.set_password(PASSWORD)
    db.session.add(editor)
    users = []
    for n in range(ORGANISATIONS):
        org = Organisation(name=f"Remissinstans {n:02d}")
        db.session.add(org)
        for k in range(2):
            user = User(email=f"u{n}-{k}@bench.example", name=f"Person {n}-{k}", organisation=org)
            user.set_roles({Role.MEMBER})
            user.set_password(PASSWORD)
            db.session.add(user)
            users.append(user)
    db.session.commit()
    document = make_document("utfall", 500, [editor], rng)
    version = document.versions[0]
    blocks = page_blocks(version)
    sections = sections_of(blocks)
    statuses = list(CommentStatus)
    for i in range(comments):
        author = users[rng.randrange(len(users))]
        block = blocks[rng.randrange(len(blocks))]
        body = sentence(rng, rng.randint(15, 60))
        status = statuses[i % len(statuses)]
        db.session.add(
            Comment(
                document_id=document.id,
                number=i + 1,
                version_id=version.id,
                block_id=block.block_id,
                author_id=author.id,
                organisation_id=author.organisation_id,
                body=body,
                body_html=markdown.render(body),
                # Every fifth a suggestion: the whole paragraph as proposed, two changes in it,
                # which the page and the DOCX show as its word diff.
                kind=CommentKind.SUGGESTION if i % 5 == 0 else CommentKind.COMMENT,
                suggestion=block.text.replace(" ", " mycket ", 1) + " " + sentence(rng, 8)
                if i % 5 == 0
                else None,
                block_text=block.text,
                status=status,
                response=sentence(rng, 20) if status is not CommentStatus.OPEN else None,
                decided_by_id=editor.id if status is not CommentStatus.OPEN else None,
                decided_at=utcnow() if status is not CommentStatus.OPEN else None,
            )
        )
    organisations = db.session.scalars(sa.select(Organisation).where(Organisation.name.like("Remiss%"))).all()
    # 34 of 40 answer, each with positions on every section; a handful replaced an earlier answer.
    for n, org in enumerate(organisations[:34]):
        for replaced in [True, False] if n % 8 == 0 else [False]:
            summary = sentence(rng, 120) + "\n\n" + sentence(rng, 80)
            db.session.add(
                Response(
                    document_id=document.id,
                    version_id=version.id,
                    organisation_id=org.id,
                    state=ResponseState.REPLACED if replaced else ResponseState.SUBMITTED,
                    position=list(Position)[n % 4],
                    summary=summary,
                    summary_html=markdown.render(summary),
                    reference=f"Dnr {n}/2020",
                    decision_maker=f"Chef {n}",
                    decision_maker_title="generaldirektör",
                    officer=f"Handläggare {n}",
                    submitted_at=utcnow(),
                    replaced_at=utcnow() if replaced else None,
                    sections=[
                        SectionPosition(
                            block_uid=s.uid,
                            heading=s.label,
                            position_in_text=s.position,
                            position=list(Position)[(n + i) % 4],
                        )
                        for i, s in enumerate(sections)
                    ],
                )
            )
            db.session.flush()
    db.session.commit()


def cpu_ms(fn, runs: int) -> float:
    """The median CPU time of *fn* in this process, in ms: on a machine shared with other work the
    wall-clock figures include waiting for a core; this is what one request costs when it has one."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return sorted(times)[len(times) // 2]


def measure(comments: int) -> None:
    rng = random.Random(20201006)
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            _world(rng, comments)
        client = app.test_client()

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        print(f"outcome of a 500-block version, {ORGANISATIONS} organisations, {comments} comments:")
        with app.app_context():
            get("/d/utfall/v/1/outcome")
            with count_queries() as statements:
                page = get("/d/utfall/v/1/outcome").get_data(as_text=True)
            p50, p95 = timed(lambda: get("/d/utfall/v/1/outcome"), runs=15)
            cpu = cpu_ms(lambda: get("/d/utfall/v/1/outcome"), runs=15)
            print(
                f"  outcome page          {len(statements):2d} queries, {len(page) // 1024:5d} KiB, "
                f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, CPU {cpu:6.1f} ms "
                "(target <= 200 ms, constant queries)"
            )
            with count_queries() as statements:
                size = len(get("/d/utfall/v/1/outcome.docx").get_data())
            p50, p95 = timed(lambda: get("/d/utfall/v/1/outcome.docx"), runs=8, warmup=1)
            cpu = cpu_ms(lambda: get("/d/utfall/v/1/outcome.docx"), runs=8)
            print(
                f"  outcome DOCX          {len(statements):2d} queries, {size // 1024:5d} KiB, "
                f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, CPU {cpu:6.1f} ms (target <= 500 ms)"
            )


def main() -> None:
    measure(COMMENTS)
    measure(300)  # the query count must not change with the size


if __name__ == "__main__":
    main()
