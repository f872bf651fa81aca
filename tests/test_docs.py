"""The docs cannot drift from the code: every path they name exists, and the architecture
diagram names every layer of the import-linter contract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Only paths that start in one of these are checked; URL paths ("/d/<slug>") and generated
# places (instance/, test-results/) are not files of the repository.
TOP_FOLDERS = ("app", "tests", "benchmarks", "migrations", "docs", "templates", "exports", ".ci")
TOP_FILES = {
    "README.md",
    "Makefile",
    "pyproject.toml",
    "wsgi.py",
    "gunicorn.conf.py",
    "requirements.txt",
    "requirements-dev.txt",
    "babel.cfg",
}

BACKTICKED = re.compile(r"`([^`\s]+)`( \(new\))?")
LINKED = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def _checked(path: str) -> bool:
    if any(char in path for char in "<>*…{}"):
        return False  # a pattern, not a path
    return path in TOP_FILES or ("/" in path and path.split("/", 1)[0] in TOP_FOLDERS)


def named_paths(doc: Path) -> list[tuple[str, Path]]:
    """(as written, resolved) for every repository path *doc* names: backticked paths from the
    repository root, links from the file's own folder. A path followed by "(new)" is skipped:
    it names a file a recipe would create."""
    found = []
    for match in BACKTICKED.finditer(doc.read_text(encoding="utf-8")):
        path, new = match.groups()
        if not new and _checked(path):
            found.append((path, ROOT / path))
    for match in LINKED.finditer(doc.read_text(encoding="utf-8")):
        link = match.group(1)
        if "://" in link or link.startswith(("/", "mailto:")):
            continue
        target = (doc.parent / link).resolve()
        found.append((target.relative_to(ROOT).as_posix(), target))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_named_paths_exist(doc):
    missing = sorted(
        {written for written, path in named_paths(doc) if not path.exists()}
    )
    assert not missing, f"{doc.relative_to(ROOT)} names paths that do not exist: {missing}"



def layer_modules() -> list[str]:
    """Every module of the "layers" contract in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    return [name.strip(" ()") for layer in contract["layers"] for name in re.split(r"[:|]", layer)]


def architecture_diagram() -> str:
    """The first fenced block under "## The layers" in docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("\n## The layers\n", 1)[1]
    return section.split("```", 2)[1]


def test_diagram_names_every_layer_module():
    diagram = architecture_diagram()
    modules = layer_modules()
    assert "review" in modules and "extensions" in modules
    missing = [name for name in modules if not re.search(rf"\b{re.escape(name)}\b", diagram)]
    assert not missing, f"docs/architecture.md's diagram lacks these layer modules: {missing}"
