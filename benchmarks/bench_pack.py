"""Meeting pack speed: 500 blocks (10% changed) and 3,000 comments, against pandoc.

Targets (issue "Meetings and the DOCX meeting pack", kept by issue 13 "The meeting pack
tells the meeting what happened to its feedback"): write_pack ≤ 0.4 s and ≤ 250 MB peak
memory, and faster than pandoc (Debian's /usr/bin/pandoc) turning the same content,
written as Markdown, into DOCX. Since issue 13 every comment on a paragraph is a Word
comment (a third of them anchored on a quoted span), decided ones with the decision as a
threaded reply. The Markdown carries the same tracked changes and comments (the reply as a
second comment: pandoc has no threads) as pandoc spans (``{.insertion}``, ``{.deletion}``,
``{.comment-start}``) so both tools write the same kind of file.

Run from the repository root: ``python benchmarks/bench_pack.py``.
"""

from __future__ import annotations

import hashlib
import io
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.meetings.pack import HistoryRow, PackBlock, PackInput, write_pack
from app.review.compilation import PackComment, by_section, labels, status_label
from app.richtext import Segment, from_segments, plain, segments

BLOCKS = 500
COMMENTS = 3000
RUNS = 7
PANDOC_RUNS = 2  # pandoc takes seconds per run here
WORDS = (
    "myndighet",
    "licens",
    "upphovsrätt",
    "öppna",
    "data",
    "material",
    "villkor",
    "återanvändning",
    "offentlig",
    "handling",
    "verk",
    "skydd",
    "avtal",
    "spridning",
    "information",
    "förvaltning",
    "digital",
    "tjänst",
    "krav",
    "ansvar",
    "rätt",
    "källa",
    "text",
    "bild",
)
STATUSES = ("open", "open", "accepted", "partly_accepted", "rejected", "noted")


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def synthetic_pack(seed: int = 7) -> PackInput:
    """A deterministic pack of BLOCKS blocks (10% changed) and COMMENTS comments."""
    rng = random.Random(seed)
    when = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    blocks: list[PackBlock] = []
    refs: list[tuple[str, str, str, str]] = []  # (uid, ref, section, plain text)
    h1 = h2 = para = 0
    section = ""
    old_index = 0
    for i in range(BLOCKS):
        uid = f"b{i:04d}"
        if i % 25 == 0:
            h1, h2, para = h1 + 1, 0, 0
            kind, level, text = "heading", 1, _sentence(rng, 3)
            section = f"{h1} {text}"
        elif i % 8 == 0:
            h2, para = h2 + 1, 0
            kind, level, text = "heading", 2, _sentence(rng, 4)
            section = f"{h1}.{h2} {text}"
        elif i % 40 == 7:
            kind, level = "table", 1
            text = "\n".join("\t".join(rng.choice(WORDS) for _ in range(3)) for _ in range(4))
        else:
            kind = rng.choice(("paragraph", "paragraph", "paragraph", "bullet", "number", "quote"))
            level = 1 if kind != "bullet" else rng.choice((1, 1, 2))
            words = [rng.choice(WORDS) for _ in range(rng.randint(20, 60))]
            runs = [
                Segment(" ".join(words[:5]) + " "),
                Segment(" ".join(words[5:8]), bold=True),
                Segment(" " + " ".join(words[8:]) + "."),
            ]
            text = from_segments(runs)
        para += 1
        ref = f"{h1}.{h2} ¶{para}" if h2 else f"{h1} ¶{para}"
        status, ops = "unchanged", None
        # 10% changed: mostly edits, some added and removed blocks.
        if kind not in ("heading", "table") and i % 10 == 3:
            status = rng.choice(("modified", "modified", "modified", "added", "removed"))
            if status == "modified":
                words = plain(text).split()
                cut = len(words) // 2
                ops = [
                    ("equal", [Segment(" ".join(words[:cut]) + " ")]),
                    ("delete", [Segment(" ".join(words[cut : cut + 3]))]),
                    ("insert", [Segment(_sentence(rng, 4)[:-1])]),
                    ("equal", [Segment(" " + " ".join(words[cut + 3 :]))]),
                ]
        block_old_index = None if status == "added" else old_index
        if status != "added":
            old_index += 1
        blocks.append(
            PackBlock(
                uid,
                kind,
                level,
                text,
                status=status,
                ops=ops,
                old_index=block_old_index,
                author="Eva Redaktör",
                changed_at=when - timedelta(days=3),
            )
        )
        refs.append((uid, ref, section, plain(text), text))
    comments = []
    for n in range(1, COMMENTS + 1):
        uid, ref, section, said, html = refs[rng.randrange(len(refs))] if n % 50 else (None, "", "", "", "")
        status = rng.choice(STATUSES)
        words = said.split()
        # A third quote three words of their paragraph (anchored on that span when it is
        # there once), a third quote one common word (anchored on the whole paragraph).
        if n % 3 == 0 and len(words) > 6:
            at = rng.randrange(len(words) - 3)
            quote = " ".join(words[at : at + 3])
        elif n % 3 == 1:
            quote = rng.choice(WORDS)
        else:
            quote = None
        comments.append(
            PackComment(
                number=n,
                block_uid=uid,
                ref=ref,
                section=section,
                organisation=rng.choice(("PRV", "DIGG", "Skatteverket", "Lunds universitet")),
                author=f"Person {n % 97}",
                body_text=_sentence(rng, rng.randint(10, 40)),
                version_label=rng.choice(("0.1", "0.2")),
                created_at=when - timedelta(minutes=n),
                kind=rng.choice(("comment", "question", "suggestion")),
                quote=quote,
                # A suggestion is the whole paragraph as proposed (two changes), shown as its diff.
                suggestion=html.replace(" ", " mycket ", 1) + " " + _sentence(rng, 8) if n % 4 == 0 else None,
                suggestion_base=html if n % 4 == 0 else None,
                status=status,
                response=_sentence(rng, 12) if status != "open" else "",
                decided_by="Eva Redaktör" if status != "open" else "",
                decided_by_organisation="PRV" if status != "open" else "",
                decided_at=when - timedelta(days=4) if status != "open" else None,
                decided_in_label="0.2" if status != "open" else "",
                withdrawn=n % 97 == 0,
            )
        )
    history = [
        HistoryRow(1, "0.1", when - timedelta(days=40), "Eva Redaktör", "Första utkastet"),
        HistoryRow(2, "0.2", when, "Eva Redaktör", "Synpunkter från träff 2 inarbetade"),
    ]
    return PackInput(
        document_title="Öppna licenser för myndigheters material",
        document_slug="oppna-licenser",
        version_number=2,
        version_label="0.2",
        version_state="open",
        version_date=when,
        meeting_title="Nätverksträff 4",
        meeting_date=when + timedelta(days=14),
        blocks=blocks,
        comments=comments,
        history=history,
        organisations=["PRV", "DIGG"],
        base_version_label="0.1",
    )


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("\n", " ")


