"""Pending imports kept between the report and the editor's decision, in the database.

An import can be megabytes of text, too much for the cookie session. Each one is a row of
``pending_import`` named by a random token: the JSON of the parsed import (bytes, sha256, size),
who uploaded it and when. Any app server can show, confirm or cancel it, and only the editor
who uploaded it can. Rows older than :data:`TTL_SECONDS` are refused, swept whenever an import
is saved, and purged by ``flask purge`` (cron), which also removes the files that older
versions kept under ``IMPORTS_DIR``.

Like the files they replace, the store's calls take effect at once (they commit the session),
except :meth:`PendingStore.claim`: confirming *takes the row out* (``DELETE … RETURNING``) in
the same transaction as the draft it writes, so two confirmations racing each other cannot
both write the draft (the second waits for the first's row lock, then finds nothing), and a
failed write rolls the claim back with everything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.drafting.alignment import Match
from app.drafting.docx_reader import ImportedBlock, ReportItem
from app.drafting.importing import NewDocument, PendingImport
from app.drafting.models import StoredImport
from app.extensions import db

TTL_SECONDS = 24 * 3600
FORMAT = 1
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")

# Other kinds of pending upload (a preview waiting for "confirm"), by name: the class, a
# function giving its JSON-ready payload and one building it back. Each is a dataclass with
# ``user_id``, ``token``, ``created`` and ``filename`` like PendingImport, and is kept, claimed
# and swept alike.
_KINDS: dict[str, tuple[type, Callable[[Any], dict], Callable[[dict], Any]]] = {}


def register_kind(name: str, cls: type, dump: Callable[[Any], dict], load: Callable[[dict], Any]) -> None:
    """Let the store keep pending uploads of *cls* too (``name`` is written into the stored text)."""
    _KINDS[name] = (cls, dump, load)


def to_json(pending) -> str:
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


def from_json(token: str, text: str):
    """A pending import (or registered kind) read back from :func:`to_json`'s text."""
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


def _created(row) -> float:
    return row.created_at.timestamp()


class PendingStore:
    """Pending imports as rows of ``pending_import``; *folder* is only swept of older files."""

    def __init__(self, folder: Path, ttl: int = TTL_SECONDS) -> None:
        self.folder = Path(folder)
        self.ttl = ttl

    @staticmethod
    def _valid(token) -> bool:
        # The token comes from a URL: only our own format is looked up.
        return isinstance(token, str) and bool(_TOKEN.match(token))

    def save(self, pending: PendingImport) -> str:
        """Store *pending* under a new token and return the token; sweeps expired imports."""
        self.sweep()
        token = secrets.token_urlsafe(24)
        pending.token, pending.created = token, time.time()
        data = to_json(pending).encode("utf-8")
        db.session.add(
            StoredImport(
                token=token,
                user_id=pending.user_id,
                created_at=datetime.fromtimestamp(pending.created, UTC),
                filename=(pending.filename or "")[:300],
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
            )
        )
        db.session.commit()
        return token

    def _parsed(self, token: str, user_id: int, row, kind: type = PendingImport):
        if row is None or row.user_id != user_id or time.time() - _created(row) > self.ttl:
            return None
        try:
            pending = from_json(token, bytes(row.data).decode("utf-8"))
        except (ValueError, KeyError, TypeError):
            return None
        # A token of one kind of upload never opens a page of another.
        return pending if isinstance(pending, kind) else None

    def load(self, token: str, user_id: int, kind: type = PendingImport):
        """The pending upload *token* of *user_id*; None when unknown, expired, another's or not a *kind*."""
        if not self._valid(token):
            return None
        row = db.session.execute(
            sa.select(StoredImport.user_id, StoredImport.created_at, StoredImport.data).where(
                StoredImport.token == token
            )
        ).first()
        return self._parsed(token, user_id, row, kind)

    def claim(self, token: str, user_id: int, kind: type = PendingImport):
        """Take the pending import out of the store for writing, in the session's transaction.

        Commit writes the draft and forgets the import together; a rollback puts it back.
        None if it is not (or no longer) there.
        """
        if not self._valid(token) or self.load(token, user_id, kind) is None:
            return None
        table = StoredImport.__table__
        row = db.session.execute(
            sa.delete(table)
            .where(table.c.token == token, table.c.user_id == user_id)
            .returning(table.c.user_id, table.c.created_at, table.c.data)
        ).first()
        return self._parsed(token, user_id, row, kind)

    def release(self, pending: PendingImport) -> None:
        """Put a claimed import back (its write failed); the rollback already did, so a no-op."""

    def done(self, pending: PendingImport) -> None:
        """Forget a claimed import for good, also after a rollback (the import was refused)."""
        db.session.execute(sa.delete(StoredImport).where(StoredImport.token == pending.token))
        db.session.commit()

    def discard(self, token: str, user_id: int, kind: type = PendingImport) -> bool:
        """Delete the pending upload *token* of *user_id*; False when there was none."""
        pending = self.claim(token, user_id, kind)
        if pending is None:
            db.session.rollback()
            return False
        db.session.commit()
        return True

    def sweep(self) -> int:
        """Remove imports older than the time to live, and such files in *folder*; returns how many rows."""
        limit = time.time() - self.ttl
        removed = db.session.execute(
            sa.delete(StoredImport).where(StoredImport.created_at < datetime.fromtimestamp(limit, UTC))
        ).rowcount
        db.session.commit()
        try:
            entries = list(os.scandir(self.folder))
        except (FileNotFoundError, NotADirectoryError):
            return removed or 0
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
            except FileNotFoundError:
                continue
        return removed or 0


def store() -> PendingStore:
    """The store of the current app (rows in the database; ``IMPORTS_DIR`` is swept of old files)."""
    folder = current_app.config.get("IMPORTS_DIR") or Path(current_app.instance_path) / "imports"
    return PendingStore(Path(folder))
