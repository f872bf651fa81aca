"""Headless LibreOffice for the tests: convert a file (to PDF, or to .docx as Word would save it).

One place for what every copy did: find ``soffice``, skip when it (or ``pdftotext``) is missing
unless CI=true (then the test fails: CI must install them), give each run a profile of its own so
parallel runs do not clash on its locks, and check that the converted file was written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
DOCX = "docx:MS Word 2007 XML"


def require(*tools: str) -> None:
    """Skip the test unless every one of *tools* is installed; under CI=true fail instead."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but not installed: {', '.join(missing)} (LibreOffice, poppler-utils)")
        pytest.skip(f"not installed: {', '.join(missing)}")


def convert_all(sources: list[Path], target: str, outdir: Path, infilter: str | None = None) -> list[Path]:
    """*sources* converted to *target* ("pdf", "docx", a "docx:filter") by one LibreOffice run,
    written to *outdir* (a folder of the test's own: LibreOffice's profile is kept there too);
    the converted files, in the order of *sources*."""
    require("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"  # the next conversion into *outdir* starts faster
    command = [shutil.which("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", target, "--outdir", str(outdir), *map(str, sources)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    extension = target.split(":", 1)[0]
    converted = [outdir / f"{source.stem}.{extension}" for source in sources]
    for path in converted:
        assert path.exists(), f"LibreOffice did not write {path}: {result.stdout}{result.stderr}"
    return converted


def convert(source: Path, target: str, outdir: Path, infilter: str | None = None) -> Path:
    """*source* converted to *target* by LibreOffice, written to *outdir*."""
    return convert_all([source], target, outdir, infilter)[0]


def convert_bytes(data: bytes, target: str, name: str = "file.docx") -> bytes:
    """The bytes of the file *data* (called *name*) after LibreOffice converted it to *target*."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in" / name
        source.parent.mkdir()
        source.write_bytes(data)
        return convert(source, target, Path(folder) / "out").read_bytes()


def pdf_text(path: Path, layout: bool = False) -> str:
    """The text of the PDF at *path*, by ``pdftotext`` (keeping the page layout if asked)."""
    require("pdftotext")
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def to_pdf_text(source: Path, outdir: Path, layout: bool = False) -> str:
    """The text LibreOffice prints of *source*: converted to PDF, then read by ``pdftotext``."""
    require("soffice", "pdftotext")
    return pdf_text(convert(source, "pdf", outdir), layout)
