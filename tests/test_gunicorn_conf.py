"""The gunicorn settings file the project's commands start the server with."""

from __future__ import annotations

import gc
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_freezes_its_start_up_objects():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](None)
        # Everything alive at start-up (the test run's modules and app) is out of the collector's way.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_gunicorn_reads_the_file_from_the_project_folder():
    printed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "wsgi:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    settings = {
        name.strip(): value.strip()
        for name, value in (line.split("=", 1) for line in printed.splitlines() if "=" in line)
    }
    assert settings["config"] == "./gunicorn.conf.py"
    # gunicorn's own default hook prints as PostWorkerInit.post_worker_init; the file's as below.
    assert settings["post_worker_init"] == "<post_worker_init()>"


def test_a_worker_loads_the_search_dictionary_before_taking_requests(monkeypatch):
    """Half a second or more to load: at start-up, not in the first search or comment."""
    from app.search import compounds

    monkeypatch.setattr(compounds, "_loaded", [])
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    try:
        settings["post_worker_init"](None)
    finally:
        gc.unfreeze()
    assert len(compounds._loaded) == 1  # tried once; None only where hunspell-sv is missing
