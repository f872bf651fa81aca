"""Benchmark: import a 2,000-paragraph Word draft and align it with the previous version.

Run from the repository root: ``python benchmarks/bench_import.py``.

Two scenarios, each measured in a fresh subprocess (so memory figures are its own):
realistic (10% of paragraphs edited, 10 moved) and worst case (every paragraph edited).
Each prints the wall time of ``read_docx`` + ``align``, the Python heap peak
(tracemalloc, in a second run so its overhead does not count in the time), the
process's peak RSS, and whether every uid came out right.
Targets: ≤ 3 s and ≤ 300 MB peak; worst case ≤ 5 s.

A third run per scenario does what confirming an import does, on a SQLite database
holding the previous version: ``prepare_import`` (load the old blocks, sanitise, align),
then ``write_import`` (``replace_draft``: start the draft, write 2,000 blocks) and commit.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPHS = 2000
TARGET_SECONDS = {"realistic": 3.0, "worst": 5.0}
TARGET_MB = 300


def synthetic_texts(rng: random.Random, count: int) -> list[str]:
    """Prose-like paragraphs of Zipf-distributed pseudo-words."""
    letters = "abcdefghijklmnoprstuvyåäö"
    vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(5000)]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]

    def sentence() -> str:
        return " ".join(rng.choices(vocab, weights, k=rng.randint(6, 24))).capitalize() + "."

    return [" ".join(sentence() for _ in range(rng.randint(1, 5))) for _ in range(count)]


def edit(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(max(1, len(words) // 12)):
        words[rng.randrange(len(words))] = "ändrat"
    return " ".join(words)


def with_bold(text: str) -> str:
    """Rich text with the first three words bold, as the generated .docx has them."""
    from app.richtext import Segment, from_segments

    words = text.split(" ")
    head, rest = " ".join(words[:3]) + " ", " ".join(words[3:])
    return from_segments([Segment(head, bold=len(words) > 3), Segment(rest)])


def kind_at(index: int) -> tuple[str, int]:
    if index % 25 == 0:
        return ("heading", 1 + (index // 25) % 3)
    if index % 7 == 3:
        return ("bullet", 1)
    return ("paragraph", 1)


def scenario(name: str, workdir: Path) -> tuple[Path, Path]:
    """Write the new .docx and the previous version's blocks (JSON); return their paths."""
    import docx

    rng = random.Random(2025)
    texts = synthetic_texts(rng, PARAGRAPHS)
    old = [
        {"uid": f"u{i}", "kind": kind_at(i)[0], "level": kind_at(i)[1], "text": t}
        for i, t in enumerate(texts)
    ]
    current = [dict(b) for b in old]
    if name == "worst":
        for block in current:
            block["text"] = edit(rng, block["text"])
    else:
        for i in rng.sample(range(PARAGRAPHS), PARAGRAPHS // 10):
            current[i]["text"] = edit(rng, current[i]["text"])
        for _ in range(10):
            current.insert(rng.randrange(PARAGRAPHS), current.pop(rng.randrange(PARAGRAPHS)))
    document = docx.Document()
    styles = {"paragraph": None, "bullet": "List Bullet"}
    for block in current:
        if block["kind"] == "heading":
            document.add_heading(block["text"], block["level"])
            continue
        paragraph = document.add_paragraph(style=styles[block["kind"]])
        words = block["text"].split(" ")
        # Some inline bold, so runs are read too (the text itself stays the same).
        paragraph.add_run(" ".join(words[:3]) + " ").bold = len(words) > 3
        paragraph.add_run(" ".join(words[3:]))
    path = workdir / f"{name}.docx"
    document.save(path)
    for block in old:  # the previous version stored the same inline bold
        if block["kind"] != "heading":
            block["text"] = with_bold(block["text"])
    (workdir / f"{name}.json").write_text(
        json.dumps({"old": old, "expected": [b["uid"] for b in current]}), encoding="utf-8"
    )
    return path, workdir / f"{name}.json"


def child(docx_path: str, json_path: str, trace: str) -> None:
    """Measure one import in this (fresh) process and print the figures as JSON."""
    from app.drafting.alignment import OldBlock, align
    from app.drafting.docx_reader import read_docx

    data = Path(docx_path).read_bytes()
    spec = json.loads(Path(json_path).read_text(encoding="utf-8"))
    old = [OldBlock(**b) for b in spec["old"]]
    if trace == "1":
        tracemalloc.start()
    start = time.perf_counter()
    result = read_docx(data)
    read_done = time.perf_counter()
    aligned = align(old, result.blocks)
    end = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if trace == "1" else 0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "read": read_done - start,
                "align": end - read_done,
                "peak": peak,
                "rss_mb": rss_kb / 1024,
                "blocks": len(result.blocks),
                "right": sum(a == b for a, b in zip(aligned.uids, spec["expected"], strict=False)),
                "counts": aligned.counts,
            }
        )
    )


