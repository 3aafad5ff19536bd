"""Stored files and the rows that name them agree: a write that rolls back leaves no file behind.

A file is written before the row that names it commits — the bytes must be in storage when the row (often
with the file's SHA-256 in the audit chain) becomes visible; the reverse order could lose evidence. When
that transaction rolls back, the file would stay in storage with no row: a citizen's photo with its GPS
position, a party's signature, an objection's attachment kept with no record of them. Django has no
rollback hook (``on_commit`` fires only on success), hence one guard around every block that may roll back::

    with files_removed_on_rollback(), audited_transaction():
        ...
        file_store(row.original, f"{sha256}.jpg", data)
        row.save()

Every file a service writes goes through ``file_store``, which writes it (``FieldFile.save`` without saving
the row) and records it with the innermost active guard together with the row and field that are to name it.
``test_files.py`` scans the code for writes that bypass it.

When the guard's block ends, the database decides which recorded files survived: a file whose row no
longer names it (the row's insert or update was rolled back, by the whole transaction or by a savepoint)
is deleted. Asking rather than trusting the exception matters both ways — an exception can come after
the commit (an ``on_commit`` callback failing) and must not cost a committed file, and a transaction can
roll back without one (``set_rollback``). The question is asked by primary key, so it costs one indexed
query per model and field, whatever the size of the table.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _StoredFile:
    storage: Storage
    name: str
    # The row that is to name the file and the field it names it in; the row's primary key is read when
    # the guard asks (a new row gets it only when it is saved, after its files were written).
    instance: models.Model
    model: type[models.Model]
    attname: str


# The files written inside the innermost active guard. A context variable, so that two requests served by one
# process (threads or ASGI tasks) never see each other's files.
_stored: ContextVar[list[_StoredFile] | None] = ContextVar("files_stored", default=None)


@contextmanager
def files_removed_on_rollback() -> Iterator[None]:
    """Delete the files written inside the block (``file_store``) whose rows did not survive it.

    Put it around the outermost transaction of a service that stores files, outside the ``atomic`` block,
    so that it ends after the transaction has::

        with files_removed_on_rollback(), audited_transaction():
            ...

    When the block ends outside any transaction (its transaction committed or rolled back), or ends with an
    exception (its savepoint, if it had one, rolled back), the database decides: the files that their rows
    do not name are deleted. A block that ends without an error inside a transaction still open has every
    row still there: its files go to the guard around it, whose transaction may still roll back — a nested
    savepoint rolled back removes its own files, the outer transaction's rollback the rest. When the
    database cannot answer (a transaction marked for rollback that has not ended yet), the files are kept and
    handed on as well: an orphan can still be removed, a deleted evidence file is lost.
    """
    outer = _stored.get()
    stored: list[_StoredFile] = []
    token = _stored.set(stored)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        _stored.reset(token)
        if stored:
            settled = failed or not transaction.get_connection().in_atomic_block
            kept = _delete_unreferenced(stored) if settled else stored
            if outer is not None:
                outer.extend(kept)


def file_store(field_file: FieldFile, filename: str, content: bytes | File[Any]) -> str:
    """Write ``content`` as ``field_file``'s file (the row itself is saved by the caller) and record it with
    the active guard, so that a rollback removes it again. Returns the stored name (the storage may have
    changed ``filename`` to keep it unique)."""
    field_file.save(filename, content if isinstance(content, File) else ContentFile(content), save=False)
    name = field_file.name or ""
    stored = _stored.get()
    if stored is not None:
        stored.append(
            _StoredFile(
                storage=field_file.storage,
                name=name,
                instance=field_file.instance,
                model=field_file.field.model,
                attname=field_file.field.attname,
            )
        )
    return name


def _delete_unreferenced(stored: list[_StoredFile]) -> list[_StoredFile]:
    """Delete the files no row names; return the ones kept. Never raises: it runs while another exception
    (the one that rolled the transaction back) may be on its way out, and must not hide it."""
    try:
        referenced = _referenced(stored)
    except Exception:
        # A transaction marked for rollback cannot be asked until it ends; the guard around it decides then.
        logger.warning("files kept, the database could not confirm they are unused: %s", [f.name for f in stored])
        return list(stored)
    kept = []
    for file in stored:
        if (file.model, file.attname, file.instance.pk, file.name) in referenced:
            kept.append(file)
            continue
        try:
            file.storage.delete(file.name)
        except Exception:
            logger.exception("could not delete the orphan file %s", file.name)
            kept.append(file)
    return kept


def _referenced(stored: list[_StoredFile]) -> set[tuple[type[models.Model], str, Any, str]]:
    """(model, field, primary key, file name) of every recorded file that its row names now."""
    wanted: dict[tuple[type[models.Model], str], set[Any]] = defaultdict(set)
    for file in stored:
        if file.instance.pk is not None:
            wanted[(file.model, file.attname)].add(file.instance.pk)
    referenced: set[tuple[type[models.Model], str, Any, str]] = set()
    for (model, attname), pks in wanted.items():
        # The base manager: a default manager that hides some rows (archived, soft-deleted) must not make a
        # committed file look unused.
        for pk, name in model._base_manager.filter(pk__in=pks).values_list("pk", attname):
            referenced.add((model, attname, pk, name))
    return referenced
