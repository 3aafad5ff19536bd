"""Stored PDFs and the rows that name them agree: a document whose transaction rolls back leaves no file.

The PDF is written before the row that names it is committed (the bytes must be there when the row, whose
SHA-256 is in the audit chain, becomes visible). Django has no rollback hook, so — as for event photos
(``zhifa.events.photos``) — a guard around the block that may roll back asks the database when the block
ends which of the files written inside it no ``Document`` row names, and deletes those.

Every issuing service guards itself; a caller that issues a document inside a larger transaction of its
own (the case workflow: the step's rows, then the document, then perhaps a refusal) puts the guard around
that transaction, so that its rollback removes the file too::

    with document_files_removed_on_rollback(), audited_transaction():
        ...issue_document(...)...
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile

from zhifa.documents.models import Document

logger = logging.getLogger(__name__)

# The file names written inside the innermost active guard; a context variable, so that two requests served
# by one process never see each other's files.
_written: ContextVar[list[str] | None] = ContextVar("document_files_written", default=None)


@contextmanager
def document_files_removed_on_rollback() -> Iterator[None]:
    """Delete the PDFs written inside the block whose rows did not survive it.

    When the block ends outside any transaction, or with an exception, the database decides: files no
    document row names are deleted. Inside a transaction still open and without an error every row is
    still there, and the files go to the guard around this one (whose transaction may still roll back).
    When the database cannot answer (a broken transaction), files are kept: an orphan can be removed
    later, a deleted document file is lost."""
    outer = _written.get()
    written: list[str] = []
    token = _written.set(written)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        _written.reset(token)
        if written:
            settled = failed or not transaction.get_connection().in_atomic_block
            kept = _delete_unreferenced(written) if settled else written
            if outer is not None:
                outer.extend(kept)


def _delete_unreferenced(written: list[str]) -> list[str]:
    """Never raises: it may run while the exception that rolled the transaction back is on its way out."""
    from django.core.files.storage import default_storage

    try:
        referenced = set(Document.objects.filter(pdf__in=written).values_list("pdf", flat=True))
    except Exception:
        logger.warning("document files kept, the database could not confirm they are unused: %s", written)
        return list(written)
    kept = []
    for name in written:
        if name in referenced:
            kept.append(name)
            continue
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("could not delete the orphan document file %s", name)
            kept.append(name)
    return kept


def pdf_store(field_file: FieldFile, filename: str, pdf: bytes) -> None:
    """Write the PDF and record it with the active guard, so that a rollback removes it again."""
    field_file.save(filename, ContentFile(pdf), save=False)
    written = _written.get()
    if written is not None:
        written.append(field_file.name or "")