def _md_runs(runs: list[Segment]) -> str:
    out = []
    for run in runs:
        text = _md(run.text)
        if run.bold:
            text = f"**{text}**"
        out.append(text)
    return "".join(out)


def pack_markdown(pack: PackInput) -> str:
    """The same content as Markdown for pandoc, changes and comments as pandoc spans."""
    attrs = 'author="Eva Redaktör" date="2025-02-28T10:00:00Z"'
    lines = [f"% {pack.document_title}", "", f"Version {pack.version_label}", ""]
    lines += [
        "# Versionshistorik",
        "",
        "| Nr | Version | Datum | Av | Sammanfattning |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {h.number} | {h.label} | {h.published_at:%Y-%m-%d} | {h.published_by} | {h.summary} |"
        for h in pack.history
    ]
    lines.append("")
    open_by_block: dict[str, list[PackComment]] = {}
    for c in pack.comments:
        if c.block_uid:
            open_by_block.setdefault(c.block_uid, []).append(c)
    comment_id = 0
    for block in pack.blocks:
        if block.kind == "table":
            rows = [r.split("\t") for r in block.text_html.split("\n")]
            lines += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
            lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
            lines.append("")
            continue
        if block.ops is not None:
            body = "".join(
                _md_runs(runs)
                if tag == "equal"
                else f"[{_md_runs(runs)}]{{.{'insertion' if tag == 'insert' else 'deletion'} {attrs}}}"
                for tag, runs in block.ops
            )
        else:
            body = _md_runs(segments(block.text_html))
            if block.status in ("added", "removed"):
                cls = "insertion" if block.status == "added" else "deletion"
                body = f"[{body}]{{.{cls} {attrs}}}"
        for c in open_by_block.get(block.uid, []):
            comment_id += 1
            body = (
                f'[{_md(c.body_text)}]{{.comment-start id="{comment_id}" '
                f'author="{c.author_label}" date="2025-02-28T10:00:00Z"}}{body}'
                f'[]{{.comment-end id="{comment_id}"}}'
            )
            if c.response:
                comment_id += 1
                body = (
                    f'[{_md(c.response)}]{{.comment-start id="{comment_id}" '
                    f'author="{c.decided_by}" date="2025-02-28T10:00:00Z"}}{body}'
                    f'[]{{.comment-end id="{comment_id}"}}'
                )
        prefix = {
            "heading": "#" * block.level + " ",
            "bullet": "  " * (block.level - 1) + "- ",
            "number": "1. ",
            "quote": "> ",
        }.get(block.kind, "")
        lines += [prefix + body, ""]
    strings = labels("sv")
    lines += [
        "# Sammanställning av inkomna synpunkter",
        "",
        "| Nr | Stycke | Organisation | Författare | Synpunkt | Förslag | Status | Svar |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for section, group in by_section(pack.comments, strings):
        lines.append(f"| **{_md(section)}** | | | | | | | |")
        for c in group:
            lines.append(
                f"| {c.number} | {c.ref} | {c.organisation} | {c.author} | {_md(c.body_text)} | "
                f"{_md(plain(c.suggestion or ''))} | {status_label(c, strings)} | "
                f"{_md(c.response)} |"
            )
    return "\n".join(lines) + "\n"


def data_threads(data: bytes) -> tuple[int, int]:
    """(Word comments, replies among them) in the pack *data*."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        comments = package.read("word/comments.xml").count(b"<w:comment ")
        replies = package.read("word/commentsExtended.xml").count(b"paraIdParent")
    return comments, replies


def _peak_rss_mb() -> float:
    # VmHWM belongs to this process image; ru_maxrss on Linux carries over the parent's
    # peak through fork and exec, which would report the benchmark's own memory.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure_memory() -> None:
    """Child process: write one pack, print the peak RSS in MB before and after."""
    pack = synthetic_pack()
    before = _peak_rss_mb()
    write_pack(pack)
    print(f"{before:.0f} {_peak_rss_mb():.0f}")


def main() -> None:
    pack = synthetic_pack()
    changed = sum(b.status != "unchanged" for b in pack.blocks)
    decided = sum(not c.is_open for c in pack.comments)
    print(
        f"input: {len(pack.blocks)} blocks ({changed} changed), {len(pack.comments)} comments "
        f"({decided} decided or withdrawn: threads with a reply or marked done)"
    )

    write_pack(pack)  # warm-up: imports, template, caches
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        data = write_pack(pack)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    clean = []
    for _ in range(3):
        start = time.perf_counter()
        write_pack(pack, tracked=False)
        clean.append(time.perf_counter() - start)
    digest = hashlib.sha256(data).hexdigest()[:12]
    threads = data_threads(data)
    print(f"Word comments in the pack: {threads[0]} ({threads[1]} of them replies)")
    median = statistics.median(times)
    print(
        f"write_pack (tracked): median {median:.3f} s, best {min(times):.3f} s over {RUNS} runs "
        f"(target ≤ 0.4 s; CPU median {statistics.median(cpu):.3f} s, what an idle machine would take); "
        f"clean variant median {statistics.median(clean):.3f} s; "
        f"{len(data) / 1e6:.1f} MB, sha256 {digest}…"
    )

    child = subprocess.run([sys.executable, __file__, "--memory"], capture_output=True, text=True, check=True)
    before, after = child.stdout.split()
    print(
        f"peak RSS of a fresh process writing one pack: {after} MB (target ≤ 250 MB; "
        f"{before} MB before the write: interpreter, imports, input)"
    )

    pandoc = shutil.which("pandoc")
    if not pandoc:
        print("pandoc: not installed, comparison skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.md"
        source.write_text(pack_markdown(pack), encoding="utf-8")
        pandoc_times = []
        for _ in range(PANDOC_RUNS):
            start = time.perf_counter()
            subprocess.run([pandoc, "-o", str(Path(tmp) / "x.docx"), str(source)], check=True)
            pandoc_times.append(time.perf_counter() - start)
    best_pandoc = min(pandoc_times)
    print(
        f"pandoc md → docx, same content: best {best_pandoc:.3f} s of {PANDOC_RUNS}; write_pack is "
        f"{best_pandoc / median:.1f}× faster (median against pandoc's best)"
    )


if __name__ == "__main__":
    if "--memory" in sys.argv:
        _measure_memory()
    else:
        main()
