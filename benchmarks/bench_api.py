"""JSON API speed (issue 8): server time in-process and SQL query counts.

Targets: GET of a 500-block version's blocks p50 ≤ 40 ms with as many queries as for 10 blocks;
a version with 3,000 comments, a page of 100 comments (with replies, endorsements) p50 ≤ 40 ms.
"""

from __future__ import annotations

import random
from pathlib import Path

from _setup import add_comments, count_queries, make_app, make_document, make_users, temp_dir, timed


def main() -> None:
    rng = random.Random(20261127)
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            users = make_users()
            make_document("small", 10, users, rng)
            make_document("large", 500, users, rng)
            commented = make_document("commented", 500, users, rng)
            add_comments(commented, 3000, users, rng)
        client = app.test_client()

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        with app.app_context():
            for slug in ("small", "large"):
                get(f"/api/v1/documents/{slug}/versions/1/blocks")
                with count_queries() as statements:
                    body = get(f"/api/v1/documents/{slug}/versions/1/blocks").data
                print(f"blocks of /{slug}: {len(statements)} queries, {len(body) // 1024} KiB")
            first = "/api/v1/documents/commented/versions/1/comments?limit=100"
            middle = get(first).get_json()["next"]
            for label, url in (("first page", first), ("second page", middle)):
                with count_queries() as statements:
                    body = get(url).data
                print(f"comments, {label} of 100: {len(statements)} queries, {len(body) // 1024} KiB")

        p50, p95 = timed(lambda: get("/api/v1/documents/large/versions/1/blocks"))
        print(f"500 blocks:                       p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p50 <= 40 ms)")
        etag = get("/api/v1/documents/large/versions/1/blocks").headers["ETag"]
        p50e, _ = timed(
            lambda: client.get("/api/v1/documents/large/versions/1/blocks", headers={"If-None-Match": etag})
        )
        print(f"500 blocks, If-None-Match (304):  p50 {p50e:.1f} ms")
        p50c, p95c = timed(lambda: get(first))
        print(f"3,000 comments, page of 100:      p50 {p50c:.1f} ms, p95 {p95c:.1f} ms (target p50 <= 40 ms)")
        p50m, _ = timed(lambda: get(middle))
        print(f"3,000 comments, second page:      p50 {p50m:.1f} ms")


if __name__ == "__main__":
    main()
