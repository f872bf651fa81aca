"""Pending imports kept on the server between the report and the editor's decision.

An import can be megabytes of text, too much for the cookie session, and needs no table:
each one is a JSON file named by a random token under ``IMPORTS_DIR`` (the instance
folder by default; with several app servers, point it at a shared folder). A file records
the editor who uploaded it, and only that editor can see, confirm or cancel it. Files older
than :data:`TTL_SECONDS` are removed whenever an import is saved.

Confirming *claims* the file first by renaming it (atomic), so two confirmations racing
each other cannot both write the draft; a failed write puts it back.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import current_app

from app.drafting.alignment import Match
from app.drafting.docx_reader import ImportedBlock, ReportItem
from app.drafting.importing import NewDocument, PendingImport

TTL_SECONDS = 24 * 3600
FORMAT = 1
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_SUFFIX = ".json"


# Other kinds of pending upload (a preview waiting for "confirm"), by name: the class, a
# function giving its JSON-ready payload and one building it back. Each is a dataclass with
# ``user_id``, ``token`` and ``created`` like PendingImport, and is kept, claimed and swept alike.
_KINDS: dict[str, tuple[type, Callable[[Any], dict], Callable[[dict], Any]]] = {}


def register_kind(name: str, cls: type, dump: Callable[[Any], dict], load: Callable[[dict], Any]) -> None:
    """Let the store keep pending uploads of *cls* too (``name`` is written into the stored text)."""
    _KINDS[name] = (cls, dump, load)


def to_json(pending: PendingImport) -> str:
    """The JSON text of a pending import (or of a registered kind of pending upload)."""
    for name, (cls, dump, _load) in _KINDS.items():
        if isinstance(pending, cls):
            data = {
                "format": FORMAT,
                "kind": name,
                "user_id": pending.user_id,
                "created": pending.created,
                "payload": dump(pending),
            }
            return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    data = {
        "format": FORMAT,
        "user_id": pending.user_id,
        "created": pending.created,
        "source": pending.source,
        "filename": pending.filename,
        "document_id": pending.document_id,
        "new_document": asdict(pending.new_document) if pending.new_document else None,
        "base_version_id": pending.base_version_id,
        "base_label": pending.base_label,
        "draft_number": pending.draft_number,
        "blocks": [[b.kind, b.level, b.text] for b in pending.blocks],
        "matches": [[m.uid, m.status, m.score, m.old_index, m.reason] for m in pending.matches],
        "removed": pending.removed,
        "old": {str(i): [b.kind, b.level, b.text] for i, b in pending.old.items()},
        "report": [[r.code, r.detail, r.count] for r in pending.report],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def from_json(token: str, text: str) -> PendingImport:
    """A pending import read back from :func:`to_json`'s text."""
    data = json.loads(text)
    if data.get("format") != FORMAT:
        raise ValueError("unknown pending import format")
    if "kind" in data:
        _cls, _dump, load = _KINDS[data["kind"]]
        pending = load(data["payload"])
        pending.token, pending.user_id, pending.created = token, int(data["user_id"]), float(data["created"])
        return pending
    spec = data["new_document"]
    return PendingImport(
        token=token,
        user_id=int(data["user_id"]),
        created=float(data["created"]),
        source=data["source"],
        filename=data["filename"],
        document_id=data["document_id"],
        new_document=NewDocument(**spec) if spec else None,
        base_version_id=data["base_version_id"],
        base_label=data["base_label"],
        draft_number=data["draft_number"],
        blocks=[ImportedBlock(kind, level, text) for kind, level, text in data["blocks"]],
        matches=[
            Match(index, uid, status, score, old_index, reason)
            for index, (uid, status, score, old_index, reason) in enumerate(data["matches"])
        ],
        removed=list(data["removed"]),
        old={int(i): ImportedBlock(*b) for i, b in data["old"].items()},
        report=[ReportItem(code, detail, count) for code, detail, count in data["report"]],
    )


class PendingStore:
    """Pending imports as files in one folder."""

    def __init__(self, folder: Path, ttl: int = TTL_SECONDS) -> None:
        self.folder = Path(folder)
        self.ttl = ttl

    def _path(self, token: str) -> Path | None:
        # The token comes from a URL: only our own format may name a file.
        if not isinstance(token, str) or not _TOKEN.match(token):
            return None
        return self.folder / f"{token}{_SUFFIX}"

    def save(self, pending: PendingImport) -> str:
        """Store *pending* under a new token and return the token; sweeps expired files."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sweep()
        token = secrets.token_urlsafe(24)
        pending.token, pending.created = token, time.time()
        path = self._path(token)
        temporary = self.folder / f".{token}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(to_json(pending))
        os.replace(temporary, path)
        return token

    def _read(self, path: Path, token: str, user_id: int, kind: type = PendingImport):
        try:
            pending = from_json(token, path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if pending.user_id != user_id or time.time() - pending.created > self.ttl:
            return None
        # A token of one kind of upload never opens a page of another.
        return pending if isinstance(pending, kind) else None

    def load(self, token: str, user_id: int, kind: type = PendingImport):
        """The pending upload *token* of *user_id*; None when unknown, expired, another's or not a *kind*."""
        path = self._path(token)
        if path is None:
            return None
        return self._read(path, token, user_id, kind)

    def claim(self, token: str, user_id: int, kind: type = PendingImport):
        """Take the pending import out of the store for writing; None if it is not (or no longer) there."""
        path = self._path(token)
        if path is None or self.load(token, user_id, kind) is None:
            return None
        claimed = self.folder / f".{token}.claimed"
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            return None  # another request confirmed or cancelled it a moment ago
        pending = self._read(claimed, token, user_id, kind)
        if pending is None:
            claimed.unlink(missing_ok=True)
        return pending

    def release(self, pending: PendingImport) -> None:
        """Put a claimed import back (its write failed), so the editor can try again."""
        claimed = self.folder / f".{pending.token}.claimed"
        path = self._path(pending.token)
        if path is not None and claimed.exists():
            os.replace(claimed, path)

    def done(self, pending: PendingImport) -> None:
        """Forget a claimed import once its draft is committed."""
        (self.folder / f".{pending.token}.claimed").unlink(missing_ok=True)

    def discard(self, token: str, user_id: int, kind: type = PendingImport) -> bool:
        """Delete the pending import *token* of *user_id*; False when there was none."""
        pending = self.claim(token, user_id, kind)
        if pending is None:
            return False
        self.done(pending)
        return True

    def sweep(self) -> None:
        """Remove files older than the time to live (left by editors who never decided)."""
        limit = time.time() - self.ttl
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
            except FileNotFoundError:
                continue


def store() -> PendingStore:
    """The store of the current app (``IMPORTS_DIR``)."""
    folder = current_app.config.get("IMPORTS_DIR") or Path(current_app.instance_path) / "imports"
    return PendingStore(Path(folder))
