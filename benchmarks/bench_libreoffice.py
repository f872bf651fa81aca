"""How long LibreOffice takes to open a meeting pack: 500 paragraphs, 0 to 1,000 Word comments.

Hosts open the pack in LibreOffice as often as in Word. Issue 13 asks for the curve of
``soffice --headless --convert-to pdf`` (open, lay out, export) over packs of 500
paragraphs with 0, 100, 300 and 1,000 Word comments (target: 300 comments in at most 60 s
on this machine), and for the cause if it grows badly.

Each pack is the benchmark pack of ``bench_pack.py`` (10 % of the blocks changed) with the
given number of comments, every one on a paragraph (so each is a Word comment; decided ones
also get the editors' reply, as in a real pack). Each conversion runs in a fresh
LibreOffice profile, so no run profits from another's cache.

Run from the repository root: ``python benchmarks/bench_libreoffice.py [counts...]``.
"""

from __future__ import annotations

import dataclasses
import io
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pack import synthetic_pack

from app.meetings.pack import PackInput, write_pack

PARAGRAPHS = 500
COUNTS = (0, 100, 300, 1000)
TIMEOUT = 900


def pack_with(comments: int) -> PackInput:
    """The benchmark pack with its first *comments* comments, all on paragraphs."""
    pack = synthetic_pack()
    on_paragraphs = [c for c in pack.comments if c.block_uid is not None]
    return dataclasses.replace(pack, comments=on_paragraphs[:comments])


def convert(path: Path, workdir: Path) -> tuple[float, float]:
    """(wall, CPU) seconds LibreOffice takes to turn *path* into a PDF (fresh profile).

    The CPU time (user + system of the LibreOffice processes) is reported beside the wall
    time: on a shared machine the wall time says as much about the neighbours.
    """
    soffice = shutil.which("soffice")
    profile = workdir / f"profile-{path.stem}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(workdir), str(path)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if not (workdir / f"{path.stem}.pdf").exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {path.name}")
    return elapsed, cpu


def main(counts: tuple[int, ...]) -> None:
    if shutil.which("soffice") is None:
        print("soffice: not installed, skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # LibreOffice's first start in a new profile costs seconds: measure an empty pack once.
        warm = workdir / "warm.docx"
        warm.write_bytes(write_pack(dataclasses.replace(pack_with(0), blocks=pack_with(0).blocks[:5])))
        wall, cpu = convert(warm, workdir)
        print(f"LibreOffice start and a 5-paragraph pack: {wall:.1f} s (CPU {cpu:.1f} s)", flush=True)
        for count in counts:
            data = write_pack(pack_with(count))
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                words = package.read("word/comments.xml").count(b"<w:comment ") if count else 0
            path = workdir / f"pack-{count}.docx"
            path.write_bytes(data)
            try:
                wall, cpu = convert(path, workdir)
                seconds = f"{wall:.1f} s (CPU {cpu:.1f} s)"
            except subprocess.TimeoutExpired:
                seconds = f"> {TIMEOUT} s (timed out)"
            print(
                f"{PARAGRAPHS} paragraphs, {count} comments ({words} Word comments with replies): {seconds}",
                flush=True,
            )


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or COUNTS)
