"""Signed checkpoints of the audit chain's tip, kept outside the database (issue 9).

A line per checkpoint in ``<ZHIFA_AUDIT_CHECKPOINT_DIR>/audit-checkpoints.<database>.jsonl``: the tip's sequence
number and hash, the time, the key's id, and an HMAC-SHA256 under the audit key over the other four. A
checkpoint pins every entry up to it — their hashes all feed the tip's — so a chain rewritten or cut short
below a checkpoint no longer matches it, even where the rewrite used the old unkeyed hash. Only appended
to; the file is named after its database (so that a development machine's SQLite and PostgreSQL databases,
or staging and production sharing a mount, never check against each other's), and a deployment ships the
directory off the machine with its logs.

This module reads and appends the file; ``zhifa.core.audit`` decides what to write and checks it.
"""

import hmac
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from zhifa.core.audit_key import AuditKey


@dataclass(frozen=True)
class Checkpoint:
    line_no: int
    seq: int
    entry_hash: str
    at: str
    key_id: str
    signature: str

    def payload(self) -> bytes:
        content = {"seq": self.seq, "entry_hash": self.entry_hash, "at": self.at, "key_id": self.key_id}
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()

    def is_signed_by(self, key: AuditKey) -> bool:
        return self.key_id == key.key_id and hmac.compare_digest(key.sign(self.payload()), self.signature)


def checkpoint_path() -> Path:
    """``audit-checkpoints.<vendor>.<database name>.jsonl`` in the checkpoint directory."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        name = Path(name).stem
    return Path(settings.ZHIFA_AUDIT_CHECKPOINT_DIR) / f"audit-checkpoints.{connection.vendor}.{_safe(name)}.jsonl"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def audit_checkpoints_read() -> list[Checkpoint]:
    """Every checkpoint in the file, in the order written. A line that does not parse comes back unsigned
    (it then fails the signature check with its line number) rather than being skipped."""
    path = checkpoint_path()
    if not path.exists():
        return []
    found: list[Checkpoint] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(
                Checkpoint(
                    line_no=line_no,
                    seq=int(data["seq"]),
                    entry_hash=str(data["entry_hash"]),
                    at=str(data["at"]),
                    key_id=str(data["key_id"]),
                    signature=str(data["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            found.append(Checkpoint(line_no, 0, "", "", "", ""))
    return found


def checkpoint_append(*, seq: int, entry_hash: str, at: str, key: AuditKey) -> Checkpoint:
    """Sign and append one checkpoint; the line is on disk (fsync) when this returns."""
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    unsigned = Checkpoint(0, seq, entry_hash, at, key.key_id, "")
    signature = key.sign(unsigned.payload())
    line = json.dumps({**json.loads(unsigned.payload()), "signature": signature}, sort_keys=True) + "\n"
    # One write in append mode: lines from two clock watchers never interleave within a line.
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return Checkpoint(0, seq, entry_hash, at, key.key_id, signature)