def child_write(docx_path: str, json_path: str) -> None:
    """Measure reading, aligning and writing one import through the app, on SQLite; print JSON."""
    import sqlalchemy as sa

    from app.documents.models import Block, BlockKind, BlockRevision, Document, Version, VersionState
    from app.drafting.docx_reader import read_docx
    from app.drafting.importing import prepare_import, write_import
    from app.extensions import db
    from benchmarks._setup import make_app, make_users, temp_dir

    data = Path(docx_path).read_bytes()
    spec = json.loads(Path(json_path).read_text(encoding="utf-8"))
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            editor = make_users(1)[0]
            document = Document(slug="bench", title="Benchmark", created_by_id=editor.id)
            db.session.add(document)
            db.session.flush()
            version = Version(document=document, number=1, label="1", state=VersionState.OPEN)
            db.session.add(version)
            db.session.flush()
            db.session.execute(
                sa.insert(Block), [{"uid": b["uid"], "document_id": document.id} for b in spec["old"]]
            )
            ids = dict(db.session.execute(sa.select(Block.uid, Block.id)).all())
            db.session.execute(
                sa.insert(BlockRevision),
                [
                    {
                        "version_id": version.id,
                        "block_id": ids[b["uid"]],
                        "position": i,
                        "kind": BlockKind(b["kind"]),
                        "level": b["level"],
                        "text": b["text"],
                    }
                    for i, b in enumerate(spec["old"])
                ],
            )
            db.session.commit()
            document = db.session.get(Document, document.id)
            start = time.perf_counter()
            result = read_docx(data)
            read_done = time.perf_counter()
            pending = prepare_import(
                document, result.blocks, result.report, source="docx", filename="b", user=editor
            )
            aligned = time.perf_counter()
            draft = write_import(pending, editor)
            db.session.commit()
            end = time.perf_counter()
            uids = db.session.scalars(
                sa.select(Block.uid)
                .join(BlockRevision, BlockRevision.block_id == Block.id)
                .where(BlockRevision.version_id == draft.id)
                .order_by(BlockRevision.position)
            ).all()
    print(
        json.dumps(
            {
                "read": read_done - start,
                "align": aligned - read_done,
                "write": end - aligned,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "right": sum(a == b for a, b in zip(uids, spec["expected"], strict=False)),
            }
        )
    )


def measure(docx_path: Path, json_path: Path, trace: bool | None) -> dict:
    """Run one child: trace False/True for read + align, None for the full write through the app."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child-write" if trace is None else "--child",
            str(docx_path),
            str(json_path),
            *([] if trace is None else ["1" if trace else "0"]),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("realistic", "worst"):
            docx_path, json_path = scenario(name, Path(tmp))
            timed = measure(docx_path, json_path, trace=False)
            traced = measure(docx_path, json_path, trace=True)
            total = timed["read"] + timed["align"]
            peak_mb = traced["peak"] / 1024 / 1024
            limit = TARGET_SECONDS[name]
            print(
                f"{name:9} {PARAGRAPHS} paragraphs: read_docx {timed['read']:.2f} s + align "
                f"{timed['align']:.2f} s = {total:.2f} s (target ≤ {limit:.0f} s) "
                f"{'OK' if total <= limit else 'OVER'}; uids right {timed['right']}/{PARAGRAPHS}"
            )
            print(
                f"{'':9} memory: Python heap peak {peak_mb:.0f} MB, process peak RSS "
                f"{timed['rss_mb']:.0f} MB (target ≤ {TARGET_MB} MB) "
                f"{'OK' if max(peak_mb, timed['rss_mb']) <= TARGET_MB else 'OVER'}; "
                f"statuses {timed['counts']}"
            )
            written = measure(docx_path, json_path, trace=None)
            total = written["read"] + written["align"] + written["write"]
            print(
                f"{'':9} through the app (SQLite): read {written['read']:.2f} s + prepare_import "
                f"{written['align']:.2f} s + write_import and commit {written['write']:.2f} s "
                f"= {total:.2f} s; "
                f"peak RSS {written['rss_mb']:.0f} MB; draft uids right {written['right']}/{PARAGRAPHS}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "--child-write":
        child_write(*sys.argv[2:])
    else:
        main()
